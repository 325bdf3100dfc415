/*
 * kad_cli.c - what the DHT diagnostic verbs share (see kad_cli.h): the
 * question to a running node, the short-lived node when none runs, and
 * the printing of peers that both paths use.
 */
#include "cli/cli_config.h"
#include "cli/cli_daemon.h"
#include "cli/kad_cli.h"
#include "node/node_kad.h"
#include "util/error.h"

static int start_node(struct gg_cli *cli, struct gg_kad_cli *x)
{
	struct gg_node_opts o;
	struct gg_privkey *key = NULL;
	int rc;

	/* a throw-away identity: see kad_cli.h */
	rc = gg_privkey_generate(&key);
	if (rc)
		return gg_cli_fail(cli, "cannot create a key: %s",
				   gg_strerror(rc));
	gg_node_opts_from_config(&o, x->cfg, NULL);
	o.key = key;
	rc = gg_node_init(&x->node, &o);
	if (rc)
		return gg_cli_fail(cli, "cannot start the node: %s",
				   gg_strerror(rc));
	x->node_live = 1;
	rc = gg_node_kad_start(&x->node, x->cfg, NULL, 1);
	if (rc)
		return gg_cli_fail(cli, "cannot start the DHT: %s",
				   gg_strerror(rc));
	return GG_EXIT_OK;
}

static int join(struct gg_cli *cli, struct gg_kad_cli *x)
{
	const char *const *items;
	int rc;

	if (gg_config_list(x->cfg, "network.bootstrap_nodes", &items) == 0)
		return gg_cli_fail(cli, "no bootstrap peers: give --bootstrap "
				   "MULTIADDR or set network.bootstrap_nodes");
	rc = gg_node_kad_join_wait(&x->node, x->cfg, x->timeout_ms,
				   &x->table);
	if (rc)
		return gg_cli_fail(cli, "cannot join the DHT: %s",
				   gg_strerror(rc));
	return GG_EXIT_OK;
}

/* A verb with --listen listens (its addresses go into provider records). */
static int maybe_listen(struct gg_cli *cli, struct gg_kad_cli *x,
			const struct gg_args *a)
{
	const char *const *addrs;
	const char *one;
	char err[512];
	int n;

	if (!gg_args_list(a, "listen", &one, 1))
		return GG_EXIT_OK;
	n = gg_config_list(x->cfg, "network.listen_addresses", &addrs);
	if (gg_node_listen(&x->node, addrs, n, err, sizeof(err)))
		return gg_cli_fail(cli, "%s", err);
	return GG_EXIT_OK;
}

int gg_kad_cli_prepare(struct gg_cli *cli, const struct gg_args *a,
		       struct gg_kad_cli **out)
{
	struct gg_kad_cli *x;
	uint64_t secs, def;
	int rc;

	*out = NULL;
	if (!(x = calloc(1, sizeof(*x))))
		return gg_cli_fail(cli, "out of memory");
	rc = gg_cli_config(cli, &x->cfg);
	if (rc == GG_EXIT_OK)
		rc = gg_cli_config_flags(cli, a, x->cfg);
	if (rc == GG_EXIT_OK) {
		def = (uint64_t)gg_config_int(x->cfg,
					      "performance.dht_query_timeout");
		rc = gg_args_uint(cli, a, "timeout", 1, 3600, def, &secs);
	}
	if (rc != GG_EXIT_OK) {
		gg_kad_cli_close(x);
		return rc;
	}
	x->timeout_ms = secs * 1000;
	*out = x;
	return GG_EXIT_OK;
}

int gg_kad_cli_start(struct gg_cli *cli, const struct gg_args *a,
		     struct gg_kad_cli *x, int do_join)
{
	int rc = start_node(cli, x);

	if (rc == GG_EXIT_OK)
		rc = maybe_listen(cli, x, a);
	if (rc == GG_EXIT_OK && do_join)
		rc = join(cli, x);
	return rc;
}

int gg_kad_cli_open(struct gg_cli *cli, const struct gg_args *a, int do_join,
		    struct gg_kad_cli **out)
{
	int rc = gg_kad_cli_prepare(cli, a, out);

	if (rc == GG_EXIT_OK)
		rc = gg_kad_cli_start(cli, a, *out, do_join);
	if (rc != GG_EXIT_OK) {
		gg_kad_cli_close(*out);
		*out = NULL;
	}
	return rc;
}

