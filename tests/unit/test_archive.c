/*
 * test_archive.c - packing in memory (determinism, order, the gzip
 * header, refusals, limits), listing, reading the manifest, and
 * extraction of our own archives with and without the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "market/archive.h"
#include "util/error.h"

#define MANIFEST "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n" \
		 "description = \"d\"\n"

static char root[64];

static void put(const char *rel, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void mkd(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0700), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_archive_XXXXXX");
	if (!mkdtemp(root))
		return -1;
	mkd("pkg");
	mkd("pkg/b");
	mkd("pkg/a-dir");
	put("pkg/package.toml", MANIFEST, 0600);
	put("pkg/b/z.txt", "zzz", 0640);
	put("pkg/a-dir/tool", "#!/bin/sh\n", 0700);
	put("pkg/B.txt", "upper", 0644);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static int pack(struct gg_buf *out, struct gg_pkgid *id,
		const struct gg_archive_limits *lim, struct gg_buf *err)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/pkg", root);
	gg_buf_reset(out);
	gg_buf_reset(err);
	return gg_archive_pack(dir, lim, out, id, NULL, err);
}

struct listing {
	char text[1024];
};

static int list_cb(void *ctx, const struct gg_archive_entry *e)
{
	struct listing *l = ctx;
	size_t n = strlen(l->text);

	snprintf(l->text + n, sizeof(l->text) - n, "%s%s:%o ", e->path,
		 e->is_dir ? "/" : "", e->mode);
	return 0;
}

static void deterministic(void **state)
{
	struct gg_buf a = GG_BUF_INIT(1 << 20), b = GG_BUF_INIT(1 << 20);
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_pkgid ida, idb, idc;
	struct listing l = { "" };

	(void)state;
	assert_int_equal(pack(&a, &ida, NULL, &err), 0);
	/* other timestamps and permissions with the same x bits */
	put("pkg/b/z.txt", "zzz", 0600);
	utimensat(AT_FDCWD, root, NULL, 0);
	assert_int_equal(pack(&b, &idb, NULL, &err), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_true(gg_pkgid_eq(&ida, &idb));
	gg_pkgid_of(a.data, a.len, &idc);
	assert_true(gg_pkgid_eq(&ida, &idc));
	/* gzip: no FNAME flag, MTIME zero */
	assert_int_equal(a.data[0], 0x1f);
	assert_int_equal(a.data[1], 0x8b);
	assert_int_equal(a.data[3] & 0x08, 0);
	assert_int_equal(a.data[4] | a.data[5] | a.data[6] | a.data[7], 0);
	/* bytewise order: 'B' < 'a' < 'b' < 'p'; modes 0644/0755 */
	assert_int_equal(gg_archive_list_mem(a.data, a.len, NULL, list_cb, &l,
					     &err), 0);
	assert_string_equal(l.text, "B.txt:644 a-dir/:755 a-dir/tool:755 "
				    "b/:755 b/z.txt:644 package.toml:644 ");
	/* a change of content changes the ID */
	put("pkg/b/z.txt", "zzZ", 0600);
	assert_int_equal(pack(&b, &idb, NULL, &err), 0);
	assert_false(gg_pkgid_eq(&ida, &idb));
	gg_buf_release(&a);
	gg_buf_release(&b);
	gg_buf_release(&err);
}

