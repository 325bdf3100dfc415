/*
 * pkgid.c - the text forms of a package ID: "sha256:<hex>", the CIDv1
 * (raw codec, sha2-256) in base32 and the base58btc multihash.
 *
 * Every decoder checks the exact byte layout after decoding: a CID must be
 * version 1, codec raw (0x55), multihash sha2-256 (0x12) of length 32 with
 * nothing after it; a multihash must be exactly 0x12 0x20 + 32 bytes.
 * Only one spelling of each is accepted (lowercase hex, lowercase base32).
 */
#include <string.h>

#include "crypto/sha256.h"
#include "market/pkgid.h"
#include "util/base.h"
#include "util/error.h"

#define MH_SHA256 0x12
#define CID_V1 0x01
#define CODEC_RAW 0x55
#define PREFIX "sha256:"
#define PREFIX_LEN 7
#define CID_BIN_LEN 36

void gg_pkgid_of(const void *p, size_t n, struct gg_pkgid *out)
{
	gg_sha256(p, n, out->b);
}

int gg_pkgid_eq(const struct gg_pkgid *a, const struct gg_pkgid *b)
{
	return memcmp(a->b, b->b, GG_PKGID_LEN) == 0;
}

int gg_pkgid_to_hex(const struct gg_pkgid *id, char *out, size_t outsz)
{
	return gg_hex_encode(id->b, GG_PKGID_LEN, out, outsz);
}

int gg_pkgid_to_str(const struct gg_pkgid *id, char *out, size_t outsz)
{
	int rc;

	if (outsz < GG_PKGID_STR_SIZE)
		return GG_ETOOBIG;
	memcpy(out, PREFIX, PREFIX_LEN);
	rc = gg_hex_encode(id->b, GG_PKGID_LEN, out + PREFIX_LEN,
			   outsz - PREFIX_LEN);
	return rc < 0 ? rc : rc + PREFIX_LEN;
}

void gg_pkgid_multihash(const struct gg_pkgid *id,
			uint8_t out[GG_PKGID_MH_LEN])
{
	out[0] = MH_SHA256;
	out[1] = GG_PKGID_LEN;
	memcpy(out + 2, id->b, GG_PKGID_LEN);
}

int gg_pkgid_to_cid(const struct gg_pkgid *id, char *out, size_t outsz)
{
	uint8_t bin[CID_BIN_LEN];

	bin[0] = CID_V1;
	bin[1] = CODEC_RAW;
	gg_pkgid_multihash(id, bin + 2);
	return gg_multibase_encode('b', bin, sizeof(bin), out, outsz);
}

int gg_pkgid_to_b58(const struct gg_pkgid *id, char *out, size_t outsz)
{
	uint8_t mh[GG_PKGID_MH_LEN];

	gg_pkgid_multihash(id, mh);
	return gg_base58_encode(mh, sizeof(mh), out, outsz);
}

int gg_pkgid_from_multihash(const uint8_t *p, size_t n,
			    struct gg_pkgid *out)
{
	if (n != GG_PKGID_MH_LEN || p[0] != MH_SHA256 ||
	    p[1] != GG_PKGID_LEN)
		return GG_EPARSE;
	memcpy(out->b, p + 2, GG_PKGID_LEN);
	return 0;
}

static int all_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int gg_pkgid_from_hex(const char *hex, struct gg_pkgid *out)
{
	size_t n = strlen(hex);

	if (n != 2 * GG_PKGID_LEN || !all_lower_hex(hex, n))
		return GG_EPARSE;
	if (gg_hex_decode(hex, n, out->b, GG_PKGID_LEN) != GG_PKGID_LEN)
		return GG_EPARSE;
	return 0;
}

static int parse_cid(const char *s, struct gg_pkgid *out)
{
	uint8_t bin[CID_BIN_LEN + 1];
	int n;

	/* 'b' + 58 base32 characters encode exactly 36 bytes */
	if (strlen(s) != GG_PKGID_CID_SIZE - 1)
		return GG_EPARSE;
	n = gg_base32_decode(s + 1, strlen(s + 1), bin, sizeof(bin));
	if (n != CID_BIN_LEN || bin[0] != CID_V1 || bin[1] != CODEC_RAW)
		return GG_EPARSE;
	return gg_pkgid_from_multihash(bin + 2, GG_PKGID_MH_LEN, out);
}

static int parse_b58(const char *s, struct gg_pkgid *out)
{
	uint8_t bin[GG_PKGID_MH_LEN + 1];
	size_t len = strlen(s);
	int n;

	if (len > GG_PKGID_B58_SIZE)
		return GG_EPARSE;
	n = gg_base58_decode(s, len, bin, sizeof(bin));
	if (n < 0)
		return GG_EPARSE;
	return gg_pkgid_from_multihash(bin, (size_t)n, out);
}

int gg_pkgid_parse(const char *text, struct gg_pkgid *out)
{
	if (!text || !*text)
		return GG_EPARSE;
	if (!strncmp(text, PREFIX, PREFIX_LEN))
		return gg_pkgid_from_hex(text + PREFIX_LEN, out);
	if (text[0] == 'b')
		return parse_cid(text, out);
	return parse_b58(text, out);
}
