/*
 * kad_store.c - records and provider entries in SQLite (kad_store.h).
 *
 * Writes run in one transaction (kad_db_begin: BEGIN IMMEDIATE, or a
 * SAVEPOINT inside a caller's transaction), so the limit checks and the
 * write are one atomic step.  Times are milliseconds on the engine's
 * clock (Unix epoch), so expiry survives a restart.
 *
 * The database is ggen.db, which CLI verbs write too, and the engine runs
 * on the node's event loop: a write that finds the file locked gives up
 * after the connection's (short) busy timeout and the request is refused
 * (GG_EBUSY).  After that the store refuses writes at once for
 * KAD_STORE_BUSY_BACKOFF_MS, so a flood of PUT_VALUE/ADD_PROVIDER during
 * a long CLI transaction costs the loop one busy wait, not one each.
 */
#include "p2p/kad_store.h"

#include <sqlite3.h>

#include "p2p/kad_msg.h"
#include "util/error.h"
#include "util/log.h"

enum {
	S_REC_GET, S_REC_PUT, S_REC_DEL, S_REC_TOTAL, S_REC_PEER,
	S_PROV_HAS, S_PROV_PUT, S_PROV_GET, S_PROV_TOTAL, S_PROV_KEY,
	S_PROV_PEER, S_EXP_PROV, S_EXP_REC, S_COUNT_REC, S_COUNT_PROV, S_N
};

