/*
 * noise_crypto.c - the Noise CipherState, SymmetricState and DH functions
 * for Noise_XX_25519_ChaChaPoly_SHA256, on OpenSSL 3.
 *
 * Speed matters for the transport: a CipherState keeps one EVP_CIPHER_CTX
 * keyed once per direction, and each message only resets the nonce (4
 * zero bytes || little-endian 64-bit counter).  The handshake uses the
 * same code; there the context is re-keyed when the key changes.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "p2p/noise.h"
#include "p2p/noise_impl.h"
#include "util/error.h"

#define TAG GG_NOISE_TAG_LEN

static void make_nonce(uint64_t n, uint8_t iv[12])
{
	int i;

	memset(iv, 0, 4);
	for (i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(n >> (8 * i));
}

void noise_cs_set_key(struct noise_cs *c, const uint8_t k[32])
{
	memcpy(c->k, k, 32);
	c->n = 0;
	c->has_k = 1;
	c->keyed = -1;
}

void noise_cs_release(struct noise_cs *c)
{
	EVP_CIPHER_CTX_free(c->ctx);
	OPENSSL_cleanse(c, sizeof(*c));
	c->keyed = -1;
}

/* Key the context for direction enc (once) and set this message's nonce. */
static int cs_begin(struct noise_cs *c, int enc)
{
	uint8_t iv[12];

	if (c->n == UINT64_MAX)
		return GG_ECLOSED;
	if (!c->ctx) {
		c->ctx = EVP_CIPHER_CTX_new();
		if (!c->ctx)
			return GG_ENOMEM;
		c->keyed = -1;
	}
	make_nonce(c->n, iv);
	if (c->keyed != enc) {
		if (!EVP_CipherInit_ex(c->ctx, EVP_chacha20_poly1305(), NULL,
				       c->k, iv, enc))
			return GG_ECRYPTO;
		c->keyed = enc;
		return 0;
	}
	if (!EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, iv, enc))
		return GG_ECRYPTO;
	return 0;
}

static int cs_ad(struct noise_cs *c, const uint8_t *ad, size_t adlen)
{
	int ol;

	if (adlen && !EVP_CipherUpdate(c->ctx, NULL, &ol, ad, (int)adlen))
		return GG_ECRYPTO;
	return 0;
}

int noise_cs_enc_begin(struct noise_cs *c)
{
	return cs_begin(c, 1);
}

int noise_cs_enc_update(struct noise_cs *c, const uint8_t *in, size_t n,
			uint8_t *out)
{
	int ol = 0;

	if (n && (!EVP_CipherUpdate(c->ctx, out, &ol, in, (int)n) ||
		  (size_t)ol != n))
		return GG_ECRYPTO;
	return 0;
}

int noise_cs_enc_finish(struct noise_cs *c, uint8_t tag[TAG])
{
	uint8_t dummy[16];
	int fl = 0;

	if (!EVP_CipherFinal_ex(c->ctx, dummy, &fl) ||
	    !EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_GET_TAG, TAG, tag))
		return GG_ECRYPTO;
	c->n++;
	return 0;
}

int noise_cs_encrypt(struct noise_cs *c, const uint8_t *ad, size_t adlen,
		     const uint8_t *in, size_t n, uint8_t *out)
{
	int rc;

	if (!c->has_k) {
		if (n)
			memmove(out, in, n);
		return 0;
	}
	if (n > GG_NOISE_MAX_PLAINTEXT)
		return GG_EINVAL;
	rc = cs_begin(c, 1);
	if (!rc)
		rc = cs_ad(c, ad, adlen);
	if (!rc)
		rc = noise_cs_enc_update(c, in, n, out);
	if (!rc)
		rc = noise_cs_enc_finish(c, out + n);
	return rc;
}

