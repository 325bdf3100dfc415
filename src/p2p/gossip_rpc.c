/*
 * gossip_rpc.c - a hand-written proto2 codec for the pubsub RPC.
 *
 * Why not protobuf-c: its unpacker allocates per field and knows no caps,
 * and every peer may send us anything.  A cursor walks the input; every
 * length is checked against what is left and against its cap before it
 * is used, and the result points into the input.  The generated
 * protobuf-c code for proto/pubsub.proto serves the tests as an
 * independent encoder and decoder.
 */
#include "p2p/gossip_rpc.h"

#include "util/error.h"
#include "util/pbwire.h"
#include "util/varint.h"

#define SEQNO_CAP 64
#define SIG_CAP 1024 /* RSA-8192 */

void gossip_rpc_limits_default(struct gossip_rpc_limits *l)
{
	l->max_rpc = GOSSIP_RPC_MAX_DEFAULT;
	l->max_subs = GOSSIP_SUBS_MAX;
	l->max_msgs = GOSSIP_MSGS_MAX;
	l->max_ctrl = GOSSIP_CTRL_MAX;
	l->max_ids = GOSSIP_IDS_MAX;
}

struct gossip_rpc *gossip_rpc_new(void)
{
	return calloc(1, sizeof(struct gossip_rpc));
}

void gossip_rpc_free(struct gossip_rpc *r)
{
	free(r);
}

void gossip_rpc_clear(struct gossip_rpc *r)
{
	r->nsubs = r->nmsgs = r->nihave = r->niwant = 0;
	r->ngraft = r->nprune = r->nidontwant = r->nids = 0;
	r->has_control = 0;
}

/* ---- decoding ---- */

static int get_bytes(struct gg_pbcur *c, size_t cap, struct gossip_bytes *out)
{
	return gg_pb_len(c, cap, &out->p, &out->n);
}

/* A sub-message field: a cursor over its bytes. */
static int get_sub(struct gg_pbcur *c, struct gg_pbcur *sub)
{
	struct gossip_bytes b;
	int r = gg_pb_len(c, c->n, &b.p, &b.n);

	sub->p = b.p;
	sub->n = b.n;
	return r;
}

