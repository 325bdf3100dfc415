/*
 * gossip_sign.c - StrictSign for pubsub messages.
 *
 * The signed bytes are "libp2p-pubsub:" followed by the Message encoded
 * without its signature and key fields.  A receiver cannot reuse the
 * bytes it got (a sender may order fields differently or add unknown
 * ones), so, like go and rust, we re-encode the four fields in field
 * order and verify that.  The key is the `key` field when present (it
 * must belong to `from`), else the one inlined in an identity-multihash
 * peer ID (Ed25519, secp256k1).
 */
#include "p2p/gossip_rpc.h"

#include "util/error.h"

int gossip_msg_sign_bytes(const struct gossip_msg *m, struct gg_buf *out)
{
	int r = gg_buf_add(out, GOSSIP_SIGN_PREFIX,
			   sizeof(GOSSIP_SIGN_PREFIX) - 1);

	return r < 0 ? r : gossip_msg_encode(m, 0, out);
}

int gossip_msg_sign(const struct gossip_msg *m, const struct gg_privkey *k,
		    uint8_t sig[64])
{
	struct gg_buf b = GG_BUF_INIT((size_t)-1 / 2);
	int r;

	if ((r = gossip_msg_sign_bytes(m, &b)) == 0)
		r = gg_privkey_sign(k, b.data, b.len, sig);
	gg_buf_release(&b);
	return r;
}

/* The public key that must have signed m, as an encoded PublicKey. */
static int signer_key(const struct gossip_msg *m,
		      const struct gg_peerid *author,
		      const uint8_t **pub, size_t *n)
{
	if (m->has & GOSSIP_HAS_KEY) {
		if (!gg_peerid_matches_pubkey(author, m->key.p, m->key.n))
			return GG_EPEERID;
		*pub = m->key.p;
		*n = m->key.n;
		return 0;
	}
	if (gg_peerid_pubkey(author, pub, n) < 0)
		return GG_EPARSE; /* a hashed ID needs the key field */
	return 0;
}

int gossip_msg_verify(const struct gossip_msg *m, struct gg_peerid *author)
{
	struct gg_buf b = GG_BUF_INIT((size_t)-1 / 2);
	const uint8_t *pub;
	size_t n;
	int r;

	if (!(m->has & GOSSIP_HAS_SIG))
		return GG_EBADSIG;
	if (!(m->has & GOSSIP_HAS_FROM) || !(m->has & GOSSIP_HAS_SEQNO) ||
	    m->seqno.n != GOSSIP_SEQNO_LEN)
		return GG_EPARSE;
	if (gg_peerid_from_bytes(m->from.p, m->from.n, author) < 0)
		return GG_EPARSE;
	if ((r = signer_key(m, author, &pub, &n)) < 0)
		return r;
	if ((r = gossip_msg_sign_bytes(m, &b)) == 0)
		r = gg_pubkey_verify(pub, n, b.data, b.len, m->signature.p,
				     m->signature.n);
	gg_buf_release(&b);
	return r;
}
