/*
 * envelope.c - seal and open libp2p signed envelopes (envelope.h).
 *
 * The wire form is the Envelope protobuf of proto/envelope.proto (field
 * numbers as go- and rust-libp2p use them: signature is field 5).  The
 * signature covers neither the protobuf nor the key, only the
 * uvarint-prefixed domain, payload type and payload, so decoding may be
 * lenient about the protobuf itself; the signer's key is re-encoded in
 * canonical form, and that form is what we hand out and derive the peer
 * ID from.
 */
#include "crypto/envelope.h"
#include "crypto/key_impl.h"
#include "envelope.pb-c.h"
#include "util/error.h"
#include "util/varint.h"

/* Three uvarints of at most 9 bytes each, plus the fields. */
static int signing_buf(const char *domain, const uint8_t *pt, size_t ptlen,
		       const uint8_t *pl, size_t pllen, struct gg_buf *b)
{
	const uint8_t *parts[3] = { (const uint8_t *)domain, pt, pl };
	size_t lens[3] = { strlen(domain), ptlen, pllen };
	uint8_t v[GG_VARINT_MAX_LEN];
	size_t i, vl;
	int rc = 0;

	for (i = 0; i < 3 && !rc; i++) {
		vl = gg_varint_encode(lens[i], v);
		if (vl == 0)
			return GG_ETOOBIG;
		rc = gg_buf_add(b, v, vl);
		if (!rc && lens[i])
			rc = gg_buf_add(b, parts[i], lens[i]);
	}
	return rc;
}

int gg_envelope_seal(const struct gg_privkey *k, const char *domain,
		     const uint8_t *payload_type, size_t payload_type_len,
		     const uint8_t *payload, size_t payload_len,
		     struct gg_buf *out)
{
	Record__Pb__Envelope env = RECORD__PB__ENVELOPE__INIT;
	Crypto__Pb__PublicKey key = CRYPTO__PB__PUBLIC_KEY__INIT;
	struct gg_buf tbs;
	uint8_t sig[GG_ED25519_SIG_LEN];
	const uint8_t *pub;
	size_t publen, size;
	int rc;

	if (!domain || !*domain)
		return GG_EINVAL;
	if (payload_len > out->max || payload_type_len > out->max)
		return GG_ETOOBIG;
	gg_buf_init(&tbs, strlen(domain) + payload_type_len + payload_len +
				  3 * GG_VARINT_MAX_LEN);
	rc = signing_buf(domain, payload_type, payload_type_len, payload,
			 payload_len, &tbs);
	if (!rc)
		rc = gg_privkey_sign(k, tbs.data, tbs.len, sig);
	if (rc)
		goto out;
	pub = gg_privkey_public(k, &publen);
	key.type = CRYPTO__PB__KEY_TYPE__Ed25519;
	key.data.data = (uint8_t *)pub + 4; /* Data of 08 01 12 20 || pk */
	key.data.len = publen - 4;
	env.public_key = &key;
	env.payload_type.data = (uint8_t *)payload_type;
	env.payload_type.len = payload_type_len;
	env.payload.data = (uint8_t *)payload;
	env.payload.len = payload_len;
	env.signature.data = sig;
	env.signature.len = sizeof(sig);
	size = record__pb__envelope__get_packed_size(&env);
	rc = gg_buf_reserve(out, size);
	if (rc)
		goto out;
	record__pb__envelope__pack(&env, out->data + out->len);
	out->len += size;
	out->data[out->len] = 0;
out:
	gg_buf_release(&tbs);
	return rc;
}

/* The signer's key from the decoded message, canonically encoded. */
static int envelope_key(const Crypto__Pb__PublicKey *key,
			struct gg_envelope *env)
{
	size_t cap;

	if (!key || key->data.len == 0 ||
	    key->data.len > GG_PUBKEY_PROTO_MAX)
		return GG_EPARSE;
	if ((int)key->type < GG_KEY_RSA || (int)key->type > GG_KEY_ECDSA)
		return GG_EUNSUPPORTED;
	cap = key->data.len + 3 + GG_VARINT_MAX_LEN;
	env->pubbuf_ = malloc(cap);
	if (!env->pubbuf_)
		return GG_ENOMEM;
	env->pubkey_len = gg_key_encode((enum gg_key_type)key->type,
					key->data.data, key->data.len,
					env->pubbuf_, cap);
	env->pubkey = env->pubbuf_;
	return env->pubkey_len ? 0 : GG_EINTERNAL;
}

int gg_envelope_open(const uint8_t *p, size_t n, size_t max,
		     const char *domain, struct gg_envelope *env)
{
	Record__Pb__Envelope *m;
	struct gg_buf tbs;
	int rc;

	memset(env, 0, sizeof(*env));
	if (!domain || !*domain)
		return GG_EINVAL;
	if (n > max)
		return GG_ETOOBIG;
	m = record__pb__envelope__unpack(NULL, n, p);
	if (!m)
		return GG_EPARSE;
	env->msg_ = m;
	rc = envelope_key(m->public_key, env);
	if (rc)
		goto out;
	gg_buf_init(&tbs, n + strlen(domain) + 3 * GG_VARINT_MAX_LEN);
	rc = signing_buf(domain, m->payload_type.data, m->payload_type.len,
			 m->payload.data, m->payload.len, &tbs);
	if (!rc)
		rc = gg_pubkey_verify(env->pubkey, env->pubkey_len, tbs.data,
				      tbs.len, m->signature.data,
				      m->signature.len);
	gg_buf_release(&tbs);
	if (!rc)
		rc = gg_peerid_from_pubkey(env->pubkey, env->pubkey_len,
					   &env->signer);
	if (rc)
		goto out;
	env->payload_type = m->payload_type.data;
	env->payload_type_len = m->payload_type.len;
	env->payload = m->payload.data;
	env->payload_len = m->payload.len;
out:
	if (rc)
		gg_envelope_release(env);
	return rc;
}

void gg_envelope_release(struct gg_envelope *env)
{
	if (env->msg_)
		record__pb__envelope__free_unpacked(env->msg_, NULL);
	free(env->pubbuf_);
	memset(env, 0, sizeof(*env));
}
