/*
 * test_semver.c - SemVer 2.0 parsing and precedence (the examples of the
 * spec and its FAQ), cargo-style requirement matrices including the ^0.x
 * and pre-release rules, picking the best version, dependency strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "market/semver.h"
#include "util/error.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void parse_valid(void **state)
{
	static const char *const ok[] = {
		"0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta",
		"1.1.2+meta", "1.1.2+meta-valid", "1.0.0-alpha", "1.0.0-beta",
		"1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1",
		"1.0.0-alpha0.valid", "1.0.0-alpha.0valid",
		"1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
		"1.0.0-rc.1+build.1", "2.0.0-rc.1+build.123", "10.2.3-DEV-SNAPSHOT",
		"1.2.3-SNAPSHOT-123", "2.0.0+build.1848", "2.0.1-alpha.1227",
		"1.0.0-0A.is.legal", "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
		"1.0.0+0.build.1-rc.10000aaa-kk-0.1", "1.0.0-0.3.7",
		"1.0.0-x.7.z.92", "1.0.0+20130313144700",
		"1.0.0-beta+exp.sha.5114f85", "18446744073709551615.0.0",
		"1.0.0+007",
	};
	struct gg_semver v;
	char back[GG_SEMVER_MAX * 3];
	size_t i;

	(void)state;
	for (i = 0; i < N(ok); i++) {
		assert_int_equal(gg_semver_parse(ok[i], &v, NULL), 0);
		assert_true(gg_semver_to_str(&v, back, sizeof(back)) > 0);
		assert_string_equal(back, ok[i]);
	}
	assert_int_equal(gg_semver_parse("1.1.2-pre.1+b.2", &v, NULL), 0);
	assert_true(v.major == 1 && v.minor == 1 && v.patch == 2);
	assert_string_equal(v.pre, "pre.1");
	assert_string_equal(v.build, "b.2");
}

static void parse_invalid(void **state)
{
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "1", "not MAJOR.MINOR.PATCH" },
		{ "1.2", "not MAJOR.MINOR.PATCH" },
		{ "1.2.3-0123", "leading zero in a pre-release number" },
		{ "1.2.3-0123.0123", "leading zero in a pre-release number" },
		{ "1.1.2+.123", "empty build identifier" },
		{ "+invalid", "not MAJOR.MINOR.PATCH" },
		{ "-invalid", "not MAJOR.MINOR.PATCH" },
		{ "alpha", "not MAJOR.MINOR.PATCH" },
		{ "01.1.1", "leading zero in a version number" },
		{ "1.01.1", "leading zero in a version number" },
		{ "1.1.01", "leading zero in a version number" },
		{ "1.2.3.DEV", "unexpected character after the version" },
		{ "1.2-SNAPSHOT", "not MAJOR.MINOR.PATCH" },
		{ "1.2.3-", "empty pre-release identifier" },
		{ "1.2.3+", "empty build identifier" },
		{ "1.2.3-a..b", "empty pre-release identifier" },
		{ "1.2.3-a_b", "unexpected character after the version" },
		{ "18446744073709551616.0.0", "version number too large" },
		{ " 1.2.3", "not MAJOR.MINOR.PATCH" },
		{ "1.2.3 ", "unexpected character after the version" },
		{ "v1.2.3", "not MAJOR.MINOR.PATCH" },
		{ "", "not MAJOR.MINOR.PATCH" },
	};
	struct gg_semver v;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		why = NULL;
		assert_int_equal(gg_semver_parse(bad[i].s, &v, &why),
				 GG_EPARSE);
		assert_non_null(why);
		assert_string_equal(why, bad[i].why);
		assert_false(gg_semver_valid(bad[i].s));
	}
}

static void parse_too_long(void **state)
{
	char s[GG_SEMVER_MAX + 10];
	struct gg_semver v;

	(void)state;
	memset(s, 'a', sizeof(s));
	memcpy(s, "1.0.0-", 6);
	s[sizeof(s) - 1] = 0;
	assert_int_equal(gg_semver_parse(s, &v, NULL), GG_EPARSE);
	s[GG_SEMVER_MAX - 1] = 0; /* 127 characters fit */
	assert_int_equal(gg_semver_parse(s, &v, NULL), 0);
}

