/*
 * test_kad_host.c - the DHT glue without a network: the stream framing
 * (whole, partial, oversized, malformed), server vs client mode as
 * identify would list it, routing-table persistence (a table saved by
 * one node is loaded by the next on the same database; a save that finds
 * the file locked by another connection fails with GG_EBUSY and the next
 * one writes), a real request between two hosts on one loop, and a peer
 * that announces our protocol only after identify (the sweep's watch
 * list).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <unistd.h>

#include "../p2p/kad_net.h" /* struct tnode */
#include "util/varint.h"

static void framing(void **state)
{
	uint8_t b[32] = { 3, 'a', 'b', 'c', 2, 'd' };
	uint8_t big[4] = { 0x80, 0x80, 0x01 }; /* 16384 */
	uint8_t bad[11];
	size_t hdr = 0, len = 0;

	(void)state;
	assert_int_equal(gg_kadhost_frame(b, 6, 100, &hdr, &len), 1);
	assert_int_equal(hdr, 1);
	assert_int_equal(len, 3);
	assert_int_equal(gg_kadhost_frame(b + 4, 2, 100, &hdr, &len), 0);
	assert_int_equal(gg_kadhost_frame(b, 0, 100, &hdr, &len), 0);
	assert_int_equal(gg_kadhost_frame(b, 3, 100, &hdr, &len), 0);
	assert_int_equal(gg_kadhost_frame(big, 3, 16383, &hdr, &len),
			 GG_ETOOBIG);
	assert_int_equal(gg_kadhost_frame(big, 2, 16383, &hdr, &len), 0);
	memset(bad, 0xff, sizeof(bad));
	assert_int_equal(gg_kadhost_frame(bad, sizeof(bad), 100, &hdr, &len),
			 GG_EPARSE);
}

/* A host on 127.0.0.1 with a DHT in the given mode; key (a private key
 * protobuf) or a new one. */
static struct tnode *node_new_key(uv_loop_t *loop, int server, sqlite3 *db,
				  const struct gg_buf *key);

static struct tnode *node_new(uv_loop_t *loop, int server, sqlite3 *db)
{
	return node_new_key(loop, server, db, NULL);
}

static struct tnode *node_new_key(uv_loop_t *loop, int server, sqlite3 *db,
				  const struct gg_buf *key)
{
	struct tnode *t = calloc(1, sizeof(*t));
	struct gg_kadhost_cfg kc;
	struct gg_host_cfg hc;
	struct gg_multiaddr ma;

	assert_non_null(t);
	memset(&hc, 0, sizeof(hc));
	if (key)
		assert_int_equal(gg_privkey_from_proto(key->data, key->len,
						       &t->key), 0);
	else
		assert_int_equal(gg_privkey_generate(&t->key), 0);
	hc.loop = loop;
	hc.key = t->key;
	assert_int_equal(gg_host_new(&hc, &t->host), 0);
	assert_int_equal(gg_peerstore_new(64, &t->ps), 0);
	gg_multiaddr_parse("/ip4/127.0.0.1/tcp/0", &ma);
	assert_int_equal(gg_host_listen(t->host, &ma), 0);
	gg_kadhost_cfg_default(&kc, t->host, t->ps);
	kc.kad.server_mode = server;
	kc.db = db;
	kc.persist = db != NULL;
	assert_int_equal(gg_kadhost_new(&kc, &t->kh), 0);
	return t;
}

/* Close every node (b may be NULL), let the loop drain, free them. */
static void nodes_free(uv_loop_t *loop, struct tnode *a, struct tnode *b)
{
	struct tnode *t[2] = { a, b };
	int i;

	for (i = 0; i < 2; i++)
		if (t[i]) {
			gg_kadhost_close(t[i]->kh);
			gg_host_free(t[i]->host);
		}
	uv_run(loop, UV_RUN_DEFAULT);
	for (i = 0; i < 2; i++)
		if (t[i]) {
			gg_kadhost_free(t[i]->kh);
			gg_identify_free(t[i]->id);
			gg_peerstore_free(t[i]->ps);
			gg_privkey_free(t[i]->key);
			free(t[i]);
		}
}

