/*
 * kad_cli.h - what the DHT diagnostic verbs (`p2p bootstrap`, `p2p dht
 * ...`) share.  With a node running for $GGEN_HOME they ask it over the
 * control socket (its routing table is warm; control_kad.c); else they
 * run a short-lived node in client mode with a throw-away identity (so
 * it never enters other peers' tables, nor passes for the node that owns
 * $GGEN_HOME), joined through the bootstrap peers, and run one DHT
 * operation to its end with gg_run.  Either way the result is the same
 * JSON document, printed by the same code.
 */
#ifndef GG_CLI_KAD_CLI_H
#define GG_CLI_KAD_CLI_H

#include <jansson.h>

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

/* Addresses one bootstrap or --bootstrap takes (as a join dials). */
#define GG_KAD_CLI_ADDRS_MAX 64

/* Config (with --bootstrap, --listen) and the timeout, no node yet.
 * Prints failures; GG_EXIT_*. */
int gg_kad_cli_prepare(struct gg_cli *cli, const struct gg_args *a,
		       struct gg_kad_cli **out);
/* The short-lived node of x (listening when the verb was given
 * --listen), and (when join) the join through network.bootstrap_nodes.
 * Prints failures; GG_EXIT_*. */
int gg_kad_cli_start(struct gg_cli *cli, const struct gg_args *a,
		     struct gg_kad_cli *x, int join);
/* Both of the above. */
int gg_kad_cli_open(struct gg_cli *cli, const struct gg_args *a, int join,
		    struct gg_kad_cli **out);
void gg_kad_cli_close(struct gg_kad_cli *x);

/*
 * Ask the node running for $GGEN_HOME: req gets "timeout_ms" and, under
 * the name list, the --bootstrap addresses given (a daemon joins them
 * first).  GG_EXIT_OK with *reply (its answer), GG_EXIT_FAIL after
 * printing why (its error, or a node that does not answer), or
 * GG_CLI_RUN_LOCAL when none runs.  Free *reply in every case.
 */
int gg_kad_cli_ask(struct gg_cli *cli, const struct gg_args *a,
		   const struct gg_kad_cli *x, json_t *req, const char *list,
		   json_t **reply);

/* The kad_done_fn to pass with a struct gg_kad_wait as its arg. */
void gg_kad_wait_done(void *arg, const struct kad_result *r);
/* Wait for the operation qid; on timeout it is canceled.  Returns its
 * status (GG_ETIMEOUT on timeout). */
int gg_kad_cli_wait(struct gg_kad_cli *x, struct gg_kad_wait *w,
		    uint64_t qid);
void gg_kad_wait_release(struct gg_kad_wait *w);

/* Print the peers of an answer's array: one "ID ADDRS" line each, or
 * (json not NULL) a clean copy of each appended to json.  The array comes
 * from a daemon: anything but such objects is GG_EXIT_FAIL, printed. */
int gg_kad_cli_print_peers(struct gg_cli *cli, const json_t *peers,
			   json_t *json);
/* The document on one line. */
void gg_kad_cli_print_json(struct gg_cli *cli, const json_t *doc);

#endif
