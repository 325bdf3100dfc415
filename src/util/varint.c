/*
 * varint.c - the minimal, 9-byte-limited unsigned varints of varint.h.
 */
#include "util/error.h"
#include "util/varint.h"

size_t gg_varint_encode(uint64_t v, uint8_t out[GG_VARINT_MAX_LEN])
{
	size_t n = 0;

	if (v > GG_VARINT_MAX_VALUE)
		return 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

size_t gg_varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static int decode_upto(const uint8_t *p, size_t len, uint64_t *v,
		       size_t maxlen, int minimal)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < maxlen; i++) {
		if (i >= len)
			return GG_ETRUNC;
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			if (minimal && i > 0 && p[i] == 0)
				return GG_ENONMINIMAL;
			if (i == 9 && p[i] > 1)
				return GG_ERANGE;
			*v = x;
			return (int)(i + 1);
		}
	}
	return GG_ERANGE;
}

int gg_varint_decode(const uint8_t *p, size_t len, uint64_t *v)
{
	return decode_upto(p, len, v, GG_VARINT_MAX_LEN, 1);
}

int gg_pbvarint_decode(const uint8_t *p, size_t len, uint64_t *v)
{
	return decode_upto(p, len, v, 10, 0);
}
