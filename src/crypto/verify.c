/*
 * verify.c - signature verification for remote keys of all four libp2p
 * key types (libp2p/specs peer-ids.md):
 *
 *   Ed25519    Data = raw 32-byte key; plain Ed25519 over the message.
 *   secp256k1  Data = 33-byte compressed point; DER ECDSA over SHA-256.
 *   ECDSA      Data = DER SubjectPublicKeyInfo, P-256 only; DER ECDSA
 *              over SHA-256.
 *   RSA        Data = DER SubjectPublicKeyInfo, 2048..8192 bits;
 *              PKCS#1 v1.5 over SHA-256.
 *
 * The DER key encodings must be canonical (re-encoding gives the same
 * bytes): an RSA or ECDSA peer ID is the hash of these bytes, so one key
 * must have one encoding.  Every OpenSSL failure is cleared from the
 * thread's error queue here, so callers never see stale errors.
 */
#include <limits.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include "crypto/key.h"
#include "util/error.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192
#define SIG_MAX 1024 /* an RSA-8192 signature */

/* Parse a DER SubjectPublicKeyInfo of the given EVP_PKEY_* type; the
 * whole input, canonically encoded. */
static int spki_decode(const uint8_t *d, size_t n, int want,
		       EVP_PKEY **out)
{
	const unsigned char *p = d;
	unsigned char *re = NULL;
	EVP_PKEY *pkey;
	int relen, rc = GG_EPARSE;

	if (n > LONG_MAX)
		return GG_EPARSE;
	pkey = d2i_PUBKEY(NULL, &p, (long)n);
	if (!pkey)
		return GG_EPARSE;
	if ((size_t)(p - d) != n)
		goto out;
	if (EVP_PKEY_get_base_id(pkey) != want) {
		rc = GG_EUNSUPPORTED;
		goto out;
	}
	relen = i2d_PUBKEY(pkey, &re);
	if (relen < 0 || (size_t)relen != n || memcmp(re, d, n))
		goto out;
	*out = pkey;
	pkey = NULL; /* transferred */
	rc = 0;
out:
	OPENSSL_free(re);
	EVP_PKEY_free(pkey);
	return rc;
}

static int rsa_key(const uint8_t *d, size_t n, EVP_PKEY **out)
{
	int rc = spki_decode(d, n, EVP_PKEY_RSA, out);
	int bits;

	if (rc)
		return rc;
	bits = EVP_PKEY_get_bits(*out);
	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return GG_EUNSUPPORTED;
	}
	return 0;
}

static int ecdsa_key(const uint8_t *d, size_t n, EVP_PKEY **out)
{
	char group[64];
	size_t glen = 0;
	int rc = spki_decode(d, n, EVP_PKEY_EC, out);

	if (rc)
		return rc;
	if (!EVP_PKEY_get_utf8_string_param(*out, OSSL_PKEY_PARAM_GROUP_NAME,
					    group, sizeof(group), &glen) ||
	    strcmp(group, "prime256v1")) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return GG_EUNSUPPORTED;
	}
	return 0;
}

/* A compressed point (02|03 || x); decompressing it checks the curve. */
static int secp256k1_key(const uint8_t *d, size_t n, EVP_PKEY **out)
{
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx;
	int rc = GG_EPARSE;

	if (n != 33 || (d[0] != 0x02 && d[0] != 0x03))
		return GG_EPARSE;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx)
		return GG_ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(
		OSSL_PKEY_PARAM_GROUP_NAME, (char *)"secp256k1", 0);
	params[1] = OSSL_PARAM_construct_octet_string(
		OSSL_PKEY_PARAM_PUB_KEY, (void *)d, n);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static int ed25519_key(const uint8_t *d, size_t n, EVP_PKEY **out)
{
	*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, d, n);
	return *out ? 0 : GG_EPARSE;
}

/* md NULL: a pure signature scheme (Ed25519); else hash-then-sign. */
static int verify_with(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *msg,
		       size_t n, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = GG_EBADSIG;

	if (!ctx)
		return GG_ENOMEM;
	if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, msg, n) == 1)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	return rc;
}

int gg_pubkey_verify(const uint8_t *pub, size_t publen, const uint8_t *msg,
		     size_t n, const uint8_t *sig, size_t siglen)
{
	enum gg_key_type type;
	const uint8_t *d;
	const EVP_MD *md = EVP_sha256();
	EVP_PKEY *pkey = NULL;
	size_t dl;
	int rc;

	rc = gg_pubkey_decode(pub, publen, &type, &d, &dl);
	if (rc)
		return rc;
	switch (type) {
	case GG_KEY_ED25519:
		md = NULL;
		rc = ed25519_key(d, dl, &pkey);
		break;
	case GG_KEY_SECP256K1:
		rc = secp256k1_key(d, dl, &pkey);
		break;
	case GG_KEY_ECDSA:
		rc = ecdsa_key(d, dl, &pkey);
		break;
	case GG_KEY_RSA:
		rc = rsa_key(d, dl, &pkey);
		break;
	default:
		rc = GG_EUNSUPPORTED;
	}
	if (rc)
		goto out;
	if (!siglen || siglen > SIG_MAX ||
	    (type == GG_KEY_ED25519 && siglen != GG_ED25519_SIG_LEN)) {
		rc = GG_EBADSIG;
		goto out;
	}
	rc = verify_with(pkey, md, msg, n, sig, siglen);
out:
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}
