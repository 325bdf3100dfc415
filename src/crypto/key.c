/*
 * key.c - our Ed25519 identity key and the libp2p key protobufs.
 *
 * Keys are encoded by hand in the one canonical form the spec requires
 * (Type then Data, minimal varints), so an encoding is deterministic by
 * construction.  Decoding goes through protobuf-c and then insists that
 * the input *is* that canonical form: no unknown or repeated fields, no
 * padded varints.  A peer ID is a hash of these bytes, so accepting two
 * encodings of one key would give it two identities.
 *
 * Private key material only ever lives inside OpenSSL's EVP_PKEY or in
 * short-lived stack buffers that are cleansed before returning.
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/key.h"
#include "crypto/key_impl.h"
#include "keys.pb-c.h"
#include "util/error.h"
#include "util/varint.h"

#define ED25519_LEN 32
#define PRIVKEY_PROTO_MAX 8192 /* room for an RSA key we then refuse */

struct gg_privkey {
	EVP_PKEY *pkey;
	uint8_t pub[GG_ED25519_PUB_PROTO_LEN]; /* encoded PublicKey */
};

size_t gg_key_encode(enum gg_key_type type, const uint8_t *data, size_t n,
		     uint8_t *out, size_t outsz)
{
	uint8_t len[GG_VARINT_MAX_LEN];
	size_t ll = gg_varint_encode(n, len);

	if (ll == 0 || 3 + ll > outsz || n > outsz - 3 - ll)
		return 0;
	out[0] = 0x08; /* field 1, varint */
	out[1] = (uint8_t)type;
	out[2] = 0x12; /* field 2, length-delimited */
	memcpy(out + 3, len, ll);
	memcpy(out + 3 + ll, data, n);
	return 3 + ll + n;
}

/*
 * The unpacked message said (type, n bytes of Data); the input must be
 * exactly the canonical encoding of that, i.e. header bytes we would
 * write followed by the Data and nothing else.
 */
static int check_canonical(const uint8_t *p, size_t n, int type,
			   size_t datalen)
{
	uint8_t hdr[3 + GG_VARINT_MAX_LEN];
	size_t ll = gg_varint_encode(datalen, hdr + 3);

	hdr[0] = 0x08;
	hdr[1] = (uint8_t)type;
	hdr[2] = 0x12;
	if (ll == 0 || n != 3 + ll + datalen || memcmp(p, hdr, 3 + ll))
		return GG_EPARSE;
	return 0;
}

static int data_len_ok(int type, size_t n)
{
	switch (type) {
	case GG_KEY_ED25519:
		return n == ED25519_LEN;
	case GG_KEY_SECP256K1:
		return n == 33;
	default:
		return n > 0 && n <= GG_PUBKEY_PROTO_MAX;
	}
}

int gg_pubkey_decode(const uint8_t *pub, size_t publen,
		     enum gg_key_type *type, const uint8_t **data,
		     size_t *datalen)
{
	Crypto__Pb__PublicKey *m;
	int rc = GG_EPARSE, t;
	size_t dl;

	if (publen == 0 || publen > GG_PUBKEY_PROTO_MAX)
		return GG_EPARSE;
	m = crypto__pb__public_key__unpack(NULL, publen, pub);
	if (!m)
		return GG_EPARSE;
	t = (int)m->type;
	dl = m->data.len;
	if (t < GG_KEY_RSA || t > GG_KEY_ECDSA) {
		rc = GG_EUNSUPPORTED;
		goto out;
	}
	if (!data_len_ok(t, dl) || check_canonical(pub, publen, t, dl))
		goto out;
	*type = (enum gg_key_type)t;
	*data = pub + (publen - dl);
	*datalen = dl;
	rc = 0;
out:
	crypto__pb__public_key__free_unpacked(m, NULL);
	return rc;
}

static int fill_public(struct gg_privkey *k)
{
	uint8_t raw[ED25519_LEN];
	size_t len = sizeof(raw);

	if (!EVP_PKEY_get_raw_public_key(k->pkey, raw, &len) ||
	    len != ED25519_LEN)
		return GG_ECRYPTO;
	if (gg_key_encode(GG_KEY_ED25519, raw, len, k->pub, sizeof(k->pub)) !=
	    sizeof(k->pub))
		return GG_EINTERNAL;
	return 0;
}

