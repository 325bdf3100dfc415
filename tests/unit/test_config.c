/*
 * test_config.c - the key table, the loader and its layers (defaults <
 * file < environment < flags), every error and warning message, the
 * generated default file and docs, $GGEN_HOME and the atomic write.
 *
 * Files go under $TMPDIR_BASE (set by tests/run.sh); GGEN_HOME is pointed
 * there so nothing outside the scratch directory is touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "util/error.h"
#include "util/fs.h"

/* Short enough that every path built from it fits PLEN. */
#define PLEN 640
static char tmpdir[512];

/* A fresh directory for one test. */
static void fresh_dir(char *out, size_t n, const char *name)
{
	int k = snprintf(out, n, "%s/%s", tmpdir, name);

	assert_true(k > 0 && (size_t)k < n);
	mkdir(out, 0700);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Write text to DIR/p2p-config.toml and load it explicitly. */
static int load_text(const char *text, char *path, size_t n,
		     struct gg_config **c, struct gg_buf *err,
		     struct gg_buf *warn)
{
	int k = snprintf(path, n, "%s/c.toml", tmpdir);

	assert_true(k > 0 && (size_t)k < n);
	write_text(path, text);
	gg_buf_reset(err);
	gg_buf_reset(warn);
	return gg_config_load(path, c, err, warn);
}

static void table_is_sane(void **state)
{
	size_t i, j, n = gg_config_nkeys();
	const struct gg_config_key *k;
	const char *dot;

	(void)state;
	assert_true(n >= 20);
	assert_null(gg_config_key_at(n));
	for (i = 0; i < n; i++) {
		k = gg_config_key_at(i);
		dot = strchr(k->name, '.');
		assert_non_null(dot);
		assert_null(strchr(dot + 1, '.'));
		assert_true(k->help && *k->help);
		assert_true(k->help[strlen(k->help) - 1] != '.');
		assert_ptr_equal(gg_config_key_find(k->name), k);
		for (j = 0; j < i; j++)
			assert_string_not_equal(gg_config_key_at(j)->name,
						k->name);
		/* sections stay together: a section seen before must be
		 * the one of the previous row */
		if (i > 0 && strncmp(gg_config_key_at(i - 1)->name, k->name,
				     (size_t)(dot - k->name) + 1)) {
			for (j = 0; j < i; j++)
				assert_true(strncmp(gg_config_key_at(j)->name,
						    k->name,
						    (size_t)(dot - k->name) +
							    1) != 0);
		}
		if (k->type == GG_CFG_INT) {
			assert_true(k->min <= k->def_int);
			assert_true(k->def_int <= k->max);
		}
		if (k->type == GG_CFG_FLOAT) {
			assert_true(k->fmin <= k->def_float);
			assert_true(k->def_float <= k->fmax);
		}
		if (k->type == GG_CFG_STR) {
			assert_non_null(k->def_str);
			assert_true((int64_t)strlen(k->def_str) <= k->max);
		}
	}
}

/* Every key DESIGN.md section 6 pins, with its default. */
static void defaults_match_design(void **state)
{
	struct gg_config *c = NULL;
	const char *const *l;

	(void)state;
	assert_int_equal(gg_config_defaults(&c), 0);
	assert_int_equal(gg_config_list(c, "network.bootstrap_nodes", &l), 0);
	assert_int_equal(gg_config_list(c, "network.listen_addresses", &l),
			 1);
	assert_string_equal(l[0], "/ip4/0.0.0.0/tcp/0");
	assert_int_equal(gg_config_bool(c, "network.dht_server_mode"), 1);
	assert_string_equal(gg_config_str(c, "network.dht_protocol"),
			    "/ggen/kad/1.0.0");
	assert_string_equal(gg_config_str(c, "network.packages_topic"),
			    "/ggen/packages/v1");
	assert_int_equal(gg_config_bool(c, "network.mdns"), 1);
	assert_int_equal(gg_config_int(c, "network.max_peers_per_ip"), 8);
	assert_int_equal(gg_config_int(c, "performance.max_peers"), 50);
	assert_int_equal(gg_config_int(c, "performance.dht_query_timeout"),
			 30);
	assert_int_equal(gg_config_int(c, "performance.dht_alpha"), 3);
	assert_int_equal(gg_config_int(c, "performance.max_parallel_downloads"),
			 4);
	assert_int_equal(gg_config_bool(c, "security.enable_tls"), 0);
	assert_true(fabs(gg_config_float(c, "security.min_peer_reputation") -
			 0.7) < 1e-12);
	assert_int_equal(gg_config_int(c, "security.ban_after_failures"), 5);
	assert_int_equal(
		gg_config_int(c, "security.requests_per_second_per_peer"), 20);
	assert_string_equal(gg_config_str(c, "registry.url"), "");
	assert_int_equal(gg_config_int(c, "registry.timeout"), 30);
	assert_int_equal(gg_config_int(c, "registry.cache_ttl"), 300);
	assert_int_equal(gg_config_int(c, "limits.max_archive_entries"),
			 10000);
	assert_int_equal(gg_config_int(c, "limits.max_unpacked_bytes"),
			 268435456);
	assert_string_equal(gg_config_source(c, "network.mdns"), "default");
	/* a wrong type or unknown name reads as zero, never crashes */
	assert_int_equal(gg_config_int(c, "network.mdns"), 0);
	assert_null(gg_config_str(c, "no.such"));
	gg_config_free(c);
	gg_config_free(NULL);
}

static void file_values_and_sources(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096), warn = GG_BUF_INIT(4096);
	struct gg_config *c = NULL;
	const char *const *l;
	char path[PLEN], want[PLEN + 16];

	(void)state;
	assert_int_equal(load_text("[network]\n"
				   "mdns = false\n"
				   "listen_addresses = [\n"
				   "\"/ip4/127.0.0.1/tcp/1\", \"/ip6/::1/tcp/2\"]\n"
				   "[performance]\n"
				   "max_peers = 7\n"
				   "[security]\n"
				   "min_peer_reputation = 1\n",
				   path, sizeof(path), &c, &err, &warn),
			 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(warn.len, 0);
	assert_int_equal(gg_config_bool(c, "network.mdns"), 0);
	assert_int_equal(gg_config_int(c, "performance.max_peers"), 7);
	assert_true(gg_config_float(c, "security.min_peer_reputation") == 1.0);
	assert_int_equal(gg_config_list(c, "network.listen_addresses", &l),
			 2);
	assert_string_equal(l[1], "/ip6/::1/tcp/2");
	snprintf(want, sizeof(want), "%s:6", path);
	assert_string_equal(gg_config_source(c, "performance.max_peers"),
			    want);
	assert_string_equal(gg_config_source(c, "performance.dht_alpha"),
			    "default");
	assert_string_equal(gg_config_file(c), path);
	gg_config_free(c);
	gg_buf_release(&err);
	gg_buf_release(&warn);
}

/* One bad file: the load fails and err holds exactly `want` after the
 * "PATH:" prefix. */
static void expect_error(const char *text, const char *want)
{
	struct gg_buf err = GG_BUF_INIT(4096), warn = GG_BUF_INIT(4096);
	struct gg_config *c = (struct gg_config *)&err; /* must be reset */
	char path[PLEN], full[PLEN + 512];

	assert_int_equal(load_text(text, path, sizeof(path), &c, &err,
				   &warn),
			 GG_ECONFIG);
	assert_null(c);
	snprintf(full, sizeof(full), "%s:%s", path, want);
	assert_string_equal(gg_buf_cstr(&err), full);
	gg_buf_release(&err);
	gg_buf_release(&warn);
}

static void wrong_types_and_bounds(void **state)
{
	(void)state;
	expect_error("[performance]\nmax_peers = \"abc\"\n",
		     "2: key 'performance.max_peers' must be an integer from "
		     "1 to 10000, not \"abc\"");
	expect_error("[performance]\n\nmax_peers = 0\n",
		     "3: key 'performance.max_peers' must be an integer from "
		     "1 to 10000, not 0");
	expect_error("[registry]\ntimeout = 1.5\n",
		     "2: key 'registry.timeout' must be an integer from 1 to "
		     "3600 (seconds), not 1.5");
	expect_error("[security]\nmin_peer_reputation = 1.5\n",
		     "2: key 'security.min_peer_reputation' must be a number "
		     "from 0 to 1, not 1.5");
	expect_error("[security]\nmin_peer_reputation = nan\n",
		     "2: key 'security.min_peer_reputation' must be a number "
		     "from 0 to 1, not nan");
	expect_error("[network]\nmdns = \"yes\"\n",
		     "2: key 'network.mdns' must be true or false, not "
		     "\"yes\"");
	expect_error("[network]\ndht_protocol = \"kad\"\n",
		     "2: key 'network.dht_protocol' must be a string starting "
		     "with / of 2 to 128 bytes, not \"kad\"");
	expect_error("[network]\nbootstrap_nodes = \"/ip4/1.2.3.4/tcp/1\"\n",
		     "2: key 'network.bootstrap_nodes' must be an array of at "
		     "most 64 multiaddrs (\"/ip4/127.0.0.1/tcp/4001\"), not "
		     "\"/ip4/1.2.3.4/tcp/1\"");
	expect_error("[network]\nlisten_addresses = [\n\"/ip4/1.2.3.4/tcp/1\","
		     "\n\"tcp\"]\n",
		     "4: key 'network.listen_addresses': \"tcp\" is not a "
		     "valid TCP multiaddr (like \"/ip4/127.0.0.1/tcp/4001\")");
	expect_error("[network]\nlisten_addresses = [1]\n",
		     "2: key 'network.listen_addresses': 1 is not a string");
	expect_error("network = 1\n",
		     "1: 'network' must be a table ([network]), not 1");
	expect_error("[registry]\nurl = 1979-05-27\n",
		     "2: key 'registry.url' must be a string of 0 to 4096 "
		     "bytes, not the date/time 1979-05-27");
}

static void tls_refused(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_config *c = NULL;

	(void)state;
	expect_error("[security]\nenable_tls = true\n",
		     "2: key 'security.enable_tls' = true is refused: the "
		     "libp2p TLS transport does not exist yet (connections "
		     "are always encrypted with Noise)");
	assert_int_equal(gg_config_defaults(&c), 0);
	assert_int_equal(gg_config_set(c, "security.enable_tls", "true",
				       "flag --tls", &err),
			 GG_ECONFIG);
	assert_non_null(strstr(gg_buf_cstr(&err), "flag --tls: key "
				"'security.enable_tls' = true is refused"));
	assert_int_equal(gg_config_bool(c, "security.enable_tls"), 0);
	assert_int_equal(gg_config_set(c, "security.enable_tls", "false",
				       "flag --tls", NULL),
			 0);
	gg_config_free(c);
	gg_buf_release(&err);
}

static void every_error_reported(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096), warn = GG_BUF_INIT(4096);
	struct gg_config *c = NULL;
	char path[PLEN];
	const char *s;
	int lines = 1;

	(void)state;
	assert_int_equal(load_text("[performance]\nmax_peers = -1\n"
				   "dht_alpha = 99\n[limits]\n"
				   "max_archive_entries = true\n",
				   path, sizeof(path), &c, &err, &warn),
			 GG_ECONFIG);
	for (s = gg_buf_cstr(&err); *s; s++)
		lines += *s == '\n';
	assert_int_equal(lines, 3);
	assert_non_null(strstr(gg_buf_cstr(&err), ":5: key "
			       "'limits.max_archive_entries'"));
	gg_buf_release(&err);
	gg_buf_release(&warn);
}

