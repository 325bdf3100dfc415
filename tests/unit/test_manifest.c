/*
 * test_manifest.c - package.toml: the fields and their forms (author or
 * authors, tags as an array or a [package.tags] table), the tables that
 * are metadata, and one precise message per broken rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "market/manifest.h"
#include "util/error.h"

static int parse(const char *text, struct gg_manifest *m, struct gg_buf *e)
{
	gg_buf_reset(e);
	return gg_manifest_parse(text, strlen(text), "package.toml", m, e);
}

static void full(void **state)
{
	static const char text[] =
		"# comment\n"
		"[package]\n"
		"name = \"my-pkg_2\"\n"
		"version = \"1.2.3-rc.1+b5\"\n"
		"description = \"A package\"\n"
		"category = \"tools\"\n"
		"authors = [\"Ann\", \"Bob\"]\n"
		"license = \"MIT\"\n"
		"repository = \"https://example.org/r\"\n"
		"homepage = \"https://example.org\"\n"
		"tags = [\"a\", \"b\"]\n"
		"dependencies = [\"base\", \"util@^1.2\"]\n"
		"features = [\"anything\"]\n"
		"[package.keywords]\n"
		"keywords = [\"k1\", \"k2\", \"k3\"]\n"
		"[package.metadata]\n"
		"x = 1\n"
		"[dependencies]\n"
		"serde = { version = \"1\", features = [\"derive\"] }\n"
		"[variables]\n"
		"author = { type = \"string\" }\n";
	struct gg_buf e = GG_BUF_INIT(4096);
	struct gg_manifest m;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(parse(text, &m, &e), 0);
	assert_string_equal(m.name, "my-pkg_2");
	assert_string_equal(m.version, "1.2.3-rc.1+b5");
	assert_string_equal(m.semver.pre, "rc.1");
	assert_string_equal(m.description, "A package");
	assert_string_equal(m.category, "tools");
	assert_string_equal(m.author, "Ann, Bob");
	assert_string_equal(m.license, "MIT");
	assert_string_equal(m.repository, "https://example.org/r");
	assert_string_equal(m.homepage, "https://example.org");
	assert_int_equal(m.ntags, 2);
	assert_string_equal(m.tags[1], "b");
	assert_int_equal(m.nkeywords, 3);
	assert_string_equal(m.keywords[2], "k3");
	/* only [package] dependencies; the top-level table is metadata */
	assert_int_equal(m.ndeps, 2);
	assert_string_equal(m.dependencies[1], "util@^1.2");
	assert_non_null(m.doc);
	assert_int_equal(gg_manifest_to_json(&m, &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "author")),
			    "Ann, Bob");
	assert_int_equal(json_array_size(json_object_get(j, "dependencies")),
			 2);
	json_decref(j);
	gg_manifest_release(&m);
	assert_null(m.name);
	gg_buf_release(&e);
}

static void minimal(void **state)
{
	struct gg_buf e = GG_BUF_INIT(4096);
	struct gg_manifest m;

	(void)state;
	assert_int_equal(parse("[package]\nname = \"x\"\nversion = \"0.0.0\"\n"
			       "description = \"\"\nauthor = \"Me\"\n"
			       "authors = [\"ignored\"]\n", &m, &e), 0);
	assert_string_equal(m.category, "");
	assert_string_equal(m.author, "Me");
	assert_string_equal(m.license, "");
	assert_int_equal(m.ntags + m.nkeywords + m.ndeps, 0);
	gg_manifest_release(&m);
	gg_buf_release(&e);
}

#define HEAD "[package]\nname = \"x\"\nversion = \"1.0.0\"\ndescription = \"d\"\n"

