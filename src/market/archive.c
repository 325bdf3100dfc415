/*
 * archive.c - deterministic packing of a package directory.
 *
 * The tree is walked first (lstat, never following links) into a list of
 * entries, which is sorted bytewise by path; then each entry is written
 * with only the fields that carry meaning (path, type, 0644/0755, size)
 * and every other field zero or absent.  The tar goes through libarchive's
 * pax-restricted writer (plain ustar unless a name needs an extension
 * header) and its gzip filter without a timestamp; libarchive writes no
 * file name in the gzip header.  The same tree therefore gives the same
 * bytes, and the same package ID, with the same zlib.  Names that are not
 * ASCII are stored as raw bytes (pax hdrcharset=BINARY) because ggen runs
 * in the C locale (it never calls setlocale), whatever LANG says.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "market/archive.h"
#include "market/archive_dl.h"
#include "util/error.h"
#include "util/fs.h"

#define COPY_BLOCK 65536

struct pentry {
	char *path;
	int is_dir;
	unsigned mode;
	uint64_t size;
};

struct pack {
	const char *root;
	struct gg_archive_limits lim;
	struct gg_buf *err;
	struct pentry *v;
	size_t n, cap;
	uint64_t bytes;
	struct gg_buf *out;
	int out_rc;
	int rootfd;
	const struct stat *skip; /* the output file, if inside the tree */
	struct gg_la la;
};

void gg_archive_limits_default(struct gg_archive_limits *l)
{
	l->max_entries = GG_ARCHIVE_DEFAULT_MAX_ENTRIES;
	l->max_bytes = GG_ARCHIVE_DEFAULT_MAX_BYTES;
}

void gg_archive_limits_config(const struct gg_config *c,
			      struct gg_archive_limits *l)
{
	int64_t e = gg_config_int(c, "limits.max_archive_entries");
	int64_t b = gg_config_int(c, "limits.max_unpacked_bytes");

	gg_archive_limits_default(l);
	if (e > 0)
		l->max_entries = (uint64_t)e;
	if (b > 0)
		l->max_bytes = (uint64_t)b;
}

static int pfail(struct pack *pk, int code, const char *path,
		 const char *why)
{
	if (pk->err) {
		gg_buf_reset(pk->err);
		gg_buf_printf(pk->err, "%s/%s: %s", pk->root, path, why);
	}
	return code;
}

static int add_entry(struct pack *pk, const char *path,
		     const struct stat *st)
{
	struct pentry *e;

	if (pk->n >= pk->lim.max_entries)
		return pfail(pk, GG_ELIMIT, path, "more entries than the "
						  "archive limit allows");
	if (!S_ISDIR(st->st_mode) &&
	    (uint64_t)st->st_size > pk->lim.max_bytes - pk->bytes)
		return pfail(pk, GG_ELIMIT, path, "more bytes than the archive "
						  "limit allows");
	if (pk->n == pk->cap) {
		size_t cap = pk->cap ? pk->cap * 2 : 64;

		e = realloc(pk->v, cap * sizeof(*e));
		if (!e)
			return GG_ENOMEM;
		pk->v = e;
		pk->cap = cap;
	}
	e = &pk->v[pk->n];
	e->path = strdup(path);
	if (!e->path)
		return GG_ENOMEM;
	e->is_dir = S_ISDIR(st->st_mode);
	e->mode = (st->st_mode & 0111) || e->is_dir ? 0755 : 0644;
	e->size = e->is_dir ? 0 : (uint64_t)st->st_size;
	pk->bytes += e->size;
	pk->n++;
	return 0;
}

static const char *kind_of(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link; packages hold only regular files "
		       "and directories";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device; packages hold only regular files and "
		       "directories";
	if (S_ISFIFO(m))
		return "a FIFO; packages hold only regular files and "
		       "directories";
	return "not a regular file or directory";
}

static int scan_dir(struct pack *pk, int dfd, const char *rel, int depth);

