/*
 * kad_impl.h - the inside of struct kad, shared by kad.c (lifecycle,
 * requests, timers), kad_ops.c (lookups and operations) and kad_server.c
 * (answering requests).  Not for use outside src/p2p/kad*.c.
 */
#ifndef GG_P2P_KAD_IMPL_H
#define GG_P2P_KAD_IMPL_H

#include "p2p/kad.h"

#define KAD_RL_SLOTS 512      /* peers tracked by the rate limiter */
#define KAD_REFRESH_MAX 16    /* buckets refreshed per bootstrap */
#define KAD_PROVIDED_MAX 4096 /* keys we provide */

enum kop_phase { KOP_LOOKUP, KOP_SEND, KOP_DONE };

/* One operation: a lookup, then maybe a round of PUT/ADD requests. */
struct kop {
	uint64_t id;
	enum kad_op op;
	enum kop_phase phase;
	struct kad_query *q;
	enum kad_msg_type qtype; /* what the lookup sends */
	uint8_t key[KAD_MSG_KEY_MAX];
	size_t klen;
	uint8_t *value; /* put: ours; get: the best so far (owned) */
	size_t vlen;
	size_t nvalid;  /* get: valid values seen */
	struct kad_peer *peers; /* result: closest or providers (owned) */
	size_t npeers, want;
	size_t pending, stored;
	int refresh[KAD_REFRESH_MAX]; /* bootstrap: cpls still to do */
	size_t nrefresh;
	int status;
	struct kad_query_stats stats;
	kad_done_fn done;
	void *arg;
	struct kop *next;
};

/* One request in flight. */
struct kreq {
	uint64_t id, op;
	struct kad_peer to;
	enum kad_msg_type type;
	int lookup; /* part of the op's lookup (else its send phase) */
	uint64_t sent_ms;
};

struct ratelim {
	struct gg_peerid id;
	double tokens;
	uint64_t last_ms;
};

struct provided {
	uint8_t key[34];
	uint64_t last_ms;
};

struct kad {
	struct kad_config cfg;
	struct kad_io io;
	struct gg_peerid self;
	struct kad_table *table;
	struct kad_store *store;
	struct kad_addrbuf self_addrs;
	struct kop *ops;
	uint64_t next_id;
	struct kreq *reqs;
	size_t nreqs, reqcap;
	struct ratelim rl[KAD_RL_SLOTS];
	struct provided *prov;
	size_t nprov;
	uint64_t last_bootstrap_ms, last_expire_ms;
	int bootstrapped;
};

uint64_t kad__now(struct kad *k);
/* Send a request; on an immediate failure the request is failed. */
int kad__send(struct kad *k, struct kop *op, const struct kad_peer *to,
	      enum kad_msg_type type, int lookup, const uint8_t *msg,
	      size_t len, int want_reply);
/* Turn the closer peers of a message into kad_peers, minus ourselves. */
size_t kad__msg_peers(struct kad *k, const struct kad_msg_peer *in,
		      size_t n, struct kad_peer *out);
/* Fill a message peer with views of p's id and addresses. */
void kad__view_peer(const struct kad_peer *p, struct kad_msg_peer *out);

/* kad_ops.c */
struct kop *kad__op_new(struct kad *k, enum kad_op op, const uint8_t *key,
			size_t klen, kad_done_fn done, void *arg);
int kad__op_start(struct kad *k, struct kop *op);
void kad__op_drive(struct kad *k, struct kop *op);
void kad__op_response(struct kad *k, struct kop *op, const struct kreq *rq,
		      const struct kad_msg *m, const uint8_t *raw,
		      size_t rawlen);
void kad__op_failure(struct kad *k, struct kop *op, const struct kreq *rq);
void kad__op_free(struct kop *op);
void kad__op_tick(struct kad *k, struct kop *op, uint64_t now);

#endif
