/*
 * test_node_kad_db.c - the DHT's tables in $GGEN_HOME/ggen.db
 * (node_kad_db.c): either side (the DHT, the marketplace's migrations)
 * may open a fresh ggen.db first and the other still works, without the
 * DHT touching user_version; a kad.db of an older ggen is imported once
 * and removed; and a DHT write that finds ggen.db locked by another
 * connection gives up after the short busy timeout (GG_EBUSY), backs off,
 * and works again once the lock is gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "market/db.h"
#include "node/node_kad.h"
#include "p2p/kad_store.h"
#include "util/error.h"

struct home {
	char dir[64];
	char db[128];
	char legacy[128];
};

static void home_new(struct home *h)
{
	snprintf(h->dir, sizeof(h->dir), "/tmp/ggkaddbXXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->db, sizeof(h->db), "%s/%s", h->dir, GG_DB_FILE);
	snprintf(h->legacy, sizeof(h->legacy), "%s/%s", h->dir,
		 GG_KAD_LEGACY_FILE);
}

static void home_rm(struct home *h)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[160];
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", h->db, sfx[i]);
		unlink(p);
		snprintf(p, sizeof(p), "%s%s", h->legacy, sfx[i]);
		unlink(p);
	}
	assert_int_equal(rmdir(h->dir), 0);
}

static int64_t one(sqlite3 *db, const char *q)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void exec_ok(sqlite3 *db, const char *q)
{
	assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
}

static void add_route(sqlite3 *db, int n)
{
	char q[160];

	snprintf(q, sizeof(q), "INSERT INTO kad_routing VALUES"
		 " (x'%04x', x'00', %d)", n, n);
	exec_ok(db, q);
}

static int file_exists(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0;
}

/* The DHT opens a fresh ggen.db, then the marketplace migrates it. */
static void dht_first(void **state)
{
	struct home h;
	struct gg_db *mdb;
	sqlite3 *k;

	(void)state;
	home_new(&h);
	assert_int_equal(gg_node_kad_db_open(h.dir, &k), 0);
	assert_int_equal(one(k, "PRAGMA user_version"), 0);
	add_route(k, 1);
	assert_int_equal(gg_db_open(h.dir, &mdb), 0);
	assert_int_equal(mdb->version, gg_db_schema_version());
	assert_int_equal(one(mdb->h, "SELECT count(*) FROM kad_routing"), 1);
	assert_int_equal(one(mdb->h, "SELECT count(*) FROM catalog"), 0);
	add_route(k, 2); /* the DHT's connection goes on writing */
	assert_int_equal(one(mdb->h, "SELECT count(*) FROM kad_routing"), 2);
	gg_db_free(mdb);
	sqlite3_close(k);
	/* and both open again as they are */
	assert_int_equal(gg_node_kad_db_open(h.dir, &k), 0);
	assert_int_equal(one(k, "PRAGMA user_version"),
			 gg_db_schema_version());
	assert_int_equal(gg_db_open(h.dir, &mdb), 0);
	gg_db_free(mdb);
	sqlite3_close(k);
	home_rm(&h);
}

