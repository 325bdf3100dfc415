/* fuzz_archive.c - list an untrusted .tar.gz, read its manifest, and
 * extract it into a fresh temporary directory with small limits.  Every
 * path handed out must be relative and free of "..", and a failed
 * extraction must leave nothing behind.  Mutating compressed bytes mostly
 * breaks the gzip CRC, so when the first byte is 'T' the rest is taken as
 * a raw tar and gzip'd here first: the fuzzer then explores tar headers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "market/archive.h"

static int check_entry(void *ctx, const struct gg_archive_entry *e)
{
	const char *p = e->path;

	(void)ctx;
	if (!*p || *p == '/' || strstr(p, "..") == p ||
	    strstr(p, "/../") || (strlen(p) >= 3 &&
				  !strcmp(p + strlen(p) - 3, "/..")))
		__builtin_trap();
	return 0;
}

/* gzip p[0..n) into out with libarchive's raw format. */
static int gzip_raw(const uint8_t *p, size_t n, struct gg_buf *out)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t used = 0;
	int rc = -1;

	if (!a || !e || gg_buf_reserve(out, n + 4096))
		goto done;
	archive_write_add_filter_gzip(a);
	archive_write_set_format_raw(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_memory(a, out->data, out->cap, &used))
		goto done;
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_pathname(e, "raw");
	if (archive_write_header(a, e) == ARCHIVE_OK &&
	    archive_write_data(a, p, n) == (la_ssize_t)n &&
	    archive_write_close(a) == ARCHIVE_OK) {
		out->len = used;
		rc = 0;
	}
done:
	archive_entry_free(e);
	archive_write_free(a);
	return rc;
}

static void rm_rf(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gg_archive_limits lim = { 64, 1 << 20 };
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_buf gz = GG_BUF_INIT(1 << 20);
	struct gg_manifest m;
	char base[] = "/tmp/fuzz_archive_XXXXXX", dest[64];
	struct stat st;
	int rc;

	if (size > 0 && data[0] == 'T' && gzip_raw(data + 1, size - 1, &gz) == 0) {
		data = gz.data;
		size = gz.len;
	}
	gg_archive_list_mem(data, size, &lim, check_entry, NULL, &err);
	gg_archive_read_manifest_mem(data, size, &lim, &m, &err);
	gg_manifest_release(&m);
	if (!mkdtemp(base))
		goto out;
	snprintf(dest, sizeof(dest), "%s/pkg", base);
	rc = gg_archive_extract_mem(data, size, dest, &lim, 0, &err);
	if (rc && (lstat(dest, &st) == 0 || rmdir(base) != 0))
		__builtin_trap(); /* something was left behind */
	if (!rc)
		rm_rf(base);
out:
	gg_buf_release(&gz);
	gg_buf_release(&err);
	return 0;
}
