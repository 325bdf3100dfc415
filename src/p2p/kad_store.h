/*
 * kad_store.h - the DHT's record and provider store, in SQLite.
 *
 * The caller opens the database (ggen.db) and passes the handle; the
 * store creates its own tables (kad_records, kad_providers) and keeps
 * prepared statements, so it must be freed before the database is closed.
 * Each write is one transaction that checks the limits and writes.
 * The database may be shared with other processes (ggen.db): a write
 * that finds it locked (after the connection's busy timeout) returns
 * GG_EBUSY, and writes are then refused without trying for
 * KAD_STORE_BUSY_BACKOFF_MS, so the caller's event loop waits at most
 * once per back-off.
 *
 * Limits: records total (count and bytes) and per sending peer; provider
 * entries total, per key and per providing peer.  Providers expire
 * provider_ttl after they were received (48 h); records record_ttl after
 * (36 h, as go-libp2p; publishers republish).  Choosing between an old
 * and a new record is the validator's business (kad_validate.h): put
 * replaces.  Whether a provider entry names the sender is the server's
 * check (kad.c); the store stores what it is given.
 */
#ifndef GG_P2P_KAD_STORE_H
#define GG_P2P_KAD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/peerid.h"
#include "p2p/kad_table.h"
#include "util/buf.h"

struct sqlite3;

#define KAD_PROVIDER_TTL_MS (48ULL * 3600 * 1000)
#define KAD_PROVIDER_REPUBLISH_MS (22ULL * 3600 * 1000)
#define KAD_RECORD_TTL_MS (36ULL * 3600 * 1000)
/* After a write found the database locked: refuse writes this long. */
#define KAD_STORE_BUSY_BACKOFF_MS 1000ULL

struct kad_store_config {
	size_t max_records;          /* total count */
	size_t max_record_bytes;     /* total bytes of values */
	size_t max_records_per_peer;
	size_t max_value;            /* one value */
	size_t max_providers;        /* total entries */
	size_t max_providers_per_key;
	size_t max_providers_per_peer;
	uint64_t provider_ttl_ms;
	uint64_t record_ttl_ms;
};

struct kad_store;

/* 10000 records, 64 MiB, 256 per peer, 16 KiB values; 100000 providers,
 * 64 per key, 4096 per peer; 48 h / 36 h. */
void kad_store_config_default(struct kad_store_config *c);
/* CREATE TABLE IF NOT EXISTS the store's tables (kad_records,
 * kad_providers); PRAGMA user_version is not touched.  0, GG_EBUSY,
 * GG_EDB. */
int kad_store_schema(struct sqlite3 *db);
/* Creates the tables if needed.  0, GG_EDB, GG_ENOMEM. */
int kad_store_open(struct sqlite3 *db, const struct kad_store_config *c,
		   struct kad_store **out);
void kad_store_free(struct kad_store *s);

/* Store or replace the record for key.  GG_ELIMIT over a limit,
 * GG_ETOOBIG for a value over max_value, GG_EBUSY (database locked, or
 * backing off), GG_EDB. */
int kad_store_put_record(struct kad_store *s, const uint8_t *key,
			 size_t klen, const uint8_t *val, size_t vlen,
			 const struct gg_peerid *from, uint64_t now_ms);
/* Append the value to out and give its receive time.  GG_ENOTFOUND when
 * absent or expired. */
int kad_store_get_record(struct kad_store *s, const uint8_t *key,
			 size_t klen, uint64_t now_ms, struct gg_buf *out,
			 uint64_t *received_ms);
int kad_store_del_record(struct kad_store *s, const uint8_t *key,
			 size_t klen);

/* Add or refresh (time and addresses) one provider of key.  Errors as
 * kad_store_put_record's. */
int kad_store_add_provider(struct kad_store *s, const uint8_t *key,
			   size_t klen, const struct kad_peer *provider,
			   uint64_t now_ms);
/* Up to max unexpired providers of key, newest first (their key field is
 * filled).  Returns the count or a negative GG_E*. */
int kad_store_get_providers(struct kad_store *s, const uint8_t *key,
			    size_t klen, uint64_t now_ms,
			    struct kad_peer *out, size_t max);

/* Delete expired providers and records; returns how many, GG_EBUSY or
 * GG_EDB. */
int kad_store_expire(struct kad_store *s, uint64_t now_ms);
/*
 * A write transaction on db that nests: BEGIN IMMEDIATE when none is
 * open (the write lock is taken first, under the busy timeout), else a
 * SAVEPOINT inside the caller's.  *top says which, for kad_db_end.
 * 0, GG_EBUSY or GG_EDB.  Also used for the routing table (kad_host).
 */
int kad_db_begin(struct sqlite3 *db, int *top);
/* Commit (ok) or roll back what kad_db_begin opened.  With ok: 0,
 * GG_EBUSY or GG_EDB (then rolled back); without: 0. */
int kad_db_end(struct sqlite3 *db, int top, int ok);

/* Counts, for status and tests (either pointer may be NULL). */
int kad_store_counts(struct kad_store *s, size_t *records,
		     size_t *providers);

#endif
