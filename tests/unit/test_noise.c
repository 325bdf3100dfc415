/*
 * test_noise.c - the Noise engine: two engines back to back in memory
 * (handshake, data both ways in odd splits, tampering, a wrong expected
 * peer, nonce exhaustion), a hand-rolled initiator that sends js-noise's
 * muxer extension, and known answers for HKDF and the ChaCha20-Poly1305
 * nonce layout (vectors computed with python3's hmac and cryptography).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "noise.pb-c.h"
#include "p2p/noise.h"
#include "p2p/noise_impl.h"
#include "util/base.h"
#include "util/buf.h"
#include "util/error.h"

struct side {
	struct gg_noise *n;
	struct gg_privkey *key;
	struct gg_buf out;
	struct gg_buf got;
	int ready;
	struct gg_peerid remote;
};

static int on_data(void *ud, const uint8_t *p, size_t n)
{
	struct side *s = ud;

	return gg_buf_add(&s->got, p, n);
}

static int on_ready(void *ud, const struct gg_peerid *remote)
{
	struct side *s = ud;

	s->ready++;
	s->remote = *remote;
	return 0;
}

static void side_init(struct side *s, int initiator,
		      const struct gg_peerid *expect)
{
	struct gg_noise_cfg cfg = { 0 };

	memset(s, 0, sizeof(*s));
	gg_buf_init(&s->out, 64u << 20);
	gg_buf_init(&s->got, 64u << 20);
	assert_int_equal(gg_privkey_generate(&s->key), 0);
	cfg.initiator = initiator;
	cfg.key = s->key;
	cfg.expect = expect;
	cfg.ud = s;
	cfg.on_ready = on_ready;
	cfg.on_data = on_data;
	assert_int_equal(gg_noise_new(&cfg, &s->n), 0);
}

static void side_release(struct side *s)
{
	gg_noise_free(s->n);
	gg_privkey_free(s->key);
	gg_buf_release(&s->out);
	gg_buf_release(&s->got);
}

/* Deliver a's output to b in pieces of step bytes. */
static int pump(struct side *a, struct side *b, size_t step)
{
	size_t off, k;
	int rc = 0;

	for (off = 0; off < a->out.len && !rc; off += k) {
		k = a->out.len - off < step ? a->out.len - off : step;
		rc = gg_noise_feed(b->n, a->out.data + off, k, &b->out);
	}
	gg_buf_reset(&a->out);
	return rc;
}

static int handshake(struct side *i, struct side *r, size_t step)
{
	int rc, k;

	rc = gg_noise_start(i->n, &i->out);
	for (k = 0; k < 4 && !rc && !(i->ready && r->ready); k++) {
		rc = pump(i, r, step);
		if (!rc)
			rc = pump(r, i, step);
	}
	return rc;
}

static void peer_of(struct side *s, struct gg_peerid *id)
{
	size_t n;
	const uint8_t *pub = gg_privkey_public(s->key, &n);

	assert_int_equal(gg_peerid_from_pubkey(pub, n, id), 0);
}

static void handshake_and_data(void **state)
{
	struct side i, r;
	struct gg_peerid pi, pr;
	const uint8_t *rp;
	size_t n, k, big = 200000;
	uint8_t *data = malloc(big);

	(void)state;
	side_init(&r, 0, NULL);
	peer_of(&r, &pr);
	side_init(&i, 1, &pr);
	peer_of(&i, &pi);
	assert_int_equal(gg_noise_state(i.n), GG_NOISE_HANDSHAKE);
	assert_int_equal(handshake(&i, &r, 7), 0);
	assert_int_equal(i.ready, 1);
	assert_int_equal(r.ready, 1);
	assert_true(gg_peerid_eq(&i.remote, &pr));
	assert_true(gg_peerid_eq(&r.remote, &pi));
	assert_true(gg_peerid_eq(gg_noise_remote(r.n), &pi));
	rp = gg_noise_remote_pubkey(i.n, &n);
	assert_int_equal(n, 36);
	assert_memory_equal(rp, gg_privkey_public(r.key, &k), 36);
	/* a large write is split into frames of at most 65519 bytes */
	for (k = 0; k < big; k++)
		data[k] = (uint8_t)(k * 7 + (k >> 9));
	assert_int_equal(gg_noise_write(i.n, data, big, &i.out), 0);
	assert_int_equal(i.out.len, big + 4 * GG_NOISE_FRAME_OVERHEAD);
	assert_int_equal(i.out.data[0] << 8 | i.out.data[1], 65535);
	assert_int_equal(pump(&i, &r, 1000), 0);
	assert_int_equal(r.got.len, big);
	assert_memory_equal(r.got.data, data, big);
	/* and back, in one piece */
	assert_int_equal(gg_noise_write(r.n, "pong", 4, &r.out), 0);
	assert_int_equal(pump(&r, &i, 1 << 20), 0);
	assert_int_equal(i.got.len, 4);
	assert_memory_equal(i.got.data, "pong", 4);
	free(data);
	side_release(&i);
	side_release(&r);
}

