/*
 * cmd_p2p_dht.c - `ggen marketplace p2p dht VERB`: DHT diagnostics, like
 * kubo's `routing` commands.
 *
 *   find-peer PEER_ID   a FIND_NODE lookup; prints the peer's addresses
 *   providers KEY       GET_PROVIDERS; one line per provider
 *   get KEY|NAME        GET_VALUE of /ggen/pkg/NAME; prints the record
 *   put KEY FILE        (hidden, tests) PUT_VALUE of FILE's bytes
 *   provide KEY         (hidden, tests) ADD_PROVIDER as this node
 *
 * KEY for providers is a package ID in any form DESIGN §5 lists (CID
 * bafkrei..., sha256:<hex>, base58 multihash).  find-peer, providers
 * and get ask the node running for $GGEN_HOME (control_kad.c) and print
 * its answer; with none they run a short-lived client node
 * (cli/kad_cli.h) that joins through the bootstrap peers, does the
 * lookup, builds the same answer and prints it with the same code.  put
 * and provide always run the short-lived node.
 */
#include <jansson.h>

#include "cli/cli_config.h"
#include "cli/cli_daemon.h"
#include "cli/cmds.h"
#include "cli/kad_cli.h"
#include "crypto/envelope.h"
#include "market/manifest.h"
#include "market/pkgid.h"
#include "node/node_kad.h"
#include "util/base.h"
#include "util/error.h"

#define DHT_VALUE_FILE_MAX (64 * 1024)

static const struct gg_opt opts[] = {
	GG_OPT_BOOTSTRAP,
	GG_KAD_CLI_OPT_TIMEOUT,
	GG_OPT_JSON,
	GG_OPT_END
};

static const struct gg_opt provide_opts[] = {
	GG_OPT_BOOTSTRAP,
	GG_OPT_LISTEN,
	GG_KAD_CLI_OPT_TIMEOUT,
	GG_OPT_END
};

static const struct gg_opt get_opts[] = {
	GG_OPT_BOOTSTRAP,
	GG_KAD_CLI_OPT_TIMEOUT,
	{ "output", 'o', GG_OPT_VALUE, "FILE",
	  "Also write the record's bytes to FILE" },
	GG_OPT_JSON,
	GG_OPT_END
};

/* A package ID in any accepted form -> its DHT key (the multihash) and
 * the CID that messages and the daemon's request use. */
static int parse_pkg_key(struct gg_cli *cli, const char *text,
			 uint8_t mh[GG_PKGID_MH_LEN],
			 char cid[GG_PKGID_CID_SIZE])
{
	struct gg_pkgid id;

	if (gg_pkgid_parse(text, &id))
		return gg_cli_usage(cli, "not a package ID (bafkrei..., "
				    "sha256:<hex> or a base58 multihash): %s",
				    text);
	gg_pkgid_multihash(&id, mh);
	if (gg_pkgid_to_cid(&id, cid, GG_PKGID_CID_SIZE) < 0)
		return gg_cli_fail(cli, "cannot print %s as a CID", text);
	return GG_EXIT_OK;
}

/* NAME or /ggen/pkg/NAME (a valid package name) -> the record key. */
static int parse_value_key(struct gg_cli *cli, const char *text,
			   char *out, size_t outsz)
{
	size_t pre = strlen(KAD_PKG_PREFIX);
	const char *name = text;
	int n;

	if (!strncmp(text, KAD_PKG_PREFIX, pre))
		name = text + pre;
	if (!gg_pkg_name_valid(name))
		return gg_cli_usage(cli, "not a package name or %sNAME key: "
				    "%s", KAD_PKG_PREFIX, text);
	n = snprintf(out, outsz, "%s%s", KAD_PKG_PREFIX, name);
	if (n < 0 || (size_t)n >= outsz)
		return gg_cli_usage(cli, "bad key: %s", text);
	return GG_EXIT_OK;
}

/* ": why" after a lookup's words (always: even for "not found"); the
 * daemon words it the same way (control_kad.c). */
static const char *why_sep(int rc, int always)
{
	return rc && (always || rc != GG_ENOTFOUND) ? ": " : "";
}

static const char *why(int rc, int always)
{
	return rc && (always || rc != GG_ENOTFOUND) ? gg_strerror(rc) : "";
}

