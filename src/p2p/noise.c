/*
 * noise.c - the libp2p Noise XX handshake, framing and transport (see
 * noise.h); the symmetric primitives live in noise_crypto.c.
 *
 * Framing: a complete frame found in the caller's bytes is processed in
 * place; only a frame split across feeds is copied into ibuf (at most
 * 2 + 65535 bytes).  Transport frames are decrypted into one scratch
 * buffer allocated at Split and handed to on_data.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "noise.pb-c.h"
#include "p2p/noise.h"
#include "p2p/noise_impl.h"
#include "util/error.h"
#include "util/log.h"

#define FRAME_MAX (2 + GG_NOISE_MAX_FRAME)
#define SIG_MAX 1024 /* an RSA-8192 signature */

struct gg_noise {
	struct gg_noise_cfg cfg;
	struct gg_noise_static *st; /* shared static key, or NULL */
	struct gg_peerid expect;
	int has_expect;
	enum gg_noise_state state;
	int err;
	int step;              /* handshake messages done so far */
	struct noise_ss ss;
	EVP_PKEY *e, *s;
	uint8_t epub[32], spub[32], re[32], rs[32];
	struct noise_cs tx, rx;
	struct gg_peerid remote;
	uint8_t rpub[GG_PUBKEY_PROTO_MAX];
	size_t rpublen;
	uint8_t *ibuf;         /* a partial frame: FRAME_MAX bytes */
	size_t ilen;
	uint8_t *scratch;      /* GG_NOISE_MAX_FRAME bytes */
	size_t dirty;          /* bytes of ibuf / scratch ever written */
};

static int fail(struct gg_noise *n, int err)
{
	if (n->state == GG_NOISE_HANDSHAKE || n->state == GG_NOISE_READY) {
		n->state = err == GG_ECLOSED ? GG_NOISE_CLOSED
					     : GG_NOISE_FAILED;
		n->err = err;
		gg_debug("noise", "connection failed: %s", gg_strerror(err));
	}
	return n->err;
}

int gg_noise_new(const struct gg_noise_cfg *cfg, struct gg_noise **out)
{
	struct gg_noise *n = NULL;
	int rc = GG_EINVAL;

	*out = NULL;
	if (!cfg || !cfg->key || !cfg->on_data)
		goto out;
	rc = GG_ENOMEM;
	n = calloc(1, sizeof(*n));
	if (!n)
		goto out;
	n->cfg = *cfg;
	n->cfg.expect = NULL;
	if (cfg->expect) {
		n->expect = *cfg->expect;
		n->has_expect = 1;
	}
	n->tx.keyed = n->rx.keyed = -1;
	n->ibuf = malloc(FRAME_MAX);
	n->scratch = malloc(GG_NOISE_MAX_FRAME);
	if (!n->ibuf || !n->scratch)
		goto out;
	rc = noise_ss_init(&n->ss);
	if (!rc)
		rc = noise_static_take_e(cfg->shared, &n->e, n->epub);
	if (rc)
		goto out;
	n->st = cfg->shared;
	if (n->st)
		n->ss.md = n->st->md;
	if (n->st && EVP_PKEY_up_ref(n->st->s)) {
		n->s = n->st->s;
		memcpy(n->spub, n->st->spub, 32);
	} else {
		n->st = NULL;
		rc = noise_dh_keygen(&n->s, n->spub);
	}
	if (rc)
		goto out;
	*out = n;
	n = NULL; /* transferred */
out:
	gg_noise_free(n);
	return rc;
}

void gg_noise_free(struct gg_noise *n)
{
	if (!n)
		return;
	EVP_PKEY_free(n->e);
	EVP_PKEY_free(n->s);
	noise_ss_release(&n->ss);
	noise_cs_release(&n->tx);
	noise_cs_release(&n->rx);
	/* wipe what was used: most connections never see a large frame */
	if (n->ibuf)
		OPENSSL_cleanse(n->ibuf, n->dirty < FRAME_MAX ? n->dirty
							      : FRAME_MAX);
	if (n->scratch)
		OPENSSL_cleanse(n->scratch, n->dirty < GG_NOISE_MAX_FRAME
						? n->dirty : GG_NOISE_MAX_FRAME);
	free(n->ibuf);
	free(n->scratch);
	OPENSSL_cleanse(n, sizeof(*n));
	free(n);
}

