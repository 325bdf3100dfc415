/*
 * gossip_ctrl.c - subscriptions and control messages from a peer:
 * GRAFT, PRUNE, IHAVE, IWANT (IDONTWANT is decoded and ignored: we
 * speak 1.1).
 *
 * The v1.1 spam defences live here: GRAFTs for topics we do not join are
 * ignored; a GRAFT inside a backoff costs P7 and is answered with a
 * PRUNE that extends it; IHAVE is read only from peers above the gossip
 * threshold, at most max_ihave_messages per heartbeat, and we ask for
 * at most max_ihave_length IDs per peer and heartbeat, tracking one
 * random ID of each IWANT as a promise; IWANT is answered at most
 * gossip_retransmission times per message and peer.
 */
#include "p2p/gossip_impl.h"

#include "util/error.h"

void gs_handle_subs(struct gossip *g, struct gs_peer *p,
		    const struct gossip_rpc *r)
{
	struct gs_ptopic *pt;
	size_t i;
	int ti;

	for (i = 0; i < r->nsubs; i++) {
		const struct gossip_subopt *s = &r->subs[i];

		if (s->subscribe)
			ti = gs_topic_get(g, s->topic.p, s->topic.n);
		else
			ti = gs_topic_find(g, s->topic.p, s->topic.n);
		if (ti < 0)
			continue;
		pt = s->subscribe ? gs_ptopic_get(g, p, ti) : gs_ptopic(p, ti);
		if (!pt)
			continue;
		pt->subscribed = s->subscribe ? 1 : 0;
		if (!pt->subscribed) {
			if (pt->in_mesh)
				gs_score_mesh_left(g, p, pt);
			pt->in_mesh = pt->in_fanout = 0;
		}
	}
}

static void on_graft(struct gossip *g, struct gs_peer *p,
		     const struct gossip_bytes *topic, uint64_t now)
{
	int ti = gs_topic_find(g, topic->p, topic->n);
	struct gs_ptopic *pt;
	struct gs_peer **m;
	size_t nmesh;

	if (ti < 0 || !g->topics[ti]->subscribed)
		return; /* v1.1: no PRUNE for topics we are not in */
	if (!(pt = gs_ptopic_get(g, p, ti)) || pt->in_mesh)
		return;
	if (pt->backoff_until > now) {
		gs_score_penalty(p, 1);
		gs_mesh_leave(g, p, pt, g->c.prune_backoff_ms, 1);
		return;
	}
	if (gs_score(g, p) < 0) {
		gs_mesh_leave(g, p, pt, g->c.prune_backoff_ms, 1);
		return;
	}
	if (!(m = malloc(g->npeers * sizeof(*m) + 1)))
		return;
	nmesh = gs_mesh_peers(g, ti, m);
	free(m);
	if (nmesh >= (size_t)g->c.d_hi && !p->outbound) {
		gs_mesh_leave(g, p, pt, g->c.prune_backoff_ms, 1);
		return;
	}
	pt->subscribed = 1; /* a GRAFT implies it */
	pt->in_mesh = 1;
	pt->in_fanout = 0;
	pt->graft_ms = now;
	pt->p3 = 0;
}

static void on_prune(struct gossip *g, struct gs_peer *p,
		     const struct gossip_prune *pr)
{
	int ti = gs_topic_find(g, pr->topic.p, pr->topic.n);
	struct gs_ptopic *pt = ti >= 0 ? gs_ptopic(p, ti) : NULL;
	uint64_t backoff = g->c.prune_backoff_ms;

	if (!pt)
		return;
	/* Honour the peer's backoff, within reason (at most an hour). */
	if (pr->has_backoff && pr->backoff <= 3600)
		backoff = pr->backoff * 1000;
	gs_mesh_leave(g, p, pt, backoff, 0);
}

static void on_ihave(struct gossip *g, struct gs_peer *p,
		     const struct gossip_rpc *r, const struct gossip_idlist *l,
		     struct gossip_bytes *want)
{
	int ti = gs_topic_find(g, l->topic.p, l->topic.n);
	size_t i, n = 0;
	uint64_t pick;

	if (++p->ihave_msgs > g->c.max_ihave_messages ||
	    p->ihave_ids >= g->c.max_ihave_length) {
		g->st.ihave_dropped++;
		return;
	}
	if (ti < 0 || !g->topics[ti]->subscribed)
		return;
	for (i = 0; i < l->n; i++) {
		const struct gossip_bytes *id = &r->ids[l->first + i];

		if (p->ihave_ids >= g->c.max_ihave_length)
			break;
		if (gs_msg_find(g, id->p, id->n))
			continue;
		want[n++] = *id;
		p->ihave_ids++;
	}
	if (n == 0)
		return;
	gs_send_iwant(g, p, want, n);
	g->st.iwant_sent++;
	pick = gs_rand(g) % n;
	gs_promise_add(g, p->serial, want[pick].p, want[pick].n,
		       gs_now(g) + g->c.iwant_followup_ms);
}

static void on_iwant(struct gossip *g, struct gs_peer *p,
		     const struct gossip_rpc *r, const struct gossip_idlist *l)
{
	struct gs_msg *gm;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct gossip_bytes *id = &r->ids[l->first + i];

		gm = gs_msg_find(g, id->p, id->n);
		if (!gm || !gm->cached || gm->status != GS_VALID)
			continue;
		if (gs_tx_count(g, gm, p->serial) >
		    g->c.gossip_retransmission)
			continue;
		if (gs_send_msg(g, p, gm->raw, gm->rawlen) == 0)
			g->st.iwant_served++;
	}
}

void gs_handle_control(struct gossip *g, struct gs_peer *p,
		       const struct gossip_rpc *r)
{
	int gossip_ok = gs_score(g, p) >= g->c.score.gossip_threshold;
	struct gossip_bytes *want = NULL;
	uint64_t now = gs_now(g);
	size_t i;

	for (i = 0; i < r->ngraft; i++)
		on_graft(g, p, &r->graft[i], now);
	for (i = 0; i < r->nprune; i++)
		on_prune(g, p, &r->prune[i]);
	if (!gossip_ok)
		return; /* gossip from peers below the threshold is ignored */
	if (r->nihave && (want = malloc(r->nids * sizeof(*want) + 1)))
		for (i = 0; i < r->nihave; i++)
			on_ihave(g, p, r, &r->ihave[i], want);
	free(want);
	for (i = 0; i < r->niwant; i++)
		on_iwant(g, p, r, &r->iwant[i]);
}
