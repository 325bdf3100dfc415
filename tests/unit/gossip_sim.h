/*
 * gossip_sim.h - an in-memory network of gossipsub routers for the
 * tests: a virtual clock, an event heap of RPCs (fixed 5-25 ms latency
 * per link, so each link stays in order) and heartbeats, and a record of
 * every application delivery (count, time and hop count per node).  A
 * node may be an "attacker": it has an identity but no engine, and what
 * the routers send it is counted instead of processed.
 * Included by test_gossip.c.
 */
#ifndef GOSSIP_SIM_H
#define GOSSIP_SIM_H

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "crypto/sha256.h"
#include "p2p/gossip.h"
#include "util/error.h"

#define SIM_MAXN 128
#define SIM_MAXMSG 256
#define SIM_TOPIC "/ggen/packages/v1"

enum { EV_RPC, EV_TICK };

struct sim_ev {
	uint64_t t, seq;
	int kind, from, to;
	uint8_t *p;
	size_t n;
};

struct sim_track {
	uint8_t id[32];
	int publisher;
	uint64_t t0;
	int count[SIM_MAXN];
	int hops[SIM_MAXN];
	uint64_t at[SIM_MAXN];
};

struct sim;

struct sim_node {
	struct sim *sim;
	int idx, attacker;
	struct gg_privkey *key;
	struct gg_peerid id;
	struct gossip *g;
};

struct sim {
	uint64_t now, seq, events;
	int n;
	struct sim_node nodes[SIM_MAXN];
	uint8_t lat[SIM_MAXN][SIM_MAXN]; /* 0: not connected */
	struct sim_ev *heap;
	size_t nheap, cap;
	uint32_t rng;
	int reject_bad; /* validators REJECT data starting with "bad" */
	struct sim_track tracks[SIM_MAXMSG];
	int ntracks;
	/* what routers sent the attacker */
	uint64_t to_att_rpcs, to_att_msgs, to_att_iwant_ids;
	uint8_t *replay; /* the first RPC with a message the attacker got */
	size_t nreplay;
	struct gossip_rpc *scratch;
};

static const char *const sim_wl[] = { "127." };

static uint32_t sim_rand(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return s->rng;
}

static int ev_less(const struct sim_ev *a, const struct sim_ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void sim_push(struct sim *s, struct sim_ev e)
{
	size_t i, up;
	struct sim_ev t;

	if (s->nheap == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->heap = realloc(s->heap, s->cap * sizeof(*s->heap));
		assert_non_null(s->heap);
	}
	e.seq = s->seq++;
	i = s->nheap++;
	s->heap[i] = e;
	while (i > 0 && ev_less(&s->heap[i], &s->heap[up = (i - 1) / 2])) {
		t = s->heap[i];
		s->heap[i] = s->heap[up];
		s->heap[up] = t;
		i = up;
	}
}

static struct sim_ev sim_pop(struct sim *s)
{
	struct sim_ev top = s->heap[0], t;
	size_t i = 0, l, m;

	s->heap[0] = s->heap[--s->nheap];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < s->nheap && ev_less(&s->heap[l], &s->heap[m]))
			m = l;
		if (l + 1 < s->nheap && ev_less(&s->heap[l + 1], &s->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
	return top;
}

static int sim_index(struct sim *s, const struct gg_peerid *id)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (gg_peerid_eq(&s->nodes[i].id, id))
			return i;
	return -1;
}

static struct sim_track *sim_track_find(struct sim *s, const uint8_t *id,
					size_t n)
{
	int i;

	for (i = 0; n == 32 && i < s->ntracks; i++)
		if (!memcmp(s->tracks[i].id, id, 32))
			return &s->tracks[i];
	return NULL;
}

/* Count what a router sends the attacker. */
static void sim_to_attacker(struct sim *s, const uint8_t *p, size_t n)
{
	struct gossip_rpc *r = s->scratch;
	size_t i;

	s->to_att_rpcs++;
	if (gossip_rpc_decode(p, n, NULL, r) != 0)
		return;
	s->to_att_msgs += r->nmsgs;
	if (r->nmsgs && !s->replay && (s->replay = malloc(n))) {
		memcpy(s->replay, p, n);
		s->nreplay = n;
	}
	for (i = 0; i < r->niwant; i++)
		s->to_att_iwant_ids += r->iwant[i].n;
}

static int sim_send(void *ctx, const struct gg_peerid *to,
		    const uint8_t *p, size_t n)
{
	struct sim_node *nd = ctx;
	struct sim *s = nd->sim;
	struct sim_ev e;
	int j = sim_index(s, to);

	assert_true(j >= 0);
	assert_true(s->lat[nd->idx][j] > 0);
	if (s->nodes[j].attacker) {
		sim_to_attacker(s, p, n);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.kind = EV_RPC;
	e.t = s->now + s->lat[nd->idx][j];
	e.from = nd->idx;
	e.to = j;
	e.p = malloc(n ? n : 1);
	assert_non_null(e.p);
	memcpy(e.p, p, n);
	e.n = n;
	sim_push(s, e);
	return 0;
}

static void sim_deliver(void *ctx, const struct gossip_message_info *m)
{
	struct sim_node *nd = ctx;
	struct sim *s = nd->sim;
	struct sim_track *t = sim_track_find(s, m->id, m->idlen);
	int via;

	if (!t)
		return;
	if (t->count[nd->idx]++ == 0) {
		t->at[nd->idx] = s->now;
		via = m->via ? sim_index(s, m->via) : -1;
		t->hops[nd->idx] = via >= 0 ? t->hops[via] + 1 : 0;
	}
}

static enum gossip_verdict sim_validate(void *ctx,
					const struct gossip_message_info *m)
{
	struct sim_node *nd = ctx;

	if (nd->sim->reject_bad && m->via && m->len >= 3 &&
	    !memcmp(m->data, "bad", 3))
		return GOSSIP_REJECT;
	return GOSSIP_ACCEPT;
}

static uint64_t sim_now(void *ctx)
{
	return ((struct sim_node *)ctx)->sim->now;
}

static void sim_random(void *ctx, uint8_t *out, size_t n)
{
	struct sim *s = ((struct sim_node *)ctx)->sim;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)sim_rand(s);
}

static void sim_config(struct gossip_config *c)
{
	gossip_config_default(c);
	c->score.ip_whitelist = sim_wl;
	c->score.nip_whitelist = 1;
}

/* n nodes (the last natt of them attackers without an engine). */
static void sim_init(struct sim *s, int n, int natt, uint32_t seed,
		     const struct gossip_config *c)
{
	struct gossip_io io;
	const uint8_t *pub;
	size_t len;
	int i;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->rng = seed | 1;
	s->now = 1000;
	s->scratch = gossip_rpc_new();
	for (i = 0; i < n; i++) {
		struct sim_node *nd = &s->nodes[i];

		nd->sim = s;
		nd->idx = i;
		nd->attacker = i >= n - natt;
		assert_int_equal(gg_privkey_generate(&nd->key), 0);
		pub = gg_privkey_public(nd->key, &len);
		assert_int_equal(gg_peerid_from_pubkey(pub, len, &nd->id), 0);
		if (nd->attacker)
			continue;
		memset(&io, 0, sizeof(io));
		io.ctx = nd;
		io.send_rpc = sim_send;
		io.deliver = sim_deliver;
		io.validate = sim_validate;
		io.now_ms = sim_now;
		io.random = sim_random;
		nd->g = gossip_new(c, &nd->id, nd->key, &io);
		assert_non_null(nd->g);
		sim_push(s, (struct sim_ev){ .t = s->now + sim_rand(s) % 1000,
					     .kind = EV_TICK, .to = i });
	}
}

static void sim_free(struct sim *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		gossip_free(s->nodes[i].g);
		gg_privkey_free(s->nodes[i].key);
	}
	while (s->nheap)
		free(sim_pop(s).p);
	free(s->heap);
	free(s->replay);
	gossip_rpc_free(s->scratch);
}

