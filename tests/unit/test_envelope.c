/*
 * test_envelope.c - libp2p signed envelopes (RFC 0002): round trip, the
 * signing buffer rebuilt here by hand from the spec, domain separation,
 * tamper detection byte by byte, size caps, and an envelope sealed by a
 * remote RSA key (built here with OpenSSL and protobuf-c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/envelope.h"
#include "envelope.pb-c.h"
#include "util/error.h"
#include "util/varint.h"

#define DOMAIN "ggen-package-record"
#define PTYPE "/ggen/package-record/1"

static const char payload[] = "{\"name\":\"hello\",\"version\":\"1.0.0\"}";

static int setup(void **state)
{
	struct gg_privkey *k = NULL;

	if (gg_privkey_generate(&k))
		return -1;
	*state = k;
	return 0;
}

static int teardown(void **state)
{
	gg_privkey_free(*state);
	return 0;
}

static void seal(struct gg_privkey *k, struct gg_buf *b)
{
	gg_buf_init(b, 8192);
	assert_int_equal(gg_envelope_seal(k, DOMAIN, (const uint8_t *)PTYPE,
					  strlen(PTYPE),
					  (const uint8_t *)payload,
					  strlen(payload), b), 0);
}

static void roundtrip(void **state)
{
	struct gg_privkey *k = *state;
	struct gg_envelope env;
	struct gg_peerid id;
	struct gg_buf b;
	const uint8_t *pub;
	size_t publen;

	seal(k, &b);
	assert_int_equal(gg_envelope_open(b.data, b.len, 8192, DOMAIN, &env),
			 0);
	pub = gg_privkey_public(k, &publen);
	assert_int_equal(env.pubkey_len, publen);
	assert_memory_equal(env.pubkey, pub, publen);
	assert_int_equal(gg_peerid_from_pubkey(pub, publen, &id), 0);
	assert_true(gg_peerid_eq(&env.signer, &id));
	assert_int_equal(env.payload_type_len, strlen(PTYPE));
	assert_memory_equal(env.payload_type, PTYPE, strlen(PTYPE));
	assert_int_equal(env.payload_len, strlen(payload));
	assert_memory_equal(env.payload, payload, strlen(payload));
	gg_envelope_release(&env);
	assert_null(env.payload);
	gg_buf_release(&b);
}

/* The spec's buffer: uvarint-prefixed domain, type and payload. */
static void signing_buffer(void **state)
{
	struct gg_privkey *k = *state;
	Record__Pb__Envelope *m;
	uint8_t tbs[256], pub[64];
	size_t n = 0, publen;
	struct gg_buf b;

	seal(k, &b);
	m = record__pb__envelope__unpack(NULL, b.len, b.data);
	assert_non_null(m);
	assert_non_null(m->public_key);
	assert_int_equal(m->public_key->type, 1);
	tbs[n++] = (uint8_t)strlen(DOMAIN);
	memcpy(tbs + n, DOMAIN, strlen(DOMAIN));
	n += strlen(DOMAIN);
	tbs[n++] = (uint8_t)strlen(PTYPE);
	memcpy(tbs + n, PTYPE, strlen(PTYPE));
	n += strlen(PTYPE);
	tbs[n++] = (uint8_t)strlen(payload);
	memcpy(tbs + n, payload, strlen(payload));
	n += strlen(payload);
	memcpy(pub, gg_privkey_public(k, &publen), 36);
	assert_int_equal(m->signature.len, 64);
	assert_int_equal(gg_pubkey_verify(pub, publen, tbs, n,
					  m->signature.data, 64), 0);
	/* the field numbers on the wire: 0a key, 12 type, 1a payload, 2a sig */
	assert_int_equal(b.data[0], 0x0a);
	assert_int_equal(b.data[1], 36);
	assert_int_equal(b.data[38], 0x12);
	record__pb__envelope__free_unpacked(m, NULL);
	gg_buf_release(&b);
}

static void domain_separation(void **state)
{
	struct gg_envelope env;
	struct gg_buf b;

	seal(*state, &b);
	assert_int_equal(gg_envelope_open(b.data, b.len, 8192,
					  "libp2p-routing-record", &env),
			 GG_EBADSIG);
	assert_int_equal(gg_envelope_open(b.data, b.len, 8192, DOMAIN "x",
					  &env), GG_EBADSIG);
	assert_int_equal(gg_envelope_open(b.data, b.len, 8192, "", &env),
			 GG_EINVAL);
	gg_buf_release(&b);
}

