/*
 * cmd_p2p_status.c - `ggen marketplace p2p status`: what the running node
 * of this $GGEN_HOME says about itself (control command "status").
 *
 * Text: one "key: value" line per field (peer-id, pid, version, uptime,
 * listening, connected peers, peer), then one line per field a subsystem
 * added (e.g. "dht: {...}") as compact JSON, so new providers show up
 * without a change here.  --json: the answer as one object.  No node:
 * exit 1 with the hint to start one (DESIGN §7).
 */
#include "cli/cli.h"
#include "cli/cli_daemon.h"
#include "cli/cmds.h"
#include "util/error.h"

#define STATUS_TIMEOUT_MS 10000

static const struct gg_opt opts[] = {
	GG_OPT_JSON,
	GG_OPT_END
};

/* Fields printed by name; everything else is an extension. */
static const char *const known[] = {
	"v", "ok", "peer_id", "pid", "version", "uptime_s", "listen_addrs",
	"connected_peers", "peers", NULL
};

static int is_known(const char *key)
{
	int i;

	for (i = 0; known[i]; i++)
		if (!strcmp(known[i], key))
			return 1;
	return 0;
}

static const char *str_of(const json_t *r, const char *key)
{
	const char *s = json_string_value(json_object_get(r, key));

	return s ? s : "?";
}

static void print_uptime(FILE *f, json_int_t s)
{
	if (s >= 3600)
		fprintf(f, "uptime: %lldh%02lldm%02llds\n", (long long)s / 3600,
			(long long)(s / 60) % 60, (long long)s % 60);
	else if (s >= 60)
		fprintf(f, "uptime: %lldm%02llds\n", (long long)s / 60,
			(long long)s % 60);
	else
		fprintf(f, "uptime: %llds\n", (long long)s);
}

static void print_strings(FILE *f, const char *label, const json_t *arr)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			fprintf(f, "%s: %s\n", label, json_string_value(v));
}

static void print_text(FILE *f, const json_t *r)
{
	const char *key;
	json_t *v;
	char *s;

	fprintf(f, "peer-id: %s\n", str_of(r, "peer_id"));
	fprintf(f, "pid: %lld\n",
		(long long)json_integer_value(json_object_get(r, "pid")));
	fprintf(f, "version: %s\n", str_of(r, "version"));
	print_uptime(f, json_integer_value(json_object_get(r, "uptime_s")));
	print_strings(f, "listening", json_object_get(r, "listen_addrs"));
	fprintf(f, "connected peers: %lld\n", (long long)json_integer_value(
		json_object_get(r, "connected_peers")));
	print_strings(f, "peer", json_object_get(r, "peers"));
	json_object_foreach((json_t *)r, key, v) {
		if (is_known(key))
			continue;
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		fprintf(f, "%s: %s\n", key, s ? s : "?");
		free(s);
	}
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	json_t *req = json_pack("{s:s}", "cmd", "status"), *reply = NULL;
	int rc;

	if (!req)
		return gg_cli_fail(cli, "out of memory");
	rc = gg_cli_daemon_call(cli, req, STATUS_TIMEOUT_MS, 0, &reply);
	if (rc == GG_EXIT_OK) {
		if (gg_args_flag(a, "json"))
			rc = gg_cli_daemon_print_json(cli, reply);
		else
			print_text(cli->out, reply);
	}
	json_decref(reply);
	json_decref(req);
	return rc;
}

const struct gg_cmd gg_cmd_p2p_status = {
	.name = "status",
	.summary = "Show the running node: peer ID, addresses, peers",
	.help = "Asks the node running for this GGEN_HOME (started with "
		"`p2p start`, in the\nforeground or with --daemon) over "
		"$GGEN_HOME/p2p.sock.  Exit 1 when none runs.",
	.opts = opts,
	.min_args = 0,
	.max_args = 0,
	.exec = run,
};
