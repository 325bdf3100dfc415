/*
 * test_lock.c - packages/ggen.lock: an absent file is empty, a round trip
 * keeps every field, saving is sorted and atomic, a malformed file is an
 * error naming the problem and is left untouched, find/put/remove.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "market/lock.h"
#include "util/error.h"

static char home[64];

static int setup(void **state)
{
	(void)state;
	snprintf(home, sizeof(home), "/tmp/test_lock_XXXXXX");
	return mkdtemp(home) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd);
}

static void entry(struct gg_lock_entry *e, const char *name,
		  const char *version, char **deps, size_t ndeps)
{
	memset(e, 0, sizeof(*e));
	e->name = (char *)name;
	e->version = (char *)version;
	gg_pkgid_of(version, strlen(version), &e->id);
	e->source = GG_SOURCE_P2P;
	e->path = (char *)"/x/packages/NAME/VER";
	e->installed_at = 1700000000;
	e->deps = deps;
	e->ndeps = ndeps;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_text(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void round_trip(void **state)
{
	char *deps[] = { (char *)"base", (char *)"util@^1.2" };
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_lock l, l2;
	struct gg_lock_entry e, *f;
	char path[128];
	const char *text;

	(void)state;
	assert_int_equal(gg_lock_load(home, 1, &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_true(l.flock_fd >= 0);
	entry(&e, "zeta", "1.10.0", deps, 2);
	assert_int_equal(gg_lock_put(&l, &e), 0);
	entry(&e, "zeta", "1.9.0", NULL, 0);
	e.source = GG_SOURCE_CENTRAL;
	assert_int_equal(gg_lock_put(&l, &e), 0);
	entry(&e, "alpha", "0.1.0-rc.1", NULL, 0);
	e.source = GG_SOURCE_LOCAL;
	assert_int_equal(gg_lock_put(&l, &e), 0);
	assert_int_equal(gg_lock_save(&l, &err), 0);
	gg_lock_release(&l);

	snprintf(path, sizeof(path), "%s/packages/ggen.lock", home);
	text = read_text(path);
	/* sorted by name, then by version precedence (1.9 before 1.10) */
	assert_true(strstr(text, "\"alpha\"") < strstr(text, "\"zeta\""));
	assert_true(strstr(text, "\"1.9.0\"") < strstr(text, "\"1.10.0\""));
	assert_non_null(strstr(text, "\"version\": 1,"));

	assert_int_equal(gg_lock_load(home, 0, &l2, &err), 0);
	assert_int_equal(l2.n, 3);
	assert_int_equal(l2.flock_fd, -1);
	f = gg_lock_find(&l2, "zeta", NULL); /* highest version */
	assert_non_null(f);
	assert_string_equal(f->version, "1.10.0");
	assert_int_equal(f->source, GG_SOURCE_P2P);
	assert_int_equal(f->installed_at, 1700000000);
	assert_string_equal(f->path, "/x/packages/NAME/VER");
	assert_int_equal(f->ndeps, 2);
	assert_string_equal(f->deps[1], "util@^1.2");
	entry(&e, "zeta", "1.10.0", NULL, 0);
	assert_true(gg_pkgid_eq(&f->id, &e.id));
	assert_true(gg_lock_references(&l2, &e.id));
	f = gg_lock_find(&l2, "zeta", "1.9.0");
	assert_non_null(f);
	assert_int_equal(f->source, GG_SOURCE_CENTRAL);
	assert_null(gg_lock_find(&l2, "zeta", "2.0.0"));
	assert_null(gg_lock_find(&l2, "nope", NULL));
	/* replace keeps one entry per name@version */
	entry(&e, "zeta", "1.9.0", NULL, 0);
	e.installed_at = 5;
	assert_int_equal(gg_lock_put(&l2, &e), 0);
	assert_int_equal(l2.n, 3);
	assert_int_equal(gg_lock_find(&l2, "zeta", "1.9.0")->installed_at, 5);
	assert_int_equal(gg_lock_remove(&l2, "zeta", "1.9.0"), 1);
	assert_int_equal(gg_lock_remove(&l2, "zeta", "1.9.0"), 0);
	assert_int_equal(gg_lock_put(&l2, &e), 0);
	assert_int_equal(gg_lock_remove(&l2, "zeta", NULL), 2);
	assert_int_equal(l2.n, 1);
	assert_int_equal(gg_lock_save(&l2, &err), 0);
	gg_lock_release(&l2);
	assert_int_equal(gg_lock_load(home, 0, &l2, &err), 0);
	assert_int_equal(l2.n, 1);
	gg_lock_release(&l2);
	gg_buf_release(&err);
}

static void malformed(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "{", "malformed JSON" },
		{ "[]", "not a version 1 lock file" },
		{ "{\"version\": 2, \"packages\": []}", "not a version 1" },
		{ "{\"version\": 1}", "not a version 1" },
		{ "{\"version\": 1, \"packages\": [1]}", "packages[0] is not an object" },
		{ "{\"version\": 1, \"packages\": [{\"name\": \"A\"}]}",
		  "packages[0].name is not a valid package name" },
		{ "{\"version\": 1, \"packages\": [{\"name\": \"a\", \"version\":"
		  " \"1.0\"}]}", "packages[0].version is not SemVer 2.0" },
		{ "{\"version\": 1, \"packages\": [{\"name\": \"a\", \"version\":"
		  " \"1.0.0\", \"id\": \"sha256:00\"}]}",
		  "packages[0].id is not \"sha256:<64 lowercase hex>\"" },
		{ "{\"version\":1,\"packages\":[{\"name\":\"a\",\"version\":"
		  "\"1.0.0\",\"id\":\"sha256:ba7816bf8f01cfea414140de5dae2223b00"
		  "361a396177a9cb410ff61f20015ad\",\"source\":\"ftp\"}]}",
		  "packages[0].source is not" },
		{ "{\"version\": 1, \"packages\": [], \"packages\": []}",
		  "malformed JSON" },
	};
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_lock l;
	char path[160], dir[128];
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/packages", home);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/ggen.lock", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		write_text(path, cases[i].text);
		gg_buf_reset(&err);
		rc = gg_lock_load(home, 1, &l, &err);
		if (rc == 0 || !strstr(gg_buf_cstr(&err), cases[i].msg) ||
		    !strstr(gg_buf_cstr(&err), path))
			fail_msg("case %zu: rc %d, '%s'", i, rc,
				 gg_buf_cstr(&err));
		assert_int_equal(l.n, 0);
		assert_int_equal(l.flock_fd, -1); /* released on failure */
		/* the file is left for a person to repair */
		assert_string_equal(read_text(path), cases[i].text);
	}
	gg_buf_release(&err);
}

static void sources(void **state)
{
	enum gg_pkg_source s;

	(void)state;
	assert_int_equal(gg_pkg_source_parse("p2p", &s), 0);
	assert_int_equal(s, GG_SOURCE_P2P);
	assert_string_equal(gg_pkg_source_name(GG_SOURCE_LOCAL), "local");
	assert_int_equal(gg_pkg_source_parse("P2P", &s), GG_EINVAL);
	assert_int_equal(gg_pkg_source_parse(NULL, &s), GG_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed, setup, teardown),
		cmocka_unit_test(sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