/* ---- find-peer ---- */

/* {"peer":{peer_id,addrs},"hops":N}, from either path. */
static int print_found(struct gg_cli *cli, const struct gg_args *a,
		       const json_t *doc)
{
	const json_t *hops = json_object_get(doc, "hops");
	json_t *one = json_pack("[O]", json_object_get(doc, "peer"));
	json_t *arr = gg_args_flag(a, "json") ? json_array() : NULL;
	json_t *out;
	int rc;

	if (!one || !json_is_integer(hops))
		rc = gg_cli_fail(cli, "the node sent a malformed answer");
	else
		rc = gg_kad_cli_print_peers(cli, one, arr);
	if (rc == GG_EXIT_OK && arr) {
		out = json_pack("{s:O,s:O}", "peer", json_array_get(arr, 0),
				"hops", hops);
		gg_kad_cli_print_json(cli, out);
		json_decref(out);
	}
	json_decref(arr);
	json_decref(one);
	return rc;
}

static int find_peer_local(struct gg_cli *cli, const struct gg_args *a,
			   struct gg_kad_cli *x, const struct gg_peerid *id,
			   const char *text, json_t **doc)
{
	struct gg_kad_wait w;
	const struct kad_peer *hit = NULL;
	uint64_t qid;
	size_t i;
	int rc;

	if ((rc = gg_kad_cli_start(cli, a, x, 1)) != GG_EXIT_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	rc = kad_find_node(gg_node_kad(&x->node), id->b, id->len,
			   gg_kad_wait_done, &w, &qid);
	if (rc == 0)
		rc = gg_kad_cli_wait(x, &w, qid);
	for (i = 0; i < w.npeers; i++)
		if (gg_peerid_eq(&w.peers[i].id, id))
			hit = &w.peers[i];
	if (!hit)
		rc = gg_cli_fail(cli, "peer %s not found%s%s", text,
				 why_sep(rc, 1), why(rc, 1));
	else if (!(*doc = json_pack("{s:o,s:i}", "peer",
				    gg_node_kad_peer_json(hit), "hops",
				    w.stats.hops)))
		rc = gg_cli_fail(cli, "out of memory");
	else
		rc = GG_EXIT_OK;
	gg_kad_wait_release(&w);
	return rc;
}

static int find_peer(struct gg_cli *cli, const struct gg_args *a)
{
	char text[GG_PEERID_STR_MAX];
	struct gg_kad_cli *x;
	struct gg_peerid id;
	json_t *doc = NULL;
	int rc;

	if (gg_peerid_parse(a->argv[0], &id) ||
	    gg_peerid_to_str(&id, text, sizeof(text)))
		return gg_cli_usage(cli, "not a peer ID: %s", a->argv[0]);
	if ((rc = gg_kad_cli_prepare(cli, a, &x)) != GG_EXIT_OK)
		return rc;
	rc = gg_kad_cli_ask(cli, a, x, json_pack("{s:s,s:s}", "cmd",
						 "dht.find_peer", "peer", text),
			    "bootstrap", &doc);
	if (rc == GG_CLI_RUN_LOCAL)
		rc = find_peer_local(cli, a, x, &id, text, &doc);
	if (rc == GG_EXIT_OK)
		rc = print_found(cli, a, doc);
	json_decref(doc);
	gg_kad_cli_close(x);
	return rc;
}

/* ---- providers ---- */

/* {"providers":[{peer_id,addrs}...]}, from either path. */
static int print_providers(struct gg_cli *cli, const struct gg_args *a,
			   const json_t *doc)
{
	json_t *arr = gg_args_flag(a, "json") ? json_array() : NULL;
	json_t *out;
	int rc;

	rc = gg_kad_cli_print_peers(cli, json_object_get(doc, "providers"),
				    arr);
	if (rc == GG_EXIT_OK && arr) {
		out = json_pack("{s:O}", "providers", arr);
		gg_kad_cli_print_json(cli, out);
		json_decref(out);
	}
	json_decref(arr);
	return rc;
}

static int providers_local(struct gg_cli *cli, const struct gg_args *a,
			   struct gg_kad_cli *x, const uint8_t *mh,
			   const char *cid, json_t **doc)
{
	struct gg_kad_wait w;
	json_t *arr;
	uint64_t qid;
	size_t i;
	int rc;

	if ((rc = gg_kad_cli_start(cli, a, x, 1)) != GG_EXIT_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	rc = kad_get_providers(gg_node_kad(&x->node), mh, GG_PKGID_MH_LEN, 0,
			       gg_kad_wait_done, &w, &qid);
	if (rc == 0)
		rc = gg_kad_cli_wait(x, &w, qid);
	if (w.npeers == 0) {
		rc = gg_cli_fail(cli, "no providers found for %s%s%s", cid,
				 why_sep(rc, 0), why(rc, 0));
		goto out;
	}
	arr = json_array();
	for (i = 0; arr && i < w.npeers; i++)
		json_array_append_new(arr, gg_node_kad_peer_json(&w.peers[i]));
	*doc = json_pack("{s:o}", "providers", arr);
	rc = *doc ? GG_EXIT_OK : gg_cli_fail(cli, "out of memory");
out:
	gg_kad_wait_release(&w);
	return rc;
}

static int providers(struct gg_cli *cli, const struct gg_args *a)
{
	uint8_t mh[GG_PKGID_MH_LEN];
	char cid[GG_PKGID_CID_SIZE];
	struct gg_kad_cli *x;
	json_t *doc = NULL;
	int rc;

	if ((rc = parse_pkg_key(cli, a->argv[0], mh, cid)) != GG_EXIT_OK)
		return rc;
	if ((rc = gg_kad_cli_prepare(cli, a, &x)) != GG_EXIT_OK)
		return rc;
	rc = gg_kad_cli_ask(cli, a, x, json_pack("{s:s,s:s}", "cmd",
						 "dht.providers", "key", cid),
			    "bootstrap", &doc);
	if (rc == GG_CLI_RUN_LOCAL)
		rc = providers_local(cli, a, x, mh, cid, &doc);
	if (rc == GG_EXIT_OK)
		rc = print_providers(cli, a, doc);
	json_decref(doc);
	gg_kad_cli_close(x);
	return rc;
}

/* ---- get ---- */

/* The record's fields (it is validated here, whoever fetched it). */
static int print_record(struct gg_cli *cli, const struct gg_args *a,
			const char *key, const uint8_t *v, size_t n)
{
	struct kad_pkg_info info;
	struct gg_envelope env;
	char signer[GG_PEERID_STR_MAX];
	json_t *payload, *doc;
	int rc;

	rc = kad_pkg_validate((const uint8_t *)key, strlen(key), v, n, &info);
	if (rc)
		return gg_cli_fail(cli, "the record found is not valid: %s",
				   gg_strerror(rc));
	if (gg_envelope_open(v, n, KAD_PKG_RECORD_MAX, KAD_PKG_DOMAIN, &env))
		return gg_cli_fail(cli, "cannot open the record");
	payload = json_loadb((const char *)env.payload, env.payload_len, 0,
			     NULL);
	gg_envelope_release(&env);
	if (!payload)
		return gg_cli_fail(cli, "cannot read the record");
	gg_peerid_to_str(&info.signer, signer, sizeof(signer));
	if (gg_args_flag(a, "json")) {
		doc = json_pack("{s:s,s:s,s:O}", "key", key, "signer", signer,
				"record", payload);
		gg_kad_cli_print_json(cli, doc);
		json_decref(doc);
	} else {
		fprintf(cli->out, "name: %s\nversion: %s\nid: sha256:%s\n"
			"seq: %llu\nsigner: %s\n", info.name,
			json_string_value(json_object_get(payload, "version")),
			json_string_value(json_object_get(payload, "id")),
			(unsigned long long)info.seq, signer);
	}
	json_decref(payload);
	return GG_EXIT_OK;
}

static int write_file(struct gg_cli *cli, const char *path,
		      const uint8_t *v, size_t n)
{
	FILE *f = fopen(path, "wb");
	int bad;

	if (!f)
		return gg_cli_fail(cli, "cannot write %s", path);
	bad = fwrite(v, 1, n, f) != n;
	bad |= fclose(f) != 0;
	return bad ? gg_cli_fail(cli, "cannot write %s", path) : GG_EXIT_OK;
}

/* The daemon's "value" (hex) as bytes, at most DHT_VALUE_FILE_MAX. */
static int decode_value(struct gg_cli *cli, const json_t *doc,
			struct gg_buf *out)
{
	const char *hex = json_string_value(json_object_get(doc, "value"));
	size_t n = hex ? strlen(hex) : 0, off, piece;
	uint8_t chunk[2048];
	int k;

	if (!n || n % 2 || n / 2 > DHT_VALUE_FILE_MAX)
		return gg_cli_fail(cli, "the node sent a malformed answer");
	for (off = 0; off < n; off += piece) {
		piece = n - off < 2 * sizeof(chunk) ? n - off
						    : 2 * sizeof(chunk);
		k = gg_hex_decode(hex + off, piece, chunk, sizeof(chunk));
		if (k < 0 || gg_buf_add(out, chunk, (size_t)k))
			return gg_cli_fail(cli, "the node sent a malformed "
					   "answer");
	}
	return GG_EXIT_OK;
}

static int get_local(struct gg_cli *cli, const struct gg_args *a,
		     struct gg_kad_cli *x, const char *key, struct gg_buf *v)
{
	struct gg_kad_wait w;
	uint64_t qid;
	int rc;

	if ((rc = gg_kad_cli_start(cli, a, x, 1)) != GG_EXIT_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	rc = kad_get_value(gg_node_kad(&x->node), (const uint8_t *)key,
			   strlen(key), gg_kad_wait_done, &w, &qid);
	if (rc == 0)
		rc = gg_kad_cli_wait(x, &w, qid);
	if (!w.vlen)
		rc = gg_cli_fail(cli, "no record found for %s%s%s", key,
				 why_sep(rc, 0), why(rc, 0));
	else if (gg_buf_add(v, w.value, w.vlen))
		rc = gg_cli_fail(cli, "the record is too large");
	else
		rc = GG_EXIT_OK;
	gg_kad_wait_release(&w);
	return rc;
}

static int get(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf v = GG_BUF_INIT(DHT_VALUE_FILE_MAX);
	char key[KAD_MSG_KEY_MAX];
	const char *out = gg_args_value(a, "output");
	struct gg_kad_cli *x = NULL;
	json_t *doc = NULL;
	int rc;

	rc = parse_value_key(cli, a->argv[0], key, sizeof(key));
	if (rc == GG_EXIT_OK)
		rc = gg_kad_cli_prepare(cli, a, &x);
	if (rc != GG_EXIT_OK)
		return rc;
	rc = gg_kad_cli_ask(cli, a, x, json_pack("{s:s,s:s}", "cmd",
						 "dht.get", "key", key),
			    "bootstrap", &doc);
	if (rc == GG_EXIT_OK)
		rc = decode_value(cli, doc, &v);
	else if (rc == GG_CLI_RUN_LOCAL)
		rc = get_local(cli, a, x, key, &v);
	if (rc == GG_EXIT_OK)
		rc = print_record(cli, a, key, v.data, v.len);
	if (rc == GG_EXIT_OK && out)
		rc = write_file(cli, out, v.data, v.len);
	json_decref(doc);
	gg_buf_release(&v);
	gg_kad_cli_close(x);
	return rc;
}

/* ---- put and provide (hidden: for tests) ---- */

static int read_file(struct gg_cli *cli, const char *path, struct gg_buf *b)
{
	uint8_t chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = 0;

	if (!f)
		return gg_cli_fail(cli, "cannot read %s", path);
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = gg_buf_add(b, chunk, n);
	fclose(f);
	return rc ? gg_cli_fail(cli, "%s: %s", path, gg_strerror(rc))
		  : GG_EXIT_OK;
}

static int put(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf val = GG_BUF_INIT(DHT_VALUE_FILE_MAX);
	char key[KAD_MSG_KEY_MAX];
	struct gg_kad_wait w;
	struct gg_kad_cli *x = NULL;
	uint64_t qid;
	int rc;

	memset(&w, 0, sizeof(w));
	rc = parse_value_key(cli, a->argv[0], key, sizeof(key));
	if (rc == GG_EXIT_OK)
		rc = read_file(cli, a->argv[1], &val);
	if (rc == GG_EXIT_OK)
		rc = gg_kad_cli_open(cli, a, 1, &x);
	if (rc != GG_EXIT_OK)
		goto out;
	rc = kad_put_value(gg_node_kad(&x->node), (const uint8_t *)key,
			   strlen(key), val.data, val.len, gg_kad_wait_done, &w,
			   &qid);
	if (rc == 0)
		rc = gg_kad_cli_wait(x, &w, qid);
	if (!w.stored) {
		rc = gg_cli_fail(cli, "no peer stored %s: %s", key,
				 gg_strerror(rc ? rc : GG_ENOTFOUND));
		goto out;
	}
	fprintf(cli->out, "stored %s on %zu peers\n", key, w.stored);
	rc = GG_EXIT_OK;
out:
	gg_buf_release(&val);
	gg_kad_wait_release(&w);
	gg_kad_cli_close(x);
	return rc;
}

static int provide(struct gg_cli *cli, const struct gg_args *a)
{
	uint8_t mh[GG_PKGID_MH_LEN];
	char id[GG_PEERID_STR_MAX], cid[GG_PKGID_CID_SIZE];
	struct gg_kad_wait w;
	struct gg_kad_cli *x;
	uint64_t qid;
	int rc;

	if ((rc = parse_pkg_key(cli, a->argv[0], mh, cid)) != GG_EXIT_OK)
		return rc;
	if ((rc = gg_kad_cli_open(cli, a, 1, &x)) != GG_EXIT_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	rc = kad_add_provider(gg_node_kad(&x->node), mh, sizeof(mh),
			      gg_kad_wait_done, &w, &qid);
	if (rc == 0)
		rc = gg_kad_cli_wait(x, &w, qid);
	gg_peerid_to_str(&x->node.id, id, sizeof(id));
	if (!w.stored)
		rc = gg_cli_fail(cli, "no peer took the provider record: %s",
				 gg_strerror(rc ? rc : GG_ENOTFOUND));
	else {
		fprintf(cli->out, "provided %s as %s to %zu peers\n", cid,
			id, w.stored);
		rc = GG_EXIT_OK;
	}
	gg_kad_wait_release(&w);
	gg_kad_cli_close(x);
	return rc;
}

#define VIA_NODE                                                        \
	"A node running for $GGEN_HOME (p2p start --daemon) does the "  \
	"lookup from its\nrouting table (--bootstrap peers are joined "  \
	"first); else a short-lived node\njoins through --bootstrap or "  \
	"network.bootstrap_nodes."

static const struct gg_cmd cmd_find_peer = {
	.name = "find-peer",
	.summary = "Find a peer's addresses with a DHT lookup",
	.usage = "PEER_ID",
	.help = VIA_NODE,
	.opts = opts, .min_args = 1, .max_args = 1, .exec = find_peer,
};

static const struct gg_cmd cmd_providers = {
	.name = "providers",
	.summary = "List the peers that provide a package",
	.usage = "KEY",
	.help = "KEY is a package ID: a CID (bafkrei...), sha256:<hex> or a "
		"base58 multihash.\n" VIA_NODE,
	.opts = opts, .min_args = 1, .max_args = 1, .exec = providers,
};

static const struct gg_cmd cmd_get = {
	.name = "get",
	.summary = "Fetch a package record from the DHT",
	.usage = "NAME|/ggen/pkg/NAME",
	.help = VIA_NODE,
	.opts = get_opts, .min_args = 1, .max_args = 1, .exec = get,
};

static const struct gg_cmd cmd_put = {
	.name = "put",
	.summary = "Store a package record (file) in the DHT",
	.usage = "NAME|/ggen/pkg/NAME FILE",
	.opts = opts, .min_args = 2, .max_args = 2, .exec = put,
	.hidden = 1,
};

static const struct gg_cmd cmd_provide = {
	.name = "provide",
	.summary = "Announce a short-lived provider for a key",
	.usage = "KEY",
	.opts = provide_opts, .min_args = 1, .max_args = 1, .exec = provide,
	.hidden = 1,
};

static const struct gg_cmd *const dht_subs[] = {
	&cmd_find_peer, &cmd_providers, &cmd_get, &cmd_put, &cmd_provide,
	NULL
};

const struct gg_cmd gg_cmd_p2p_dht = {
	.name = "dht",
	.summary = "Query the Kademlia DHT",
	.subs = dht_subs,
};
