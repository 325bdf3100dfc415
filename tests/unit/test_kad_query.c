/*
 * test_kad_query.c - the lookup state machine alone (alpha, termination,
 * timeouts, disjoint paths), then whole engines in a simulated network
 * of 200 nodes (kad_sim.h): every FIND_NODE converges on its target, the
 * result matches the true k closest, providers and values are found, a
 * network with dead nodes still converges, a flood is rate limited, and
 * a peer that just sent us a request is still pinged before it counts.
 * Hop counts are printed against log2(N) as TAP comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "kad_sim.h"

#define SIM_N 200

static void qpeer(unsigned n, struct kad_peer *p)
{
	uint8_t ma[8] = { 0x04, 10, 0, 0, 1, 0x06, 0x0f, 0xa1 };

	memset(p, 0, sizeof(*p));
	sim_id(n, &p->id);
	kad_key_of_peer(&p->id, &p->key);
	kad_addrbuf_add(&p->addrs, ma, sizeof(ma));
}

static struct kad_query *new_query(int alpha, int k, int paths)
{
	struct kad_query_config c;
	struct kad_query *q;
	struct kad_key target;

	kad_query_config_default(&c);
	c.alpha = alpha;
	c.k = k;
	c.paths = paths;
	c.timeout_ms = 5000;
	c.rpc_timeout_ms = 1000;
	kad_key_of((const uint8_t *)"t", 1, &target);
	assert_int_equal(kad_query_new(&c, &target, 0, &q), 0);
	return q;
}

static void query_alpha_and_termination(void **state)
{
	struct kad_query *q = new_query(3, 4, 1);
	const struct kad_peer *p, *res[8];
	struct gg_peerid sent[8];
	struct kad_peer seeds[6];
	int i, n = 0, st = 1;

	(void)state;
	for (i = 0; i < 6; i++) {
		qpeer((unsigned)i, &seeds[i]);
		assert_int_equal(kad_query_seed(q, &seeds[i]), 0);
	}
	assert_int_equal(kad_query_seed(q, &seeds[0]), GG_EEXISTS);
	while (kad_query_next(q, 0, &p) == KAD_QSTEP_SEND)
		sent[n++] = p->id;
	assert_int_equal(n, 3); /* alpha */
	assert_int_equal(kad_query_next(q, 0, &p), KAD_QSTEP_WAIT);
	/* answers without new peers: the 4th closest gets asked, then done */
	for (i = 0; i < 3; i++)
		assert_int_equal(kad_query_on_response(q, &sent[i], NULL, 0, 1),
				 0);
	assert_int_equal(kad_query_on_response(q, &sent[0], NULL, 0, 1),
			 GG_ENOTFOUND);
	assert_int_equal(kad_query_next(q, 2, &p), KAD_QSTEP_SEND);
	sent[3] = p->id;
	assert_int_equal(kad_query_next(q, 2, &p), KAD_QSTEP_WAIT);
	assert_int_equal(kad_query_on_response(q, &sent[3], NULL, 0, 3), 0);
	/* the 4 closest answered: nothing is sent to the other 2 */
	assert_int_equal(kad_query_next(q, 4, &p), KAD_QSTEP_DONE);
	assert_true(kad_query_done(q, &st));
	assert_int_equal(st, 0);
	assert_int_equal(kad_query_result(q, res, 8), 4);
	assert_int_equal(kad_query_stats(q)->requests, 4);
	assert_int_equal(kad_query_stats(q)->hops, 1);
	kad_query_free(q);
}

static void query_timeouts(void **state)
{
	struct kad_query *q = new_query(2, 2, 1);
	const struct kad_peer *p;
	struct gg_peerid expired[4];
	struct kad_peer seeds[3];
	int i, st = 0;

	(void)state;
	for (i = 0; i < 3; i++) {
		qpeer((unsigned)(10 + i), &seeds[i]);
		kad_query_seed(q, &seeds[i]);
	}
	while (kad_query_next(q, 0, &p) == KAD_QSTEP_SEND)
		;
	assert_int_equal(kad_query_deadline(q), 1000);
	assert_int_equal(kad_query_tick(q, 999, expired, 4), 0);
	assert_int_equal(kad_query_tick(q, 1000, expired, 4), 2);
	/* the third peer is now among the closest not failed */
	assert_int_equal(kad_query_next(q, 1000, &p), KAD_QSTEP_SEND);
	assert_int_equal(kad_query_next(q, 1000, &p), KAD_QSTEP_WAIT);
	kad_query_tick(q, 5000, NULL, 0); /* the whole query */
	assert_true(kad_query_done(q, &st));
	assert_int_equal(st, GG_ETIMEOUT);
	assert_int_equal(kad_query_stats(q)->timeouts, 3);
	kad_query_free(q);
}

