/*
 * control_kad.c - the DHT diagnostics of the control socket: the running
 * node answers `p2p dht find-peer/providers/get` and `p2p bootstrap`
 * from its warm routing table (ADR-002), and learns from each lookup.
 *
 *   dht.find_peer {"peer":ID}         {"peer":{peer_id,addrs},"hops":N}
 *   dht.providers {"key":PKG_ID}      {"providers":[{peer_id,addrs}...]}
 *   dht.get {"key":"/ggen/pkg/NAME"}  {"key":K,"value":HEX}
 *   bootstrap {"addrs":[MULTIADDR]}   {"table_size":N,"peers":[...]}
 *
 * Every command takes "timeout_ms" (default 30000) and the dht.* ones an
 * optional "bootstrap":[MULTIADDR], joined before the lookup.  The answers
 * are the documents the verbs print with --json (addrs one string, space
 * separated), so a verb prints the same whichever node did the work.  A
 * lookup that finds nothing fails with the verb's words.
 *
 * One op per call runs from the loop: a timer (the deadline), maybe a
 * join (it cannot be cancelled: the op outlives the answer until its
 * callback; closing the DHT ends every join) and one query (kad_cancel
 * drops it and its callback never runs).  The call is
 * answered once; the op is freed when the timer is closed and no join is
 * pending.  Everything from the socket is checked again here.
 */
#include "market/manifest.h"
#include "market/pkgid.h"
#include "node/control_impl.h"
#include "node/node.h"
#include "node/node_kad.h"
#include "util/base.h"
#include "util/error.h"
#include "util/log.h"

#define KCTL_MAX_MS 3600000
#define KCTL_DEF_MS 30000
#define KCTL_MAX_ADDRS 64   /* as many as a join dials */
#define KCTL_HEX_CHUNK 2048 /* bytes per gg_hex_encode call */
#define KCTL_TEXT_MAX GG_PEERID_STR_MAX /* a peer ID, a CID, a key */

enum kctl_kind { KCTL_FIND_PEER, KCTL_PROVIDERS, KCTL_GET, KCTL_BOOTSTRAP };

struct kctl_op {
	struct gg_ctl_call *call;
	struct gg_node *node;
	enum kctl_kind kind;
	uv_timer_t timer;
	uint64_t timeout_ms;
	uint64_t qid;
	struct gg_peerid peer;          /* find_peer */
	uint8_t key[KAD_MSG_KEY_MAX];   /* providers: multihash; get: text */
	size_t klen;
	char text[KCTL_TEXT_MAX];       /* what the messages call it */
	struct gg_multiaddr *addrs;
	int naddrs;
	int joining, querying, finished, timer_open;
};

static void op_maybe_free(struct kctl_op *op)
{
	if (op->finished && !op->joining && !op->timer_open) {
		free(op->addrs);
		free(op);
	}
}

static void on_timer_closed(uv_handle_t *h)
{
	struct kctl_op *op = h->data;

	op->timer_open = 0;
	op_maybe_free(op);
}

/* Answer (result: ok; else err and msg) and let go of what can go. */
static void op_finish(struct kctl_op *op, json_t *result, int err,
		      const char *msg)
{
	if (op->finished) {
		json_decref(result);
		return;
	}
	op->finished = 1;
	if (op->querying)
		kad_cancel(gg_node_kad(op->node), op->qid);
	op->querying = 0;
	if (err)
		gg_ctl_fail(op->call, err, "%s", msg);
	else
		gg_ctl_reply(op->call, result);
	op->call = NULL;
	uv_timer_stop(&op->timer);
	uv_close((uv_handle_t *)&op->timer, on_timer_closed);
}

/* A lookup that ended without what was asked for, in the verb's words
 * (cmd_p2p_dht.c says the same when it does the lookup itself). */
