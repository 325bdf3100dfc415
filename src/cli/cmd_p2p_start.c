/*
 * cmd_p2p_start.c - `ggen marketplace p2p start`: run a node in the
 * foreground until SIGINT or SIGTERM.
 *
 * It prints our peer ID and one `listening:` line per reachable address
 * (0.0.0.0 expanded, the real port for port 0) and flushes at once, so a
 * script can start a node on port 0 and read where it went.  The node
 * joins the Kademlia DHT through its bootstrap peers (dialled in the
 * background; success or failure is logged, never fatal).
 */
#include <signal.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_config.h"
#include "cli/cli_daemon.h"
#include "cli/cmds.h"
#include "node/node.h"
#include "node/node_gossip.h"
#include "node/node_kad.h"
#include "util/error.h"
#include "util/log.h"

#define START_MAX_ADDRS 64

static const struct gg_opt opts[] = {
	GG_OPT_LISTEN,
	GG_OPT_BOOTSTRAP,
	GG_OPT_JSON,
	GG_OPT_DAEMON,
	GG_OPT_END
};

struct start_ctx {
	struct gg_node node;
	struct gg_op op;
	struct gg_cli_daemon dm; /* lock, control socket, --daemon */
	uv_signal_t sigint, sigterm;
};

static void on_signal(uv_signal_t *s, int signum)
{
	struct start_ctx *x = s->data;

	gg_info("node", "signal %d: shutting down", signum);
	x->op.done = 1;
	x->op.status = 0;
}

/* The DHT joined through the bootstrap peers (or a warm table). */
static void on_joined(void *arg, int status, size_t table)
{
	if (status == 0)
		gg_info("node", "DHT joined: %zu peers in the routing table",
			table);
	else if (status == GG_ENOTFOUND)
		gg_info("node", "DHT: no peers yet; waiting for others to "
			"connect");
	else if (status != GG_ECANCELED)
		gg_warn("node", "DHT not joined: %s", gg_strerror(status));
}

static int print_addrs(struct gg_cli *cli, struct gg_node *n, int json)
{
	struct gg_multiaddr addrs[START_MAX_ADDRS];
	char id[GG_PEERID_STR_MAX], s[GG_MULTIADDR_STR_MAX];
	json_t *doc, *arr;
	int i, k;

	gg_peerid_to_str(&n->id, id, sizeof(id));
	k = gg_node_addrs(n, addrs, START_MAX_ADDRS);
	if (!json) {
		fprintf(cli->out, "peer-id: %s\n", id);
		for (i = 0; i < k; i++)
			if (gg_multiaddr_to_str(&addrs[i], s, sizeof(s)) == 0)
				fprintf(cli->out, "listening: %s\n", s);
		fflush(cli->out);
		return 0;
	}
	doc = json_object();
	arr = json_array();
	json_object_set_new(doc, "peer_id", json_string(id));
	for (i = 0; i < k; i++)
		if (gg_multiaddr_to_str(&addrs[i], s, sizeof(s)) == 0)
			json_array_append_new(arr, json_string(s));
	json_object_set_new(doc, "listen_addrs", arr);
	json_dumpf(doc, cli->out, JSON_COMPACT);
	fputc('\n', cli->out);
	fflush(cli->out);
	json_decref(doc);
	return 0;
}

static void close_signal(uv_signal_t *s)
{
	uv_signal_stop(s);
	uv_close((uv_handle_t *)s, NULL);
}

static int serve(struct gg_cli *cli, struct start_ctx *x,
		 const struct gg_config *cfg, int json)
{
	const char *const *listen;
	char err[512];
	int n, rc;

	n = gg_config_list(cfg, "network.listen_addresses", &listen);
	rc = gg_node_listen(&x->node, listen, n, err, sizeof(err));
	if (rc)
		return gg_cli_fail(cli, "%s", err);
	if (gg_cli_daemon_serve(cli, &x->dm, &x->node, &x->op))
		return GG_EXIT_FAIL;
	print_addrs(cli, &x->node, json);
	gg_cli_daemon_ready(cli, &x->dm);
	uv_signal_init(&x->node.loop, &x->sigint);
	uv_signal_init(&x->node.loop, &x->sigterm);
	x->sigint.data = x->sigterm.data = x;
	uv_signal_start(&x->sigint, on_signal, SIGINT);
	uv_signal_start(&x->sigterm, on_signal, SIGTERM);
	gg_node_kad_join(&x->node, cfg, 30000, on_joined, NULL);
	gg_run(&x->node.loop, &x->op, 0);
	close_signal(&x->sigint);
	close_signal(&x->sigterm);
	gg_cli_daemon_stop(&x->dm);
	return GG_EXIT_OK;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_config *cfg = NULL;
	struct gg_node_opts o;
	struct start_ctx *x = NULL;
	char home[4096];
	int rc;

	rc = gg_cli_config(cli, &cfg);
	if (rc == GG_EXIT_OK)
		rc = gg_cli_config_flags(cli, a, cfg);
	if (rc != GG_EXIT_OK)
		goto out;
	if (gg_home_ensure(home, sizeof(home))) {
		rc = gg_cli_fail(cli, "cannot create the ggen home directory");
		goto out;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		rc = gg_cli_fail(cli, "out of memory");
		goto out;
	}
	if (gg_cli_daemon_begin(cli, a, home, sizeof(home), &x->dm, &rc))
		goto out;
	gg_node_opts_from_config(&o, cfg, home);
	rc = gg_node_init(&x->node, &o);
	if (rc == 0 && (rc = gg_node_kad_start(&x->node, cfg, home, 0)))
		gg_node_release(&x->node);
	if (rc == 0 && (rc = gg_node_gossip_start(&x->node, cfg)))
		gg_node_release(&x->node);
	if (rc) {
		rc = gg_cli_fail(cli, "cannot start the node: %s",
				 gg_strerror(rc));
		goto out;
	}
	rc = serve(cli, x, cfg, gg_args_flag(a, "json"));
	gg_node_release(&x->node);
out:
	if (x)
		gg_cli_daemon_end(cli, &x->dm);
	free(x);
	gg_config_free(cfg);
	return rc;
}

const struct gg_cmd gg_cmd_p2p_start = {
	.name = "start",
	.summary = "Run a peer-to-peer node (foreground, or --daemon)",
	.help = "Listens on the configured addresses (or --listen), prints "
		"the peer ID and one\n`listening:` line per address, dials "
		"the bootstrap peers and serves until\nSIGINT, SIGTERM or "
		"`p2p stop`.  With --daemon it detaches (log in\n"
		"$GGEN_HOME/logs/ggen.log).  One node runs per GGEN_HOME.",
	.opts = opts,
	.min_args = 0,
	.max_args = 0,
	.exec = run,
};
