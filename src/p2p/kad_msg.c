/*
 * kad_msg.c - a hand-written proto3 codec for the Kademlia message.
 *
 * Why not protobuf-c: its unpacker allocates per field and knows no caps,
 * and a DHT server decodes bytes from anyone.  Here a cursor walks the
 * input; every length is checked against what is left and against its
 * cap before it is used, and the result points into the input.  The
 * generated protobuf-c code for proto/kad.proto serves the tests as an
 * independent encoder and decoder.
 */
#include "p2p/kad_msg.h"

#include "net/multiaddr.h"
#include "util/error.h"
#include "util/pbwire.h"
#include "util/varint.h"

/* Keep a valid address if there is room; count the others as dropped. */
static void peer_addr(struct kad_msg_peer *pe, const struct kad_bytes *a,
		      size_t max_addrs, size_t *dropped)
{
	struct gg_multiaddr ma;

	if (pe->naddrs >= max_addrs || a->n > GG_MULTIADDR_MAX ||
	    gg_multiaddr_from_bytes(a->p, a->n, &ma) < 0) {
		(*dropped)++;
		return;
	}
	pe->addrs[pe->naddrs++] = *a;
}

static int decode_peer(struct gg_pbcur c, size_t max_addrs,
		       struct kad_msg_peer *pe, size_t *dropped)
{
	struct kad_bytes b;
	uint64_t field, v;
	int wt, r, have_id = 0;

	memset(pe, 0, sizeof(*pe));
	while (c.n > 0) {
		if ((r = gg_pb_tag(&c, &field, &wt)) < 0)
			return r;
		if (field == 1 && wt == GG_PB_LEN) {
			if ((r = gg_pb_len(&c, GG_PEERID_MAX, &b.p, &b.n)) < 0)
				return GG_EPARSE;
			if (gg_peerid_from_bytes(b.p, b.n, &pe->id) < 0)
				return GG_EPARSE;
			have_id = 1;
		} else if (field == 2 && wt == GG_PB_LEN) {
			if ((r = gg_pb_len(&c, c.n, &b.p, &b.n)) < 0)
				return r;
			peer_addr(pe, &b, max_addrs, dropped);
		} else if (field == 3 && wt == GG_PB_VARINT) {
			if ((r = gg_pb_varint(&c, &v)) < 0)
				return r;
			pe->conn = v <= 3 ? (enum kad_conn_type)v
					  : KAD_NOT_CONNECTED;
		} else if (field <= 3) {
			return GG_EPARSE; /* a known field, wrong wire type */
		} else if ((r = gg_pb_skip(&c, wt)) < 0) {
			return r;
		}
	}
	return have_id ? 0 : GG_EPARSE;
}

static int decode_record(struct gg_pbcur c, struct kad_msg *m)
{
	uint64_t field;
	int wt, r;

	m->has_record = 1;
	while (c.n > 0) {
		if ((r = gg_pb_tag(&c, &field, &wt)) < 0)
			return r;
		if (field == 1 && wt == GG_PB_LEN)
			r = gg_pb_len(&c, KAD_MSG_KEY_MAX, &m->rec_key.p, &m->rec_key.n);
		else if (field == 2 && wt == GG_PB_LEN)
			r = gg_pb_len(&c, c.n, &m->rec_value.p, &m->rec_value.n);
		else if (field == 5 && wt == GG_PB_LEN)
			r = gg_pb_len(&c, KAD_MSG_TIME_MAX, &m->rec_time.p, &m->rec_time.n);
		else if (field == 1 || field == 2 || field == 5)
			r = GG_EPARSE;
		else
			r = gg_pb_skip(&c, wt);
		if (r < 0)
			return r;
	}
	return 0;
}

static int decode_peer_field(struct gg_pbcur *c, const struct kad_msg_limits *l,
			     struct kad_msg *m, int providers)
{
	struct kad_bytes b;
	struct gg_pbcur sub;
	size_t *np = providers ? &m->nproviders : &m->ncloser;
	struct kad_msg_peer *arr = providers ? m->providers : m->closer;
	int r;