static void query_disjoint_paths(void **state)
{
	struct kad_query *q = new_query(1, 20, 2);
	const struct kad_peer *p;
	struct kad_peer seeds[2], learned[3];
	struct gg_peerid first;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		qpeer((unsigned)(20 + i), &seeds[i]);
		kad_query_seed(q, &seeds[i]);
	}
	/* one request per path (alpha 1 each) */
	assert_int_equal(kad_query_next(q, 0, &p), KAD_QSTEP_SEND);
	first = p->id;
	assert_int_equal(kad_query_next(q, 0, &p), KAD_QSTEP_SEND);
	assert_int_equal(kad_query_next(q, 0, &p), KAD_QSTEP_WAIT);
	for (i = 0; i < 3; i++)
		qpeer((unsigned)(30 + i), &learned[i]);
	/* peers learned on the first path stay there: its next request
	 * goes out, the other path still waits on its own */
	kad_query_on_response(q, &first, learned, 3, 1);
	assert_int_equal(kad_query_next(q, 1, &p), KAD_QSTEP_SEND);
	assert_int_equal(kad_query_next(q, 1, &p), KAD_QSTEP_WAIT);
	kad_query_free(q);
}

/* The network. */

struct lookup {
	struct sim *s;
	int target, found, hops, requests;
	size_t npeers, stored;
	int status;
	uint8_t value[32];
	size_t vlen;
	struct gg_peerid first, ids[KAD_K];
};

static void on_done(void *arg, const struct kad_result *r)
{
	struct lookup *l = arg;

	l->s->pending--;
	l->status = r->status;
	l->hops = r->stats.hops;
	l->requests = r->stats.requests;
	l->npeers = r->npeers;
	l->stored = r->stored;
	if (r->npeers)
		l->first = r->peers[0].id;
	for (size_t i = 0; i < r->npeers && i < KAD_K; i++)
		l->ids[i] = r->peers[i].id;
	if (l->target >= 0 && r->npeers &&
	    gg_peerid_eq(&r->peers[0].id, &l->s->nodes[l->target].me.id))
		l->found = 1;
	if (r->value_len && r->value_len <= sizeof(l->value)) {
		memcpy(l->value, r->value, r->value_len);
		l->vlen = r->value_len;
	}
}

/* Node 0 is everybody's bootstrap peer; nodes join 20 ms apart. */
static void build_network(struct sim *s, int n, const struct kad_config *c)
{
	struct lookup *boot = calloc((size_t)n, sizeof(*boot));
	int i;

	sim_init(s, n, c);
	for (i = 1; i < n; i++)
		assert_int_equal(kad_add_verified(s->nodes[i].kad,
						  &s->nodes[0].me), 0);
	for (i = 1; i < n; i++) {
		boot[i].s = s;
		boot[i].target = -1;
		s->pending++;
		assert_int_equal(kad_bootstrap(s->nodes[i].kad, on_done,
					       &boot[i], NULL), 0);
		sim_run(s, 20, 1000000); /* the next joins 20 ms later */
	}
	assert_int_equal(sim_run(s, 600000, 50000000), 0);
	free(boot);
}

static void print_hops(const char *what, const struct lookup *l, int n,
		       int nodes)
{
	double sum = 0, req = 0;
	int i, max = 0;

	for (i = 0; i < n; i++) {
		sum += l[i].hops;
		req += l[i].requests;
		if (l[i].hops > max)
			max = l[i].hops;
	}
	printf("# %s: N=%d lookups=%d hops mean=%.2f max=%d "
	       "log2(N)=%.2f requests mean=%.1f\n", what, nodes, n, sum / n,
	       max, log2((double)nodes), req / n);
}

