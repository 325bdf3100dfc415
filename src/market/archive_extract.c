/*
 * archive_extract.c - safe extraction of an untrusted package archive.
 *
 * Everything is written below a fresh temporary directory created next to
 * the destination (so the final rename stays on one file system), through
 * paths relative to that directory's descriptor.  We never create a link
 * there, so nothing inside can point elsewhere; the walker has already
 * refused absolute paths, "..", links and special files.  Only when every
 * entry is written is the tree synced (syncfs) and renamed into place with
 * renameat2 (NOREPLACE, or EXCHANGE to replace an older tree), and the
 * parent directory fsynced.  On any failure the temporary tree is removed.
 * The temporary name carries our pid (".NAME.tmp-PID-XXXXXX"), so the
 * next extraction to the same place removes what a killed one left
 * (mio.h: only when that process is gone).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "market/archive_impl.h"
#include "market/mio.h"
#include "util/error.h"
#include "util/fs.h"

#define COPY_BLOCK 65536

struct xctx {
	struct walk w;
	int tmpfd;
	char tmp[PATH_MAX];
	char parent[PATH_MAX];
	char prefix[PATH_MAX]; /* ".BASE.tmp-" of the temporary names */
	char *buf;
};

/* rm -rf name relative to dfd, never following a symlink. */
static int rm_at(int dfd, const char *name)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : gg_from_errno(errno);
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) ? gg_from_errno(errno) : 0;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				       O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return gg_from_errno(errno);
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			rm_at(dirfd(d), e->d_name);
	closedir(d);
	return unlinkat(dfd, name, AT_REMOVEDIR) ? gg_from_errno(errno) : 0;
}

/* Create the directories of path[0..n) below the temporary root. */
static int make_dirs(struct xctx *x, const char *path, size_t n)
{
	char sub[GG_ARCHIVE_MAX_PATH + 1];
	struct stat st;
	size_t i;

	memcpy(sub, path, n);
	sub[n] = 0;
	for (i = 1; i <= n; i++) {
		if (sub[i] != '/' && sub[i] != 0)
			continue;
		sub[i] = 0;
		if (mkdirat(x->tmpfd, sub, 0755) && errno != EEXIST)
			return walk_fail(&x->w, gg_from_errno(errno),
					 strerror(errno));
		if (fstatat(x->tmpfd, sub, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode))
			return walk_fail(&x->w, GG_EEXISTS,
					 "a directory of the path is a file");
		sub[i] = path[i];
	}
	return 0;
}

