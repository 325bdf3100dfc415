/*
 * test_crypto.c - SHA-256, our Ed25519 key and its protobufs, signature
 * verification for all four libp2p key types (keys generated here with
 * OpenSSL, as a remote peer would), peer IDs in both text forms, and the
 * identity.key file.  Vectors: FIPS 180-2 for SHA-256, libp2p/specs
 * peer-ids.md for the Ed25519 and secp256k1 keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "crypto/sha256.h"
#include "util/base.h"
#include "util/error.h"
#include "util/varint.h"

static const char spec_seed_hex[] =
	"7e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d";
static const char spec_pub_hex[] =
	"1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
static const char spec_id[] =
	"12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
static const char spec_cid[] =
	"bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6";

static size_t unhex(const char *h, uint8_t *out, size_t outsz)
{
	int n = gg_hex_decode(h, strlen(h), out, outsz);

	assert_true(n >= 0);
	return (size_t)n;
}

/* A libp2p key protobuf, built independently of key.c. */
static size_t key_proto(int type, const uint8_t *d, size_t n, uint8_t *out)
{
	size_t ll;

	out[0] = 0x08;
	out[1] = (uint8_t)type;
	out[2] = 0x12;
	ll = gg_varint_encode(n, out + 3);
	memcpy(out + 3 + ll, d, n);
	return 3 + ll + n;
}

static void sha256_vectors(void **state)
{
	uint8_t d[32], d2[32];
	char hex[65];
	struct gg_sha256_ctx *c;

	(void)state;
	gg_sha256("abc", 3, d);
	gg_hex_encode(d, 32, hex, sizeof(hex));
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	gg_sha256("", 0, d);
	gg_hex_encode(d, 32, hex, sizeof(hex));
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	assert_int_equal(gg_sha256_init(&c), 0);
	gg_sha256_update(c, "ab", 2);
	gg_sha256_update(c, "", 0);
	gg_sha256_update(c, "c", 1);
	gg_sha256_final(c, d2);
	gg_sha256("abc", 3, d);
	assert_memory_equal(d, d2, 32);
}

/* The peer-ids spec's Ed25519 key: seed -> public key -> peer ID. */
static void ed25519_spec_vector(void **state)
{
	uint8_t data[64], proto[80], pub[32];
	struct gg_buf b = GG_BUF_INIT(1024);
	struct gg_privkey *k = NULL;
	struct gg_peerid id;
	char text[GG_PEERID_STR_MAX];
	const uint8_t *p;
	size_t n, plen;

	(void)state;
	unhex(spec_seed_hex, data, 32);
	unhex(spec_pub_hex, data + 32, 32);
	unhex(spec_pub_hex, pub, 32);
	plen = key_proto(GG_KEY_ED25519, data, 64, proto);
	assert_int_equal(gg_privkey_from_proto(proto, plen, &k), 0);
	p = gg_privkey_public(k, &n);
	assert_int_equal(n, 36);
	assert_memory_equal(p, "\x08\x01\x12\x20", 4);
	assert_memory_equal(p + 4, pub, 32);
	assert_int_equal(gg_peerid_from_pubkey(p, n, &id), 0);
	assert_int_equal(id.len, 38);
	assert_int_equal(gg_peerid_to_str(&id, text, sizeof(text)), 0);
	assert_string_equal(text, spec_id);
	assert_int_equal(gg_peerid_to_cid(&id, text, sizeof(text)), 0);
	assert_string_equal(text, spec_cid);
	/* Deterministic encoding: we write back exactly what we read. */
	assert_int_equal(gg_privkey_to_proto(k, &b), 0);
	assert_int_equal(b.len, plen);
	assert_memory_equal(b.data, proto, plen);
	gg_buf_release(&b);
	gg_privkey_free(k);
	/* The bare 32-byte seed derives the same key. */
	plen = key_proto(GG_KEY_ED25519, data, 32, proto);
	assert_int_equal(gg_privkey_from_proto(proto, plen, &k), 0);
	p = gg_privkey_public(k, &n);
	assert_memory_equal(p + 4, pub, 32);
	gg_privkey_free(k);
}

