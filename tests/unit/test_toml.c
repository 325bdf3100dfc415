/*
 * test_toml.c - the TOML parser's API as configuration code uses it: typed
 * lookups and their results, dotted paths, insertion order, the line and
 * column recorded per value, error positions and messages, the input and
 * depth limits, and the duplicate and redefinition rules. Conformance to
 * the whole TOML 1.0 grammar is tests/toml/run-suite.sh's job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "config/toml.h"

static struct toml_value *parse_ok(const char *src)
{
	struct toml_error err;
	struct toml_value *root = toml_parse(src, strlen(src), &err);

	if (!root)
		fail_msg("%d:%d: %s", err.line, err.col, err.msg);
	return root;
}

/* Parse src expecting failure at line:col with msg containing want. */
static void parse_bad(const char *src, int line, int col, const char *want)
{
	struct toml_error err;
	struct toml_value *root = toml_parse(src, strlen(src), &err);

	assert_null(root);
	if (err.line != line || err.col != col || !strstr(err.msg, want))
		fail_msg("got %d:%d: %s; want %d:%d: ...%s...", err.line,
			 err.col, err.msg, line, col, want);
}

static void typed_lookups(void **state)
{
	struct toml_value *root = parse_ok(
		"name = \"ggen\"\nport = 4001\nrate = 0.5\nwhole = 2\n"
		"on = true\nlist = [1, 2]\n[sub]\n");
	const struct toml_value *t;
	const char *s = NULL;
	int64_t i = 0;
	double f = 0;
	int b = 0;

	(void)state;
	assert_int_equal(toml_get_str(root, "name", &s), TOML_OK);
	assert_string_equal(s, "ggen");
	assert_int_equal(toml_get_int(root, "port", &i), TOML_OK);
	assert_int_equal(i, 4001);
	assert_int_equal(toml_get_float(root, "rate", &f), TOML_OK);
	assert_true(f == 0.5);
	assert_int_equal(toml_get_float(root, "whole", &f), TOML_OK);
	assert_true(f == 2.0);	/* an integer where a float is wanted */
	assert_int_equal(toml_get_bool(root, "on", &b), TOML_OK);
	assert_int_equal(b, 1);
	assert_int_equal(toml_get_array(root, "list", &t), TOML_OK);
	assert_int_equal(toml_len(t), 2);
	assert_int_equal(toml_get_table(root, "sub", &t), TOML_OK);
	assert_int_equal(toml_len(t), 0);

	i = 7;
	assert_int_equal(toml_get_int(root, "name", &i), TOML_WRONG_TYPE);
	assert_int_equal(i, 7);	/* untouched */
	assert_int_equal(toml_get_str(root, "port", &s), TOML_WRONG_TYPE);
	assert_int_equal(toml_get_float(root, "on", &f), TOML_WRONG_TYPE);
	assert_int_equal(toml_get_int(root, "nope", &i), TOML_MISSING);
	assert_int_equal(toml_get_int(NULL, "port", &i), TOML_MISSING);
	toml_free(root);
}

static void accessors_take_null_and_wrong_types(void **state)
{
	struct toml_value *root = parse_ok("n = 1\n");
	const struct toml_value *n = toml_get(root, "n");

	(void)state;
	assert_int_equal(toml_type(NULL), TOML_NONE);
	assert_null(toml_str(n));
	assert_null(toml_datetime_text(n));
	assert_true(toml_float(n) == 0.0);
	assert_int_equal(toml_int(NULL), 0);
	assert_int_equal(toml_len(n), 0);
	assert_null(toml_at(n, 0));
	assert_null(toml_at(root, 1));
	assert_null(toml_key_at(root, 1));
	assert_null(toml_get(n, "x"));
	assert_null(toml_path(NULL, "n"));
	assert_int_equal(toml_line(NULL), 0);
	assert_string_equal(toml_type_name(TOML_DATETIME_LOCAL),
			    "datetime-local");
	toml_free(NULL);
	toml_free(root);
}

