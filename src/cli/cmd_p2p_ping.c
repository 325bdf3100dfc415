/*
 * cmd_p2p_ping.c - `ggen marketplace p2p ping MULTIADDR`: dial a peer,
 * prove its identity and measure round trips with /ipfs/ping/1.0.0, as
 * `ipfs ping` does.
 *
 * A short-lived node with our own identity does the work.  With a /p2p/ID
 * in the address the remote must hold that key; a different one fails
 * with both IDs named.  Exit 0 only when every ping came back.
 */
#include <math.h>

#include "cli/cli.h"
#include "cli/cli_config.h"
#include "cli/cli_daemon.h"
#include "cli/cmds.h"
#include "node/node.h"
#include "p2p/ping.h"
#include "util/error.h"

static const struct gg_opt opts[] = {
	{ "count", 'c', GG_OPT_VALUE, "N", "Send N pings (default 3)" },
	{ "timeout", 't', GG_OPT_VALUE, "SECONDS",
	  "Give up on the dial or a ping after this long (default 10)" },
	{ "interval", 'i', GG_OPT_VALUE, "SECONDS",
	  "Wait this long between pings (default 1, fractions allowed)" },
	GG_OPT_END
};

struct pong_op {
	struct gg_op op;
	uint64_t rtt_ns;
};

static void on_pong(void *arg, int err, uint64_t rtt_ns)
{
	struct pong_op *p = arg;

	p->rtt_ns = rtt_ns;
	p->op.status = err;
	p->op.done = 1;
}

static int dial_fail(struct gg_cli *cli, const struct gg_multiaddr *ma,
		     const char *text, int err, const struct gg_peerid *remote)
{
	struct gg_multiaddr bare = *ma;
	struct gg_peerid want;
	char w[GG_PEERID_STR_MAX], r[GG_PEERID_STR_MAX];
	int had = 0;

	if (err == GG_EPEERID &&
	    gg_multiaddr_strip_p2p(&bare, &want, &had) == 0 && had) {
		gg_peerid_to_str(&want, w, sizeof(w));
		gg_peerid_to_str(remote, r, sizeof(r));
		return gg_cli_fail(cli, "peer ID mismatch: dialed %s, "
				   "remote is %s", w, r);
	}
	return gg_cli_fail(cli, "cannot connect to %s: %s", text,
			   gg_strerror(err));
}

/* Send count pings on c; prints each and the summary. */
static int ping_loop(struct gg_cli *cli, struct gg_node *n,
		     struct gg_conn *c, uint64_t count, uint64_t timeout_ms,
		     uint64_t interval_ms)
{
	struct pong_op p;
	struct gg_ping *pg = NULL;
	struct gg_op pause;
	uint64_t i, got = 0;
	double sum = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	rc = gg_ping_new(c, on_pong, &p, &pg);
	for (i = 0; rc == 0 && i < count; i++) {
		if (i && interval_ms) {
			memset(&pause, 0, sizeof(pause));
			gg_run(&n->loop, &pause, interval_ms);
		}
		memset(&p.op, 0, sizeof(p.op));
		rc = gg_ping_send(pg);
		if (rc == 0)
			rc = gg_run(&n->loop, &p.op, timeout_ms);
		if (rc)
			break;
		got++;
		sum += (double)p.rtt_ns / 1e6;
		fprintf(cli->out, "Pong received: time=%.2f ms\n",
			(double)p.rtt_ns / 1e6);
		fflush(cli->out);
	}
	gg_ping_free(pg);
	fprintf(cli->out, "%llu pings sent, %llu pongs received",
		(unsigned long long)(rc ? got + 1 : got),
		(unsigned long long)got);
	if (got)
		fprintf(cli->out, ", average latency %.2f ms", sum / (double)got);
	fputc('\n', cli->out);
	if (rc)
		return gg_cli_fail(cli, "ping failed: %s", gg_strerror(rc));
	return GG_EXIT_OK;
}

static int parse_interval(struct gg_cli *cli, const struct gg_args *a,
			  uint64_t *ms)
{
	const char *v = gg_args_value(a, "interval");
	char *end;
	double d;

	*ms = 1000;
	if (!v)
		return GG_EXIT_OK;
	d = strtod(v, &end);
	if (end == v || *end || !isfinite(d) || d < 0 || d > 3600)
		return gg_cli_usage(cli, "--interval must be a number of "
				    "seconds from 0 to 3600, not \"%s\"", v);
	*ms = (uint64_t)(d * 1000.0);
	return GG_EXIT_OK;
}

