/*
 * gossip_out.c - what the router sends: per-peer queues of RPC parts,
 * flushed as one RPC per peer at the end of each API call.
 *
 * Top-level fields (subscriptions, messages) and ControlMessage fields
 * are queued in separate buffers because the control message must be a
 * single field 3 (js decodes a repeated occurrence of a non-repeated
 * sub-message by replacing, not merging).  Before each part is queued we
 * check that the RPC stays under the cap, and send what is queued first
 * when it would not.
 */
#include "p2p/gossip_impl.h"

#include "util/error.h"
#include "util/log.h"

static void flush_peer(struct gossip *g, struct gs_peer *p)
{
	int r = 0;

	if (!p->queued)
		return;
	gg_buf_reset(&g->out);
	if (p->body.len)
		r = gg_buf_add(&g->out, p->body.data, p->body.len);
	if (r == 0 && p->ctl.len)
		r = gossip_put_control(&g->out, p->ctl.data, p->ctl.len);
	if (r == 0 && g->out.len > 0) {
		g->st.rpcs_out++;
		g->io.send_rpc(g->io.ctx, &p->id, g->out.data, g->out.len);
	} else if (r < 0) {
		gg_warn(GS_LOG, "dropping an RPC: %s", gg_strerror(r));
	}
	gg_buf_reset(&p->body);
	gg_buf_reset(&p->ctl);
	p->queued = 0;
}

void gs_flush(struct gossip *g)
{
	size_t i;

	for (i = 0; i < g->npeers; i++)
		flush_peer(g, g->peers[i]);
}

/* Make room for a part of about need bytes in p's next RPC. */
static int room(struct gossip *g, struct gs_peer *p, size_t need)
{
	size_t max = g->c.rpc.max_rpc;

	if (need + 32 > max)
		return GG_ETOOBIG;
	if (p->body.len + p->ctl.len + need + 32 > max)
		flush_peer(g, p);
	if (!p->body.max) {
		gg_buf_init(&p->body, max);
		gg_buf_init(&p->ctl, max);
	}
	p->queued = 1;
	return 0;
}

static size_t ids_need(const struct gossip_bytes *ids, size_t n)
{
	size_t i, s = 0;

	for (i = 0; i < n; i++)
		s += ids[i].n + 3;
	return s;
}

int gs_send_msg(struct gossip *g, struct gs_peer *p, const uint8_t *raw,
		size_t n)
{
	int r = room(g, p, n + 8);

	return r < 0 ? r : gossip_put_msg(&p->body, raw, n);
}

int gs_send_sub(struct gossip *g, struct gs_peer *p, int topic, int sub)
{
	struct gossip_bytes t = gs_topic_bytes(g, topic);
	int r = room(g, p, t.n + 12);

	return r < 0 ? r : gossip_put_sub(&p->body, sub, &t);
}

int gs_send_graft(struct gossip *g, struct gs_peer *p, int topic)
{
	struct gossip_bytes t = gs_topic_bytes(g, topic);
	int r = room(g, p, t.n + 12);

	return r < 0 ? r : gossip_put_graft(&p->ctl, &t);
}

int gs_send_prune(struct gossip *g, struct gs_peer *p, int topic,
		  uint64_t backoff_ms)
{
	struct gossip_bytes t = gs_topic_bytes(g, topic);
	int r = room(g, p, t.n + 24);

	/* A v1.0 peer skips the backoff field as unknown. */
	return r < 0 ? r : gossip_put_prune(&p->ctl, &t,
					    (backoff_ms + 999) / 1000);
}

int gs_send_ihave(struct gossip *g, struct gs_peer *p, int topic,
		  const struct gossip_bytes *ids, size_t n)
{
	struct gossip_bytes t = gs_topic_bytes(g, topic);
	int r = room(g, p, t.n + 16 + ids_need(ids, n));

	return r < 0 ? r : gossip_put_ihave(&p->ctl, &t, ids, n);
}

int gs_send_iwant(struct gossip *g, struct gs_peer *p,
		  const struct gossip_bytes *ids, size_t n)
{
	int r = room(g, p, 16 + ids_need(ids, n));

	return r < 0 ? r : gossip_put_iwant(&p->ctl, ids, n);
}
