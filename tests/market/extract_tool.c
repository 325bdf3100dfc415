/*
 * extract_tool.c - test helper around the archive API:
 *   extract_tool [OPTIONS] extract ARCHIVE DEST
 *   extract_tool [OPTIONS] list ARCHIVE
 *   extract_tool [OPTIONS] manifest ARCHIVE
 * OPTIONS: --max-entries N, --max-bytes N, --replace, --need-manifest.
 * Prints what it did ("ok", one line per entry, "NAME VERSION") or
 * "error: MESSAGE" and exits 1 on failure, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "market/archive.h"
#include "util/error.h"

struct opts {
	struct gg_archive_limits lim;
	unsigned flags;
};

static int print_entry(void *ctx, const struct gg_archive_entry *e)
{
	(void)ctx;
	printf("%s %s %04o %llu\n", e->is_dir ? "d" : "f", e->path, e->mode,
	       (unsigned long long)e->size);
	return 0;
}

static int read_all(const char *path, struct gg_buf *b)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = 0;

	if (!f)
		return gg_from_errno(errno);
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = gg_buf_add(b, chunk, n);
	fclose(f);
	return rc;
}

static int do_cmd(const struct opts *o, const char *cmd, char **argv,
		  int argc, struct gg_buf *err)
{
	struct gg_buf data = GG_BUF_INIT((size_t)1 << 30);
	struct gg_manifest m;
	int rc;

	if (!strcmp(cmd, "extract") && argc == 2)
		return gg_archive_extract(argv[0], argv[1], &o->lim, o->flags,
					  err);
	if (!strcmp(cmd, "manifest") && argc == 1) {
		rc = gg_archive_read_manifest(argv[0], &o->lim, &m, err);
		if (!rc)
			printf("%s %s\n", m.name, m.version);
		gg_manifest_release(&m);
		return rc;
	}
	if (strcmp(cmd, "list") || argc != 1)
		return GG_EUSAGE;
	rc = read_all(argv[0], &data);
	if (rc)
		gg_buf_printf(err, "%s: %s", argv[0], gg_strerror(rc));
	else
		rc = gg_archive_list_mem(data.data, data.len, &o->lim,
					 print_entry, NULL, err);
	gg_buf_release(&data);
	return rc;
}

int main(int argc, char **argv)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct opts o;
	int i = 1, rc;

	o.flags = 0;
	gg_archive_limits_default(&o.lim);
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--replace"))
			o.flags |= GG_EXTRACT_REPLACE;
		else if (!strcmp(argv[i], "--need-manifest"))
			o.flags |= GG_EXTRACT_NEED_MANIFEST;
		else if (!strcmp(argv[i], "--max-entries") && i + 1 < argc)
			o.lim.max_entries = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--max-bytes") && i + 1 < argc)
			o.lim.max_bytes = strtoull(argv[++i], NULL, 10);
		else
			break;
	}
	if (i >= argc)
		return 2;
	rc = do_cmd(&o, argv[i], argv + i + 1, argc - i - 1, &err);
	if (rc == GG_EUSAGE) {
		fprintf(stderr, "usage: extract_tool [OPTIONS] extract|list|"
				"manifest ARCHIVE [DEST]\n");
		return 2;
	}
	if (rc)
		printf("error: %s\n", err.len ? gg_buf_cstr(&err)
					      : gg_strerror(rc));
	else if (!strcmp(argv[i], "extract"))
		printf("ok\n");
	gg_buf_release(&err);
	return rc ? 1 : 0;
}