/* Append a 2-byte length and reserve room for a message of up to max
 * bytes; returns where the message goes. */
static uint8_t *frame_begin(struct gg_buf *out, size_t max, int *rc)
{
	*rc = gg_buf_reserve(out, 2 + max);
	if (*rc)
		return NULL;
	return out->data + out->len + 2;
}

static void frame_end(struct gg_buf *out, size_t len)
{
	out->data[out->len] = (uint8_t)(len >> 8);
	out->data[out->len + 1] = (uint8_t)len;
	out->len += 2 + len;
	out->data[out->len] = 0;
}

/* Our NoiseHandshakePayload, packed into buf (at most 2 KiB). */
static int make_payload(struct gg_noise *n, uint8_t *buf, size_t *len)
{
	if (!n->st)
		return noise_make_payload(n->cfg.key, n->spub, buf, 2048, len);
	memcpy(buf, n->st->payload, n->st->plen);
	*len = n->st->plen;
	return 0;
}

/* Verify the payload's signature over rs, unless the host's cache says
 * these very bytes verified before. */
static int verify_sig(struct gg_noise *n, const uint8_t *p, size_t len,
		      const Noise__Pb__NoiseHandshakePayload *pl)
{
	static const char pre[] = GG_NOISE_SIG_PREFIX;
	uint8_t msg[sizeof(pre) - 1 + 32], key[32];
	int seen = n->st ? noise_static_seen(n->st, n->rs, p, len, key) : -1;
	int rc;

	if (seen == 1)
		return 0;
	memcpy(msg, pre, sizeof(pre) - 1);
	memcpy(msg + sizeof(pre) - 1, n->rs, 32);
	rc = gg_pubkey_verify(pl->identity_key.data, pl->identity_key.len,
			      msg, sizeof(msg), pl->identity_sig.data,
			      pl->identity_sig.len);
	if (rc == 0 && seen == 0)
		noise_static_remember(n->st, key);
	return rc;
}

/* Check the remote's payload against its static key rs and remember its
 * identity. */
static int check_payload(struct gg_noise *n, const uint8_t *p, size_t len)
{
	Noise__Pb__NoiseHandshakePayload *pl;
	int rc = GG_EPARSE;

	pl = noise__pb__noise_handshake_payload__unpack(NULL, len, p);
	if (!pl || !pl->has_identity_key || !pl->has_identity_sig ||
	    pl->identity_key.len == 0 ||
	    pl->identity_key.len > GG_PUBKEY_PROTO_MAX ||
	    pl->identity_sig.len == 0 || pl->identity_sig.len > SIG_MAX)
		goto out;
	rc = verify_sig(n, p, len, pl);
	if (rc)
		goto out;
	rc = gg_peerid_from_pubkey(pl->identity_key.data,
				   pl->identity_key.len, &n->remote);
	if (rc)
		goto out;
	if (n->has_expect && !gg_peerid_eq(&n->expect, &n->remote)) {
		rc = GG_EPEERID;
		goto out;
	}
	memcpy(n->rpub, pl->identity_key.data, pl->identity_key.len);
	n->rpublen = pl->identity_key.len;
out:
	if (pl)
		noise__pb__noise_handshake_payload__free_unpacked(pl, NULL);
	return rc;
}

int gg_noise_start(struct gg_noise *n, struct gg_buf *out)
{
	uint8_t *m;
	size_t pl;
	int rc;

	if (n->state != GG_NOISE_HANDSHAKE)
		return n->err ? n->err : GG_EINVAL;
	if (!n->cfg.initiator)
		return 0;
	if (n->step != 0 || !out)
		return GG_EINVAL;
	/* -> e, with an empty payload */
	m = frame_begin(out, 32, &rc);
	if (!m)
		return fail(n, rc);
	memcpy(m, n->epub, 32);
	rc = noise_ss_mix_hash(&n->ss, n->epub, 32);
	if (!rc)
		rc = noise_ss_encrypt_hash(&n->ss, NULL, 0, m + 32, &pl);
	if (rc)
		return fail(n, rc);
	frame_end(out, 32 + pl);
	n->step = 1;
	return 0;
}