static void op_not_found(struct kctl_op *op, int err)
{
	char msg[512];
	int show = err && (op->kind == KCTL_FIND_PEER || err != GG_ENOTFOUND);
	const char *why = show ? gg_strerror(err) : "";

	if (op->kind == KCTL_FIND_PEER)
		snprintf(msg, sizeof(msg), "peer %s not found%s%s", op->text,
			 show ? ": " : "", why);
	else if (op->kind == KCTL_PROVIDERS)
		snprintf(msg, sizeof(msg), "no providers found for %s%s%s",
			 op->text, show ? ": " : "", why);
	else
		snprintf(msg, sizeof(msg), "no record found for %s%s%s",
			 op->text, show ? ": " : "", why);
	op_finish(op, NULL, err ? err : GG_ENOTFOUND, msg);
}

static void op_join_failed(struct kctl_op *op, int err)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "cannot join the DHT: %s",
		 gg_strerror(err));
	op_finish(op, NULL, err, msg);
}

/* ---- answers ---- */

/* The value as lowercase hex, in pieces gg_hex_encode takes. */
static json_t *hex_json(const uint8_t *v, size_t n)
{
	char *s = malloc(2 * n + 1);
	size_t off, piece;
	json_t *j = NULL;

	if (!s)
		return NULL;
	s[0] = 0;
	for (off = 0; off < n; off += piece) {
		piece = n - off < KCTL_HEX_CHUNK ? n - off : KCTL_HEX_CHUNK;
		if (gg_hex_encode(v + off, piece, s + 2 * off,
				  2 * (n - off) + 1) < 0)
			goto out;
	}
	j = json_string(s);
out:
	free(s);
	return j;
}

static void answer_table(struct kctl_op *op, size_t table)
{
	gg_info("control", "bootstrap: %zu peers in the routing table",
		table);
	op_finish(op, gg_node_kad_table_json(op->node, table), 0, NULL);
}

static void answer_find_peer(struct kctl_op *op, const struct kad_result *r)
{
	size_t i;

	for (i = 0; i < r->npeers; i++)
		if (gg_peerid_eq(&r->peers[i].id, &op->peer))
			break;
	gg_info("control", "dht.find_peer %s: %s", op->text,
		i < r->npeers ? "found" : "not found");
	if (i == r->npeers) {
		op_not_found(op, r->status);
		return;
	}
	op_finish(op, json_pack("{s:o,s:i}", "peer", gg_node_kad_peer_json(&r->peers[i]),
				"hops", r->stats.hops), 0, NULL);
}

static void answer_providers(struct kctl_op *op, const struct kad_result *r)
{
	json_t *arr;
	size_t i;

	gg_info("control", "dht.providers %s: %zu found", op->text,
		r->npeers);
	if (!r->npeers) {
		op_not_found(op, r->status);
		return;
	}
	arr = json_array();
	for (i = 0; arr && i < r->npeers; i++)
		json_array_append_new(arr, gg_node_kad_peer_json(&r->peers[i]));
	op_finish(op, json_pack("{s:o}", "providers", arr), 0, NULL);
}

static void answer_get(struct kctl_op *op, const struct kad_result *r)
{
	gg_info("control", "dht.get %s: %s", op->text,
		r->value_len ? "found" : "not found");
	if (!r->value_len) {
		op_not_found(op, r->status);
		return;
	}
	op_finish(op, json_pack("{s:s,s:o}", "key", op->text, "value",
				hex_json(r->value, r->value_len)), 0, NULL);
}

/* ---- the work ---- */

static void on_done(void *arg, const struct kad_result *r)
{
	struct kctl_op *op = arg;

	op->querying = 0;
	if (op->finished)
		return; /* cannot happen: finishing cancels the query */
	if (op->kind == KCTL_FIND_PEER)
		answer_find_peer(op, r);
	else if (op->kind == KCTL_PROVIDERS)
		answer_providers(op, r);
	else
		answer_get(op, r);
}

static void start_query(struct kctl_op *op)
{
	struct kad *k = gg_node_kad(op->node);
	int rc;

	if (op->kind == KCTL_FIND_PEER)
		rc = kad_find_node(k, op->peer.b, op->peer.len, on_done, op,
				   &op->qid);
	else if (op->kind == KCTL_PROVIDERS)
		rc = kad_get_providers(k, op->key, op->klen, 0, on_done, op,
				       &op->qid);
	else
		rc = kad_get_value(k, op->key, op->klen, on_done, op,
				   &op->qid);
	if (rc) {
		op_not_found(op, rc);
		return;
	}
	op->querying = 1;
	gg_node_kad_kick(op->node);
}