/* One name found in directory dfd (whose relative path is rel). */
static int scan_one(struct pack *pk, int dfd, const char *rel,
		    const char *name, int depth)
{
	char path[GG_ARCHIVE_MAX_PATH + 1];
	struct stat st;
	int n, rc, fd;

	n = snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "",
		     name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return pfail(pk, GG_ELIMIT, rel, "a path inside is longer "
						 "than 1024 bytes");
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return pfail(pk, gg_from_errno(errno), path, strerror(errno));
	if (pk->skip && st.st_dev == pk->skip->st_dev &&
	    st.st_ino == pk->skip->st_ino)
		return 0; /* never pack our own output */
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return pfail(pk, GG_EUNSUPPORTED, path, kind_of(st.st_mode));
	rc = add_entry(pk, path, &st);
	if (rc || !S_ISDIR(st.st_mode))
		return rc;
	if (depth >= GG_ARCHIVE_MAX_DEPTH)
		return pfail(pk, GG_ELIMIT, path, "deeper than 64 levels");
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				       O_CLOEXEC);
	if (fd < 0)
		return pfail(pk, gg_from_errno(errno), path, strerror(errno));
	return scan_dir(pk, fd, path, depth + 1);
}

/* Every entry below directory fd (closed here). */
static int scan_dir(struct pack *pk, int fd, const char *rel, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		close(fd);
		return pfail(pk, gg_from_errno(errno), rel, strerror(errno));
	}
	while (!rc && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			rc = scan_one(pk, dirfd(d), rel, e->d_name, depth);
	closedir(d);
	return rc;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pentry *)a)->path,
		      ((const struct pentry *)b)->path);
}

static la_ssize_t out_write(struct archive *a, void *ctx, const void *p,
			    size_t n)
{
	struct pack *pk = ctx;

	(void)a;
	pk->out_rc = gg_buf_add(pk->out, p, n);
	return pk->out_rc ? -1 : (la_ssize_t)n;
}

