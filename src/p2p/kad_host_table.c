/*
 * kad_host_table.c - the routing table in SQLite (table kad_routing in
 * the caller's database), so a restarted node is warm: its verified
 * peers with their addresses, saved in one SAVEPOINT (after each join
 * and at close) and loaded back as verified peers at start.  Rows are
 * untrusted input (the file may be damaged): peer IDs and addresses are
 * validated like the wire's.
 *
 * The database is ggen.db, shared with CLI verbs: a save that finds it
 * locked (after the connection's short busy timeout) is logged and
 * dropped; the table is still in memory and the next save writes it.
 */
#include <sqlite3.h>

#include "p2p/kad_host_impl.h"
#include "p2p/kad_store.h"
#include "util/error.h"
#include "util/log.h"

int gg_kadhost_schema(struct sqlite3 *db)
{
	static const char sql[] =
		"CREATE TABLE IF NOT EXISTS kad_routing ("
		" peer BLOB PRIMARY KEY, addrs BLOB NOT NULL,"
		" seen_ms INTEGER NOT NULL)";
	int rc = kad_store_schema(db);

	if (rc == 0 && sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		rc = (sqlite3_extended_errcode(db) & 0xff) == SQLITE_BUSY
			     ? GG_EBUSY : GG_EDB;
	return rc;
}

int kh_table_schema(struct gg_kadhost *kh)
{
	return gg_kadhost_schema(kh->db);
}

static int save_one(void *arg, const struct kad_entry *e)
{
	sqlite3_stmt *st = arg;

	if (e->state != KAD_PEER_VERIFIED)
		return 0;
	sqlite3_reset(st);
	sqlite3_bind_blob(st, 1, e->peer.id.b, (int)e->peer.id.len,
			  SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, e->peer.addrs.b, (int)e->peer.addrs.len,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)e->seen_ms);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : GG_EDB;
}

int gg_kadhost_save(struct gg_kadhost *kh)
{
	sqlite3_stmt *st = NULL;
	int rc, top;

	if (!kh->db)
		return GG_EINVAL;
	if ((rc = kad_db_begin(kh->db, &top)) < 0)
		goto log;
	rc = GG_EDB;
	if (sqlite3_exec(kh->db, "DELETE FROM kad_routing", NULL, NULL,
			 NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(kh->db, "INSERT OR REPLACE INTO kad_routing"
			       " (peer, addrs, seen_ms) VALUES (?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	rc = kad_table_each(kad_routing_table(kh->kad), save_one, st);
out:
	sqlite3_finalize(st);
	if (rc == 0)
		rc = kad_db_end(kh->db, top, 1);
	else
		kad_db_end(kh->db, top, 0);
log:
	if (rc == GG_EBUSY)
		gg_warn("kad", "routing table not saved: the database is "
			"locked by another process (the next save retries)");
	else if (rc < 0)
		gg_warn("kad", "cannot save the routing table: %s",
			sqlite3_errmsg(kh->db));
	return rc < 0 ? rc : 0;
}

/* One row back into a peer; addresses walked with their length bytes. */
static int load_row(sqlite3_stmt *st, struct kad_peer *p)
{
	const uint8_t *a = sqlite3_column_blob(st, 1);
	size_t n = (size_t)sqlite3_column_bytes(st, 1), off = 0, l;
	struct gg_multiaddr m;

	memset(p, 0, sizeof(*p));
	if (gg_peerid_from_bytes(sqlite3_column_blob(st, 0),
				 (size_t)sqlite3_column_bytes(st, 0),
				 &p->id) < 0)
		return GG_EPARSE;
	kad_key_of_peer(&p->id, &p->key);
	kad_addrbuf_init(&p->addrs);
	while (a && off < n) {
		l = a[off++];
		if (l > n - off)
			return GG_EPARSE;
		if (gg_multiaddr_from_bytes(a + off, l, &m) == 0)
			kad_addrbuf_add(&p->addrs, a + off, l);
		off += l;
	}
	return p->addrs.n ? 0 : GG_EPARSE;
}

int gg_kadhost_load(struct gg_kadhost *kh)
{
	sqlite3_stmt *st = NULL;
	struct kad_peer p;
	int rc, got = 0;

	if (!kh->db)
		return GG_EINVAL;
	if (sqlite3_prepare_v2(kh->db, "SELECT peer, addrs FROM kad_routing"
			       " ORDER BY seen_ms DESC LIMIT 5120", -1, &st,
			       NULL) != SQLITE_OK)
		return GG_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (load_row(st, &p) == 0 && kad_add_verified(kh->kad, &p) == 0)
			got++;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return GG_EDB;
	gg_debug("kad", "routing table: %d peers loaded", got);
	return 0;
}