static int write_file(struct xctx *x)
{
	const char *slash = strrchr(x->w.path, '/');
	mode_t mode = (x->w.mode & 0111) ? 0755 : 0644;
	int fd, rc = 0;
	int64_t r;

	if (slash && (rc = make_dirs(x, x->w.path,
				     (size_t)(slash - x->w.path))) != 0)
		return rc;
	fd = openat(x->tmpfd, x->w.path, O_WRONLY | O_CREAT | O_EXCL |
						 O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return walk_fail(&x->w, errno == EEXIST ? GG_EEXISTS
							: gg_from_errno(errno),
				 errno == EEXIST ? "conflicts with a directory"
						 : strerror(errno));
	while (!rc && (r = walk_read(&x->w, x->buf, COPY_BLOCK)) != 0) {
		if (r < 0)
			rc = (int)r;
		else if ((rc = gg_write_all(fd, x->buf, (size_t)r)) != 0)
			walk_fail(&x->w, rc, gg_strerror(rc));
	}
	/* the umask may have narrowed the mode */
	if (!rc && fchmod(fd, mode))
		rc = walk_fail(&x->w, gg_from_errno(errno), strerror(errno));
	close(fd);
	return rc;
}

static int write_entries(struct xctx *x)
{
	int rc;

	while ((rc = walk_next(&x->w)) == 1) {
		if (x->w.is_dir)
			rc = make_dirs(x, x->w.path, strlen(x->w.path));
		else
			rc = write_file(x);
		if (rc)
			return rc;
	}
	return rc;
}

static int check_manifest(struct xctx *x, unsigned flags)
{
	struct stat st;

	if (!(flags & GG_EXTRACT_NEED_MANIFEST))
		return 0;
	if (!fstatat(x->tmpfd, GG_MANIFEST_FILE, &st, AT_SYMLINK_NOFOLLOW) &&
	    S_ISREG(st.st_mode))
		return 0;
	if (x->w.err) {
		gg_buf_reset(x->w.err);
		gg_buf_adds(x->w.err, "no package.toml at the root of the "
				      "archive");
	}
	return GG_EINVAL;
}

/* For file systems without renameat2 flags: move an existing dest aside
 * (into the temporary name's ".old" sibling), then rename. */
static int swap_plain(struct xctx *x, const char *dest, int replace)
{
	char old[PATH_MAX + 8];
	struct stat st;

	if (lstat(dest, &st))
		return rename(x->tmp, dest) ? gg_from_errno(errno) : 0;
	if (!replace)
		return GG_EEXISTS;
	snprintf(old, sizeof(old), "%s.old", x->tmp);
	if (rename(dest, old))
		return gg_from_errno(errno);
	if (rename(x->tmp, dest)) {
		int rc = gg_from_errno(errno);

		rename(old, dest);
		return rc;
	}
	rm_at(AT_FDCWD, old);
	return 0;
}

/* Rename the finished tree into place; with replace, an older tree at
 * dest is swapped out and then removed. */
static int put_in_place(struct xctx *x, const char *dest, int replace)
{
	int rc;

	if (renameat2(AT_FDCWD, x->tmp, AT_FDCWD, dest, RENAME_NOREPLACE) == 0)
		return gg_fsync_dir(x->parent);
	if (errno == EINVAL || errno == ENOSYS)
		rc = swap_plain(x, dest, replace);
	else if (errno != EEXIST)
		rc = gg_from_errno(errno);
	else if (!replace)
		rc = GG_EEXISTS;
	else if (renameat2(AT_FDCWD, x->tmp, AT_FDCWD, dest, RENAME_EXCHANGE))
		rc = gg_from_errno(errno);
	else
		rc = 0;
	if (!rc && replace)
		rm_at(AT_FDCWD, x->tmp); /* the old tree, if swapped; best effort */
	if (!rc)
		rc = gg_fsync_dir(x->parent);
	return rc;
}

/* parent directory and temporary name for dest. */
static int plan(struct xctx *x, const char *dest)
{
	const char *slash = strrchr(dest, '/');
	const char *base = slash ? slash + 1 : dest;
	int n;

	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return GG_EINVAL;
	if (slash == dest)
		n = snprintf(x->parent, sizeof(x->parent), "/");
	else if (slash)
		n = snprintf(x->parent, sizeof(x->parent), "%.*s",
			     (int)(slash - dest), dest);
	else
		n = snprintf(x->parent, sizeof(x->parent), ".");
	if (n < 0 || (size_t)n >= sizeof(x->parent))
		return GG_ETOOBIG;
	n = snprintf(x->prefix, sizeof(x->prefix), ".%s.tmp-", base);
	if (n < 0 || (size_t)n >= sizeof(x->prefix))
		return GG_ETOOBIG;
	return gg_mio_tmp_template(x->tmp, sizeof(x->tmp), x->parent,
				   x->prefix);
}

static int dest_err(struct gg_buf *err, const char *dest, int rc)
{
	if (err) {
		gg_buf_reset(err);
		gg_buf_printf(err, "%s: %s", dest,
			      rc == GG_EEXISTS ? "already exists"
					       : gg_strerror(rc));
	}
	return rc;
}

static int extract(const char *path, const void *p, size_t n,
		   const char *dest, const struct gg_archive_limits *lim,
		   unsigned flags, struct gg_buf *err)
{
	struct xctx x;
	struct stat st;
	int rc;

	memset(&x, 0, sizeof(x));
	x.tmpfd = -1;
	rc = plan(&x, dest);
	if (!rc && !(flags & GG_EXTRACT_REPLACE) && !lstat(dest, &st))
		rc = GG_EEXISTS;
	if (!rc)
		rc = gg_mkdirs(x.parent, 0755);
	/* what a killed extraction to the same place left behind */
	if (!rc)
		gg_mio_sweep(x.parent, x.prefix, 0, NULL);
	if (!rc && !mkdtemp(x.tmp))
		rc = gg_from_errno(errno);
	if (rc)
		return dest_err(err, dest, rc);
	x.tmpfd = open(x.tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	x.buf = malloc(COPY_BLOCK);
	rc = x.tmpfd < 0 ? gg_from_errno(errno) : x.buf ? 0 : GG_ENOMEM;
	if (!rc)
		rc = walk_open(&x.w, path, p, n, lim, err);
	if (!rc)
		rc = write_entries(&x);
	walk_close(&x.w);
	if (!rc)
		rc = check_manifest(&x, flags);
	if (!rc && (fchmod(x.tmpfd, 0755) || syncfs(x.tmpfd)))
		rc = gg_from_errno(errno);
	if (!rc && (rc = put_in_place(&x, dest, flags & GG_EXTRACT_REPLACE)))
		dest_err(err, dest, rc);
	if (x.tmpfd >= 0)
		close(x.tmpfd);
	if (rc)
		rm_at(AT_FDCWD, x.tmp);
	free(x.buf);
	return rc;
}

int gg_archive_extract(const char *archive_path, const char *dest,
		       const struct gg_archive_limits *lim, unsigned flags,
		       struct gg_buf *err)
{
	return extract(archive_path, NULL, 0, dest, lim, flags, err);
}

int gg_archive_extract_mem(const void *p, size_t n, const char *dest,
			   const struct gg_archive_limits *lim,
			   unsigned flags, struct gg_buf *err)
{
	return extract(NULL, p, n, dest, lim, flags, err);
}
