/*
 * test_index.c - the index.json checker: what is accepted (unknown fields,
 * missing optional fields, entries without checksum, the ggen project's
 * own index) and the exact message for each kind of malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "market/index.h"
#include "market/mio.h"
#include "util/error.h"

#define CK "sha256:296134bc0d6f6c5096bd52dbfde4357c5a09986e927e6d6ed3d8164647e89f92"

struct seen {
	size_t n;
	int checksums;
	char first[64];
};

static int count(void *arg, size_t i, const struct gg_index_pkg *p)
{
	struct seen *s = arg;

	if (i == 0)
		snprintf(s->first, sizeof(s->first), "%s", p->name);
	s->n++;
	s->checksums += p->has_checksum;
	return 0;
}

static int parse(const char *text, struct seen *s, struct gg_buf *err)
{
	memset(s, 0, sizeof(*s));
	gg_buf_reset(err);
	return gg_index_parse(text, strlen(text), count, s, NULL, err);
}

static void accepts_valid(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_index_info info;
	struct seen s = { 0 };
	const char *text =
		"{\"version\": \"1.0.0\", \"updated_at\": \"2026-01-01\","
		" \"extra\": {\"x\": [1, 2]}, \"packages\": ["
		"{\"name\": \"a\", \"version\": \"1.0.0\", \"future\": true,"
		" \"tags\": [\"x\", \"y\"], \"downloads\": 5, \"stars\": null,"
		" \"dependencies\": [\"b@^1.2\", \"c\"], \"checksum\": \"" CK "\","
		" \"download_url\": \"a-1.0.0.tar.gz\"},"
		"{\"name\": \"b\", \"version\": \"1.2.3-rc.1+build\"}]}";

	(void)state;
	assert_int_equal(parse(text, &s, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.checksums, 1);
	assert_string_equal(s.first, "a");
	assert_int_equal(gg_index_parse(text, strlen(text), NULL, NULL, &info,
					&err),
			 0);
	assert_string_equal(info.version, "1.0.0");
	assert_string_equal(info.updated_at, "2026-01-01");
	assert_int_equal(info.npackages, 2);
	gg_buf_release(&err);
}

struct bad {
	const char *text;
	const char *msg; /* the exact message, or a prefix ending in '*' */
};

static const struct bad bads[] = {
	{ "[]", "index.json: expected a JSON object" },
	{ "{}", "index.json: packages: missing" },
	{ "{\"packages\": {}}", "index.json: packages: expected an array" },
	{ "{\"version\": 1, \"packages\": []}",
	  "index.json: version: expected a string" },
	{ "{\"packages\": [1]}", "index.json: packages[0]: expected an object" },
	{ "{\"packages\": [{\"version\": \"1.0.0\"}]}",
	  "index.json: packages[0].name: missing" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\"},"
	  "{\"name\": \"b\", \"version\": \"1.0.0\"},"
	  "{\"name\": \"c\", \"version\": \"1.0.0\"},"
	  "{\"name\": 7, \"version\": \"1.0.0\"}]}",
	  "index.json: packages[3].name: expected a string" },
	{ "{\"packages\": [{\"name\": \"Bad Name\", \"version\": \"1.0.0\"}]}",
	  "index.json: packages[0].name: 'Bad Name' is not a valid package "
	  "name*" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0\"}]}",
	  "index.json: packages[0].version: '1.0' is not a SemVer 2.0 "
	  "version*" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\","
	  " \"tags\": \"x\"}]}",
	  "index.json: packages[0].tags: expected an array of strings" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\","
	  " \"tags\": [\"x\", 2]}]}",
	  "index.json: packages[0].tags: item 1: expected a string" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\","
	  " \"keywords\": [\"a\\nb\"]}]}",
	  "index.json: packages[0].keywords: item 0: control character" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\","
	  " \"downloads\": -1}]}",
	  "index.json: packages[0].downloads: must not be negative" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\","
	  " \"stars\": 1.5}]}",
	  "index.json: packages[0].stars: expected a whole number" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\","
	  " \"checksum\": \"md5:abc\"}]}",
	  "index.json: packages[0].checksum: expected \"sha256:\" and 64 "
	  "lowercase hex digits" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\","
	  " \"dependencies\": [\"NOPE@@\"]}]}",
	  "index.json: packages[0].dependencies: item 0: 'NOPE@@': *" },
	{ "{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\","
	  " \"name\": \"b\"}]}",
	  "index.json:1:*" },
	{ "{\"packages\": [", "index.json:1:*" },
	{ "", "index.json:*" },
};

static void refuses_malformed(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct seen s;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const char *msg = bads[i].msg;

		assert_int_equal(parse(bads[i].text, &s, &err), GG_EPARSE);
		assert_int_equal(s.n, 0); /* no callback for a bad index */
		k = strlen(msg);
		if (msg[k - 1] == '*') {
			if (strncmp(gg_buf_cstr(&err), msg, k - 1))
				fail_msg("case %zu: got '%s'", i,
					 gg_buf_cstr(&err));
		} else if (strcmp(gg_buf_cstr(&err), msg)) {
			fail_msg("case %zu: got '%s'", i, gg_buf_cstr(&err));
		}
	}
	gg_buf_release(&err);
}

static void refuses_oversize(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	char one = '{';

	(void)state;
	/* the cap is checked before a byte is read */
	assert_int_equal(gg_index_parse(&one, GG_INDEX_MAX_BYTES + 1, NULL,
					NULL, NULL, &err),
			 GG_ETOOBIG);
	gg_buf_release(&err);
}

static int stop_at_one(void *arg, size_t i, const struct gg_index_pkg *p)
{
	(void)arg;
	(void)p;
	return i == 1 ? GG_ECANCELED : 0;
}

static void callback_can_stop(void **state)
{
	const char *text = "{\"packages\": [{\"name\": \"a\", \"version\": "
			   "\"1.0.0\"}, {\"name\": \"b\", \"version\": "
			   "\"1.0.0\"}, {\"name\": \"c\", \"version\": "
			   "\"1.0.0\"}]}";

	(void)state;
	assert_int_equal(gg_index_parse(text, strlen(text), stop_at_one, NULL,
					NULL, NULL),
			 GG_ECANCELED);
}

static void ggen_project_index(void **state)
{
	struct gg_buf text = GG_BUF_INIT(GG_INDEX_MAX_BYTES);
	struct gg_buf err = GG_BUF_INIT(4096);
	const char *shared = getenv("SHARED");
	char path[4096];
	struct seen s = { 0 };

	(void)state;
	snprintf(path, sizeof(path), "%s/ggen-registry/index.json",
		 shared ? shared : "../shared");
	assert_int_equal(gg_read_file(path, &text), 0);
	assert_int_equal(gg_index_parse(text.data, text.len, count, &s, NULL,
					&err),
			 0);
	assert_int_equal(s.n, 48);
	assert_int_equal(s.checksums, 0); /* searchable, never installable */
	assert_string_equal(s.first, "advanced-rust-project");
	gg_buf_release(&text);
	gg_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_valid),
		cmocka_unit_test(refuses_malformed),
		cmocka_unit_test(refuses_oversize),
		cmocka_unit_test(callback_can_stop),
		cmocka_unit_test(ggen_project_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
