/*
 * key.h - our identity key (Ed25519) and verification of other peers'
 * keys in the libp2p PublicKey protobuf encoding.
 *
 * We hold exactly one kind of private key, Ed25519; remote peers may use
 * any of the four libp2p key types, so gg_pubkey_verify handles RSA,
 * Ed25519, secp256k1 and ECDSA P-256.  Public keys travel as the encoded
 * libp2p PublicKey protobuf (for Ed25519: 08 01 12 20 || pk, 36 bytes).
 * Key bytes are never logged.
 */
#ifndef GG_CRYPTO_KEY_H
#define GG_CRYPTO_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum gg_key_type { GG_KEY_RSA = 0, GG_KEY_ED25519 = 1, GG_KEY_SECP256K1 = 2,
		   GG_KEY_ECDSA = 3 };

#define GG_ED25519_SIG_LEN 64
#define GG_ED25519_PUB_PROTO_LEN 36
/* Largest encoded PublicKey protobuf we accept (RSA 8192 SPKI + header). */
#define GG_PUBKEY_PROTO_MAX 1200

struct gg_privkey; /* an Ed25519 private key */

int gg_privkey_generate(struct gg_privkey **out);
/* libp2p PrivateKey protobuf; Data is seed||pub (64) or a 32-byte seed. */
int gg_privkey_from_proto(const uint8_t *p, size_t n, struct gg_privkey **out);
/* Appends the PrivateKey protobuf (Data = seed||pub) to out. */
int gg_privkey_to_proto(const struct gg_privkey *k, struct gg_buf *out);
void gg_privkey_free(struct gg_privkey *k);
int gg_privkey_sign(const struct gg_privkey *k, const uint8_t *msg, size_t n,
		    uint8_t sig[64]);
/* The encoded PublicKey protobuf, 36 bytes, owned by k. */
const uint8_t *gg_privkey_public(const struct gg_privkey *k, size_t *len);

/*
 * pub = encoded PublicKey protobuf of any of the four types.  Returns 0,
 * GG_EBADSIG (signature wrong), GG_EPARSE (key malformed) or
 * GG_EUNSUPPORTED (type unknown, RSA outside 2048..8192 bits, ...).
 */
int gg_pubkey_verify(const uint8_t *pub, size_t publen, const uint8_t *msg,
		     size_t n, const uint8_t *sig, size_t siglen);
/* Decode a PublicKey protobuf strictly (canonical encoding only, Data of
 * the right size for its type): its type and Data (pointing into pub).
 * 0, GG_EPARSE or GG_EUNSUPPORTED (a type number we do not know). */
int gg_pubkey_decode(const uint8_t *pub, size_t publen,
		     enum gg_key_type *type, const uint8_t **data,
		     size_t *datalen);

/*
 * home_dir/identity.key: created on first use (0600, atomic, never
 * replacing a file another process created meanwhile), else loaded.
 * home_dir itself is created (0700) when missing, its parent is not.  A
 * key file readable by group/others is loaded with a warning; a damaged
 * one is an error (never silently replaced).
 */
int gg_identity_load_or_create(const char *home_dir, struct gg_privkey **out);

#endif
