/*
 * gossip_msg.c - the message path: a received message is checked
 * against the seen cache, its signature (StrictSign) and the
 * application's validator, then delivered, cached and forwarded to the
 * mesh; our own messages are signed here and flood-published.
 *
 * Order matters.  The seen check comes first, so a replay costs a hash
 * lookup.  A message with a bad signature is not marked seen (it would
 * let anyone block the real message, whose ID is the hash of the same
 * data) but costs its sender P4 every time.  A message the validator
 * rejects is marked seen as rejected, so every copy of it (from anyone)
 * costs P4 and none is ever forwarded.
 */
#include "p2p/gossip_impl.h"

#include "crypto/sha256.h"
#include "util/error.h"
#include "util/log.h"

static int msg_id(struct gossip *g, const struct gossip_msg *m, uint8_t *id,
		  size_t *n)
{
	int r;

	if (g->c.msg_id) {
		*n = 0;
		r = g->c.msg_id(g->c.msg_id_arg, m, id, n);
		return r < 0 ? r : *n == 0 || *n > GOSSIP_ID_MAX ? GG_EINVAL
								   : 0;
	}
	gg_sha256(m->data.p, m->data.n, id);
	*n = GG_SHA256_LEN;
	return 0;
}

static enum gossip_verdict validate(struct gossip *g,
				    const struct gossip_message_info *mi)
{
	return g->io.validate ? g->io.validate(g->io.ctx, mi) : GOSSIP_ACCEPT;
}

/* Send gm to the topic's mesh, except the peer it came from and its
 * author. */
static void forward(struct gossip *g, const struct gs_msg *gm,
		    uint64_t except, const struct gg_peerid *author)
{
	struct gs_ptopic *pt;
	size_t i;

	for (i = 0; i < g->npeers; i++) {
		struct gs_peer *q = g->peers[i];

		pt = gs_ptopic(q, gm->topic);
		if (!pt || !pt->in_mesh || q->serial == except ||
		    gg_peerid_eq(&q->id, author))
			continue;
		if (gs_send_msg(g, q, gm->raw, gm->rawlen) == 0)
			g->st.forwarded++;
	}
}

static void duplicate(struct gossip *g, struct gs_peer *p, struct gs_msg *gm,
		      uint64_t now)
{
	const struct gossip_topic_score *sp = &g->topics[gm->topic]->sp;

	g->st.duplicate++;
	if (gm->status == GS_REJECTED)
		gs_score_invalid(g, p, gm->topic);
	else if (gm->status == GS_VALID && gm->first_peer != p->serial &&
		 (double)(now - gm->seen_ms) <= sp->p3_window_ms)
		gs_score_delivery(g, p, gm->topic, 0);
}

/* Accept, reject or ignore one signed message new to us. */
static void fresh(struct gossip *g, struct gs_peer *p,
		  const struct gossip_msg *m, int ti,
		  struct gossip_message_info *mi, uint64_t now)
{
	enum gossip_verdict v = validate(g, mi);
	int status = v == GOSSIP_ACCEPT ? GS_VALID
		     : v == GOSSIP_REJECT ? GS_REJECTED : GS_IGNORED;
	struct gs_msg *gm = gs_msg_add(g, mi->id, mi->idlen, ti, status, now);

	if (!gm)
		return;
	gm->first_peer = p->serial;
	if (status == GS_REJECTED) {
		g->st.rejected++;
		gs_score_invalid(g, p, ti);
		return;
	}
	if (status == GS_IGNORED) {
		g->st.ignored++;
		return;
	}
	gs_score_delivery(g, p, ti, 1);
	gg_buf_reset(&g->out);
	if (gossip_msg_encode(m, 1, &g->out) < 0 ||
	    gs_mcache_put(g, gm, g->out.data, g->out.len) < 0)
		return;
	g->st.delivered++;
	if (g->io.deliver)
		g->io.deliver(g->io.ctx, mi);
	forward(g, gm, p->serial, mi->author);
}

static void handle_msg(struct gossip *g, struct gs_peer *p,
		       const struct gossip_msg *m, uint64_t now)
{
	struct gossip_message_info mi;
	uint8_t id[GOSSIP_ID_MAX];
	struct gg_peerid author;
	struct gs_msg *gm;
	int ti;

	g->st.received++;
	ti = gs_topic_find(g, m->topic.p, m->topic.n);
	if (!(m->has & GOSSIP_HAS_TOPIC) || ti < 0 ||
	    !g->topics[ti]->subscribed) {
		g->st.ignored++; /* not ours: dropped, like go */
		return;
	}
	memset(&mi, 0, sizeof(mi));
	if (msg_id(g, m, id, &mi.idlen) < 0) {
		g->st.rejected++;
		return;
	}
	if ((gm = gs_msg_find(g, id, mi.idlen))) {
		duplicate(g, p, gm, now);
		return;
	}
	if (gossip_msg_verify(m, &author) < 0) {
		g->st.rejected++;
		gs_score_invalid(g, p, ti);
		return;
	}
	gs_promise_fulfil(g, id, mi.idlen);
	if (gg_peerid_eq(&author, &g->self)) {
		g->st.ignored++; /* ours, but we do not remember it */
		return;
	}
	mi.topic = g->topics[ti]->name;
	mi.data = m->data.p;
	mi.len = m->data.n;
	mi.author = &author;
	mi.via = &p->id;
	mi.id = id;
	fresh(g, p, m, ti, &mi, now);
}

void gs_handle_msgs(struct gossip *g, struct gs_peer *p,
		    const struct gossip_rpc *r)
{
	uint64_t now = gs_now(g);
	size_t i;

	for (i = 0; i < r->nmsgs; i++)
		handle_msg(g, p, &r->msgs[i], now);
}