static void errors(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *msg;
	} cases[] = {
		{ "[package]\nname = \"x\"\nversion = \"1.0\"\ndescription = \"d\"\n",
		  GG_EINVAL, "package.toml:3: [package] version '1.0' is not "
			     "SemVer 2.0 (MAJOR.MINOR.PATCH)" },
		{ "[package]\nname = \"x\"\nversion = \"01.0.0\"\ndescription = \"d\"\n",
		  GG_EINVAL, "package.toml:3: [package] version '01.0.0' is not "
			     "SemVer 2.0 (leading zero in a version number)" },
		{ "[package]\nname = \"My_Pkg\"\nversion = \"1.0.0\"\n",
		  GG_EINVAL, "package.toml:2: [package] name 'My_Pkg' is not a "
			     "valid package name ([a-z0-9][a-z0-9_-]{0,63})" },
		{ "[package]\nversion = \"1.0.0\"\n", GG_EINVAL,
		  "package.toml:1: [package] name is missing (it is required)" },
		{ "[package]\nname = \"x\"\nversion = \"1.0.0\"\n", GG_EINVAL,
		  "package.toml:1: [package] description is missing (it is "
		  "required)" },
		{ "[package]\nname = 5\n", GG_EINVAL,
		  "package.toml:2: [package] name must be a string" },
		{ HEAD "tags = \"a\"\n", GG_EINVAL,
		  "package.toml:5: [package] tags must be an array of strings" },
		{ HEAD "keywords = [\"a\", 2]\n", GG_EINVAL,
		  "package.toml:5: [package] keywords must be an array of "
		  "strings" },
		{ HEAD "[package.tags]\nother = []\n", GG_EINVAL,
		  "package.toml:5: [package] tags must be an array of strings (or "
		  "a table with one)" },
		{ HEAD "dependencies = [\"ok\", \"Bad@1\"]\n", GG_EINVAL,
		  "package.toml:5: [package] dependencies 'Bad@1' is not \"name\" "
		  "or \"name@requirement\": the name must match "
		  "[a-z0-9][a-z0-9_-]{0,63}" },
		{ HEAD "dependencies = [\"a@>=1.x\"]\n", GG_EINVAL,
		  "package.toml:5: [package] dependencies 'a@>=1.x' is not "
		  "\"name\" or \"name@requirement\": a wildcard cannot follow an "
		  "operator" },
		{ HEAD "author = [\"a\"]\n", GG_EINVAL,
		  "package.toml:5: [package] author must be a string" },
		{ HEAD "license = \"a\\u0000b\"\n", GG_EINVAL,
		  "package.toml:5: [package] license must not contain a NUL "
		  "character" },
		{ "[other]\nname = \"x\"\n", GG_EINVAL,
		  "package.toml: no [package] table" },
		{ "package = 1\n", GG_EINVAL, "package.toml: no [package] table" },
		{ "[package]\nname = \"x\"\nname = \"y\"\n", GG_EPARSE,
		  "package.toml:3:1: " },
		{ "[package]\nname = \"x\n", GG_EPARSE, "package.toml:2:" },
		{ "[features]\n- \"a\"\n", GG_EPARSE, "package.toml:2:3: " },
	};
	struct gg_buf e = GG_BUF_INIT(4096);
	struct gg_manifest m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].text, &m, &e);

		if (rc != cases[i].rc ||
		    strncmp(gg_buf_cstr(&e), cases[i].msg,
			    strlen(cases[i].msg)))
			fail_msg("case %zu: rc %d, message '%s', want '%s'", i,
				 rc, gg_buf_cstr(&e), cases[i].msg);
		assert_null(m.name); /* nothing handed out on failure */
		assert_null(m.doc);
	}
	gg_buf_release(&e);
}

static void names(void **state)
{
	(void)state;
	assert_true(gg_pkg_name_valid("a"));
	assert_true(gg_pkg_name_valid("0"));
	assert_true(gg_pkg_name_valid("a-b_c9"));
	assert_true(gg_pkg_name_valid("a123456789012345678901234567890123456789"
				      "012345678901234567890123"));
	assert_false(gg_pkg_name_valid("a1234567890123456789012345678901234567"
				       "8901234567890123456789012345"));
	assert_false(gg_pkg_name_valid(""));
	assert_false(gg_pkg_name_valid(NULL));
	assert_false(gg_pkg_name_valid("-a"));
	assert_false(gg_pkg_name_valid("_a"));
	assert_false(gg_pkg_name_valid("aB"));
	assert_false(gg_pkg_name_valid("a.b"));
	assert_false(gg_pkg_name_valid("a/b"));
	assert_false(gg_pkg_name_valid("a b"));
	assert_false(gg_pkg_name_valid("é"));
}

static void load(void **state)
{
	char path[] = "/tmp/test_manifest_XXXXXX";
	struct gg_buf e = GG_BUF_INIT(4096);
	struct gg_manifest m;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	fputs(HEAD, f);
	fclose(f);
	assert_int_equal(gg_manifest_load(path, &m, &e), 0);
	assert_string_equal(m.name, "x");
	gg_manifest_release(&m);
	unlink(path);
	assert_int_equal(gg_manifest_load(path, &m, &e), GG_ENOTFOUND);
	assert_non_null(strstr(gg_buf_cstr(&e), path));
	gg_buf_release(&e);
}

static void too_big(void **state)
{
	size_t n = GG_MANIFEST_MAX_SIZE + 1;
	char *big = malloc(n);
	struct gg_buf e = GG_BUF_INIT(4096);
	struct gg_manifest m;

	(void)state;
	memset(big, '#', n);
	assert_int_equal(gg_manifest_parse(big, n, NULL, &m, &e), GG_ETOOBIG);
	free(big);
	gg_buf_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full),	  cmocka_unit_test(minimal),
		cmocka_unit_test(errors), cmocka_unit_test(names),
		cmocka_unit_test(load),	  cmocka_unit_test(too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