static void on_joined(void *arg, int status, size_t table)
{
	struct kctl_op *op = arg;

	op->joining = 0;
	if (op->finished)
		op_maybe_free(op);
	else if (status)
		op_join_failed(op, status);
	else if (op->kind == KCTL_BOOTSTRAP)
		answer_table(op, table);
	else
		start_query(op);
}

/* The deadline.  A client that hangs up is noticed by the server only
 * after the answer (it stops reading while a call is pending), so the
 * lookup runs to its end or here; at shutdown on_cancel ends it. */
static void on_timer(uv_timer_t *t)
{
	struct kctl_op *op = t->data;

	if (op->finished)
		return;
	if (op->joining || op->kind == KCTL_BOOTSTRAP)
		op_join_failed(op, GG_ETIMEOUT);
	else
		op_not_found(op, GG_ETIMEOUT);
}

static void on_cancel(void *arg)
{
	op_finish(arg, NULL, GG_ECANCELED, "the node is shutting down");
}

static int op_start(struct kctl_op *op)
{
	struct gg_node_kad *nk = op->node->kad;
	uv_loop_t *loop = gg_host_loop(op->node->host);
	int rc;

	uv_timer_init(loop, &op->timer);
	op->timer.data = op;
	op->timer_open = 1;
	uv_timer_start(&op->timer, on_timer, op->timeout_ms, 0);
	gg_ctl_call_on_cancel(op->call, on_cancel, op);
	if (!op->naddrs) {
		start_query(op);
		return 0;
	}
	rc = gg_kadhost_join(nk->kh, op->addrs, op->naddrs, op->timeout_ms,
			     on_joined, op);
	if (rc)
		op_join_failed(op, rc);
	else
		op->joining = 1;
	return 0;
}

/* ---- requests ---- */

/* "timeout_ms" and the address list (name: "bootstrap" or "addrs"). */
static int parse_common(struct kctl_op *op, const json_t *req,
			const char *list, char *why, size_t whysz)
{
	const json_t *t = json_object_get(req, "timeout_ms");
	const json_t *arr = json_object_get(req, list), *v;
	size_t i;

	op->timeout_ms = KCTL_DEF_MS;
	if (t && (!json_is_integer(t) || json_integer_value(t) < 1 ||
		  json_integer_value(t) > KCTL_MAX_MS)) {
		snprintf(why, whysz, "\"timeout_ms\" must be 1 to %d",
			 KCTL_MAX_MS);
		return GG_ERANGE;
	}
	if (t)
		op->timeout_ms = (uint64_t)json_integer_value(t);
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > KCTL_MAX_ADDRS) {
		snprintf(why, whysz, "\"%s\" must be a list of at most %d "
			 "multiaddrs", list, KCTL_MAX_ADDRS);
		return GG_EINVAL;
	}
	op->addrs = calloc(json_array_size(arr) + 1, sizeof(*op->addrs));
	if (!op->addrs)
		return GG_ENOMEM;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) ||
		    gg_multiaddr_parse(json_string_value(v), &op->addrs[i])) {
			snprintf(why, whysz, "not a multiaddr in \"%s\": "
				 "%.200s", list, json_is_string(v) ?
				 json_string_value(v) : "(not a string)");
			return GG_EINVAL;
		}
	}
	op->naddrs = (int)json_array_size(arr);
	return 0;
}

static int parse_peer(struct kctl_op *op, const char *s, char *why,
		      size_t whysz)
{
	if (!s || gg_peerid_parse(s, &op->peer) ||
	    gg_peerid_to_str(&op->peer, op->text, sizeof(op->text))) {
		snprintf(why, whysz, "\"peer\" must be a peer ID, not %.200s",
			 s ? s : "nothing");
		return GG_EINVAL;
	}
	return 0;
}

