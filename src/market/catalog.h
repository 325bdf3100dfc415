/*
 * catalog.h - what ggen knows about packages: the `catalog` table of
 * ggen.db and its FTS5 index over name, description, tags and keywords,
 * plus the owners of names (DESIGN §4, §5 "Ownership").
 *
 * A row is one (source, name, version): "central" rows mirror the cached
 * central index, "local" rows are packages published from this machine
 * (and "p2p" rows will be records seen on the network).  The central rows
 * are replaced as a whole, in one transaction, only when the cached index
 * changes: the import is keyed by the index's SHA-256, so a search with a
 * warm cache reads SQLite and nothing else.
 *
 * List fields (tags, keywords, dependencies) are stored one item per line,
 * which the FTS tokenizer splits like any separator.
 */
#ifndef GG_MARKET_CATALOG_H
#define GG_MARKET_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "market/db.h"
#include "market/pkgid.h"
#include "util/buf.h"

struct gg_manifest;

/* Source bits, for queries over several sources. */
enum {
	GG_CAT_CENTRAL = 1u << 0,
	GG_CAT_LOCAL = 1u << 1,
	GG_CAT_P2P = 1u << 2,
	GG_CAT_ALL = 7u
};

/* "central", "local", "p2p" for one bit; NULL otherwise. */
const char *gg_catalog_source_name(unsigned bit);

struct gg_catalog_entry {
	unsigned source; /* one GG_CAT_* bit */
	/* Never NULL; "" when absent. */
	char *name, *version, *description, *category, *author, *license;
	char *download_url; /* "" when none (central only) */
	char **tags;
	size_t ntags;
	char **keywords;
	size_t nkeywords;
	char **deps;
	size_t ndeps;
	int64_t downloads, stars;
	int64_t size;	      /* archive bytes, 0 when unknown */
	int64_t published_at; /* unix seconds, 0 when unknown */
	int has_id;	      /* central: the checksum; local: the ID */
	struct gg_pkgid id;
};

void gg_catalog_entry_release(struct gg_catalog_entry *e);
void gg_catalog_entries_free(struct gg_catalog_entry *v, size_t n);

/*
 * Make the central rows mirror the index file at path, whose SHA-256 (hex)
 * is key.  When the database already holds that key nothing is read.
 * Otherwise the file is parsed (see index.h) and all central rows are
 * replaced in one transaction.  *imported (may be NULL) is the number of
 * rows written, 0 when nothing changed.  A malformed index leaves the
 * catalog as it was: GG_EPARSE with the problem in err.
 */
int gg_catalog_sync_central(struct gg_db *db, const char *path,
			    const char *key, size_t *imported,
			    struct gg_buf *err);
/* Drop every central row (no registry configured any more). */
int gg_catalog_clear_central(struct gg_db *db);

/* Add or replace the local row for a published package. */
int gg_catalog_put_local(struct gg_db *db, const struct gg_manifest *m,
			 const struct gg_pkgid *id, uint64_t size,
			 int64_t published_at);

/* Every row for name in the given sources, in no particular order.  *v is
 * NULL and *n 0 when there is none. */
int gg_catalog_get(struct gg_db *db, const char *name, unsigned sources,
		   struct gg_catalog_entry **v, size_t *n);
/* The same with a statement kept by the caller across calls: *st NULL
 * the first time (prepared here), finalized by the caller at the end. */
int gg_catalog_get_st(struct gg_db *db, sqlite3_stmt **st,
		      const char *name, unsigned sources,
		      struct gg_catalog_entry **v, size_t *n);

/* Call cb with the ID of every local row (references for gc). */
int gg_catalog_foreach_local_id(struct gg_db *db,
				int (*cb)(void *ctx,
					  const struct gg_pkgid *id),
				void *ctx);

/* Read the columns of a row selected with GG_CATALOG_COLUMNS (prefix "c.")
 * starting at column col. */
int gg_catalog_entry_from_row(sqlite3_stmt *st, int col,
			      struct gg_catalog_entry *e);
#define GG_CATALOG_COLUMNS                                                 \
	"c.source, c.name, c.version, c.description, c.category, c.author, " \
	"c.license, c.download_url, c.tags, c.keywords, c.dependencies, "    \
	"c.downloads, c.stars, c.size, c.published_at, c.id"

/*
 * Name owners: the first valid signer stored for a name owns it here.
 * Claim records owner for name unless someone owns it already; *is_owner
 * (may be NULL) says whether owner is the owner afterwards.  get gives a
 * malloc'd owner or NULL.
 */
int gg_catalog_owner_claim(struct gg_db *db, const char *name,
			   const char *owner, int64_t now, int *is_owner);
int gg_catalog_owner_get(struct gg_db *db, const char *name, char **owner);

#endif