static void tampered_transport(void **state)
{
	struct side i, r;

	(void)state;
	side_init(&r, 0, NULL);
	side_init(&i, 1, NULL);
	assert_int_equal(handshake(&i, &r, 1 << 20), 0);
	assert_int_equal(gg_noise_write(i.n, "secret", 6, &i.out), 0);
	i.out.data[5] ^= 0x01;
	assert_int_equal(pump(&i, &r, 1 << 20), GG_ECRYPTO);
	assert_int_equal(gg_noise_state(r.n), GG_NOISE_FAILED);
	assert_int_equal(r.got.len, 0);
	/* sticky */
	assert_int_equal(gg_noise_write(i.n, "x", 1, &i.out), 0);
	assert_int_equal(pump(&i, &r, 1 << 20), GG_ECRYPTO);
	side_release(&i);
	side_release(&r);
}

static void tampered_handshake(void **state)
{
	struct side i, r;

	(void)state;
	side_init(&r, 0, NULL);
	side_init(&i, 1, NULL);
	assert_int_equal(gg_noise_start(i.n, &i.out), 0);
	assert_int_equal(pump(&i, &r, 1 << 20), 0);
	/* flip a bit in the responder's encrypted static key */
	r.out.data[2 + 40] ^= 0x80;
	assert_int_equal(pump(&r, &i, 1 << 20), GG_ECRYPTO);
	assert_int_equal(i.ready, 0);
	side_release(&i);
	side_release(&r);
}

static void wrong_peer(void **state)
{
	struct side i, r, other;
	struct gg_peerid po;

	(void)state;
	side_init(&other, 0, NULL);
	peer_of(&other, &po);
	side_init(&r, 0, NULL);
	side_init(&i, 1, &po);
	assert_int_equal(handshake(&i, &r, 1 << 20), GG_EPEERID);
	assert_int_equal(gg_noise_state(i.n), GG_NOISE_FAILED);
	assert_int_equal(gg_noise_error(i.n), GG_EPEERID);
	assert_int_equal(i.ready, 0);
	assert_int_equal(r.ready, 0);
	assert_null(gg_noise_remote(i.n));
	side_release(&i);
	side_release(&r);
	side_release(&other);
}

/* A side whose engine uses shared host state st (and st's key). */
static void side_shared(struct side *s, int initiator,
			struct gg_privkey *key, struct gg_noise_static *st)
{
	struct gg_noise_cfg cfg = { 0 };

	memset(s, 0, sizeof(*s));
	gg_buf_init(&s->out, 1u << 20);
	gg_buf_init(&s->got, 1u << 20);
	cfg.initiator = initiator;
	cfg.key = key;
	cfg.shared = st;
	cfg.ud = s;
	cfg.on_ready = on_ready;
	cfg.on_data = on_data;
	assert_int_equal(gg_noise_new(&cfg, &s->n), 0);
}

static void side_shared_release(struct side *s)
{
	gg_noise_free(s->n);
	gg_buf_release(&s->out);
	gg_buf_release(&s->got);
}

/*
 * Hosts share one static key per host: handshakes work, the second one
 * finds the remote's payload in the verified cache, and a payload whose
 * signature covers another static key is still refused although the
 * very same payload bytes verified before.
 */
