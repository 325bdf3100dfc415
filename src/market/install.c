/*
 * install.c - planning, applying and removing installs (install.h).
 *
 * The planner walks dependencies depth first and appends each package
 * after its own dependencies, so the plan is already in install order.
 * A name met twice must resolve to one version that satisfies every
 * requirement on it; anything else is a conflict reported before any
 * byte is written.
 */
#include "market/install.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "market/lock.h"
#include "market/mio.h"
#include "market/store.h"
#include "util/error.h"
#include "util/log.h"

struct planner {
	struct gg_db *db;
	const char *base; /* index URL */
	const struct gg_install_opts *o;
	struct gg_install_plan *plan;
	struct gg_lock lock;
	struct gg_store store;
	const char *stack[GG_INSTALL_MAX_DEPTH];
	int depth;
	struct gg_buf *err;
};

static void free_strs(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void gg_install_plan_release(struct gg_install_plan *plan)
{
	size_t i;

	for (i = 0; plan->v && i < plan->n; i++)
		free_strs(plan->v[i].deps, plan->v[i].ndeps);
	free(plan->v);
	plan->v = NULL;
	plan->n = 0;
}

/* A step already planned for this name: it must satisfy d. */
static int check_planned(struct planner *p, const struct gg_dep *d,
			 int *found)
{
	struct gg_semver v;
	size_t i;

	*found = 0;
	for (i = 0; i < p->plan->n; i++) {
		if (strcmp(p->plan->v[i].name, d->name))
			continue;
		*found = 1;
		if (!d->has_req ||
		    (!gg_semver_parse(p->plan->v[i].version, &v, NULL) &&
		     gg_semver_req_matches(&d->req, &v)))
			return 0;
		return gg_buf_fail(p->err, GG_EINVAL, "version conflict: %s %s is "
			    "needed, and also %s@%s", d->name,
			    p->plan->v[i].version, d->name, d->req_text);
	}
	return 0;
}

static int pick_version(struct planner *p, const struct gg_dep *d,
			const struct gg_catalog_entry *rows, size_t n,
			const char *parent, size_t *best)
{
	const char *vers[64];
	size_t i, k = n < 64 ? n : 64;
	int at;

	for (i = 0; i < k; i++)
		vers[i] = rows[i].version;
	at = gg_semver_pick(vers, k, d->has_req ? &d->req : NULL);
	if (at < 0)
		return gg_buf_fail(p->err, GG_ENOTFOUND, "no version of %s%s%s "
			    "matches '%s'%s%s", d->name,
			    parent ? " (needed by " : "", parent ? parent : "",
			    d->has_req ? d->req_text : "a release",
			    parent ? ")" : "", "");
	*best = (size_t)at;
	return 0;
}

/* Among the rows of the chosen version, one we can verify: a local
 * package in the store first, then a central entry with a checksum. */
static int pick_row(struct planner *p, const struct gg_catalog_entry *rows,
		    size_t n, const char *version, size_t *out)
{
	size_t i, central = n, any = n;

	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].version, version))
			continue;
		any = i;
		if (rows[i].source == GG_CAT_LOCAL && rows[i].has_id &&
		    gg_store_has(&p->store, &rows[i].id)) {
			*out = i;
			return 0;
		}
		if (rows[i].source == GG_CAT_CENTRAL && rows[i].has_id)
			central = i;
	}
	if (central == n)
		return gg_buf_fail(p->err, GG_EPERM, "%s %s has no checksum in the "
			    "registry index; ggen installs only verified "
			    "packages", rows[any].name, version);
	if (!rows[central].download_url[0] || !p->base)
		return gg_buf_fail(p->err, GG_EPERM, "%s %s has no download_url in "
			    "the registry index", rows[central].name,
			    version);
	*out = central;
	return 0;
}

static int fill_step(struct planner *p, const struct gg_catalog_entry *e,
		     int top, struct gg_install_step *s)
{
	struct gg_lock_entry *le;
	size_t i;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", e->name);
	snprintf(s->version, sizeof(s->version), "%s", e->version);
	s->source = e->source;
	s->id = e->id;
	s->top = top;
	s->size = e->size;
	if (e->source == GG_CAT_CENTRAL) {
		rc = gg_registry_resolve(p->base, e->download_url, s->url,
					 sizeof(s->url));
		if (rc)
			return gg_buf_fail(p->err, rc, "%s %s: download_url '%s' "
				    "cannot be used", e->name, e->version,
				    e->download_url);
	}
	if (top && p->o->target)
		rc = gg_path_fmt(s->path, sizeof(s->path), "%s/%s",
				 p->o->target, e->name);
	else
		rc = gg_path_fmt(s->path, sizeof(s->path), "%s/packages/%s/%s",
				 p->o->home, e->name, e->version);
	if (rc)
		return gg_buf_fail(p->err, rc, "install path too long");
	le = gg_lock_find(&p->lock, e->name, e->version);
	s->installed = le && !strcmp(le->path, s->path) &&
		       !(top && p->o->force);
	s->deps = calloc(e->ndeps + 1, sizeof(char *));
	if (!s->deps)
		return GG_ENOMEM;
	for (i = 0; i < e->ndeps; i++) {
		s->deps[i] = strdup(e->deps[i]);
		if (!s->deps[i])
			return GG_ENOMEM;
		s->ndeps = i + 1;
	}
	return 0;
}

