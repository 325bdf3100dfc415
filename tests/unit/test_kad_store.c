/*
 * test_kad_store.c - the SQLite record/provider store (limits, expiry at
 * 48 h, newest first, survival across reopen of a file database) and the
 * server rules that sit on it: PUT_VALUE echoes, refuses worse values and
 * unknown namespaces; ADD_PROVIDER stores only the sender; oversized
 * messages and client mode are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "kad_sim.h"
#include "p2p/kad_impl.h"

#define HOUR (3600ULL * 1000)

static void provider(unsigned n, struct kad_peer *p)
{
	uint8_t ma[8] = { 0x04, 10, 0, (uint8_t)n, 1, 0x06, 0x0f, 0xa1 };

	memset(p, 0, sizeof(*p));
	sim_id(n, &p->id);
	kad_key_of_peer(&p->id, &p->key);
	kad_addrbuf_add(&p->addrs, ma, sizeof(ma));
}

static struct kad_store *open_mem(sqlite3 **db, struct kad_store_config *c)
{
	struct kad_store *s;

	assert_int_equal(sqlite3_open(":memory:", db), SQLITE_OK);
	assert_int_equal(kad_store_open(*db, c, &s), 0);
	return s;
}

static void records(void **state)
{
	struct gg_buf out = GG_BUF_INIT(1 << 20);
	struct kad_store_config c;
	struct kad_store *s;
	struct gg_peerid a, b;
	uint64_t t = 0;
	sqlite3 *db;

	(void)state;
	kad_store_config_default(&c);
	c.max_records = 3;
	c.max_records_per_peer = 2;
	c.max_value = 100;
	s = open_mem(&db, &c);
	sim_id(1, &a);
	sim_id(2, &b);
	assert_int_equal(kad_store_put_record(s, (const uint8_t *)"k1", 2,
					      (const uint8_t *)"v1", 2, &a, 5), 0);
	assert_int_equal(kad_store_get_record(s, (const uint8_t *)"k1", 2, 6,
					      &out, &t), 0);
	assert_int_equal(out.len, 2);
	assert_true(t == 5);
	/* replace keeps one row; per-peer limit; total limit */
	assert_int_equal(kad_store_put_record(s, (const uint8_t *)"k1", 2,
					      (const uint8_t *)"v2", 2, &a, 7), 0);
	assert_int_equal(kad_store_put_record(s, (const uint8_t *)"k2", 2,
					      (const uint8_t *)"v", 1, &a, 7), 0);
	assert_int_equal(kad_store_put_record(s, (const uint8_t *)"k3", 2,
					      (const uint8_t *)"v", 1, &a, 7),
			 GG_ELIMIT);
	assert_int_equal(kad_store_put_record(s, (const uint8_t *)"k3", 2,
					      (const uint8_t *)"v", 1, &b, 7), 0);
	assert_int_equal(kad_store_put_record(s, (const uint8_t *)"k4", 2,
					      (const uint8_t *)"v", 1, &b, 7),
			 GG_ELIMIT);
	{
		uint8_t big[101] = { 0 };

		assert_int_equal(kad_store_put_record(s, (const uint8_t *)"k1",
						      2, big, 101, &a, 7),
				 GG_ETOOBIG);
	}
	/* records expire after 36 h */
	gg_buf_reset(&out);
	assert_int_equal(kad_store_get_record(s, (const uint8_t *)"k1", 2,
					      7 + KAD_RECORD_TTL_MS, &out,
					      NULL), GG_ENOTFOUND);
	assert_int_equal(kad_store_expire(s, 8 + KAD_RECORD_TTL_MS), 3);
	gg_buf_release(&out);
	kad_store_free(s);
	sqlite3_close(db);
}