/* Both sides: "s" then the DH, then our payload; at m (room for 2.2 KiB).
 * dh_key/dh_pub give the DH after s (es for the responder: DH(s, re);
 * se for the initiator: DH(s, re)). */
static int write_s_payload(struct gg_noise *n, uint8_t *m, size_t *len)
{
	uint8_t dh[32], pl[2048];
	size_t sl = 0, pll = 0, cl = 0;
	int rc;

	rc = noise_ss_encrypt_hash(&n->ss, n->spub, 32, m, &sl);
	if (!rc)
		rc = noise_dh(n->s, n->re, dh);
	if (!rc)
		rc = noise_ss_mix_key(&n->ss, dh, 32);
	if (!rc)
		rc = make_payload(n, pl, &pll);
	if (!rc)
		rc = noise_ss_encrypt_hash(&n->ss, pl, pll, m + sl, &cl);
	OPENSSL_cleanse(dh, sizeof(dh));
	*len = sl + cl;
	return rc;
}

/* Both sides: read "s" (48 bytes) into rs, MixKey(DH(e, rs)), then the
 * payload. */
static int read_s_payload(struct gg_noise *n, const uint8_t *m, size_t len)
{
	uint8_t dh[32];
	size_t ol;
	int rc;

	if (len < 48 + GG_NOISE_TAG_LEN || !n->ss.cs.has_k)
		return GG_EPROTO;
	rc = noise_ss_decrypt_hash(&n->ss, m, 48, n->rs, &ol);
	if (!rc)
		rc = noise_dh(n->e, n->rs, dh);
	if (!rc)
		rc = noise_ss_mix_key(&n->ss, dh, 32);
	OPENSSL_cleanse(dh, sizeof(dh));
	if (!rc)
		rc = noise_ss_decrypt_hash(&n->ss, m + 48, len - 48,
					   n->scratch, &ol);
	if (!rc)
		rc = check_payload(n, n->scratch, ol);
	return rc;
}

static int become_ready(struct gg_noise *n)
{
	int rc;

	if (n->cfg.initiator)
		rc = noise_ss_split(&n->ss, &n->tx, &n->rx);
	else
		rc = noise_ss_split(&n->ss, &n->rx, &n->tx);
	if (rc)
		return rc;
	noise_ss_release(&n->ss);
	EVP_PKEY_free(n->e);
	n->e = NULL;
	n->state = GG_NOISE_READY;
	if (n->cfg.on_ready)
		rc = n->cfg.on_ready(n->cfg.ud, &n->remote);
	return rc;
}

/* Responder got "e" (message 1): answer with e, ee, s, es, payload. */
static int responder_msg1(struct gg_noise *n, const uint8_t *m, size_t len,
			  struct gg_buf *out)
{
	uint8_t dh[32], *w;
	size_t ol;
	int rc;

	if (len < 32)
		return GG_EPROTO;
	memcpy(n->re, m, 32);
	rc = noise_ss_mix_hash(&n->ss, n->re, 32);
	if (!rc) /* an (unexpected) plaintext payload is hashed, ignored */
		rc = noise_ss_decrypt_hash(&n->ss, m + 32, len - 32,
					   n->scratch, &ol);
	w = rc ? NULL : frame_begin(out, 32 + 48 + 2048 + 16, &rc);
	if (!w)
		return rc;
	memcpy(w, n->epub, 32);
	rc = noise_ss_mix_hash(&n->ss, n->epub, 32);
	if (!rc)
		rc = noise_dh(n->e, n->re, dh);
	if (!rc)
		rc = noise_ss_mix_key(&n->ss, dh, 32);
	OPENSSL_cleanse(dh, sizeof(dh));
	/* es from the responder's side is DH(s, re) */
	if (!rc)
		rc = write_s_payload(n, w + 32, &ol);
	if (!rc)
		frame_end(out, 32 + ol);
	n->step = 2;
	return rc;
}