static int privkey_wrap(EVP_PKEY *pkey, struct gg_privkey **out)
{
	struct gg_privkey *k = calloc(1, sizeof(*k));
	int rc;

	if (!k) {
		EVP_PKEY_free(pkey);
		return GG_ENOMEM;
	}
	k->pkey = pkey;
	rc = fill_public(k);
	if (rc) {
		gg_privkey_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

int gg_privkey_generate(struct gg_privkey **out)
{
	EVP_PKEY *pkey;

	*out = NULL;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!pkey) {
		ERR_clear_error();
		return GG_ECRYPTO;
	}
	return privkey_wrap(pkey, out);
}

/* Data is seed (32), seed||pub (64) or the legacy seed||pub||pub (96). */
static int privkey_from_data(const uint8_t *d, size_t n,
			     struct gg_privkey **out)
{
	struct gg_privkey *k = NULL;
	EVP_PKEY *pkey;
	int rc;

	if (n != 32 && n != 64 && n != 96)
		return GG_EPARSE;
	if (n == 96 && CRYPTO_memcmp(d + 32, d + 64, 32))
		return GG_ECORRUPT;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, 32);
	if (!pkey) {
		ERR_clear_error();
		return GG_ECRYPTO;
	}
	rc = privkey_wrap(pkey, &k);
	if (rc)
		return rc;
	/* The stored public half must be the one the seed derives. */
	if (n > 32 && CRYPTO_memcmp(k->pub + 4, d + 32, 32)) {
		gg_privkey_free(k);
		return GG_ECORRUPT;
	}
	*out = k;
	return 0;
}

int gg_privkey_from_proto(const uint8_t *p, size_t n, struct gg_privkey **out)
{
	Crypto__Pb__PrivateKey *m;
	int rc = GG_EPARSE, t;

	*out = NULL;
	if (n == 0 || n > PRIVKEY_PROTO_MAX)
		return GG_EPARSE;
	m = crypto__pb__private_key__unpack(NULL, n, p);
	if (!m)
		return GG_EPARSE;
	t = (int)m->type;
	if (t != GG_KEY_ED25519) {
		rc = GG_EUNSUPPORTED; /* we only ever hold Ed25519 */
		goto out;
	}
	if (check_canonical(p, n, t, m->data.len))
		goto out;
	rc = privkey_from_data(m->data.data, m->data.len, out);
out:
	if (m->data.data)
		OPENSSL_cleanse(m->data.data, m->data.len);
	crypto__pb__private_key__free_unpacked(m, NULL);
	return rc;
}

int gg_privkey_to_proto(const struct gg_privkey *k, struct gg_buf *out)
{
	uint8_t data[64], enc[4 + 64];
	size_t len = ED25519_LEN;
	int rc = GG_ECRYPTO;

	if (!EVP_PKEY_get_raw_private_key(k->pkey, data, &len) ||
	    len != ED25519_LEN)
		goto out;
	memcpy(data + 32, k->pub + 4, 32);
	if (gg_key_encode(GG_KEY_ED25519, data, 64, enc, sizeof(enc)) !=
	    sizeof(enc)) {
		rc = GG_EINTERNAL;
		goto out;
	}
	rc = gg_buf_add(out, enc, sizeof(enc));
out:
	OPENSSL_cleanse(data, sizeof(data));
	OPENSSL_cleanse(enc, sizeof(enc));
	return rc;
}

void gg_privkey_free(struct gg_privkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int gg_privkey_sign(const struct gg_privkey *k, const uint8_t *msg, size_t n,
		    uint8_t sig[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = GG_ED25519_SIG_LEN;
	int rc = GG_ECRYPTO;

	if (!md)
		return GG_ENOMEM;
	/* Ed25519 is "pure": no digest, the whole message in one call. */
	if (EVP_DigestSignInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestSign(md, sig, &siglen, msg, n) == 1 &&
	    siglen == GG_ED25519_SIG_LEN)
		rc = 0;
	else
		ERR_clear_error();
	EVP_MD_CTX_free(md);
	return rc;
}

const uint8_t *gg_privkey_public(const struct gg_privkey *k, size_t *len)
{
	*len = sizeof(k->pub);
	return k->pub;
}