static void shared_static_key(void **state)
{
	struct gg_privkey *ki, *kr;
	struct gg_noise_static *si, *sr, *evil;
	struct gg_peerid pi;
	struct side i, r;
	const uint8_t *pub;
	size_t n;
	int k;

	(void)state;
	assert_int_equal(gg_privkey_generate(&ki), 0);
	assert_int_equal(gg_privkey_generate(&kr), 0);
	assert_int_equal(gg_noise_static_new(ki, &si), 0);
	assert_int_equal(gg_noise_static_new(kr, &sr), 0);
	pub = gg_privkey_public(ki, &n);
	assert_int_equal(gg_peerid_from_pubkey(pub, n, &pi), 0);
	for (k = 0; k < 3; k++) {
		side_shared(&i, 1, ki, si);
		side_shared(&r, 0, kr, sr);
		assert_int_equal(handshake(&i, &r, 1 << 20), 0);
		assert_true(gg_peerid_eq(&r.remote, &pi));
		assert_int_equal(gg_noise_write(i.n, "x", 1, &i.out), 0);
		assert_int_equal(pump(&i, &r, 1 << 20), 0);
		assert_int_equal(r.got.len, 1);
		side_shared_release(&i);
		side_shared_release(&r);
		/* one entry each: later handshakes hit it */
		assert_int_equal(sr->nseen, 1);
		assert_int_equal(si->nseen, 1);
	}
	/* the initiator's signed payload sent with another static key */
	assert_int_equal(gg_noise_static_new(ki, &evil), 0);
	memcpy(evil->payload, si->payload, si->plen);
	evil->plen = si->plen;
	side_shared(&i, 1, ki, evil);
	side_shared(&r, 0, kr, sr);
	assert_int_equal(handshake(&i, &r, 1 << 20), GG_EBADSIG);
	assert_int_equal(r.ready, 0);
	assert_int_equal(gg_noise_error(r.n), GG_EBADSIG);
	assert_int_equal(sr->nseen, 1);
	side_shared_release(&i);
	side_shared_release(&r);
	gg_noise_static_free(evil);
	gg_noise_static_free(si);
	gg_noise_static_free(sr);
	gg_privkey_free(ki);
	gg_privkey_free(kr);
}

/* Pieces are one byte stream, cut into frames across piece boundaries. */
static void writev_pieces(void **state)
{
	static uint8_t a[12], b[70000], c[5], d[65519];
	struct gg_noise_iov v[5] = { { a, sizeof(a) }, { b, sizeof(b) },
				     { c, sizeof(c) }, { NULL, 0 },
				     { d, sizeof(d) } };
	size_t i, total = sizeof(a) + sizeof(b) + sizeof(c) + sizeof(d);
	struct side in, re;

	(void)state;
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 13 + 1);
	memset(a, 0xaa, sizeof(a));
	memset(c, 0xcc, sizeof(c));
	memset(d, 0xdd, sizeof(d));
	side_init(&re, 0, NULL);
	side_init(&in, 1, NULL);
	assert_int_equal(handshake(&in, &re, 1 << 20), 0);
	assert_int_equal(gg_noise_writev(in.n, v, 5, &in.out), 0);
	/* 148 536 bytes: two full frames and a third */
	assert_int_equal(in.out.len, total + 3 * GG_NOISE_FRAME_OVERHEAD);
	assert_int_equal(pump(&in, &re, 4096), 0);
	assert_int_equal(re.got.len, total);
	assert_memory_equal(re.got.data, a, sizeof(a));
	assert_memory_equal(re.got.data + 12, b, sizeof(b));
	assert_memory_equal(re.got.data + 12 + sizeof(b), c, sizeof(c));
	assert_memory_equal(re.got.data + 17 + sizeof(b), d, sizeof(d));
	/* nothing at all is fine too */
	assert_int_equal(gg_noise_writev(in.n, v + 3, 1, &in.out), 0);
	assert_int_equal(in.out.len, 0);
	side_release(&in);
	side_release(&re);
}

static void nonce_exhaustion(void **state)
{
	struct side i, r;

	(void)state;
	side_init(&r, 0, NULL);
	side_init(&i, 1, NULL);
	assert_int_equal(handshake(&i, &r, 1 << 20), 0);
	gg_noise_test_set_nonces(i.n, UINT64_MAX - 1, 0);
	gg_noise_test_set_nonces(r.n, 0, UINT64_MAX - 1);
	assert_int_equal(gg_noise_write(i.n, "a", 1, &i.out), 0);
	assert_int_equal(pump(&i, &r, 1 << 20), 0);
	assert_int_equal(r.got.len, 1);
	/* 2^64-1 is never used: the sender closes */
	assert_int_equal(gg_noise_write(i.n, "b", 1, &i.out), GG_ECLOSED);
	assert_int_equal(gg_noise_state(i.n), GG_NOISE_CLOSED);
	side_release(&i);
	side_release(&r);
}

