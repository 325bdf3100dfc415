/*
 * pkgid.h - package IDs (ADR-007, DESIGN §5 "Package ID").
 *
 * A package's ID is the SHA-256 of its archive bytes.  People see it as
 * "sha256:<64 lowercase hex>"; in the DHT its key is the multihash
 * 0x12 0x20 <digest>, which is printed as the CIDv1 of the raw codec
 * (0x55) in multibase base32: "bafkrei…".  Verbs that take a key accept
 * any of: that CID, "sha256:<hex>", or the base58btc multihash ("Qm…").
 * Parsing is strict: the wrong length, upper-case hex, a codec other than
 * raw, a hash other than sha2-256 or trailing bytes are all refused.
 */
#ifndef GG_MARKET_PKGID_H
#define GG_MARKET_PKGID_H

#include <stddef.h>
#include <stdint.h>

#define GG_PKGID_LEN 32
/* Buffer sizes including the NUL. */
#define GG_PKGID_HEX_SIZE 65  /* 64 hex */
#define GG_PKGID_STR_SIZE 72  /* "sha256:" + 64 hex */
#define GG_PKGID_CID_SIZE 60  /* 'b' + 58 base32 */
#define GG_PKGID_B58_SIZE 48  /* base58btc multihash, 46 chars */
#define GG_PKGID_MH_LEN 34    /* 0x12 0x20 + digest */

struct gg_pkgid {
	uint8_t b[GG_PKGID_LEN];
};

/* The ID of the given bytes (their SHA-256). */
void gg_pkgid_of(const void *p, size_t n, struct gg_pkgid *out);
int gg_pkgid_eq(const struct gg_pkgid *a, const struct gg_pkgid *b);

/* Writers return the text length, or GG_ETOOBIG when outsz is short. */
int gg_pkgid_to_hex(const struct gg_pkgid *id, char *out, size_t outsz);
int gg_pkgid_to_str(const struct gg_pkgid *id, char *out, size_t outsz);
int gg_pkgid_to_cid(const struct gg_pkgid *id, char *out, size_t outsz);
int gg_pkgid_to_b58(const struct gg_pkgid *id, char *out, size_t outsz);
/* The multihash bytes 0x12 0x20 <digest> (the DHT key). */
void gg_pkgid_multihash(const struct gg_pkgid *id,
			uint8_t out[GG_PKGID_MH_LEN]);
/* From multihash bytes; GG_EPARSE unless exactly 0x12 0x20 + 32 bytes. */
int gg_pkgid_from_multihash(const uint8_t *p, size_t n,
			    struct gg_pkgid *out);

/* Exactly 64 lowercase hex digits (no prefix); 0 or GG_EPARSE. */
int gg_pkgid_from_hex(const char *hex, struct gg_pkgid *out);
/* Any accepted text form (CID, sha256:<hex>, base58 multihash); 0 or
 * GG_EPARSE. */
int gg_pkgid_parse(const char *text, struct gg_pkgid *out);

#endif
