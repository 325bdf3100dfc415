/*
 * cmd_p2p_bootstrap.c - `ggen marketplace p2p bootstrap MULTIADDR...`:
 * join the DHT through the given peers and show the routing table that
 * results, like a node does at start (a diagnostic: nothing is kept).
 *
 * A short-lived client node dials every address, waits until each peer
 * is identified and answers ping, runs the Kademlia bootstrap (a self
 * lookup and a refresh of the stale buckets) and prints the peers that
 * made it into the table.  Exit 0 when the table is not empty.
 */
#include <jansson.h>

#include "cli/cli_config.h"
#include "cli/cmds.h"
#include "cli/kad_cli.h"
#include "node/node_kad.h"
#include "util/error.h"

static const struct gg_opt opts[] = {
	GG_KAD_CLI_OPT_TIMEOUT,
	GG_OPT_JSON,
	GG_OPT_END
};

struct print_ctx {
	struct gg_cli *cli;
	json_t *arr;
};

static int print_one(void *arg, const struct kad_entry *e)
{
	struct print_ctx *pc = arg;
	char id[GG_PEERID_STR_MAX], addrs[1024];

	if (e->state != KAD_PEER_VERIFIED)
		return 0;
	gg_peerid_to_str(&e->peer.id, id, sizeof(id));
	gg_kad_cli_addrs(&e->peer, addrs, sizeof(addrs));
	if (pc->arr)
		json_array_append_new(pc->arr, json_pack("{s:s,s:s}", "peer_id",
							 id, "addrs", addrs));
	else
		fprintf(pc->cli->out, "%s %s\n", id, addrs);
	return 0;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_kad_cli *x = NULL;
	struct print_ctx pc = { cli, NULL };
	struct gg_multiaddr ma;
	struct gg_buf err = GG_BUF_INIT(1024);
	json_t *doc;
	int i, rc;

	for (i = 0; i < a->argc; i++)
		if (gg_multiaddr_parse(a->argv[i], &ma))
			return gg_cli_usage(cli, "not a multiaddr: %s",
					    a->argv[i]);
	rc = gg_kad_cli_open(cli, a, 0, &x);
	if (rc != GG_EXIT_OK)
		return rc;
	rc = gg_config_set_list(x->cfg, "network.bootstrap_nodes",
				(const char *const *)a->argv, a->argc,
				"argument", &err);
	gg_buf_release(&err);
	if (rc == 0)
		rc = gg_node_kad_join_wait(&x->node, x->cfg, x->timeout_ms,
					   &x->table);
	if (rc) {
		rc = gg_cli_fail(cli, "cannot join the DHT: %s",
				 gg_strerror(rc));
		goto out;
	}
	if (gg_args_flag(a, "json")) {
		pc.arr = json_array();
		kad_table_each(kad_routing_table(gg_node_kad(&x->node)),
			       print_one, &pc);
		doc = json_pack("{s:I,s:o}", "table_size", (json_int_t)x->table,
				"peers", pc.arr);
		json_dumpf(doc, cli->out, JSON_COMPACT);
		fputc('\n', cli->out);
		json_decref(doc);
	} else {
		fprintf(cli->out, "routing table: %zu peers\n", x->table);
		kad_table_each(kad_routing_table(gg_node_kad(&x->node)),
			       print_one, &pc);
	}
	rc = GG_EXIT_OK;
out:
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
		"routing table that results: a count, then one line per peer.",
	.opts = opts,
	.min_args = 1,
	.max_args = -1,
	.exec = run,
};