static void junk_before_handshake(void **state)
{
	struct side r;
	static const uint8_t junk[] = { 0x00, 0x05, 1, 2, 3, 4, 5 };

	(void)state;
	side_init(&r, 0, NULL);
	/* message 1 shorter than an ephemeral key */
	assert_int_equal(gg_noise_feed(r.n, junk, sizeof(junk), &r.out),
			 GG_EPROTO);
	side_release(&r);
}

/* Encode a NoiseHandshakePayload with js-noise's muxer extension. */
static size_t js_payload(struct gg_privkey *key, const uint8_t spub[32],
			 uint8_t *buf)
{
	Noise__Pb__NoiseHandshakePayload pl =
		NOISE__PB__NOISE_HANDSHAKE_PAYLOAD__INIT;
	Noise__Pb__NoiseExtensions ext = NOISE__PB__NOISE_EXTENSIONS__INIT;
	char *mux[] = { (char *)"/yamux/1.0.0" };
	uint8_t msg[24 + 32], sig[64];
	size_t kl;

	memcpy(msg, GG_NOISE_SIG_PREFIX, 24);
	memcpy(msg + 24, spub, 32);
	assert_int_equal(gg_privkey_sign(key, msg, sizeof(msg), sig), 0);
	pl.has_identity_key = pl.has_identity_sig = 1;
	pl.identity_key.data = (uint8_t *)gg_privkey_public(key, &kl);
	pl.identity_key.len = kl;
	pl.identity_sig.data = sig;
	pl.identity_sig.len = 64;
	ext.n_stream_muxers = 1;
	ext.stream_muxers = mux;
	pl.extensions = &ext;
	return noise__pb__noise_handshake_payload__pack(&pl, buf);
}

