/*
 * kad_query.h - one iterative Kademlia lookup as a state machine, with no
 * I/O and no clock of its own.
 *
 * The lookup keeps the peers it has heard of sorted by distance to the
 * target, each HEARD, WAITING (request in flight), OK (answered) or
 * FAILED (error or timeout).  kad_query_next() says whom to ask next (at
 * most alpha requests in flight per path), kad_query_on_response() and
 * kad_query_on_failure() feed the answers back, kad_query_tick() expires
 * requests and the whole query.  The lookup ends when the k closest peers
 * not failed have all answered, when nobody is left to ask, on timeout,
 * or when the caller finishes it early (a value found).
 *
 * Disjoint paths (S/Kademlia): every peer carries a path number.  Seeds
 * are dealt round-robin over the paths; a peer learned from a response
 * joins the responder's path unless another path already has it; each
 * path has its own alpha and its own termination.  paths = 1 is plain
 * Kademlia.
 *
 * Hops: seeds are hop 0; a peer learned from a hop-h peer is hop h+1.
 * The stats count the requests on the chain of referrals that reached
 * the closest peer that answered (its hop + 1).
 */
#ifndef GG_P2P_KAD_QUERY_H
#define GG_P2P_KAD_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "p2p/kad_table.h"

#define KAD_QUERY_PATHS_MAX 8
#define KAD_QUERY_PEERS_MAX 1024

enum kad_qpeer_state { KAD_QP_HEARD, KAD_QP_WAITING, KAD_QP_OK,
		       KAD_QP_FAILED };

enum kad_qstep { KAD_QSTEP_WAIT = 0, KAD_QSTEP_SEND = 1, KAD_QSTEP_DONE = 2 };

struct kad_query_config {
	int alpha;               /* requests in flight per path, 1..32 */
	int k;                   /* closest peers that must answer */
	int paths;               /* 1..KAD_QUERY_PATHS_MAX */
	uint64_t timeout_ms;     /* whole query */
	uint64_t rpc_timeout_ms; /* one request */
	size_t max_peers;        /* peers remembered (farthest dropped) */
};

struct kad_query_stats {
	int requests, responses, failures, timeouts;
	int hops;    /* chain length to the closest answer, -1 if none */
	int max_hop; /* longest chain among the answers */
	uint64_t started_ms, ended_ms;
};

struct kad_query;

/* alpha 3, k 20, 1 path, 30 s, 10 s per request, 256 peers. */
void kad_query_config_default(struct kad_query_config *c);
int kad_query_new(const struct kad_query_config *c,
		  const struct kad_key *target, uint64_t now_ms,
		  struct kad_query **out);
void kad_query_free(struct kad_query *q);
const struct kad_key *kad_query_target(const struct kad_query *q);

/* Add a starting peer (hop 0).  GG_EEXISTS if known already. */
int kad_query_seed(struct kad_query *q, const struct kad_peer *p);

/*
 * What to do next: KAD_QSTEP_SEND with *peer set (marked WAITING; the
 * pointer stays valid until the next call that adds peers), KAD_QSTEP_WAIT
 * (requests in flight, nothing more to send now) or KAD_QSTEP_DONE.
 * Call it repeatedly until it stops returning SEND.
 */
int kad_query_next(struct kad_query *q, uint64_t now_ms,
		   const struct kad_peer **peer);
/* A response from a WAITING peer, with the closer peers it named (the
 * caller drops ourselves).  GG_ENOTFOUND when from was not waited on. */
int kad_query_on_response(struct kad_query *q, const struct gg_peerid *from,
			  const struct kad_peer *closer, size_t n,
			  uint64_t now_ms);
int kad_query_on_failure(struct kad_query *q, const struct gg_peerid *from,
			 uint64_t now_ms);
/* Expire requests and the query; fills *expired (may be NULL) with the
 * peers whose request timed out (up to max) and returns their count. */
size_t kad_query_tick(struct kad_query *q, uint64_t now_ms,
		      struct gg_peerid *expired, size_t max);
/* When kad_query_tick needs to run next (UINT64_MAX when done). */
uint64_t kad_query_deadline(const struct kad_query *q);
/* End now with status (0 for success). */
void kad_query_finish(struct kad_query *q, int status, uint64_t now_ms);
/* 1 when done (status in *status: 0, GG_ETIMEOUT, ...), else 0. */
int kad_query_done(const struct kad_query *q, int *status);
/* Up to n closest peers that answered, closest first. */
size_t kad_query_result(const struct kad_query *q,
			const struct kad_peer **out, size_t n);
/* The state of a peer in this query, or -1 when unknown. */
int kad_query_peer_state(const struct kad_query *q,
			 const struct gg_peerid *id);
const struct kad_query_stats *kad_query_stats(const struct kad_query *q);

#endif
