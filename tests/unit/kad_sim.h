/*
 * kad_sim.h - an in-memory network of Kademlia engines for the tests: a
 * virtual clock, an event heap of requests, responses, failures and
 * identify notices with 5-15 ms of latency, and each node's store in
 * its own in-memory SQLite database.  A node that is "dead" never
 * answers, so its requests time out.  Included by test_kad_query.c.
 *
 * Connections: the first request from a to b "connects" them, and each
 * side then learns of the other through identify (a later event, never
 * inside an engine call), as the host will do.
 */
#ifndef KAD_SIM_H
#define KAD_SIM_H

#include <sqlite3.h>

#include "crypto/sha256.h"
#include "p2p/kad.h"
#include "util/error.h"

enum { EV_REQ, EV_RESP, EV_FAIL, EV_IDENT, EV_BOOT };

struct sim_ev {
	uint64_t t, seq, req;
	int kind, from, to, want;
	uint8_t *msg;
	size_t len;
};

struct sim;

struct sim_node {
	struct sim *sim;
	int idx, dead;
	struct kad_peer me;
	struct kad *kad;
	sqlite3 *db;
	struct kad_store *store;
};

struct sim {
	uint64_t now, seq, events, next_tick;
	struct sim_node *nodes;
	int n;
	struct sim_ev *heap;
	size_t nheap, cap;
	uint8_t *conn; /* n*n flags */
	uint32_t rng;
	int pending; /* operations not yet completed */
};

static uint32_t sim_rand(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return s->rng;
}

static void sim_id(unsigned n, struct gg_peerid *id)
{
	id->b[0] = 0x12;
	id->b[1] = 0x20;
	gg_sha256(&n, sizeof(n), id->b + 2);
	id->len = 34;
}