static int append_step(struct planner *p, struct gg_install_step *s)
{
	struct gg_install_step *v;

	if (p->plan->n >= GG_INSTALL_MAX_PLAN)
		return gg_buf_fail(p->err, GG_ELIMIT, "more than %d packages to "
			    "install", GG_INSTALL_MAX_PLAN);
	v = realloc(p->plan->v, (p->plan->n + 1) * sizeof(*v));
	if (!v)
		return GG_ENOMEM;
	p->plan->v = v;
	v[p->plan->n++] = *s;
	memset(s, 0, sizeof(*s)); /* transferred */
	return 0;
}

static int resolve(struct planner *p, const struct gg_dep *d, int top);

static int resolve_deps(struct planner *p, struct gg_install_step *s)
{
	struct gg_dep d;
	const char *why;
	size_t i;
	int rc = 0;

	p->stack[p->depth++] = s->name;
	for (i = 0; i < s->ndeps && !rc; i++) {
		why = NULL;
		if (gg_dep_parse(s->deps[i], &d, &why))
			rc = gg_buf_fail(p->err, GG_EPARSE, "%s %s: dependency '%s': "
				  "%s", s->name, s->version, s->deps[i],
				  why ? why : "invalid");
		else
			rc = resolve(p, &d, 0);
	}
	p->depth--;
	return rc;
}

static int check_stack(struct planner *p, const char *name)
{
	int i;

	if (p->depth >= GG_INSTALL_MAX_DEPTH)
		return gg_buf_fail(p->err, GG_ELIMIT, "dependencies nest deeper than "
			    "%d", GG_INSTALL_MAX_DEPTH);
	for (i = 0; i < p->depth; i++)
		if (!strcmp(p->stack[i], name))
			return gg_buf_fail(p->err, GG_EINVAL, "dependency cycle: %s "
				    "depends on itself through %s", name,
				    p->stack[p->depth - 1]);
	return 0;
}

static int resolve(struct planner *p, const struct gg_dep *d, int top)
{
	const char *parent = p->depth ? p->stack[p->depth - 1] : NULL;
	struct gg_catalog_entry *rows = NULL;
	struct gg_install_step s;
	size_t n = 0, best = 0, row = 0;
	int rc, found;

	memset(&s, 0, sizeof(s));
	rc = check_planned(p, d, &found);
	if (rc || found)
		return rc;
	rc = check_stack(p, d->name);
	if (rc)
		return rc;
	rc = gg_catalog_get(p->db, d->name, GG_CAT_CENTRAL | GG_CAT_LOCAL,
			    &rows, &n);
	if (rc)
		return rc;
	if (!n) {
		rc = gg_buf_fail(p->err, GG_ENOTFOUND, "unknown package '%s'%s%s%s",
			  d->name, parent ? " (a dependency of " : "",
			  parent ? parent : "", parent ? ")" : "");
		goto out;
	}
	if ((rc = pick_version(p, d, rows, n, parent, &best)) ||
	    (rc = pick_row(p, rows, n, rows[best].version, &row)) ||
	    (rc = fill_step(p, &rows[row], top, &s)) ||
	    (rc = resolve_deps(p, &s)))
		goto out;
	rc = append_step(p, &s);
out:
	free_strs(s.deps, s.ndeps);
	gg_catalog_entries_free(rows, n);
	return rc;
}

int gg_install_plan(struct gg_db *db, const char *index_url,
		    const char *spec, const struct gg_install_opts *o,
		    struct gg_install_plan *plan, struct gg_buf *err)
{
	struct planner p;
	struct gg_dep d;
	const char *why = NULL;
	int rc;

	memset(plan, 0, sizeof(*plan));
	memset(&p, 0, sizeof(p));
	p.lock.flock_fd = -1;
	if (gg_dep_parse(spec, &d, &why))
		return gg_buf_fail(err, GG_EPARSE, "'%s' is not NAME or NAME@VERSION: "
			    "%s", spec, why ? why : "invalid");
	p.db = db;
	p.base = index_url;
	p.o = o;
	p.plan = plan;
	p.err = err;
	rc = gg_store_init(&p.store, o->home);
	if (!rc)
		rc = gg_lock_load(o->home, 0, &p.lock, err);
	if (!rc)
		rc = resolve(&p, &d, 1);
	gg_lock_release(&p.lock);
	if (rc)
		gg_install_plan_release(plan);
	return rc;
}
