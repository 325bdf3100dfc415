/*
 * mio.c - file-system helpers for the marketplace (see mio.h).
 */
#include "market/mio.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

int gg_mio_path(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outsz)
		return GG_ETOOBIG;
	return 0;
}

int gg_mio_read_file(const char *path, struct gg_buf *out)
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

int gg_mio_mkdirs(const char *path, unsigned mode)
{
	char tmp[4096];
	size_t i, len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return GG_EINVAL;
	memcpy(tmp, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i] != 0)
			continue;
		tmp[i] = 0;
		if (mkdir(tmp, (mode_t)mode) && errno != EEXIST)
			return gg_from_errno(errno);
		tmp[i] = i < len ? '/' : 0;
	}
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

int gg_mio_remove_tree(const char *path)
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

int gg_mio_remove_tree_atomic(const char *path)
{
	char trash[4096];
	const char *slash = strrchr(path, '/');
	int rc;

	if (!slash)
		rc = gg_mio_path(trash, sizeof(trash), ".trash-%ld-%s",
				 (long)getpid(), path);
	else
		rc = gg_mio_path(trash, sizeof(trash), "%.*s/.trash-%ld-%s",
				 (int)(slash - path), path, (long)getpid(),
				 slash + 1);
	if (rc)
		return rc;
	if (rename(path, trash))
		return errno == ENOENT ? 0 : gg_from_errno(errno);
	return gg_mio_remove_tree(trash);
}
