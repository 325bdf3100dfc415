/*
 * kad.h - the Kademlia DHT engine: routing table, lookups, server side
 * and store, driven by bytes and time only (like jech/dht's dht.c, but
 * with every bit of state in struct kad).
 *
 * The host glues it to the network:
 *   - kad_io.send_request: open a /ggen/kad/1.0.0 stream to the peer
 *     (dialing one of addrs if not connected), write the uvarint-framed
 *     message, and - when want_reply - read one framed reply (at most
 *     kad_config.max_msg bytes) and hand it to kad_on_response(req), or
 *     report kad_on_failure(req).  Without want_reply just close after
 *     writing (ADD_PROVIDER has no answer) and report nothing.  It must
 *     not call back into the engine before returning.
 *   - kad_io.now_ms: a monotonic clock in milliseconds.
 *   - inbound streams: read each framed request, call kad_on_request, and
 *     write the reply when it is non-empty; reset the stream on error.
 *   - identify: call kad_on_peer_identified for each peer, with whether
 *     it lists our kad protocol; a server peer then comes back through
 *     kad_io.check_peer (ping it), answered by kad_peer_checked.
 *   - timers: call kad_tick at least by the time it asks for.
 * Completion callbacks run from kad_on_response / kad_on_failure /
 * kad_tick, never from the call that starts the operation.
 */
#ifndef GG_P2P_KAD_H
#define GG_P2P_KAD_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/peerid.h"
#include "net/multiaddr.h"
#include "p2p/kad_msg.h"
#include "p2p/kad_query.h"
#include "p2p/kad_store.h"
#include "p2p/kad_table.h"
#include "p2p/kad_validate.h"
#include "util/buf.h"

#define KAD_PROTOCOL_DEFAULT "/ggen/kad/1.0.0"

struct kad_config {
	int server_mode;           /* answer requests (else refuse them) */
	struct kad_table_config table;
	struct kad_query_config query;
	struct kad_msg_limits msg;
	int get_value_quorum;      /* valid values before GET_VALUE ends */
	double req_rate;           /* requests per second per peer */
	double req_burst;          /* token bucket size */
	uint64_t bootstrap_ms;     /* period of self lookup + refresh */
	uint64_t republish_ms;     /* our provider records (22 h) */
	uint64_t expire_ms;        /* store sweep period (1 h) */
	const struct kad_validator *validators;
	size_t nvalidators;
};

struct kad_io {
	void *ctx;
	int (*send_request)(void *ctx, uint64_t req, const struct kad_peer *to,
			    const uint8_t *msg, size_t len, int want_reply);
	uint64_t (*now_ms)(void *ctx);
	/* Optional: ping the peer; answer with kad_peer_checked. */
	void (*check_peer)(void *ctx, const struct kad_peer *p);
	/* Optional: random bytes (refresh keys); OpenSSL's when NULL. */
	void (*random)(void *ctx, uint8_t *out, size_t n);
};

enum kad_op { KAD_OP_FIND_NODE, KAD_OP_GET_VALUE, KAD_OP_PUT_VALUE,
	      KAD_OP_ADD_PROVIDER, KAD_OP_GET_PROVIDERS, KAD_OP_BOOTSTRAP };

struct kad_result {
	enum kad_op op;
	int status;               /* 0, GG_ENOTFOUND, GG_ETIMEOUT, ... */
	const struct kad_peer *peers; /* closest (find_node, put) or
					 providers (get_providers) */
	size_t npeers;
	const uint8_t *value;     /* get_value: the best valid value */
	size_t value_len;
	size_t stored;            /* put/add: peers that took it */
	struct kad_query_stats stats;
};

typedef void (*kad_done_fn)(void *arg, const struct kad_result *r);

struct kad;

/* Server mode, k 20, alpha 3, 30 s queries, 16 KiB messages, quorum 1,
 * 20 req/s (burst 40), bootstrap 5 min, republish 22 h, built-in
 * validators. */
void kad_config_default(struct kad_config *c);
/* store may be NULL (then no values or providers are kept: a client). */
struct kad *kad_new(const struct kad_config *c, const struct gg_peerid *self,
		    const struct kad_io *io, struct kad_store *store);
void kad_free(struct kad *k);
struct kad_table *kad_routing_table(struct kad *k);
/* Our listen addresses, sent in ADD_PROVIDER. */
int kad_set_self_addrs(struct kad *k, const struct gg_multiaddr *addrs,
		       size_t n);

/* Server side: answer one request from a peer.  reply gets the answer
 * (empty: send nothing).  GG_ETOOBIG / GG_EPARSE (bad message),
 * GG_EAGAIN (rate limited), GG_EUNSUPPORTED (client mode), validation
 * errors for PUT_VALUE: reset the stream. */
int kad_on_request(struct kad *k, const struct gg_peerid *from,
		   const uint8_t *msg, size_t len, struct gg_buf *reply);
/* Client side: the reply to request req, or its failure. */
int kad_on_response(struct kad *k, uint64_t req, const uint8_t *msg,
		    size_t len);
void kad_on_failure(struct kad *k, uint64_t req, int err);

/* Identify told us about a peer: supports_kad = it lists our protocol.
 * A server peer enters the table as pending and is checked. */
int kad_on_peer_identified(struct kad *k, const struct kad_peer *p,
			   int supports_kad);
/* The result of kad_io.check_peer; ok = answered ping. */
void kad_peer_checked(struct kad *k, const struct gg_peerid *id, int ok);
/* A peer known good without checks (a configured bootstrap peer we are
 * connected to, tests). */
int kad_add_verified(struct kad *k, const struct kad_peer *p);

/* Timers: expire requests, finish queries, run periodic work.  Returns
 * the milliseconds until it wants to run again. */
uint64_t kad_tick(struct kad *k);

/* Operations: 0 and *qid (may be NULL), or GG_E* (done is not called). */
int kad_find_node(struct kad *k, const uint8_t *key, size_t klen,
		  kad_done_fn done, void *arg, uint64_t *qid);
int kad_get_value(struct kad *k, const uint8_t *key, size_t klen,
		  kad_done_fn done, void *arg, uint64_t *qid);
/* Validates first (GG_EUNSUPPORTED, ...), stores locally, then sends to
 * the k closest. */
int kad_put_value(struct kad *k, const uint8_t *key, size_t klen,
		  const uint8_t *val, size_t vlen, kad_done_fn done,
		  void *arg, uint64_t *qid);
/* key must be a sha2-256 multihash (0x12 0x20 + 32 bytes).  We provide
 * it from now on and republish every republish_ms. */
int kad_add_provider(struct kad *k, const uint8_t *key, size_t klen,
		     kad_done_fn done, void *arg, uint64_t *qid);
/* Ends as soon as want providers are known (0: k). */
int kad_get_providers(struct kad *k, const uint8_t *key, size_t klen,
		      size_t want, kad_done_fn done, void *arg,
		      uint64_t *qid);
/* A self lookup, then one lookup per stale bucket. */
int kad_bootstrap(struct kad *k, kad_done_fn done, void *arg,
		  uint64_t *qid);
/* Drop an operation; its callback is not called. */
int kad_cancel(struct kad *k, uint64_t qid);

#endif