/* Initiator got message 2: e, ee, s, es, payload; answer s, se, payload. */
static int initiator_msg2(struct gg_noise *n, const uint8_t *m, size_t len,
			  struct gg_buf *out)
{
	uint8_t dh[32], *w;
	size_t ol;
	int rc;

	if (len < 32 + 48 + GG_NOISE_TAG_LEN)
		return GG_EPROTO;
	memcpy(n->re, m, 32);
	rc = noise_ss_mix_hash(&n->ss, n->re, 32);
	if (!rc)
		rc = noise_dh(n->e, n->re, dh);
	if (!rc)
		rc = noise_ss_mix_key(&n->ss, dh, 32);
	OPENSSL_cleanse(dh, sizeof(dh));
	/* es from the initiator's side is DH(e, rs) */
	if (!rc)
		rc = read_s_payload(n, m + 32, len - 32);
	w = rc ? NULL : frame_begin(out, 48 + 2048 + 16, &rc);
	if (!w)
		return rc;
	/* se from the initiator's side is DH(s, re) */
	rc = write_s_payload(n, w, &ol);
	if (rc)
		return rc;
	frame_end(out, ol);
	n->step = 3;
	return become_ready(n);
}

static int handshake_msg(struct gg_noise *n, const uint8_t *m, size_t len,
			 struct gg_buf *out)
{
	if (!out)
		return GG_EINVAL;
	if (!n->cfg.initiator && n->step == 0)
		return responder_msg1(n, m, len, out);
	if (n->cfg.initiator && n->step == 1)
		return initiator_msg2(n, m, len, out);
	if (!n->cfg.initiator && n->step == 2) {
		/* message 3: s, se (DH(e, rs) on this side), payload */
		int rc = read_s_payload(n, m, len);

		n->step = 3;
		return rc ? rc : become_ready(n);
	}
	return GG_EPROTO;
}

static int transport_msg(struct gg_noise *n, const uint8_t *m, size_t len)
{
	int rc;

	if (len < GG_NOISE_TAG_LEN)
		return GG_EPROTO;
	rc = noise_cs_decrypt(&n->rx, NULL, 0, m, len, n->scratch);
	if (rc)
		return rc;
	if (len == GG_NOISE_TAG_LEN)
		return 0;
	return n->cfg.on_data(n->cfg.ud, n->scratch, len - GG_NOISE_TAG_LEN);
}

static void touch(struct gg_noise *n, size_t k)
{
	if (k > n->dirty)
		n->dirty = k;
}

static int one_frame(struct gg_noise *n, const uint8_t *m, size_t len,
		     struct gg_buf *out)
{
	touch(n, len + 2);
	if (n->state == GG_NOISE_READY)
		return transport_msg(n, m, len);
	return handshake_msg(n, m, len, out);
}

/* Add bytes from p to the buffered partial frame (the 2-byte length
 * first, then the body) and process it once whole; returns the number of
 * bytes taken or an error. */
static long fill_partial(struct gg_noise *n, const uint8_t *p, size_t len,
			 struct gg_buf *out)
{
	size_t want = 2, take;
	int rc;

	if (n->ilen >= 2)
		want += (size_t)n->ibuf[0] << 8 | n->ibuf[1];
	take = want - n->ilen < len ? want - n->ilen : len;
	memcpy(n->ibuf + n->ilen, p, take);
	n->ilen += take;
	touch(n, n->ilen);
	if (n->ilen < want)
		return (long)take;
	if (want == 2 && (n->ibuf[0] | n->ibuf[1]))
		return (long)take; /* the length is in; the body follows */
	n->ilen = 0;
	rc = one_frame(n, n->ibuf + 2, want - 2, out);
	return rc ? rc : (long)take;
}

int gg_noise_feed(struct gg_noise *n, const uint8_t *p, size_t len,
		  struct gg_buf *out)
{
	size_t flen;
	long took;
	int rc;

