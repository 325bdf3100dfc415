/*
 * kad_host_impl.h - the inside of struct gg_kadhost, shared by
 * kad_host.c (lifecycle, timer, server side), kad_host_out.c (outbound
 * requests and dials), kad_host_peer.c (identify, ping checks, join),
 * kad_host_sweep.c (peers that announce the protocol late) and
 * kad_host_table.c (routing-table persistence).  Not for use elsewhere.
 */
#ifndef GG_P2P_KAD_HOST_IMPL_H
#define GG_P2P_KAD_HOST_IMPL_H

#include <uv.h>

#include "p2p/kad_host.h"
#include "p2p/ping.h"
#include "util/buf.h"

#define KH_TICK_MAX_MS 250     /* the timer never sleeps longer */
#define KH_DIAL_ADDRS 8        /* addresses tried per dial */
#define KH_PROTO_MAX 128
#define KH_TRIED 256           /* peers remembered by the conn sweep */
#define KH_RETRY_MS 30000      /* the sweep offers a peer this seldom */
#define KH_SWEEP_CONNS 1024
#define KH_WATCH 256           /* peers the sweep looks at each second */

/* An outbound request: dial (maybe), open, write, read one reply. */
enum kout_state { KO_DIALING, KO_SENT };

struct kout {
	struct gg_kadhost *kh;
	uint64_t req, started_ms, sent_ns;
	int want_reply, reported, dead; /* dead: owner gone, just free */
	int starting, early_err;        /* inside out_open (see there) */
	enum kout_state state;
	struct gg_peerid peer;
	uint8_t *msg; /* framed */
	size_t len;
	struct gg_stream *s;
	struct gg_buf in;
	struct kout *prev, *next; /* kh->outs */
	struct kout *wnext;       /* a dial's waiters */
};

/* One dial shared by the requests to an unconnected peer. */
struct kdial {
	struct gg_kadhost *kh;
	struct gg_peerid peer;
	struct gg_multiaddr addrs[KH_DIAL_ADDRS];
	int naddrs, next_addr, first_err;
	struct gg_dial *d;
	struct kout *waiters;
	struct kdial *next;
};

/* Something that ends later: a ping check, a join waiting for a peer. */
struct kcheck {
	struct gg_kadhost *kh;
	struct gg_peerid peer;
	struct gg_ping *ping;
	uint64_t started_ms;
	int done, ok;
	struct kcheck *next;
};

struct kjoin {
	struct gg_kadhost *kh;
	gg_kadhost_join_cb cb;
	void *arg;
	struct gg_peerid *wait; /* peers still to be identified/checked */
	uint64_t *until;        /* per waiter: give up then (0: deadline) */
	int nwait, ndialing, first_err, booting, finished;
	uint64_t deadline_ms;
	struct kjoin *next;
};

/* A peer remembered with a time: tried by the sweep, or watched. */
struct ktried {
	struct gg_peerid id;
	uint64_t ms;
};

struct gg_kadhost {
	struct gg_host *host;
	struct gg_peerstore *ps;
	struct kad *kad;
	struct kad_store *store;
	struct sqlite3 *db;
	int persist, server, closing;
	char proto[KH_PROTO_MAX];
	size_t max_msg;
	uint64_t dial_timeout_ms, rpc_timeout_ms;
	uint64_t clock_base_ms; /* wall clock at start minus uv_now */
	uv_timer_t tick;
	int timers_live;
	struct kout *outs;
	struct kdial *dials;
	struct kcheck *checks;
	struct kjoin *joins;
	struct gg_kadhost_stats st;
	struct ktried tried[KH_TRIED];
	struct ktried watch[KH_WATCH]; /* connected, identified without us */
	int nwatch;
	uint64_t last_sweep_ms, last_full_sweep_ms;
};

/* kad_host.c */
uint64_t kh_now(struct gg_kadhost *kh);
void kh_kick(struct gg_kadhost *kh);

/* kad_host_out.c */
int kh_send_request(void *ctx, uint64_t req, const struct kad_peer *to,
		    const uint8_t *msg, size_t len, int want_reply);
void kh_outs_sweep(struct gg_kadhost *kh, uint64_t now);
void kh_outs_close(struct gg_kadhost *kh);
void kh_out_free(struct kout *o);

/* kad_host_peer.c */
void kh_on_conn(void *arg, struct gg_conn *c, enum gg_conn_event ev,
		int err);
void kh_check_peer(void *ctx, const struct kad_peer *p);
void kh_checks_run(struct gg_kadhost *kh);

/* kad_host_sweep.c */
void kh_sweep_watch(struct gg_kadhost *kh, const struct gg_peerid *id);
void kh_sweep_conns(struct gg_kadhost *kh);
void kh_joins_run(struct gg_kadhost *kh);
void kh_joins_peer_done(struct gg_kadhost *kh, const struct gg_peerid *id);
void kh_joins_peer_later(struct gg_kadhost *kh, const struct gg_peerid *id,
			 uint64_t ms);
void kh_peers_close(struct gg_kadhost *kh);

/* kad_host_table.c */
int kh_table_schema(struct gg_kadhost *kh);

#endif
