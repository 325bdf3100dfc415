/*
 * archive_walk.c - read an untrusted .tar.gz entry by entry, refusing
 * anything extraction must not do (see archive_impl.h), and the two
 * read-only uses of that walk: listing and reading package.toml.
 *
 * libarchive does the tar and gzip decoding; every decision about what is
 * acceptable is made here, before a byte reaches the file system.  Limits
 * count what is actually read, so a header that lies about its size (or a
 * gzip bomb) is stopped by the bytes it produces.
 */
#include <string.h>

#include "market/archive_impl.h"
#include "util/error.h"

#define READ_BLOCK 65536

/* ---- the set of paths seen ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int set_grow(struct pathset *s)
{
	struct pathset big = { NULL, s->cap ? s->cap * 2 : 64, 0 };
	size_t i;

	big.slot = calloc(big.cap, sizeof(char *));
	if (!big.slot)
		return GG_ENOMEM;
	for (i = 0; i < s->cap; i++) {
		size_t j;

		if (!s->slot[i])
			continue;
		j = hash_str(s->slot[i]) & (big.cap - 1);
		while (big.slot[j])
			j = (j + 1) & (big.cap - 1);
		big.slot[j] = s->slot[i];
	}
	big.n = s->n;
	free(s->slot);
	*s = big;
	return 0;
}

/* 0 when added, GG_EEXISTS when already there. */
static int set_add(struct pathset *s, const char *path)
{
	size_t j;
	int rc;

	if ((s->n + 1) * 2 > s->cap && (rc = set_grow(s)) != 0)
		return rc;
	j = hash_str(path) & (s->cap - 1);
	for (; s->slot[j]; j = (j + 1) & (s->cap - 1))
		if (!strcmp(s->slot[j], path))
			return GG_EEXISTS;
	s->slot[j] = strdup(path);
	if (!s->slot[j])
		return GG_ENOMEM;
	s->n++;
	return 0;
}

static void set_release(struct pathset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* ---- the walk ---- */

/* Append s, printable ASCII only, cut at 120 bytes. */
static void add_printable(struct gg_buf *b, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < 120; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			gg_buf_addc(b, c);
		else
			gg_buf_printf(b, "\\x%02x", c);
	}
	if (s[i])
		gg_buf_adds(b, "...");
}

int walk_fail(struct walk *w, int code, const char *why)
{
	if (w->err) {
		gg_buf_reset(w->err);
		gg_buf_printf(w->err, "entry %llu '",
			      (unsigned long long)w->entries);
		add_printable(w->err, w->path);
		gg_buf_printf(w->err, "': %s", why);
	}
	return code;
}

static int fail_plain(struct walk *w, int code, const char *what)
{
	if (w->err) {
		gg_buf_reset(w->err);
		gg_buf_adds(w->err, what);
	}
	return code;
}

int walk_open(struct walk *w, const char *path, const void *p, size_t n,
	      const struct gg_archive_limits *lim, struct gg_buf *err)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->err = err;
	r = gg_la_load(&w->la, err);
	if (r)
		return r;
	if (lim)
		w->lim = *lim;
	else
		gg_archive_limits_default(&w->lim);
	w->a = w->la.read_new();
	if (!w->a)
		return GG_ENOMEM;
	w->la.read_support_filter_gzip(w->a);
	w->la.read_support_format_tar(w->a);
	if (path)
		r = w->la.read_open_filename(w->a, path, READ_BLOCK);
	else
		r = w->la.read_open_memory(w->a, p, n);
	if (r != ARCHIVE_OK) {
		if (err) {
			gg_buf_reset(err);
			gg_buf_printf(err, "cannot open the archive: %s",
				      w->la.error_string(w->a)
					      ? w->la.error_string(w->a)
					      : "unknown error");
		}
		walk_close(w);
		return GG_EPARSE;
	}
	return 0;
}