static void unknown_keys_warn(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096), warn = GG_BUF_INIT(4096);
	struct gg_config *c = NULL;
	char path[PLEN], want[PLEN * 6];

	(void)state;
	assert_int_equal(load_text("[performance]\nmax_peer = 5\n"
				   "[netwrk]\nmdns = false\n"
				   "[network]\nmdn = true\nzzzzzzzz = 1\n"
				   "[network.dht]\nx = 1\n",
				   path, sizeof(path), &c, &err, &warn),
			 0);
	snprintf(want, sizeof(want),
		 "%s:2: unknown key 'performance.max_peer' (did you mean "
		 "'performance.max_peers'?)\n"
		 "%s:3: unknown table 'netwrk' (did you mean 'network'?)\n"
		 "%s:6: unknown key 'network.mdn' (did you mean "
		 "'network.mdns'?)\n"
		 "%s:7: unknown key 'network.zzzzzzzz'\n"
		 "%s:8: unknown table 'network.dht'",
		 path, path, path, path, path);
	assert_string_equal(gg_buf_cstr(&warn), want);
	/* the misspelt table did not set anything */
	assert_int_equal(gg_config_bool(c, "network.mdns"), 1);
	gg_config_free(c);
	gg_buf_release(&err);
	gg_buf_release(&warn);
}

