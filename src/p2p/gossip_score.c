/*
 * gossip_score.c - gossipsub v1.1 peer scoring.
 *
 *   score = min(topic_cap, sum over topics of topic_weight x
 *             (w1 P1 + w2 P2 + w3 P3 + w3b P3b + w4 P4))
 *           + w6 P6 + w7 P7
 *
 * P1 time in mesh (quantised, capped), P2 first deliveries (capped),
 * P3 the square of the mesh delivery deficit once the peer has been in
 * the mesh for the activation time, P3b the sticky deficit recorded
 * when a peer leaves the mesh with one, P4 the square of invalid
 * messages, P6 the square of the peers sharing an IP beyond a threshold
 * (whitelisted IPs exempt), P7 the square of the behaviour penalty
 * beyond a threshold.  Counters decay every decay interval and snap to
 * zero below decay_to_zero.  P5 (application score) is not used.
 * Scores are computed on demand; they are cheap (one pass over the
 * peer's topics).
 */
#include "p2p/gossip_impl.h"

#include "util/error.h"

void gs_score_defaults(struct gossip_score_params *s)
{
	struct gossip_topic_score *t = &s->topic;

	memset(s, 0, sizeof(*s));
	s->topic_cap = 50;
	s->p6_weight = -10;
	s->p6_threshold = 1;
	s->p7_weight = -10;
	s->p7_decay = 0.99;
	s->p7_threshold = 2;
	s->decay_to_zero = 0.01;
	s->decay_ms = 1000;
	s->gossip_threshold = -20;
	s->publish_threshold = -40;
	s->graylist_threshold = -80;
	s->opportunistic_graft_threshold = 1;
	t->topic_weight = 1;
	t->p1_weight = 0.01;
	t->p1_quantum_ms = 1000;
	t->p1_cap = 300;
	t->p2_weight = 1;
	t->p2_decay = 0.97;
	t->p2_cap = 20;
	/* Package announcements are rare: a delivery-rate expectation
	 * would punish every honest mesh peer, so P3/P3b start disabled. */
	t->p3_weight = 0;
	t->p3_decay = 0.97;
	t->p3_threshold = 1;
	t->p3_cap = 10;
	t->p3_activation_ms = 30 * 1000;
	t->p3_window_ms = 10;
	t->p3b_weight = 0;
	t->p3b_decay = 0.97;
	t->p4_weight = -10;
	t->p4_decay = 0.99;
}

static double p3_deficit(const struct gossip_topic_score *sp,
			 const struct gs_ptopic *pt, uint64_t now)
{
	if (!pt->in_mesh || now < pt->graft_ms ||
	    (double)(now - pt->graft_ms) < sp->p3_activation_ms ||
	    pt->p3 >= sp->p3_threshold)
		return 0;
	return sp->p3_threshold - pt->p3;
}

static double topic_score(const struct gossip_topic_score *sp,
			  const struct gs_ptopic *pt, uint64_t now)
{
	double s = 0, p1, d;

	if (pt->in_mesh && sp->p1_quantum_ms > 0 && now > pt->graft_ms) {
		p1 = (double)((now - pt->graft_ms) /
			      (uint64_t)sp->p1_quantum_ms);
		s += sp->p1_weight * (p1 > sp->p1_cap ? sp->p1_cap : p1);
	}
	s += sp->p2_weight * pt->p2;
	d = p3_deficit(sp, pt, now);
	s += sp->p3_weight * d * d;
	s += sp->p3b_weight * pt->p3b;
	s += sp->p4_weight * pt->p4 * pt->p4;
	return sp->topic_weight * s;
}

double gs_score(const struct gossip *g, const struct gs_peer *p)
{
	const struct gossip_score_params *sp = &g->c.score;
	uint64_t now = g->io.now_ms(g->io.ctx);
	double s = 0, x;
	size_t i;

	for (i = 0; i < p->nt; i++)
		s += topic_score(&g->topics[p->t[i].topic]->sp, &p->t[i], now);
	if (sp->topic_cap > 0 && s > sp->topic_cap)
		s = sp->topic_cap;
	if ((double)p->ncoloc > sp->p6_threshold) {
		x = (double)p->ncoloc - sp->p6_threshold;
		s += sp->p6_weight * x * x;
	}
	if (p->p7 > sp->p7_threshold) {
		x = p->p7 - sp->p7_threshold;
		s += sp->p7_weight * x * x;
	}
	return s;
}