	if ((r = gg_pb_len(c, c->n, &b.p, &b.n)) < 0)
		return r;
	if (*np >= l->max_peers)
		return GG_ELIMIT;
	sub.p = b.p;
	sub.n = b.n;
	if ((r = decode_peer(sub, l->max_addrs, &arr[*np],
			     &m->dropped_addrs)) < 0)
		return r;
	(*np)++;
	return 0;
}

static int decode_field(struct gg_pbcur *c, const struct kad_msg_limits *l,
			struct kad_msg *m, uint64_t field, int wt)
{
	struct kad_bytes b;
	struct gg_pbcur sub;
	uint64_t v;
	int r;

	if (field == 1 && wt == GG_PB_VARINT) {
		if ((r = gg_pb_varint(c, &v)) < 0)
			return r;
		if (v > KAD_PING)
			return GG_EPARSE;
		m->type = (enum kad_msg_type)v;
		return 0;
	}
	if (field == 2 && wt == GG_PB_LEN)
		return gg_pb_len(c, KAD_MSG_KEY_MAX, &m->key.p, &m->key.n);
	if (field == 3 && wt == GG_PB_LEN) {
		if ((r = gg_pb_len(c, c->n, &b.p, &b.n)) < 0)
			return r;
		sub.p = b.p;
		sub.n = b.n;
		return decode_record(sub, m);
	}
	if ((field == 8 || field == 9) && wt == GG_PB_LEN)
		return decode_peer_field(c, l, m, field == 9);
	if (field == 10 && wt == GG_PB_VARINT)
		return gg_pb_varint(c, &v); /* clusterLevelRaw: unused */
	if (field <= 3 || (field >= 8 && field <= 10))
		return GG_EPARSE;
	return gg_pb_skip(c, wt);
}

void kad_msg_limits_default(struct kad_msg_limits *l)
{
	l->max_msg = KAD_MSG_MAX_DEFAULT;
	l->max_peers = KAD_MSG_PEERS_MAX;
	l->max_addrs = KAD_MSG_ADDRS_MAX;
}

/* Only the fields before the peer lists: entries past ncloser/nproviders
 * are never read, and clearing all 40 (8 KiB) for every message sent and
 * received was a visible part of answering a request. */
void kad_msg_init(struct kad_msg *m, enum kad_msg_type type)
{
	memset(m, 0, offsetof(struct kad_msg, closer));
	m->dropped_addrs = 0;
	m->type = type;
}

int kad_msg_decode(const uint8_t *p, size_t n,
		   const struct kad_msg_limits *lim, struct kad_msg *m)
{
	struct kad_msg_limits l;
	struct gg_pbcur c = { p, n };
	uint64_t field;
	int wt, r;

	kad_msg_limits_default(&l);
	if (lim) {
		l = *lim;
		if (l.max_peers > KAD_MSG_PEERS_MAX)
			l.max_peers = KAD_MSG_PEERS_MAX;
		if (l.max_addrs > KAD_MSG_ADDRS_MAX)
			l.max_addrs = KAD_MSG_ADDRS_MAX;
	}
	kad_msg_init(m, KAD_PUT_VALUE); /* proto3: absent type is 0 */
	if (n > l.max_msg)
		return GG_ETOOBIG;
	while (c.n > 0) {
		if ((r = gg_pb_tag(&c, &field, &wt)) < 0)
			return r;
		if ((r = decode_field(&c, &l, m, field, wt)) < 0)
			return r;
	}
	return 0;
}

/* Encoding. */