void gg_kad_cli_close(struct gg_kad_cli *x)
{
	if (!x)
		return;
	if (x->node_live)
		gg_node_release(&x->node);
	gg_config_free(x->cfg);
	free(x);
}

/* The --bootstrap addresses as given, into req under name. */
static int add_bootstrap(struct gg_cli *cli, const struct gg_args *a,
			 json_t *req, const char *name)
{
	const char *items[GG_KAD_CLI_ADDRS_MAX + 1];
	json_t *arr;
	int i, n;

	n = gg_args_list(a, "bootstrap", items, GG_KAD_CLI_ADDRS_MAX + 1);
	if (!n)
		return GG_EXIT_OK;
	if (n > GG_KAD_CLI_ADDRS_MAX)
		return gg_cli_usage(cli, "at most %d --bootstrap addresses",
				    GG_KAD_CLI_ADDRS_MAX);
	if (!(arr = json_array()))
		return gg_cli_fail(cli, "out of memory");
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(items[i]));
	json_object_set_new(req, name, arr);
	return GG_EXIT_OK;
}

int gg_kad_cli_ask(struct gg_cli *cli, const struct gg_args *a,
		   const struct gg_kad_cli *x, json_t *req, const char *list,
		   json_t **reply)
{
	int rc = GG_EXIT_OK;

	*reply = NULL;
	if (!req)
		return gg_cli_fail(cli, "out of memory");
	json_object_set_new(req, "timeout_ms",
			    json_integer((json_int_t)x->timeout_ms));
	if (list)
		rc = add_bootstrap(cli, a, req, list);
	/* the node answers at its deadline; the margin covers the rest */
	if (rc == GG_EXIT_OK)
		rc = gg_cli_daemon_call(cli, req, x->timeout_ms + 5000,
					GG_CLI_DAEMON_LOCAL, reply);
	json_decref(req);
	return rc;
}

void gg_kad_wait_done(void *arg, const struct kad_result *r)
{
	struct gg_kad_wait *w = arg;

	w->op.status = r->status;
	w->stored = r->stored;
	w->stats = r->stats;
	if (r->npeers && (w->peers = calloc(r->npeers, sizeof(*w->peers)))) {
		memcpy(w->peers, r->peers, r->npeers * sizeof(*w->peers));
		w->npeers = r->npeers;
	}
	if (r->value_len && (w->value = malloc(r->value_len))) {
		memcpy(w->value, r->value, r->value_len);
		w->vlen = r->value_len;
	}
	w->op.done = 1;
}

int gg_kad_cli_wait(struct gg_kad_cli *x, struct gg_kad_wait *w,
		    uint64_t qid)
{
	int rc;

	gg_node_kad_kick(&x->node);
	rc = gg_run(&x->node.loop, &w->op, x->timeout_ms + 1000);
	if (rc == GG_ETIMEOUT)
		kad_cancel(gg_node_kad(&x->node), qid);
	return rc;
}

void gg_kad_wait_release(struct gg_kad_wait *w)
{
	free(w->peers);
	free(w->value);
	memset(w, 0, sizeof(*w));
}

/* An answer's peer: {"peer_id":ID,"addrs":TEXT}. */
static int peer_ok(const json_t *p)
{
	return json_is_string(json_object_get(p, "peer_id")) &&
	       json_is_string(json_object_get(p, "addrs"));
}

int gg_kad_cli_print_peers(struct gg_cli *cli, const json_t *peers,
			   json_t *json)
{
	const char *id, *addrs;
	const json_t *p;
	size_t i;

	if (!json_is_array(peers))
		return gg_cli_fail(cli, "the node sent a malformed answer");
	json_array_foreach(peers, i, p)
		if (!peer_ok(p))
			return gg_cli_fail(cli, "the node sent a malformed "
					   "answer");
	json_array_foreach(peers, i, p) {
		id = json_string_value(json_object_get(p, "peer_id"));
		addrs = json_string_value(json_object_get(p, "addrs"));
		if (json)
			json_array_append_new(json, json_pack(
				"{s:s,s:s}", "peer_id", id, "addrs", addrs));
		else
			fprintf(cli->out, "%s %s\n", id, addrs);
	}
	return GG_EXIT_OK;
}

void gg_kad_cli_print_json(struct gg_cli *cli, const json_t *doc)
{
	json_dumpf(doc, cli->out, JSON_COMPACT);
	fputc('\n', cli->out);
}