static void tamper(void **state)
{
	struct gg_envelope env;
	struct gg_buf b;
	size_t i;
	int bit;

	seal(*state, &b);
	for (i = 0; i < b.len; i++) {
		for (bit = 0; bit < 8; bit += 7) {
			b.data[i] ^= (uint8_t)(1u << bit);
			if (gg_envelope_open(b.data, b.len, 8192, DOMAIN,
					     &env) == 0)
				fail_msg("byte %zu bit %d: accepted", i, bit);
			b.data[i] ^= (uint8_t)(1u << bit);
		}
	}
	for (i = 0; i < b.len; i++)
		assert_int_not_equal(gg_envelope_open(b.data, i, 8192, DOMAIN,
						      &env), 0);
	/* trailing junk that is not a field */
	b.data[b.len] = 0xff;
	assert_int_not_equal(gg_envelope_open(b.data, b.len + 1, 8192, DOMAIN,
					      &env), 0);
	gg_buf_release(&b);
}

static void caps_and_empties(void **state)
{
	struct gg_envelope env;
	/* key 38 + signature 66 + payload 2+6 bytes */
	struct gg_buf b = GG_BUF_INIT(112);
	uint8_t big[7] = "abcdefg";

	assert_int_equal(gg_envelope_seal(*state, DOMAIN, NULL, 0, big, 7,
					  &b), GG_ETOOBIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(gg_envelope_seal(*state, DOMAIN, NULL, 0, big, 6,
					  &b), 0);
	assert_int_equal(b.len, 112);
	assert_int_equal(gg_envelope_open(b.data, b.len, b.len, DOMAIN, &env),
			 0);
	assert_int_equal(env.payload_len, 6);
	gg_envelope_release(&env);
	gg_buf_reset(&b);
	assert_int_equal(gg_envelope_seal(*state, DOMAIN, NULL, 0, NULL, 0,
					  &b), 0);
	assert_int_equal(gg_envelope_open(b.data, b.len, b.len - 1, DOMAIN,
					  &env), GG_ETOOBIG);
	assert_int_equal(gg_envelope_open(b.data, b.len, b.len, DOMAIN, &env),
			 0);
	assert_int_equal(env.payload_len, 0);
	assert_int_equal(env.payload_type_len, 0);
	gg_envelope_release(&env);
	gg_buf_release(&b);
}

/* An envelope as a go peer with an RSA key would send it. */
static void remote_rsa(void **state)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	Record__Pb__Envelope m = RECORD__PB__ENVELOPE__INIT;
	Crypto__Pb__PublicKey key = CRYPTO__PB__PUBLIC_KEY__INIT;
	unsigned char *der = NULL;
	uint8_t tbs[128], sig[256], out[1024];
	size_t n = 0, siglen = sizeof(sig), len;
	struct gg_envelope env;
	char text[GG_PEERID_STR_MAX];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int derlen;

	(void)state;
	assert_non_null(pkey);
	derlen = i2d_PUBKEY(pkey, &der);
	assert_true(derlen > 0);
	tbs[n++] = 4;
	memcpy(tbs + n, "test", 4);
	n += 4;
	tbs[n++] = 1;
	tbs[n++] = 0x55;
	tbs[n++] = 3;
	memcpy(tbs + n, "abc", 3);
	n += 3;
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
					    pkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &siglen, tbs, n), 1);
	key.type = CRYPTO__PB__KEY_TYPE__RSA;
	key.data.data = der;
	key.data.len = (size_t)derlen;
	m.public_key = &key;
	m.payload_type.data = tbs + 6;
	m.payload_type.len = 1;
	m.payload.data = tbs + 8;
	m.payload.len = 3;
	m.signature.data = sig;
	m.signature.len = siglen;
	len = record__pb__envelope__pack(&m, out);
	assert_int_equal(gg_envelope_open(out, len, sizeof(out), "test", &env),
			 0);
	assert_int_equal(env.signer.len, 34);
	assert_int_equal(gg_peerid_to_str(&env.signer, text, sizeof(text)), 0);
	assert_memory_equal(text, "Qm", 2);
	assert_int_equal(env.payload_len, 3);
	gg_envelope_release(&env);
	out[len - 1] ^= 1;
	assert_int_equal(gg_envelope_open(out, len, sizeof(out), "test", &env),
			 GG_EBADSIG);
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(signing_buffer),
		cmocka_unit_test(domain_separation),
		cmocka_unit_test(tamper),
		cmocka_unit_test(caps_and_empties),
		cmocka_unit_test(remote_rsa),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