static int put_varint(struct gg_buf *out, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	return gg_buf_add(out, b, n);
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static int put_bytes(struct gg_buf *out, unsigned field, const uint8_t *p,
		     size_t n)
{
	int r;

	if ((r = put_varint(out, (uint64_t)field << 3 | GG_PB_LEN)) < 0 ||
	    (r = put_varint(out, n)) < 0)
		return r;
	return n ? gg_buf_add(out, p, n) : 0;
}

static size_t field_len(size_t n)
{
	return 1 + varint_len(n) + n; /* our fields all have 1-byte tags */
}

static size_t peer_len(const struct kad_msg_peer *pe)
{
	size_t i, len = field_len(pe->id.len);

	for (i = 0; i < pe->naddrs; i++)
		len += field_len(pe->addrs[i].n);
	if (pe->conn)
		len += 2;
	return len;
}

static int put_peer(struct gg_buf *out, unsigned field,
		    const struct kad_msg_peer *pe)
{
	size_t i;
	int r;

	if (pe->naddrs > KAD_MSG_ADDRS_MAX)
		return GG_EINVAL;
	if ((r = put_varint(out, (uint64_t)field << 3 | GG_PB_LEN)) < 0 ||
	    (r = put_varint(out, peer_len(pe))) < 0 ||
	    (r = put_bytes(out, 1, pe->id.b, pe->id.len)) < 0)
		return r;
	for (i = 0; i < pe->naddrs; i++)
		if ((r = put_bytes(out, 2, pe->addrs[i].p,
				   pe->addrs[i].n)) < 0)
			return r;
	if (pe->conn && ((r = put_varint(out, 3 << 3 | GG_PB_VARINT)) < 0 ||
			 (r = put_varint(out, pe->conn)) < 0))
		return r;
	return 0;
}

static int put_record(struct gg_buf *out, const struct kad_msg *m)
{
	size_t len = 0;
	int r;

	if (m->rec_key.n)
		len += field_len(m->rec_key.n);
	if (m->rec_value.n)
		len += field_len(m->rec_value.n);
	if (m->rec_time.n)
		len += field_len(m->rec_time.n);
	if ((r = put_varint(out, 3 << 3 | GG_PB_LEN)) < 0 ||
	    (r = put_varint(out, len)) < 0)
		return r;
	if (m->rec_key.n &&
	    (r = put_bytes(out, 1, m->rec_key.p, m->rec_key.n)) < 0)
		return r;
	if (m->rec_value.n &&
	    (r = put_bytes(out, 2, m->rec_value.p, m->rec_value.n)) < 0)
		return r;
	if (m->rec_time.n &&
	    (r = put_bytes(out, 5, m->rec_time.p, m->rec_time.n)) < 0)
		return r;
	return 0;
}

int kad_msg_encode(const struct kad_msg *m, struct gg_buf *out)
{
	size_t i;
	int r;

	if (m->ncloser > KAD_MSG_PEERS_MAX ||
	    m->nproviders > KAD_MSG_PEERS_MAX)
		return GG_EINVAL;
	/* proto3: the default type (PUT_VALUE) is not written */
	if (m->type != KAD_PUT_VALUE &&
	    ((r = put_varint(out, 1 << 3 | GG_PB_VARINT)) < 0 ||
	     (r = put_varint(out, (uint64_t)m->type)) < 0))
		return r;
	if (m->key.n && (r = put_bytes(out, 2, m->key.p, m->key.n)) < 0)
		return r;
	if (m->has_record && (r = put_record(out, m)) < 0)
		return r;
	for (i = 0; i < m->ncloser; i++)
		if ((r = put_peer(out, 8, &m->closer[i])) < 0)
			return r;
	for (i = 0; i < m->nproviders; i++)
		if ((r = put_peer(out, 9, &m->providers[i])) < 0)
			return r;
	return 0;
}

const char *kad_msg_type_name(int type)
{
	static const char *const names[] = { "PUT_VALUE", "GET_VALUE",
					     "ADD_PROVIDER", "GET_PROVIDERS",
					     "FIND_NODE", "PING" };

	if (type < 0 || type > KAD_PING)
		return "?";
	return names[type];
}