static void decay(double *v, double f, double zero)
{
	*v *= f;
	if (*v < zero)
		*v = 0;
}

void gs_score_decay(struct gossip *g)
{
	double z = g->c.score.decay_to_zero;
	size_t i, k;

	for (i = 0; i < g->npeers; i++) {
		struct gs_peer *p = g->peers[i];

		decay(&p->p7, g->c.score.p7_decay, z);
		for (k = 0; k < p->nt; k++) {
			struct gs_ptopic *pt = &p->t[k];
			const struct gossip_topic_score *sp =
				&g->topics[pt->topic]->sp;

			decay(&pt->p2, sp->p2_decay, z);
			decay(&pt->p3, sp->p3_decay, z);
			decay(&pt->p3b, sp->p3b_decay, z);
			decay(&pt->p4, sp->p4_decay, z);
		}
	}
}

/* A valid message from p: first = it was the first to bring it (P2),
 * else a near-first duplicate; both count for P3 when p is in our mesh. */
void gs_score_delivery(struct gossip *g, struct gs_peer *p, int topic,
		       int first)
{
	const struct gossip_topic_score *sp = &g->topics[topic]->sp;
	struct gs_ptopic *pt = gs_ptopic_get(g, p, topic);

	if (!pt)
		return;
	if (first && (pt->p2 += 1) > sp->p2_cap)
		pt->p2 = sp->p2_cap;
	if (pt->in_mesh && (pt->p3 += 1) > sp->p3_cap)
		pt->p3 = sp->p3_cap;
}

void gs_score_invalid(struct gossip *g, struct gs_peer *p, int topic)
{
	struct gs_ptopic *pt = topic >= 0 ? gs_ptopic_get(g, p, topic) : NULL;

	if (pt)
		pt->p4 += 1;
	else
		gs_score_penalty(p, 1); /* no topic state left to charge */
}

void gs_score_penalty(struct gs_peer *p, double n)
{
	p->p7 += n;
}

void gs_score_mesh_left(struct gossip *g, struct gs_peer *p,
			struct gs_ptopic *pt)
{
	double d = p3_deficit(&g->topics[pt->topic]->sp, pt, gs_now(g));

	pt->p3b += d * d;
}

static int whitelisted(const struct gossip *g, const char *ip)
{
	size_t i, n;

	for (i = 0; i < g->c.score.nip_whitelist; i++) {
		n = strlen(g->c.score.ip_whitelist[i]);
		if (n && !strncmp(ip, g->c.score.ip_whitelist[i], n))
			return 1;
	}
	return 0;
}

/* Recount the peers on ip after one came or went. */
void gs_coloc_update(struct gossip *g, const char *ip)
{
	size_t i, n = 0;

	if (!ip[0])
		return;
	for (i = 0; i < g->npeers; i++)
		n += !strcmp(g->peers[i]->ip, ip);
	if (whitelisted(g, ip))
		n = 0;
	for (i = 0; i < g->npeers; i++)
		if (!strcmp(g->peers[i]->ip, ip))
			g->peers[i]->ncoloc = n;
}

int gossip_peer_score(const struct gossip *g, const struct gg_peerid *id,
		      double *score)
{
	const struct gs_peer *p = gs_peer_find(g, id);

	if (!p)
		return GG_ENOTFOUND;
	*score = gs_score(g, p);
	return 0;
}

int gossip_set_topic_score(struct gossip *g, const char *topic,
			   const struct gossip_topic_score *p)
{
	int ti;

	if (!topic)
		return GG_EINVAL;
	ti = gs_topic_get(g, (const uint8_t *)topic, strlen(topic));
	if (ti < 0)
		return ti;
	g->topics[ti]->sp = *p;
	return 0;
}