static void syntax_and_read_errors(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096), warn = GG_BUF_INIT(4096);
	struct gg_config *c = NULL;
	char path[PLEN], want[PLEN + 64];

	(void)state;
	assert_int_equal(load_text("[network]\nmdns = tru\n", path,
				   sizeof(path), &c, &err, &warn),
			 GG_ECONFIG);
	snprintf(want, sizeof(want), "%s:2:8: ", path);
	assert_memory_equal(gg_buf_cstr(&err), want, strlen(want));
	/* a missing explicit file is an error, a directory too */
	gg_buf_reset(&err);
	snprintf(path, sizeof(path), "%s/none.toml", tmpdir);
	assert_int_equal(gg_config_load(path, &c, &err, NULL), GG_ECONFIG);
	snprintf(want, sizeof(want), "cannot read %s: No such file or "
		 "directory", path);
	assert_string_equal(gg_buf_cstr(&err), want);
	gg_buf_reset(&err);
	assert_int_equal(gg_config_load(tmpdir, &c, &err, NULL), GG_ECONFIG);
	assert_non_null(strstr(gg_buf_cstr(&err), "Is a directory"));
	gg_buf_release(&err);
	gg_buf_release(&warn);
}

static void missing_default_file_is_fine(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_config *c = NULL;
	char home[PLEN], want[PLEN + 32];

	(void)state;
	fresh_dir(home, sizeof(home), "emptyhome");
	setenv("GGEN_HOME", home, 1);
	assert_int_equal(gg_config_load(NULL, &c, &err, NULL), 0);
	snprintf(want, sizeof(want), "%s/p2p-config.toml", home);
	assert_string_equal(gg_config_file(c), want);
	assert_string_equal(gg_config_source(c, "network.mdns"), "default");
	gg_config_free(c);
	gg_buf_release(&err);
}

