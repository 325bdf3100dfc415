/*
 * gossip_impl.h - the inside of the gossipsub router, shared by
 * gossip.c (lifecycle, peers, topics, RPC queues), gossip_msg.c (the
 * message path), gossip_ctrl.c (GRAFT, PRUNE, IHAVE, IWANT),
 * gossip_mesh.c (the heartbeat), gossip_score.c (v1.1 scoring) and
 * gossip_cache.c (seen cache, message cache, IWANT promises).
 *
 * Messages live in one table keyed by message ID: an entry is the seen
 * cache record (kept seen_ttl) and, while it sits in one of the mcache
 * windows, also holds the encoded message for IWANT and IHAVE.  Peers
 * are referred to from messages and promises by a serial number, never
 * a pointer, so a peer can go away at any time.
 */
#ifndef GG_P2P_GOSSIP_IMPL_H
#define GG_P2P_GOSSIP_IMPL_H

#include "p2p/gossip.h"

#define GS_LOG "gossip"
#define GS_PROMISES_MAX 4096

enum gs_status { GS_VALID = 0, GS_REJECTED = 1, GS_IGNORED = 2 };

struct gs_tx { uint64_t peer; uint32_t count; };

struct gs_msg {
	struct gs_msg *hnext;   /* hash chain */
	struct gs_msg *qnext;   /* seen queue, oldest first */
	uint64_t seen_ms;       /* first seen */
	uint64_t first_peer;    /* serial of the first sender; 0: us */
	int topic;
	uint8_t status;         /* enum gs_status */
	uint8_t cached;         /* in an mcache window */
	uint8_t idlen;
	uint8_t id[GOSSIP_ID_MAX];
	uint8_t *raw;           /* encoded Message while cached */
	size_t rawlen;
	struct gs_tx *tx;       /* IWANT answers per peer */
	size_t ntx;
};

struct gs_window { struct gs_msg **m; size_t n, cap; };

struct gs_promise {
	uint64_t peer, deadline;
	uint8_t idlen;
	uint8_t id[GOSSIP_ID_MAX];
};

/* A peer's state in one topic. */
struct gs_ptopic {
	int topic;
	uint8_t subscribed, in_mesh, in_fanout;
	uint64_t graft_ms, backoff_until;
	double p2, p3, p3b, p4; /* score counters */
};

struct gs_peer {
	struct gg_peerid id;
	uint64_t serial;
	char ip[GOSSIP_IP_MAX];
	int outbound;
	enum gossip_proto proto;
	size_t ncoloc;          /* peers on this IP (0: whitelisted) */
	double p7;              /* behaviour penalty counter */
	size_t ihave_msgs, ihave_ids; /* this heartbeat */
	struct gs_ptopic *t;
	size_t nt, capt;
	struct gg_buf body, ctl; /* the queued RPC */
	int queued;
};

struct gs_topic {
	char *name;
	size_t len;
	int subscribed, has_fanout;
	uint64_t last_pub;
	struct gossip_topic_score sp;
};

struct gossip {
	struct gossip_config c;
	struct gossip_io io;
	struct gg_peerid self;
	const struct gg_privkey *key;
	struct gs_peer **peers;
	size_t npeers;
	struct gs_topic **topics;
	size_t ntopics;
	struct gs_msg **buckets;
	size_t nbuckets, nmsgs;
	struct gs_msg *seen_head, *seen_tail;
	struct gs_window *win;
	int win_cur;
	struct gs_promise *prom;
	size_t nprom;
	uint64_t next_hb, next_decay, hb_count;
	uint64_t seqno, next_serial, hash_seed, rng;
	struct gossip_rpc *rpc;  /* decoding scratch */
	struct gg_buf out;       /* an RPC being sent */
	struct gossip_stats st;
};

/* gossip.c */
uint64_t gs_now(struct gossip *g);
uint64_t gs_rand(struct gossip *g);
void gs_shuffle(struct gossip *g, struct gs_peer **a, size_t n);
struct gs_peer *gs_peer_find(const struct gossip *g,
			     const struct gg_peerid *id);
