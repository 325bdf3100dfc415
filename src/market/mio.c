/*
 * mio.c - file-system helpers for the marketplace (see mio.h).
 */
#include "market/mio.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"

/* The markers of temporary names (mio.h). */
#define TRASH ".trash-"
#define TMP ".tmp-"

int gg_mio_tmp_template(char *out, size_t outsz, const char *dir,
			const char *prefix)
{
	return gg_path_fmt(out, outsz, "%s/%s%ld-XXXXXX", dir, prefix,
			   (long)getpid());
}

/* The pid after the marker of a temporary name: > 0, 0 when the name
 * has the shape but no pid, -1 when it is not a temporary name. */
static long tmp_pid(const char *name)
{
	const char *p = NULL, *t;
	char *end;
	long pid;

	if (!strncmp(name, TRASH, strlen(TRASH)))
		p = name + strlen(TRASH);
	else if (name[0] == '.' && (t = strstr(name, TMP)) != NULL)
		p = t + strlen(TMP);
	if (!p)
		return -1;
	if (!isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (errno || *end != '-' || pid <= 0)
		return 0;
	return pid;
}

static int pid_alive(long pid)
{
	if ((long)(pid_t)pid != pid)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

int gg_mio_is_stale(int dfd, const char *name, int64_t now)
{
	long pid = tmp_pid(name);
	struct stat st;
	int64_t age;

	if (pid < 0 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	age = now - (int64_t)st.st_mtime;
	if (pid == 0)
		return age > GG_MIO_STALE_NOPID_SECS;
	if (pid != (long)getpid() && !pid_alive(pid))
		return 1;
	return age > GG_MIO_STALE_SECS;
}

int gg_mio_sweep(const char *dir, const char *prefix, int dry_run,
		 size_t *n)
{
	char path[4096];
	struct dirent *de;
	size_t plen = prefix ? strlen(prefix) : 0;
	int64_t now = (int64_t)time(NULL);
	DIR *d = opendir(dir);
	int rc = 0, r;

	if (n)
		*n = 0;
	if (!d)
		return errno == ENOENT || errno == ENOTDIR
			       ? 0 : gg_from_errno(errno);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix ? prefix : "", plen) ||
		    !gg_mio_is_stale(dirfd(d), de->d_name, now) ||
		    gg_path_fmt(path, sizeof(path), "%s/%s", dir, de->d_name))
			continue;
		r = dry_run ? 0 : gg_remove_tree(path);
		if (r && !rc)
			rc = r;
		else if (!r && n)
			(*n)++;
	}
	closedir(d);
	return rc;
}