static void providers(void **state)
{
	static const uint8_t key[34] = { 0x12, 0x20, 1 };
	struct kad_store_config c;
	struct kad_peer p, got[8];
	struct kad_store *s;
	size_t nrec, nprov;
	sqlite3 *db;
	unsigned i;

	(void)state;
	kad_store_config_default(&c);
	c.max_providers_per_key = 3;
	s = open_mem(&db, &c);
	for (i = 0; i < 3; i++) {
		provider(i, &p);
		assert_int_equal(kad_store_add_provider(s, key, 34, &p,
							i * HOUR), 0);
	}
	provider(9, &p);
	assert_int_equal(kad_store_add_provider(s, key, 34, &p, 3 * HOUR),
			 GG_ELIMIT);
	provider(0, &p); /* a refresh is fine and moves it to the front */
	assert_int_equal(kad_store_add_provider(s, key, 34, &p, 4 * HOUR), 0);
	assert_int_equal(kad_store_get_providers(s, key, 34, 5 * HOUR, got, 8),
			 3);
	assert_true(gg_peerid_eq(&got[0].id, &p.id));
	assert_int_equal(got[0].addrs.n, 1);
	/* 48 h after the entries from hours 1 and 2, only hour 4's is left */
	assert_int_equal(kad_store_get_providers(s, key, 34, 50 * HOUR + 1,
						 got, 8), 1);
	assert_int_equal(kad_store_expire(s, 50 * HOUR + 1), 2);
	assert_int_equal(kad_store_counts(s, &nrec, &nprov), 0);
	assert_int_equal(nrec, 0);
	assert_int_equal(nprov, 1);
	kad_store_free(s);
	sqlite3_close(db);
}

static void survives_reopen(void **state)
{
	static const uint8_t key[34] = { 0x12, 0x20, 2 };
	char path[] = "/tmp/kadstoreXXXXXX";
	struct kad_store_config c;
	struct kad_store *s;
	struct kad_peer p, got[2];
	sqlite3 *db;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	kad_store_config_default(&c);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(kad_store_open(db, &c, &s), 0);
	provider(4, &p);
	assert_int_equal(kad_store_add_provider(s, key, 34, &p, HOUR), 0);
	kad_store_free(s);
	sqlite3_close(db);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(kad_store_open(db, &c, &s), 0);
	assert_int_equal(kad_store_get_providers(s, key, 34, 2 * HOUR, got, 2),
			 1);
	kad_store_free(s);
	sqlite3_close(db);
	unlink(path);
}

/* Server rules, through kad_on_request on a 3-node sim. */

static int ask(struct sim *s, int from, const struct kad_msg *m,
	       struct gg_buf *reply)
{
	struct gg_buf req = GG_BUF_INIT(1 << 20);
	int r;

	gg_buf_reset(reply);
	assert_int_equal(kad_msg_encode(m, &req), 0);
	r = kad_on_request(s->nodes[0].kad, &s->nodes[from].me.id, req.data,
			   req.len, reply);
	gg_buf_release(&req);
	return r;
}

static void put_msg(struct kad_msg *m, const char *key, const char *val)
{
	kad_msg_init(m, KAD_PUT_VALUE);
	m->key.p = (const uint8_t *)key;
	m->key.n = strlen(key);
	m->has_record = 1;
	m->rec_key = m->key;
	m->rec_value.p = (const uint8_t *)val;
	m->rec_value.n = strlen(val);
}

static void server_put_and_get(void **state)
{
	struct gg_buf reply = GG_BUF_INIT(1 << 20), req = GG_BUF_INIT(4096);
	struct kad_config c;
	struct kad_msg m, d;
	struct sim s;

	(void)state;
	sim_config(&c);
	sim_init(&s, 3, &c);
	put_msg(&m, "/test/k", "5five");
	assert_int_equal(kad_msg_encode(&m, &req), 0);
	assert_int_equal(ask(&s, 1, &m, &reply), 0);
	/* the echo is the request itself */
	assert_int_equal(reply.len, req.len);
	assert_memory_equal(reply.data, req.data, req.len);
	/* a worse value is refused, a better one replaces */
	put_msg(&m, "/test/k", "3three");
	assert_int_equal(ask(&s, 2, &m, &reply), GG_EEXISTS);
	put_msg(&m, "/test/k", "7seven");
	assert_int_equal(ask(&s, 2, &m, &reply), 0);
	/* invalid, unknown namespace, record key not the message key */
	put_msg(&m, "/test/k", "Xbad");
	assert_int_equal(ask(&s, 2, &m, &reply), GG_EPARSE);
	put_msg(&m, "/ipns/k", "1");
	assert_int_equal(ask(&s, 2, &m, &reply), GG_EUNSUPPORTED);
	put_msg(&m, "/test/k", "8");
	m.rec_key.p = (const uint8_t *)"/test/j";
	assert_int_equal(ask(&s, 2, &m, &reply), GG_EPARSE);
	/* GET_VALUE answers with the record and its time */
	kad_msg_init(&m, KAD_GET_VALUE);
	m.key.p = (const uint8_t *)"/test/k";
	m.key.n = 7;
	assert_int_equal(ask(&s, 1, &m, &reply), 0);
	assert_int_equal(kad_msg_decode(reply.data, reply.len, NULL, &d), 0);
	assert_int_equal(d.type, KAD_GET_VALUE);
	assert_true(d.has_record);
	assert_int_equal(d.rec_value.n, 6);
	assert_memory_equal(d.rec_value.p, "7seven", 6);
	assert_int_equal(d.rec_time.n, 24);
	gg_buf_release(&reply);
	gg_buf_release(&req);
	sim_free(&s);
}