static int ev_less(const struct sim_ev *a, const struct sim_ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void sim_push(struct sim *s, struct sim_ev ev)
{
	size_t i;

	if (s->nheap == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->heap = realloc(s->heap, s->cap * sizeof(*s->heap));
		if (!s->heap)
			abort();
	}
	ev.seq = s->seq++;
	i = s->nheap++;
	while (i > 0 && ev_less(&ev, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = ev;
}

static struct sim_ev sim_pop(struct sim *s)
{
	struct sim_ev top = s->heap[0], last = s->heap[--s->nheap];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < s->nheap) {
		if (c + 1 < s->nheap && ev_less(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!ev_less(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nheap)
		s->heap[i] = last;
	return top;
}

static uint64_t sim_latency(struct sim *s)
{
	return 5 + sim_rand(s) % 11;
}

static void sim_send(struct sim *s, int kind, int from, int to, uint64_t req,
		     const uint8_t *msg, size_t len, int want, uint64_t delay)
{
	struct sim_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.t = s->now + delay;
	ev.kind = kind;
	ev.from = from;
	ev.to = to;
	ev.req = req;
	ev.want = want;
	if (len) {
		ev.msg = malloc(len);
		memcpy(ev.msg, msg, len);
		ev.len = len;
	}
	sim_push(s, ev);
}

static int sim_find(struct sim *s, const struct gg_peerid *id)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (gg_peerid_eq(&s->nodes[i].me.id, id))
			return i;
	return -1;
}

static int io_send(void *ctx, uint64_t req, const struct kad_peer *to,
		   const uint8_t *msg, size_t len, int want_reply)
{
	struct sim_node *nd = ctx;
	struct sim *s = nd->sim;
	int j = sim_find(s, &to->id);

	if (j < 0 || to->addrs.n == 0)
		return GG_ECONNREFUSED;
	if (!s->conn[nd->idx * s->n + j]) {
		s->conn[nd->idx * s->n + j] = s->conn[j * s->n + nd->idx] = 1;
		if (!s->nodes[j].dead) {
			sim_send(s, EV_IDENT, nd->idx, j, 0, NULL, 0, 0, 1);
			sim_send(s, EV_IDENT, j, nd->idx, 0, NULL, 0, 0, 1);
		}
	}
	sim_send(s, EV_REQ, nd->idx, j, req, msg, len, want_reply,
		 sim_latency(s));
	return 0;
}

static uint64_t io_now(void *ctx)
{
	return ((struct sim_node *)ctx)->sim->now;
}

static void io_random(void *ctx, uint8_t *out, size_t n)
{
	struct sim *s = ((struct sim_node *)ctx)->sim;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)sim_rand(s);
}

/* "/test/<anything>": a value is valid unless it starts with 'X'; the
 * highest first byte wins. */
static int tv_validate(void *arg, const uint8_t *key, size_t klen,
		       const uint8_t *val, size_t vlen)
{
	(void)arg;
	(void)key;
	(void)klen;
	return vlen > 0 && val[0] != 'X' ? 0 : GG_EPARSE;
}

static int tv_select(void *arg, const uint8_t *key, size_t klen,
		     const struct kad_bytes *vals, size_t n)
{
	size_t i, best = 0;

	(void)arg;
	(void)key;
	(void)klen;
	for (i = 1; i < n; i++)
		if (vals[i].p[0] > vals[best].p[0])
			best = i;
	return (int)best;
}

static const struct kad_validator sim_validators[] = {
	{ "/test/", tv_validate, tv_select, NULL },
};

static void sim_config(struct kad_config *c)
{
	kad_config_default(c);
	c->validators = sim_validators;
	c->nvalidators = 1;
	c->bootstrap_ms = 0; /* the tests bootstrap explicitly */
}

static void sim_init(struct sim *s, int n, const struct kad_config *c)
{
	struct kad_io io = { NULL, io_send, io_now, NULL, io_random };
	struct kad_store_config sc;
	int i;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->rng = 0x9e3779b9u;
	s->nodes = calloc((size_t)n, sizeof(*s->nodes));
	s->conn = calloc((size_t)n * (size_t)n, 1);
	s->now = 1000;
	kad_store_config_default(&sc);
	for (i = 0; i < n; i++) {
		struct sim_node *nd = &s->nodes[i];
		uint8_t ma[8] = { 0x04, 10, (uint8_t)(i >> 8), (uint8_t)i, 1,
				  0x06, 0x0f, 0xa1 };
		struct gg_multiaddr self_ma;

		nd->sim = s;
		nd->idx = i;
		sim_id((unsigned)i, &nd->me.id);
		kad_key_of_peer(&nd->me.id, &nd->me.key);
		kad_addrbuf_add(&nd->me.addrs, ma, sizeof(ma));
		if (sqlite3_open(":memory:", &nd->db) != SQLITE_OK ||
		    kad_store_open(nd->db, &sc, &nd->store) < 0)
			abort();
		io.ctx = nd;
		nd->kad = kad_new(c, &nd->me.id, &io, nd->store);
		if (!nd->kad)
			abort();
		gg_multiaddr_from_bytes(ma, sizeof(ma), &self_ma);
		kad_set_self_addrs(nd->kad, &self_ma, 1);
	}
}

static void sim_free(struct sim *s)
{
	int i;

	while (s->nheap)
		free(sim_pop(s).msg);
	for (i = 0; i < s->n; i++) {
		kad_free(s->nodes[i].kad);
		kad_store_free(s->nodes[i].store);
		sqlite3_close(s->nodes[i].db);
	}
	free(s->nodes);
	free(s->conn);
	free(s->heap);
}

static void sim_event(struct sim *s, struct sim_ev *ev)
{
	struct gg_buf reply = GG_BUF_INIT(1 << 20);
	struct sim_node *to = &s->nodes[ev->to];
	int r;

	switch (ev->kind) {
	case EV_REQ:
		if (to->dead)
			break; /* silence: the sender times out */
		r = kad_on_request(to->kad, &s->nodes[ev->from].me.id, ev->msg,
				   ev->len, &reply);
		if (!ev->want)
			break;
		if (r < 0 || reply.len == 0)
			sim_send(s, EV_FAIL, ev->to, ev->from, ev->req, NULL, 0,
				 0, sim_latency(s));
		else
			sim_send(s, EV_RESP, ev->to, ev->from, ev->req,
				 reply.data, reply.len, 0, sim_latency(s));
		break;
	case EV_RESP:
		kad_on_response(to->kad, ev->req, ev->msg, ev->len);
		break;
	case EV_FAIL:
		kad_on_failure(to->kad, ev->req, GG_ECONNRESET);
		break;
	case EV_IDENT:
		kad_on_peer_identified(to->kad, &s->nodes[ev->from].me, 1);
		break;
	case EV_BOOT:
		break;
	}
	gg_buf_release(&reply);
}

/* Run until every operation completed or the bounds are hit; returns 0
 * when all completed. */
static __attribute__((unused)) int sim_run(struct sim *s, uint64_t max_ms,
					  uint64_t max_events)
{
	uint64_t end = s->now + max_ms, n = 0;
	int i;

	while (s->pending > 0 && s->now < end && n < max_events) {
		if (s->nheap && s->heap[0].t <= s->next_tick) {
			struct sim_ev ev = sim_pop(s);

			s->now = ev.t > s->now ? ev.t : s->now;
			sim_event(s, &ev);
			free(ev.msg);
			n++;
			continue;
		}
		s->now = s->next_tick > s->now ? s->next_tick : s->now;
		s->next_tick = s->now + 100;
		for (i = 0; i < s->n; i++)
			kad_tick(s->nodes[i].kad);
	}
	s->events += n;
	return s->pending > 0 ? -1 : 0;
}

#endif