int noise_cs_decrypt(struct noise_cs *c, const uint8_t *ad, size_t adlen,
		     const uint8_t *in, size_t n, uint8_t *out)
{
	int ol = 0, fl = 0, rc;
	uint8_t tag[TAG];

	if (!c->has_k) {
		if (n)
			memmove(out, in, n);
		return 0;
	}
	if (n < TAG || n > GG_NOISE_MAX_FRAME)
		return GG_ECRYPTO;
	n -= TAG;
	memcpy(tag, in + n, TAG); /* in and out may overlap */
	rc = cs_begin(c, 0);
	if (!rc)
		rc = cs_ad(c, ad, adlen);
	if (rc)
		return rc;
	if ((n && !EVP_CipherUpdate(c->ctx, out, &ol, in, (int)n)) ||
	    !EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_TAG, TAG, tag) ||
	    EVP_CipherFinal_ex(c->ctx, out + ol, &fl) <= 0)
		return GG_ECRYPTO;
	c->n++;
	return 0;
}

/* H(a || b) with md, reusing ctx. */
static int digest2(const EVP_MD *md, EVP_MD_CTX *ctx, const uint8_t *a,
		   size_t an, const uint8_t *b, size_t bn, uint8_t out[32])
{
	unsigned int ol = 0;

	if (!EVP_DigestInit_ex(ctx, md, NULL) ||
	    (an && !EVP_DigestUpdate(ctx, a, an)) ||
	    (bn && !EVP_DigestUpdate(ctx, b, bn)) ||
	    !EVP_DigestFinal_ex(ctx, out, &ol) || ol != 32)
		return GG_ECRYPTO;
	return 0;
}

/*
 * HMAC-SHA256 (RFC 2104) with a 32-byte key, built on digest2 so that a
 * prefetched md serves every step: H((K ^ opad) || H((K ^ ipad) || m)),
 * K zero-padded to the 64-byte block.
 */
