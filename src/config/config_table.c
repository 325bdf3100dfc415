/*
 * config_table.c - the one table of every configuration key, and the text
 * generated from it: the commented default file written by `config init`
 * and the Markdown reference in docs/config.md.
 *
 * Adding a key means adding one row here (in the section it belongs to,
 * sections kept together) and reading it with gg_config_int() & co.  The
 * loader, `config show`, `config init` and the docs pick it up from here;
 * tests/integration/config.sh checks that docs/config.md is current.
 */
#include "config/config.h"

#include "util/error.h"

static const char *const listen_def[] = { "/ip4/0.0.0.0/tcp/0", NULL };

static const struct gg_config_key keys[] = {
	/* [network] */
	{ .name = "network.bootstrap_nodes", .type = GG_CFG_ADDRLIST,
	  .min = 0, .max = 64,
	  .help = "Peers contacted at start-up, as multiaddrs "
		  "(/ip4/HOST/tcp/PORT/p2p/PEER-ID)" },
	{ .name = "network.listen_addresses", .type = GG_CFG_ADDRLIST,
	  .min = 0, .max = 16, .def_list = listen_def,
	  .help = "Addresses the node listens on; port 0 picks a free port" },
	{ .name = "network.dht_server_mode", .type = GG_CFG_BOOL, .max = 1,
	  .def_int = 1,
	  .help = "Answer Kademlia DHT queries from other peers" },
	{ .name = "network.dht_protocol", .type = GG_CFG_STR, .min = 2,
	  .max = 128, .def_str = "/ggen/kad/1.0.0", .flags = GG_CFG_F_SLASH,
	  .help = "Protocol id of the Kademlia DHT" },
	{ .name = "network.dht_max_per_subnet_bucket", .type = GG_CFG_INT,
	  .min = 0, .max = 80, .def_int = 2,
	  .help = "Most DHT routing-table peers from one /24 (IPv4) or /48 "
		  "(IPv6) in one bucket, 0 for no limit (loopback included)" },
	{ .name = "network.dht_max_per_subnet_table", .type = GG_CFG_INT,
	  .min = 0, .max = 100000, .def_int = 3,
	  .help = "Most DHT routing-table peers from one /24 (IPv4) or /48 "
		  "(IPv6) in the whole table, 0 for no limit" },
	{ .name = "network.packages_topic", .type = GG_CFG_STR, .min = 2,
	  .max = 256, .def_str = "/ggen/packages/v1", .flags = GG_CFG_F_SLASH,
	  .help = "Gossipsub topic on which package announcements travel" },
	{ .name = "network.pubsub_ip_whitelist", .type = GG_CFG_STRLIST,
	  .min = 0, .max = 16,
	  .help = "IP prefixes exempt from the gossipsub IP-colocation "
		  "penalty (\"127.\" for a loopback test network)" },
	{ .name = "network.mdns", .type = GG_CFG_BOOL, .max = 1, .def_int = 1,
	  .help = "Discover peers on the local network with mDNS" },
	{ .name = "network.max_peers_per_ip", .type = GG_CFG_INT, .min = 1,
	  .max = 10000, .def_int = 8,
	  .help = "Most connections accepted from one IP address "
		  "(loopback included)" },
	/* [performance] */
	{ .name = "performance.max_peers", .type = GG_CFG_INT, .min = 1,
	  .max = 10000, .def_int = 50,
	  .help = "Most peers connected at once" },
	{ .name = "performance.dht_query_timeout", .type = GG_CFG_INT,
	  .min = 1, .max = 3600, .def_int = 30, .unit = "seconds",
	  .help = "How long a DHT lookup may take" },
	{ .name = "performance.dht_alpha", .type = GG_CFG_INT, .min = 1,
	  .max = 16, .def_int = 3,
	  .help = "Parallel requests in a DHT lookup (Kademlia alpha)" },
	{ .name = "performance.max_parallel_downloads", .type = GG_CFG_INT,
	  .min = 1, .max = 64, .def_int = 4,
	  .help = "Most package downloads at once" },
	/* [security] */
	{ .name = "security.enable_tls", .type = GG_CFG_BOOL, .max = 1,
	  .def_int = 0,
	  .refuse_true = "the libp2p TLS transport does not exist yet "
			 "(connections are always encrypted with Noise)",
	  .help = "Offer libp2p TLS 1.3 beside Noise (not available yet; "
		  "must be false)" },
	{ .name = "security.min_peer_reputation", .type = GG_CFG_FLOAT,
	  .fmin = 0.0, .fmax = 1.0, .def_float = 0.7,
	  .help = "Peers whose reputation falls below this are avoided" },
	{ .name = "security.ban_after_failures", .type = GG_CFG_INT, .min = 1,
	  .max = 1000, .def_int = 5,
	  .help = "Failed or invalid exchanges before a peer is banned" },
	{ .name = "security.requests_per_second_per_peer", .type = GG_CFG_INT,
	  .min = 1, .max = 100000, .def_int = 20,
	  .help = "Requests answered per second for one peer (token bucket)" },
	/* [registry] */
	{ .name = "registry.url", .type = GG_CFG_STR, .min = 0, .max = 4096,
	  .def_str = "",
	  .example = "\"https://raw.githubusercontent.com/seanchatmangpt/"
		     "ggen/master/marketplace/registry/index.json\"",
	  .help = "URL of the central registry index, empty for none "
		  "(see GGEN_REGISTRY_URL)" },
	{ .name = "registry.timeout", .type = GG_CFG_INT, .min = 1,
	  .max = 3600, .def_int = 30, .unit = "seconds",
	  .help = "How long fetching the registry index may take" },
	{ .name = "registry.cache_ttl", .type = GG_CFG_INT, .min = 0,
	  .max = 604800, .def_int = 300, .unit = "seconds",
	  .help = "How long a fetched index is reused; 0 to always fetch" },
	/* [limits] */
	{ .name = "limits.max_archive_entries", .type = GG_CFG_INT, .min = 1,
	  .max = 10000000, .def_int = 10000,
	  .help = "Most files and directories in one package archive" },
	{ .name = "limits.max_unpacked_bytes", .type = GG_CFG_INT, .min = 1,
	  .max = (int64_t)1 << 40, .def_int = 268435456, .unit = "bytes",
	  .help = "Largest total size of one unpacked package" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

size_t gg_config_nkeys(void)
{
	return NKEYS;
}

const struct gg_config_key *gg_config_key_at(size_t i)
{
	return i < NKEYS ? &keys[i] : NULL;
}

const struct gg_config_key *gg_config_key_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* Levenshtein distance, capped; config must not depend on src/cli. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[65], prev, tmp, best;

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The part after the last dot ("mdns" in "network.mdns"). */
static const char *leaf(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

/* How far name is from key: a typo in the full name, or the right key
 * name in the wrong table (or in none), which costs one more. */
static int key_distance(const char *name, const char *key)
{
	size_t sl = (size_t)(leaf(key) - key);
	int d = distance(name, key), d2;
	int same = leaf(name) != name && !strncmp(name, key, sl);

	d2 = distance(leaf(name), leaf(key)) + !same;
	return d2 < d ? d2 : d;
}

/* The length of the table part of a key ("network" in "network.mdns"). */
static size_t section_len(const char *key)
{
	const char *dot = strchr(key, '.');

	return dot ? (size_t)(dot - key) : strlen(key);
}

/* The nearest section name, written into buf (section names are short). */
static const char *suggest_section(const char *name, char *buf, size_t n)
{
	size_t i, len;
	int d, best = 99;
	const char *hit = NULL;

	for (i = 0; i < NKEYS; i++) {
		len = section_len(keys[i].name);
		if (len >= n)
			continue;
		memcpy(buf, keys[i].name, len);
		buf[len] = '\0';
		d = distance(name, buf);
		if (d < best) {
			best = d;
			hit = keys[i].name;
		}
	}
	if (!hit || best > (int)(strlen(name) / 2 > 2 ? strlen(name) / 2 : 2))
		return NULL;
	len = section_len(hit);
	memcpy(buf, hit, len);
	buf[len] = '\0';
	return buf;
}

const char *gg_config_suggest(const char *name)
{
	static const size_t none = (size_t)-1;
	size_t i, hit = none, len = strlen(leaf(name));
	int d, best = 99, limit = (int)(len / 3 > 2 ? len / 3 : 2);

	for (i = 0; i < NKEYS; i++) {
		d = key_distance(name, keys[i].name);
		if (d < best) {
			best = d;
			hit = i;
		}
	}
	if (hit == none || best > limit)
		return NULL;
	return keys[hit].name;
}

const char *gg_config_suggest_table(const char *name, char *buf, size_t n)
{
	return suggest_section(name, buf, n);
}

/* "an integer from 1 to 10000 (seconds)" and the like. */
static int describe(const struct gg_config_key *k, struct gg_buf *b)
{
	const char *u = k->unit ? k->unit : NULL;

	switch (k->type) {
	case GG_CFG_INT:
		return gg_buf_printf(b, "integer, %lld to %lld%s%s",
				     (long long)k->min, (long long)k->max,
				     u ? " " : "", u ? u : "");
	case GG_CFG_FLOAT:
		return gg_buf_printf(b, "number, %g to %g", k->fmin, k->fmax);
	case GG_CFG_BOOL:
		return gg_buf_adds(b, "boolean");
	case GG_CFG_STR:
		return gg_buf_printf(b, "string, %lld to %lld bytes%s",
				     (long long)k->min, (long long)k->max,
				     k->flags & GG_CFG_F_SLASH ?
					     ", starts with /" : "");
	case GG_CFG_STRLIST:
		return gg_buf_printf(b, "array of strings, at most %lld",
				     (long long)k->max);
	case GG_CFG_ADDRLIST:
		return gg_buf_printf(b, "array of multiaddrs, at most %lld",
				     (long long)k->max);
	}
	return GG_EINTERNAL;
}

/* One "[section]" block of the default file per section change. */
static int default_key(struct gg_buf *b, const struct gg_config *c,
		       const struct gg_config_key *k, const char **section)
{
	size_t sl = section_len(k->name);
	int rc = 0;

	if (!*section || strncmp(*section, k->name, sl) ||
	    (*section)[sl] != '.') {
		rc = gg_buf_printf(b, "\n[%.*s]\n", (int)sl, k->name);
		*section = k->name;
	}
	if (!rc)
		rc = gg_buf_printf(b, "\n# %s.\n# Allowed: ", k->help);
	if (!rc)
		rc = describe(k, b);
	if (!rc && k->example)
		rc = gg_buf_printf(b, ".\n# Example:\n# %s = %s\n",
				   k->name + sl + 1, k->example);
	else if (!rc) {
		rc = gg_buf_printf(b, ".\n%s = ", k->name + sl + 1);
		if (!rc)
			rc = gg_config_value_toml(c, k->name, b);
		if (!rc)
			rc = gg_buf_adds(b, "\n");
	}
	return rc;
}

int gg_config_default_text(struct gg_buf *out)
{
	struct gg_config *c = NULL;
	const char *section = NULL;
	size_t i;
	int rc;

	rc = gg_config_defaults(&c);
	if (!rc)
		rc = gg_buf_adds(out,
			"# ggen peer-to-peer configuration "
			"($GGEN_HOME/" GG_CONFIG_FILE ").\n"
			"#\n"
			"# Written by `ggen marketplace p2p config init` with "
			"every key at its default.\n"
			"# Precedence: command-line flags > environment "
			"(GGEN_HOME, GGEN_REGISTRY_URL)\n"
			"# > this file > defaults.  Durations are seconds.  "
			"Check edits with\n"
			"# `ggen marketplace p2p config validate`.\n");
	for (i = 0; !rc && i < NKEYS; i++)
		rc = default_key(out, c, &keys[i], &section);
	gg_config_free(c);
	return rc;
}

static int docs_key(struct gg_buf *b, const struct gg_config *c,
		    const struct gg_config_key *k)
{
	int rc = gg_buf_printf(b, "| `%s` | ", k->name);

	if (!rc)
		rc = describe(k, b);
	if (!rc)
		rc = gg_buf_adds(b, " | `");
	if (!rc)
		rc = gg_config_value_toml(c, k->name, b);
	if (!rc)
		rc = gg_buf_printf(b, "` | %s |\n", k->help);
	return rc;
}

int gg_config_docs_text(struct gg_buf *out)
{
	struct gg_config *c = NULL;
	size_t i;
	int rc;

	rc = gg_config_defaults(&c);
	if (!rc)
		rc = gg_buf_adds(out,
			"# Configuration reference\n\n"
			"<!-- Generated from src/config/config_table.c by "
			"`ggen marketplace p2p config docs`;\n"
			"     the tests fail when this file is out of date. "
			"-->\n\n"
			"ggen reads `$GGEN_HOME/" GG_CONFIG_FILE "` "
			"(`GGEN_HOME` defaults to `~/.ggen`),\n"
			"or the file given with the global option "
			"`--config PATH`.  Precedence, highest first:\n"
			"command-line flags, the environment "
			"(`GGEN_HOME`, `GGEN_REGISTRY_URL`), the file,\n"
			"the defaults below.  A list given by flags "
			"(`--listen`, `--bootstrap`) replaces the\n"
			"configured list.  Durations are in seconds.\n\n"
			"`ggen marketplace p2p config init` writes this "
			"table as a commented file;\n"
			"`config show` prints every effective value and "
			"where it came from;\n"
			"`config validate [PATH]` checks a file; "
			"`config path` prints the file in use.\n\n"
			"| Key | Type and bounds | Default | Meaning |\n"
			"|-----|-----------------|---------|---------|\n");
	for (i = 0; !rc && i < NKEYS; i++)
		rc = docs_key(out, c, &keys[i]);
	if (!rc)
		rc = gg_buf_adds(out,
			"\n`security.enable_tls = true` is refused until the "
			"TLS transport exists;\nconnections are always "
			"encrypted with Noise.  An unknown key or table is a "
			"warning\nthat names the nearest known key; a wrong "
			"type or an out-of-range value is an\nerror naming "
			"the file, line, key and what is allowed.\n");
	gg_config_free(c);
	return rc;
}
