/*
 * control_cmds.c - the built-in control commands: status, stop, peers,
 * peer, help (ping is in control_ping.c, the DHT's in control_kad.c).
 *
 * The table at the end is the whole list; a command of another module
 * goes in with one line there (a handler in its own file, declared in
 * its own header) or, when it needs state of its own, with one
 * gg_node_add_command call where that state is created.
 */
#include <unistd.h>

#include "node/control_impl.h"
#include "node/node.h"
#include "util/error.h"
#include "version.h"

#define CMDS_MAX_ADDRS 64
#define CMDS_MAX_CONNS 1024

static json_t *id_json(const struct gg_peerid *id)
{
	char s[GG_PEERID_STR_MAX];

	if (gg_peerid_to_str(id, s, sizeof(s)))
		return json_string("?");
	return json_string(s);
}

static json_t *addr_json(const struct gg_multiaddr *ma)
{
	char s[GG_MULTIADDR_STR_MAX];

	if (gg_multiaddr_to_str(ma, s, sizeof(s)))
		return json_string("?");
	return json_string(s);
}

static json_t *listen_addrs_json(struct gg_node *n)
{
	struct gg_multiaddr addrs[CMDS_MAX_ADDRS];
	json_t *arr = json_array();
	int i, k = gg_node_addrs(n, addrs, CMDS_MAX_ADDRS);

	for (i = 0; arr && i < k; i++)
		json_array_append_new(arr, addr_json(&addrs[i]));
	return arr;
}

/* The ready connections, one per peer (the first one found). */
static int unique_conns(struct gg_node *n, struct gg_conn **out, int max)
{
	int i, j, k = gg_host_conns(n->host, out, max), u = 0;

	for (i = 0; i < k; i++) {
		for (j = 0; j < u; j++)
			if (gg_peerid_eq(gg_conn_remote(out[i]),
					 gg_conn_remote(out[j])))
				break;
		if (j == u)
			out[u++] = out[i];
	}
	return u;
}

static int cmd_status(struct gg_ctl_call *call, const json_t *req,
		      void *arg)
{
	struct gg_node *n = gg_ctl_call_node(call);
	struct gg_conn **conns = calloc(CMDS_MAX_CONNS, sizeof(*conns));
	json_t *out, *peers;
	int i, k;

	if (!conns)
		return GG_ENOMEM;
	k = unique_conns(n, conns, CMDS_MAX_CONNS);
	peers = json_array();
	for (i = 0; peers && i < k; i++)
		json_array_append_new(peers, id_json(gg_conn_remote(conns[i])));
	free(conns);
	out = json_pack("{s:o, s:o, s:I, s:s, s:I, s:i, s:o}",
			"peer_id", id_json(&n->id),
			"listen_addrs", listen_addrs_json(n),
			"pid", (json_int_t)getpid(),
			"version", GG_VERSION,
			"uptime_s", (json_int_t)gg_ctl_call_uptime(call),
			"connected_peers", k,
			"peers", peers);
	if (!out)
		return GG_ENOMEM;
	gg_node_status_extend(n, out);
	gg_ctl_reply(call, out);
	return 0;
}

static int cmd_stop(struct gg_ctl_call *call, const json_t *req, void *arg)
{
	gg_ctl_call_stop_after(call);
	gg_ctl_reply(call, json_pack("{s:I}", "pid", (json_int_t)getpid()));
	return 0;
}

static json_t *strings_json(char *const *s, int n)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_string(s[i]));
	return arr;
}

/* What we know of a peer: its connection (c, may be NULL) and what
 * identify told the peer store. */
static json_t *peer_json(struct gg_node *n, const struct gg_peerid *id,
			 struct gg_conn *c)
{
	const struct gg_peer_info *pi = gg_peerstore_get(n->peers, id);
	json_t *o = json_object(), *addrs = json_array();
	int i;

