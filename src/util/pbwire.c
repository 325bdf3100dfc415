/*
 * pbwire.c - the checked protobuf wire cursor of pbwire.h.
 */
#include "util/pbwire.h"

#include "util/error.h"
#include "util/varint.h"

int gg_pb_varint(struct gg_pbcur *c, uint64_t *v)
{
	int r = gg_pbvarint_decode(c->p, c->n, v);

	if (r < 0)
		return GG_EPARSE;
	c->p += r;
	c->n -= (size_t)r;
	return 0;
}

int gg_pb_tag(struct gg_pbcur *c, uint64_t *field, int *wt)
{
	uint64_t v;

	if (gg_pb_varint(c, &v) < 0)
		return GG_EPARSE;
	*field = v >> 3;
	*wt = (int)(v & 7);
	if (*field == 0 || *field > 0x1fffffff)
		return GG_EPARSE;
	return 0;
}

int gg_pb_len(struct gg_pbcur *c, size_t cap, const uint8_t **p, size_t *n)
{
	uint64_t len;

	if (gg_pb_varint(c, &len) < 0 || len > c->n)
		return GG_EPARSE;
	if (len > cap)
		return GG_ETOOBIG;
	*p = c->p;
	*n = (size_t)len;
	c->p += len;
	c->n -= (size_t)len;
	return 0;
}

int gg_pb_skip(struct gg_pbcur *c, int wt)
{
	const uint8_t *p;
	uint64_t v;
	size_t n;

	switch (wt) {
	case GG_PB_VARINT:
		return gg_pb_varint(c, &v);
	case GG_PB_LEN:
		return gg_pb_len(c, c->n, &p, &n);
	case GG_PB_I64:
	case GG_PB_I32:
		n = wt == GG_PB_I64 ? 8 : 4;
		if (c->n < n)
			return GG_EPARSE;
		c->p += n;
		c->n -= n;
		return 0;
	default:
		return GG_EPARSE; /* groups (3, 4) and 6, 7 */
	}
}