static void sim_find_node_converges(void **state)
{
	struct kad_config c;
	struct lookup *l = calloc(SIM_N, sizeof(*l));
	struct sim s;
	size_t tsize = 0;
	int i, found = 0;

	(void)state;
	sim_config(&c);
	build_network(&s, SIM_N, &c);
	for (i = 0; i < SIM_N; i++)
		tsize += kad_table_size(kad_routing_table(s.nodes[i].kad), 1);
	printf("# routing tables after bootstrap: mean %.1f peers\n",
	       (double)tsize / SIM_N);
	for (i = 0; i < SIM_N; i++) {
		int src = i, dst = (int)(sim_rand(&s) % SIM_N);

		if (dst == src)
			dst = (dst + 1) % SIM_N;
		l[i].s = &s;
		l[i].target = dst;
		s.pending++;
		assert_int_equal(kad_find_node(s.nodes[src].kad,
					       s.nodes[dst].me.id.b,
					       s.nodes[dst].me.id.len, on_done,
					       &l[i], NULL), 0);
	}
	assert_int_equal(sim_run(&s, 600000, 50000000), 0);
	for (i = 0; i < SIM_N; i++) {
		found += l[i].found;
		assert_int_equal(l[i].status, 0);
	}
	print_hops("FIND_NODE", l, SIM_N, SIM_N);
	printf("# found %d/%d targets, %llu events\n", found, SIM_N,
	       (unsigned long long)s.events);
	assert_int_equal(found, SIM_N);
	sim_free(&s);
	free(l);
}

/* Random keys: the result is exactly the true 20 closest nodes (the
 * asker aside), closest first. */
static void sim_closest_are_true_closest(void **state)
{
	struct kad_config c;
	struct lookup l;
	struct sim s;
	struct kad_key target;
	int order[SIM_N], i, j, exact = 0, trials;

	(void)state;
	sim_config(&c);
	build_network(&s, SIM_N, &c);
	for (trials = 0; trials < 10; trials++) {
		uint8_t key[8] = { 'r', 'a', 'n', 'd', 0, 0, 0,
				   (uint8_t)trials };
		int same = 1;

		memset(&l, 0, sizeof(l));
		l.s = &s;
		l.target = -1;
		s.pending++;
		kad_find_node(s.nodes[trials].kad, key, sizeof(key), on_done,
			      &l, NULL);
		assert_int_equal(sim_run(&s, 600000, 50000000), 0);
		assert_int_equal(l.npeers, KAD_K);
		kad_key_of(key, sizeof(key), &target);
		for (i = 0; i < SIM_N; i++)
			order[i] = i;
		for (i = 1; i < SIM_N; i++) /* insertion sort by distance */
			for (j = i; j > 0 &&
			     kad_key_closer(&target, &s.nodes[order[j]].me.key,
					    &s.nodes[order[j - 1]].me.key) < 0;
			     j--) {
				int t = order[j];

				order[j] = order[j - 1];
				order[j - 1] = t;
			}
		for (i = 0, j = 0; j < KAD_K; i++) {
			if (order[i] == trials)
				continue;
			same &= gg_peerid_eq(&l.ids[j++],
					     &s.nodes[order[i]].me.id);
		}
		exact += same;
	}
	printf("# random keys: result == true 20 closest in %d/10\n", exact);
	assert_int_equal(exact, 10);
	sim_free(&s);
}

