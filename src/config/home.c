/*
 * home.c - where ggen keeps its files ($GGEN_HOME, default ~/.ggen), the
 * configuration file's path.
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