/* SemVer §11: each is lower than the next. */
static void precedence(void **state)
{
	static const char *const order[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
		"1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
		"1.0.0", "1.0.1", "1.1.0", "2.0.0", "2.1.0", "2.1.1",
		"10.0.0",
	};
	struct gg_semver a, b;
	size_t i, j;

	(void)state;
	for (i = 0; i < N(order); i++)
		for (j = 0; j < N(order); j++) {
			int c;

			assert_int_equal(gg_semver_parse(order[i], &a, NULL), 0);
			assert_int_equal(gg_semver_parse(order[j], &b, NULL), 0);
			c = gg_semver_cmp(&a, &b);
			if (i < j)
				assert_true(c < 0);
			else if (i > j)
				assert_true(c > 0);
			else
				assert_int_equal(c, 0);
		}
	/* build metadata does not count */
	assert_int_equal(gg_semver_parse("1.0.0+a", &a, NULL), 0);
	assert_int_equal(gg_semver_parse("1.0.0+b.2", &b, NULL), 0);
	assert_int_equal(gg_semver_cmp(&a, &b), 0);
}

static int matches(const char *req, const char *ver)
{
	struct gg_semver_req r;
	struct gg_semver v;
	const char *why = NULL;

	if (gg_semver_req_parse(req, &r, &why)) {
		print_error("requirement '%s' refused: %s\n", req, why);
		return -1;
	}
	if (gg_semver_parse(ver, &v, NULL))
		return -2;
	return gg_semver_req_matches(&r, &v);
}