static void privkey_rejects(void **state)
{
	uint8_t data[96], proto[120];
	struct gg_privkey *k = (struct gg_privkey *)1;
	size_t plen;

	(void)state;
	unhex(spec_seed_hex, data, 32);
	unhex(spec_pub_hex, data + 32, 32);
	unhex(spec_pub_hex, data + 64, 32);
	/* legacy seed||pub||pub is fine; a differing copy is not */
	plen = key_proto(GG_KEY_ED25519, data, 96, proto);
	assert_int_equal(gg_privkey_from_proto(proto, plen, &k), 0);
	gg_privkey_free(k);
	proto[plen - 1] ^= 1;
	assert_int_equal(gg_privkey_from_proto(proto, plen, &k), GG_ECORRUPT);
	assert_null(k);
	/* a public half that the seed does not derive */
	data[63] ^= 1;
	plen = key_proto(GG_KEY_ED25519, data, 64, proto);
	assert_int_equal(gg_privkey_from_proto(proto, plen, &k), GG_ECORRUPT);
	data[63] ^= 1;
	/* wrong lengths, truncation, other key types */
	plen = key_proto(GG_KEY_ED25519, data, 63, proto);
	assert_int_equal(gg_privkey_from_proto(proto, plen, &k), GG_EPARSE);
	plen = key_proto(GG_KEY_ED25519, data, 64, proto);
	assert_int_equal(gg_privkey_from_proto(proto, plen - 1, &k),
			 GG_EPARSE);
	assert_int_equal(gg_privkey_from_proto(proto, 0, &k), GG_EPARSE);
	plen = key_proto(GG_KEY_RSA, data, 64, proto);
	assert_int_equal(gg_privkey_from_proto(proto, plen, &k),
			 GG_EUNSUPPORTED);
	plen = key_proto(GG_KEY_SECP256K1, data, 32, proto);
	assert_int_equal(gg_privkey_from_proto(proto, plen, &k),
			 GG_EUNSUPPORTED);
	/* non-canonical: a trailing unknown field, fields reversed */
	plen = key_proto(GG_KEY_ED25519, data, 64, proto);
	proto[plen] = 0x18;
	proto[plen + 1] = 0x00;
	assert_int_equal(gg_privkey_from_proto(proto, plen + 2, &k),
			 GG_EPARSE);
	proto[0] = 0x12;
	proto[1] = 0x40;
	memcpy(proto + 2, data, 64);
	proto[66] = 0x08;
	proto[67] = 0x01;
	assert_int_equal(gg_privkey_from_proto(proto, 68, &k), GG_EPARSE);
	assert_null(k);
}

static void ed25519_sign_verify(void **state)
{
	static const uint8_t msg[] = "hello, libp2p";
	struct gg_privkey *k = NULL;
	uint8_t sig[64], pub[40];
	const uint8_t *p;
	size_t n;

	(void)state;
	assert_int_equal(gg_privkey_generate(&k), 0);
	assert_int_equal(gg_privkey_sign(k, msg, sizeof(msg), sig), 0);
	p = gg_privkey_public(k, &n);
	memcpy(pub, p, n);
	assert_int_equal(gg_pubkey_verify(pub, n, msg, sizeof(msg), sig, 64),
			 0);
	assert_int_equal(gg_pubkey_verify(pub, n, msg, sizeof(msg) - 1, sig,
					  64), GG_EBADSIG);
	assert_int_equal(gg_pubkey_verify(pub, n, msg, sizeof(msg), sig, 63),
			 GG_EBADSIG);
	sig[10] ^= 0x40;
	assert_int_equal(gg_pubkey_verify(pub, n, msg, sizeof(msg), sig, 64),
			 GG_EBADSIG);
	sig[10] ^= 0x40;
	assert_int_equal(gg_pubkey_verify(pub, n - 1, msg, sizeof(msg), sig,
					  64), GG_EPARSE);
	pub[1] = 7; /* an unknown key type */
	assert_int_equal(gg_pubkey_verify(pub, n, msg, sizeof(msg), sig, 64),
			 GG_EUNSUPPORTED);
	gg_privkey_free(k);
}