/* default < file < env < flag, on one key. */
static void precedence(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096), warn = GG_BUF_INIT(4096);
	struct gg_config *c = NULL;
	const char *const items[] = { "/ip4/127.0.0.1/tcp/9" };
	const char *const *l;
	char path[PLEN];

	(void)state;
	setenv("GGEN_REGISTRY_URL", "http://127.0.0.1:1/env.json", 1);
	assert_int_equal(load_text("[registry]\nurl = \"http://file\"\n"
				   "timeout = 9\n",
				   path, sizeof(path), &c, &err, &warn),
			 0);
	assert_string_equal(gg_config_str(c, "registry.url"),
			    "http://127.0.0.1:1/env.json");
	assert_string_equal(gg_config_source(c, "registry.url"),
			    "env GGEN_REGISTRY_URL");
	assert_int_equal(gg_config_int(c, "registry.timeout"), 9);
	assert_int_equal(gg_config_set(c, "registry.url", "http://flag",
				       "flag --registry", &err),
			 0);
	assert_string_equal(gg_config_str(c, "registry.url"), "http://flag");
	assert_string_equal(gg_config_source(c, "registry.url"),
			    "flag --registry");
	/* a list from flags replaces the list */
	assert_int_equal(gg_config_set_list(c, "network.listen_addresses",
					    items, 1, "flag --listen", &err),
			 0);
	assert_int_equal(gg_config_list(c, "network.listen_addresses", &l),
			 1);
	assert_string_equal(l[0], "/ip4/127.0.0.1/tcp/9");
	gg_config_free(c);
	/* a bad environment value is an error naming the variable */
	setenv("GGEN_REGISTRY_URL", "a\x01", 1);
	assert_int_equal(load_text("", path, sizeof(path), &c, &err, &warn),
			 GG_ECONFIG);
	assert_string_equal(gg_buf_cstr(&err),
			    "env GGEN_REGISTRY_URL: key 'registry.url' must "
			    "be a string of 0 to 4096 bytes, not \"a\\u0001\"");
	unsetenv("GGEN_REGISTRY_URL");
	gg_buf_release(&err);
	gg_buf_release(&warn);
}

