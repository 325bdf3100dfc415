/*
 * gossip_mesh.c - the heartbeat: score decay, broken IWANT promises,
 * mesh maintenance (D_lo/D/D_hi, D_score and D_out, negative scores,
 * opportunistic grafting), fanout maintenance, gossip emission and the
 * cache shift, as gossipsub v1.0 "Heartbeat" and v1.1 "Heartbeat
 * Maintenance" describe them.
 */
#include "p2p/gossip_impl.h"

#include "util/error.h"

/* Scratch arrays sized by max_peers would cost an allocation per
 * heartbeat; the peer array itself is bounded, so use the stack up to a
 * limit and the heap beyond. */
struct plist { struct gs_peer **a; size_t n; struct gs_peer *stack[256]; };

static int plist_init(struct plist *l, size_t max)
{
	l->n = 0;
	l->a = max <= 256 ? l->stack : malloc(max * sizeof(*l->a));
	return l->a ? 0 : GG_ENOMEM;
}

static void plist_release(struct plist *l)
{
	if (l->a != l->stack)
		free(l->a);
}

void gs_graft(struct gossip *g, struct gs_peer *p, struct gs_ptopic *pt,
	      uint64_t now)
{
	pt->in_mesh = 1;
	pt->in_fanout = 0;
	pt->graft_ms = now;
	pt->p3 = 0;
	gs_send_graft(g, p, pt->topic);
}

void gs_mesh_leave(struct gossip *g, struct gs_peer *p, struct gs_ptopic *pt,
		   uint64_t backoff_ms, int send)
{
	uint64_t until = gs_now(g) + backoff_ms;

	if (pt->in_mesh)
		gs_score_mesh_left(g, p, pt);
	pt->in_mesh = 0;
	if (pt->backoff_until < until)
		pt->backoff_until = until;
	if (send)
		gs_send_prune(g, p, pt->topic, backoff_ms);
}

size_t gs_mesh_peers(struct gossip *g, int topic, struct gs_peer **out)
{
	struct gs_ptopic *pt;
	size_t i, n = 0;

	for (i = 0; i < g->npeers; i++) {
		pt = gs_ptopic(g->peers[i], topic);
		if (pt && pt->in_mesh)
			out[n++] = g->peers[i];
	}
	return n;
}

/* Peers we may graft: subscribed, not in the mesh, out of backoff, score
 * at least min_score; outbound_only for the D_out quota. */
static void candidates(struct gossip *g, int topic, uint64_t now,
		       double min_score, int outbound_only, struct plist *l)
{
	struct gs_ptopic *pt;
	size_t i;

	l->n = 0;
	for (i = 0; i < g->npeers; i++) {
		struct gs_peer *p = g->peers[i];

		pt = gs_ptopic(p, topic);
		if (!pt || !pt->subscribed || pt->in_mesh ||
		    pt->backoff_until > now || (outbound_only && !p->outbound))
			continue;
		if (gs_score(g, p) >= min_score)
			l->a[l->n++] = p;
	}
	gs_shuffle(g, l->a, l->n);
}

static void graft_some(struct gossip *g, int topic, struct plist *l,
		       size_t want, uint64_t now)
{
	size_t i;

	for (i = 0; i < l->n && i < want; i++)
		gs_graft(g, l->a[i], gs_ptopic(l->a[i], topic), now);
}

void gs_mesh_fill(struct gossip *g, int topic, uint64_t now)
{
	struct plist m, c;
	size_t have;

	if (plist_init(&m, g->npeers) < 0)
		return;
	if (plist_init(&c, g->npeers) == 0) {
		have = gs_mesh_peers(g, topic, m.a);
		if (have < (size_t)g->c.d) {
			candidates(g, topic, now, 0, 0, &c);
			graft_some(g, topic, &c, (size_t)g->c.d - have, now);
		}
		plist_release(&c);
	}
	plist_release(&m);
}

struct scored { struct gs_peer *p; double s; };