static const char *const sql[S_N] = {
	[S_REC_GET] = "SELECT value, received_ms FROM kad_records "
		      "WHERE key = ?1 AND received_ms > ?2",
	[S_REC_PUT] = "INSERT OR REPLACE INTO kad_records"
		      "(key, value, sender, received_ms) VALUES(?1,?2,?3,?4)",
	[S_REC_DEL] = "DELETE FROM kad_records WHERE key = ?1",
	[S_REC_TOTAL] = "SELECT count(*), coalesce(sum(length(value)), 0) "
			"FROM kad_records WHERE key != ?1",
	[S_REC_PEER] = "SELECT count(*) FROM kad_records "
		       "WHERE sender = ?1 AND key != ?2",
	[S_PROV_HAS] = "SELECT 1 FROM kad_providers "
		       "WHERE key = ?1 AND peer = ?2",
	[S_PROV_PUT] = "INSERT OR REPLACE INTO kad_providers"
		       "(key, peer, addrs, received_ms) VALUES(?1,?2,?3,?4)",
	[S_PROV_GET] = "SELECT peer, addrs FROM kad_providers "
		       "WHERE key = ?1 AND received_ms > ?2 "
		       "ORDER BY received_ms DESC LIMIT ?3",
	[S_PROV_TOTAL] = "SELECT count(*) FROM kad_providers",
	[S_PROV_KEY] = "SELECT count(*) FROM kad_providers WHERE key = ?1",
	[S_PROV_PEER] = "SELECT count(*) FROM kad_providers WHERE peer = ?1",
	[S_EXP_PROV] = "DELETE FROM kad_providers WHERE received_ms <= ?1",
	[S_EXP_REC] = "DELETE FROM kad_records WHERE received_ms <= ?1",
	[S_COUNT_REC] = "SELECT count(*) FROM kad_records",
	[S_COUNT_PROV] = "SELECT count(*) FROM kad_providers",
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS kad_records("
	" key BLOB PRIMARY KEY, value BLOB NOT NULL,"
	" sender BLOB NOT NULL, received_ms INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS kad_records_sender"
	" ON kad_records(sender);"
	"CREATE TABLE IF NOT EXISTS kad_providers("
	" key BLOB NOT NULL, peer BLOB NOT NULL, addrs BLOB NOT NULL,"
	" received_ms INTEGER NOT NULL, PRIMARY KEY(key, peer));"
	"CREATE INDEX IF NOT EXISTS kad_providers_peer"
	" ON kad_providers(peer);";

struct kad_store {
	sqlite3 *db;
	struct kad_store_config cfg;
	sqlite3_stmt *st[S_N];
	uint64_t busy_until_ms; /* engine clock; writes refused before */
};

static int is_busy(sqlite3 *db)
{
	int e = sqlite3_extended_errcode(db) & 0xff;

	return e == SQLITE_BUSY || e == SQLITE_LOCKED;
}

int kad_db_begin(struct sqlite3 *db, int *top)
{
	/* Outside a transaction, IMMEDIATE takes the write lock first, under
	 * the busy timeout; a deferred one would read, then fail to upgrade
	 * at once (SQLITE_BUSY_SNAPSHOT) when another process wrote since. */
	*top = sqlite3_get_autocommit(db);
	if (sqlite3_exec(db, *top ? "BEGIN IMMEDIATE" : "SAVEPOINT kad_tx",
			 NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	return is_busy(db) ? GG_EBUSY : GG_EDB;
}

int kad_db_end(struct sqlite3 *db, int top, int ok)
{
	const char *q = top ? (ok ? "COMMIT" : "ROLLBACK")
			    : (ok ? "RELEASE kad_tx"
				  : "ROLLBACK TO kad_tx; RELEASE kad_tx");
	int rc = 0;

	if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK) {
		rc = is_busy(db) ? GG_EBUSY : GG_EDB;
		if (top && !sqlite3_get_autocommit(db))
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	return ok ? rc : 0;
}

/* Before a write: refused at once while backing off from a busy file. */
static int write_ok(struct kad_store *s, uint64_t now_ms)
{
	return now_ms >= s->busy_until_ms;
}

/* After a write failed: a busy file starts the back-off (logged once per
 * back-off, not per request). */
static int write_failed(struct kad_store *s, int r, uint64_t now_ms)
{
	if (r != GG_EBUSY)
		return r;
	if (now_ms >= s->busy_until_ms)
		gg_warn("kad", "store: the database is locked by another "
			"process; DHT writes refused for %llu ms",
			(unsigned long long)KAD_STORE_BUSY_BACKOFF_MS);
	s->busy_until_ms = now_ms + KAD_STORE_BUSY_BACKOFF_MS;
	return GG_EBUSY;
}

void kad_store_config_default(struct kad_store_config *c)
{
	c->max_records = 10000;
	c->max_record_bytes = 64u << 20;
	c->max_records_per_peer = 256;
	c->max_value = 16 * 1024;
	c->max_providers = 100000;
	c->max_providers_per_key = 64;
	c->max_providers_per_peer = 4096;
	c->provider_ttl_ms = KAD_PROVIDER_TTL_MS;
	c->record_ttl_ms = KAD_RECORD_TTL_MS;
}

int kad_store_schema(struct sqlite3 *db)
{
	char *err = NULL;
	int r = 0;

	if (sqlite3_exec(db, schema, NULL, NULL, &err) != SQLITE_OK) {
		r = is_busy(db) ? GG_EBUSY : GG_EDB;
		gg_error("kad", "store schema: %s", err ? err : "?");
		sqlite3_free(err);
	}
	return r;
}

int kad_store_open(struct sqlite3 *db, const struct kad_store_config *c,
		   struct kad_store **out)
{
	struct kad_store *s;
	int i, r;

	*out = NULL;
	if ((r = kad_store_schema(db)) < 0)
		return r;
	if (!(s = calloc(1, sizeof(*s))))
		return GG_ENOMEM;
	s->db = db;
	s->cfg = *c;
	for (i = 0; i < S_N; i++)
		if (sqlite3_prepare_v3(db, sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			gg_error("kad", "store: %s", sqlite3_errmsg(db));
			kad_store_free(s);
			return GG_EDB;
		}
	*out = s;
	return 0;
}

void kad_store_free(struct kad_store *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < S_N; i++)
		sqlite3_finalize(s->st[i]);
	free(s);
}

/* A reset statement, ready for binding. */
static sqlite3_stmt *stmt(struct kad_store *s, int i)
{
	sqlite3_reset(s->st[i]);
	sqlite3_clear_bindings(s->st[i]);
	return s->st[i];
}

/* Run a one-row count query; -1 on error. */
static int64_t count(sqlite3_stmt *st, int64_t *second)
{
	int64_t n = -1;

	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		if (second)
			*second = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return n;
}

static int done(sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return 0;
	r &= 0xff;
	return r == SQLITE_BUSY || r == SQLITE_LOCKED ? GG_EBUSY : GG_EDB;
}

static int rec_limits(struct kad_store *s, const uint8_t *key, size_t klen,
		      size_t vlen, const struct gg_peerid *from)
{
	sqlite3_stmt *st = stmt(s, S_REC_TOTAL);
	int64_t n, bytes = 0;

	sqlite3_bind_blob(st, 1, key, (int)klen, SQLITE_STATIC);
	if ((n = count(st, &bytes)) < 0)
		return GG_EDB;
	if ((size_t)n >= s->cfg.max_records ||
	    (size_t)bytes + vlen > s->cfg.max_record_bytes)
		return GG_ELIMIT;
	st = stmt(s, S_REC_PEER);
	sqlite3_bind_blob(st, 1, from->b, (int)from->len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, key, (int)klen, SQLITE_STATIC);
	if ((n = count(st, NULL)) < 0)
		return GG_EDB;
	return (size_t)n >= s->cfg.max_records_per_peer ? GG_ELIMIT : 0;
}

int kad_store_put_record(struct kad_store *s, const uint8_t *key,
			 size_t klen, const uint8_t *val, size_t vlen,
			 const struct gg_peerid *from, uint64_t now_ms)
{
	sqlite3_stmt *st;
	int r, top;

	if (vlen > s->cfg.max_value || klen > KAD_MSG_KEY_MAX)
		return GG_ETOOBIG;
	if (!write_ok(s, now_ms))
		return GG_EBUSY;
	if ((r = kad_db_begin(s->db, &top)) < 0)
		return write_failed(s, r, now_ms);
	if ((r = rec_limits(s, key, klen, vlen, from)) < 0)
		goto out;
	st = stmt(s, S_REC_PUT);
	sqlite3_bind_blob(st, 1, key, (int)klen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, vlen ? (const void *)val : "", (int)vlen,
			  SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, from->b, (int)from->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now_ms);
	r = done(st);
out:
	if (r == 0)
		r = kad_db_end(s->db, top, 1);
	else
		kad_db_end(s->db, top, 0);
	return r < 0 ? write_failed(s, r, now_ms) : r;
}

int kad_store_get_record(struct kad_store *s, const uint8_t *key,
			 size_t klen, uint64_t now_ms, struct gg_buf *out,
			 uint64_t *received_ms)
{
	sqlite3_stmt *st = stmt(s, S_REC_GET);
	uint64_t since = now_ms > s->cfg.record_ttl_ms
				 ? now_ms - s->cfg.record_ttl_ms : 0;
	int r;

	sqlite3_bind_blob(st, 1, key, (int)klen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		r = gg_buf_add(out, sqlite3_column_blob(st, 0),
			       (size_t)sqlite3_column_bytes(st, 0));
		if (received_ms)
			*received_ms = (uint64_t)sqlite3_column_int64(st, 1);
	} else {
		r = r == SQLITE_DONE ? GG_ENOTFOUND : GG_EDB;
	}
	sqlite3_reset(st);
	return r;
}

int kad_store_del_record(struct kad_store *s, const uint8_t *key,
			 size_t klen)
{
	sqlite3_stmt *st = stmt(s, S_REC_DEL);

	sqlite3_bind_blob(st, 1, key, (int)klen, SQLITE_STATIC);
	return done(st);
}

static int64_t count1(struct kad_store *s, int which, const void *p,
		      size_t n)
{
	sqlite3_stmt *st = stmt(s, which);

	if (p)
		sqlite3_bind_blob(st, 1, p, (int)n, SQLITE_STATIC);
	return count(st, NULL);
}

static int prov_limits(struct kad_store *s, const uint8_t *key, size_t klen,
		       const struct gg_peerid *id)
{
	sqlite3_stmt *st = stmt(s, S_PROV_HAS);
	int64_t n;
	int r;

	sqlite3_bind_blob(st, 1, key, (int)klen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id->b, (int)id->len, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return 0; /* a refresh takes no new room */
	if (r != SQLITE_DONE)
		return GG_EDB;
	if ((n = count1(s, S_PROV_TOTAL, NULL, 0)) < 0)
		return GG_EDB;
	if ((size_t)n >= s->cfg.max_providers)
		return GG_ELIMIT;
	if ((n = count1(s, S_PROV_KEY, key, klen)) < 0)
		return GG_EDB;
	if ((size_t)n >= s->cfg.max_providers_per_key)
		return GG_ELIMIT;
	if ((n = count1(s, S_PROV_PEER, id->b, id->len)) < 0)
		return GG_EDB;
	return (size_t)n >= s->cfg.max_providers_per_peer ? GG_ELIMIT : 0;
}

int kad_store_add_provider(struct kad_store *s, const uint8_t *key,
			   size_t klen, const struct kad_peer *provider,
			   uint64_t now_ms)
{
	sqlite3_stmt *st;
	int r, top;

	if (klen > KAD_MSG_KEY_MAX)
		return GG_ETOOBIG;
	if (!write_ok(s, now_ms))
		return GG_EBUSY;
	if ((r = kad_db_begin(s->db, &top)) < 0)
		return write_failed(s, r, now_ms);
	if ((r = prov_limits(s, key, klen, &provider->id)) < 0)
		goto out;
	st = stmt(s, S_PROV_PUT);
	sqlite3_bind_blob(st, 1, key, (int)klen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, provider->id.b, (int)provider->id.len,
			  SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, provider->addrs.b, provider->addrs.len,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now_ms);
	r = done(st);
out:
	if (r == 0)
		r = kad_db_end(s->db, top, 1);
	else
		kad_db_end(s->db, top, 0);
	return r < 0 ? write_failed(s, r, now_ms) : r;
}

/* A stored row back into a peer; addresses re-checked on the way. */
static int row_peer(sqlite3_stmt *st, struct kad_peer *p)
{
	const uint8_t *a = sqlite3_column_blob(st, 1);
	size_t n = (size_t)sqlite3_column_bytes(st, 1), off = 0;

	memset(p, 0, sizeof(*p));
	if (gg_peerid_from_bytes(sqlite3_column_blob(st, 0),
				 (size_t)sqlite3_column_bytes(st, 0),
				 &p->id) < 0)
		return GG_ECORRUPT;
	kad_key_of_peer(&p->id, &p->key);
	while (a && off < n) {
		size_t len = a[off];
		struct gg_multiaddr ma;

		if (off + 1 + len > n)
			break;
		if (gg_multiaddr_from_bytes(a + off + 1, len, &ma) == 0)
			kad_addrbuf_add(&p->addrs, a + off + 1, len);
		off += 1 + len;
	}
	return 0;
}

int kad_store_get_providers(struct kad_store *s, const uint8_t *key,
			    size_t klen, uint64_t now_ms,
			    struct kad_peer *out, size_t max)
{
	sqlite3_stmt *st = stmt(s, S_PROV_GET);
	uint64_t since = now_ms > s->cfg.provider_ttl_ms
				 ? now_ms - s->cfg.provider_ttl_ms : 0;
	size_t got = 0;
	int r = SQLITE_DONE;

	sqlite3_bind_blob(st, 1, key, (int)klen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	while (got < max && (r = sqlite3_step(st)) == SQLITE_ROW)
		if (row_peer(st, &out[got]) == 0)
			got++;
	if (got < max && r != SQLITE_DONE) {
		sqlite3_reset(st);
		return GG_EDB;
	}
	sqlite3_reset(st);
	return (int)got;
}

int kad_store_expire(struct kad_store *s, uint64_t now_ms)
{
	sqlite3_stmt *st;
	int n = 0, r;

	if (!write_ok(s, now_ms))
		return GG_EBUSY;
	if (now_ms > s->cfg.provider_ttl_ms) {
		st = stmt(s, S_EXP_PROV);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(now_ms -
					  s->cfg.provider_ttl_ms));
		if ((r = done(st)) < 0)
			return write_failed(s, r, now_ms);
		n += sqlite3_changes(s->db);
	}
	if (now_ms > s->cfg.record_ttl_ms) {
		st = stmt(s, S_EXP_REC);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(now_ms -
					  s->cfg.record_ttl_ms));
		if ((r = done(st)) < 0)
			return write_failed(s, r, now_ms);
		n += sqlite3_changes(s->db);
	}
	return n;
}

int kad_store_counts(struct kad_store *s, size_t *records, size_t *providers)
{
	int64_t a = count1(s, S_COUNT_REC, NULL, 0);
	int64_t b = count1(s, S_COUNT_PROV, NULL, 0);

	if (a < 0 || b < 0)
		return GG_EDB;
	if (records)
		*records = (size_t)a;
	if (providers)
		*providers = (size_t)b;
	return 0;
}