static void frame(struct gg_buf *b, const uint8_t *m, size_t n)
{
	uint8_t l[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	assert_int_equal(gg_buf_add(b, l, 2), 0);
	assert_int_equal(gg_buf_add(b, m, n), 0);
}

/* An initiator written from the spec with the primitives, sending the
 * extension js-noise sends; our responder must accept it. */
static void accepts_muxer_extension(void **state)
{
	struct side r, fake;
	struct noise_ss ss;
	struct noise_cs c1 = { .keyed = -1 }, c2 = { .keyed = -1 };
	EVP_PKEY *e, *s;
	uint8_t epub[32], spub[32], re[32], rs[32], dh[32], m[1024];
	uint8_t pl[512], ct[64];
	size_t ml, ol, pll;
	struct gg_peerid pf;

	(void)state;
	side_init(&r, 0, NULL);
	side_init(&fake, 1, NULL); /* only for its key and buffers */
	assert_int_equal(noise_ss_init(&ss), 0);
	assert_int_equal(noise_dh_keygen(&e, epub), 0);
	assert_int_equal(noise_dh_keygen(&s, spub), 0);
	/* -> e */
	assert_int_equal(noise_ss_mix_hash(&ss, epub, 32), 0);
	assert_int_equal(noise_ss_encrypt_hash(&ss, NULL, 0, m, &ol), 0);
	frame(&fake.out, epub, 32);
	assert_int_equal(pump(&fake, &r, 1 << 20), 0);
	/* <- e, ee, s, es */
	ml = (size_t)r.out.data[0] << 8 | r.out.data[1];
	assert_int_equal(ml + 2, r.out.len);
	memcpy(m, r.out.data + 2, ml);
	gg_buf_reset(&r.out);
	memcpy(re, m, 32);
	assert_int_equal(noise_ss_mix_hash(&ss, re, 32), 0);
	assert_int_equal(noise_dh(e, re, dh), 0);
	assert_int_equal(noise_ss_mix_key(&ss, dh, 32), 0);
	assert_int_equal(noise_ss_decrypt_hash(&ss, m + 32, 48, rs, &ol), 0);
	assert_int_equal(noise_dh(e, rs, dh), 0);
	assert_int_equal(noise_ss_mix_key(&ss, dh, 32), 0);
	assert_int_equal(noise_ss_decrypt_hash(&ss, m + 80, ml - 80, pl,
					       &ol), 0);
	/* -> s, se, payload with extensions */
	assert_int_equal(noise_ss_encrypt_hash(&ss, spub, 32, m, &ml), 0);
	assert_int_equal(noise_dh(s, re, dh), 0);
	assert_int_equal(noise_ss_mix_key(&ss, dh, 32), 0);
	pll = js_payload(fake.key, spub, pl);
	assert_int_equal(noise_ss_encrypt_hash(&ss, pl, pll, m + ml, &ol), 0);
	frame(&fake.out, m, ml + ol);
	assert_int_equal(noise_ss_split(&ss, &c1, &c2), 0);
	/* transport from the first cipher state, in the same packet */
	assert_int_equal(noise_cs_encrypt(&c1, NULL, 0,
					  (const uint8_t *)"hi", 2, ct), 0);
	frame(&fake.out, ct, 2 + GG_NOISE_TAG_LEN);
	assert_int_equal(pump(&fake, &r, 1 << 20), 0);
	assert_int_equal(r.ready, 1);
	peer_of(&fake, &pf);
	assert_true(gg_peerid_eq(&r.remote, &pf));
	assert_int_equal(r.got.len, 2);
	assert_memory_equal(r.got.data, "hi", 2);
	/* and the responder sends with the second */
	assert_int_equal(gg_noise_write(r.n, "yo", 2, &r.out), 0);
	assert_int_equal(r.out.len, 2 + 2 + GG_NOISE_TAG_LEN);
	assert_int_equal(noise_cs_decrypt(&c2, NULL, 0, r.out.data + 2,
					  2 + GG_NOISE_TAG_LEN, ct), 0);
	assert_memory_equal(ct, "yo", 2);
	EVP_PKEY_free(e);
	EVP_PKEY_free(s);
	noise_ss_release(&ss);
	noise_cs_release(&c1);
	noise_cs_release(&c2);
	side_release(&r);
	side_release(&fake);
}

static void hex(const char *h, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void known_answers(void **state)
{
	uint8_t ck[32], ikm[33], o1[32], o2[32], w1[32], w2[32], k[32];
	uint8_t ct[27], want[27];
	struct noise_cs c = { .keyed = -1 };
	struct noise_ss ss;
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++)
		ck[i] = (uint8_t)i;
	for (i = 0; i < 33; i++)
		ikm[i] = (uint8_t)(100 + i);
	assert_int_equal(gg_noise_hkdf(ck, ikm, 33, o1, o2), 0);
	hex("bf765cb4125822c9e52e3b79a12378c75ca8ac6a5a78c37a3ca532096255151f",
	    w1, 32);
	hex("df2302485ad9f1e95cc95eedc48f913bae3541da3e22d9ebdcae1550a500df7c",
	    w2, 32);
	assert_memory_equal(o1, w1, 32);
	assert_memory_equal(o2, w2, 32);
	assert_int_equal(gg_noise_hkdf(ck, NULL, 0, o1, o2), 0);
	hex("1d7e0d6f1d9da2d68dabed53b5f88345f3fd01cb75411fbe5aa4293bd8f430d6",
	    w1, 32);
	assert_memory_equal(o1, w1, 32);
	/* nonce = 4 zero bytes || LE64(5) */
	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)(200 + i);
	noise_cs_set_key(&c, k);
	c.n = 5;
	assert_int_equal(noise_cs_encrypt(&c, (const uint8_t *)"AD", 2,
					  (const uint8_t *)"hello noise", 11,
					  ct), 0);
	hex("8461af6651de8af0d47c77e019069722185f37b3e0322331734c26", want, 27);
	assert_memory_equal(ct, want, 27);
	assert_true(c.n == 6);
	noise_cs_release(&c);
	/* the name is 32 bytes, so h starts as the name; then the empty
	 * prologue is mixed in: SHA-256(name) */
	assert_int_equal(noise_ss_init(&ss), 0);
	hex("f3d15e6108ed9556171207baa58f97d29a13c6be40595166066e2e0958dc002d",
	    w1, 32);
	assert_memory_equal(ss.h, w1, 32);
	assert_memory_equal(ss.ck, GG_NOISE_NAME, 32);
	noise_ss_release(&ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake_and_data),
		cmocka_unit_test(tampered_transport),
		cmocka_unit_test(tampered_handshake),
		cmocka_unit_test(wrong_peer),
		cmocka_unit_test(shared_static_key),
		cmocka_unit_test(writev_pieces),
		cmocka_unit_test(nonce_exhaustion),
		cmocka_unit_test(junk_before_handshake),
		cmocka_unit_test(accepts_muxer_extension),
		cmocka_unit_test(known_answers),
	};

	return cmocka_run_group_tests_name("noise", tests, NULL, NULL);
}