struct gs_peer *gs_peer_by_serial(const struct gossip *g, uint64_t serial);
/* Topic by wire name; create it when asked and there is room. */
int gs_topic_find(const struct gossip *g, const uint8_t *name, size_t len);
int gs_topic_get(struct gossip *g, const uint8_t *name, size_t len);
struct gs_ptopic *gs_ptopic(struct gs_peer *p, int topic);
struct gs_ptopic *gs_ptopic_get(struct gossip *g, struct gs_peer *p,
				int topic);
struct gossip_bytes gs_topic_bytes(const struct gossip *g, int topic);
/* Queue parts of the next RPC to p (sent by gs_flush). */
int gs_send_msg(struct gossip *g, struct gs_peer *p, const uint8_t *raw,
		size_t n);
int gs_send_sub(struct gossip *g, struct gs_peer *p, int topic, int sub);
int gs_send_graft(struct gossip *g, struct gs_peer *p, int topic);
int gs_send_prune(struct gossip *g, struct gs_peer *p, int topic,
		  uint64_t backoff_ms);
int gs_send_ihave(struct gossip *g, struct gs_peer *p, int topic,
		  const struct gossip_bytes *ids, size_t n);
int gs_send_iwant(struct gossip *g, struct gs_peer *p,
		  const struct gossip_bytes *ids, size_t n);
void gs_flush(struct gossip *g);

/* gossip_msg.c */
void gs_handle_msgs(struct gossip *g, struct gs_peer *p,
		    const struct gossip_rpc *r);

/* gossip_ctrl.c */
void gs_handle_subs(struct gossip *g, struct gs_peer *p,
		    const struct gossip_rpc *r);
void gs_handle_control(struct gossip *g, struct gs_peer *p,
		       const struct gossip_rpc *r);

/* gossip_mesh.c */
void gs_heartbeat(struct gossip *g, uint64_t now);
void gs_graft(struct gossip *g, struct gs_peer *p, struct gs_ptopic *pt,
	      uint64_t now);
/* Leave the mesh on our side; PRUNE it when send. */
void gs_mesh_leave(struct gossip *g, struct gs_peer *p, struct gs_ptopic *pt,
		   uint64_t backoff_ms, int send);
size_t gs_mesh_peers(struct gossip *g, int topic, struct gs_peer **out);
/* Graft up to D - |mesh| eligible peers. */
void gs_mesh_fill(struct gossip *g, int topic, uint64_t now);

/* gossip_score.c */
void gs_score_defaults(struct gossip_score_params *s);
double gs_score(const struct gossip *g, const struct gs_peer *p);
void gs_score_decay(struct gossip *g);
void gs_score_delivery(struct gossip *g, struct gs_peer *p, int topic,
		       int first);
void gs_score_invalid(struct gossip *g, struct gs_peer *p, int topic);
void gs_score_penalty(struct gs_peer *p, double n);
void gs_score_mesh_left(struct gossip *g, struct gs_peer *p,
			struct gs_ptopic *pt);
void gs_coloc_update(struct gossip *g, const char *ip);

/* gossip_cache.c */
int gs_cache_init(struct gossip *g);
void gs_cache_release(struct gossip *g);
struct gs_msg *gs_msg_find(const struct gossip *g, const uint8_t *id,
			   size_t idlen);
struct gs_msg *gs_msg_add(struct gossip *g, const uint8_t *id, size_t idlen,
			  int topic, int status, uint64_t now);
int gs_mcache_put(struct gossip *g, struct gs_msg *m, const uint8_t *raw,
		  size_t n);
void gs_mcache_shift(struct gossip *g);
size_t gs_mcache_ids(struct gossip *g, int topic, struct gossip_bytes *ids,
		     size_t max);
void gs_seen_expire(struct gossip *g, uint64_t now);
/* Count one more IWANT answer of m to peer; returns the new count. */
uint32_t gs_tx_count(struct gossip *g, struct gs_msg *m, uint64_t peer);
void gs_promise_add(struct gossip *g, uint64_t peer, const uint8_t *id,
		    size_t idlen, uint64_t deadline);
void gs_promise_fulfil(struct gossip *g, const uint8_t *id, size_t idlen);
void gs_promise_expire(struct gossip *g, uint64_t now);

#endif
