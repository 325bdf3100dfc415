/*
 * test_gossip.c - the gossipsub router in simulated networks
 * (gossip_sim.h): meshes converge into D_lo..D_hi, every message reaches
 * every router exactly once, a message the validators reject never gets
 * past the first hop, a flooding peer is throttled and graylisted while
 * the others carry on, scores decay, and propagation over 100 routers
 * is measured (p50/p99 in hops and simulated milliseconds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gossip_sim.h"
#include "p2p/gossip_rpc.h"

static size_t degree(struct sim *s, int i)
{
	size_t d = 0;
	int j;

	for (j = 0; j < s->n; j++)
		d += s->lat[i][j] ? 1 : 0;
	return d;
}

static size_t mesh_size(struct sim *s, int i)
{
	struct gossip_topic_info ti;
	size_t k;

	for (k = 0; k < gossip_topic_count(s->nodes[i].g); k++) {
		assert_int_equal(gossip_topic_info(s->nodes[i].g, k, &ti), 0);
		if (!strcmp(ti.topic, SIM_TOPIC))
			return ti.mesh;
	}
	return 0;
}

static void check_meshes(struct sim *s, int nrouters)
{
	size_t m, lo;
	int i;

	for (i = 0; i < nrouters; i++) {
		m = mesh_size(s, i);
		lo = degree(s, i) < 4 ? degree(s, i) : 4;
		assert_true(m >= lo);
		assert_true(m <= 12);
	}
}

/* Every router but the publisher got it exactly once. */
static void check_everywhere_once(struct sim *s, const struct sim_track *t,
				  int nrouters)
{
	int i;

	for (i = 0; i < nrouters; i++)
		assert_int_equal(t->count[i], i == t->publisher ? 0 : 1);
}

static void converge_and_deliver(void **state)
{
	struct gossip_config c;
	struct gossip_stats st;
	struct sim *s = calloc(1, sizeof(*s));
	char data[64];
	int k;

	(void)state;
	sim_config(&c);
	sim_init(s, 64, 0, 7, &c);
	sim_random_graph(s, 64, 4);
	sim_subscribe_all(s, 64);
	sim_run(s, s->now + 30 * 1000);
	check_meshes(s, 64);
	for (k = 0; k < 20; k++) {
		snprintf(data, sizeof(data), "record %d", k);
		sim_publish(s, (int)(sim_rand(s) % 64), data);
		sim_run(s, s->now + 200);
	}
	sim_run(s, s->now + 10 * 1000);
	for (k = 0; k < 20; k++)
		check_everywhere_once(s, &s->tracks[k], 64);
	check_meshes(s, 64);
	gossip_get_stats(s->nodes[0].g, &st);
	assert_true(st.delivered >= 19);
	assert_true(st.duplicate > 0); /* meshes overlap: copies arrive */
	assert_int_equal(st.rejected, 0);
	sim_free(s);
	free(s);
}

static void rejected_not_forwarded(void **state)
{
	struct gossip_stats before[64], after;
	struct gossip_config c;
	struct sim *s = calloc(1, sizeof(*s));
	struct sim_track *t;
	double score;
	int i, pub = 5, first_hops = 0;

	(void)state;
	sim_config(&c);
	sim_init(s, 64, 0, 11, &c);
	sim_random_graph(s, 64, 4);
	sim_subscribe_all(s, 64);
	s->reject_bad = 1;
	sim_run(s, s->now + 20 * 1000);
	for (i = 0; i < 64; i++)
		gossip_get_stats(s->nodes[i].g, &before[i]);
	t = sim_publish(s, pub, "bad record");
	sim_run(s, s->now + 10 * 1000);
	for (i = 0; i < 64; i++) {
		gossip_get_stats(s->nodes[i].g, &after);
		assert_int_equal(t->count[i], 0);
		if (i == pub)
			continue;
		if (s->lat[pub][i]) {
			/* the first hop got it once, refused it, and holds
			 * it against the publisher (P4) */
			first_hops++;
			assert_int_equal(after.rejected - before[i].rejected,
					 1);
			assert_int_equal(after.forwarded,
					 before[i].forwarded);
			assert_int_equal(gossip_peer_score(s->nodes[i].g,
							   &s->nodes[pub].id,
							   &score), 0);
			assert_true(score < 0);
		} else {
			/* nobody else ever received it */
			assert_int_equal(after.received, before[i].received);
		}
	}
	assert_true(first_hops >= 4);
	/* good messages still flow */
	t = sim_publish(s, 9, "good record");
	sim_run(s, s->now + 5 * 1000);
	check_everywhere_once(s, t, 64);
	sim_free(s);
	free(s);
}

