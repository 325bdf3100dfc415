/*
 * noise.h - the libp2p Noise security handshake and transport as a pure
 * state machine over bytes.
 *
 * Noise_XX_25519_ChaChaPoly_SHA256 with an empty prologue, framed as libp2p
 * does: every message is a 2-byte big-endian length and at most 65535
 * bytes.  Message 1 (initiator) is e; message 2 (responder) is e, ee, s,
 * es plus the responder's NoiseHandshakePayload; message 3 (initiator) is
 * s, se plus the initiator's payload.  The payload carries our encoded
 * libp2p PublicKey and a signature over "noise-libp2p-static-key:" || our
 * static X25519 key.  We send no extensions and ignore the remote's
 * (js-noise lists stream muxers there).  After the handshake the
 * initiator sends with the first cipher state of Split and the responder
 * with the second.
 *
 * The engine knows no sockets.  The host feeds received bytes with
 * gg_noise_feed and passes an output buffer: handshake replies are
 * appended to it.  Decrypted transport data is handed to cfg.on_data as a
 * pointer valid only during the call (the host passes it straight on to
 * multistream-select or yamux).  gg_noise_write encrypts application bytes
 * into frames appended to an output buffer, splitting writes larger than
 * GG_NOISE_MAX_PLAINTEXT.  One EVP_CIPHER_CTX per direction is created at
 * Split and only the nonce is reset per frame.  The handshake timeout
 * belongs to the host (gg_noise_state tells it whether we are still
 * handshaking).
 */
#ifndef GG_P2P_NOISE_H
#define GG_P2P_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct gg_privkey;
struct gg_peerid;

#define GG_NOISE_PROTO "/noise"
#define GG_NOISE_NAME "Noise_XX_25519_ChaChaPoly_SHA256" /* 32 bytes */
#define GG_NOISE_SIG_PREFIX "noise-libp2p-static-key:"
#define GG_NOISE_MAX_FRAME 65535   /* largest message after the length */
#define GG_NOISE_TAG_LEN 16
#define GG_NOISE_MAX_PLAINTEXT (GG_NOISE_MAX_FRAME - GG_NOISE_TAG_LEN)
/* Room gg_noise_write needs per frame beyond the plaintext. */
#define GG_NOISE_FRAME_OVERHEAD (2 + GG_NOISE_TAG_LEN)

enum gg_noise_state {
	GG_NOISE_HANDSHAKE, /* still exchanging the three messages */
	GG_NOISE_READY,     /* transport: write and feed data */
	GG_NOISE_FAILED,    /* an error happened; the connection must close */
	GG_NOISE_CLOSED     /* a nonce ran out; the connection must close */
};

struct gg_noise_static;

struct gg_noise_cfg {
	int initiator;                /* 1 = dialer (sends message 1) */
	const struct gg_privkey *key; /* our identity; borrowed, must outlive */
	/*
	 * Optional (NULL: a static key per engine): state shared by every
	 * connection of a host, from gg_noise_static_new with the same key;
	 * borrowed, must outlive the engine.  Saves a key generation and a
	 * signature per handshake, and the signature check for a remote
	 * whose payload verified before.  Not for use from two threads.
	 */
	struct gg_noise_static *shared;
	/* Dialer: the peer ID we expect (copied), or NULL to accept any. */
	const struct gg_peerid *expect;
	void *ud;                     /* passed to the callbacks */
	/*
	 * The handshake finished and the remote is verified (called once,
	 * before any on_data).  remote is valid for the engine's life.
	 * Return < 0 to fail the engine with that code.  May be NULL.
	 */
	int (*on_ready)(void *ud, const struct gg_peerid *remote);
	/*
	 * Decrypted transport bytes, valid only during the call (1..65519
	 * bytes per call, one call per frame).  Return < 0 to stop: feed
	 * returns that code.  Required.
	 */
	int (*on_data)(void *ud, const uint8_t *p, size_t n);
};

struct gg_noise; /* opaque: key material and two EVP_CIPHER_CTX */

/*
 * A host's static X25519 key with our handshake payload signed once, and
 * a cache of remote payloads that verified (see cfg.shared).  key is
 * borrowed only during the call.  0, GG_EINVAL, GG_ENOMEM, GG_ECRYPTO.
 */
