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
 * bafkrei..., sha256:<hex>, base58 multihash).  Each verb runs a
 * short-lived client node (cli/kad_cli.h) that joins through the
 * bootstrap peers, does one operation and exits.
 */
#include <jansson.h>

#include "cli/cli_config.h"
#include "cli/cmds.h"
#include "cli/kad_cli.h"
#include "crypto/envelope.h"
#include "market/pkgid.h"
#include "node/node_kad.h"
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

/* A package ID in any accepted form -> its DHT key (the multihash). */
static int parse_pkg_key(struct gg_cli *cli, const char *text,
			 uint8_t mh[GG_PKGID_MH_LEN])
{
	struct gg_pkgid id;

	if (gg_pkgid_parse(text, &id))
		return gg_cli_usage(cli, "not a package ID (bafkrei..., "
				    "sha256:<hex> or a base58 multihash): %s",
				    text);
	gg_pkgid_multihash(&id, mh);
	return GG_EXIT_OK;
}

/* NAME or /ggen/pkg/NAME -> the record key. */
static int parse_value_key(struct gg_cli *cli, const char *text,
			   char *out, size_t outsz)
{
	int n;

	if (!strncmp(text, KAD_PKG_PREFIX, strlen(KAD_PKG_PREFIX)))
		n = snprintf(out, outsz, "%s", text);
	else if (text[0] != '/')
		n = snprintf(out, outsz, "%s%s", KAD_PKG_PREFIX, text);
	else
		return gg_cli_usage(cli, "not a package name or %sNAME key: "
				    "%s", KAD_PKG_PREFIX, text);
	if (n < 0 || (size_t)n >= outsz || (size_t)n == strlen(KAD_PKG_PREFIX))
		return gg_cli_usage(cli, "bad key: %s", text);
	return GG_EXIT_OK;
}

static void print_peer(struct gg_cli *cli, json_t *arr,
		       const struct kad_peer *p)
{
	char id[GG_PEERID_STR_MAX], addrs[1024];

	gg_peerid_to_str(&p->id, id, sizeof(id));
	gg_kad_cli_addrs(p, addrs, sizeof(addrs));
	if (arr)
		json_array_append_new(arr, json_pack("{s:s,s:s}", "peer_id", id,
						     "addrs", addrs));
	else
		fprintf(cli->out, "%s %s\n", id, addrs);
}

static void print_json(struct gg_cli *cli, json_t *doc)
{
	json_dumpf(doc, cli->out, JSON_COMPACT);
	fputc('\n', cli->out);
	json_decref(doc);
}

/* ---- find-peer ---- */

