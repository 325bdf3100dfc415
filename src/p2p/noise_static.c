/*
 * noise_static.c - the Noise state a host shares between its connections
 * (see gg_noise_static_new in noise.h).
 *
 * libp2p binds a Noise static key to the identity by signing it, so the
 * static key, and with it our whole handshake payload, can be made once
 * per host: every handshake then saves an X25519 key generation and an
 * Ed25519 signature.  The remote side gets the same benefit from a small
 * cache of payloads that verified: a peer that also keeps its static key
 * sends the same payload every time, and a signature check is a pure
 * function of its bytes, so a hit skips the costliest step of the
 * handshake (an Ed25519 verify is four X25519 operations' worth).  The
 * cache key is SHA-256 over the remote static key and the whole payload.
 * It also holds one spare ephemeral key, made when the host is idle, so
 * that generating it is not on a handshake's critical path; each spare
 * is handed to exactly one engine.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/key.h"
#include "crypto/sha256.h"
#include "noise.pb-c.h"
#include "p2p/noise.h"
#include "p2p/noise_impl.h"
#include "util/error.h"

int noise_make_payload(const struct gg_privkey *key,
			const uint8_t spub[32], uint8_t *buf, size_t cap,
			size_t *len)
{
	static const char pre[] = GG_NOISE_SIG_PREFIX;
	Noise__Pb__NoiseHandshakePayload pl =
		NOISE__PB__NOISE_HANDSHAKE_PAYLOAD__INIT;
	uint8_t msg[sizeof(pre) - 1 + 32], sig[GG_ED25519_SIG_LEN];
	size_t klen;
	const uint8_t *pub = gg_privkey_public(key, &klen);
	int rc;

	memcpy(msg, pre, sizeof(pre) - 1);
	memcpy(msg + sizeof(pre) - 1, spub, 32);
	rc = gg_privkey_sign(key, msg, sizeof(msg), sig);
	if (rc)
		return rc;
	pl.has_identity_key = 1;
	pl.identity_key.data = (uint8_t *)pub;
	pl.identity_key.len = klen;
	pl.has_identity_sig = 1;
	pl.identity_sig.data = sig;
	pl.identity_sig.len = sizeof(sig);
	if (noise__pb__noise_handshake_payload__get_packed_size(&pl) > cap)
		return GG_EINTERNAL;
	*len = noise__pb__noise_handshake_payload__pack(&pl, buf);
	return 0;
}

int gg_noise_static_new(const struct gg_privkey *key,
			struct gg_noise_static **out)
{
	struct gg_noise_static *st = NULL;
	int rc = GG_EINVAL;

	*out = NULL;
	if (!key)
		goto out;
	rc = GG_ENOMEM;
	st = calloc(1, sizeof(*st));
	if (!st)
		goto out;
	rc = GG_ECRYPTO;
	st->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!st->md)
		goto out;
	rc = noise_dh_keygen(&st->s, st->spub);
	if (!rc)
		rc = noise_make_payload(key, st->spub, st->payload,
				  sizeof(st->payload), &st->plen);
	if (rc)
		goto out;
	*out = st;
	st = NULL; /* transferred */
out:
	gg_noise_static_free(st);
	return rc;
}

void gg_noise_static_free(struct gg_noise_static *st)
{
	if (!st)
		return;
	EVP_PKEY_free(st->s);
	EVP_PKEY_free(st->spare_e);
	EVP_MD_free(st->md);
	EVP_PKEY_CTX_free(st->kctx);
	OPENSSL_cleanse(st, sizeof(*st));
	free(st);
}

int noise_static_seen(const struct gg_noise_static *st, const uint8_t rs[32],
		      const uint8_t *p, size_t n, uint8_t key[32])
{
	struct gg_sha256_ctx *c;
	size_t i;
	int rc = gg_sha256_init(&c);

	if (rc)
		return rc;
	gg_sha256_update(c, rs, 32);
	gg_sha256_update(c, p, n);
	gg_sha256_final(c, key);
	for (i = 0; i < st->nseen; i++)
		if (CRYPTO_memcmp(st->seen[i], key, 32) == 0)
			return 1;
	return 0;
}

void noise_static_remember(struct gg_noise_static *st, const uint8_t key[32])
{
	memcpy(st->seen[st->next], key, 32);
	st->next = (st->next + 1) % NOISE_SEEN_MAX;
	if (st->nseen < NOISE_SEEN_MAX)
		st->nseen++;
}

int gg_noise_static_prepare(struct gg_noise_static *st)
{
	if (!st || st->spare_e)
		return 0;
	if (!st->kctx && !(st->kctx = noise_dh_keygen_ctx()))
		return GG_ECRYPTO;
	return noise_dh_keygen_with(st->kctx, &st->spare_e, st->spare_epub);
}

int noise_static_take_e(struct gg_noise_static *st, EVP_PKEY **e,
			uint8_t pub[32])
{
	if (!st)
		return noise_dh_keygen(e, pub);
	if (!st->spare_e) /* a burst used the spare: make one now */
		return gg_noise_static_prepare(st) ? GG_ECRYPTO
						    : noise_static_take_e(st, e, pub);
	*e = st->spare_e; /* used once: handed over, not shared */
	memcpy(pub, st->spare_epub, 32);
	st->spare_e = NULL;
	OPENSSL_cleanse(st->spare_epub, 32);
	return 0;
}
