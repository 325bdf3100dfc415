/*
 * noise_impl.h - the Noise symmetric layer shared by noise.c and
 * noise_crypto.c: CipherState (ChaCha20-Poly1305 with a reusable EVP
 * context), SymmetricState (ck, h, MixHash, MixKey, EncryptAndHash,
 * DecryptAndHash, Split) and X25519, named as in the Noise spec.
 */
#ifndef GG_P2P_NOISE_IMPL_H
#define GG_P2P_NOISE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct noise_cs {
	EVP_CIPHER_CTX *ctx; /* created on first use, kept for the life */
	uint8_t k[32];
	uint64_t n;          /* next nonce; 2^64-1 is never used */
	int has_k;
	int keyed;           /* ctx holds k for: -1 none, 0 decrypt, 1 encrypt */
};

struct noise_ss {
	uint8_t ck[32];
	uint8_t h[32];
	struct noise_cs cs;
	const EVP_MD *md;     /* SHA-256 prefetched by the caller, or NULL */
	EVP_MD_CTX *mctx;     /* for every hash, made on first use */
};

/* Encrypt n bytes of in to out (n + 16 bytes: ciphertext || tag) with
 * associated data ad.  Without a key (handshake), copies.  GG_ECLOSED
 * when the nonce is exhausted, GG_ECRYPTO, GG_ENOMEM. */
int noise_cs_encrypt(struct noise_cs *c, const uint8_t *ad, size_t adlen,
		     const uint8_t *in, size_t n, uint8_t *out);
/* The same in steps, for plaintext in pieces (keyed transport only, no
 * associated data): begin sets the nonce, update encrypts a piece (the
 * ciphertext is as long), finish writes the tag and moves the nonce on. */
int noise_cs_enc_begin(struct noise_cs *c);
int noise_cs_enc_update(struct noise_cs *c, const uint8_t *in, size_t n,
			uint8_t *out);
int noise_cs_enc_finish(struct noise_cs *c, uint8_t tag[16]);
/* Decrypt n bytes (>= 16 with a key) to out (n - 16 bytes).  GG_ECRYPTO
 * when authentication fails. */
int noise_cs_decrypt(struct noise_cs *c, const uint8_t *ad, size_t adlen,
		     const uint8_t *in, size_t n, uint8_t *out);
void noise_cs_set_key(struct noise_cs *c, const uint8_t k[32]);
void noise_cs_release(struct noise_cs *c);

/* h = protocol name (exactly 32 bytes), ck = h, MixHash(empty prologue). */
int noise_ss_init(struct noise_ss *s);
int noise_ss_mix_hash(struct noise_ss *s, const uint8_t *p, size_t n);
int noise_ss_mix_key(struct noise_ss *s, const uint8_t *ikm, size_t n);
/* out needs n + 16 bytes when keyed; *outlen is set. */
int noise_ss_encrypt_hash(struct noise_ss *s, const uint8_t *in, size_t n,
			  uint8_t *out, size_t *outlen);
int noise_ss_decrypt_hash(struct noise_ss *s, const uint8_t *in, size_t n,
			  uint8_t *out, size_t *outlen);
/* c1 = initiator to responder, c2 = the other way. */
int noise_ss_split(struct noise_ss *s, struct noise_cs *c1,
		   struct noise_cs *c2);
void noise_ss_release(struct noise_ss *s);

/* A fresh X25519 key and its raw public half. */
int noise_dh_keygen(EVP_PKEY **key, uint8_t pub[32]);
/* The same with a context kept for many keys (made by
 * noise_dh_keygen_ctx; a fresh context per key costs OpenSSL 3 a fetch,
 * ~40% of the key's price). */
EVP_PKEY_CTX *noise_dh_keygen_ctx(void);
int noise_dh_keygen_with(EVP_PKEY_CTX *pc, EVP_PKEY **key, uint8_t pub[32]);
/* DH(key, remote public); GG_ECRYPTO for a low-order point. */
int noise_dh(EVP_PKEY *key, const uint8_t pub[32], uint8_t out[32]);

/* How many verified remote payloads a host remembers. */
#define NOISE_SEEN_MAX 64

struct gg_privkey;

/* Shared by a host's connections (noise_static.c). */
struct gg_noise_static {
	EVP_PKEY *s;          /* our static X25519 key */
	uint8_t spub[32];
	uint8_t payload[2048]; /* our signed NoiseHandshakePayload */
	size_t plen;
	uint8_t seen[NOISE_SEEN_MAX][32]; /* SHA-256(rs || payload) */
	size_t nseen, next;
	EVP_PKEY *spare_e;    /* the next handshake's ephemeral key */
	EVP_MD *md;           /* SHA-256, fetched once for all handshakes */
	EVP_PKEY_CTX *kctx;   /* X25519 key generation, set up once */
	uint8_t spare_epub[32];
};

/* A fresh ephemeral key: the spare of st when there is one, else a new
 * one.  st may be NULL. */
int noise_static_take_e(struct gg_noise_static *st, EVP_PKEY **e,
			uint8_t pub[32]);

/* Pack our NoiseHandshakePayload (identity key, signature over
 * "noise-libp2p-static-key:" || spub) into buf (cap bytes). */
int noise_make_payload(const struct gg_privkey *key, const uint8_t spub[32],
		       uint8_t *buf, size_t cap, size_t *len);
/* 1 when the remote payload p, sent with static key rs, verified before
 * (key gets its cache key either way), 0 when not, < 0 when the hash
 * failed (then do not remember it). */
int noise_static_seen(const struct gg_noise_static *st, const uint8_t rs[32],
		      const uint8_t *p, size_t n, uint8_t key[32]);
/* Remember a payload that verified, by its cache key. */
void noise_static_remember(struct gg_noise_static *st, const uint8_t key[32]);

#endif
