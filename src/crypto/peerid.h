/*
 * peerid.h - libp2p peer IDs: the multihash of an encoded public key.
 *
 * Keys whose PublicKey encoding is at most 42 bytes (Ed25519, secp256k1)
 * are inlined with the identity multihash (00 <len> key); larger ones
 * (RSA, ECDSA) are hashed with sha2-256 (12 20 digest).  Text forms:
 * base58btc ("12D3KooW...", "Qm...") and CIDv1 with the libp2p-key codec
 * in base32 ("bafz...").
 */
#ifndef GG_CRYPTO_PEERID_H
#define GG_CRYPTO_PEERID_H

#include <stddef.h>
#include <stdint.h>

#define GG_PEERID_MAX 64
/* Longest text form (CID of a 64-byte multihash is ~110 chars) + NUL. */
#define GG_PEERID_STR_MAX 128

struct gg_peerid { size_t len; uint8_t b[GG_PEERID_MAX]; }; /* multihash */

int gg_peerid_from_pubkey(const uint8_t *pub, size_t n, struct gg_peerid *out);
/* base58btc "12D3KooW..."/"Qm..." or CIDv1 "bafz..." */
int gg_peerid_parse(const char *text, struct gg_peerid *out);
/* Validate a binary multihash as a peer ID and copy it to out. */
int gg_peerid_from_bytes(const uint8_t *p, size_t n, struct gg_peerid *out);
/* Text forms, NUL-terminated: 0, GG_ETOOBIG (outsz too small; use
 * GG_PEERID_STR_MAX) or GG_EINVAL (id is not a valid peer ID). */
int gg_peerid_to_str(const struct gg_peerid *id, char *out, size_t outsz);
int gg_peerid_to_cid(const struct gg_peerid *id, char *out, size_t outsz);
/* 1 when equal, 0 otherwise. */
int gg_peerid_eq(const struct gg_peerid *a, const struct gg_peerid *b);
/* For an identity-multihash ID, the inlined encoded public key (pointer
 * into id); GG_ENOTFOUND for a sha2-256 ID. */
int gg_peerid_pubkey(const struct gg_peerid *id, const uint8_t **pub,
		     size_t *n);
/* 1 when pub (an encoded PublicKey) belongs to id, else 0. */
int gg_peerid_matches_pubkey(const struct gg_peerid *id, const uint8_t *pub,
			     size_t n);

#endif