static int by_score_desc(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->s;
	double y = ((const struct scored *)b)->s;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Sort the mesh best first, then shuffle all but the D_score best. */
static int rank(struct gossip *g, struct plist *m)
{
	struct scored *v = malloc(m->n * sizeof(*v));
	size_t i;

	if (!v)
		return GG_ENOMEM;
	for (i = 0; i < m->n; i++) {
		v[i].p = m->a[i];
		v[i].s = gs_score(g, m->a[i]);
	}
	qsort(v, m->n, sizeof(*v), by_score_desc);
	for (i = 0; i < m->n; i++)
		m->a[i] = v[i].p;
	free(v);
	gs_shuffle(g, m->a + g->c.d_score, m->n - (size_t)g->c.d_score);
	return 0;
}

/* Oversubscribed: keep the D_score best, then random ones up to D, with
 * at least D_out outbound peers among those kept (swapped in for random
 * inbound ones). */
static void prune_excess(struct gossip *g, int topic, struct plist *m)
{
	size_t i, j, keep = (size_t)g->c.d, nout = 0;
	struct gs_peer *t;

	if (rank(g, m) < 0)
		return;
	for (i = 0; i < keep; i++)
		nout += m->a[i]->outbound ? 1 : 0;
	for (i = keep; i < m->n && nout < (size_t)g->c.d_out; i++) {
		if (!m->a[i]->outbound)
			continue;
		for (j = keep; j-- > (size_t)g->c.d_score;) {
			if (!m->a[j]->outbound) {
				t = m->a[j];
				m->a[j] = m->a[i];
				m->a[i] = t;
				nout++;
				break;
			}
		}
	}
	for (i = keep; i < m->n; i++)
		gs_mesh_leave(g, m->a[i], gs_ptopic(m->a[i], topic),
			      g->c.prune_backoff_ms, 1);
}

static double median_score(struct gossip *g, struct plist *m)
{
	struct scored *v = malloc(m->n * sizeof(*v));
	double med;
	size_t i;

	if (!v)
		return 0;
	for (i = 0; i < m->n; i++) {
		v[i].p = m->a[i];
		v[i].s = gs_score(g, m->a[i]);
	}
	qsort(v, m->n, sizeof(*v), by_score_desc);
	med = v[m->n / 2].s;
	free(v);
	return med;
}

/* v1.1 opportunistic grafting: a mesh whose median score is poor takes
 * a few peers that score better than that median. */
static void opportunistic(struct gossip *g, int topic, struct plist *m,
			  struct plist *c, uint64_t now)
{
	double med;

	if (m->n < 2 || g->c.opportunistic_graft_ticks <= 0 ||
	    g->hb_count % (uint64_t)g->c.opportunistic_graft_ticks)
		return;
	med = median_score(g, m);
	if (med >= g->c.score.opportunistic_graft_threshold)
		return;
	candidates(g, topic, now, med + 1e-9, 0, c);
	graft_some(g, topic, c, (size_t)g->c.opportunistic_graft_peers, now);
}

static void maintain_mesh(struct gossip *g, int topic, uint64_t now,
			  struct plist *m, struct plist *c)
{
	size_t i, nout = 0;

	m->n = gs_mesh_peers(g, topic, m->a);
	for (i = 0; i < m->n; i++) {
		if (gs_score(g, m->a[i]) < 0)
			gs_mesh_leave(g, m->a[i], gs_ptopic(m->a[i], topic),
				      g->c.prune_backoff_ms, 1);
	}
	m->n = gs_mesh_peers(g, topic, m->a);
	if (m->n < (size_t)g->c.d_lo) {
		candidates(g, topic, now, 0, 0, c);
		graft_some(g, topic, c, (size_t)g->c.d - m->n, now);
	} else if (m->n > (size_t)g->c.d_hi) {
		prune_excess(g, topic, m);
	}
	m->n = gs_mesh_peers(g, topic, m->a);
	for (i = 0; i < m->n; i++)
		nout += m->a[i]->outbound ? 1 : 0;
	if (m->n >= (size_t)g->c.d_lo && nout < (size_t)g->c.d_out) {
		candidates(g, topic, now, 0, 1, c);
		graft_some(g, topic, c, (size_t)g->c.d_out - nout, now);
	}
	opportunistic(g, topic, m, c, now);
}

static void maintain_fanout(struct gossip *g, int topic, uint64_t now,
			    struct plist *c)
{
	struct gs_topic *t = g->topics[topic];
	double min = g->c.score.publish_threshold;
	struct gs_ptopic *pt;
	size_t i, have = 0;
	int expired = now - t->last_pub > g->c.fanout_ttl_ms;

	c->n = 0;
	for (i = 0; i < g->npeers; i++) {
		pt = gs_ptopic(g->peers[i], topic);
		if (!pt || !pt->in_fanout)
			continue;
		if (expired || !pt->subscribed ||
		    gs_score(g, g->peers[i]) < min)
			pt->in_fanout = 0;
		else
			have++;
	}
	if (expired) {
		t->has_fanout = 0;
		return;
	}
	for (i = 0; i < g->npeers; i++) {
		pt = gs_ptopic(g->peers[i], topic);
		if (pt && pt->subscribed && !pt->in_fanout &&
		    gs_score(g, g->peers[i]) >= min)
			c->a[c->n++] = g->peers[i];
	}
	gs_shuffle(g, c->a, c->n);
	for (i = 0; i < c->n && have < (size_t)g->c.d; i++, have++)
		gs_ptopic(c->a[i], topic)->in_fanout = 1;
}

/* IHAVE to max(D_lazy, gossip_factor x eligible) peers outside the mesh
 * and fanout. */
static void emit_gossip(struct gossip *g, int topic, struct plist *c,
			struct gossip_bytes *ids)
{
	size_t n, i, target;
	struct gs_ptopic *pt;

	n = gs_mcache_ids(g, topic, ids, g->c.max_ihave_length);
	if (n == 0)
		return;
	c->n = 0;
	for (i = 0; i < g->npeers; i++) {
		pt = gs_ptopic(g->peers[i], topic);
		if (pt && pt->subscribed && !pt->in_mesh && !pt->in_fanout &&
		    gs_score(g, g->peers[i]) >= g->c.score.gossip_threshold)
			c->a[c->n++] = g->peers[i];
	}
	target = (size_t)(g->c.gossip_factor * (double)c->n);
	if (target < (size_t)g->c.d_lazy)
		target = (size_t)g->c.d_lazy;
	gs_shuffle(g, c->a, c->n);
	for (i = 0; i < c->n && i < target; i++)
		gs_send_ihave(g, c->a[i], topic, ids, n);
}

static void reset_counters(struct gossip *g)
{
	size_t i;

	for (i = 0; i < g->npeers; i++)
		g->peers[i]->ihave_msgs = g->peers[i]->ihave_ids = 0;
}

void gs_heartbeat(struct gossip *g, uint64_t now)
{
	struct gossip_bytes *ids;
	struct plist m, c;
	size_t i;

	g->hb_count++;
	if (now >= g->next_decay) {
		gs_score_decay(g);
		g->next_decay = now + g->c.score.decay_ms;
	}
	reset_counters(g);
	gs_promise_expire(g, now);
	ids = malloc((g->c.max_ihave_length + 1) * sizeof(*ids));
	if (ids && plist_init(&m, g->npeers) == 0) {
		if (plist_init(&c, g->npeers) == 0) {
			for (i = 0; i < g->ntopics; i++) {
				struct gs_topic *t = g->topics[i];

				if (t->subscribed)
					maintain_mesh(g, (int)i, now, &m, &c);
				else if (t->has_fanout)
					maintain_fanout(g, (int)i, now, &c);
				if (t->subscribed || t->has_fanout)
					emit_gossip(g, (int)i, &c, ids);
			}
			plist_release(&c);
		}
		plist_release(&m);
	}
	free(ids);
	gs_mcache_shift(g);
	gs_seen_expire(g, now);
	gs_flush(g);
}
