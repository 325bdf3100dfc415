/*
 * base.h - the text encodings of multiformats: base58btc (bitcoin
 * alphabet), base32 (RFC 4648, lower case, no padding), base16, and the
 * multibase prefixes that name them ('z', 'b', 'f').
 *
 * Encoders write a NUL-terminated string into a caller's buffer and return
 * its length, or GG_ETOOBIG when it does not fit.  Decoders are strict:
 * a character outside the alphabet, a non-canonical tail (base32 bits
 * that should be zero) or an input over GG_BASE_MAX_IN bytes is refused.
 */
#ifndef GG_BASE_H
#define GG_BASE_H

#include <stddef.h>
#include <stdint.h>

#define GG_BASE_MAX_IN 4096 /* longest accepted input, either way */

int gg_base58_encode(const uint8_t *in, size_t n, char *out, size_t outsz);
/* Returns the decoded length or a negative GG_E* code. */
int gg_base58_decode(const char *in, size_t n, uint8_t *out, size_t outsz);

int gg_base32_encode(const uint8_t *in, size_t n, char *out, size_t outsz);
int gg_base32_decode(const char *in, size_t n, uint8_t *out, size_t outsz);

int gg_hex_encode(const uint8_t *in, size_t n, char *out, size_t outsz);
int gg_hex_decode(const char *in, size_t n, uint8_t *out, size_t outsz);

/* Multibase: prefix 'z' base58btc, 'b' base32 lower, 'f' base16 lower. */
int gg_multibase_encode(char base, const uint8_t *in, size_t n, char *out,
			size_t outsz);
int gg_multibase_decode(const char *in, uint8_t *out, size_t outsz);

#endif
