/*
 * envelope.h - libp2p signed envelopes (libp2p/specs RFC 0002).
 *
 * An envelope carries a payload, its type (a multicodec-prefixed byte
 * string such as "/ggen/package-record/1") and the signer's public key,
 * signed over
 *   uvarint(len(domain)) domain uvarint(len(type)) type
 *   uvarint(len(payload)) payload
 * so a signature made for one domain is never valid in another.  We seal
 * with our Ed25519 key; we open envelopes signed by any of the four libp2p
 * key types.
 */
#ifndef GG_CRYPTO_ENVELOPE_H
#define GG_CRYPTO_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "util/buf.h"

/* An opened, verified envelope.  The pointers stay valid until
 * gg_envelope_release. */
struct gg_envelope {
	const uint8_t *pubkey; /* signer's encoded PublicKey protobuf */
	size_t pubkey_len;
	struct gg_peerid signer; /* derived from pubkey */
	const uint8_t *payload_type;
	size_t payload_type_len;
	const uint8_t *payload;
	size_t payload_len;
	void *msg_;      /* private: the decoded message */
	uint8_t *pubbuf_; /* private: storage behind pubkey */
};

/*
 * Sign payload under domain (non-empty UTF-8) and append the Envelope
 * protobuf to out (whose cap bounds the size: GG_ETOOBIG past it).
 */
int gg_envelope_seal(const struct gg_privkey *k, const char *domain,
		     const uint8_t *payload_type, size_t payload_type_len,
		     const uint8_t *payload, size_t payload_len,
		     struct gg_buf *out);

/*
 * Decode p[0..n) (at most max bytes, else GG_ETOOBIG) and verify its
 * signature under domain.  0 fills env (release it afterwards); otherwise
 * GG_EPARSE, GG_EBADSIG or GG_EUNSUPPORTED (signer's key type or size),
 * and env needs no release.
 */
int gg_envelope_open(const uint8_t *p, size_t n, size_t max,
		     const char *domain, struct gg_envelope *env);
void gg_envelope_release(struct gg_envelope *env);

#endif
