/*
 * gossip_host.h - the gossipsub router engine (gossip.h) glued to the
 * libp2p host.
 *
 * The engine takes bytes and time; this module gives it both.  It serves
 * /meshsub/1.1.0 and /meshsub/1.0.0 inbound (so identify lists both),
 * identifies every new connection itself and tells the engine about a
 * peer that lists either protocol (or that opens a /meshsub stream to
 * us, which proves it speaks it), and removes the peer when its last
 * connection closes.  RPCs to a peer go out uvarint-framed on one
 * long-lived outbound stream, opened lazily (1.1.0, then 1.0.0); what is
 * sent while it opens waits in a per-peer queue with a byte cap, and a
 * peer that does not read loses RPCs past the cap rather than growing
 * our memory.  Inbound streams are read frame by frame: a frame over the
 * engine's RPC cap is reported (gossip_on_oversized) and the stream
 * reset, a malformed RPC resets the stream, and a graylisted peer's
 * frames are read and discarded.  A libuv timer drives gossip_tick.
 *
 * Lifecycle: gg_gossiphost_new after the host exists;
 * gg_gossiphost_close before gg_host_free (stops the timer, resets our
 * streams, silences the callbacks); gg_gossiphost_free once the loop has
 * drained.  The host's private key signs our messages; it outlives us.
 */
#ifndef GG_P2P_GOSSIP_HOST_H
#define GG_P2P_GOSSIP_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "p2p/gossip.h"
#include "p2p/host.h"

#define GG_GOSSIPHOST_DEF_QUEUE (4u * 1024u * 1024u)
#define GG_GOSSIPHOST_DEF_INBOUND 4

struct gg_gossiphost;

struct gg_gossiphost_cfg {
	struct gg_host *host;        /* borrowed; outlives us */
	struct gossip_config gossip; /* gossip_config_default, then adjust */
	/* The application, as in struct gossip_io (either may be NULL). */
	void *app;
	enum gossip_verdict (*validate)(void *app,
					const struct gossip_message_info *m);
	void (*deliver)(void *app, const struct gossip_message_info *m);
	/* Bytes that may wait for one peer (opening or slow stream); an
	 * RPC past it is dropped.  0: GG_GOSSIPHOST_DEF_QUEUE. */
	size_t max_queued;
	/* Inbound /meshsub streams one peer may hold open at once (more
	 * are reset).  0: GG_GOSSIPHOST_DEF_INBOUND. */
	int max_inbound;
};

/* Defaults for host h (gossip_config_default and the caps above). */
void gg_gossiphost_cfg_default(struct gg_gossiphost_cfg *c,
			       struct gg_host *h);
/* 0, GG_EINVAL (a bad gossip config), GG_ENOMEM, or the host's error
 * registering the protocols. */
int gg_gossiphost_new(const struct gg_gossiphost_cfg *c,
		      struct gg_gossiphost **out);
/* Stop the timer, reset our streams, ignore later callbacks.  Call
 * before gg_host_free.  Accepts NULL. */
void gg_gossiphost_close(struct gg_gossiphost *gh);
/* After the loop has drained.  Accepts NULL. */
void gg_gossiphost_free(struct gg_gossiphost *gh);

/* The engine, for read-only calls (stats, topic info, scores).  Use the
 * wrappers below to change it, so the timer stays in step. */
struct gossip *gg_gossiphost_engine(struct gg_gossiphost *gh);
int gg_gossiphost_subscribe(struct gg_gossiphost *gh, const char *topic);
int gg_gossiphost_unsubscribe(struct gg_gossiphost *gh, const char *topic);
/* gossip_publish (see gossip.h for the codes). */
int gg_gossiphost_publish(struct gg_gossiphost *gh, const char *topic,
			  const uint8_t *data, size_t len, uint8_t *id,
			  size_t *idlen);

/* What the glue itself counted (the engine has its own gossip_stats). */
struct gg_gossiphost_stats {
	size_t peers;           /* connected peers that speak gossipsub */
	size_t streams_out;     /* our open outbound streams */
	size_t streams_in;      /* inbound streams being read */
	uint64_t frames_in, frames_out;
	uint64_t bytes_in, bytes_out;
	uint64_t dropped;       /* RPCs not sent: queue over its cap */
	uint64_t oversized;     /* inbound frames over the RPC cap */
	uint64_t resets;        /* inbound streams we reset */
	uint64_t open_failed;   /* outbound opens refused or failed */
};
void gg_gossiphost_stats(const struct gg_gossiphost *gh,
			 struct gg_gossiphost_stats *out);

/*
 * The stream framing: p[0..n) starts with uvarint(len) then len bytes.
 * 1 with *hdr and *len when the header is complete (the body may not be
 * there yet: check hdr + len <= n), 0 when more header bytes are
 * needed, GG_ETOOBIG when len > max (*len still set), GG_EPARSE for a bad
 * uvarint.
 */
int gg_gossiphost_frame(const uint8_t *p, size_t n, size_t max,
			size_t *hdr, size_t *len);

#endif
