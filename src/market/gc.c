/*
 * gc.c - the store garbage collector (gc.h).
 *
 * Objects are first collected into a list and removed after the walk, so
 * the directory being read never changes underneath gg_store_foreach.
 * The same run sweeps what killed processes left behind: temporary store
 * files, half-extracted package trees and half-removed ones (mio.h says
 * when such an entry counts as stale).
 */
#include "market/gc.h"

#include <dirent.h>

#include "market/catalog.h"
#include "market/lock.h"
#include "market/mio.h"
#include "market/store.h"
#include "util/error.h"
#include "util/log.h"

struct victim {
	struct gg_pkgid id;
	uint64_t size;
};

struct gc {
	struct gg_lock lock;
	struct gg_pkgid *refs; /* locally published IDs */
	size_t nrefs, caprefs;
	struct victim *v;
	size_t n, cap;
	struct gg_gc_result *res;
};

static int add_ref(void *arg, const struct gg_pkgid *id)
{
	struct gc *g = arg;
	struct gg_pkgid *t;

	if (g->nrefs == g->caprefs) {
		g->caprefs = g->caprefs ? g->caprefs * 2 : 64;
		t = realloc(g->refs, g->caprefs * sizeof(*t));
		if (!t)
			return GG_ENOMEM;
		g->refs = t;
	}
	g->refs[g->nrefs++] = *id;
	return 0;
}

static int referenced(const struct gc *g, const struct gg_pkgid *id)
{
	size_t i;

	if (gg_lock_references(&g->lock, id))
		return 1;
	for (i = 0; i < g->nrefs; i++)
		if (gg_pkgid_eq(&g->refs[i], id))
			return 1;
	return 0;
}

static int visit(void *arg, const struct gg_pkgid *id, uint64_t size)
{
	struct gc *g = arg;
	struct victim *t;

	if (referenced(g, id)) {
		g->res->kept++;
		return 0;
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		t = realloc(g->v, g->cap * sizeof(*t));
		if (!t)
			return GG_ENOMEM;
		g->v = t;
	}
	g->v[g->n].id = *id;
	g->v[g->n++].size = size;
	return 0;
}

static int sweep(struct gc *g, struct gg_store *st, int dry_run,
		 gg_gc_cb cb, void *ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < g->n; i++) {
		if (!dry_run) {
			rc = gg_store_remove(st, &g->v[i].id);
			if (rc && rc != GG_ENOTFOUND)
				return rc;
		}
		g->res->removed++;
		g->res->bytes += g->v[i].size;
		if (cb)
			cb(ctx, &g->v[i].id, g->v[i].size);
	}
	return 0;
}

static void count_sweep(struct gc *g, const char *dir, const char *prefix,
			int dry_run)
{
	size_t n = 0;

	if (gg_mio_sweep(dir, prefix, dry_run, &n))
		gg_warn("gc", "%s: could not remove every leftover", dir);
	g->res->leftovers += n;
}

/* store/sha256/.tmp-*, packages/.trash-*, packages/NAME/.VER.tmp-* and
 * packages/NAME/.trash-*. */
static void sweep_leftovers(struct gc *g, const char *home, int dry_run)
{
	char dir[4096], sub[4400];
	struct dirent *de;
	DIR *d;

	if (!gg_path_fmt(dir, sizeof(dir), "%s/store/sha256", home))
		count_sweep(g, dir, ".tmp-", dry_run);
	if (gg_path_fmt(dir, sizeof(dir), "%s/packages", home))
		return;
	count_sweep(g, dir, NULL, dry_run);
	d = opendir(dir);
	while (d && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' &&
		    !gg_path_fmt(sub, sizeof(sub), "%s/%s", dir, de->d_name))
			count_sweep(g, sub, NULL, dry_run);
	if (d)
		closedir(d);
}

int gg_gc_run(const char *home, struct gg_db *db, int dry_run, gg_gc_cb cb,
	      void *ctx, struct gg_gc_result *res, struct gg_buf *err)
{
	struct gg_store st;
	struct gc g;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&g, 0, sizeof(g));
	g.lock.flock_fd = -1;
	g.res = res;
	rc = gg_store_init(&st, home);
	if (!rc)
		rc = gg_lock_load(home, 1, &g.lock, err);
	if (!rc)
		rc = gg_catalog_foreach_local_id(db, add_ref, &g);
	if (!rc)
		rc = gg_store_foreach(&st, visit, &g);
	if (!rc)
		rc = sweep(&g, &st, dry_run, cb, ctx);
	if (!rc)
		sweep_leftovers(&g, home, dry_run);
	if (rc && err && !err->len)
		gg_buf_printf(err, "gc: %s", gg_strerror(rc));
	gg_lock_release(&g.lock);
	free(g.refs);
	free(g.v);
	return rc;
}