	if (n->state != GG_NOISE_HANDSHAKE && n->state != GG_NOISE_READY)
		return n->err;
	if (n->cfg.initiator && n->step == 0)
		return fail(n, GG_EPROTO);
	while (len > 0) {
		if (n->ilen > 0 || len < 2) {
			took = fill_partial(n, p, len, out);
			if (took < 0)
				return fail(n, (int)took);
			p += took;
			len -= (size_t)took;
			continue;
		}
		flen = (size_t)p[0] << 8 | p[1];
		if (len - 2 < flen) {
			memcpy(n->ibuf, p, len);
			n->ilen = len;
			touch(n, len);
			break;
		}
		rc = one_frame(n, p + 2, flen, out);
		if (rc)
			return fail(n, rc);
		p += 2 + flen;
		len -= 2 + flen;
	}
	return 0;
}

/* Encrypt the next len bytes of the pieces (from *i, *off on) as one
 * frame at w; the cursor moves past them. */
static int frame_v(struct gg_noise *n, const struct gg_noise_iov *iov,
		   size_t *i, size_t *off, size_t len, uint8_t *w)
{
	const uint8_t *src;
	size_t k;
	int rc = noise_cs_enc_begin(&n->tx);

	while (!rc && len > 0) {
		k = iov[*i].len - *off;
		k = k < len ? k : len;
		src = (const uint8_t *)iov[*i].p + *off;
		rc = noise_cs_enc_update(&n->tx, src, k, w);
		w += k;
		len -= k;
		*off += k;
		if (*off == iov[*i].len) {
			(*i)++;
			*off = 0;
		}
	}
	return rc ? rc : noise_cs_enc_finish(&n->tx, w);
}

int gg_noise_writev(struct gg_noise *n, const struct gg_noise_iov *iov,
		    size_t cnt, struct gg_buf *out)
{
	size_t total = 0, frames, chunk, i = 0, off = 0, j;
	uint8_t *w;
	int rc;

	if (n->state != GG_NOISE_READY)
		return n->err ? n->err : GG_EINVAL;
	for (j = 0; j < cnt; j++)
		total += iov[j].len;
	while (i < cnt && iov[i].len == 0)
		i++;
	frames = (total + GG_NOISE_MAX_PLAINTEXT - 1) / GG_NOISE_MAX_PLAINTEXT;
	rc = gg_buf_reserve(out, total + frames * GG_NOISE_FRAME_OVERHEAD);
	if (rc)
		return rc;
	while (total > 0) {
		chunk = total < GG_NOISE_MAX_PLAINTEXT ? total
						       : GG_NOISE_MAX_PLAINTEXT;
		w = frame_begin(out, chunk + GG_NOISE_TAG_LEN, &rc);
		if (w)
			rc = frame_v(n, iov, &i, &off, chunk, w);
		if (rc)
			return fail(n, rc);
		frame_end(out, chunk + GG_NOISE_TAG_LEN);
		while (i < cnt && off == 0 && iov[i].len == 0)
			i++;
		total -= chunk;
	}
	return 0;
}

int gg_noise_write(struct gg_noise *n, const void *p, size_t len,
		   struct gg_buf *out)
{
	struct gg_noise_iov v = { p, len };

	return gg_noise_writev(n, &v, 1, out);
}

enum gg_noise_state gg_noise_state(const struct gg_noise *n)
{
	return n->state;
}

int gg_noise_error(const struct gg_noise *n)
{
	return n->err;
}

const struct gg_peerid *gg_noise_remote(const struct gg_noise *n)
{
	return n->state == GG_NOISE_READY ? &n->remote : NULL;
}

const uint8_t *gg_noise_remote_pubkey(const struct gg_noise *n, size_t *len)
{
	*len = 0;
	if (n->state != GG_NOISE_READY)
		return NULL;
	*len = n->rpublen;
	return n->rpub;
}

void gg_noise_test_set_nonces(struct gg_noise *n, uint64_t send,
			      uint64_t recv)
{
	n->tx.n = send;
	n->rx.n = recv;
}