/* Connect a (dialer) and b. */
static void sim_connect(struct sim *s, int a, int b)
{
	struct sim_node *na = &s->nodes[a], *nb = &s->nodes[b];
	uint8_t l;

	if (a == b || s->lat[a][b])
		return;
	l = (uint8_t)(5 + sim_rand(s) % 21);
	s->lat[a][b] = s->lat[b][a] = l;
	if (na->g)
		assert_int_equal(gossip_add_peer(na->g, &nb->id, "127.0.0.1", 1,
						 GOSSIP_V11), 0);
	if (nb->g)
		assert_int_equal(gossip_add_peer(nb->g, &na->id, "127.0.0.1", 0,
						 GOSSIP_V11), 0);
}

/* Each router dials out_deg random others: degree about 2 x out_deg,
 * at least out_deg, and connected with high probability. */
static void sim_random_graph(struct sim *s, int nrouters, int out_deg)
{
	int i, k, j, tries;

	for (i = 0; i < nrouters; i++) {
		for (k = 0, tries = 0; k < out_deg && tries < 1000; tries++) {
			j = (int)(sim_rand(s) % (uint32_t)nrouters);
			if (j == i || s->lat[i][j])
				continue;
			sim_connect(s, i, j);
			k++;
		}
	}
}

static void sim_run(struct sim *s, uint64_t until)
{
	struct sim_ev e;
	uint64_t d;

	while (s->nheap && s->heap[0].t <= until) {
		e = sim_pop(s);
		s->now = e.t;
		s->events++;
		assert_true(s->events < 50u * 1000 * 1000); /* bounded */
		if (e.kind == EV_TICK) {
			d = gossip_tick(s->nodes[e.to].g);
			sim_push(s, (struct sim_ev){ .t = s->now + d,
						     .kind = EV_TICK,
						     .to = e.to });
			continue;
		}
		(void)gossip_on_rpc(s->nodes[e.to].g, &s->nodes[e.from].id,
				    e.p, e.n);
		free(e.p);
	}
	s->now = until;
}

static void sim_subscribe_all(struct sim *s, int nrouters)
{
	int i;

	for (i = 0; i < nrouters; i++)
		assert_int_equal(gossip_subscribe(s->nodes[i].g, SIM_TOPIC), 0);
}

/* Publish from node i and start tracking the message. */
static struct sim_track *sim_publish(struct sim *s, int i, const char *data)
{
	struct sim_track *t;
	size_t idlen = 0;

	assert_true(s->ntracks < SIM_MAXMSG);
	t = &s->tracks[s->ntracks++];
	memset(t, 0, sizeof(*t));
	gg_sha256(data, strlen(data), t->id); /* the default message ID */
	t->publisher = i;
	t->t0 = s->now;
	assert_int_equal(gossip_publish(s->nodes[i].g, SIM_TOPIC,
					(const uint8_t *)data, strlen(data),
					NULL, &idlen), 0);
	return t;
}

#endif