void walk_close(struct walk *w)
{
	if (w->a)
		w->la.read_free(w->a);
	w->a = NULL;
	set_release(&w->seen);
}

/* Copy the raw name into w->path, dropping "./" prefixes and trailing
 * slashes; refuse what cannot be made safe. */
static int normalise(struct walk *w, const char *raw)
{
	const char *p = raw, *c;
	size_t n, depth = 0;

	snprintf(w->path, sizeof(w->path), "%s", raw ? raw : "");
	if (!raw)
		return walk_fail(w, GG_EPERM, "the name cannot be decoded");
	if (strlen(raw) > GG_ARCHIVE_MAX_PATH)
		return walk_fail(w, GG_EPERM, "path longer than 1024 bytes");
	if (*p == '/')
		return walk_fail(w, GG_EPERM, "absolute path");
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	if (n == 1 && p[0] == '.')
		n = 0; /* "." is the root, like "./" */
	for (c = p; c < p + n;) {
		size_t len = strcspn(c, "/");

		if (len > (size_t)(p + n - c))
			len = (size_t)(p + n - c);
		if (len == 2 && !memcmp(c, "..", 2))
			return walk_fail(w, GG_EPERM,
					 "path has a '..' component");
		if (len == 0 || (len == 1 && *c == '.'))
			return walk_fail(w, GG_EPERM,
					 "path has an empty or '.' component");
		if (++depth > GG_ARCHIVE_MAX_DEPTH)
			return walk_fail(w, GG_EPERM, "path deeper than 64 "
						      "levels");
		c += len + 1;
	}
	memmove(w->path, p, n);
	w->path[n] = 0;
	return 0;
}

static const char *type_name(mode_t t)
{
	switch (t) {
	case AE_IFLNK:
		return "symbolic links are not allowed";
	case AE_IFCHR:
		return "character devices are not allowed";
	case AE_IFBLK:
		return "block devices are not allowed";
	case AE_IFIFO:
		return "FIFOs are not allowed";
	case AE_IFSOCK:
		return "sockets are not allowed";
	default:
		return "only regular files and directories are allowed";
	}
}

/* The checks on one header, after its path was normalised. */
static int check_entry(struct walk *w, struct archive_entry *e)
{
	mode_t t = w->la.entry_filetype(e);
	int rc;

	if (w->la.entry_hardlink(e))
		return walk_fail(w, GG_EPERM, "hard links are not allowed");
	if (t != AE_IFREG && t != AE_IFDIR)
		return walk_fail(w, GG_EPERM, type_name(t));
	w->is_dir = t == AE_IFDIR;
	w->mode = (unsigned)w->la.entry_perm(e);
	w->size = w->la.entry_size_is_set(e) && !w->is_dir &&
			  w->la.entry_size(e) > 0
		  ? (uint64_t)w->la.entry_size(e) : 0;
	if (!w->path[0])
		return w->is_dir ? 0 : walk_fail(w, GG_EPERM, "empty path");
	if (w->size > w->lim.max_bytes - w->bytes)
		return walk_fail(w, GG_ELIMIT, "more unpacked bytes than "
					       "the limit allows");
	rc = set_add(&w->seen, w->path);
	if (rc == GG_EEXISTS)
		return walk_fail(w, rc, "duplicate entry");
	return rc;
}

