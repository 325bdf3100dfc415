/*
 * cmd_p2p_peers.c - `ggen marketplace p2p peer-list` and `peer-info
 * PEER_ID`: the running node's peers (control commands "peers" and
 * "peer"), with the addresses, agent and protocols identify reported.
 *
 * peer-list prints one line per connected peer: ID, the address of the
 * connection, the direction and the agent.  peer-info prints
 * "key: value" lines, one "addr:" and one "protocol:" line per item, so
 * scripts can grep them.  --json prints the node's objects.
 */
#include "cli/cli.h"
#include "cli/cli_daemon.h"
#include "cli/cmds.h"
#include "crypto/peerid.h"
#include "util/error.h"

#define PEERS_TIMEOUT_MS 10000

static const struct gg_opt opts[] = {
	GG_OPT_JSON,
	GG_OPT_END
};

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : "-";
}

static void print_json(struct gg_cli *cli, const json_t *v)
{
	json_dumpf(v, cli->out, JSON_COMPACT);
	fputc('\n', cli->out);
}

static int list_run(struct gg_cli *cli, const struct gg_args *a)
{
	json_t *req = json_pack("{s:s}", "cmd", "peers"), *reply = NULL;
	const json_t *peers, *p;
	size_t i;
	int rc;

	if (!req)
		return gg_cli_fail(cli, "out of memory");
	rc = gg_cli_daemon_call(cli, req, PEERS_TIMEOUT_MS, 0, &reply);
	json_decref(req);
	if (rc != GG_EXIT_OK)
		goto out;
	peers = json_object_get(reply, "peers");
	if (gg_args_flag(a, "json")) {
		print_json(cli, json_is_array(peers) ? peers : json_array());
		goto out;
	}
	json_array_foreach(peers, i, p)
		fprintf(cli->out, "%s %s %s %s\n", str_of(p, "id"),
			str_of(p, "conn_addr"), str_of(p, "direction"),
			str_of(p, "agent"));
	if (json_array_size(peers) == 0 && !cli->quiet)
		fprintf(cli->err, "ggen: no connected peers\n");
out:
	json_decref(reply);
	return rc;
}

static void print_info(FILE *f, const json_t *p)
{
	const json_t *v;
	size_t i;

	fprintf(f, "peer-id: %s\n", str_of(p, "id"));
	if (json_is_true(json_object_get(p, "connected")))
		fprintf(f, "connected: yes (%s, %s)\n", str_of(p, "direction"),
			str_of(p, "conn_addr"));
	else
		fprintf(f, "connected: no\n");
	fprintf(f, "agent: %s\n", str_of(p, "agent"));
	fprintf(f, "protocol-version: %s\n", str_of(p, "protocol_version"));
	json_array_foreach(json_object_get(p, "addrs"), i, v)
		fprintf(f, "addr: %s\n", json_string_value(v) ?
			json_string_value(v) : "?");
	json_array_foreach(json_object_get(p, "protocols"), i, v)
		fprintf(f, "protocol: %s\n", json_string_value(v) ?
			json_string_value(v) : "?");
}

static int info_run(struct gg_cli *cli, const struct gg_args *a)
{
	json_t *req, *reply = NULL;
	const json_t *p;
	struct gg_peerid id;
	int rc;

	if (gg_peerid_parse(a->argv[0], &id))
		return gg_cli_usage(cli, "not a peer ID: %s", a->argv[0]);
	req = json_pack("{s:s, s:s}", "cmd", "peer", "id", a->argv[0]);
	if (!req)
		return gg_cli_fail(cli, "out of memory");
	rc = gg_cli_daemon_call(cli, req, PEERS_TIMEOUT_MS, 0, &reply);
	json_decref(req);
	p = json_object_get(reply, "peer");
	if (rc == GG_EXIT_OK && !json_is_object(p))
		rc = gg_cli_fail(cli, "the node sent no peer");
	if (rc == GG_EXIT_OK && gg_args_flag(a, "json"))
		print_json(cli, p);
	else if (rc == GG_EXIT_OK)
		print_info(cli->out, p);
	json_decref(reply);
	return rc;
}

const struct gg_cmd gg_cmd_p2p_peer_list = {
	.name = "peer-list",
	.summary = "List the running node's connected peers",
	.help = "One line per connected peer: peer ID, address of the "
		"connection, direction,\nagent.  Asks the node running for "
		"this GGEN_HOME; exit 1 when none runs.",
	.opts = opts,
	.min_args = 0,
	.max_args = 0,
	.exec = list_run,
};

const struct gg_cmd gg_cmd_p2p_peer_info = {
	.name = "peer-info",
	.summary = "Show what the running node knows about a peer",
	.usage = "PEER_ID",
	.help = "Addresses, agent, protocol version and protocols, as "
		"identify reported them.\nExit 1 when no node runs or it does "
		"not know the peer.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
	.exec = info_run,
};
