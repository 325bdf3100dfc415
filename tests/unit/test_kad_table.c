/*
 * test_kad_table.c - the routing table: XOR distance and prefix lengths,
 * pending/verified states, full buckets and eviction, the /24 and /48
 * diversity limits (defaults: 2 per bucket, 3 per table), closest-N
 * against a brute-force sort, failures, stale buckets, address buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crypto/sha256.h"
#include "p2p/kad_table.h"
#include "util/error.h"

static void test_id(unsigned n, struct gg_peerid *id)
{
	id->b[0] = 0x12;
	id->b[1] = 0x20;
	gg_sha256(&n, sizeof(n), id->b + 2);
	id->len = 34;
}

/* Peer n with the address /ip4/a.b.c.d/tcp/4001. */
static void test_peer4(unsigned n, const uint8_t ip[4], struct kad_peer *p)
{
	uint8_t ma[8] = { 0x04, 0, 0, 0, 0, 0x06, 0x0f, 0xa1 };

	memset(p, 0, sizeof(*p));
	test_id(n, &p->id);
	kad_key_of_peer(&p->id, &p->key);
	memcpy(ma + 1, ip, 4);
	assert_int_equal(kad_addrbuf_add(&p->addrs, ma, sizeof(ma)), 0);
}

/* Peer n in its own /24 (10.x.y.1). */
static void test_peer(unsigned n, struct kad_peer *p)
{
	uint8_t ip[4] = { 10, (uint8_t)(n >> 8), (uint8_t)n, 1 };

	test_peer4(n, ip, p);
}

static struct kad_table *new_table(struct gg_peerid *self)
{
	struct kad_table_config c;
	struct kad_table *t;

	kad_table_config_default(&c);
	test_id(0xffffffff, self);
	assert_int_equal(kad_table_new(&c, self, &t), 0);
	return t;
}

static void distance(void **state)
{
	struct kad_key a, b, c;

	(void)state;
	memset(&a, 0, sizeof(a));
	b = a;
	c = a;
	assert_int_equal(kad_key_cpl(&a, &b), 256);
	b.b[0] = 0x80;
	assert_int_equal(kad_key_cpl(&a, &b), 0);
	c.b[1] = 0x01;
	assert_int_equal(kad_key_cpl(&a, &c), 15);
	assert_true(kad_key_closer(&a, &c, &b) < 0);
	assert_true(kad_key_closer(&a, &b, &c) > 0);
	assert_int_equal(kad_key_closer(&a, &b, &b), 0);
}

static void pending_then_verified(void **state)
{
	const struct kad_entry *out[4];
	struct gg_peerid self;
	struct kad_table *t = new_table(&self);
	struct kad_peer p;

	(void)state;
	test_peer(1, &p);
	assert_int_equal(kad_table_add(t, &p, 10), 0);
	assert_int_equal(kad_table_add(t, &p, 11), GG_EEXISTS);
	assert_int_equal(kad_table_size(t, 0), 1);
	assert_int_equal(kad_table_size(t, 1), 0);
	assert_int_equal(kad_table_closest(t, &p.key, 1, out, 4), 0);
	assert_int_equal(kad_table_closest(t, &p.key, 0, out, 4), 1);
	assert_int_equal(kad_table_verify(t, &p.id, 20), 0);
	assert_int_equal(kad_table_closest(t, &p.key, 1, out, 4), 1);
	assert_int_equal(out[0]->state, KAD_PEER_VERIFIED);
	assert_true(out[0]->seen_ms == 20);
	/* never ourselves */
	test_peer(0xffffffff, &p);
	assert_int_equal(kad_table_add(t, &p, 30), GG_EINVAL);
	test_id(99, &p.id);
	assert_int_equal(kad_table_verify(t, &p.id, 30), GG_ENOTFOUND);
	kad_table_free(t);
}

/* Fill bucket 0 with k verified peers: the next is refused, but a pending
 * one in the bucket makes room. */