static void server_providers_only_sender(void **state)
{
	struct gg_buf reply = GG_BUF_INIT(1 << 20);
	static const uint8_t key[34] = { 0x12, 0x20, 3 };
	struct kad_config c;
	struct kad_msg m, d;
	struct sim s;

	(void)state;
	sim_config(&c);
	sim_init(&s, 3, &c);
	/* node 1 claims node 2 provides: ignored; then names itself */
	kad_msg_init(&m, KAD_ADD_PROVIDER);
	m.key.p = key;
	m.key.n = 34;
	kad__view_peer(&s.nodes[2].me, &m.providers[0]);
	m.nproviders = 1;
	assert_int_equal(ask(&s, 1, &m, &reply), 0);
	assert_int_equal(reply.len, 0); /* ADD_PROVIDER has no answer */
	kad__view_peer(&s.nodes[1].me, &m.providers[0]);
	assert_int_equal(ask(&s, 1, &m, &reply), 0);
	/* the key must be a sha2-256 multihash */
	m.key.n = 33;
	assert_int_equal(ask(&s, 1, &m, &reply), GG_EPARSE);
	kad_msg_init(&m, KAD_GET_PROVIDERS);
	m.key.p = key;
	m.key.n = 34;
	assert_int_equal(ask(&s, 2, &m, &reply), 0);
	assert_int_equal(kad_msg_decode(reply.data, reply.len, NULL, &d), 0);
	assert_int_equal(d.nproviders, 1);
	assert_true(gg_peerid_eq(&d.providers[0].id, &s.nodes[1].me.id));
	assert_int_equal(d.providers[0].naddrs, 1);
	gg_buf_release(&reply);
	sim_free(&s);
}

static void server_refusals(void **state)
{
	struct gg_buf reply = GG_BUF_INIT(1 << 20);
	struct kad_config c;
	struct kad_msg m, d;
	struct sim s;
	uint8_t *big;

	(void)state;
	sim_config(&c);
	sim_init(&s, 3, &c);
	big = calloc(1, KAD_MSG_MAX_DEFAULT + 1);
	assert_int_equal(kad_on_request(s.nodes[0].kad, &s.nodes[1].me.id,
					big, KAD_MSG_MAX_DEFAULT + 1, &reply),
			 GG_ETOOBIG);
	free(big);
	/* PING is answered with PING */
	kad_msg_init(&m, KAD_PING);
	assert_int_equal(ask(&s, 1, &m, &reply), 0);
	assert_int_equal(kad_msg_decode(reply.data, reply.len, NULL, &d), 0);
	assert_int_equal(d.type, KAD_PING);
	sim_free(&s);
	/* a client answers nothing */
	c.server_mode = 0;
	sim_init(&s, 2, &c);
	assert_int_equal(ask(&s, 1, &m, &reply), GG_EUNSUPPORTED);
	gg_buf_release(&reply);
	sim_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records),
		cmocka_unit_test(providers),
		cmocka_unit_test(survives_reopen),
		cmocka_unit_test(server_put_and_get),
		cmocka_unit_test(server_providers_only_sender),
		cmocka_unit_test(server_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