static void dotted_paths(void **state)
{
	struct toml_value *root = parse_ok(
		"[network]\nlisten_addresses = [\"/ip4/0.0.0.0/tcp/0\"]\n"
		"dht.alpha = 3\n\"a.b\" = 1\n");

	(void)state;
	assert_string_equal(
		toml_str(toml_at(toml_path(root, "network.listen_addresses"),
				 0)), "/ip4/0.0.0.0/tcp/0");
	assert_int_equal(toml_int(toml_path(root, "network.dht.alpha")), 3);
	assert_null(toml_path(root, "network.missing"));
	assert_null(toml_path(root, "network.dht.alpha.deeper"));
	assert_null(toml_path(root, "network.a.b"));	/* no quoting */
	assert_int_equal(toml_int(toml_get(toml_get(root, "network"), "a.b")),
			 1);
	assert_ptr_equal(toml_path(root, "network"), toml_get(root, "network"));
	toml_free(root);
}

static void keys_keep_document_order(void **state)
{
	struct toml_value *root = parse_ok(
		"zeta = 1\nalpha = 2\nmid.x = 3\n[beta]\n[[arr]]\n");
	static const char *const want[] = { "zeta", "alpha", "mid", "beta",
					    "arr" };
	size_t i;

	(void)state;
	assert_int_equal(toml_len(root), 5);
	for (i = 0; i < 5; i++) {
		assert_string_equal(toml_key_at(root, i), want[i]);
		assert_ptr_equal(toml_at(root, i), toml_get(root, want[i]));
	}
	toml_free(root);
}

static void lines_and_columns(void **state)
{
	struct toml_value *root = parse_ok(
		"# comment\r\n"
		"a = 1\r\n"
		"\r\n"
		"[tbl]\n"
		"  b   =   \"x\"\n"
		"list = [\n  10,\n  20 ]\n"
		"[[aot]]\n");
	const struct toml_value *tbl = toml_get(root, "tbl");
	const struct toml_value *list = toml_get(tbl, "list");

	(void)state;
	assert_int_equal(toml_line(toml_get(root, "a")), 2);
	assert_int_equal(toml_col(toml_get(root, "a")), 5);
	assert_int_equal(toml_line(tbl), 4);
	assert_int_equal(toml_col(tbl), 1);
	assert_int_equal(toml_line(toml_get(tbl, "b")), 5);
	assert_int_equal(toml_col(toml_get(tbl, "b")), 11);
	assert_int_equal(toml_line(list), 6);
	assert_int_equal(toml_line(toml_at(list, 1)), 8);
	assert_int_equal(toml_col(toml_at(list, 1)), 3);
	assert_int_equal(toml_line(toml_at(toml_get(root, "aot"), 0)), 9);
	toml_free(root);
}

static void implicit_table_takes_its_header_line(void **state)
{
	struct toml_value *root = parse_ok("[a.b]\nx = 1\n\n[a]\ny = 2\n");

	(void)state;
	assert_int_equal(toml_line(toml_get(root, "a")), 4);
	assert_int_equal(toml_line(toml_path(root, "a.b")), 1);
	toml_free(root);
}

static void error_positions(void **state)
{
	(void)state;
	parse_bad("name = \"a\"\nx = 1\nname = \"b\"\n", 3, 1,
		  "duplicate key 'name' (first defined at line 1)");
	parse_bad("a = 1\n\n[t]\nk = 01\n", 4, 5, "leading zeros");
	parse_bad("a = \"open\n", 1, 5, "not closed");
	parse_bad("a = 1\r\nb = \"\\q\"\r\n", 2, 6, "invalid escape '\\q'");
	parse_bad("a = 1\nb = 2 3\n", 2, 7, "expected the end of the line");
	parse_bad("ok = 1\nbad = \xC0\x80\n", 2, 7, "invalid UTF-8");
	parse_bad("a = 1\rb = 2\n", 1, 6, "carriage return");
	parse_bad("a = \"\x01\"\n", 1, 6, "control character U+0001");
	parse_bad("x = { a = 1,\n b = 2 }\n", 1, 13,
		  "must end on the same line");
	parse_bad("x = { a = 1 \n}\n", 1, 13, "must end on the same line");
	parse_bad("x = { a = 1, }\n", 1, 14, "no trailing comma");
	parse_bad("d = 2023-02-29\n", 1, 5, "no such day");
	parse_bad("s = \"\\uD800\"\n", 1, 6, "not a Unicode scalar value");
	parse_bad("v = hello\n", 1, 5, "strings need quotes");
	parse_bad("n = 9223372036854775808\n", 1, 5, "64-bit");
}