static void set_checks_values(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_config *c = NULL;
	const char *const bad[] = { "/ip4/127.0.0.1/tcp/1", "nope" };
	const char *const *l;

	(void)state;
	assert_int_equal(gg_config_defaults(&c), 0);
	assert_int_equal(gg_config_set(c, "performance.max_peers", "12abc",
				       "flag --max-peers", &err),
			 GG_ECONFIG);
	assert_string_equal(gg_buf_cstr(&err),
			    "flag --max-peers: key 'performance.max_peers' "
			    "must be an integer from 1 to 10000, not "
			    "\"12abc\"");
	assert_int_equal(gg_config_int(c, "performance.max_peers"), 50);
	assert_int_equal(gg_config_set(c, "performance.max_peers", "10001",
				       "x", NULL),
			 GG_ECONFIG);
	assert_int_equal(gg_config_set(c, "performance.max_peers", "10000",
				       "x", NULL),
			 0);
	assert_int_equal(gg_config_set(c, "network.mdns", "maybe", "x", NULL),
			 GG_ECONFIG);
	assert_int_equal(gg_config_set(c, "network.mdns", "false", "x", NULL),
			 0);
	assert_int_equal(gg_config_bool(c, "network.mdns"), 0);
	assert_int_equal(gg_config_set(c, "security.min_peer_reputation",
				       "0.25", "x", NULL),
			 0);
	assert_true(gg_config_float(c, "security.min_peer_reputation") ==
		    0.25);
	assert_int_equal(gg_config_set(c, "no.such", "1", "x", NULL),
			 GG_ENOTFOUND);
	/* a bad item leaves the old list in place */
	assert_int_equal(gg_config_set_list(c, "network.bootstrap_nodes", bad,
					    2, "flag --bootstrap", NULL),
			 GG_ECONFIG);
	assert_int_equal(gg_config_list(c, "network.bootstrap_nodes", &l), 0);
	assert_int_equal(gg_config_set(c, "network.bootstrap_nodes",
				       "/ip4/127.0.0.1/udp/1", "x", NULL),
			 GG_ECONFIG);
	assert_int_equal(gg_config_set(c, "network.bootstrap_nodes",
				       "/dns4/localhost/tcp/1/p2p/12D3KooWD3e"
				       "ckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5"
				       "SA",
				       "x", NULL),
			 0);
	assert_int_equal(gg_config_set_list(c, "performance.max_peers", bad,
					    1, "x", NULL),
			 GG_ECONFIG);
	/* a string for a list key is one item; "" empties it */
	assert_int_equal(gg_config_set(c, "network.listen_addresses", "",
				       "x", NULL),
			 0);
	assert_int_equal(gg_config_list(c, "network.listen_addresses", &l),
			 0);
	gg_config_free(c);
	gg_buf_release(&err);
}

/* The file `config init` writes loads cleanly and changes nothing. */
static void default_file_round_trip(void **state)
{
	struct gg_buf text = GG_BUF_INIT(1 << 20), err = GG_BUF_INIT(4096),
		      warn = GG_BUF_INIT(4096), a = GG_BUF_INIT(4096),
		      b = GG_BUF_INIT(4096);
	struct gg_config *c = NULL, *d = NULL;
	char path[PLEN];
	char *ex;
	size_t i;

	(void)state;
	assert_int_equal(gg_config_default_text(&text), 0);
	assert_int_equal(load_text(gg_buf_cstr(&text), path, sizeof(path), &c,
				   &err, &warn),
			 0);
	assert_int_equal(err.len + warn.len, 0);
	assert_int_equal(gg_config_defaults(&d), 0);
	for (i = 0; i < gg_config_nkeys(); i++) {
		const char *name = gg_config_key_at(i)->name;

		gg_buf_reset(&a);
		gg_buf_reset(&b);
		assert_int_equal(gg_config_value_toml(c, name, &a), 0);
		assert_int_equal(gg_config_value_toml(d, name, &b), 0);
		assert_string_equal(gg_buf_cstr(&a), gg_buf_cstr(&b));
		/* every key is written, but for the commented example */
		if (strcmp(name, "registry.url"))
			assert_string_not_equal(gg_config_source(c, name),
						"default");
	}
	gg_config_free(c);
	/* uncommenting the example sets the project's public index */
	ex = strstr((char *)text.data, "# url = ");
	assert_non_null(ex);
	memmove(ex, ex + 2, strlen(ex + 2) + 1);
	assert_int_equal(load_text((char *)text.data, path, sizeof(path), &c,
				   &err, &warn),
			 0);
	assert_string_equal(gg_config_str(c, "registry.url"),
			    "https://raw.githubusercontent.com/seanchatmangpt/"
			    "ggen/master/marketplace/registry/index.json");
	gg_config_free(c);
	gg_config_free(d);
	gg_buf_release(&text);
	gg_buf_release(&err);
	gg_buf_release(&warn);
	gg_buf_release(&a);
	gg_buf_release(&b);
}

