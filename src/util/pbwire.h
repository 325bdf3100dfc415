/*
 * pbwire.h - a cursor over protobuf wire format, for the decoders that
 * read untrusted messages without protobuf-c (whose unpacker allocates
 * per field and knows no caps).  Every read checks its length against
 * what is left; a length-delimited field is also checked against a cap.
 * Results point into the input.
 */
#ifndef GG_PBWIRE_H
#define GG_PBWIRE_H

#include <stddef.h>
#include <stdint.h>

/* Wire types. */
enum { GG_PB_VARINT = 0, GG_PB_I64 = 1, GG_PB_LEN = 2, GG_PB_I32 = 5 };

struct gg_pbcur {
	const uint8_t *p;
	size_t n; /* bytes left */
};

/* A varint of up to 10 bytes; GG_EPARSE when malformed or truncated. */
int gg_pb_varint(struct gg_pbcur *c, uint64_t *v);
/* A field tag: field number 1..2^29-1 and wire type. */
int gg_pb_tag(struct gg_pbcur *c, uint64_t *field, int *wt);
/* A length-delimited field: GG_EPARSE when it runs past the input,
 * GG_ETOOBIG when it is longer than cap. */
int gg_pb_len(struct gg_pbcur *c, size_t cap, const uint8_t **p, size_t *n);
/* Skip a field of wire type wt; groups and unknown types are GG_EPARSE. */
int gg_pb_skip(struct gg_pbcur *c, int wt);

#endif
