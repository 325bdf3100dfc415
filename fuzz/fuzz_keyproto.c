/*
 * fuzz_keyproto.c - libp2p PublicKey and PrivateKey protobufs.  A public
 * key we accept must be exactly what protobuf-c would encode for the same
 * message (our canonical check agrees with a real encoder), its peer ID
 * must derive and round-trip through both text forms, and a junk
 * signature (the input itself) must not verify.  A private key we accept
 * must serialise back to a canonical form that loads to the same key.
 */
#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "keys.pb-c.h"
#include "util/error.h"

static void check_pub(const uint8_t *p, size_t n)
{
	Crypto__Pb__PublicKey *m;
	enum gg_key_type t;
	const uint8_t *d;
	uint8_t re[2048];
	size_t dl, relen;
	struct gg_peerid id, id2;
	char text[GG_PEERID_STR_MAX];

	if (gg_pubkey_decode(p, n, &t, &d, &dl))
		return;
	m = crypto__pb__public_key__unpack(NULL, n, p);
	if (!m || crypto__pb__public_key__get_packed_size(m) > sizeof(re))
		__builtin_trap();
	relen = crypto__pb__public_key__pack(m, re);
	if (relen != n || memcmp(re, p, n))
		__builtin_trap();
	crypto__pb__public_key__free_unpacked(m, NULL);
	if (gg_peerid_from_pubkey(p, n, &id) ||
	    gg_peerid_to_str(&id, text, sizeof(text)) ||
	    gg_peerid_parse(text, &id2) || !gg_peerid_eq(&id, &id2) ||
	    gg_peerid_to_cid(&id, text, sizeof(text)) ||
	    gg_peerid_parse(text, &id2) || !gg_peerid_eq(&id, &id2))
		__builtin_trap();
	if (gg_pubkey_verify(p, n, (const uint8_t *)"m", 1, p, n) == 0)
		__builtin_trap(); /* the input as its own signature */
}

static void check_priv(const uint8_t *p, size_t n)
{
	struct gg_buf b = GG_BUF_INIT(256);
	struct gg_privkey *k = NULL, *k2 = NULL;
	const uint8_t *a, *c;
	size_t an, cn;

	if (gg_privkey_from_proto(p, n, &k))
		return;
	if (gg_privkey_to_proto(k, &b) || b.len != 68 ||
	    gg_privkey_from_proto(b.data, b.len, &k2))
		__builtin_trap();
	a = gg_privkey_public(k, &an);
	c = gg_privkey_public(k2, &cn);
	if (an != cn || memcmp(a, c, an))
		__builtin_trap();
	gg_buf_release(&b);
	gg_privkey_free(k);
	gg_privkey_free(k2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_pub(data, size);
	check_priv(data, size);
	return 0;
}