static int lists(struct gg_host *h, const char *proto)
{
	const char *p[GG_HOST_MAX_PROTOCOLS];
	int i, n = gg_host_protocols(h, p, GG_HOST_MAX_PROTOCOLS);

	for (i = 0; i < n; i++)
		if (!strcmp(p[i], proto))
			return 1;
	return 0;
}

static void modes(void **state)
{
	uv_loop_t loop;
	struct tnode *s, *c;

	(void)state;
	uv_loop_init(&loop);
	s = node_new(&loop, 1, NULL);
	c = node_new(&loop, 0, NULL);
	assert_true(lists(s->host, "/ggen/kad/1.0.0"));
	assert_false(lists(c->host, "/ggen/kad/1.0.0"));
	assert_true(gg_kadhost_server_mode(s->kh));
	assert_false(gg_kadhost_server_mode(c->kh));
	nodes_free(&loop, s, c);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void fake_peer(int i, struct kad_peer *p)
{
	uint8_t pub[36] = { 0x08, 0x01, 0x12, 0x20 };
	struct gg_multiaddr ma;
	char s[64];

	memset(p, 0, sizeof(*p));
	pub[4] = (uint8_t)i;
	pub[5] = (uint8_t)(i >> 8);
	assert_int_equal(gg_peerid_from_pubkey(pub, sizeof(pub), &p->id), 0);
	kad_key_of_peer(&p->id, &p->key);
	snprintf(s, sizeof(s), "/ip4/10.%d.%d.1/tcp/4001", i / 200, i % 200);
	assert_int_equal(gg_multiaddr_parse(s, &ma), 0);
	kad_addrbuf_add(&p->addrs, ma.b, ma.len);
}

static void persistence(void **state)
{
	uv_loop_t loop;
	sqlite3 *db;
	struct tnode *a, *b;
	struct kad_peer p;
	struct gg_buf key = GG_BUF_INIT(4096);
	size_t before;
	int i;

	(void)state;
	uv_loop_init(&loop);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	a = node_new(&loop, 1, db);
	assert_int_equal(gg_privkey_to_proto(a->key, &key), 0);
	for (i = 0; i < 50; i++) {
		fake_peer(i, &p);
		kad_add_verified(gg_kadhost_kad(a->kh), &p);
	}
	before = gg_kadhost_table_size(a->kh);
	assert_true(before > 10);
	nodes_free(&loop, a, NULL); /* close saves */
	b = node_new_key(&loop, 1, db, &key); /* the same node, restarted */
	gg_buf_release(&key);
	assert_int_equal(gg_kadhost_table_size(b->kh), before);
	fake_peer(7, &p);
	assert_non_null(kad_table_find(kad_routing_table(gg_kadhost_kad(b->kh)),
				       &p.id));
	nodes_free(&loop, b, NULL);
	sqlite3_close(db);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static int64_t routes(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM"
					    " kad_routing", -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void save_busy(void **state)
{
	char path[] = "/tmp/kadhostXXXXXX";
	uv_loop_t loop;
	sqlite3 *db, *other;
	struct tnode *a;
	struct kad_peer p;
	int i, fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	uv_loop_init(&loop);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 50);
	a = node_new(&loop, 1, db);
	for (i = 0; i < 30; i++) {
		fake_peer(i, &p);
		kad_add_verified(gg_kadhost_kad(a->kh), &p);
	}
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
				      NULL), SQLITE_OK);
	assert_int_equal(gg_kadhost_save(a->kh), GG_EBUSY);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(routes(other), 0);
	assert_true(sqlite3_get_autocommit(db)); /* nothing left open */
	assert_int_equal(gg_kadhost_save(a->kh), 0);
	assert_int_equal(routes(other),
			 (int64_t)gg_kadhost_table_size(a->kh));
	nodes_free(&loop, a, NULL);
	sqlite3_close(other);
	sqlite3_close(db);
	unlink(path);
	assert_int_equal(uv_loop_close(&loop), 0);
}

struct found {
	struct gg_op op;
	int hit;
	const struct gg_peerid *want;
};

static void on_found(void *arg, const struct kad_result *r)
{
	struct found *f = arg;
	size_t i;

	for (i = 0; i < r->npeers; i++)
		if (gg_peerid_eq(&r->peers[i].id, f->want))
			f->hit = 1;
	f->op.status = r->status;
	f->op.done = 1;
}

