/*
 * node_kad.c - the node's Kademlia DHT (see node_kad.h): configuration
 * mapping, start on ggen.db (node_kad_db.c), the periodic routing-table
 * save, join and the two-step release that the host's callback rules
 * need (close before gg_host_free, free after the loop has drained).
 */
#include <sqlite3.h>

#include "config/config.h"
#include "node/control.h"
#include "node/node_kad.h"
#include "util/error.h"
#include "util/log.h"

#define KAD_JOIN_MAX 64

void gg_node_kad_config(const struct gg_config *cfg, struct kad_config *kc)
{
	kad_config_default(kc);
	kc->server_mode = gg_config_bool(cfg, "network.dht_server_mode");
	kc->query.alpha = (int)gg_config_int(cfg, "performance.dht_alpha");
	kc->query.timeout_ms = 1000 * (uint64_t)gg_config_int(
		cfg, "performance.dht_query_timeout");
	kc->req_rate = (double)gg_config_int(
		cfg, "security.requests_per_second_per_peer");
	kc->req_burst = 2 * kc->req_rate;
	kc->table.max_per_group_bucket = (int)gg_config_int(
		cfg, "network.dht_max_per_subnet_bucket");
	kc->table.max_per_group_table = (int)gg_config_int(
		cfg, "network.dht_max_per_subnet_table");
}

/* A failed save (the database locked by a CLI verb) was logged by
 * gg_kadhost_save; this timer is its retry. */
static void on_save(uv_timer_t *t)
{
	struct gg_node_kad *nk = t->data;

	gg_kadhost_save(nk->kh);
}

static void start_save_timer(struct gg_node *n, struct gg_node_kad *nk)
{
	uv_timer_init(&n->loop, &nk->save);
	nk->save.data = nk;
	nk->save_live = 1;
	uv_timer_start(&nk->save, on_save, GG_KAD_SAVE_MS, GG_KAD_SAVE_MS);
	uv_unref((uv_handle_t *)&nk->save); /* no reason to keep a loop up */
}

/* `p2p status` (through the control socket): "dht": {...}. */
static int kad_status(void *arg, json_t *out)
{
	struct gg_node_kad *nk = arg;
	struct gg_kadhost_stats st;

	gg_kadhost_stats(nk->kh, &st);
	json_object_set_new(out, "mode", json_string(
		gg_kadhost_server_mode(nk->kh) ? "server" : "client"));
	json_object_set_new(out, "protocol",
			    json_string(gg_kadhost_protocol(nk->kh)));
	json_object_set_new(out, "routing_table", json_integer(
		(json_int_t)gg_kadhost_table_size(nk->kh)));
	json_object_set_new(out, "requests_in", json_integer(
		(json_int_t)st.req_in));
	json_object_set_new(out, "requests_out", json_integer(
		(json_int_t)st.req_out));
	return 0;
}

int gg_node_kad_start(struct gg_node *n, const struct gg_config *cfg,
		      const char *home, int client)
{
	struct gg_kadhost_cfg kc;
	struct gg_node_kad *nk;
	int rc;

	if (n->kad)
		return GG_EEXISTS;
	if (!(nk = calloc(1, sizeof(*nk))))
		return GG_ENOMEM;
	rc = gg_node_kad_db_open(home, &nk->db);
	if (rc < 0)
		goto fail;
	gg_kadhost_cfg_default(&kc, n->host, n->peers);
	gg_node_kad_config(cfg, &kc.kad);
	if (client)
		kc.kad.server_mode = 0;
	kc.protocol = gg_config_str(cfg, "network.dht_protocol");
	kc.db = nk->db;
	kc.persist = home != NULL;
	rc = gg_kadhost_new(&kc, &nk->kh);
	if (rc < 0)
		goto fail;
	n->kad = nk;
	if (home)
		start_save_timer(n, nk);
	if (gg_node_add_status(n, "dht", kad_status, nk) < 0)
		gg_debug("kad", "no status provider slot left");
	return 0;
fail:
	gg_warn("kad", "cannot start the DHT: %s%s%s", gg_strerror(rc),
		nk->db ? ": " : "", nk->db ? sqlite3_errmsg(nk->db) : "");
	sqlite3_close(nk->db);
	free(nk);
	return rc;
}

struct kad *gg_node_kad(struct gg_node *n)
{
	return n->kad ? gg_kadhost_kad(n->kad->kh) : NULL;
}

void gg_node_kad_kick(struct gg_node *n)
{
	if (n->kad)
		gg_kadhost_kick(n->kad->kh);
}