/* The attacker's RPCs go straight into a router's engine. */
static int att_rpc(struct sim *s, int att, int to, const uint8_t *p,
		   size_t n)
{
	return gossip_on_rpc(s->nodes[to].g, &s->nodes[att].id, p, n);
}

static int att_subscribe(struct sim *s, int att, int to)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	struct gossip_bytes t = { (const uint8_t *)SIM_TOPIC,
				  strlen(SIM_TOPIC) };
	int r;

	assert_int_equal(gossip_put_sub(&b, 1, &t), 0);
	r = att_rpc(s, att, to, b.data, b.len);
	gg_buf_release(&b);
	return r;
}

/* 19 IHAVEs of 250 fresh random IDs each (4750; the decoder takes 5000)
 * and 10 IWANTs for a message the router has. */
static void att_gossip_flood(struct sim *s, int att, int to,
			     const uint8_t *have_id, struct gg_buf *b)
{
	static uint8_t idb[5000][32];
	struct gossip_bytes ids[250], t = { (const uint8_t *)SIM_TOPIC,
					     strlen(SIM_TOPIC) };
	struct gg_buf c = GG_BUF_INIT(1 << 20);
	size_t i, k, j;

	for (k = 0; k < 19; k++) {
		for (i = 0; i < 250; i++) {
			for (j = 0; j < 32; j++)
				idb[k * 250 + i][j] = (uint8_t)sim_rand(s);
			ids[i].p = idb[k * 250 + i];
			ids[i].n = 32;
		}
		assert_int_equal(gossip_put_ihave(&c, &t, ids, 250), 0);
	}
	for (k = 0; k < 10; k++) {
		ids[0].p = have_id;
		ids[0].n = 32;
		assert_int_equal(gossip_put_iwant(&c, ids, 1), 0);
	}
	gg_buf_reset(b);
	assert_int_equal(gossip_put_control(b, c.data, c.len), 0);
	gg_buf_release(&c);
	(void)att_rpc(s, att, to, b->data, b->len);
}

static void attack_round(struct sim *s, int att, int to,
			 const uint8_t *have_id, uint8_t *big, int *banned)
{
	struct gg_buf b = GG_BUF_INIT(2 << 20);
	uint8_t junk[64];
	size_t i;
	int r;

	att_gossip_flood(s, att, to, have_id, &b);
	r = att_rpc(s, att, to, big, (1 << 20) + 1); /* oversized */
	assert_int_equal(r, GG_ETOOBIG);
	if (s->replay)
		r = att_rpc(s, att, to, s->replay, s->nreplay);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)sim_rand(s);
	junk[0] = 0x0b; /* a group: always malformed */
	r = att_rpc(s, att, to, junk, sizeof(junk));
	if (r == GG_EBANNED)
		*banned = 1;
	gg_buf_release(&b);
}

static void check_honest_scores(struct sim *s, int nrouters)
{
	double sc;
	int i, j;

	for (i = 0; i < nrouters; i++) {
		struct gossip *g = s->nodes[i].g;

		for (j = 0; j < nrouters; j++) {
			if (!s->lat[i][j])
				continue;
			assert_int_equal(gossip_peer_score(g, &s->nodes[j].id,
							   &sc), 0);
			assert_true(sc >= 0);
		}
	}
}