/* What a remote peer would send: its key's Data and an SHA-256 signature
 * made by OpenSSL directly. */
static size_t remote_sign(EVP_PKEY *pkey, const uint8_t *msg, size_t n,
			  uint8_t *sig, size_t sigsz)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = sigsz;

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
					    pkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &len, msg, n), 1);
	EVP_MD_CTX_free(ctx);
	return len;
}

static size_t spki_of(EVP_PKEY *pkey, uint8_t *out)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pkey, &der);

	assert_true(n > 0 && n < 1200);
	memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	return (size_t)n;
}

/* SEC1 compression by hand: 02|03 (parity of y) || x. */
static size_t compressed_point(EVP_PKEY *pkey, uint8_t *out)
{
	uint8_t full[65];
	size_t n = 0;

	assert_int_equal(EVP_PKEY_get_octet_string_param(
		pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, full, 65, &n), 1);
	assert_int_equal(n, 65);
	assert_int_equal(full[0], 0x04);
	out[0] = (uint8_t)(0x02 | (full[64] & 1));
	memcpy(out + 1, full + 1, 32);
	return 33;
}

/* Sign with pkey; verify through the protobuf; then the failures. */
static void remote_roundtrip(EVP_PKEY *pkey, int type, const uint8_t *data,
			     size_t dlen, size_t want_idlen)
{
	static const uint8_t msg[] = "a message from a remote peer";
	uint8_t pub[1300], sig[1100];
	struct gg_peerid id;
	char text[GG_PEERID_STR_MAX];
	size_t plen, slen;

	plen = key_proto(type, data, dlen, pub);
	slen = remote_sign(pkey, msg, sizeof(msg), sig, sizeof(sig));
	assert_int_equal(gg_pubkey_verify(pub, plen, msg, sizeof(msg), sig,
					  slen), 0);
	assert_int_equal(gg_pubkey_verify(pub, plen, msg, 5, sig, slen),
			 GG_EBADSIG);
	sig[slen / 2] ^= 1;
	assert_int_equal(gg_pubkey_verify(pub, plen, msg, sizeof(msg), sig,
					  slen), GG_EBADSIG);
	sig[slen / 2] ^= 1;
	assert_int_equal(gg_pubkey_verify(pub, plen, msg, sizeof(msg), sig,
					  slen - 1), GG_EBADSIG);
	/* a truncated key, both in the protobuf and inside its Data */
	assert_int_equal(gg_pubkey_verify(pub, plen - 1, msg, sizeof(msg),
					  sig, slen), GG_EPARSE);
	plen = key_proto(type, data, dlen - 1, pub);
	assert_int_not_equal(gg_pubkey_verify(pub, plen, msg, sizeof(msg),
					      sig, slen), 0);
	/* its peer ID: inlined when small, else hashed */
	plen = key_proto(type, data, dlen, pub);
	assert_int_equal(gg_peerid_from_pubkey(pub, plen, &id), 0);
	assert_int_equal(id.len, want_idlen);
	assert_int_equal(gg_peerid_to_str(&id, text, sizeof(text)), 0);
	if (want_idlen == 34)
		assert_memory_equal(text, "Qm", 2);
	assert_true(gg_peerid_matches_pubkey(&id, pub, plen));
}

static void remote_secp256k1(void **state)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	uint8_t d[65], pub[64];
	size_t n, plen;

	(void)state;
	assert_non_null(pkey);
	n = compressed_point(pkey, d);
	remote_roundtrip(pkey, GG_KEY_SECP256K1, d, n, 2 + 37);
	/* x = 2^256 - 1 is not a field element, so no point */
	memset(d + 1, 0xff, 32);
	plen = key_proto(GG_KEY_SECP256K1, d, 33, pub);
	assert_int_equal(gg_pubkey_verify(pub, plen, d, 1, d, 64), GG_EPARSE);
	EVP_PKEY_free(pkey);
	/* the spec's secp256k1 public key parses (the signature is junk) */
	plen = unhex("08021221037777e994e452c21604f91de093ce415f5432f7"
		     "01dd8cd1a7a6fea0e630bfca99", pub, sizeof(pub));
	assert_int_equal(gg_pubkey_verify(pub, plen, d, 1, d, 64),
			 GG_EBADSIG);
}