/* Fill in from, seqno, topic, signature (and key when the peer ID does
 * not inline it) for our message. */
static int build_own(struct gossip *g, struct gossip_msg *m, int ti,
		     const uint8_t *data, size_t len, uint8_t seq[8],
		     uint8_t sig[64])
{
	const uint8_t *pub;
	uint64_t s = ++g->seqno;
	size_t n;
	int i, r;

	for (i = 7; i >= 0; i--, s >>= 8)
		seq[i] = (uint8_t)s;
	memset(m, 0, sizeof(*m));
	m->has = GOSSIP_HAS_FROM | GOSSIP_HAS_DATA | GOSSIP_HAS_SEQNO |
		 GOSSIP_HAS_TOPIC | GOSSIP_HAS_SIG;
	m->from.p = g->self.b;
	m->from.n = g->self.len;
	m->data.p = data;
	m->data.n = len;
	m->seqno.p = seq;
	m->seqno.n = GOSSIP_SEQNO_LEN;
	m->topic = gs_topic_bytes(g, ti);
	if ((r = gossip_msg_sign(m, g->key, sig)) < 0)
		return r;
	m->signature.p = sig;
	m->signature.n = 64;
	if (gg_peerid_pubkey(&g->self, &pub, &n) < 0) {
		m->key.p = gg_privkey_public(g->key, &m->key.n);
		m->has |= GOSSIP_HAS_KEY;
	}
	return 0;
}

/* Flood publishing: every topic peer above the publish threshold.
 * Otherwise the mesh, or for a topic we do not join, the fanout. */
static int recipient(struct gossip *g, struct gs_peer *q, int ti)
{
	struct gs_ptopic *pt = gs_ptopic(q, ti);

	if (!pt || !pt->subscribed ||
	    gs_score(g, q) < g->c.score.publish_threshold)
		return 0;
	if (g->c.flood_publish)
		return 1;
	return g->topics[ti]->subscribed ? pt->in_mesh : pt->in_fanout;
}

/* A topic we publish to without joining: up to D topic peers. */
static void new_fanout(struct gossip *g, int ti)
{
	struct gs_peer **a = malloc(g->npeers * sizeof(*a) + 1);
	struct gs_ptopic *pt;
	size_t i, n = 0;

	if (!a)
		return;
	for (i = 0; i < g->npeers; i++) {
		pt = gs_ptopic(g->peers[i], ti);
		if (pt && pt->subscribed && gs_score(g, g->peers[i]) >=
					    g->c.score.publish_threshold)
			a[n++] = g->peers[i];
	}
	gs_shuffle(g, a, n);
	for (i = 0; i < n && i < (size_t)g->c.d; i++)
		gs_ptopic(a[i], ti)->in_fanout = 1;
	free(a);
	g->topics[ti]->has_fanout = 1;
}

static void send_own(struct gossip *g, const struct gs_msg *gm, int ti,
		     uint64_t now)
{
	struct gs_topic *t = g->topics[ti];
	size_t i;

	if (!g->c.flood_publish && !t->subscribed && !t->has_fanout)
		new_fanout(g, ti);
	if (!t->subscribed)
		t->last_pub = now;
	for (i = 0; i < g->npeers; i++)
		if (recipient(g, g->peers[i], ti))
			gs_send_msg(g, g->peers[i], gm->raw, gm->rawlen);
}

static int verdict_err(enum gossip_verdict v)
{
	return v == GOSSIP_ACCEPT ? 0 : v == GOSSIP_REJECT ? GG_EPERM
							   : GG_ECANCELED;
}

int gossip_publish(struct gossip *g, const char *topic, const uint8_t *data,
		   size_t len, uint8_t *id_out, size_t *idlen_out)
{
	struct gossip_message_info mi;
	uint8_t seq[8], sig[64], id[GOSSIP_ID_MAX];
	struct gossip_msg m;
	struct gs_msg *gm;
	uint64_t now = gs_now(g);
	int ti, r;

	if (!topic || strlen(topic) > GOSSIP_TOPIC_MAX)
		return GG_EINVAL;
	if ((ti = gs_topic_get(g, (const uint8_t *)topic, strlen(topic))) < 0)
		return ti;
	if (len + 2048 > g->c.rpc.max_rpc)
		return GG_ETOOBIG;
	if ((r = build_own(g, &m, ti, data, len, seq, sig)) < 0)
		return r;
	memset(&mi, 0, sizeof(mi));
	if ((r = msg_id(g, &m, id, &mi.idlen)) < 0)
		return r;
	if (gs_msg_find(g, id, mi.idlen))
		return GG_EEXISTS;
	mi.topic = g->topics[ti]->name;
	mi.data = data;
	mi.len = len;
	mi.author = &g->self;
	mi.id = id;
	if ((r = verdict_err(validate(g, &mi))) < 0)
		return r;
	if (!(gm = gs_msg_add(g, id, mi.idlen, ti, GS_VALID, now)))
		return GG_ENOMEM;
	gg_buf_reset(&g->out);
	if ((r = gossip_msg_encode(&m, 1, &g->out)) < 0 ||
	    (r = gs_mcache_put(g, gm, g->out.data, g->out.len)) < 0)
		return r;
	if (g->c.emit_self && g->topics[ti]->subscribed && g->io.deliver)
		g->io.deliver(g->io.ctx, &mi);
	send_own(g, gm, ti, now);
	g->st.published++;
	if (id_out && idlen_out) {
		memcpy(id_out, id, mi.idlen);
		*idlen_out = mi.idlen;
	}
	gs_flush(g);
	return 0;
}
