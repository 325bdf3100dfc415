/*
 * db.c - opening ggen.db and bringing its schema up to date.
 *
 * The schema is the list `migrations[]` below: entry i takes the database
 * from user_version i to i + 1.  Each runs inside one BEGIN IMMEDIATE
 * transaction together with the user_version bump, so a crash leaves the
 * database at the old version or the new one, never between.  Two
 * processes opening a fresh database at once serialise on the write lock
 * and the second one finds nothing left to do.
 */
#include "market/db.h"

#include <limits.h>

#include "util/error.h"
#include "util/log.h"

/* Version 1: the catalog (one row per source, name and version), its
 * FTS5 index kept in step by triggers, and the owners of names. */
static const char schema_v1[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE catalog("
	" rowid INTEGER PRIMARY KEY,"
	" source TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" version TEXT NOT NULL,"
	" description TEXT NOT NULL DEFAULT '',"
	" category TEXT NOT NULL DEFAULT '',"
	" author TEXT NOT NULL DEFAULT '',"
	" license TEXT NOT NULL DEFAULT '',"
	" tags TEXT NOT NULL DEFAULT '',"
	" keywords TEXT NOT NULL DEFAULT '',"
	" dependencies TEXT NOT NULL DEFAULT '',"
	" downloads INTEGER NOT NULL DEFAULT 0,"
	" stars INTEGER NOT NULL DEFAULT 0,"
	" download_url TEXT,"
	" id TEXT,"
	" size INTEGER,"
	" published_at INTEGER,"
	" UNIQUE(source, name, version));"
	"CREATE INDEX catalog_name ON catalog(name);"
	"CREATE INDEX catalog_id ON catalog(id);"
	"CREATE VIRTUAL TABLE catalog_fts USING fts5("
	" name, description, tags, keywords,"
	" content='catalog', content_rowid='rowid');"
	"CREATE TRIGGER catalog_ai AFTER INSERT ON catalog BEGIN"
	" INSERT INTO catalog_fts(rowid, name, description, tags, keywords)"
	" VALUES (new.rowid, new.name, new.description, new.tags,"
	" new.keywords); END;"
	"CREATE TRIGGER catalog_ad AFTER DELETE ON catalog BEGIN"
	" INSERT INTO catalog_fts(catalog_fts, rowid, name, description,"
	" tags, keywords) VALUES ('delete', old.rowid, old.name,"
	" old.description, old.tags, old.keywords); END;"
	"CREATE TRIGGER catalog_au AFTER UPDATE ON catalog BEGIN"
	" INSERT INTO catalog_fts(catalog_fts, rowid, name, description,"
	" tags, keywords) VALUES ('delete', old.rowid, old.name,"
	" old.description, old.tags, old.keywords);"
	" INSERT INTO catalog_fts(rowid, name, description, tags, keywords)"
	" VALUES (new.rowid, new.name, new.description, new.tags,"
	" new.keywords); END;"
	"CREATE TABLE name_owners("
	" name TEXT PRIMARY KEY,"
	" owner TEXT NOT NULL,"
	" first_seen INTEGER NOT NULL);";

/* Version 2: the terms of the FTS index, per column, for the fuzzy rule
 * of search (typos are matched against the words of names). */
static const char schema_v2[] =
	"CREATE VIRTUAL TABLE catalog_vocab USING fts5vocab(catalog_fts, "
	"'col');";

/* Version 3: the words of package names in a plain table, for the fuzzy
 * rule.  catalog_vocab ('col') computes per-column counts by reading the
 * whole doclist of every term in a range, 10-20 ms per range on 100,000
 * packages; a B-tree range over the distinct words costs a page or two.
 * Names are [a-z0-9_-], so their FTS tokens are the runs between '-' and
 * '_'; words without a letter (numbers) are left out. */
static const char schema_v3[] =
	"DROP TABLE catalog_vocab;"
	"CREATE TABLE catalog_words(word TEXT PRIMARY KEY) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO catalog_words(word)"
	" WITH RECURSIVE s(w, rest) AS ("
	"  SELECT NULL, replace(lower(name), '_', '-') || '-' FROM catalog"
	"  UNION ALL"
	"  SELECT substr(rest, 1, instr(rest, '-') - 1),"
	"   substr(rest, instr(rest, '-') + 1) FROM s WHERE rest <> '')"
	" SELECT w FROM s WHERE w GLOB '*[a-z]*';";

/* Append new versions here; never edit a released one. */
static const char *const migrations[] = {
	schema_v1,
	schema_v2,
	schema_v3,
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int gg_db_schema_version(void)
{
	return NMIGRATIONS;
}

int gg_db_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_NOMEM:
		return GG_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return GG_EBUSY;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_FULL:
		return GG_EIO;
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_AUTH:
		return GG_EPERM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return GG_ECORRUPT;
	default:
		return GG_EDB;
	}
}

int gg_db_exec(struct gg_db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		gg_error("db", "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return gg_db_err(rc);
	}
	return 0;
}

int gg_db_prepare(struct gg_db *db, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(db->h, sql, -1, st, NULL);

	if (rc != SQLITE_OK) {
		gg_error("db", "prepare: %s", sqlite3_errmsg(db->h));
		*st = NULL;
		return gg_db_err(rc);
	}
	return 0;
}

int gg_db_begin(struct gg_db *db)
{
	return gg_db_exec(db, "BEGIN IMMEDIATE");
}

int gg_db_commit(struct gg_db *db)
{
	return gg_db_exec(db, "COMMIT");
}

void gg_db_rollback(struct gg_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

static int user_version(struct gg_db *db, int *v)
{
	sqlite3_stmt *st;
	int rc = gg_db_prepare(db, "PRAGMA user_version", &st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	rc = rc == SQLITE_ROW ? 0 : gg_db_err(rc);
	sqlite3_finalize(st);
	return rc;
}

/* One step, in a transaction that re-checks the version so a concurrent
 * opener that already migrated is not migrated twice. */
static int migrate_one(struct gg_db *db, int from)
{
	char sql[64];
	int rc, v;

	rc = gg_db_begin(db);
	if (rc)
		return rc;
	rc = user_version(db, &v);
	if (rc || v != from)
		goto out;
	rc = gg_db_exec(db, migrations[from]);
	if (rc)
		goto out;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", from + 1);
	rc = gg_db_exec(db, sql);
	if (rc)
		goto out;
	rc = gg_db_commit(db);
	if (!rc)
		gg_info("db", "schema migrated to version %d", from + 1);
out:
	if (rc)
		gg_db_rollback(db);
	return rc;
}

static int migrate(struct gg_db *db)
{
	int rc, v;

	for (;;) {
		rc = user_version(db, &v);
		if (rc)
			return rc;
		if (v > NMIGRATIONS) {
			gg_error("db", "ggen.db has schema version %d; this ggen "
				 "knows up to %d", v, NMIGRATIONS);
			return GG_EUNSUPPORTED;
		}
		if (v == NMIGRATIONS)
			break;
		rc = migrate_one(db, v);
		if (rc)
			return rc;
	}
	db->version = v;
	return 0;
}

/* Keeping the -wal file (emptied on close) saves creating and unlinking
 * it in every short-lived process.  (mmap_size stays 0: mapping the file
 * made a search slower, not faster, on our VMs, where page faults and
 * munmap cost more than the few dozen preads a search now does.) */
static void tune(struct gg_db *db)
{
	int one = 1;

	sqlite3_file_control(db->h, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	sqlite3_exec(db->h, "PRAGMA journal_size_limit=4194304;",
		     NULL, NULL, NULL);
}

int gg_db_open_path(const char *path, struct gg_db **out)
{
	struct gg_db *db;
	int rc;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return GG_ENOMEM;
	rc = sqlite3_open_v2(path, &db->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		gg_error("db", "%s: %s", path,
			 db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		rc = gg_db_err(rc);
		goto out;
	}
	sqlite3_busy_timeout(db->h, GG_DB_BUSY_MS);
	tune(db);
	rc = gg_db_exec(db, "PRAGMA journal_mode=WAL;"
			    "PRAGMA synchronous=NORMAL;"
			    "PRAGMA foreign_keys=ON;");
	if (rc)
		goto out;
	rc = migrate(db);
	if (rc)
		goto out;
	*out = db;
	db = NULL; /* transferred */
out:
	gg_db_free(db);
	return rc;
}

int gg_db_open(const char *home, struct gg_db **out)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", home, GG_DB_FILE);

	*out = NULL;
	if (n < 0 || (size_t)n >= sizeof(path))
		return GG_ETOOBIG;
	return gg_db_open_path(path, out);
}

void gg_db_free(struct gg_db *db)
{
	if (!db)
		return;
	sqlite3_close_v2(db->h);
	free(db);
}

int gg_db_meta_get(struct gg_db *db, const char *key, char **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	rc = gg_db_prepare(db, "SELECT value FROM meta WHERE key = ?1", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		*out = strdup(v ? v : "");
		rc = *out ? 0 : GG_ENOMEM;
	} else {
		rc = gg_db_err(rc);
	}
	sqlite3_finalize(st);
	return rc;
}

int gg_db_meta_set(struct gg_db *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	rc = gg_db_prepare(db,
			   "INSERT INTO meta(key, value) VALUES (?1, ?2) "
			   "ON CONFLICT(key) DO UPDATE SET value = ?2",
			   &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = gg_db_err(sqlite3_step(st));
	sqlite3_finalize(st);
	return rc;
}