/* The marketplace creates ggen.db, then the DHT adds its tables. */
static void market_first(void **state)
{
	struct home h;
	struct gg_db *mdb;
	sqlite3 *k;
	sqlite3_stmt *st;

	(void)state;
	home_new(&h);
	assert_int_equal(gg_db_open(h.dir, &mdb), 0);
	assert_int_equal(gg_node_kad_db_open(h.dir, &k), 0);
	assert_int_equal(one(k, "PRAGMA user_version"),
			 gg_db_schema_version());
	assert_int_equal(sqlite3_prepare_v2(k, "PRAGMA journal_mode", -1, &st,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	add_route(k, 1);
	assert_int_equal(gg_db_exec(mdb, "INSERT INTO name_owners VALUES"
				    " ('demo', 'someone', 1)"), 0);
	sqlite3_close(k);
	gg_db_free(mdb);
	assert_int_equal(gg_db_open(h.dir, &mdb), 0);
	assert_int_equal(one(mdb->h, "SELECT count(*) FROM kad_routing"), 1);
	assert_int_equal(one(mdb->h, "SELECT count(*) FROM name_owners"), 1);
	gg_db_free(mdb);
	home_rm(&h);
}

/* A kad.db as older versions wrote it (WAL, data left in the -wal). */
static void make_legacy(struct home *h, int routes)
{
	sqlite3 *db;
	int i;

	assert_int_equal(sqlite3_open(h->legacy, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA journal_mode=WAL");
	assert_int_equal(sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
					   1, NULL), SQLITE_OK);
	assert_int_equal(gg_kadhost_schema(db), 0);
	for (i = 0; i < routes; i++)
		add_route(db, 100 + i);
	exec_ok(db, "INSERT INTO kad_records VALUES (x'01', x'02', x'03', 7)");
	exec_ok(db, "INSERT INTO kad_providers VALUES"
		    " (x'04', x'05', x'06', 8)");
	sqlite3_close(db);
	assert_true(file_exists(h->legacy));
}

static void legacy_import(void **state)
{
	struct home h;
	char wal[160];
	sqlite3 *k;

	(void)state;
	home_new(&h);
	make_legacy(&h, 3);
	snprintf(wal, sizeof(wal), "%s-wal", h.legacy);
	assert_true(file_exists(wal)); /* the rows are still in the WAL */
	assert_int_equal(gg_node_kad_db_open(h.dir, &k), 0);
	assert_false(file_exists(h.legacy));
	assert_false(file_exists(wal));
	assert_int_equal(one(k, "SELECT count(*) FROM kad_routing"), 3);
	assert_int_equal(one(k, "SELECT received_ms FROM kad_records"), 7);
	assert_int_equal(one(k, "SELECT received_ms FROM kad_providers"), 8);
	assert_int_equal(one(k, "SELECT count(*) FROM pragma_database_list"),
			 1); /* kad.db detached again */
	sqlite3_close(k);
	/* a kad.db that turns up again is not imported over ggen.db's rows,
	 * only removed */
	make_legacy(&h, 5);
	assert_int_equal(gg_node_kad_db_open(h.dir, &k), 0);
	assert_false(file_exists(h.legacy));
	assert_int_equal(one(k, "SELECT count(*) FROM kad_routing"), 3);
	sqlite3_close(k);
	home_rm(&h);
}

/* A file that is not a database is kept (and the node starts anyway). */
static void legacy_damaged(void **state)
{
	struct home h;
	sqlite3 *k;
	FILE *f;

	(void)state;
	home_new(&h);
	assert_non_null(f = fopen(h.legacy, "w"));
	fputs("this is not an SQLite database, but long enough to look at "
	      "its header, which is what SQLite checks first ........\n", f);
	fclose(f);
	assert_int_equal(gg_node_kad_db_open(h.dir, &k), 0);
	assert_true(file_exists(h.legacy));
	assert_int_equal(one(k, "SELECT count(*) FROM kad_routing"), 0);
	assert_int_equal(one(k, "SELECT count(*) FROM pragma_database_list"),
			 1);
	sqlite3_close(k);
	home_rm(&h);
}

static void peer_id(int i, struct gg_peerid *id)
{
	uint8_t pub[36] = { 0x08, 0x01, 0x12, 0x20 };

	pub[4] = (uint8_t)i;
	assert_int_equal(gg_peerid_from_pubkey(pub, sizeof(pub), id), 0);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Another process's write transaction: the store's write waits the
 * short busy timeout, fails with GG_EBUSY, then backs off without
 * waiting; after the lock and the back-off it stores again. */
static void busy_store(void **state)
{
	static const uint8_t key[34] = { 0x12, 0x20, 9 };
	struct kad_store_config c;
	struct kad_store *s;
	struct kad_peer p;
	struct gg_peerid from;
	struct home h;
	sqlite3 *k, *other;
	uint64_t t0, dt;
	size_t nrec = 9, nprov = 9;

	(void)state;
	home_new(&h);
	assert_int_equal(gg_node_kad_db_open(h.dir, &k), 0);
	kad_store_config_default(&c);
	assert_int_equal(kad_store_open(k, &c, &s), 0);
	peer_id(1, &from);
	memset(&p, 0, sizeof(p));
	p.id = from;
	assert_int_equal(sqlite3_open(h.db, &other), SQLITE_OK);
	exec_ok(other, "BEGIN IMMEDIATE");
	t0 = now_ms();
	assert_int_equal(kad_store_put_record(s, key, 34, key, 3, &from,
					      1000), GG_EBUSY);
	dt = now_ms() - t0;
	assert_true(dt >= GG_KAD_DB_BUSY_MS / 2);
	assert_true(dt < 5 * GG_KAD_DB_BUSY_MS);
	t0 = now_ms();
	assert_int_equal(kad_store_add_provider(s, key, 34, &p, 1500),
			 GG_EBUSY);
	assert_int_equal(kad_store_expire(s, 1900), GG_EBUSY);
	assert_true(now_ms() - t0 < GG_KAD_DB_BUSY_MS / 2); /* backing off */
	/* reads go on (WAL) */
	assert_int_equal(kad_store_counts(s, &nrec, &nprov), 0);
	assert_int_equal(nrec + nprov, 0);
	exec_ok(other, "COMMIT");
	assert_int_equal(kad_store_add_provider(s, key, 34, &p, 1999),
			 GG_EBUSY); /* still within the back-off */
	t0 = 1000 + KAD_STORE_BUSY_BACKOFF_MS; /* the back-off is over */
	assert_int_equal(kad_store_add_provider(s, key, 34, &p, t0), 0);
	assert_int_equal(kad_store_put_record(s, key, 34, key, 3, &from,
					      2100), 0);
	assert_int_equal(one(other, "SELECT count(*) FROM kad_records"), 1);
	/* inside a caller's transaction the store nests (SAVEPOINT) */
	exec_ok(k, "BEGIN");
	assert_int_equal(kad_store_del_record(s, key, 34), 0);
	assert_int_equal(kad_store_put_record(s, key, 34, key, 2, &from,
					      2200), 0);
	exec_ok(k, "ROLLBACK");
	assert_int_equal(one(other, "SELECT length(value) FROM kad_records"),
			 3);
	sqlite3_close(other);
	kad_store_free(s);
	sqlite3_close(k);
	home_rm(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dht_first),
		cmocka_unit_test(market_first),
		cmocka_unit_test(legacy_import),
		cmocka_unit_test(legacy_damaged),
		cmocka_unit_test(busy_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
