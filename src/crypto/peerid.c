/*
 * peerid.c - peer IDs: multihashes of encoded public keys (peerid.h).
 *
 * Only two multihash kinds can be peer IDs: identity (code 0x00) holding
 * an encoded PublicKey of at most 42 bytes, and sha2-256 (code 0x12) with
 * a 32-byte digest.  Anything else is refused, and an identity ID must
 * contain a well-formed key, as js-libp2p also insists.
 *
 * Text: bare base58btc multihash ("12D3KooW...", "Qm...") as the
 * canonical form; RFC 0001 CIDv1 (version 1, codec libp2p-key 0x72, then
 * the multihash) in any multibase we decode, printed as base32 "bafz...".
 */
#include "crypto/key.h"
#include "crypto/peerid.h"
#include "crypto/sha256.h"
#include "util/base.h"
#include "util/error.h"
#include "util/varint.h"

#define MH_IDENTITY 0x00
#define MH_SHA2_256 0x12
#define INLINE_MAX 42
#define CID_V1 1
#define CODEC_LIBP2P_KEY 0x72
#define TEXT_MAX 256 /* far beyond any valid ID text */

int gg_peerid_from_bytes(const uint8_t *p, size_t n, struct gg_peerid *out)
{
	enum gg_key_type t;
	const uint8_t *d;
	uint64_t code, len;
	size_t dl;
	int a, b;

	if (n > GG_PEERID_MAX)
		return GG_ETOOBIG;
	a = gg_varint_decode(p, n, &code);
	if (a < 0)
		return a == GG_ETRUNC ? GG_EPARSE : a;
	b = gg_varint_decode(p + a, n - (size_t)a, &len);
	if (b < 0)
		return b == GG_ETRUNC ? GG_EPARSE : b;
	if (len != n - (size_t)a - (size_t)b)
		return GG_EPARSE;
	if (code == MH_SHA2_256) {
		if (len != GG_SHA256_LEN)
			return GG_EPARSE;
	} else if (code == MH_IDENTITY) {
		if (len > INLINE_MAX)
			return GG_EPARSE;
		if (gg_pubkey_decode(p + a + b, (size_t)len, &t, &d, &dl))
			return GG_EPARSE;
	} else {
		return GG_EPARSE;
	}
	memcpy(out->b, p, n);
	out->len = n;
	return 0;
}

int gg_peerid_from_pubkey(const uint8_t *pub, size_t n, struct gg_peerid *out)
{
	enum gg_key_type t;
	const uint8_t *d;
	size_t dl;
	int rc;

	rc = gg_pubkey_decode(pub, n, &t, &d, &dl);
	if (rc)
		return rc;
	if (n <= INLINE_MAX) {
		out->b[0] = MH_IDENTITY;
		out->b[1] = (uint8_t)n;
		memcpy(out->b + 2, pub, n);
		out->len = 2 + n;
	} else {
		out->b[0] = MH_SHA2_256;
		out->b[1] = GG_SHA256_LEN;
		gg_sha256(pub, n, out->b + 2);
		out->len = 2 + GG_SHA256_LEN;
	}
	return 0;
}

/* CIDv1 bytes: version, codec, multihash. */
static int peerid_from_cid(const uint8_t *p, size_t n, struct gg_peerid *out)
{
	uint64_t ver, codec;
	int a, b;

	a = gg_varint_decode(p, n, &ver);
	if (a < 0)
		return GG_EPARSE;
	b = gg_varint_decode(p + a, n - (size_t)a, &codec);
	if (b < 0)
		return GG_EPARSE;
	if (ver != CID_V1 || codec != CODEC_LIBP2P_KEY)
		return GG_EPARSE;
	return gg_peerid_from_bytes(p + a + b, n - (size_t)a - (size_t)b, out);
}

int gg_peerid_parse(const char *text, struct gg_peerid *out)
{
	uint8_t bin[GG_PEERID_MAX + 2 * GG_VARINT_MAX_LEN];
	size_t n = strnlen(text, TEXT_MAX + 1);
	int len;

	if (n == 0 || n > TEXT_MAX)
		return GG_EPARSE;
	/* A bare multihash: identity IDs start '1' (the 0x00 code byte),
	 * sha2-256 ones "Qm".  Everything else is a multibase CID. */
	if (text[0] == '1' || (text[0] == 'Q' && text[1] == 'm')) {
		len = gg_base58_decode(text, n, bin, sizeof(bin));
		if (len < 0)
			return GG_EPARSE;
		return gg_peerid_from_bytes(bin, (size_t)len, out);
	}
	len = gg_multibase_decode(text, bin, sizeof(bin));
	if (len < 0)
		return GG_EPARSE;
	return peerid_from_cid(bin, (size_t)len, out);
}

static int valid(const struct gg_peerid *id)
{
	struct gg_peerid tmp;

	return id->len <= GG_PEERID_MAX &&
	       gg_peerid_from_bytes(id->b, id->len, &tmp) == 0;
}

int gg_peerid_to_str(const struct gg_peerid *id, char *out, size_t outsz)
{
	int rc;

	if (!valid(id))
		return GG_EINVAL;
	rc = gg_base58_encode(id->b, id->len, out, outsz);
	return rc < 0 ? rc : 0;
}

int gg_peerid_to_cid(const struct gg_peerid *id, char *out, size_t outsz)
{
	uint8_t bin[2 + GG_PEERID_MAX];
	int rc;

	if (!valid(id))
		return GG_EINVAL;
	bin[0] = CID_V1;
	bin[1] = CODEC_LIBP2P_KEY;
	memcpy(bin + 2, id->b, id->len);
	rc = gg_multibase_encode('b', bin, 2 + id->len, out, outsz);
	return rc < 0 ? rc : 0;
}

int gg_peerid_eq(const struct gg_peerid *a, const struct gg_peerid *b)
{
	return a->len == b->len && a->len <= GG_PEERID_MAX &&
	       memcmp(a->b, b->b, a->len) == 0;
}

int gg_peerid_pubkey(const struct gg_peerid *id, const uint8_t **pub,
		     size_t *n)
{
	if (!valid(id))
		return GG_EINVAL;
	if (id->b[0] != MH_IDENTITY)
		return GG_ENOTFOUND;
	*pub = id->b + 2;
	*n = id->len - 2;
	return 0;
}

int gg_peerid_matches_pubkey(const struct gg_peerid *id, const uint8_t *pub,
			     size_t n)
{
	struct gg_peerid derived;

	if (gg_peerid_from_pubkey(pub, n, &derived))
		return 0;
	return gg_peerid_eq(id, &derived);
}