static void remote_ecdsa(void **state)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint8_t d[1200], pub[1300], sig[8] = { 0 };
	size_t n, plen;

	(void)state;
	assert_non_null(pkey);
	n = spki_of(pkey, d);
	remote_roundtrip(pkey, GG_KEY_ECDSA, d, n, 34);
	EVP_PKEY_free(pkey);
	/* P-384 is not one we accept */
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	assert_non_null(pkey);
	n = spki_of(pkey, d);
	plen = key_proto(GG_KEY_ECDSA, d, n, pub);
	assert_int_equal(gg_pubkey_verify(pub, plen, d, 1, sig, 8),
			 GG_EUNSUPPORTED);
	EVP_PKEY_free(pkey);
}

static void remote_rsa(void **state)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	uint8_t d[1200], pub[1300], sig[512];
	static const uint8_t msg[] = "m";
	size_t n, plen, slen;

	(void)state;
	assert_non_null(pkey);
	n = spki_of(pkey, d);
	remote_roundtrip(pkey, GG_KEY_RSA, d, n, 34);
	/* an SPKI with trailing bytes is not canonical */
	d[n] = 0;
	plen = key_proto(GG_KEY_RSA, d, n + 1, pub);
	slen = remote_sign(pkey, msg, 1, sig, sizeof(sig));
	assert_int_equal(gg_pubkey_verify(pub, plen, msg, 1, sig, slen),
			 GG_EPARSE);
	EVP_PKEY_free(pkey);
	/* 1024 bits: refused even with a correct signature */
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(pkey);
	n = spki_of(pkey, d);
	plen = key_proto(GG_KEY_RSA, d, n, pub);
	slen = remote_sign(pkey, msg, 1, sig, sizeof(sig));
	assert_int_equal(gg_pubkey_verify(pub, plen, msg, 1, sig, slen),
			 GG_EUNSUPPORTED);
	/* an RSA key labelled ECDSA */
	plen = key_proto(GG_KEY_ECDSA, d, n, pub);
	assert_int_equal(gg_pubkey_verify(pub, plen, msg, 1, sig, slen),
			 GG_EUNSUPPORTED);
	EVP_PKEY_free(pkey);
}