static void full_bucket(void **state)
{
	struct gg_peerid self;
	struct kad_table *t = new_table(&self);
	struct kad_peer p;
	unsigned n = 0, in = 0, last = 0;

	(void)state;
	while (in < KAD_K) {
		test_peer(n++, &p);
		if (kad_key_cpl(kad_table_self(t), &p.key) != 0)
			continue;
		assert_int_equal(kad_table_add(t, &p, 1), 0);
		if (in < KAD_K - 1)
			assert_int_equal(kad_table_verify(t, &p.id, 1), 0);
		last = n - 1;
		in++;
	}
	do
		test_peer(n++, &p);
	while (kad_key_cpl(kad_table_self(t), &p.key) != 0);
	/* the pending one (last) is evicted for the newcomer */
	assert_int_equal(kad_table_add(t, &p, 2), 0);
	assert_int_equal(kad_table_verify(t, &p.id, 2), 0);
	test_peer(last, &p);
	assert_null(kad_table_find(t, &p.id));
	do
		test_peer(n++, &p);
	while (kad_key_cpl(kad_table_self(t), &p.key) != 0);
	assert_int_equal(kad_table_add(t, &p, 3), GG_ELIMIT);
	assert_int_equal(kad_table_size(t, 0), KAD_K);
	kad_table_free(t);
}

static void diversity_ipv4(void **state)
{
	static const uint8_t same24[4] = { 192, 168, 7, 0 };
	struct gg_peerid self;
	struct kad_table *t = new_table(&self);
	struct kad_peer p;
	unsigned n, ok = 0, refused = 0;

	(void)state;
	for (n = 0; n < 40; n++) {
		uint8_t ip[4];

		memcpy(ip, same24, 4);
		ip[3] = (uint8_t)n;
		test_peer4(1000 + n, ip, &p);
		if (kad_table_add(t, &p, 1) == 0)
			ok++;
		else
			refused++;
	}
	assert_int_equal(ok, 3);      /* 3 per table */
	assert_int_equal(refused, 37);
	/* another /24 is fine */
	{
		uint8_t ip[4] = { 192, 168, 8, 1 };

		test_peer4(2000, ip, &p);
		assert_int_equal(kad_table_add(t, &p, 1), 0);
	}
	kad_table_free(t);
}

static void diversity_per_bucket(void **state)
{
	static const uint8_t net[4] = { 172, 16, 1, 0 };
	struct kad_table_config c;
	struct gg_peerid self;
	struct kad_table *t;
	struct kad_peer p;
	unsigned n, in_bucket0 = 0, tried = 0;

	(void)state;
	kad_table_config_default(&c);
	c.max_per_group_table = 0; /* only the bucket limit */
	test_id(0xffffffff, &self);
	assert_int_equal(kad_table_new(&c, &self, &t), 0);
	for (n = 0; n < 200; n++) {
		uint8_t ip[4];

		memcpy(ip, net, 4);
		ip[3] = (uint8_t)n;
		test_peer4(5000 + n, ip, &p);
		if (kad_key_cpl(kad_table_self(t), &p.key) != 0)
			continue;
		tried++;
		if (kad_table_add(t, &p, 1) == 0)
			in_bucket0++;
	}
	assert_true(tried > 10);
	assert_int_equal(in_bucket0, 2);
	kad_table_free(t);
}

static void diversity_ipv6(void **state)
{
	struct gg_peerid self;
	struct kad_table *t = new_table(&self);
	struct kad_peer p;
	unsigned n, ok = 0;

	(void)state;
	for (n = 0; n < 10; n++) {
		/* /ip6/2001:db8:1:N::1/tcp/4001: all in 2001:db8:1::/48 */
		uint8_t ma[20] = { 0x29, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
				   0x00, (uint8_t)n, 0, 0, 0, 0, 0, 0, 0, 1,
				   0x06, 0x0f, 0xa1 };

		memset(&p, 0, sizeof(p));
		test_id(3000 + n, &p.id);
		assert_int_equal(kad_addrbuf_add(&p.addrs, ma, sizeof(ma)), 0);
		if (kad_table_add(t, &p, 1) == 0)
			ok++;
	}
	assert_int_equal(ok, 3);
	kad_table_free(t);
}


static struct kad_key sort_target;

static int by_distance(const void *a, const void *b)
{

	return kad_key_closer(&sort_target, &((const struct kad_peer *)a)->key,
			      &((const struct kad_peer *)b)->key);
}