static void refusals(void **state)
{
	struct gg_buf a = GG_BUF_INIT(1 << 20), err = GG_BUF_INIT(4096);
	struct gg_archive_limits lim = { 3, 1 << 20 };
	struct gg_pkgid id;
	char path[256];

	(void)state;
	assert_int_equal(pack(&a, &id, &lim, &err), GG_ELIMIT);
	assert_non_null(strstr(gg_buf_cstr(&err), "more entries than"));
	lim.max_entries = 100;
	lim.max_bytes = 10;
	assert_int_equal(pack(&a, &id, &lim, &err), GG_ELIMIT);
	assert_non_null(strstr(gg_buf_cstr(&err), "more bytes than"));
	/* the output buffer's cap bounds the archive */
	{
		struct gg_buf small = GG_BUF_INIT(64);

		assert_int_equal(pack(&small, &id, NULL, &err), GG_ETOOBIG);
		assert_int_equal(small.len, 0);
		gg_buf_release(&small);
	}
	snprintf(path, sizeof(path), "%s/pkg/b/link", root);
	assert_int_equal(symlink("z.txt", path), 0);
	assert_int_equal(pack(&a, &id, NULL, &err), GG_EUNSUPPORTED);
	assert_non_null(strstr(gg_buf_cstr(&err), "/pkg/b/link: a symbolic "
						  "link"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/pkg/package.toml", root);
	unlink(path);
	assert_int_equal(pack(&a, &id, NULL, &err), GG_EINVAL);
	assert_non_null(strstr(gg_buf_cstr(&err), "package.toml"));
	put("pkg/package.toml", "[package]\nname = \"demo\"\n", 0644);
	assert_int_equal(pack(&a, &id, NULL, &err), GG_EINVAL);
	assert_non_null(strstr(gg_buf_cstr(&err), "version is missing"));
	assert_int_equal(a.len, 0);
	gg_buf_release(&a);
	gg_buf_release(&err);
}

static void manifest_and_extract(void **state)
{
	struct gg_buf a = GG_BUF_INIT(1 << 20), err = GG_BUF_INIT(4096);
	struct gg_archive_limits lim = { 100, 1 << 20 };
	struct gg_manifest m;
	struct gg_pkgid id;
	struct stat st;
	char dest[128], path[256];

	(void)state;
	assert_int_equal(pack(&a, &id, NULL, &err), 0);
	assert_int_equal(gg_archive_read_manifest_mem(a.data, a.len, NULL, &m,
						      &err), 0);
	assert_string_equal(m.name, "demo");
	assert_string_equal(m.version, "0.1.0");
	gg_manifest_release(&m);

	snprintf(dest, sizeof(dest), "%s/out/x/demo", root);
	assert_int_equal(gg_archive_extract_mem(a.data, a.len, dest, &lim,
						GG_EXTRACT_NEED_MANIFEST,
						&err), 0);
	snprintf(path, sizeof(path), "%s/a-dir/tool", dest);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	snprintf(path, sizeof(path), "%s/b/z.txt", dest);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(st.st_size, 3);
	/* exists: refused without REPLACE, and nothing else is touched */
	assert_int_equal(gg_archive_extract_mem(a.data, a.len, dest, &lim, 0,
						&err), GG_EEXISTS);
	assert_int_equal(gg_archive_extract_mem(a.data, a.len, dest, &lim,
						GG_EXTRACT_REPLACE, &err), 0);
	/* limits: 6 entries, 3 + 10 + 5 + 57 data bytes */
	lim.max_entries = 5;
	snprintf(dest, sizeof(dest), "%s/out/y", root);
	assert_int_equal(gg_archive_extract_mem(a.data, a.len, dest, &lim, 0,
						&err), GG_ELIMIT);
	assert_non_null(strstr(gg_buf_cstr(&err), "entry 6 'package.toml'"));
	assert_int_equal(lstat(dest, &st), -1);
	lim.max_entries = 6;
	lim.max_bytes = 20;
	assert_int_equal(gg_archive_extract_mem(a.data, a.len, dest, &lim, 0,
						&err), GG_ELIMIT);
	assert_non_null(strstr(gg_buf_cstr(&err), "package.toml"));
	assert_int_equal(lstat(dest, &st), -1);
	/* a truncated archive is an error, and leaves nothing */
	lim.max_bytes = 1 << 20;
	assert_int_equal(gg_archive_extract_mem(a.data, a.len / 2, dest, &lim,
						0, &err) < 0, 1);
	assert_int_equal(lstat(dest, &st), -1);
	snprintf(path, sizeof(path), "%s/out", root);
	{
		char cmd[300];

		/* only x/ remains in out/: no temporary directories */
		snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s')\" = x", path);
		assert_int_equal(system(cmd), 0);
	}
	gg_buf_release(&a);
	gg_buf_release(&err);
}

static void not_archives(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_manifest m;

	(void)state;
	assert_int_equal(gg_archive_list_mem("hello", 5, NULL, NULL, NULL,
					     &err), GG_EPARSE);
	assert_int_equal(gg_archive_read_manifest_mem("", 0, NULL, &m, &err)
				 < 0, 1);
	assert_int_equal(gg_archive_read_manifest("/nonexistent.tar.gz", NULL,
						  &m, &err), GG_EPARSE);
	gg_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(manifest_and_extract, setup,
						teardown),
		cmocka_unit_test(not_archives),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