/* docs/config.md is exactly what the table generates. */
static void docs_are_current(void **state)
{
	struct gg_buf want = GG_BUF_INIT(1 << 20);
	const char *root = getenv("GGEN_ROOT");
	char path[PLEN], got[1 << 16];
	size_t n;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/config.md", root ? root : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	assert_int_equal(gg_config_docs_text(&want), 0);
	assert_string_equal(got, gg_buf_cstr(&want));
	gg_buf_release(&want);
}

static void suggestions(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(gg_config_suggest("performance.max_peer"),
			    "performance.max_peers");
	assert_string_equal(gg_config_suggest("max_peers"),
			    "performance.max_peers");
	assert_string_equal(gg_config_suggest("network.max_peers"),
			    "performance.max_peers");
	assert_string_equal(gg_config_suggest("registry.cache-ttl"),
			    "registry.cache_ttl");
	assert_null(gg_config_suggest("qqqqqqqqqqqq"));
	assert_string_equal(gg_config_suggest_table("secrity", buf,
						    sizeof(buf)),
			    "security");
	assert_null(gg_config_suggest_table("zzzzzzzz", buf, sizeof(buf)));
}

static void home_dirs(void **state)
{
	char home[PLEN], out[PLEN], want[PLEN + 32];
	struct stat st;

	(void)state;
	fresh_dir(home, sizeof(home), "h");
	snprintf(want, sizeof(want), "%s/a/b", home);
	setenv("GGEN_HOME", want, 1);
	assert_int_equal(gg_home_dir(out, sizeof(out)), 0);
	assert_string_equal(out, want);
	assert_int_equal(stat(want, &st), -1);
	assert_int_equal(gg_home_ensure(out, sizeof(out)), 0);
	assert_int_equal(stat(want, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(gg_home_ensure(out, sizeof(out)), 0); /* again */
	assert_int_equal(gg_home_dir(out, 4), GG_ETOOBIG);
	assert_int_equal(gg_config_path("/x/y.toml", out, sizeof(out)), 0);
	assert_string_equal(out, "/x/y.toml");
	unsetenv("GGEN_HOME");
	setenv("HOME", home, 1);
	assert_int_equal(gg_home_dir(out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/.ggen", home);
	assert_string_equal(out, want);
	assert_int_equal(gg_config_path(NULL, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/.ggen/p2p-config.toml", home);
	assert_string_equal(out, want);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void atomic_write(void **state)
{
	char dir[PLEN], path[PLEN + 16], got[64] = { 0 };
	struct stat st;
	FILE *f;

	(void)state;
	fresh_dir(dir, sizeof(dir), "w");
	snprintf(path, sizeof(path), "%s/f.toml", dir);
	assert_int_equal(gg_write_file_atomic(path, "one\n", 4, 0644, (0) ? GG_FS_REPLACE : 0), 0);
	assert_int_equal(gg_write_file_atomic(path, "two\n", 4, 0644, (0) ? GG_FS_REPLACE : 0),
			 GG_EEXISTS);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	assert_string_equal(got, "one\n");
	assert_int_equal(gg_write_file_atomic(path, "two\n", 4, 0644, GG_FS_REPLACE), 0);
	f = fopen(path, "r");
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	assert_string_equal(got, "two\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_entries(dir), 1); /* no temp files left */
	snprintf(path, sizeof(path), "%s/missing/f.toml", dir);
	assert_int_equal(gg_write_file_atomic(path, "x", 1, 0644, (0) ? GG_FS_REPLACE : 0),
			 GG_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_sane),
		cmocka_unit_test(defaults_match_design),
		cmocka_unit_test(file_values_and_sources),
		cmocka_unit_test(wrong_types_and_bounds),
		cmocka_unit_test(tls_refused),
		cmocka_unit_test(every_error_reported),
		cmocka_unit_test(unknown_keys_warn),
		cmocka_unit_test(syntax_and_read_errors),
		cmocka_unit_test(missing_default_file_is_fine),
		cmocka_unit_test(precedence),
		cmocka_unit_test(set_checks_values),
		cmocka_unit_test(default_file_round_trip),
		cmocka_unit_test(docs_are_current),
		cmocka_unit_test(suggestions),
		cmocka_unit_test(home_dirs),
		cmocka_unit_test(atomic_write),
	};
	const char *base = getenv("TMPDIR_BASE");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_config.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		return 1;
	unsetenv("GGEN_REGISTRY_URL");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