static void sim_providers_and_values(void **state)
{
	struct kad_config c;
	struct lookup put, get;
	struct sim s;
	int i, found = 0;

	(void)state;
	sim_config(&c);
	build_network(&s, SIM_N, &c);
	for (i = 0; i < 20; i++) {
		uint8_t key[34] = { 0x12, 0x20 };
		int a = (i * 7) % SIM_N, b = (i * 13 + 100) % SIM_N;

		gg_sha256(&i, sizeof(i), key + 2);
		memset(&put, 0, sizeof(put));
		put.s = &s;
		put.target = -1;
		s.pending++;
		assert_int_equal(kad_add_provider(s.nodes[a].kad, key, 34,
						  on_done, &put, NULL), 0);
		assert_int_equal(sim_run(&s, 600000, 50000000), 0);
		assert_int_equal(put.status, 0);
		assert_true(put.stored >= 10);
		memset(&get, 0, sizeof(get));
		get.s = &s;
		get.target = a;
		s.pending++;
		assert_int_equal(kad_get_providers(s.nodes[b].kad, key, 34, 1,
						   on_done, &get, NULL), 0);
		assert_int_equal(sim_run(&s, 600000, 50000000), 0);
		found += get.found;
	}
	printf("# providers found: %d/20\n", found);
	assert_int_equal(found, 20);
	/* PUT_VALUE then GET_VALUE from elsewhere; a better value wins */
	memset(&put, 0, sizeof(put));
	put.s = &s;
	put.target = -1;
	s.pending++;
	assert_int_equal(kad_put_value(s.nodes[3].kad, (const uint8_t *)"/test/a",
				       7, (const uint8_t *)"1one", 4, on_done,
				       &put, NULL), 0);
	assert_int_equal(sim_run(&s, 600000, 50000000), 0);
	assert_true(put.stored >= 10);
	memset(&get, 0, sizeof(get));
	get.s = &s;
	get.target = -1;
	s.pending++;
	assert_int_equal(kad_get_value(s.nodes[150].kad,
				       (const uint8_t *)"/test/a", 7, on_done,
				       &get, NULL), 0);
	assert_int_equal(sim_run(&s, 600000, 50000000), 0);
	assert_int_equal(get.status, 0);
	assert_int_equal(get.vlen, 4);
	assert_memory_equal(get.value, "1one", 4);
	/* an invalid value and an unknown namespace are refused up front */
	assert_int_equal(kad_put_value(s.nodes[3].kad, (const uint8_t *)"/test/b",
				       7, (const uint8_t *)"Xbad", 4, on_done,
				       &put, NULL), GG_EPARSE);
	assert_int_equal(kad_put_value(s.nodes[3].kad, (const uint8_t *)"/x/b",
				       4, (const uint8_t *)"1", 1, on_done,
				       &put, NULL), GG_EUNSUPPORTED);
	sim_free(&s);
}

/* A fifth of the nodes die after bootstrap: lookups still end, and the
 * live targets are found. */
static void sim_dead_nodes(void **state)
{
	struct kad_config c;
	struct lookup *l = calloc(100, sizeof(*l));
	struct sim s;
	int i, found = 0, live = 0;

	(void)state;
	sim_config(&c);
	build_network(&s, SIM_N, &c);
	for (i = 1; i < SIM_N; i += 5)
		s.nodes[i].dead = 1;
	for (i = 0; i < 100; i++) {
		int src = 2 * i, dst = (i * 37 + 11) % SIM_N;

		if (s.nodes[src].dead)
			src++;
		if (src == dst)
			dst = (dst + 2) % SIM_N;
		l[i].s = &s;
		l[i].target = dst;
		live += !s.nodes[dst].dead;
		s.pending++;
		kad_find_node(s.nodes[src].kad, s.nodes[dst].me.id.b,
			      s.nodes[dst].me.id.len, on_done, &l[i], NULL);
	}
	assert_int_equal(sim_run(&s, 600000, 50000000), 0);
	for (i = 0; i < 100; i++)
		found += l[i].found;
	print_hops("FIND_NODE with 20% dead", l, 100, SIM_N);
	printf("# found %d of %d live targets\n", found, live);
	assert_int_equal(found, live);
	sim_free(&s);
	free(l);
}

/* One peer sends 200 FIND_NODE at once: the bucket (40) is answered,
 * the rest refused; another peer is still answered. */
static void sim_flood_rate_limited(void **state)
{
	struct gg_buf req = GG_BUF_INIT(1024), reply = GG_BUF_INIT(1 << 20);
	struct kad_config c;
	struct kad_msg m;
	struct sim s;
	int i, ok = 0, limited = 0;

	(void)state;
	sim_config(&c);
	sim_init(&s, 3, &c);
	kad_msg_init(&m, KAD_FIND_NODE);
	m.key.p = s.nodes[2].me.id.b;
	m.key.n = s.nodes[2].me.id.len;
	assert_int_equal(kad_msg_encode(&m, &req), 0);
	for (i = 0; i < 200; i++) {
		int r = kad_on_request(s.nodes[0].kad, &s.nodes[1].me.id,
				       req.data, req.len, &reply);

		gg_buf_reset(&reply);
		if (r == 0)
			ok++;
		else if (r == GG_EAGAIN)
			limited++;
	}
	assert_int_equal(ok, 40);
	assert_int_equal(limited, 160);
	assert_int_equal(kad_on_request(s.nodes[0].kad, &s.nodes[2].me.id,
					req.data, req.len, &reply), 0);
	/* a second later, 20 more tokens */
	s.now += 1000;
	for (i = 0, ok = 0; i < 50; i++)
		ok += kad_on_request(s.nodes[0].kad, &s.nodes[1].me.id,
				     req.data, req.len, &reply) == 0;
	assert_int_equal(ok, 20);
	gg_buf_release(&req);
	gg_buf_release(&reply);
	sim_free(&s);
}