static void requirement_matrix(void **state)
{
	static const struct {
		const char *req, *ver;
		int want;
	} m[] = {
		/* a bare version is exact (DESIGN §5), like "=" */
		{ "1.2.3", "1.2.3", 1 }, { "1.2.3", "1.2.4", 0 },
		{ "1.2.3", "1.3.0", 0 }, { "1.2.3", "1.2.3-alpha", 0 },
		{ "1.2.3", "1.2.3+build", 1 }, { "=1.2.3", "1.2.3", 1 },
		{ "=1.2", "1.2.0", 1 }, { "=1.2", "1.2.9", 1 },
		{ "=1.2", "1.3.0", 0 }, { "=1", "1.9.9", 1 },
		{ "=1", "2.0.0", 0 },
		/* caret */
		{ "^1.2.3", "1.2.3", 1 }, { "^1.2.3", "1.9.0", 1 },
		{ "^1.2.3", "2.0.0", 0 }, { "^1.2.3", "1.2.2", 0 },
		{ "^1.2", "1.2.0", 1 }, { "^1.2", "1.9.9", 1 },
		{ "^1.2", "1.1.9", 0 }, { "^1", "1.0.0", 1 },
		{ "^1", "1.99.0", 1 }, { "^1", "2.0.0", 0 },
		{ "^0.2.3", "0.2.3", 1 }, { "^0.2.3", "0.2.9", 1 },
		{ "^0.2.3", "0.3.0", 0 }, { "^0.2.3", "0.2.2", 0 },
		{ "^0.0.3", "0.0.3", 1 }, { "^0.0.3", "0.0.4", 0 },
		{ "^0.0", "0.0.9", 1 }, { "^0.0", "0.1.0", 0 },
		{ "^0", "0.9.9", 1 }, { "^0", "1.0.0", 0 },
		{ "^0.2", "0.2.5", 1 }, { "^0.2", "0.3.0", 0 },
		/* tilde */
		{ "~1.2.3", "1.2.3", 1 }, { "~1.2.3", "1.2.9", 1 },
		{ "~1.2.3", "1.3.0", 0 }, { "~1.2.3", "1.2.2", 0 },
		{ "~1.2", "1.2.0", 1 }, { "~1.2", "1.3.0", 0 },
		{ "~1", "1.9.9", 1 }, { "~1", "2.0.0", 0 },
		{ "~0.2.3", "0.2.4", 1 }, { "~0.2.3", "0.3.0", 0 },
		/* ordering operators, full and partial */
		{ ">1.2.3", "1.2.4", 1 }, { ">1.2.3", "1.2.3", 0 },
		{ ">1.2", "1.3.0", 1 }, { ">1.2", "1.2.9", 0 },
		{ ">1", "2.0.0", 1 }, { ">1", "1.9.9", 0 },
		{ ">=1.2.3", "1.2.3", 1 }, { ">=1.2.3", "1.2.2", 0 },
		{ ">=1.2", "1.2.0", 1 }, { ">=1.2", "1.1.9", 0 },
		{ "<1.2.3", "1.2.2", 1 }, { "<1.2.3", "1.2.3", 0 },
		{ "<1.2", "1.1.9", 1 }, { "<1.2", "1.2.0", 0 },
		{ "<=1.2.3", "1.2.3", 1 }, { "<=1.2.3", "1.2.4", 0 },
		{ "<=1.2", "1.2.9", 1 }, { "<=1.2", "1.3.0", 0 },
		/* conjunctions */
		{ ">=1.2, <2", "1.2.0", 1 }, { ">=1.2, <2", "1.99.0", 1 },
		{ ">=1.2, <2", "2.0.0", 0 }, { ">=1.2, <2", "1.1.9", 0 },
		{ ">= 1.2 , < 1.5", "1.4.9", 1 },
		{ ">1.0.0, <1.0.2", "1.0.1", 1 },
		/* wildcards */
		{ "*", "0.0.1", 1 }, { "*", "99.0.0", 1 },
		{ "*", "1.0.0-alpha", 0 }, { "", "1.2.3", 1 },
		{ "1.*", "1.5.0", 1 }, { "1.*", "2.0.0", 0 },
		{ "1.2.*", "1.2.7", 1 }, { "1.2.*", "1.3.0", 0 },
		{ "1.x", "1.0.0", 1 }, { "1.2.X", "1.2.0", 1 },
		{ "=1.*", "1.3.0", 1 },
		/* pre-releases: only when a comparator names the same
		 * MAJOR.MINOR.PATCH with a pre-release */
		{ ">=1.2.3-alpha", "1.2.3-alpha", 1 },
		{ ">=1.2.3-alpha", "1.2.3-beta", 1 },
		{ ">=1.2.3-alpha", "1.2.3", 1 },
		{ ">=1.2.3-alpha", "1.2.4-alpha", 0 },
		{ ">=1.2.3-alpha", "1.3.0", 1 },
		{ ">1.2.3-alpha.1", "1.2.3-alpha.1", 0 },
		{ ">1.2.3-alpha.1", "1.2.3-alpha.2", 1 },
		{ "^1.2.3-beta.2", "1.2.3-beta.2", 1 },
		{ "^1.2.3-beta.2", "1.2.3-beta.11", 1 },
		{ "^1.2.3-beta.2", "1.2.3-alpha", 0 },
		{ "^1.2.3-beta.2", "1.2.4", 1 },
		{ "^1.2.3-beta.2", "1.2.4-beta", 0 },
		{ "~1.2.3-beta", "1.2.3-rc", 1 }, { "~1.2.3-beta", "1.2.3-alpha", 0 },
		{ "=1.2.3-rc.1", "1.2.3-rc.1", 1 }, { "=1.2.3-rc.1", "1.2.3", 0 },
		{ ">=1.0.0", "2.0.0-rc.1", 0 }, { "<2.0.0", "2.0.0-alpha", 0 },
		{ "^1", "1.5.0-beta", 0 }, { "<1.2.3-rc", "1.2.3-beta", 1 },
		{ ">=1.2.3-alpha, <1.2.3", "1.2.3-rc.1", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(m); i++) {
		int got = matches(m[i].req, m[i].ver);

		if (got != m[i].want)
			fail_msg("'%s' vs %s: got %d, want %d", m[i].req,
				 m[i].ver, got, m[i].want);
	}
}

static void requirement_rejects(void **state)
{
	static const char *const bad[] = {
		">=", "1.2.3,", ",1.2.3", ">= 1.2.3 <2", "01.2", "^1.2-alpha",
		">=1.*", "^1.*", "1.*.3", "1.*.*", "*, >=1", ">=1, *",
		"1.2.3.4", "x.1", "=>1.2", "1.2.3-", "1.2.3-01", "!=1.2.3",
		"~>1.2", "1.2.3 || 2.0.0", "a",
		">=1,>=1,>=1,>=1,>=1,>=1,>=1,>=1,>=1",
	};
	struct gg_semver_req r;
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		const char *why = NULL;

		if (gg_semver_req_parse(bad[i], &r, &why) != GG_EPARSE)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(why);
	}
	assert_int_equal(gg_semver_req_parse("*", &r, NULL), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(gg_semver_req_parse(" >=1.2 , <2 ", &r, NULL), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.c[0].op, GG_REQ_GREATER_EQ);
	assert_int_equal(r.c[1].op, GG_REQ_LESS);
	assert_false(r.c[1].has_minor);
}

static void pick(void **state)
{
	static const char *const vs[] = { "1.0.0", "1.2.0", "2.0.0-rc.1",
					   "1.10.0", "bogus", NULL,
					   "0.9.0", "1.10.0+build" };
	struct gg_semver_req r;

	(void)state;
	assert_int_equal(gg_semver_pick(vs, N(vs), NULL), 3);
	assert_int_equal(gg_semver_req_parse("^1.2", &r, NULL), 0);
	assert_int_equal(gg_semver_pick(vs, N(vs), &r), 3);
	assert_int_equal(gg_semver_req_parse("~1.2", &r, NULL), 0);
	assert_int_equal(gg_semver_pick(vs, N(vs), &r), 1);
	assert_int_equal(gg_semver_req_parse(">=2.0.0-rc.1", &r, NULL), 0);
	assert_int_equal(gg_semver_pick(vs, N(vs), &r), 2);
	assert_int_equal(gg_semver_req_parse("1.0.0", &r, NULL), 0);
	assert_int_equal(gg_semver_pick(vs, N(vs), &r), 0);
	assert_int_equal(gg_semver_req_parse("^3", &r, NULL), 0);
	assert_int_equal(gg_semver_pick(vs, N(vs), &r), GG_ENOTFOUND);
	assert_int_equal(gg_semver_pick(vs, 0, NULL), GG_ENOTFOUND);
	{
		static const char *const pre[] = { "1.0.0-alpha" };

		/* no requirement never selects a pre-release */
		assert_int_equal(gg_semver_pick(pre, 1, NULL), GG_ENOTFOUND);
	}
}

static void deps(void **state)
{
	static const char *const bad[] = {
		"", "@1.0", "Foo", "foo@", "foo@bad", "-foo", "foo bar",
		"foo@^1@2", "_x",
		"a1234567890123456789012345678901234567890123456789012345678901234",
	};
	struct gg_dep d;
	const char *why;
	size_t i;

	(void)state;
	assert_int_equal(gg_dep_parse("foo", &d, NULL), 0);
	assert_string_equal(d.name, "foo");
	assert_false(d.has_req);
	assert_int_equal(gg_dep_parse("agent-memory_forge2@^1.2", &d, NULL), 0);
	assert_string_equal(d.name, "agent-memory_forge2");
	assert_string_equal(d.req_text, "^1.2");
	assert_true(d.has_req);
	assert_int_equal(d.req.n, 1);
	assert_int_equal(d.req.c[0].op, GG_REQ_CARET);
	assert_int_equal(gg_dep_parse("x@1.2.3", &d, NULL), 0);
	assert_int_equal(d.req.c[0].op, GG_REQ_EXACT);
	assert_int_equal(gg_dep_parse("x@>=1.2, <2", &d, NULL), 0);
	assert_int_equal(d.req.n, 2);
	/* 64 characters is the longest name */
	assert_int_equal(gg_dep_parse("a12345678901234567890123456789012345678"
				      "9012345678901234567890123", &d, NULL),
			 0);
	for (i = 0; i < N(bad); i++) {
		why = NULL;
		if (gg_dep_parse(bad[i], &d, &why) != GG_EPARSE)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_valid),
		cmocka_unit_test(parse_invalid),
		cmocka_unit_test(parse_too_long),
		cmocka_unit_test(precedence),
		cmocka_unit_test(requirement_matrix),
		cmocka_unit_test(requirement_rejects),
		cmocka_unit_test(pick),
		cmocka_unit_test(deps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
