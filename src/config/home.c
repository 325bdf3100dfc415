/*
 * home.c - where ggen keeps its files ($GGEN_HOME, default ~/.ggen), the
 * configuration file's path, and the atomic file write that
 * `config init` uses.
 *
 * A write that matters must never leave a half-written file: the data goes
 * to a temporary file in the same directory, is fsync'ed, then renamed
 * over (or, without force, hard-linked into place so an existing file is
 * never replaced even by a racing writer), and the directory is fsync'ed.
 */
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

static int copy_out(char *out, size_t outsz, const char *a, const char *b)
{
	int n = snprintf(out, outsz, "%s%s", a, b);

	return n < 0 || (size_t)n >= outsz ? GG_ETOOBIG : 0;
}

int gg_home_dir(char *out, size_t outsz)
{
	const char *h = getenv("GGEN_HOME");
	struct passwd pw, *res = NULL;
	char pwbuf[4096];

	if (h && *h)
		return copy_out(out, outsz, h, "");
	h = getenv("HOME");
	if (!h || !*h) {
		if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) ||
		    !res || !res->pw_dir || !*res->pw_dir)
			return GG_ENOTFOUND;
		h = res->pw_dir;
	}
	return copy_out(out, outsz, h, strcmp(h, "/") ? "/.ggen" : ".ggen");
}

/* mkdir one level; an existing directory is fine. */
static int mkdir_one(const char *p, mode_t mode)
{
	struct stat st;

	if (mkdir(p, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return gg_from_errno(errno);
	if (stat(p, &st) || !S_ISDIR(st.st_mode))
		return GG_EEXISTS;
	return 0;
}

int gg_home_ensure(char *out, size_t outsz)
{
	char *p;
	int rc = gg_home_dir(out, outsz);

	/* every missing level gets 0700: nobody else needs to list them */
	for (p = out + 1; !rc && (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		rc = mkdir_one(out, 0700);
		*p = '/';
	}
	return rc ? rc : mkdir_one(out, 0700);
}

int gg_config_path(const char *explicit_path, char *out, size_t outsz)
{
	char home[PATH_MAX];
	int rc;

	if (explicit_path)
		return copy_out(out, outsz, explicit_path, "");
	rc = gg_home_dir(home, sizeof(home));
	return rc ? rc : copy_out(out, outsz, home, "/" GG_CONFIG_FILE);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return gg_from_errno(errno);
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The directory part of path ("." when there is none). */
static int dir_of(const char *path, char *out, size_t outsz)
{
	const char *s = strrchr(path, '/');
	size_t n = s ? (size_t)(s - path) : 1;

	if (s == path)
		n = 1;
	if (n >= outsz)
		return GG_ETOOBIG;
	memcpy(out, s ? path : ".", n);
	out[n] = '\0';
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return gg_from_errno(errno);
	if (fsync(fd) && errno != EINVAL)
		rc = gg_from_errno(errno);
	close(fd);
	return rc;
}

/* Move tmp to path: replace, or refuse when path exists. */
static int put_in_place(const char *tmp, const char *path, int force)
{
	if (force)
		return rename(tmp, path) ? gg_from_errno(errno) : 0;
	if (link(tmp, path) == 0)
		return 0;
	if (errno == EEXIST)
		return GG_EEXISTS;
	if (errno != EPERM && errno != ENOSYS && errno != EOPNOTSUPP)
		return gg_from_errno(errno);
	/* no hard links on this file system: check, then rename */
	if (access(path, F_OK) == 0)
		return GG_EEXISTS;
	return rename(tmp, path) ? gg_from_errno(errno) : 0;
}

int gg_config_write_file(const char *path, const void *data, size_t len,
			 unsigned mode, int force)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd = -1, rc;

	rc = copy_out(tmp, sizeof(tmp), path, ".tmp.XXXXXX");
	if (!rc)
		rc = dir_of(path, dir, sizeof(dir));
	if (rc)
		return rc;
	fd = mkstemp(tmp);
	if (fd < 0)
		return gg_from_errno(errno);
	rc = write_all(fd, data, len);
	if (!rc && fchmod(fd, (mode_t)mode))
		rc = gg_from_errno(errno);
	if (!rc && fsync(fd))
		rc = gg_from_errno(errno);
	if (close(fd) && !rc)
		rc = gg_from_errno(errno);
	if (!rc)
		rc = put_in_place(tmp, path, force);
	unlink(tmp); /* after link() or a failure; gone already after rename */
	if (!rc)
		rc = fsync_dir(dir);
	return rc;
}