static void redefinitions(void **state)
{
	(void)state;
	parse_bad("[a]\nx = 1\n[b]\n[a]\n", 4, 1,
		  "table [a] defined twice (first at line 1)");
	parse_bad("[a]\nb.c = 1\n[a.b]\n", 3, 4, "made by dotted keys");
	parse_bad("[a.b]\nc = 1\n[a]\nb.d = 2\n", 4, 1,
		  "'b' is a table with its own [header] (defined at line 1)");
	parse_bad("a = { b = 1 }\n[a]\n", 2, 2, "an inline table");
	parse_bad("a = { b = 1 }\na.c = 2\n", 2, 1, "an inline table");
	parse_bad("a = [1]\n[[a]]\n", 2, 3,
		  "static array (defined at line 1) and cannot become");
	parse_bad("[[a]]\n[a]\n", 2, 2, "an array of tables");
	parse_bad("a = 1\na.b = 2\n", 2, 1, "'a' is an integer");
	parse_bad("a.b = 1\na.b = 2\n", 2, 3, "duplicate key 'a.b'");
	parse_bad("\"k\\u0000\" = 1\n\"k\\u0000\" = 2\n", 2, 1,
		  "duplicate key '\"k?\"'");
}

static void allowed_extensions(void **state)
{
	struct toml_value *root = parse_ok(
		"[a.b.c]\nx = 1\n[a]\ny = 2\n"	/* parent defined later */
		"[p]\nq.r = 1\n[p.q.s]\nt = 2\n"	/* under dotted keys */
		"[[f]]\n[f.g]\nh = 1\n[[f]]\n[f.g]\nh = 2\n");

	(void)state;
	assert_int_equal(toml_int(toml_path(root, "a.b.c.x")), 1);
	assert_int_equal(toml_int(toml_path(root, "p.q.s.t")), 2);
	assert_int_equal(toml_len(toml_get(root, "f")), 2);
	assert_int_equal(toml_int(toml_path(toml_at(toml_get(root, "f"), 1),
					    "g.h")), 2);
	toml_free(root);
}

static void limits(void **state)
{
	struct toml_limits tiny = { 16, 0 }, shallow = { 0, 3 };
	struct toml_error err;
	struct toml_value *v;
	const char *deep4 = "a = [[[[1]]]]\n", *deep3 = "a = [[[1]]]\n";
	const char *dotted4 = "[a.b]\nc.d.e = 1\n";
	const char *inline3 = "[a.b]\nc = {}\n";

	(void)state;
	v = toml_parse_limits("a = \"0123456789\"\n", 17, &tiny, &err);
	assert_null(v);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "over the limit of 16 bytes"));
	v = toml_parse_limits("a = \"012345678\"\n", 16, &tiny, &err);
	assert_non_null(v);
	toml_free(v);

	v = toml_parse_limits(deep3, strlen(deep3), &shallow, &err);
	assert_non_null(v);
	toml_free(v);
	v = toml_parse_limits(deep4, strlen(deep4), &shallow, &err);
	assert_null(v);
	assert_int_equal(err.col, 8);
	assert_non_null(strstr(err.msg, "deeper than 3 levels"));
	v = toml_parse_limits(dotted4, strlen(dotted4), &shallow, &err);
	assert_null(v);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 3);
	v = toml_parse_limits(inline3, strlen(inline3), &shallow, &err);
	assert_non_null(v);
	toml_free(v);
}

/* "a = " and n nested arrays. */
static size_t nested(char *src, size_t n)
{
	size_t i, len = 4;

	memcpy(src, "a = ", 4);
	for (i = 0; i < n; i++)
		src[len++] = '[';
	for (i = 0; i < n; i++)
		src[len++] = ']';
	return len;
}

static void default_depth_limit(void **state)
{
	char src[600];
	struct toml_error err;
	struct toml_value *v;
	size_t len, i;

	(void)state;
	v = toml_parse(src, nested(src, 128), &err);
	assert_non_null(v);
	toml_free(v);
	v = toml_parse(src, nested(src, 129), &err);
	assert_null(v);
	assert_non_null(strstr(err.msg, "deeper than 128 levels"));

	/* [t.t.t...] with 129 parts: tables count too */
	for (len = 0, i = 0; i < 129; i++) {
		memcpy(src + len, i ? ".t" : "[t", 2);
		len += 2;
	}
	src[len++] = ']';
	assert_null(toml_parse(src, len, &err));
	assert_non_null(strstr(err.msg, "deeper than 128 levels"));
	v = toml_parse(src, len - 3, NULL);	/* 128 parts, err may be NULL */
	assert_null(v);		/* no closing bracket left */
	src[len - 3] = ']';
	v = toml_parse(src, len - 2, NULL);
	assert_non_null(v);
	toml_free(v);
}