static int parse_pkg(struct kctl_op *op, const char *s, char *why,
		     size_t whysz)
{
	struct gg_pkgid id;

	if (!s || gg_pkgid_parse(s, &id) ||
	    gg_pkgid_to_cid(&id, op->text, sizeof(op->text)) < 0) {
		snprintf(why, whysz, "\"key\" must be a package ID "
			 "(bafkrei..., sha256:<hex> or a base58 multihash), "
			 "not %.200s",
			 s ? s : "nothing");
		return GG_EINVAL;
	}
	gg_pkgid_multihash(&id, op->key);
	op->klen = GG_PKGID_MH_LEN;
	return 0;
}

/* Only /ggen/pkg/NAME with a valid package name. */
static int parse_record_key(struct kctl_op *op, const char *s, char *why,
			    size_t whysz)
{
	size_t pre = strlen(KAD_PKG_PREFIX);
	int n;

	if (!s || strncmp(s, KAD_PKG_PREFIX, pre) ||
	    !gg_pkg_name_valid(s + pre)) {
		snprintf(why, whysz, "\"key\" must be %sNAME with a package "
			 "name, not %.200s", KAD_PKG_PREFIX, s ? s : "nothing");
		return GG_EINVAL;
	}
	n = snprintf(op->text, sizeof(op->text), "%s", s);
	if (n < 0 || (size_t)n >= sizeof(op->text))
		return GG_ETOOBIG; /* cannot happen: names are short */
	memcpy(op->key, s, (size_t)n);
	op->klen = (size_t)n;
	return 0;
}

static int parse_args(struct kctl_op *op, const json_t *req, char *why,
		      size_t whysz)
{
	const char *s;
	int rc;

	rc = parse_common(op, req, op->kind == KCTL_BOOTSTRAP ? "addrs" :
			  "bootstrap", why, whysz);
	if (rc)
		return rc;
	switch (op->kind) {
	case KCTL_FIND_PEER:
		s = json_string_value(json_object_get(req, "peer"));
		return parse_peer(op, s, why, whysz);
	case KCTL_PROVIDERS:
		s = json_string_value(json_object_get(req, "key"));
		return parse_pkg(op, s, why, whysz);
	case KCTL_GET:
		s = json_string_value(json_object_get(req, "key"));
		return parse_record_key(op, s, why, whysz);
	case KCTL_BOOTSTRAP:
		break;
	}
	if (op->naddrs)
		return 0;
	snprintf(why, whysz, "\"addrs\" must list at least one multiaddr");
	return GG_EINVAL;
}

static int handle(struct gg_ctl_call *call, const json_t *req,
		  enum kctl_kind kind, const char *name)
{
	struct kctl_op *op;
	char why[512];
	int rc;

	if (!gg_node_kad(gg_ctl_call_node(call))) {
		gg_ctl_fail(call, GG_EUNSUPPORTED, "%s: this node runs no DHT",
			    name);
		return 0;
	}
	if (!(op = calloc(1, sizeof(*op))))
		return GG_ENOMEM;
	op->kind = kind;
	why[0] = 0;
	rc = parse_args(op, req, why, sizeof(why));
	if (rc) {
		free(op->addrs);
		free(op);
		if (rc == GG_ENOMEM)
			return rc;
		gg_ctl_fail(call, rc, "%s: %s", name, why);
		return 0;
	}
	op->call = call;
	op->node = gg_ctl_call_node(call);
	gg_debug("control", "%s %s", name, op->text);
	return op_start(op);
}

int gg_ctl_dht_find_peer(struct gg_ctl_call *call, const json_t *req,
			 void *arg)
{
	return handle(call, req, KCTL_FIND_PEER, "dht.find_peer");
}

int gg_ctl_dht_providers(struct gg_ctl_call *call, const json_t *req,
			 void *arg)
{
	return handle(call, req, KCTL_PROVIDERS, "dht.providers");
}

int gg_ctl_dht_get(struct gg_ctl_call *call, const json_t *req, void *arg)
{
	return handle(call, req, KCTL_GET, "dht.get");
}

int gg_ctl_bootstrap(struct gg_ctl_call *call, const json_t *req,
		     void *arg)
{
	return handle(call, req, KCTL_BOOTSTRAP, "bootstrap");
}
