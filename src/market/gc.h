/*
 * gc.h - removing content-store objects that nothing references (ADR-010).
 *
 * References are the packages in ggen.lock and the locally published
 * packages in the catalog; everything else in the store is a cached
 * download or an old publish and can go.  The walk runs under the
 * exclusive lock of ggen.lock so that no install adds a reference while
 * objects are being removed.  It also removes the stale temporary entries
 * that killed installs, publishes and removals leave in the store and
 * under packages/ (mio.h).
 */
#ifndef GG_MARKET_GC_H
#define GG_MARKET_GC_H

#include <stddef.h>
#include <stdint.h>

#include "market/db.h"
#include "market/pkgid.h"
#include "util/buf.h"

struct gg_gc_result {
	size_t kept;	  /* referenced objects */
	size_t removed;	  /* removed (or, dry run, removable) */
	uint64_t bytes;	  /* their total size */
	size_t leftovers; /* stale temporary entries of killed processes
			     removed (or, dry run, removable) */
};

/* Called for each object removed (or that would be). */
typedef void (*gg_gc_cb)(void *ctx, const struct gg_pkgid *id,
			 uint64_t size);

/* Collect garbage in home's store; with dry_run nothing is removed. */
int gg_gc_run(const char *home, struct gg_db *db, int dry_run, gg_gc_cb cb,
	      void *ctx, struct gg_gc_result *res, struct gg_buf *err);

#endif