static int ping_peer(struct gg_cli *cli, struct gg_node *n,
		     const struct gg_multiaddr *ma, const char *text,
		     uint64_t count, uint64_t timeout_ms, uint64_t ival)
{
	struct gg_conn *c = NULL;
	struct gg_peerid remote;
	char id[GG_PEERID_STR_MAX];
	int rc;

	memset(&remote, 0, sizeof(remote));
	rc = gg_node_dial(n, ma, timeout_ms, &c, &remote);
	if (rc)
		return dial_fail(cli, ma, text, rc, &remote);
	gg_peerid_to_str(gg_conn_remote(c), id, sizeof(id));
	fprintf(cli->out, "PING %s\n", id);
	return ping_loop(cli, n, c, count, timeout_ms, ival);
}

/* The daemon's answer, printed as ping_loop prints (after the fact). */
static void print_daemon_pongs(struct gg_cli *cli, const json_t *r, int rc)
{
	const json_t *rtts = json_object_get(r, "rtts_ms"), *v;
	const char *peer = json_string_value(json_object_get(r, "peer"));
	size_t i, got = json_array_size(rtts);
	double sum = 0;

	if (!peer || !*peer)
		return; /* it never got to the peer */
	fprintf(cli->out, "PING %s\n", peer);
	json_array_foreach(rtts, i, v) {
		sum += json_number_value(v);
		fprintf(cli->out, "Pong received: time=%.2f ms\n",
			json_number_value(v));
	}
	fprintf(cli->out, "%zu pings sent, %zu pongs received",
		rc ? got + 1 : got, got);
	if (got)
		fprintf(cli->out, ", average latency %.2f ms",
			sum / (double)got);
	fputc('\n', cli->out);
}

/* With a node running for this GGEN_HOME, it pings and keeps the
 * connection; else GG_CLI_RUN_LOCAL. */
static int ping_via_daemon(struct gg_cli *cli, const char *addr,
			   uint64_t count, uint64_t timeout_ms, uint64_t ival)
{
	json_t *req, *reply = NULL;
	int rc;

	req = json_pack("{s:s, s:s, s:I, s:I, s:I}", "cmd", "ping",
			"addr", addr, "count", (json_int_t)count,
			"timeout_ms", (json_int_t)timeout_ms,
			"interval_ms", (json_int_t)ival);
	if (!req)
		return gg_cli_fail(cli, "out of memory");
	rc = gg_cli_daemon_call(cli, req, timeout_ms * (count + 1) +
				ival * count + 5000, GG_CLI_DAEMON_LOCAL,
				&reply);
	if (reply)
		print_daemon_pongs(cli, reply, rc);
	json_decref(reply);
	json_decref(req);
	return rc;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_config *cfg = NULL;
	struct gg_multiaddr ma;
	struct gg_node_opts o;
	struct gg_node *n = NULL;
	uint64_t count, secs, ival;
	char home[4096];
	int rc;

	rc = gg_args_uint(cli, a, "count", 1, 100000, 3, &count);
	if (rc == 0)
		rc = gg_args_uint(cli, a, "timeout", 1, 3600, 10, &secs);
	if (rc == 0)
		rc = parse_interval(cli, a, &ival);
	if (rc)
		return rc;
	if (gg_multiaddr_parse(a->argv[0], &ma))
		return gg_cli_usage(cli, "not a multiaddr: %s", a->argv[0]);
	rc = ping_via_daemon(cli, a->argv[0], count, secs * 1000, ival);
	if (rc != GG_CLI_RUN_LOCAL)
		return rc;
	rc = gg_cli_config(cli, &cfg);
	if (rc != GG_EXIT_OK)
		return rc;
	n = calloc(1, sizeof(*n));
	if (!n || gg_home_ensure(home, sizeof(home))) {
		rc = gg_cli_fail(cli, "cannot set up the node");
		goto out;
	}
	gg_node_opts_from_config(&o, cfg, home);
	rc = gg_node_init(n, &o);
	if (rc) {
		rc = gg_cli_fail(cli, "cannot start the node: %s",
				 gg_strerror(rc));
		goto out;
	}
	rc = ping_peer(cli, n, &ma, a->argv[0], count, secs * 1000, ival);
	gg_node_release(n);
out:
	free(n);
	gg_config_free(cfg);
	return rc;
}

const struct gg_cmd gg_cmd_p2p_ping = {
	.name = "ping",
	.summary = "Measure round trips to a peer",
	.usage = "MULTIADDR",
	.help = "Dials MULTIADDR (with /p2p/ID the remote must prove that "
		"identity) and sends\n/ipfs/ping/1.0.0 pings, printing each "
		"round-trip time.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
	.exec = run,
};
