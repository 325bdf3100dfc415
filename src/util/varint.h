/*
 * varint.h - unsigned LEB128 varints as multiformats uses them.
 *
 * The multiformats rules: at most 9 bytes (63 bits of value), and the
 * encoding must be minimal (no trailing 0x80 0x00 padding).  Decoders
 * refuse anything else, so one value has exactly one encoding.
 */
#ifndef GG_VARINT_H
#define GG_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define GG_VARINT_MAX_LEN 9
#define GG_VARINT_MAX_VALUE ((UINT64_C(1) << 63) - 1)

/* Write v (<= GG_VARINT_MAX_VALUE) to out (room for 9 bytes); returns the
 * number of bytes, or 0 when v is too large. */
size_t gg_varint_encode(uint64_t v, uint8_t out[GG_VARINT_MAX_LEN]);
size_t gg_varint_size(uint64_t v);
/*
 * Decode from p[0..len).  On success returns the number of bytes used
 * (1..9) and stores the value.  Returns GG_ETRUNC when the input ends in
 * the middle of a varint (more bytes may make it whole), GG_ENONMINIMAL
 * for a padded encoding, GG_ERANGE past 9 bytes.
 */
int gg_varint_decode(const uint8_t *p, size_t len, uint64_t *v);

/* Protobuf-style varints (up to 10 bytes, 64 bits), for protobuf fields. */
int gg_pbvarint_decode(const uint8_t *p, size_t len, uint64_t *v);

#endif
