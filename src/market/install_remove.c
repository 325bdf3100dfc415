/*
 * install_remove.c - removing installed packages (install.h).
 *
 * Removal runs in the opposite order of an install: ggen.lock is
 * rewritten first (atomically), then each directory is renamed to a
 * hidden ".trash-PID-*" sibling and deleted, so a crash leaves either the
 * package or nothing visible (and gc sweeps the trash of a dead process).
 * Before anything changes, the remaining entries are checked: when one of
 * them depends on the package and no version left would satisfy it, the
 * removal is refused unless forced (then the dependents are reported).
 * A demanding user expects `remove` never to break another install
 * silently, and `--force` to do exactly what it says.
 */
#include "market/install.h"

#include <unistd.h>

#include "market/lock.h"
#include "market/mio.h"
#include "util/error.h"
#include "util/log.h"

static int goes(const struct gg_lock_entry *e, const char *name,
		const char *version)
{
	return !strcmp(e->name, name) &&
	       (!version || !strcmp(e->version, version));
}

/* 1 when an entry that stays satisfies dependency d. */
static int still_met(const struct gg_lock *l, const struct gg_dep *d,
		     const char *version)
{
	struct gg_semver v;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, d->name) ||
		    goes(&l->v[i], d->name, version))
			continue;
		if (!d->has_req)
			return 1;
		if (!gg_semver_parse(l->v[i].version, &v, NULL) &&
		    gg_semver_req_matches(&d->req, &v))
			return 1;
	}
	return 0;
}

/* Append "NAME VERSION (DEP)" for every entry that stays but would lose
 * a dependency on name; *n counts them. */
static int find_dependents(const struct gg_lock *l, const char *name,
			   const char *version, struct gg_buf *out, size_t *n)
{
	const struct gg_lock_entry *e;
	struct gg_dep d;
	size_t i, k;
	int rc = 0;

	*n = 0;
	for (i = 0; i < l->n && !rc; i++) {
		e = &l->v[i];
		if (goes(e, name, version))
			continue;
		for (k = 0; k < e->ndeps && !rc; k++) {
			if (gg_dep_parse(e->deps[k], &d, NULL) ||
			    strcmp(d.name, name) || still_met(l, &d, version))
				continue;
			rc = gg_buf_printf(out, "%s%s %s (%s)", *n ? "\n" : "",
					   e->name, e->version, e->deps[k]);
			(*n)++;
		}
	}
	return rc;
}

/* "a 1.0.0 (x@^1) and b 2.0.0 (x)" from the '\n'-separated list. */
static void join_list(const struct gg_buf *list, size_t n, char *out,
		      size_t outsz)
{
	const char *p = gg_buf_cstr(list), *nl;
	size_t len = 0, i;

	out[0] = 0;
	for (i = 0; i < n && p && len < outsz; i++, p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		len += (size_t)snprintf(out + len, outsz - len, "%s%.*s",
					!i ? "" : i + 1 == n ? " and " : ", ",
					nl ? (int)(nl - p) : (int)strlen(p),
					p);
	}
}

/* Copies of the install paths of the entries about to be removed. */
static int collect_paths(struct gg_lock *l, const char *name,
			 const char *version, char ***paths, size_t *n)
{
	size_t i;

	*paths = calloc(l->n + 1, sizeof(char *));
	*n = 0;
	if (!*paths)
		return GG_ENOMEM;
	for (i = 0; i < l->n; i++) {
		if (!goes(&l->v[i], name, version))
			continue;
		(*paths)[*n] = strdup(l->v[i].path);
		if (!(*paths)[*n])
			return GG_ENOMEM;
		(*n)++;
	}
	return 0;
}

static int check_dependents(struct gg_lock *l, const char *name,
			    const char *version, int force,
			    struct gg_buf *dependents, struct gg_buf *err)
{
	struct gg_buf local = GG_BUF_INIT(1 << 20);
	struct gg_buf *list = dependents ? dependents : &local;
	char text[1024];
	size_t n = 0;
	int rc;

	gg_buf_reset(list);
	rc = find_dependents(l, name, version, list, &n);
	if (!rc && n && !force) {
		join_list(list, n, text, sizeof(text));
		rc = gg_buf_fail(err, GG_EBUSY, "cannot remove %s%s%s: %s still "
			  "depend%s on it; remove %s first, or use --force",
			  name, version ? "@" : "", version ? version : "",
			  text, n == 1 ? "s" : "", n == 1 ? "it" : "them");
	}
	gg_buf_release(&local);
	return rc;
}

int gg_install_remove(const char *home, const char *name,
		      const char *version, int force, int *removed,
		      struct gg_buf *dependents, struct gg_buf *err)
{
	struct gg_lock l;
	char **paths = NULL, parent[4096];
	size_t n = 0, i;
	int rc;

	*removed = 0;
	memset(&l, 0, sizeof(l));
	l.flock_fd = -1;
	rc = gg_lock_load(home, 1, &l, err);
	if (!rc)
		rc = collect_paths(&l, name, version, &paths, &n);
	if (rc)
		goto out;
	if (!n) {
		rc = gg_buf_fail(err, GG_ENOTFOUND, "%s%s%s is not installed", name,
			  version ? "@" : "", version ? version : "");
		goto out;
	}
	rc = check_dependents(&l, name, version, force, dependents, err);
	if (rc)
		goto out;
	*removed = gg_lock_remove(&l, name, version);
	rc = gg_lock_save(&l, err);
	for (i = 0; !rc && i < n; i++) {
		rc = gg_remove_tree_atomic(paths[i]);
		if (rc)
			gg_buf_fail(err, rc, "%s: %s", paths[i], gg_strerror(rc));
	}
	/* packages/NAME, once its last version is gone */
	if (!gg_path_fmt(parent, sizeof(parent), "%s/packages/%s", home, name))
		rmdir(parent);
out:
	for (i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
	gg_lock_release(&l);
	return rc;
}