/* Copy one file's bytes into the archive; its size must not change. */
static int write_data(struct pack *pk, struct archive *a,
		      const struct pentry *e, char *buf)
{
	int fd = openat(pk->rootfd, e->path, O_RDONLY | O_NOFOLLOW |
						     O_CLOEXEC);
	uint64_t left = e->size;
	int rc = 0;

	if (fd < 0)
		return pfail(pk, gg_from_errno(errno), e->path,
			     strerror(errno));
	while (!rc && left) {
		ssize_t r = read(fd, buf, left < COPY_BLOCK ? left
							   : COPY_BLOCK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			rc = pfail(pk, GG_EIO, e->path, "changed while packing");
		else if (pk->la.write_data(a, buf, (size_t)r) != r)
			rc = pk->out_rc ? pk->out_rc : GG_EIO;
		else
			left -= (uint64_t)r;
	}
	close(fd);
	return rc;
}

static int write_entry(struct pack *pk, struct archive *a,
		       struct archive_entry *ae, const struct pentry *e,
		       char *buf)
{
	int r;

	pk->la.entry_clear(ae);
	pk->la.entry_copy_pathname(ae, e->path);
	pk->la.entry_set_filetype(ae, e->is_dir ? AE_IFDIR : AE_IFREG);
	pk->la.entry_set_perm(ae, e->mode);
	pk->la.entry_set_size(ae, (la_int64_t)e->size);
	pk->la.entry_set_mtime(ae, 0, 0);
	pk->la.entry_set_uid(ae, 0);
	pk->la.entry_set_gid(ae, 0);
	/* ARCHIVE_WARN: a name that is not text in the C locale was stored
	 * as raw bytes (pax hdrcharset=BINARY), which is what we want */
	r = pk->la.write_header(a, ae);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return pk->out_rc ? pk->out_rc
				  : pfail(pk, GG_EIO, e->path,
					  pk->la.error_string(a));
	return e->is_dir ? 0 : write_data(pk, a, e, buf);
}

static struct archive *writer_new(struct pack *pk)
{
	struct archive *a = pk->la.write_new();

	if (!a)
		return NULL;
	if (pk->la.write_add_filter_gzip(a) != ARCHIVE_OK ||
	    pk->la.write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    pk->la.write_set_filter_option(a, "gzip", "timestamp", NULL) !=
		    ARCHIVE_OK ||
	    pk->la.write_set_filter_option(a, "gzip", "compression-level",
					    "6") != ARCHIVE_OK ||
	    pk->la.write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    pk->la.write_open(a, pk, NULL, out_write, NULL) != ARCHIVE_OK) {
		pk->la.write_free(a);
		return NULL;
	}
	return a;
}

/* Write the sorted entries as .tar.gz into pk->out. */
static int write_archive(struct pack *pk)
{
	struct archive *a = writer_new(pk);
	struct archive_entry *ae = pk->la.entry_new();
	char *buf = malloc(COPY_BLOCK);
	size_t i;
	int rc = a && ae && buf ? 0 : GG_ENOMEM;

	for (i = 0; !rc && i < pk->n; i++)
		rc = write_entry(pk, a, ae, &pk->v[i], buf);
	if (a && pk->la.write_close(a) != ARCHIVE_OK && !rc)
		rc = pk->out_rc ? pk->out_rc : GG_EIO;
	if (a)
		pk->la.write_free(a);
	pk->la.entry_free(ae);
	free(buf);
	return rc;
}

/* The gzip header must carry no name (FLG.FNAME) and no time (MTIME). */
static int check_gzip_header(const struct gg_buf *b, size_t start)
{
	const uint8_t *h = b->data + start;

	if (b->len - start < 10 || h[0] != 0x1f || h[1] != 0x8b)
		return GG_EINTERNAL;
	if ((h[3] & 0x08) || h[4] || h[5] || h[6] || h[7])
		return GG_EINTERNAL;
	return 0;
}

static void pack_release(struct pack *pk)
{
	size_t i;

	for (i = 0; i < pk->n; i++)
		free(pk->v[i].path);
	free(pk->v);
	if (pk->rootfd >= 0)
		close(pk->rootfd);
}

/* package.toml must be a regular file at the root, and valid. */
static int load_manifest(struct pack *pk, struct gg_manifest *m)
{
	char path[4200];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/" GG_MANIFEST_FILE, pk->root);

	if (n < 0 || (size_t)n >= sizeof(path))
		return GG_ETOOBIG;
	if (fstatat(pk->rootfd, GG_MANIFEST_FILE, &st, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISREG(st.st_mode))
		return pfail(pk, GG_EINVAL, GG_MANIFEST_FILE,
			     "missing (a package needs a package.toml file at "
			     "its root)");
	return gg_manifest_load(path, m, pk->err);
}

static int pack(const char *dir, const struct gg_archive_limits *lim,
		struct gg_buf *out, struct gg_pkgid *id, struct gg_manifest *m,
		struct gg_buf *err, const struct stat *skip)
{
	struct pack pk;
	struct gg_manifest local;
	size_t start = out->len;
	int rc;

	memset(&pk, 0, sizeof(pk));
	pk.root = dir;
	pk.skip = skip;
	pk.err = err;
	pk.out = out;
	if (lim)
		pk.lim = *lim;
	else
		gg_archive_limits_default(&pk.lim);
	if (!m)
		m = &local;
	gg_manifest_init(m);
	pk.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pk.rootfd < 0) {
		rc = gg_from_errno(errno);
		if (err)
			gg_buf_printf(err, "%s: %s", dir, strerror(errno));
		goto out;
	}
	rc = load_manifest(&pk, m);
	if (!rc)
		rc = gg_la_load(&pk.la, err);
	if (!rc)
		rc = scan_dir(&pk, dup(pk.rootfd), "", 0);
	if (rc)
		goto out;
	qsort(pk.v, pk.n, sizeof(*pk.v), entry_cmp);
	rc = write_archive(&pk);
	if (!rc)
		rc = check_gzip_header(out, start);
	if (!rc)
		gg_pkgid_of(out->data + start, out->len - start, id);
	else if (rc == GG_ETOOBIG && err)
		gg_buf_printf(err, "%s: the archive is larger than allowed", dir);
out:
	if (rc && out->data) {
		out->len = start;
		out->data[start] = 0;
	}
	if (rc || m == &local)
		gg_manifest_release(m);
	pack_release(&pk);
	return rc;
}

int gg_archive_pack(const char *dir, const struct gg_archive_limits *lim,
		    struct gg_buf *out, struct gg_pkgid *id,
		    struct gg_manifest *m, struct gg_buf *err)
{
	return pack(dir, lim, out, id, m, err, NULL);
}

int gg_archive_pack_file(const char *dir, const char *path,
			 const struct gg_archive_limits *lim,
			 struct gg_pkgid *id, uint64_t *size,
			 struct gg_manifest *m, struct gg_buf *err)
{
	struct gg_buf out = GG_BUF_INIT((size_t)GG_ARCHIVE_DEFAULT_MAX_BYTES +
					(64 << 20));
	struct stat st;
	int rc = pack(dir, lim, &out, id, m, err,
		      stat(path, &st) == 0 ? &st : NULL);

	if (!rc) {
		rc = gg_write_file_atomic(path, out.data, out.len,
				  0644, GG_FS_REPLACE);
		if (rc && err)
			gg_buf_printf(err, "%s: cannot write: %s", path,
				      gg_strerror(rc));
		if (rc && m)
			gg_manifest_release(m);
	}
	if (!rc && size)
		*size = out.len;
	gg_buf_release(&out);
	return rc;
}
