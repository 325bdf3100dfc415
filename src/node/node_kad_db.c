/*
 * node_kad_db.c - the DHT's connection to $GGEN_HOME/ggen.db (DESIGN §4):
 * WAL, the kad_* tables (CREATE TABLE IF NOT EXISTS, beside the
 * marketplace's migrations, never touching user_version, so either side
 * may open a fresh file first), a short busy timeout for the event loop,
 * and the one-time import of the kad.db that older versions kept.
 */
#include <sqlite3.h>
#include <unistd.h>

#include "market/db.h"
#include "node/node_kad.h"
#include "util/error.h"
#include "util/log.h"

#define LEGACY "kad_legacy"

/* The DHT's tables and their columns, as the legacy file has them. */
static const struct {
	const char *name, *cols;
} kad_tables[] = {
	{ "kad_routing", "peer, addrs, seen_ms" },
	{ "kad_records", "key, value, sender, received_ms" },
	{ "kad_providers", "key, peer, addrs, received_ms" },
};

static int sql_err(sqlite3 *db)
{
	int e = sqlite3_extended_errcode(db) & 0xff;

	return e == SQLITE_BUSY || e == SQLITE_LOCKED ? GG_EBUSY : GG_EDB;
}

/* The first integer of a one-row query, or -1. */
static int64_t query_int(sqlite3 *db, const char *q, const char *arg)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Copy every table the legacy file has; *rows counts what was added. */
static int copy_tables(sqlite3 *db, int64_t *rows)
{
	char q[256];
	size_t i;
	int n;

	*rows = 0;
	for (i = 0; i < sizeof(kad_tables) / sizeof(kad_tables[0]); i++) {
		n = (int)query_int(db, "SELECT count(*) FROM " LEGACY
				   ".sqlite_master WHERE type = 'table'"
				   " AND name = ?1", kad_tables[i].name);
		if (n < 0)
			return sql_err(db); /* not a database, say */
		if (n == 0)
			continue;
		n = snprintf(q, sizeof(q), "INSERT OR IGNORE INTO main.%s(%s)"
			     " SELECT %s FROM " LEGACY ".%s",
			     kad_tables[i].name, kad_tables[i].cols,
			     kad_tables[i].cols, kad_tables[i].name);
		if (n < 0 || (size_t)n >= sizeof(q))
			return GG_EINVAL;
		if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK)
			return sql_err(db);
		*rows += sqlite3_changes(db);
	}
	return 0;
}

/* In one transaction: nothing when ggen.db already holds DHT rows (it is
 * newer than the file), else every row of the legacy file. */
static int import_rows(sqlite3 *db, int64_t *rows)
{
	int64_t have;
	int rc = 0;

	*rows = -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sql_err(db);
	have = query_int(db, "SELECT EXISTS(SELECT 1 FROM kad_routing) OR"
			 " EXISTS(SELECT 1 FROM kad_records) OR"
			 " EXISTS(SELECT 1 FROM kad_providers)", NULL);
	if (have < 0)
		rc = sql_err(db);
	else if (have == 0)
		rc = copy_tables(db, rows);
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) !=
			       SQLITE_OK)
		rc = sql_err(db);
	if (rc < 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void unlink_legacy(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[4096];
	size_t i;
	int n;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		n = snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		if (n > 0 && (size_t)n < sizeof(p) && unlink(p) < 0 &&
		    errno != ENOENT)
			gg_warn("kad", "cannot remove %s: %s", p,
				strerror(errno));
	}
}

/*
 * kad.db, kept by versions before ggen.db held the DHT: its rows are
 * imported once (unless ggen.db already has DHT rows) and the file is
 * removed.  A failure leaves the file for the next start; the node runs
 * on without it (all of it is soft state the network gives back).
 */
static int import_legacy(sqlite3 *db, const char *home)
{
	char path[4096];
	sqlite3_stmt *st = NULL;
	int64_t rows = 0;
	int n, rc;

	n = snprintf(path, sizeof(path), "%s/%s", home, GG_KAD_LEGACY_FILE);
	if (n < 0 || (size_t)n >= sizeof(path))
		return GG_ETOOBIG;
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : GG_EIO;
	rc = GG_EDB;
	if (sqlite3_prepare_v2(db, "ATTACH ?1 AS " LEGACY, -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = import_rows(db, &rows);
	}
	if (rc < 0)
		gg_warn("kad", "cannot import %s into %s: %s (%s); kept for "
			"the next start", path, GG_DB_FILE, gg_strerror(rc),
			sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_exec(db, "DETACH " LEGACY, NULL, NULL, NULL);
	if (rc < 0)
		return rc;
	if (rows < 0)
		gg_info("kad", "%s already holds the DHT state; removing the "
			"older %s", GG_DB_FILE, path);
	else
		gg_info("kad", "imported %lld rows of %s into %s",
			(long long)rows, path, GG_DB_FILE);
	unlink_legacy(path);
	return 0;
}

/* WAL like the marketplace's connections; NORMAL sync (safe in WAL: a
 * crash loses at most the last commits, never consistency) keeps fsync
 * off the event loop's path on every DHT write. */
static int setup(sqlite3 *db)
{
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return sql_err(db);
	return gg_kadhost_schema(db);
}

int gg_node_kad_db_open(const char *home, struct sqlite3 **out)
{
	char path[4096];
	sqlite3 *db = NULL;
	int n, rc;

	*out = NULL;
	if (!home) {
		if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
			rc = GG_EDB;
			goto out;
		}
		rc = gg_kadhost_schema(db);
		goto out;
	}
	n = snprintf(path, sizeof(path), "%s/%s", home, GG_DB_FILE);
	if (n < 0 || (size_t)n >= sizeof(path))
		return GG_ETOOBIG;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		gg_error("kad", "%s: %s", path,
			 db ? sqlite3_errmsg(db) : "cannot open");
		rc = GG_EDB;
		goto out;
	}
	/* Start-up may wait like any ggen process (nothing is served yet);
	 * from then on the loop waits only GG_KAD_DB_BUSY_MS. */
	sqlite3_busy_timeout(db, GG_DB_BUSY_MS);
	if ((rc = setup(db)) < 0) {
		gg_error("kad", "%s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	import_legacy(db, home);
	sqlite3_busy_timeout(db, GG_KAD_DB_BUSY_MS);
out:
	if (rc < 0) {
		sqlite3_close(db);
		db = NULL;
	}
	*out = db;
	return rc;
}