/* The engine alone, with a clock and a counter of ping checks. */
struct lone {
	uint64_t now;
	int checks;
};

static int lone_send(void *ctx, uint64_t req, const struct kad_peer *to,
		     const uint8_t *msg, size_t len, int want_reply)
{
	return 0;
}

static uint64_t lone_now(void *ctx)
{
	return ((struct lone *)ctx)->now;
}

static void lone_check(void *ctx, const struct kad_peer *p)
{
	((struct lone *)ctx)->checks++;
}

static void lone_peer(unsigned n, struct kad_peer *p)
{
	uint8_t ma[8] = { 0x04, 10, 0, (uint8_t)n, 1, 0x06, 0x0f, 0xa1 };

	memset(p, 0, sizeof(*p));
	sim_id(n, &p->id);
	kad_key_of_peer(&p->id, &p->key);
	kad_addrbuf_add(&p->addrs, ma, sizeof(ma));
}

static int state_of(struct kad *k, const struct kad_peer *p)
{
	const struct kad_entry *e = kad_table_find(kad_routing_table(k),
						   &p->id);

	return e ? (int)e->state : -1;
}

/* Identify listing our protocol makes a peer pending and pings it, also
 * when it has just sent us requests: only the ping's answer (or one of
 * our requests answered) verifies it. */
static void requests_do_not_stand_for_ping(void **state)
{
	struct gg_buf req = GG_BUF_INIT(1024), reply = GG_BUF_INIT(1 << 20);
	struct lone l = { 1000000, 0 };
	struct kad_io io = { &l, lone_send, lone_now, lone_check, NULL };
	struct kad_peer self, a, b, c;
	struct kad_config cfg;
	struct kad_msg m;
	struct kad *k;

	(void)state;
	sim_config(&cfg);
	lone_peer(0, &self);
	lone_peer(1, &a);
	lone_peer(2, &b);
	lone_peer(3, &c);
	cfg.table.max_per_group_bucket = 0;
	cfg.table.max_per_group_table = 0;
	assert_non_null(k = kad_new(&cfg, &self.id, &io, NULL));
	kad_msg_init(&m, KAD_FIND_NODE);
	m.key.p = b.id.b;
	m.key.n = b.id.len;
	assert_int_equal(kad_msg_encode(&m, &req), 0);
	assert_int_equal(kad_on_request(k, &a.id, req.data, req.len, &reply),
			 0);
	assert_int_equal(kad_on_request(k, &c.id, req.data, req.len, &reply),
			 0);
	l.now += 2000;
	assert_int_equal(kad_on_peer_identified(k, &a, 1), 0);
	assert_int_equal(l.checks, 1);
	assert_int_equal(state_of(k, &a), KAD_PEER_PENDING);
	assert_int_equal(kad_on_peer_identified(k, &b, 1), 0);
	assert_int_equal(l.checks, 2);
	assert_int_equal(state_of(k, &b), KAD_PEER_PENDING);
	kad_peer_checked(k, &a.id, 1);
	assert_int_equal(state_of(k, &a), KAD_PEER_VERIFIED);
	kad_peer_checked(k, &c.id, 1); /* never identified: nothing */
	assert_int_equal(state_of(k, &c), -1);
	kad_free(k);
	gg_buf_release(&req);
	gg_buf_release(&reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(query_alpha_and_termination),
		cmocka_unit_test(query_timeouts),
		cmocka_unit_test(query_disjoint_paths),
		cmocka_unit_test(sim_find_node_converges),
		cmocka_unit_test(sim_closest_are_true_closest),
		cmocka_unit_test(sim_providers_and_values),
		cmocka_unit_test(sim_dead_nodes),
		cmocka_unit_test(sim_flood_rate_limited),
		cmocka_unit_test(requests_do_not_stand_for_ping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