static int find_peer(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_kad_wait w;
	struct gg_kad_cli *x;
	struct gg_peerid id;
	const struct kad_peer *hit = NULL;
	uint64_t qid;
	size_t i;
	int rc;

	if (gg_peerid_parse(a->argv[0], &id))
		return gg_cli_usage(cli, "not a peer ID: %s", a->argv[0]);
	if ((rc = gg_kad_cli_open(cli, a, 1, &x)) != GG_EXIT_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	rc = kad_find_node(gg_node_kad(&x->node), id.b, id.len,
			   gg_kad_wait_done, &w, &qid);
	if (rc == 0)
		rc = gg_kad_cli_wait(x, &w, qid);
	for (i = 0; i < w.npeers; i++)
		if (gg_peerid_eq(&w.peers[i].id, &id))
			hit = &w.peers[i];
	if (!hit) {
		rc = gg_cli_fail(cli, "peer %s not found%s%s", a->argv[0],
				 rc ? ": " : "", rc ? gg_strerror(rc) : "");
	} else {
		json_t *arr = gg_args_flag(a, "json") ? json_array() : NULL;

		print_peer(cli, arr, hit);
		if (arr)
			print_json(cli, json_pack("{s:o,s:i}", "peer",
						  json_incref(json_array_get(
							  arr, 0)),
						  "hops", w.stats.hops));
		json_decref(arr);
		rc = GG_EXIT_OK;
	}
	gg_kad_wait_release(&w);
	gg_kad_cli_close(x);
	return rc;
}

/* ---- providers ---- */

static int providers(struct gg_cli *cli, const struct gg_args *a)
{
	uint8_t mh[GG_PKGID_MH_LEN];
	struct gg_kad_wait w;
	struct gg_kad_cli *x;
	json_t *arr = NULL;
	uint64_t qid;
	size_t i;
	int rc;

	if ((rc = parse_pkg_key(cli, a->argv[0], mh)) != GG_EXIT_OK)
		return rc;
	if ((rc = gg_kad_cli_open(cli, a, 1, &x)) != GG_EXIT_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	rc = kad_get_providers(gg_node_kad(&x->node), mh, sizeof(mh), 0,
			       gg_kad_wait_done, &w, &qid);
	if (rc == 0)
		rc = gg_kad_cli_wait(x, &w, qid);
	if (w.npeers == 0) {
		rc = gg_cli_fail(cli, "no providers found for %s%s%s",
				 a->argv[0], rc && rc != GG_ENOTFOUND ? ": " : "",
				 rc && rc != GG_ENOTFOUND ? gg_strerror(rc) : "");
		goto out;
	}
	if (gg_args_flag(a, "json"))
		arr = json_array();
	for (i = 0; i < w.npeers; i++)
		print_peer(cli, arr, &w.peers[i]);
	if (arr)
		print_json(cli, json_pack("{s:o}", "providers", arr));
	rc = GG_EXIT_OK;
out:
	gg_kad_wait_release(&w);
	gg_kad_cli_close(x);
	return rc;
}

/* ---- get ---- */

static int print_record(struct gg_cli *cli, const struct gg_args *a,
			const char *key, const uint8_t *v, size_t n)
{
	struct kad_pkg_info info;
	struct gg_envelope env;
	char signer[GG_PEERID_STR_MAX];
	json_t *payload;
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
		print_json(cli, json_pack("{s:s,s:s,s:O}", "key", key,
					  "signer", signer, "record", payload));
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

static int get(struct gg_cli *cli, const struct gg_args *a)
{
	char key[KAD_MSG_KEY_MAX];
	const char *out = gg_args_value(a, "output");
	struct gg_kad_wait w;
	struct gg_kad_cli *x;
	uint64_t qid;
	int rc;

	rc = parse_value_key(cli, a->argv[0], key, sizeof(key));
	if (rc != GG_EXIT_OK)
		return rc;
	if ((rc = gg_kad_cli_open(cli, a, 1, &x)) != GG_EXIT_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	rc = kad_get_value(gg_node_kad(&x->node), (const uint8_t *)key,
			   strlen(key), gg_kad_wait_done, &w, &qid);
	if (rc == 0)
		rc = gg_kad_cli_wait(x, &w, qid);
	if (!w.vlen) {
		rc = gg_cli_fail(cli, "no record found for %s%s%s", key,
				 rc && rc != GG_ENOTFOUND ? ": " : "",
				 rc && rc != GG_ENOTFOUND ? gg_strerror(rc) : "");
		goto out;
	}
	rc = print_record(cli, a, key, w.value, w.vlen);
	if (rc == GG_EXIT_OK && out)
		rc = write_file(cli, out, w.value, w.vlen);
out:
	gg_kad_wait_release(&w);
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
	struct gg_pkgid pkg;
	struct gg_kad_wait w;
	struct gg_kad_cli *x;
	uint64_t qid;
	int rc;

	if ((rc = parse_pkg_key(cli, a->argv[0], mh)) != GG_EXIT_OK)
		return rc;
	if ((rc = gg_kad_cli_open(cli, a, 1, &x)) != GG_EXIT_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	rc = kad_add_provider(gg_node_kad(&x->node), mh, sizeof(mh),
			      gg_kad_wait_done, &w, &qid);
	if (rc == 0)
		rc = gg_kad_cli_wait(x, &w, qid);
	gg_peerid_to_str(&x->node.id, id, sizeof(id));
	gg_pkgid_from_multihash(mh, sizeof(mh), &pkg);
	gg_pkgid_to_cid(&pkg, cid, sizeof(cid));
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

static const struct gg_cmd cmd_find_peer = {
	.name = "find-peer",
	.summary = "Find a peer's addresses with a DHT lookup",
	.usage = "PEER_ID",
	.opts = opts, .min_args = 1, .max_args = 1, .exec = find_peer,
};

static const struct gg_cmd cmd_providers = {
	.name = "providers",
	.summary = "List the peers that provide a package",
	.usage = "KEY",
	.help = "KEY is a package ID: a CID (bafkrei...), sha256:<hex> or a "
		"base58 multihash.",
	.opts = opts, .min_args = 1, .max_args = 1, .exec = providers,
};

static const struct gg_cmd cmd_get = {
	.name = "get",
	.summary = "Fetch a package record from the DHT",
	.usage = "NAME|/ggen/pkg/NAME",
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