int gg_node_kad_join(struct gg_node *n, const struct gg_config *cfg,
		     uint64_t timeout_ms, gg_kadhost_join_cb cb, void *arg)
{
	struct gg_multiaddr *ma;
	const char *const *items;
	int i, k, got = 0, rc;

	if (!n->kad)
		return GG_EINVAL;
	k = gg_config_list(cfg, "network.bootstrap_nodes", &items);
	if (k > KAD_JOIN_MAX)
		k = KAD_JOIN_MAX;
	if (!(ma = calloc((size_t)k + 1, sizeof(*ma))))
		return GG_ENOMEM;
	for (i = 0; i < k; i++)
		if (gg_multiaddr_parse(items[i], &ma[got]) == 0)
			got++;
		else
			gg_warn("node", "bootstrap peer %s: not a multiaddr",
				items[i]);
	rc = gg_kadhost_join(n->kad->kh, ma, got, timeout_ms, cb, arg);
	free(ma);
	return rc;
}

struct join_wait {
	struct gg_op op;
	size_t table;
};

static void on_joined(void *arg, int status, size_t table)
{
	struct join_wait *w = arg;

	w->table = table;
	if (!w->op.done) {
		w->op.status = status;
		w->op.done = 1;
	}
}

int gg_node_kad_join_wait(struct gg_node *n, const struct gg_config *cfg,
			  uint64_t timeout_ms, size_t *table)
{
	struct join_wait *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return GG_ENOMEM;
	rc = gg_node_kad_join(n, cfg, timeout_ms, on_joined, w);
	if (rc == 0)
		rc = gg_run(&n->loop, &w->op, timeout_ms + 2000);
	if (table)
		*table = n->kad ? gg_kadhost_table_size(n->kad->kh) : 0;
	if (rc == GG_ETIMEOUT)
		gg_node_kad_close(n); /* cancels the join: on_joined runs */
	free(w);
	return rc;
}

void gg_node_kad_close(struct gg_node *n)
{
	struct gg_node_kad *nk = n->kad;

	if (!nk)
		return;
	if (nk->save_live) {
		nk->save_live = 0;
		uv_close((uv_handle_t *)&nk->save, NULL);
	}
	if (nk->db)
		sqlite3_busy_timeout(nk->db, GG_KAD_DB_CLOSE_BUSY_MS);
	gg_kadhost_close(nk->kh); /* saves the table */
}

void gg_node_kad_free(struct gg_node *n)
{
	if (!n->kad)
		return;
	gg_kadhost_free(n->kad->kh);
	sqlite3_close(n->kad->db);
	free(n->kad);
	n->kad = NULL;
}

/* ---- what the DHT verbs show ---- */

/* "ADDR ADDR ..." of p into out. */
static void peer_addrs(const struct kad_peer *p, char *out, size_t outsz)
{
	struct gg_multiaddr ma[KAD_MSG_ADDRS_MAX];
	char s[GG_MULTIADDR_STR_MAX];
	size_t i, n, used = 0;
	int k;

	out[0] = 0;
	n = kad_addrbuf_get(&p->addrs, ma, KAD_MSG_ADDRS_MAX);
	for (i = 0; i < n; i++) {
		if (gg_multiaddr_to_str(&ma[i], s, sizeof(s)) < 0)
			continue;
		k = snprintf(out + used, outsz - used, "%s%s", used ? " " : "",
			     s);
		if (k < 0 || (size_t)k >= outsz - used)
			break;
		used += (size_t)k;
	}
	out[used] = 0;
}

json_t *gg_node_kad_peer_json(const struct kad_peer *p)
{
	char id[GG_PEERID_STR_MAX], addrs[1024];

	if (gg_peerid_to_str(&p->id, id, sizeof(id)))
		id[0] = 0;
	peer_addrs(p, addrs, sizeof(addrs));
	return json_pack("{s:s,s:s}", "peer_id", id, "addrs", addrs);
}

struct list_ctx {
	json_t *arr;
	size_t n;
};

static int list_one(void *arg, const struct kad_entry *e)
{
	struct list_ctx *lc = arg;

	if (e->state != KAD_PEER_VERIFIED || lc->n >= GG_NODE_KAD_LIST_MAX)
		return 0;
	json_array_append_new(lc->arr, gg_node_kad_peer_json(&e->peer));
	lc->n++;
	return 0;
}

json_t *gg_node_kad_table_json(struct gg_node *n, size_t table)
{
	struct list_ctx lc = { json_array(), 0 };
	struct kad *k = gg_node_kad(n);

	if (k)
		kad_table_each(kad_routing_table(k), list_one, &lc);
	return json_pack("{s:I,s:o}", "table_size", (json_int_t)table,
			 "peers", lc.arr);
}