	json_object_set_new(o, "id", id_json(id));
	json_object_set_new(o, "connected", json_boolean(c != NULL));
	if (c) {
		json_object_set_new(o, "direction", json_string(
			gg_conn_inbound(c) ? "inbound" : "outbound"));
		json_object_set_new(o, "conn_addr",
				    addr_json(gg_conn_remote_addr(c)));
	}
	for (i = 0; pi && addrs && i < pi->naddrs; i++)
		json_array_append_new(addrs, addr_json(&pi->addrs[i]));
	json_object_set_new(o, "addrs", addrs);
	json_object_set_new(o, "agent", json_string(pi ? pi->agent : ""));
	json_object_set_new(o, "protocol_version",
			    json_string(pi ? pi->proto_version : ""));
	json_object_set_new(o, "protocols", pi ?
			    strings_json(pi->protos, pi->nprotos) :
			    json_array());
	return o;
}

static int cmd_peers(struct gg_ctl_call *call, const json_t *req,
		     void *arg)
{
	struct gg_node *n = gg_ctl_call_node(call);
	struct gg_conn **conns = calloc(CMDS_MAX_CONNS, sizeof(*conns));
	json_t *arr = json_array();
	int i, k;

	if (!conns || !arr) {
		free(conns);
		json_decref(arr);
		return GG_ENOMEM;
	}
	k = unique_conns(n, conns, CMDS_MAX_CONNS);
	for (i = 0; i < k; i++)
		json_array_append_new(arr, peer_json(n, gg_conn_remote(conns[i]),
						     conns[i]));
	free(conns);
	gg_ctl_reply(call, json_pack("{s:o}", "peers", arr));
	return 0;
}

static int cmd_peer(struct gg_ctl_call *call, const json_t *req, void *arg)
{
	struct gg_node *n = gg_ctl_call_node(call);
	const char *text = json_string_value(json_object_get(req, "id"));
	struct gg_peerid id;
	struct gg_conn *c;

	if (!text) {
		gg_ctl_fail(call, GG_EINVAL, "peer: \"id\" (a peer ID) is "
			    "required");
		return 0;
	}
	if (gg_peerid_parse(text, &id)) {
		gg_ctl_fail(call, GG_EINVAL, "not a peer ID: %.200s", text);
		return 0;
	}
	c = gg_host_conn_to(n->host, &id);
	if (!c && !gg_peerstore_get(n->peers, &id)) {
		gg_ctl_fail(call, GG_ENOTFOUND, "unknown peer %.200s", text);
		return 0;
	}
	gg_ctl_reply(call, json_pack("{s:o}", "peer", peer_json(n, &id, c)));
	return 0;
}

static int cmd_help(struct gg_ctl_call *call, const json_t *req, void *arg)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; arr && gg_ctl_builtin[i].name; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s}",
			"name", gg_ctl_builtin[i].name,
			"summary", gg_ctl_builtin[i].summary));
	gg_ctl_reply(call, json_pack("{s:o}", "commands", arr));
	return 0;
}

const struct gg_ctl_cmd gg_ctl_builtin[] = {
	{ "status", cmd_status, "peer ID, addresses, uptime, peers, "
	  "subsystems" },
	{ "stop", cmd_stop, "shut the node down" },
	{ "peers", cmd_peers, "connected peers with what identify said" },
	{ "peer", cmd_peer, "one peer: {\"id\":PEER_ID}" },
	{ "ping", gg_ctl_ping, "{\"addr\":MULTIADDR, \"count\":N, "
	  "\"timeout_ms\":N, \"interval_ms\":N}: round-trip times" },
	{ "dht.find_peer", gg_ctl_dht_find_peer,
	  "{\"peer\":ID, \"timeout_ms\":N}: its addresses" },
	{ "dht.providers", gg_ctl_dht_providers,
	  "{\"key\":PKG_ID, \"timeout_ms\":N}: who provides it" },
	{ "dht.get", gg_ctl_dht_get,
	  "{\"key\":\"/ggen/pkg/NAME\", \"timeout_ms\":N}: the record" },
	{ "bootstrap", gg_ctl_bootstrap,
	  "{\"addrs\":[MULTIADDR], \"timeout_ms\":N}: join; the table" },
	{ "help", cmd_help, "this list" },
	{ NULL, NULL, NULL }
};
