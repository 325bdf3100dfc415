/*
 * test_store.c - package IDs (known vectors computed independently with
 * python3's hashlib/base64, round-trips, strict rejects) and the content
 * store: put/has/open/read, no-op re-puts, corruption detected and healed,
 * expected-ID puts for downloads, removal and enumeration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "market/pkgid.h"
#include "market/store.h"
#include "util/error.h"

#define ABC_HEX "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define ABC_CID "bafkreif2pall7dybz7vecqka3zo24irdwabwdi4wc55jznaq75q7eaavvu"
#define ABC_B58 "QmatYkNGZnELf8cAGdyJpUca2PyY4szai3RHyyWofNY1pY"
#define EMPTY_CID "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"

static void pkgid_vectors(void **state)
{
	struct gg_pkgid id, back;
	char s[GG_PKGID_STR_SIZE];
	uint8_t mh[GG_PKGID_MH_LEN];

	(void)state;
	gg_pkgid_of("abc", 3, &id);
	assert_int_equal(gg_pkgid_to_hex(&id, s, sizeof(s)), 64);
	assert_string_equal(s, ABC_HEX);
	assert_int_equal(gg_pkgid_to_str(&id, s, sizeof(s)), 71);
	assert_string_equal(s, "sha256:" ABC_HEX);
	assert_int_equal(gg_pkgid_to_cid(&id, s, sizeof(s)), 59);
	assert_string_equal(s, ABC_CID);
	assert_int_equal(gg_pkgid_to_b58(&id, s, sizeof(s)), 46);
	assert_string_equal(s, ABC_B58);
	gg_pkgid_multihash(&id, mh);
	assert_int_equal(mh[0], 0x12);
	assert_int_equal(mh[1], 0x20);
	assert_int_equal(gg_pkgid_from_multihash(mh, sizeof(mh), &back), 0);
	assert_true(gg_pkgid_eq(&id, &back));
	gg_pkgid_of("", 0, &id);
	gg_pkgid_to_cid(&id, s, sizeof(s));
	assert_string_equal(s, EMPTY_CID);
	/* short buffers */
	assert_int_equal(gg_pkgid_to_str(&id, s, 71), GG_ETOOBIG);
	assert_int_equal(gg_pkgid_to_cid(&id, s, 59), GG_ETOOBIG);
}

static void pkgid_parse(void **state)
{
	static const char *const good[] = { "sha256:" ABC_HEX, ABC_CID,
					    ABC_B58 };
	static const char *const bad[] = {
		"", "sha256:", ABC_HEX, "sha256:" ABC_HEX "00",
		"sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",
		"SHA256:" ABC_HEX, "sha512:" ABC_HEX,
		/* dag-pb codec instead of raw */
		"bafybeif2pall7dybz7vecqka3zo24irdwabwdi4wc55jznaq75q7eaavvu",
		/* upper-case multibase, a changed tail, a truncated CID */
		"BAFKREIF2PALL7DYBZ7VECQKA3ZO24IRDWABWDI4WC55JZNAQ75Q7EAAVVU",
		"bafkreif2pall7dybz7vecqka3zo24irdwabwdi4wc55jznaq75q7eaavvv",
		"bafkreif2pall7dybz7vecqka3zo24irdwabwdi4wc55jznaq75q7eaavv",
		"QmatYkNGZnELf8cAGdyJpUca2PyY4szai3RHyyWofNY1p",
		"QmatYkNGZnELf8cAGdyJpUca2PyY4szai3RHyyWofNY1pY1",
		"QmatYkNGZnELf8cAGdyJpUca2PyY4szai3RHyyWofNY1p0",
		"zQmatYkNGZnELf8cAGdyJpUca2PyY4szai3RHyyWofNY1pY",
		"12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
	};
	struct gg_pkgid want, id;
	size_t i;

	(void)state;
	gg_pkgid_of("abc", 3, &want);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&id, 0, sizeof(id));
		assert_int_equal(gg_pkgid_parse(good[i], &id), 0);
		assert_true(gg_pkgid_eq(&id, &want));
	}
	assert_int_equal(gg_pkgid_from_hex(ABC_HEX, &id), 0);
	assert_true(gg_pkgid_eq(&id, &want));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (gg_pkgid_parse(bad[i], &id) != GG_EPARSE)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(gg_pkgid_parse(NULL, &id), GG_EPARSE);
	{
		const uint8_t sha1mh[22] = { 0x11, 0x14 };

		assert_int_equal(gg_pkgid_from_multihash(sha1mh, 22, &id),
				 GG_EPARSE);
	}
}

static char home[64];

static int setup(void **state)
{
	(void)state;
	snprintf(home, sizeof(home), "/tmp/test_store_XXXXXX");
	return mkdtemp(home) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd);
}

static int count_cb(void *ctx, const struct gg_pkgid *id, uint64_t size)
{
	(void)id;
	(void)size;
	(*(int *)ctx)++;
	return 0;
}

