/*
 * cmd_p2p_bootstrap.c - `ggen marketplace p2p bootstrap MULTIADDR...`:
 * join the DHT through the given peers and show the routing table that
 * results, like a node does at start.
 *
 * With a node running for $GGEN_HOME, that node joins (control_kad.c):
 * its table keeps the peers, and the listing is its whole table.  Else a
 * short-lived client node (a diagnostic: nothing is kept) dials every
 * address, waits until each peer is identified and answers ping, runs
 * the Kademlia bootstrap (a self lookup and a refresh of the stale
 * buckets) and prints the peers that made it into the table.  Exit 0
 * when the table is not empty.
 */
#include <jansson.h>

#include "cli/cli_config.h"
#include "cli/cli_daemon.h"
#include "cli/cmds.h"
#include "cli/kad_cli.h"
#include "node/node_kad.h"
#include "util/error.h"

static const struct gg_opt opts[] = {
	GG_KAD_CLI_OPT_TIMEOUT,
	GG_OPT_JSON,
	GG_OPT_END
};

/* {"table_size":N,"peers":[{peer_id,addrs}...]}, from either path. */
static int print_table(struct gg_cli *cli, const struct gg_args *a,
		       const json_t *doc)
{
	const json_t *size = json_object_get(doc, "table_size");
	const json_t *peers = json_object_get(doc, "peers");
	json_t *arr = gg_args_flag(a, "json") ? json_array() : NULL;
	json_t *out;
	int rc = GG_EXIT_OK;

	if (!json_is_integer(size) || !json_is_array(peers))
		rc = gg_cli_fail(cli, "the node sent a malformed answer");
	else if (!arr)
		fprintf(cli->out, "routing table: %lld peers\n",
			(long long)json_integer_value(size));
	if (rc == GG_EXIT_OK)
		rc = gg_kad_cli_print_peers(cli, peers, arr);
	if (rc == GG_EXIT_OK && arr) {
		out = json_pack("{s:O,s:O}", "table_size", size, "peers", arr);
		gg_kad_cli_print_json(cli, out);
		json_decref(out);
	}
	json_decref(arr);
	return rc;
}

/* A short-lived node joins through the addresses. */
static int bootstrap_local(struct gg_cli *cli, const struct gg_args *a,
			   struct gg_kad_cli *x, json_t **doc)
{
	struct gg_buf err = GG_BUF_INIT(1024);
	int rc;

	if ((rc = gg_kad_cli_start(cli, a, x, 0)) != GG_EXIT_OK)
		return rc;
	rc = gg_config_set_list(x->cfg, "network.bootstrap_nodes",
				(const char *const *)a->argv, a->argc,
				"argument", &err);
	gg_buf_release(&err);
	if (rc == 0)
		rc = gg_node_kad_join_wait(&x->node, x->cfg, x->timeout_ms,
					   &x->table);
	if (rc)
		return gg_cli_fail(cli, "cannot join the DHT: %s",
				   gg_strerror(rc));
	*doc = gg_node_kad_table_json(&x->node, x->table);
	return *doc ? GG_EXIT_OK : gg_cli_fail(cli, "out of memory");
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_kad_cli *x = NULL;
	struct gg_multiaddr ma;
	json_t *addrs, *doc = NULL;
	int i, rc;

	if (a->argc > GG_KAD_CLI_ADDRS_MAX)
		return gg_cli_usage(cli, "at most %d addresses",
				    GG_KAD_CLI_ADDRS_MAX);
	for (i = 0; i < a->argc; i++)
		if (gg_multiaddr_parse(a->argv[i], &ma))
			return gg_cli_usage(cli, "not a multiaddr: %s",
					    a->argv[i]);
	if ((rc = gg_kad_cli_prepare(cli, a, &x)) != GG_EXIT_OK)
		return rc;
	addrs = json_array();
	for (i = 0; addrs && i < a->argc; i++)
		json_array_append_new(addrs, json_string(a->argv[i]));
	rc = gg_kad_cli_ask(cli, a, x, json_pack("{s:s,s:o}", "cmd",
						 "bootstrap", "addrs", addrs),
			    NULL, &doc);
	if (rc == GG_CLI_RUN_LOCAL)
		rc = bootstrap_local(cli, a, x, &doc);
	if (rc == GG_EXIT_OK)
		rc = print_table(cli, a, doc);
	json_decref(doc);
	gg_kad_cli_close(x);
	return rc;
}

const struct gg_cmd gg_cmd_p2p_bootstrap = {
	.name = "bootstrap",
	.summary = "Join the DHT through these peers and show the table",
	.usage = "MULTIADDR...",
	.help = "Dials each MULTIADDR, adds the peers that speak the DHT "
		"protocol and answer ping,\nruns the Kademlia bootstrap (a "
		"self lookup and a refresh of stale buckets) and\nprints the "
		"routing table that results: a count, then one line per peer.\n"
		"A node running for $GGEN_HOME (p2p start --daemon) joins them "
		"itself and keeps\nthem; the listing is then its whole table.",
	.opts = opts,
	.min_args = 1,
	.max_args = -1,
	.exec = run,
};