int gg_noise_static_new(const struct gg_privkey *key,
			struct gg_noise_static **out);
/* Accepts NULL.  No engine may still use st. */
void gg_noise_static_free(struct gg_noise_static *st);
/* Generate the next handshake's ephemeral key now, unless one is ready
 * (call it when idle; the next gg_noise_new then needs no key generation).
 * 0 or GG_ECRYPTO; accepts NULL. */
int gg_noise_static_prepare(struct gg_noise_static *st);

/* Allocate an engine (generates its ephemeral key, and its static key
 * unless cfg.shared has one).
 * 0, GG_EINVAL (no key or on_data), GG_ENOMEM or GG_ECRYPTO. */
int gg_noise_new(const struct gg_noise_cfg *cfg, struct gg_noise **out);

/* Free the engine and wipe its secrets; accepts NULL. */
void gg_noise_free(struct gg_noise *n);

/* Initiator: append message 1 to out.  Responder: does nothing.  Call
 * once, before any feed.  0 or an error. */
int gg_noise_start(struct gg_noise *n, struct gg_buf *out);

/*
 * Feed bytes received from the wire.  During the handshake, replies are
 * appended to out; once ready, each complete frame is decrypted and given
 * to on_data (bytes after the last handshake message in the same call are
 * handled as transport).  Partial frames are kept until the rest arrives.
 * Returns 0, or (sticky) GG_EPROTO (bad length, malformed or unexpected
 * message), GG_ECRYPTO (decryption/authentication failed, DH failed),
 * GG_EBADSIG / GG_EPARSE / GG_EUNSUPPORTED (remote identity), GG_EPEERID
 * (not the expected peer), GG_ECLOSED (nonce exhausted), or the code a
 * callback returned.
 */
int gg_noise_feed(struct gg_noise *n, const uint8_t *p, size_t len,
		  struct gg_buf *out);

/*
 * Encrypt len bytes (any size, 0 sends nothing) into frames appended to
 * out: each frame is at most GG_NOISE_MAX_PLAINTEXT plaintext bytes plus
 * GG_NOISE_FRAME_OVERHEAD.  Only when ready.  0, GG_EINVAL (not ready),
 * GG_ETOOBIG / GG_ENOMEM (out's cap; nothing is written), GG_ECLOSED
 * (nonce exhausted; the engine is closed).
 */
int gg_noise_write(struct gg_noise *n, const void *p, size_t len,
		   struct gg_buf *out);

/* A piece of plaintext for gg_noise_writev. */
struct gg_noise_iov {
	const void *p;
	size_t len;
};

/*
 * gg_noise_write for plaintext in pieces (say a muxer's frame header and
 * its payload, straight from the application's buffer): the pieces are
 * one byte stream, cut into frames as gg_noise_write cuts one buffer.
 * Room for the whole output is reserved first: on GG_ETOOBIG / GG_ENOMEM
 * nothing was written.
 */
int gg_noise_writev(struct gg_noise *n, const struct gg_noise_iov *iov,
		    size_t cnt, struct gg_buf *out);

enum gg_noise_state gg_noise_state(const struct gg_noise *n);

/* The sticky error once failed or closed, else 0. */
int gg_noise_error(const struct gg_noise *n);

/* The verified remote peer ID once ready, else NULL. */
const struct gg_peerid *gg_noise_remote(const struct gg_noise *n);

/* The remote's encoded PublicKey once ready (pointer owned by n). */
const uint8_t *gg_noise_remote_pubkey(const struct gg_noise *n, size_t *len);

/*
 * Noise HKDF with HMAC-SHA256 (the spec's HKDF(chaining_key, ikm, 2)):
 * out1 = HMAC(HMAC(ck, ikm), 0x01), out2 = HMAC(temp, out1 || 0x02).
 * Exposed for known-answer tests.  0 or GG_ECRYPTO.
 */
int gg_noise_hkdf(const uint8_t ck[32], const uint8_t *ikm, size_t ikmlen,
		  uint8_t out1[32], uint8_t out2[32]);

/* Test hook: set both transport nonces (after ready) to exercise the
 * exhaustion check.  Not for production use. */
void gg_noise_test_set_nonces(struct gg_noise *n, uint64_t send,
			      uint64_t recv);

#endif