static void put_and_read(void **state)
{
	struct gg_store s;
	struct gg_pkgid id, id2, want;
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	char path[GG_STORE_PATH_MAX];
	struct stat st;
	uint64_t size = 0;
	int fd, n = 0;

	(void)state;
	assert_int_equal(gg_store_init(&s, home), 0);
	gg_pkgid_of("abc", 3, &want);
	assert_false(gg_store_has(&s, &want));
	assert_int_equal(gg_store_foreach(&s, count_cb, &n), 0); /* absent */
	assert_int_equal(gg_store_put_mem(&s, "abc", 3, &id), 0);
	assert_true(gg_pkgid_eq(&id, &want));
	assert_true(gg_store_has(&s, &id));
	assert_int_equal(gg_store_path(&s, &id, path, sizeof(path)), 0);
	assert_non_null(strstr(path, "/store/sha256/ba/" ABC_HEX));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* again: a no-op, same ID */
	assert_int_equal(gg_store_put_mem(&s, "abc", 3, &id2), 0);
	assert_true(gg_pkgid_eq(&id, &id2));
	assert_int_equal(gg_store_read(&s, &id, &b), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "abc", 3);
	assert_int_equal(gg_store_open(&s, &id, 1, &fd, &size), 0);
	assert_int_equal(size, 3);
	close(fd);
	/* the empty object is an object too */
	assert_int_equal(gg_store_put_mem(&s, "", 0, &id2), 0);
	assert_int_equal(gg_store_foreach(&s, count_cb, &n), 0);
	assert_int_equal(n, 2);
	gg_buf_release(&b);
}

static void corrupt_write(const char *path, const char *text)
{
	FILE *f;

	chmod(path, 0644);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void corruption(void **state)
{
	struct gg_store s;
	struct gg_pkgid id;
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	char path[GG_STORE_PATH_MAX];
	int fd = 7;

	(void)state;
	assert_int_equal(gg_store_init(&s, home), 0);
	assert_int_equal(gg_store_put_mem(&s, "abc", 3, &id), 0);
	gg_store_path(&s, &id, path, sizeof(path));
	corrupt_write(path, "abd");
	assert_int_equal(gg_store_verify(&s, &id), GG_ECORRUPT);
	assert_int_equal(gg_store_open(&s, &id, 1, &fd, NULL), GG_ECORRUPT);
	assert_int_equal(fd, -1);
	assert_int_equal(gg_store_read(&s, &id, &b), GG_ECORRUPT);
	assert_int_equal(b.len, 0);
	/* unverified open still works (ranges for the fetch protocol) */
	assert_int_equal(gg_store_open(&s, &id, 0, &fd, NULL), 0);
	close(fd);
	/* storing the right content again heals the object */
	assert_int_equal(gg_store_put_mem(&s, "abc", 3, NULL), 0);
	assert_int_equal(gg_store_verify(&s, &id), 0);
	/* a symlink in place of an object is not followed */
	unlink(path);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(gg_store_verify(&s, &id), gg_from_errno(ELOOP));
	assert_false(gg_store_has(&s, &id));
	unlink(path);
	assert_int_equal(gg_store_verify(&s, &id), GG_ENOTFOUND);
	gg_buf_release(&b);
}

static void from_files(void **state)
{
	struct gg_store s;
	struct gg_pkgid id, want, other;
	char src[128], tmpname[GG_STORE_PATH_MAX + 16];
	DIR *d;
	struct dirent *e;
	int n = 0;

	(void)state;
	assert_int_equal(gg_store_init(&s, home), 0);
	snprintf(src, sizeof(src), "%s/download", home);
	corrupt_write(src, "abc");
	gg_pkgid_of("abc", 3, &want);
	gg_pkgid_of("xyz", 3, &other);
	assert_int_equal(gg_store_put_file_expect(&s, src, &other),
			 GG_ECHECKSUM);
	assert_false(gg_store_has(&s, &other));
	assert_false(gg_store_has(&s, &want));
	assert_int_equal(gg_store_put_file_expect(&s, src, &want), 0);
	assert_true(gg_store_has(&s, &want));
	assert_int_equal(gg_store_put_file(&s, src, &id), 0);
	assert_true(gg_pkgid_eq(&id, &want));
	assert_int_equal(gg_store_put_file(&s, "/nonexistent/x", &id),
			 GG_ENOTFOUND);
	/* no temporary file left behind; a stray one is not an object */
	d = opendir(s.root);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		assert_null(strstr(e->d_name, ".tmp-"));
	closedir(d);
	snprintf(tmpname, sizeof(tmpname), "%s/ba/.tmp-x", s.root);
	corrupt_write(tmpname, "junk");
	snprintf(tmpname, sizeof(tmpname), "%s/ba/BA7816", s.root);
	corrupt_write(tmpname, "junk");
	assert_int_equal(gg_store_foreach(&s, count_cb, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(gg_store_remove(&s, &want), 0);
	assert_int_equal(gg_store_remove(&s, &want), GG_ENOTFOUND);
	assert_false(gg_store_has(&s, &want));
}

static int stop_cb(void *ctx, const struct gg_pkgid *id, uint64_t size)
{
	(void)ctx;
	(void)id;
	(void)size;
	return 42;
}

static void foreach_stops(void **state)
{
	struct gg_store s;

	(void)state;
	assert_int_equal(gg_store_init(&s, home), 0);
	assert_int_equal(gg_store_put_mem(&s, "q", 1, NULL), 0);
	assert_int_equal(gg_store_foreach(&s, stop_cb, NULL), 42);
	assert_int_equal(gg_store_init(&s, ""), GG_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pkgid_vectors),
		cmocka_unit_test(pkgid_parse),
		cmocka_unit_test_setup_teardown(put_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(corruption, setup, teardown),
		cmocka_unit_test_setup_teardown(from_files, setup, teardown),
		cmocka_unit_test_setup_teardown(foreach_stops, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
