/*
 * fs.c - the file-system primitives of fs.h.
 */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

int gg_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return gg_from_errno(errno);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int gg_read_file(const char *path, struct gg_buf *out)
{
	uint8_t chunk[65536];
	ssize_t r;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gg_from_errno(errno);
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = gg_from_errno(errno);
			break;
		}
		if (r == 0)
			break;
		rc = gg_buf_add(out, chunk, (size_t)r);
		if (rc)
			break;
	}
	close(fd);
	return rc;
}

int gg_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return gg_from_errno(errno);
	if (fsync(fd) && errno != EINVAL)
		rc = gg_from_errno(errno);
	close(fd);
	return rc;
}

int gg_mkdirs(const char *path, unsigned mode)
{
	char tmp[PATH_MAX];
	size_t i, len = strlen(path);
	struct stat st;

	if (len == 0 || len >= sizeof(tmp))
		return GG_EINVAL;
	memcpy(tmp, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i] != 0)
			continue;
		tmp[i] = 0;
		if (mkdir(tmp, (mode_t)mode) && errno != EEXIST)
			return gg_from_errno(errno);
		tmp[i] = path[i];
	}
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return GG_EEXISTS;
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(p) ? -1 : 0;
	return unlink(p) ? -1 : 0;
}

int gg_remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : gg_from_errno(errno);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? gg_from_errno(errno) : 0;
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		return gg_from_errno(errno);
	return 0;
}

int gg_path_fmt(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= outsz ? GG_ETOOBIG : 0;
}

int gg_remove_tree_atomic(const char *path)
{
	char trash[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int rc;

	if (!slash)
		rc = gg_path_fmt(trash, sizeof(trash), ".trash-%ld-%s",
				 (long)getpid(), path);
	else
		rc = gg_path_fmt(trash, sizeof(trash), "%.*s/.trash-%ld-%s",
				 (int)(slash - path), path, (long)getpid(),
				 slash + 1);
	if (rc)
		return rc;
	if (rename(path, trash))
		return errno == ENOENT ? 0 : gg_from_errno(errno);
	return gg_remove_tree(trash);
}

/* The directory part of path ("." when there is none). */
static int dir_of(const char *path, char *out, size_t outsz)
{
	const char *s = strrchr(path, '/');

	if (!s)
		return gg_path_fmt(out, outsz, ".");
	if (s == path)
		return gg_path_fmt(out, outsz, "/");
	return gg_path_fmt(out, outsz, "%.*s", (int)(s - path), path);
}

/* Move tmp to path: replace, or refuse when path exists. */
static int put_in_place(const char *tmp, const char *path, int replace)
{
	if (replace)
		return rename(tmp, path) ? gg_from_errno(errno) : 0;
	if (link(tmp, path) == 0)
		return 0;
	if (errno == EEXIST)
		return GG_EEXISTS;
	if (errno != EPERM && errno != EOPNOTSUPP && errno != EXDEV)
		return gg_from_errno(errno);
	/* no hard links on this file system: check, then rename */
	if (access(path, F_OK) == 0)
		return GG_EEXISTS;
	return rename(tmp, path) ? gg_from_errno(errno) : 0;
}

int gg_write_file_atomic(const char *path, const void *data, size_t len,
			 unsigned mode, int flags)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, rc;

	rc = gg_path_fmt(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (!rc)
		rc = dir_of(path, dir, sizeof(dir));
	if (rc)
		return rc;
	fd = mkstemp(tmp); /* created 0600: never readable half-written */
	if (fd < 0)
		return gg_from_errno(errno);
	rc = gg_write_all(fd, data, len);
	if (!rc && fchmod(fd, (mode_t)mode))
		rc = gg_from_errno(errno);
	if (!rc && fsync(fd))
		rc = gg_from_errno(errno);
	if (close(fd) && !rc)
		rc = gg_from_errno(errno);
	if (!rc)
		rc = put_in_place(tmp, path, flags & GG_FS_REPLACE);
	unlink(tmp); /* after link() or a failure; gone already after rename */
	if (!rc)
		rc = gg_fsync_dir(dir);
	return rc;
}
