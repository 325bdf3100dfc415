/*
 * kad_cli.h - what the DHT diagnostic verbs (`p2p bootstrap`, `p2p dht
 * ...`) share: a short-lived node in client mode with a throw-away
 * identity (so it never enters other peers' tables, nor passes for the
 * node that owns $GGEN_HOME), joined through the bootstrap peers, and a
 * way to run one DHT operation to its end with gg_run.
 */
#ifndef GG_CLI_KAD_CLI_H
#define GG_CLI_KAD_CLI_H

#include "cli/cli.h"
#include "config/config.h"
#include "node/node.h"
#include "p2p/kad.h"

struct gg_kad_cli {
	struct gg_config *cfg;
	struct gg_node node;
	uint64_t timeout_ms; /* --timeout, else performance.dht_query_timeout */
	size_t table;        /* routing table after the join */
	int node_live;
};

/* A finished operation, copied out of the engine's callback. */
struct gg_kad_wait {
	struct gg_op op;
	struct kad_peer *peers;
	size_t npeers;
	uint8_t *value;
	size_t vlen;
	size_t stored;
	struct kad_query_stats stats;
};

/* The options every DHT verb takes. */
#define GG_KAD_CLI_OPT_TIMEOUT                                           \
	{ "timeout", 't', GG_OPT_VALUE, "SECONDS",                       \
	  "Give up after this long (default performance.dht_query_timeout)" }

/* Config (with --bootstrap, --listen), the node (listening when the verb
 * was given --listen), and (when join) the join through
 * network.bootstrap_nodes.  Prints failures; GG_EXIT_*. */
int gg_kad_cli_open(struct gg_cli *cli, const struct gg_args *a, int join,
		    struct gg_kad_cli **out);
void gg_kad_cli_close(struct gg_kad_cli *x);

/* The kad_done_fn to pass with a struct gg_kad_wait as its arg. */
void gg_kad_wait_done(void *arg, const struct kad_result *r);
/* Wait for the operation qid; on timeout it is canceled.  Returns its
 * status (GG_ETIMEOUT on timeout). */
int gg_kad_cli_wait(struct gg_kad_cli *x, struct gg_kad_wait *w,
		    uint64_t qid);
void gg_kad_wait_release(struct gg_kad_wait *w);

/* "ADDR ADDR ..." of a peer into out (space separated). */
void gg_kad_cli_addrs(const struct kad_peer *p, char *out, size_t outsz);

#endif
