/*
 * db.h - the SQLite database $GGEN_HOME/ggen.db (DESIGN §4).
 *
 * One file holds the catalog and its FTS5 index, name owners, the DHT's
 * routing table and record/provider store, and later peers and
 * reputation.  It is opened in WAL mode with a busy
 * timeout, so a search can read while another process writes.  The
 * schema is a numbered list of migrations (db.c); each runs in its own
 * transaction and bumps PRAGMA user_version, so a database created by an
 * older ggen is brought up to date on open, and one made by a newer ggen
 * is refused rather than misread.  Another module that needs tables adds
 * one row at the end of that list.  (The DHT's kad_* tables are the
 * exception: the engine also runs on in-memory databases, so it creates
 * them itself, IF NOT EXISTS, without touching user_version; see
 * node/node_kad.h.)
 */
#ifndef GG_MARKET_DB_H
#define GG_MARKET_DB_H

#include <sqlite3.h>
#include <stdint.h>

#define GG_DB_FILE "ggen.db"
/* How long a writer waits for another process's lock (milliseconds). */
#define GG_DB_BUSY_MS 10000

struct gg_db {
	sqlite3 *h;
	int version; /* schema version after open */
	int rank_fn; /* gg_bm25 registered on h (search.h) */
};

/* Open (creating it and its directory's file) home/ggen.db and migrate
 * it.  home must exist.  0, or GG_EDB / GG_EIO / GG_EUNSUPPORTED (a newer
 * schema) / GG_ENOMEM. */
int gg_db_open(const char *home, struct gg_db **out);
/* Open an explicit file (":memory:" works; tests). */
int gg_db_open_path(const char *path, struct gg_db **out);
void gg_db_free(struct gg_db *db);

/* The schema version this build writes. */
int gg_db_schema_version(void);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 or GG_EDB / GG_EBUSY. */
int gg_db_begin(struct gg_db *db);
int gg_db_commit(struct gg_db *db);
void gg_db_rollback(struct gg_db *db);

/* Run SQL without results. */
int gg_db_exec(struct gg_db *db, const char *sql);
/* Prepare; logs the SQLite message on failure.  0 or GG_EDB. */
int gg_db_prepare(struct gg_db *db, const char *sql, sqlite3_stmt **st);

/* The small key/value table `meta`: *out is malloc'd or NULL when the
 * key is absent. */
int gg_db_meta_get(struct gg_db *db, const char *key, char **out);
int gg_db_meta_set(struct gg_db *db, const char *key, const char *value);

/* Map an SQLite result code to GG_E*. */
int gg_db_err(int sqlite_rc);

#endif