static void flooder_graylisted(void **state)
{
	struct gossip_config c;
	struct gossip_stats st;
	struct sim *s = calloc(1, sizeof(*s));
	uint8_t *big = calloc(1, (1 << 20) + 1);
	int victims[8], banned[8] = { 0 }, att = 32, i, k;
	struct sim_track *t;
	double before, after;

	(void)state;
	sim_config(&c);
	sim_init(s, 33, 1, 23, &c);
	sim_random_graph(s, 32, 4);
	for (i = 0; i < 8; i++) {
		victims[i] = i * 4;
		sim_connect(s, att, victims[i]);
	}
	sim_subscribe_all(s, 32);
	for (i = 0; i < 8; i++)
		assert_int_equal(att_subscribe(s, att, victims[i]), 0);
	sim_run(s, s->now + 10 * 1000);
	t = sim_publish(s, 1, "honest record 0");
	sim_run(s, s->now + 2000);
	check_everywhere_once(s, t, 32);
	assert_non_null(s->replay);
	for (k = 0; k < 200; k++) { /* 20 s, every 100 ms */
		for (i = 0; i < 8; i++)
			attack_round(s, att, victims[i], t->id, big,
				     &banned[i]);
		if (k == 100)
			sim_publish(s, 2, "honest record 1");
		sim_run(s, s->now + 100);
	}
	sim_run(s, s->now + 5000);
	check_everywhere_once(s, &s->tracks[1], 32);
	for (i = 0; i < 8; i++) {
		assert_true(banned[i]);
		gossip_get_stats(s->nodes[victims[i]].g, &st);
		assert_true(st.graylisted > 0);
		assert_true(st.oversized >= 200);
		assert_true(st.ihave_dropped > 0);
	}
	/* at most max_ihave_length IDs asked per router and heartbeat, and
	 * at most 3 IWANT answers per message and peer */
	print_message("# flooder: %llu IDs asked, %llu messages sent to it\n",
		      (unsigned long long)s->to_att_iwant_ids,
		      (unsigned long long)s->to_att_msgs);
	assert_true(s->to_att_iwant_ids <= 8u * 5000);
	assert_true(s->to_att_msgs <= 8u * (3 + 2 + 2));
	check_honest_scores(s, 32);
	/* decay: left alone, the attacker's score recovers */
	assert_int_equal(gossip_peer_score(s->nodes[0].g, &s->nodes[att].id,
					   &before), 0);
	assert_true(before < c.score.graylist_threshold);
	sim_run(s, s->now + 600 * 1000);
	assert_int_equal(gossip_peer_score(s->nodes[0].g, &s->nodes[att].id,
					   &after), 0);
	print_message("# flooder score %.1f, 600 s later %.1f\n", before,
		      after);
	assert_true(after > before);
	assert_true(after >= c.score.graylist_threshold);
	assert_int_equal(att_subscribe(s, att, 0), 0); /* heard again */
	free(big);
	sim_free(s);
	free(s);
}

/* Gossip spam alone (bogus IHAVEs, IWANT repeats): throttled at once,
 * graylisted through broken promises (P7) within seconds. */
static void ihave_flooder(void **state)
{
	struct gossip_config c;
	struct sim *s = calloc(1, sizeof(*s));
	struct gg_buf b = GG_BUF_INIT(2 << 20);
	struct sim_track *t;
	int att = 16, k, banned_at = -1;
	double sc;

	(void)state;
	sim_config(&c);
	sim_init(s, 17, 1, 31, &c);
	sim_random_graph(s, 16, 4);
	sim_connect(s, att, 0);
	sim_subscribe_all(s, 16);
	assert_int_equal(att_subscribe(s, att, 0), 0);
	sim_run(s, s->now + 5000);
	t = sim_publish(s, 3, "honest");
	sim_run(s, s->now + 2000);
	for (k = 0; k < 100 && banned_at < 0; k++) { /* 10 s at most */
		att_gossip_flood(s, att, 0, t->id, &b);
		assert_int_equal(gossip_peer_score(s->nodes[0].g,
						   &s->nodes[att].id, &sc), 0);
		if (sc < c.score.graylist_threshold)
			banned_at = k;
		sim_run(s, s->now + 100);
	}
	assert_true(banned_at >= 30); /* promises take 3 s to break */
	assert_true(banned_at < 100);
	assert_true(s->to_att_iwant_ids <= (uint64_t)(banned_at / 10 + 2) *
						   5000);
	assert_true(s->to_att_msgs <= 3 + 2);
	gg_buf_release(&b);
	sim_free(s);
	free(s);
}

/* A GRAFT inside the backoff costs P7 and is answered with a PRUNE;
 * peers on one (non-whitelisted) IP are penalised by P6. */
