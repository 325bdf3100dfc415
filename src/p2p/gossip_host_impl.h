/*
 * gossip_host_impl.h - what gossip_host.c (peers, identify, timer,
 * lifecycle) and gossip_host_stream.c (the framed streams) share.
 */
#ifndef GG_P2P_GOSSIP_HOST_IMPL_H
#define GG_P2P_GOSSIP_HOST_IMPL_H

#include "p2p/gossip_host.h"
#include "util/buf.h"

#define GH_LOG "gossip"
#define GH_WHITELIST_MAX 16

/* A connected peer: counted connections, whether the engine knows it,
 * and our outbound stream with what waits for it. */
struct gh_peer {
	struct gg_peerid id;
	int nconns;
	int added;             /* told to the engine */
	int nin;               /* inbound streams open */
	struct gg_stream *out; /* our outbound stream, once open */
	void *out_ctx;         /* its callback argument */
	int opening;
	struct gg_buf q;       /* frames waiting for the stream */
	struct gh_peer *next;
};

struct gg_gossiphost {
	struct gg_host *h;
	uv_loop_t *loop;
	struct gossip *g;
	struct gg_gossiphost_cfg c;
	uv_timer_t timer;
	int timer_live, closing;
	struct gh_peer *peers;
	size_t npeers;
	struct gg_buf frame;   /* scratch: one outgoing frame */
	struct gg_gossiphost_stats st;
	char *wl[GH_WHITELIST_MAX]; /* our copy of the IP whitelist */
};

struct gh_peer *gh_peer_get(struct gg_gossiphost *gh,
			    const struct gg_peerid *id);
/* The peer speaks proto (a /meshsub/ ID): tell the engine once. */
void gh_peer_speaks(struct gg_gossiphost *gh, struct gh_peer *p,
		    struct gg_conn *c, const char *proto);

/* gossip_io.send_rpc. */
int gh_send_rpc(void *ctx, const struct gg_peerid *to, const uint8_t *rpc,
		size_t len);
/* The handler for inbound /meshsub streams. */
void gh_on_stream(void *arg, struct gg_stream *s);
/* Forget the peer's stream state when it goes (queue freed). */
void gh_peer_streams_drop(struct gg_gossiphost *gh, struct gh_peer *p);

#endif
