/*
 * node.h - the node manager (ADR-003) and the sync-over-async runner
 * (ADR-006).
 *
 * struct gg_node owns everything one process needs to be a peer: the
 * libuv loop, the identity key, the host, the peer store and the identify
 * and ping services.  No globals: two nodes in one process (tests,
 * benchmarks) are simply two structs.  A verb is synchronous: it starts an
 * asynchronous operation and calls gg_run, which turns the loop until the
 * operation says it is done or its timeout fires.
 */
#ifndef GG_NODE_NODE_H
#define GG_NODE_NODE_H

#include <stdint.h>
#include <uv.h>

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "net/multiaddr.h"
#include "p2p/host.h"
#include "p2p/identify.h"
#include "p2p/peerstore.h"

struct gg_config;
struct gg_node_kad;
struct gg_node_gossip;
struct gg_ctl_ext;

/* An operation gg_run waits for: set done (and status) to finish it. */
struct gg_op {
	int done;
	int status;
};

/* Turn the loop until op->done or timeout_ms (0: no limit) has passed.
 * Returns op->status, or GG_ETIMEOUT (op->done is then set too, so late
 * completions can see that nobody waits any more).  Its timer closes
 * after it returns: run the loop once more before uv_loop_close. */
int gg_run(uv_loop_t *loop, struct gg_op *op, uint64_t timeout_ms);

struct gg_node_opts {
	const char *home;           /* $GGEN_HOME (identity.key) */
	struct gg_privkey *key;     /* or a key (taken over); home ignored */
	int max_peers, max_peers_per_ip;
	uint64_t handshake_timeout_ms;
};

struct gg_node {
	uv_loop_t loop;
	struct gg_privkey *key;
	struct gg_peerid id;
	struct gg_host *host;
	struct gg_peerstore *peers;
	struct gg_identify *identify;
	int loop_live;
	struct gg_node_kad *kad; /* the DHT (node/node_kad.h), or NULL */
	/* gossipsub (node/node_gossip.h), or NULL */
	struct gg_node_gossip *gossip;
	/* commands and status providers for the control socket
	 * (node/control.h), allocated by the first registration */
	struct gg_ctl_ext *ctl_ext;
};

/* Fill opts from a configuration (performance.max_peers,
 * network.max_peers_per_ip). */
void gg_node_opts_from_config(struct gg_node_opts *o,
			      const struct gg_config *cfg, const char *home);
/* Set up the node: loop, identity, host, peer store, identify, ping. */
int gg_node_init(struct gg_node *n, const struct gg_node_opts *o);
/* Listen on each address; stops at the first failure (err names it). */
int gg_node_listen(struct gg_node *n, const char *const *addrs, int count,
		   char *err, size_t errsz);
/* Our reachable addresses with /p2p/<id> appended. */
int gg_node_addrs(struct gg_node *n, struct gg_multiaddr *out, int max);
/* Close everything, let the loop drain, free. */
void gg_node_release(struct gg_node *n);

/* Dial ma and wait (gg_run) for the ready connection.  On GG_EPEERID,
 * remote (may be NULL) receives the peer that answered. */
int gg_node_dial(struct gg_node *n, const struct gg_multiaddr *ma,
		 uint64_t timeout_ms, struct gg_conn **out,
		 struct gg_peerid *remote);

#endif