static void backoff_and_colocation(void **state)
{
	struct gossip_config c;
	struct sim *s = calloc(1, sizeof(*s));
	struct gg_buf b = GG_BUF_INIT(1 << 20), ctl = GG_BUF_INIT(1 << 20);
	struct gossip_bytes t = { (const uint8_t *)SIM_TOPIC,
				  strlen(SIM_TOPIC) };
	struct gossip *g;
	double sc;
	int i;

	(void)state;
	sim_config(&c);
	c.score.nip_whitelist = 0;
	sim_init(s, 4, 3, 5, &c);
	g = s->nodes[0].g;
	s->lat[0][1] = s->lat[1][0] = 10;
	assert_int_equal(gossip_add_peer(g, &s->nodes[1].id, "10.0.0.1", 0,
					 GOSSIP_V11), 0);
	assert_int_equal(gossip_subscribe(g, SIM_TOPIC), 0);
	assert_int_equal(att_subscribe(s, 1, 0), 0);
	assert_int_equal(gossip_put_graft(&ctl, &t), 0);
	assert_int_equal(gossip_put_control(&b, ctl.data, ctl.len), 0);
	assert_int_equal(att_rpc(s, 1, 0, b.data, b.len), 0);
	assert_true(gossip_in_mesh(g, SIM_TOPIC, &s->nodes[1].id));
	gg_buf_reset(&ctl);
	gg_buf_reset(&b);
	assert_int_equal(gossip_put_prune(&ctl, &t, 60), 0);
	assert_int_equal(gossip_put_control(&b, ctl.data, ctl.len), 0);
	assert_int_equal(att_rpc(s, 1, 0, b.data, b.len), 0);
	assert_false(gossip_in_mesh(g, SIM_TOPIC, &s->nodes[1].id));
	gg_buf_reset(&ctl);
	gg_buf_reset(&b);
	assert_int_equal(gossip_put_graft(&ctl, &t), 0);
	assert_int_equal(gossip_put_control(&b, ctl.data, ctl.len), 0);
	for (i = 0; i < 4; i++) /* regrafting inside the backoff */
		assert_int_equal(att_rpc(s, 1, 0, b.data, b.len), 0);
	assert_false(gossip_in_mesh(g, SIM_TOPIC, &s->nodes[1].id));
	assert_int_equal(gossip_peer_score(g, &s->nodes[1].id, &sc), 0);
	assert_true(sc < 0); /* P7 = 4, threshold 2: -10 x 2^2 */
	assert_true(s->to_att_rpcs >= 4); /* each answered (PRUNE) */
	/* three peers on 10.0.0.9: P6 = (3 - 1)^2 x -10 each */
	s->lat[0][2] = s->lat[2][0] = s->lat[0][3] = s->lat[3][0] = 10;
	assert_int_equal(gossip_add_peer(g, &s->nodes[2].id, "10.0.0.9", 0,
					 GOSSIP_V11), 0);
	assert_int_equal(gossip_peer_score(g, &s->nodes[2].id, &sc), 0);
	assert_true(sc == 0);
	assert_int_equal(gossip_add_peer(g, &s->nodes[3].id, "10.0.0.9", 0,
					 GOSSIP_V11), 0);
	assert_int_equal(gossip_peer_score(g, &s->nodes[3].id, &sc), 0);
	assert_true(sc < -9.9 && sc > -10.1);
	assert_int_equal(gossip_remove_peer(g, &s->nodes[2].id), 0);
	assert_int_equal(gossip_peer_score(g, &s->nodes[3].id, &sc), 0);
	assert_true(sc == 0);
	gg_buf_release(&b);
	gg_buf_release(&ctl);
	sim_free(s);
	free(s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* 100 routers, 100 messages from one publisher: p50/p99 of the hops and
 * simulated latency to every other router. */
static void propagation_100(void **state)
{
	struct gossip_config c;
	struct sim *s = calloc(1, sizeof(*s));
	uint64_t *lat = calloc(100 * 100, sizeof(*lat));
	uint64_t *hops = calloc(100 * 100, sizeof(*hops));
	size_t n = 0;
	char data[64];
	int k, i;

	(void)state;
	sim_config(&c);
	sim_init(s, 100, 0, 99, &c);
	sim_random_graph(s, 100, 4);
	sim_subscribe_all(s, 100);
	sim_run(s, s->now + 30 * 1000);
	check_meshes(s, 100);
	for (k = 0; k < 100; k++) {
		snprintf(data, sizeof(data), "announcement %d", k);
		sim_publish(s, 0, data);
		sim_run(s, s->now + 100);
	}
	sim_run(s, s->now + 10 * 1000);
	for (k = 0; k < 100; k++) {
		check_everywhere_once(s, &s->tracks[k], 100);
		for (i = 1; i < 100; i++, n++) {
			lat[n] = s->tracks[k].at[i] - s->tracks[k].t0;
			hops[n] = (uint64_t)s->tracks[k].hops[i];
		}
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	qsort(hops, n, sizeof(*hops), cmp_u64);
	print_message("# propagation over 100 routers (5-25 ms links): "
		      "hops p50 %llu p99 %llu max %llu; latency p50 %llu ms "
		      "p99 %llu ms max %llu ms\n",
		      (unsigned long long)hops[n / 2],
		      (unsigned long long)hops[n * 99 / 100],
		      (unsigned long long)hops[n - 1],
		      (unsigned long long)lat[n / 2],
		      (unsigned long long)lat[n * 99 / 100],
		      (unsigned long long)lat[n - 1]);
	assert_true(hops[n * 99 / 100] <= 6);
	assert_true(lat[n * 99 / 100] < 200);
	free(lat);
	free(hops);
	sim_free(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(converge_and_deliver),
		cmocka_unit_test(rejected_not_forwarded),
		cmocka_unit_test(flooder_graylisted),
		cmocka_unit_test(ihave_flooder),
		cmocka_unit_test(backoff_and_colocation),
		cmocka_unit_test(propagation_100),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