static void peerid_text(void **state)
{
	struct gg_peerid a, b;
	char text[GG_PEERID_STR_MAX];

	(void)state;
	assert_int_equal(gg_peerid_parse(spec_id, &a), 0);
	assert_int_equal(gg_peerid_parse(spec_cid, &b), 0);
	assert_true(gg_peerid_eq(&a, &b));
	assert_int_equal(gg_peerid_to_str(&b, text, sizeof(text)), 0);
	assert_string_equal(text, spec_id);
	assert_int_equal(gg_peerid_to_cid(&a, text, sizeof(text)), 0);
	assert_string_equal(text, spec_cid);
	/* a sha2-256 ID from the spec text */
	assert_int_equal(gg_peerid_parse(
		"QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", &a), 0);
	assert_int_equal(a.len, 34);
	assert_int_equal(gg_peerid_to_str(&a, text, sizeof(text)), 0);
	assert_string_equal(text,
			    "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
	assert_int_equal(gg_peerid_to_cid(&a, text, sizeof(text)), 0);
	assert_int_equal(gg_peerid_parse(text, &b), 0);
	assert_true(gg_peerid_eq(&a, &b));
	assert_int_equal(gg_peerid_to_str(&a, text, 10), GG_ETOOBIG);
}

static void peerid_rejects(void **state)
{
	static const char *const bad[] = {
		"", "1", "Qm", "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p",
		"12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq1",
		"12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p0",
		"QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5",
		"bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt",
		"BAFZAAJAIAEJCAHWR5D5OFRFBIS4L5D6UWR57HU5TJODRYPFM6YAQ6DSC2R2PZYT6",
		"xyz",
	};
	struct gg_peerid id;
	uint8_t mh[80];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(gg_peerid_parse(bad[i], &id), 0);
	memset(mh, 0x11, sizeof(mh));
	mh[0] = 0x13; /* sha2-512 code with a 32-byte digest */
	mh[1] = 32;
	assert_int_equal(gg_peerid_from_bytes(mh, 34, &id), GG_EPARSE);
	mh[0] = 0x12; /* sha2-256 with a length that does not match */
	assert_int_equal(gg_peerid_from_bytes(mh, 33, &id), GG_EPARSE);
	assert_int_equal(gg_peerid_from_bytes(mh, 35, &id), GG_EPARSE);
	mh[1] = 31;
	assert_int_equal(gg_peerid_from_bytes(mh, 33, &id), GG_EPARSE);
	mh[1] = 32;
	assert_int_equal(gg_peerid_from_bytes(mh, 34, &id), 0);
	/* identity: over 42 bytes, or not a key */
	mh[0] = 0x00;
	mh[1] = 43;
	assert_int_equal(gg_peerid_from_bytes(mh, 45, &id), GG_EPARSE);
	mh[1] = 32;
	assert_int_equal(gg_peerid_from_bytes(mh, 34, &id), GG_EPARSE);
	assert_int_equal(gg_peerid_from_bytes(mh, 0, &id), GG_EPARSE);
	assert_int_equal(gg_peerid_from_bytes(mh, 80, &id), GG_ETOOBIG);
	/* a CID with another codec (raw 0x55) around a valid multihash */
	mh[0] = 0x01;
	mh[1] = 0x55;
	mh[2] = 0x12;
	mh[3] = 32;
	{
		char text[GG_PEERID_STR_MAX];

		assert_true(gg_multibase_encode('b', mh, 36, text,
						sizeof(text)) > 0);
		assert_int_equal(gg_peerid_parse(text, &id), GG_EPARSE);
		mh[1] = 0x72;
		assert_true(gg_multibase_encode('b', mh, 36, text,
						sizeof(text)) > 0);
		assert_int_equal(gg_peerid_parse(text, &id), 0);
	}
}

static void mkhome(char *dir, size_t n)
{
	const char *base = getenv("TMPDIR_BASE");

	snprintf(dir, n, "%s/crypto-XXXXXX", base ? base : "/tmp");
	assert_non_null(mkdtemp(dir));
}

static void identity_file(void **state)
{
	struct gg_privkey *a = NULL, *b = NULL;
	char dir[512], path[600];
	const uint8_t *pa, *pb;
	struct stat st;
	size_t na, nb;
	int fd;

	(void)state;
	mkhome(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/identity.key", dir);
	assert_int_equal(gg_identity_load_or_create(dir, &a), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 68);
	assert_int_equal(gg_identity_load_or_create(dir, &b), 0);
	pa = gg_privkey_public(a, &na);
	pb = gg_privkey_public(b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(pa, pb, na);
	gg_privkey_free(b);
	/* group-readable: loaded, with a warning */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(gg_identity_load_or_create(dir, &b), 0);
	gg_privkey_free(b);
	/* a damaged file is an error, never silently replaced */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x08\x01\x12\x40zz", 6), 6);
	close(fd);
	b = (struct gg_privkey *)1;
	assert_int_equal(gg_identity_load_or_create(dir, &b), GG_EPARSE);
	assert_null(b);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 6);
	unlink(path);
	rmdir(dir);
	gg_privkey_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_vectors),
		cmocka_unit_test(ed25519_spec_vector),
		cmocka_unit_test(privkey_rejects),
		cmocka_unit_test(ed25519_sign_verify),
		cmocka_unit_test(remote_secp256k1),
		cmocka_unit_test(remote_ecdsa),
		cmocka_unit_test(remote_rsa),
		cmocka_unit_test(peerid_text),
		cmocka_unit_test(peerid_rejects),
		cmocka_unit_test(identity_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