static int decode_subopt(struct gg_pbcur c, struct gossip_subopt *s)
{
	uint64_t field, v;
	int wt, r;

	memset(s, 0, sizeof(*s));
	while (c.n > 0) {
		if ((r = gg_pb_tag(&c, &field, &wt)) < 0)
			return r;
		if (field == 1 && wt == GG_PB_VARINT) {
			r = gg_pb_varint(&c, &v);
			s->subscribe = v != 0;
		} else if (field == 2 && wt == GG_PB_LEN) {
			r = gg_pb_len(&c, GOSSIP_TOPIC_MAX, &s->topic.p, &s->topic.n);
		} else if (field <= 2) {
			r = GG_EPARSE;
		} else {
			r = gg_pb_skip(&c, wt);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct { size_t cap; unsigned bit; } msg_fields[7] = {
	{ 0, 0 },
	{ GG_PEERID_MAX, GOSSIP_HAS_FROM },
	{ (size_t)-1, GOSSIP_HAS_DATA },
	{ SEQNO_CAP, GOSSIP_HAS_SEQNO },
	{ GOSSIP_TOPIC_MAX, GOSSIP_HAS_TOPIC },
	{ SIG_CAP, GOSSIP_HAS_SIG },
	{ GG_PUBKEY_PROTO_MAX, GOSSIP_HAS_KEY },
};

static struct gossip_bytes *msg_field(struct gossip_msg *m, uint64_t f)
{
	switch (f) {
	case 1: return &m->from;
	case 2: return &m->data;
	case 3: return &m->seqno;
	case 4: return &m->topic;
	case 5: return &m->signature;
	default: return &m->key;
	}
}

static int decode_msg(struct gg_pbcur c, struct gossip_msg *m)
{
	uint64_t field;
	int wt, r;

	memset(m, 0, sizeof(*m));
	m->raw.p = c.p;
	m->raw.n = c.n;
	while (c.n > 0) {
		if ((r = gg_pb_tag(&c, &field, &wt)) < 0)
			return r;
		if (field >= 1 && field <= 6 && wt == GG_PB_LEN) {
			r = get_bytes(&c, msg_fields[field].cap,
				      msg_field(m, field));
			m->has |= msg_fields[field].bit;
		} else if (field >= 1 && field <= 6) {
			r = GG_EPARSE;
		} else {
			r = gg_pb_skip(&c, wt);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* IHAVE (topic_field 1, ids 2), IWANT and IDONTWANT (no topic, ids 1). */
static int decode_idlist(struct gg_pbcur c, int topic_field, int ids_field,
			 const struct gossip_rpc_limits *l,
			 struct gossip_rpc *rpc, struct gossip_idlist *out)
{
	uint64_t field;
	int wt, r;

	memset(out, 0, sizeof(*out));
	out->first = rpc->nids;
	while (c.n > 0) {
		if ((r = gg_pb_tag(&c, &field, &wt)) < 0)
			return r;
		if ((int)field == ids_field && wt == GG_PB_LEN) {
			if (rpc->nids >= l->max_ids)
				return GG_ELIMIT;
			r = get_bytes(&c, GOSSIP_ID_MAX, &rpc->ids[rpc->nids]);
			if (r == 0)
				rpc->nids++;
		} else if ((int)field == topic_field && wt == GG_PB_LEN) {
			r = gg_pb_len(&c, GOSSIP_TOPIC_MAX, &out->topic.p, &out->topic.n);
		} else if ((int)field == ids_field ||
			   (int)field == topic_field) {
			r = GG_EPARSE;
		} else {
			r = gg_pb_skip(&c, wt);
		}
		if (r < 0)
			return r;
	}
	out->n = rpc->nids - out->first;
	return 0;
}

static int decode_topic_only(struct gg_pbcur c, struct gossip_bytes *topic)
{
	uint64_t field;
	int wt, r;

	topic->p = NULL;
	topic->n = 0;
	while (c.n > 0) {
		if ((r = gg_pb_tag(&c, &field, &wt)) < 0)
			return r;
		if (field == 1 && wt == GG_PB_LEN)
			r = get_bytes(&c, GOSSIP_TOPIC_MAX, topic);
		else if (field == 1)
			r = GG_EPARSE;
		else
			r = gg_pb_skip(&c, wt);
		if (r < 0)
			return r;
	}
	return 0;
}

static int decode_prune(struct gg_pbcur c, struct gossip_prune *p)
{
	struct gossip_bytes b;
	uint64_t field;
	int wt, r;

	memset(p, 0, sizeof(*p));
	while (c.n > 0) {
		if ((r = gg_pb_tag(&c, &field, &wt)) < 0)
			return r;
		if (field == 1 && wt == GG_PB_LEN) {
			r = get_bytes(&c, GOSSIP_TOPIC_MAX, &p->topic);
		} else if (field == 2 && wt == GG_PB_LEN) {
			r = gg_pb_len(&c, c.n, &b.p, &b.n);
			p->npeers++;
		} else if (field == 3 && wt == GG_PB_VARINT) {
			r = gg_pb_varint(&c, &p->backoff);
			p->has_backoff = 1;
		} else if (field <= 3) {
			r = GG_EPARSE;
		} else {
			r = gg_pb_skip(&c, wt);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Room for one more entry of a control kind. */
static int ctrl_room(size_t n, const struct gossip_rpc_limits *l)
{
	return n < l->max_ctrl ? 0 : GG_ELIMIT;
}

static int decode_ctrl_field(struct gg_pbcur *c, uint64_t field,
			     const struct gossip_rpc_limits *l,
			     struct gossip_rpc *r)
{
	struct gg_pbcur sub;
	int e;

	if ((e = get_sub(c, &sub)) < 0)
		return e;
	switch (field) {
	case 1:
		if ((e = ctrl_room(r->nihave, l)) < 0)
			return e;
		return decode_idlist(sub, 1, 2, l, r, &r->ihave[r->nihave++]);
	case 2:
		if ((e = ctrl_room(r->niwant, l)) < 0)
			return e;
		return decode_idlist(sub, 0, 1, l, r, &r->iwant[r->niwant++]);
	case 3:
		if ((e = ctrl_room(r->ngraft, l)) < 0)
			return e;
		return decode_topic_only(sub, &r->graft[r->ngraft++]);
	case 4:
		if ((e = ctrl_room(r->nprune, l)) < 0)
			return e;
		return decode_prune(sub, &r->prune[r->nprune++]);
	default:
		if ((e = ctrl_room(r->nidontwant, l)) < 0)
			return e;
		return decode_idlist(sub, 0, 1, l, r,
				     &r->idontwant[r->nidontwant++]);
	}
}

static int decode_control(struct gg_pbcur c, const struct gossip_rpc_limits *l,
			  struct gossip_rpc *r)
{
	uint64_t field;
	int wt, e;

	r->has_control = 1;
	while (c.n > 0) {
		if ((e = gg_pb_tag(&c, &field, &wt)) < 0)
			return e;
		if (field >= 1 && field <= 5 && wt == GG_PB_LEN)
			e = decode_ctrl_field(&c, field, l, r);
		else if (field >= 1 && field <= 5)
			e = GG_EPARSE;
		else
			e = gg_pb_skip(&c, wt);
		if (e < 0)
			return e;
	}
	return 0;
}

static int decode_top_field(struct gg_pbcur *c, uint64_t field,
			    const struct gossip_rpc_limits *l,
			    struct gossip_rpc *r)
{
	struct gg_pbcur sub;
	int e;

	if ((e = get_sub(c, &sub)) < 0)
		return e;
	if (field == 1) {
		if (r->nsubs >= l->max_subs)
			return GG_ELIMIT;
		return decode_subopt(sub, &r->subs[r->nsubs++]);
	}
	if (field == 2) {
		if (r->nmsgs >= l->max_msgs)
			return GG_ELIMIT;
		return decode_msg(sub, &r->msgs[r->nmsgs++]);
	}
	return decode_control(sub, l, r);
}

static void clamp_limits(const struct gossip_rpc_limits *in,
			 struct gossip_rpc_limits *l)
{
	gossip_rpc_limits_default(l);
	if (!in)
		return;
	l->max_rpc = in->max_rpc;
	if (in->max_subs < l->max_subs)
		l->max_subs = in->max_subs;
	if (in->max_msgs < l->max_msgs)
		l->max_msgs = in->max_msgs;
	if (in->max_ctrl < l->max_ctrl)
		l->max_ctrl = in->max_ctrl;
	if (in->max_ids < l->max_ids)
		l->max_ids = in->max_ids;
}

int gossip_rpc_decode(const uint8_t *p, size_t n,
		      const struct gossip_rpc_limits *lim,
		      struct gossip_rpc *r)
{
	struct gossip_rpc_limits l;
	struct gg_pbcur c = { p, n };
	uint64_t field;
	int wt, e;

	clamp_limits(lim, &l);
	gossip_rpc_clear(r);
	if (n > l.max_rpc)
		return GG_ETOOBIG;
	while (c.n > 0) {
		if ((e = gg_pb_tag(&c, &field, &wt)) < 0)
			return e;
		if (field >= 1 && field <= 3 && wt == GG_PB_LEN)
			e = decode_top_field(&c, field, &l, r);
		else if (field >= 1 && field <= 3)
			e = GG_EPARSE;
		else
			e = gg_pb_skip(&c, wt);
		if (e < 0)
			return e;
	}
	return 0;
}