int walk_next(struct walk *w)
{
	struct archive_entry *e;
	int r, rc;

	for (;;) {
		r = w->la.read_next_header(w->a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return fail_plain(w, GG_EPARSE,
					  w->la.error_string(w->a)
						  ? w->la.error_string(w->a)
						  : "malformed archive");
		if (w->la.filter_count(w->a) != 2 ||
		    w->la.filter_code(w->a, 0) != ARCHIVE_FILTER_GZIP)
			return fail_plain(w, GG_EPARSE,
					  "not a gzip-compressed tar");
		w->entries++;
		snprintf(w->path, sizeof(w->path), "%s",
			 w->la.entry_pathname(e) ? w->la.entry_pathname(e)
						   : "");
		if (w->entries > w->lim.max_entries)
			return walk_fail(w, GG_ELIMIT, "more entries than the "
						       "limit allows");
		rc = normalise(w, w->la.entry_pathname(e));
		if (!rc)
			rc = check_entry(w, e);
		if (rc)
			return rc;
		if (w->path[0])
			return 1;
	}
}

int64_t walk_read(struct walk *w, void *buf, size_t n)
{
	la_ssize_t r;

	if (w->is_dir)
		return 0;
	r = w->la.read_data(w->a, buf, n);
	if (r < 0)
		return walk_fail(w, GG_EPARSE, w->la.error_string(w->a)
						       ? w->la.error_string(w->a)
						       : "corrupt data");
	if ((uint64_t)r > w->lim.max_bytes - w->bytes)
		return walk_fail(w, GG_ELIMIT, "more unpacked bytes than the "
					       "limit allows");
	w->bytes += (uint64_t)r;
	return r;
}

/* ---- listing and the manifest ---- */

/* Read the rest of the current entry, keeping at most keep->max bytes
 * in keep (NULL: discard). */
static int drain(struct walk *w, struct gg_buf *keep)
{
	char *buf = malloc(READ_BLOCK);
	int64_t r;
	int rc = buf ? 0 : GG_ENOMEM;

	while (!rc && (r = walk_read(w, buf, READ_BLOCK)) != 0) {
		if (r < 0)
			rc = (int)r;
		else if (keep && gg_buf_add(keep, buf, (size_t)r))
			rc = walk_fail(w, GG_ETOOBIG, "package.toml is too "
						      "large");
	}
	free(buf);
	return rc;
}

int gg_archive_list_mem(const void *p, size_t n,
			const struct gg_archive_limits *lim,
			int (*cb)(void *ctx, const struct gg_archive_entry *e),
			void *ctx, struct gg_buf *err)
{
	struct walk w;
	int rc = walk_open(&w, NULL, p, n, lim, err);

	while (!rc && (rc = walk_next(&w)) == 1) {
		struct gg_archive_entry e = { w.path, w.is_dir, w.size,
					      w.mode };

		rc = cb ? cb(ctx, &e) : 0;
		if (!rc)
			rc = drain(&w, NULL);
	}
	walk_close(&w);
	return rc;
}

static int read_manifest(const char *path, const void *p, size_t n,
			 const struct gg_archive_limits *lim,
			 struct gg_manifest *out, struct gg_buf *err)
{
	struct gg_buf text = GG_BUF_INIT(GG_MANIFEST_MAX_SIZE);
	char name[4200];
	struct walk w;
	int rc = walk_open(&w, path, p, n, lim, err);

	gg_manifest_init(out);
	if (!rc)
		while ((rc = walk_next(&w)) == 1)
			if (!w.is_dir && !strcmp(w.path, GG_MANIFEST_FILE))
				break;
	if (rc == 1)
		rc = drain(&w, &text);
	else if (rc == 0)
		rc = fail_plain(&w, GG_EINVAL, "no package.toml at the root "
					       "of the archive");
	walk_close(&w);
	if (rc)
		goto out;
	snprintf(name, sizeof(name), "%s!" GG_MANIFEST_FILE,
		 path ? path : "archive");
	rc = gg_manifest_parse(gg_buf_cstr(&text), text.len, name, out, err);
out:
	gg_buf_release(&text);
	return rc;
}

int gg_archive_read_manifest(const char *archive_path,
			     const struct gg_archive_limits *lim,
			     struct gg_manifest *out, struct gg_buf *err)
{
	return read_manifest(archive_path, NULL, 0, lim, out, err);
}

int gg_archive_read_manifest_mem(const void *p, size_t n,
				 const struct gg_archive_limits *lim,
				 struct gg_manifest *out, struct gg_buf *err)
{
	return read_manifest(NULL, p, n, lim, out, err);
}