static void joined(void *arg, int status, size_t table)
{
	struct gg_op *op = arg;

	op->status = status;
	op->done = 1;
}

/* A client joins through a server and finds it by FIND_NODE. */
static void request(void **state)
{
	uv_loop_t loop;
	struct tnode *s, *c;
	struct gg_multiaddr ma;
	struct gg_op op = { 0, 0 };
	struct found f;

	(void)state;
	uv_loop_init(&loop);
	s = node_new(&loop, 1, NULL);
	c = node_new(&loop, 0, NULL);
	assert_int_equal(gg_host_listen_addrs(s->host, &ma, 1), 1);
	gg_multiaddr_append_p2p(&ma, gg_host_id(s->host));
	assert_int_equal(gg_identify_new(s->host, s->ps, &s->id), 0);
	assert_int_equal(gg_ping_serve(s->host), 0);
	assert_int_equal(gg_kadhost_join(c->kh, &ma, 1, 5000, joined, &op), 0);
	assert_int_equal(gg_run(&loop, &op, 10000), 0);
	assert_int_equal(gg_kadhost_table_size(c->kh), 1);
	memset(&f, 0, sizeof(f));
	f.want = gg_host_id(s->host);
	assert_int_equal(kad_find_node(gg_kadhost_kad(c->kh), f.want->b,
				       f.want->len, on_found, &f, NULL), 0);
	gg_kadhost_kick(c->kh);
	assert_int_equal(gg_run(&loop, &f.op, 10000), 0);
	assert_true(f.hit);
	nodes_free(&loop, c, s);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void dialed(void *arg, struct gg_conn *c, int err,
		   const struct gg_peerid *remote)
{
	struct gg_op *op = arg;

	op->status = c ? 0 : err;
	op->done = 1;
}

/* Turn the loop for ms, in steps, until the table holds want peers. */
static size_t wait_table(uv_loop_t *loop, struct gg_kadhost *kh,
			 size_t want, int ms)
{
	int i;

	for (i = 0; i < ms / 50 && gg_kadhost_table_size(kh) != want; i++) {
		struct gg_op op = { 0, 0 };

		gg_run(loop, &op, 50);
	}
	return gg_kadhost_table_size(kh);
}

/*
 * A peer identified without our protocol is watched: when the peer store
 * later says it speaks it (as an identify push would), the next second's
 * sweep offers it, it is pinged and enters the table, long before the
 * 30 s sweep over all connections.
 */
static void late_protocol(void **state)
{
	static const char *const kad[] = { "/ggen/kad/1.0.0" };
	struct gg_kadhost_stats st;
	struct gg_op op = { 0, 0 };
	struct gg_multiaddr ma, plain;
	struct tnode *s, *l;
	uv_loop_t loop;

	(void)state;
	uv_loop_init(&loop);
	s = node_new(&loop, 1, NULL);
	l = node_new(&loop, 0, NULL); /* does not list the protocol */
	assert_int_equal(gg_identify_new(l->host, l->ps, &l->id), 0);
	assert_int_equal(gg_ping_serve(l->host), 0);
	assert_int_equal(gg_host_listen_addrs(l->host, &plain, 1), 1);
	ma = plain;
	gg_multiaddr_append_p2p(&ma, gg_host_id(l->host));
	assert_int_equal(gg_host_dial(s->host, &ma, 5000, dialed, &op, NULL),
			 0);
	assert_int_equal(gg_run(&loop, &op, 10000), 0);
	assert_int_equal(wait_table(&loop, s->kh, 1, 1500), 0);
	assert_int_equal(gg_peerstore_set_protocols(s->ps, gg_host_id(l->host),
						    kad, 1), 0);
	assert_int_equal(gg_peerstore_add_addrs(s->ps, gg_host_id(l->host),
						&plain, 1), 0);
	assert_int_equal(wait_table(&loop, s->kh, 1, 5000), 1);
	gg_kadhost_stats(s->kh, &st);
	assert_int_equal(st.pings, 1);
	nodes_free(&loop, s, l);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(framing),
		cmocka_unit_test(modes),
		cmocka_unit_test(persistence),
		cmocka_unit_test(save_busy),
		cmocka_unit_test(request),
		cmocka_unit_test(late_protocol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