static void closest_matches_sort(void **state)
{
	const struct kad_entry *out[KAD_K];
	struct kad_peer *all = calloc(300, sizeof(*all));
	struct gg_peerid self;
	struct kad_table *t = new_table(&self);
	size_t i, nin = 0, got;

	(void)state;
	assert_non_null(all);
	for (i = 0; i < 300; i++) {
		struct kad_peer p;

		test_peer((unsigned)i + 1, &p);
		if (kad_table_add(t, &p, 1) == 0) {
			kad_table_verify(t, &p.id, 1);
			all[nin] = p;
			kad_key_of_peer(&p.id, &all[nin].key);
			nin++;
		}
	}
	assert_int_equal(kad_table_size(t, 1), nin);
	kad_key_of((const uint8_t *)"target", 6, &sort_target);
	qsort(all, nin, sizeof(*all), by_distance);
	got = kad_table_closest(t, &sort_target, 1, out, KAD_K);
	assert_int_equal(got, KAD_K);
	for (i = 0; i < got; i++)
		assert_true(gg_peerid_eq(&out[i]->peer.id, &all[i].id));
	free(all);
	kad_table_free(t);
}

static void failures_remove(void **state)
{
	struct gg_peerid self;
	struct kad_table *t = new_table(&self);
	struct kad_peer p;

	(void)state;
	test_peer(5, &p);
	assert_int_equal(kad_table_add(t, &p, 1), 0);
	assert_int_equal(kad_table_verify(t, &p.id, 1), 0);
	assert_int_equal(kad_table_fail(t, &p.id), 0);
	assert_int_equal(kad_table_verify(t, &p.id, 2), 0); /* resets */
	assert_int_equal(kad_table_fail(t, &p.id), 0);
	assert_int_equal(kad_table_fail(t, &p.id), 1);
	assert_null(kad_table_find(t, &p.id));
	assert_int_equal(kad_table_fail(t, &p.id), GG_ENOTFOUND);
	kad_table_free(t);
}

static void stale_buckets(void **state)
{
	struct gg_peerid self;
	struct kad_table *t = new_table(&self);
	struct kad_peer p;
	int cpls[16];
	size_t n;
	unsigned i;

	(void)state;
	/* empty: bucket 0 only (one past the deepest, which is none) */
	assert_int_equal(kad_table_stale(t, 1000, cpls, 16), 1);
	for (i = 0; i < 50; i++) {
		test_peer(i, &p);
		kad_table_add(t, &p, 1);
	}
	n = kad_table_stale(t, 1000, cpls, 16);
	assert_true(n >= 3);
	assert_int_equal(cpls[0], 0);
	kad_table_touch_bucket(t, 0, 1000);
	assert_int_equal(kad_table_stale(t, 2000, cpls, 16), n - 1);
	assert_int_equal(kad_table_stale(t, 1000 + 10 * 60 * 1000, cpls, 16),
			 n);
	kad_table_free(t);
}

static void addrbuf(void **state)
{
	static const uint8_t ma[8] = { 0x04, 1, 2, 3, 4, 0x06, 0, 80 };
	struct gg_multiaddr out[40];
	struct kad_addrbuf ab;
	const uint8_t *p;
	size_t n, i;

	(void)state;
	kad_addrbuf_init(&ab);
	for (i = 0; kad_addrbuf_add(&ab, ma, sizeof(ma)) == 0; i++)
		;
	assert_int_equal(i, KAD_ADDRBUF_MAX / 9);
	assert_int_equal(kad_addrbuf_at(&ab, 3, &p, &n), 0);
	assert_int_equal(n, 8);
	assert_memory_equal(p, ma, 8);
	assert_int_equal(kad_addrbuf_at(&ab, i, &p, &n), GG_ENOTFOUND);
	assert_int_equal(kad_addrbuf_get(&ab, out, 40), i);
	assert_int_equal(kad_addrbuf_get(&ab, out, 2), 2);
	assert_int_equal(out[1].len, 8);
	assert_int_equal(kad_addrbuf_add(&ab, ma, 0), GG_ETOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distance),
		cmocka_unit_test(pending_then_verified),
		cmocka_unit_test(full_bucket),
		cmocka_unit_test(diversity_ipv4),
		cmocka_unit_test(diversity_per_bucket),
		cmocka_unit_test(diversity_ipv6),
		cmocka_unit_test(closest_matches_sort),
		cmocka_unit_test(failures_remove),
		cmocka_unit_test(stale_buckets),
		cmocka_unit_test(addrbuf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