static int hmac_md(const EVP_MD *md, EVP_MD_CTX *ctx, const uint8_t key[32],
		   const uint8_t *p, size_t n, uint8_t out[32])
{
	uint8_t pad[64], inner[32];
	int i, rc;

	for (i = 0; i < 64; i++)
		pad[i] = (uint8_t)((i < 32 ? key[i] : 0) ^ 0x36);
	rc = digest2(md, ctx, pad, sizeof(pad), p, n, inner);
	for (i = 0; i < 64; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	if (!rc)
		rc = digest2(md, ctx, pad, sizeof(pad), inner, 32, out);
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
	return rc;
}

static int hkdf_md(const EVP_MD *md, EVP_MD_CTX *ctx, const uint8_t ck[32],
		   const uint8_t *ikm, size_t ikmlen, uint8_t out1[32],
		   uint8_t out2[32])
{
	uint8_t temp[32], m[33];
	int rc;

	rc = hmac_md(md, ctx, ck, ikm, ikmlen, temp);
	if (!rc) {
		m[0] = 0x01;
		rc = hmac_md(md, ctx, temp, m, 1, out1);
	}
	if (!rc) {
		memcpy(m, out1, 32);
		m[32] = 0x02;
		rc = hmac_md(md, ctx, temp, m, 33, out2);
	}
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(m, sizeof(m));
	return rc;
}

int gg_noise_hkdf(const uint8_t ck[32], const uint8_t *ikm, size_t ikmlen,
		  uint8_t out1[32], uint8_t out2[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = GG_ENOMEM;

	if (ctx)
		rc = hkdf_md(EVP_sha256(), ctx, ck, ikm, ikmlen, out1, out2);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* The digest context, made on first use; the hash is ss->md when the
 * caller prefetched it (each use of EVP_sha256() fetches it again). */
static int ss_ctx(struct noise_ss *s, const EVP_MD **md)
{
	if (!s->mctx && !(s->mctx = EVP_MD_CTX_new()))
		return GG_ENOMEM;
	*md = s->md ? s->md : EVP_sha256();
	return 0;
}

int noise_ss_init(struct noise_ss *s)
{
	memset(s, 0, sizeof(*s));
	s->cs.keyed = -1;
	/* the name is exactly HASHLEN bytes, so h is the name itself */
	memcpy(s->h, GG_NOISE_NAME, 32);
	memcpy(s->ck, s->h, 32);
	return noise_ss_mix_hash(s, NULL, 0); /* empty prologue */
}

int noise_ss_mix_hash(struct noise_ss *s, const uint8_t *p, size_t n)
{
	const EVP_MD *md;
	int rc = ss_ctx(s, &md);

	return rc ? rc : digest2(md, s->mctx, s->h, 32, p, n, s->h);
}

int noise_ss_mix_key(struct noise_ss *s, const uint8_t *ikm, size_t n)
{
	uint8_t ck[32], k[32];
	const EVP_MD *md;
	int rc = ss_ctx(s, &md);

	if (!rc)
		rc = hkdf_md(md, s->mctx, s->ck, ikm, n, ck, k);

	if (!rc) {
		memcpy(s->ck, ck, 32);
		noise_cs_set_key(&s->cs, k);
	}
	OPENSSL_cleanse(ck, sizeof(ck));
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int noise_ss_encrypt_hash(struct noise_ss *s, const uint8_t *in, size_t n,
			  uint8_t *out, size_t *outlen)
{
	int rc = noise_cs_encrypt(&s->cs, s->h, 32, in, n, out);

	if (rc)
		return rc;
	*outlen = n + (s->cs.has_k ? TAG : 0);
	return noise_ss_mix_hash(s, out, *outlen);
}

int noise_ss_decrypt_hash(struct noise_ss *s, const uint8_t *in, size_t n,
			  uint8_t *out, size_t *outlen)
{
	uint8_t h[32];
	int rc;

	/* the hash covers the ciphertext, which out may overwrite */
	memcpy(h, s->h, 32);
	rc = noise_ss_mix_hash(s, in, n);
	if (rc)
		return rc;
	rc = noise_cs_decrypt(&s->cs, h, 32, in, n, out);
	if (rc)
		return rc;
	*outlen = n - (s->cs.has_k ? TAG : 0);
	return 0;
}

int noise_ss_split(struct noise_ss *s, struct noise_cs *c1,
		   struct noise_cs *c2)
{
	uint8_t k1[32], k2[32];
	const EVP_MD *md;
	int rc = ss_ctx(s, &md);

	if (!rc)
		rc = hkdf_md(md, s->mctx, s->ck, NULL, 0, k1, k2);

	if (!rc) {
		noise_cs_set_key(c1, k1);
		noise_cs_set_key(c2, k2);
	}
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	return rc;
}

void noise_ss_release(struct noise_ss *s)
{
	noise_cs_release(&s->cs);
	EVP_MD_CTX_free(s->mctx);
	s->mctx = NULL;
	OPENSSL_cleanse(s->ck, sizeof(s->ck));
}

/* A fresh X25519 key with pc (keygen-initialised), its public half. */
int noise_dh_keygen_with(EVP_PKEY_CTX *pc, EVP_PKEY **key, uint8_t pub[32])
{
	size_t len = 32;

	*key = NULL;
	if (EVP_PKEY_keygen(pc, key) > 0 &&
	    EVP_PKEY_get_raw_public_key(*key, pub, &len) > 0 && len == 32)
		return 0;
	EVP_PKEY_free(*key);
	*key = NULL;
	return GG_ECRYPTO;
}

EVP_PKEY_CTX *noise_dh_keygen_ctx(void)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);

	if (pc && EVP_PKEY_keygen_init(pc) <= 0) {
		EVP_PKEY_CTX_free(pc);
		pc = NULL;
	}
	return pc;
}

int noise_dh_keygen(EVP_PKEY **key, uint8_t pub[32])
{
	EVP_PKEY_CTX *pc = noise_dh_keygen_ctx();
	int rc = pc ? noise_dh_keygen_with(pc, key, pub) : GG_ECRYPTO;

	if (!pc)
		*key = NULL;
	EVP_PKEY_CTX_free(pc);
	return rc;
}

int noise_dh(EVP_PKEY *key, const uint8_t pub[32], uint8_t out[32])
{
	EVP_PKEY *peer;
	EVP_PKEY_CTX *pc = NULL;
	size_t len = 32;
	int rc = GG_ECRYPTO;

	peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, 32);
	if (!peer)
		goto out;
	pc = EVP_PKEY_CTX_new(key, NULL);
	/* OpenSSL refuses an all-zero result (a low-order remote point) */
	if (!pc || EVP_PKEY_derive_init(pc) <= 0 ||
	    EVP_PKEY_derive_set_peer(pc, peer) <= 0 ||
	    EVP_PKEY_derive(pc, out, &len) <= 0 || len != 32)
		goto out;
	rc = 0;
out:
	EVP_PKEY_CTX_free(pc);
	EVP_PKEY_free(peer);
	return rc;
}
