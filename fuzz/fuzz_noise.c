/* fuzz_noise.c - the Noise engine on hostile input.  The first byte picks:
 *  0: raw bytes to a fresh responder (framing, message 1, what follows);
 *  1: raw bytes to an initiator that sent message 1;
 *  2: a correct handshake whose message-3 payload is the input, so the
 *     NoiseHandshakePayload decoder and identity checks see anything;
 *  3: raw bytes as transport frames to a responder after a handshake.
 * Nothing may crash or leak, and a failed engine must stay failed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/key.h"
#include "p2p/noise.h"
#include "p2p/noise_impl.h"
#include "util/buf.h"

static int on_data(void *ud, const uint8_t *p, size_t n)
{
	return gg_buf_add(ud, p, n) ? -1 : 0;
}

static struct gg_noise *engine(struct gg_privkey *k, int init,
			       struct gg_buf *got)
{
	struct gg_noise_cfg c = { 0 };
	struct gg_noise *n = NULL;

	c.initiator = init;
	c.key = k;
	c.ud = got;
	c.on_data = on_data;
	if (gg_noise_new(&c, &n))
		__builtin_trap();
	return n;
}

static void frame(struct gg_buf *b, const uint8_t *m, size_t n)
{
	uint8_t l[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	gg_buf_add(b, l, 2);
	gg_buf_add(b, m, n);
}

/* Play an initiator by hand up to message 3 carrying payload p. */
static void forged_payload(struct gg_noise *r, const uint8_t *p, size_t n)
{
	struct gg_buf a = GG_BUF_INIT(1 << 20), b = GG_BUF_INIT(1 << 20);
	struct noise_ss ss;
	EVP_PKEY *e = NULL, *s = NULL;
	uint8_t epub[32], spub[32], re[32], rs[32], dh[32], *m;
	size_t ml, ol;

	m = malloc(70000);
	if (!m || noise_ss_init(&ss) || noise_dh_keygen(&e, epub) ||
	    noise_dh_keygen(&s, spub))
		__builtin_trap();
	noise_ss_mix_hash(&ss, epub, 32);
	noise_ss_mix_hash(&ss, NULL, 0);
	frame(&a, epub, 32);
	if (gg_noise_feed(r, a.data, a.len, &b) || b.len < 2 + 96)
		__builtin_trap();
	ml = b.len - 2;
	memcpy(re, b.data + 2, 32);
	noise_ss_mix_hash(&ss, re, 32);
	noise_dh(e, re, dh);
	noise_ss_mix_key(&ss, dh, 32);
	if (noise_ss_decrypt_hash(&ss, b.data + 34, 48, rs, &ol))
		__builtin_trap();
	noise_dh(e, rs, dh);
	noise_ss_mix_key(&ss, dh, 32);
	if (noise_ss_decrypt_hash(&ss, b.data + 82, ml - 80, m, &ol))
		__builtin_trap();
	noise_ss_encrypt_hash(&ss, spub, 32, m, &ml);
	noise_dh(s, re, dh);
	noise_ss_mix_key(&ss, dh, 32);
	if (n > 65535 - 48 - 16)
		n = 65535 - 48 - 16;
	noise_ss_encrypt_hash(&ss, p, n, m + ml, &ol);
	gg_buf_reset(&a);
	frame(&a, m, ml + ol);
	gg_noise_feed(r, a.data, a.len, &b);
	EVP_PKEY_free(e);
	EVP_PKEY_free(s);
	noise_ss_release(&ss);
	gg_buf_release(&a);
	gg_buf_release(&b);
	free(m);
}

static void pair(struct gg_privkey *k, struct gg_noise **i,
		 struct gg_noise **r, struct gg_buf *got)
{
	struct gg_buf a = GG_BUF_INIT(1 << 20), b = GG_BUF_INIT(1 << 20);

	*i = engine(k, 1, got);
	*r = engine(k, 0, got);
	if (gg_noise_start(*i, &a) || gg_noise_feed(*r, a.data, a.len, &b))
		__builtin_trap();
	gg_buf_reset(&a);
	if (gg_noise_feed(*i, b.data, b.len, &a) ||
	    gg_noise_feed(*r, a.data, a.len, &b) ||
	    gg_noise_state(*r) != GG_NOISE_READY)
		__builtin_trap();
	gg_buf_release(&a);
	gg_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gg_buf got = GG_BUF_INIT(1 << 20), out = GG_BUF_INIT(1 << 20);
	struct gg_privkey *k = NULL;
	struct gg_noise *n = NULL, *i = NULL;
	size_t cut;
	int rc;

	if (size < 2 || gg_privkey_generate(&k))
		return 0;
	cut = data[1] % (size - 1);
	switch (data[0] & 3) {
	case 0:
	case 1:
		n = engine(k, data[0] & 1, &got);
		if (data[0] & 1)
			gg_noise_start(n, &out);
		rc = gg_noise_feed(n, data + 2, cut, &out);
		if (!rc)
			rc = gg_noise_feed(n, data + 2 + cut, size - 2 - cut,
					   &out);
		if (rc && gg_noise_feed(n, data, 1, &out) != rc)
			__builtin_trap(); /* sticky */
		break;
	case 2:
		n = engine(k, 0, &got);
		forged_payload(n, data + 2, size - 2);
		break;
	default:
		pair(k, &i, &n, &got);
		rc = gg_noise_feed(n, data + 2, size - 2, &out);
		if (rc == 0 && got.len > size)
			__builtin_trap();
		break;
	}
	gg_noise_free(n);
	gg_noise_free(i);
	gg_privkey_free(k);
	gg_buf_release(&got);
	gg_buf_release(&out);
	return 0;
}