static void strings_and_datetimes(void **state)
{
	struct toml_value *root = parse_ok(
		"nul = \"a\\u0000b\"\n"
		"ml = \"\"\"\r\nx \\\r\n   y\r\nz\"\"\"\n"
		"odt = 1979-05-27 07:32:00.5z\n"
		"ldt = 1979-05-27t07:32:00\n"
		"ld = 2024-02-29\nlt = 23:59:60\n");

	(void)state;
	assert_int_equal(toml_str_len(toml_get(root, "nul")), 3);
	assert_memory_equal(toml_str(toml_get(root, "nul")), "a\0b", 4);
	assert_string_equal(toml_str(toml_get(root, "ml")), "x y\nz");
	assert_int_equal(toml_type(toml_get(root, "odt")), TOML_DATETIME);
	assert_string_equal(toml_datetime_text(toml_get(root, "odt")),
			    "1979-05-27T07:32:00.5Z");
	assert_int_equal(toml_type(toml_get(root, "ldt")),
			 TOML_DATETIME_LOCAL);
	assert_string_equal(toml_datetime_text(toml_get(root, "ldt")),
			    "1979-05-27T07:32:00");
	assert_int_equal(toml_type(toml_get(root, "ld")), TOML_DATE_LOCAL);
	assert_int_equal(toml_type(toml_get(root, "lt")), TOML_TIME_LOCAL);
	assert_null(toml_str(toml_get(root, "lt")));
	toml_free(root);
}

static void numbers(void **state)
{
	struct toml_value *root = parse_ok(
		"min = -9223372036854775808\nhex = 0x7fff_ffff_ffff_ffff\n"
		"oct = 0o17\nbin = 0b101\nf = -1_0.5e-1\nni = -inf\nn = nan\n");

	(void)state;
	assert_true(toml_int(toml_get(root, "min")) == INT64_MIN);
	assert_true(toml_int(toml_get(root, "hex")) == INT64_MAX);
	assert_int_equal(toml_int(toml_get(root, "oct")), 15);
	assert_int_equal(toml_int(toml_get(root, "bin")), 5);
	assert_true(toml_float(toml_get(root, "f")) == -1.05);
	assert_true(isinf(toml_float(toml_get(root, "ni"))));
	assert_true(toml_float(toml_get(root, "ni")) < 0);
	assert_true(isnan(toml_float(toml_get(root, "n"))));
	toml_free(root);
}

/* Many keys in one table: each found again, insertion order kept. */
static void big_table(void **state)
{
	enum { N = 20000 };
	static char src[N * 16];
	size_t len = 0, i;
	struct toml_value *root;
	char key[16];

	(void)state;
	for (i = 0; i < N; i++) {
		int n = snprintf(src + len, sizeof(src) - len, "k%zu = %zu\n",
				 (i * 7919) % N, i);

		assert_true(n > 0 && (size_t)n < sizeof(src) - len);
		len += (size_t)n;
	}
	root = toml_parse(src, len, NULL);
	assert_non_null(root);
	assert_int_equal(toml_len(root), N);
	for (i = 0; i < N; i += 97) {
		snprintf(key, sizeof(key), "k%zu", (i * 7919) % N);
		assert_string_equal(toml_key_at(root, i), key);
		assert_int_equal(toml_int(toml_get(root, key)), i);
	}
	toml_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typed_lookups),
		cmocka_unit_test(accessors_take_null_and_wrong_types),
		cmocka_unit_test(dotted_paths),
		cmocka_unit_test(keys_keep_document_order),
		cmocka_unit_test(lines_and_columns),
		cmocka_unit_test(implicit_table_takes_its_header_line),
		cmocka_unit_test(error_positions),
		cmocka_unit_test(redefinitions),
		cmocka_unit_test(allowed_extensions),
		cmocka_unit_test(limits),
		cmocka_unit_test(default_depth_limit),
		cmocka_unit_test(strings_and_datetimes),
		cmocka_unit_test(numbers),
		cmocka_unit_test(big_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
