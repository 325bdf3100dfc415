/*
 * gossip_rpc_enc.c - encoding of the pubsub RPC: the appenders the
 * router builds its RPCs with, and gossip_rpc_encode on top of them.
 *
 * Sub-messages are written by computing their size first (all fields
 * are known up front), so nothing is encoded twice.  Field order is the
 * field numbers', which matters for Message: the signed bytes are its
 * encoding, and every implementation re-encodes in that order.
 */
#include "p2p/gossip_rpc.h"

#include "util/error.h"
#include "util/varint.h"

enum { WT_VARINT = 0, WT_LEN = 2 };

static size_t vsize(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static int put_varint(struct gg_buf *b, uint64_t v)
{
	uint8_t t[10];
	size_t n = 0;

	while (v >= 0x80) {
		t[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (uint8_t)v;
	return gg_buf_add(b, t, n);
}

static int put_tag(struct gg_buf *b, unsigned field, int wt)
{
	return put_varint(b, ((uint64_t)field << 3) | (unsigned)wt);
}

/* Size of a length-delimited field (fields < 16: one tag byte). */
static size_t lf_size(size_t n)
{
	return 1 + vsize(n) + n;
}

static int put_lf(struct gg_buf *b, unsigned field, const void *p, size_t n)
{
	int r;

	if ((r = put_tag(b, field, WT_LEN)) < 0 ||
	    (r = put_varint(b, n)) < 0)
		return r;
	return n ? gg_buf_add(b, p, n) : 0;
}

static int put_hdr(struct gg_buf *b, unsigned field, size_t n)
{
	int r = put_tag(b, field, WT_LEN);

	return r < 0 ? r : put_varint(b, n);
}

int gossip_put_sub(struct gg_buf *rpc, int subscribe,
		   const struct gossip_bytes *topic)
{
	size_t n = 2 + lf_size(topic->n);
	int r;

	if ((r = put_hdr(rpc, 1, n)) < 0 ||
	    (r = put_tag(rpc, 1, WT_VARINT)) < 0 ||
	    (r = put_varint(rpc, subscribe ? 1 : 0)) < 0)
		return r;
	return put_lf(rpc, 2, topic->p, topic->n);
}

int gossip_put_msg(struct gg_buf *rpc, const uint8_t *enc, size_t n)
{
	return put_lf(rpc, 2, enc, n);
}

int gossip_put_control(struct gg_buf *rpc, const uint8_t *ctl, size_t n)
{
	return put_lf(rpc, 3, ctl, n);
}

static size_t ids_size(const struct gossip_bytes *ids, size_t n)
{
	size_t i, s = 0;

	for (i = 0; i < n; i++)
		s += lf_size(ids[i].n);
	return s;
}

static int put_ids(struct gg_buf *b, unsigned field,
		   const struct gossip_bytes *ids, size_t n)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		if ((r = put_lf(b, field, ids[i].p, ids[i].n)) < 0)
			return r;
	return 0;
}

int gossip_put_ihave(struct gg_buf *ctl, const struct gossip_bytes *topic,
		     const struct gossip_bytes *ids, size_t n)
{
	size_t sz = lf_size(topic->n) + ids_size(ids, n);
	int r;

	if ((r = put_hdr(ctl, 1, sz)) < 0 ||
	    (r = put_lf(ctl, 1, topic->p, topic->n)) < 0)
		return r;
	return put_ids(ctl, 2, ids, n);
}

static int put_idlist(struct gg_buf *ctl, unsigned field,
		      const struct gossip_bytes *ids, size_t n)
{
	int r = put_hdr(ctl, field, ids_size(ids, n));

	return r < 0 ? r : put_ids(ctl, 1, ids, n);
}

int gossip_put_iwant(struct gg_buf *ctl, const struct gossip_bytes *ids,
		     size_t n)
{
	return put_idlist(ctl, 2, ids, n);
}

int gossip_put_idontwant(struct gg_buf *ctl, const struct gossip_bytes *ids,
			 size_t n)
{
	return put_idlist(ctl, 5, ids, n);
}

int gossip_put_graft(struct gg_buf *ctl, const struct gossip_bytes *topic)
{
	int r = put_hdr(ctl, 3, lf_size(topic->n));

	return r < 0 ? r : put_lf(ctl, 1, topic->p, topic->n);
}

static int put_prune(struct gg_buf *ctl, const struct gossip_bytes *topic,
		     int has_backoff, uint64_t backoff_s)
{
	size_t sz = lf_size(topic->n);
	int r;

	if (has_backoff)
		sz += 1 + vsize(backoff_s);
	if ((r = put_hdr(ctl, 4, sz)) < 0 ||
	    (r = put_lf(ctl, 1, topic->p, topic->n)) < 0)
		return r;
	if (has_backoff && ((r = put_tag(ctl, 3, WT_VARINT)) < 0 ||
			    (r = put_varint(ctl, backoff_s)) < 0))
		return r;
	return 0;
}

int gossip_put_prune(struct gg_buf *ctl, const struct gossip_bytes *topic,
		     uint64_t backoff_s)
{
	return put_prune(ctl, topic, 1, backoff_s);
}

int gossip_msg_encode(const struct gossip_msg *m, int with_sig,
		      struct gg_buf *out)
{
	const struct gossip_bytes *f[6] = { &m->from, &m->data, &m->seqno,
					    &m->topic, &m->signature,
					    &m->key };
	static const unsigned bits[6] = { GOSSIP_HAS_FROM, GOSSIP_HAS_DATA,
					  GOSSIP_HAS_SEQNO, GOSSIP_HAS_TOPIC,
					  GOSSIP_HAS_SIG, GOSSIP_HAS_KEY };
	unsigned i, nf = with_sig ? 6 : 4;
	int r;

	for (i = 0; i < nf; i++) {
		if (!(m->has & bits[i]))
			continue;
		if ((r = put_lf(out, i + 1, f[i]->p, f[i]->n)) < 0)
			return r;
	}
	return 0;
}

static int encode_msgs(const struct gossip_rpc *r, struct gg_buf *out)
{
	struct gg_buf tmp = GG_BUF_INIT(out->max);
	size_t i;
	int e = 0;

	for (i = 0; i < r->nmsgs && e == 0; i++) {
		const struct gossip_msg *m = &r->msgs[i];

		if (m->raw.p) {
			e = gossip_put_msg(out, m->raw.p, m->raw.n);
			continue;
		}
		gg_buf_reset(&tmp);
		if ((e = gossip_msg_encode(m, 1, &tmp)) == 0)
			e = gossip_put_msg(out, tmp.data, tmp.len);
	}
	gg_buf_release(&tmp);
	return e;
}

static int encode_ctl(const struct gossip_rpc *r, struct gg_buf *c)
{
	size_t i;
	int e = 0;

	for (i = 0; i < r->nihave && e == 0; i++)
		e = gossip_put_ihave(c, &r->ihave[i].topic,
				     r->ids + r->ihave[i].first,
				     r->ihave[i].n);
	for (i = 0; i < r->niwant && e == 0; i++)
		e = gossip_put_iwant(c, r->ids + r->iwant[i].first,
				     r->iwant[i].n);
	for (i = 0; i < r->ngraft && e == 0; i++)
		e = gossip_put_graft(c, &r->graft[i]);
	for (i = 0; i < r->nprune && e == 0; i++)
		e = put_prune(c, &r->prune[i].topic, r->prune[i].has_backoff,
			      r->prune[i].backoff);
	for (i = 0; i < r->nidontwant && e == 0; i++)
		e = gossip_put_idontwant(c, r->ids + r->idontwant[i].first,
					 r->idontwant[i].n);
	return e;
}

int gossip_rpc_encode(const struct gossip_rpc *r, struct gg_buf *out)
{
	struct gg_buf ctl = GG_BUF_INIT(out->max);
	size_t i;
	int e = 0;

	for (i = 0; i < r->nsubs && e == 0; i++)
		e = gossip_put_sub(out, r->subs[i].subscribe,
				   &r->subs[i].topic);
	if (e == 0)
		e = encode_msgs(r, out);
	if (e == 0)
		e = encode_ctl(r, &ctl);
	if (e == 0 && (r->has_control || ctl.len > 0))
		e = gossip_put_control(out, ctl.data, ctl.len);
	gg_buf_release(&ctl);
	return e;
}
