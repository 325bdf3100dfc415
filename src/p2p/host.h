/*
 * host.h - the libp2p host: connections, streams and protocol handlers.
 *
 * The host glues the pure engines to libuv.  A connection is
 *   TCP -> multistream-select(/noise) -> Noise XX -> multistream-select
 *   (/yamux/1.0.0) -> yamux,
 * and every yamux stream runs multistream-select once more to pick a
 * protocol, which is handed to the handler registered for it.  Layers
 * above (identify, ping, kad, gossipsub, fetch) see only this API:
 * handlers for inbound streams, gg_stream_open for outbound ones, and
 * byte callbacks with backpressure both ways.
 *
 * The connection manager refuses connections past max_peers (and past
 * max_peers_per_ip for inbound ones), closes a connection whose handshake
 * has not finished within handshake_timeout_ms, and closes a connection
 * whose peer breaks a protocol (bad frame, oversized message, failed
 * decryption), each with a logged reason; other connections go on.
 *
 * Callback rules: every started thing completes exactly once (a dial's
 * callback, a stream open's callback, a stream's on_close), also when the
 * host is freed (then with GG_ECANCELED).  Callbacks run from the loop,
 * never from inside the call that started the operation.  A stream is
 * freed right after its on_close returns; a connection after its
 * GG_CONN_DOWN notification.
 */
#ifndef GG_P2P_HOST_H
#define GG_P2P_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "crypto/peerid.h"
#include "net/multiaddr.h"

struct gg_privkey;
struct gg_host;
struct gg_conn;
struct gg_stream;
struct gg_dial;

#define GG_HOST_MAX_PROTOCOLS 64  /* registered inbound handlers */
#define GG_HOST_MAX_LISTEN 16     /* bound addresses (after expansion) */
#define GG_HOST_DEF_HANDSHAKE_MS 10000
#define GG_HOST_DEF_DIAL_MS 10000
/* Bytes a stream may queue beyond the peer's window before writes fail. */
#define GG_STREAM_MAX_QUEUED (16u * 1024u * 1024u)
/* Above this many queued bytes gg_stream_write asks the caller to wait. */
#define GG_STREAM_HIGH_WATER (256u * 1024u)

enum gg_conn_event { GG_CONN_UP, GG_CONN_DOWN };

struct gg_host_cfg {
	uv_loop_t *loop;
	const struct gg_privkey *key;  /* borrowed; outlives the host */
	int max_peers;                 /* connections at once (0: 50) */
	int max_peers_per_ip;          /* inbound per remote IP (0: 8) */
	uint64_t handshake_timeout_ms; /* 0: GG_HOST_DEF_HANDSHAKE_MS */
	uint32_t yamux_max_streams;    /* 0: the yamux default */
};

int gg_host_new(const struct gg_host_cfg *cfg, struct gg_host **out);
/* Close everything (pending callbacks run with GG_ECANCELED) and free
 * the host once libuv has let go of its handles; run the loop afterwards
 * until it is empty.  Accepts NULL. */
void gg_host_free(struct gg_host *h);

const struct gg_peerid *gg_host_id(const struct gg_host *h);
const struct gg_privkey *gg_host_key(const struct gg_host *h);
uv_loop_t *gg_host_loop(const struct gg_host *h);

/* Listen on an /ip4|ip6/.../tcp/PORT address (port 0: any). */
int gg_host_listen(struct gg_host *h, const struct gg_multiaddr *ma);
/* The addresses we are reachable at: every bound address, 0.0.0.0 and
 * :: expanded to the interfaces, real ports, without /p2p/.  Returns the
 * count written (up to max). */
int gg_host_listen_addrs(const struct gg_host *h, struct gg_multiaddr *out,
			 int max);

/* ---- protocol handlers ---- */

/* A remote opened a stream and chose proto; set callbacks on s (before
 * returning, or data is held until then). */
typedef void (*gg_stream_handler)(void *arg, struct gg_stream *s);

/* Register (or replace) the handler for proto.  0, GG_ELIMIT, GG_EINVAL. */
int gg_host_handle(struct gg_host *h, const char *proto,
		   gg_stream_handler fn, void *arg);
int gg_host_unhandle(struct gg_host *h, const char *proto);
/* The registered protocols, in registration order (for identify). */
int gg_host_protocols(const struct gg_host *h, const char **out, int max);

/* ---- connections ---- */

/* Told of every connection that finished its handshake (UP) and of its
 * end (DOWN, err 0 for an orderly close).  Up to 8 listeners. */
typedef void (*gg_conn_notify)(void *arg, struct gg_conn *c,
			       enum gg_conn_event ev, int err);
int gg_host_notify(struct gg_host *h, gg_conn_notify fn, void *arg);

/*
 * A dial finished: c is the ready connection (err 0), or c is NULL and
 * err says why.  remote is the peer's authenticated ID when the handshake
 * got that far (so GG_EPEERID can name it), else NULL.
 */
typedef void (*gg_dial_cb)(void *arg, struct gg_conn *c, int err,
			   const struct gg_peerid *remote);

/*
 * Dial ma (/ip4|ip6|dns|dns4|dns6/HOST/tcp/PORT[/p2p/ID]) and upgrade the
 * connection; with /p2p/ID the remote must prove that identity
 * (GG_EPEERID otherwise).  timeout_ms covers TCP connect and handshake.
 * Always a new connection.  *out (may be NULL) allows cancelling until
 * the callback ran.  0, or GG_ELIMIT (max_peers), GG_EUNSUPPORTED
 * (address shape) before anything started.
 */
int gg_host_dial(struct gg_host *h, const struct gg_multiaddr *ma,
		 uint64_t timeout_ms, gg_dial_cb cb, void *arg,
		 struct gg_dial **out);
/* The callback then runs with GG_ECANCELED. */
void gg_host_dial_cancel(struct gg_dial *d);

/* A ready connection to peer, or NULL. */
struct gg_conn *gg_host_conn_to(struct gg_host *h,
				const struct gg_peerid *peer);
/* Ready connections (up to max written); returns the count. */
int gg_host_conns(struct gg_host *h, struct gg_conn **out, int max);

const struct gg_peerid *gg_conn_remote(const struct gg_conn *c);
const struct gg_multiaddr *gg_conn_remote_addr(const struct gg_conn *c);
const uint8_t *gg_conn_remote_pubkey(const struct gg_conn *c, size_t *len);
int gg_conn_inbound(const struct gg_conn *c);
struct gg_host *gg_conn_host(const struct gg_conn *c);
/* Close with GG_CONN_DOWN(err 0) to the listeners. */
void gg_conn_close(struct gg_conn *c);

/* ---- streams ---- */

struct gg_stream_cbs {
	/* Bytes from the remote, valid during the call (consumed when it
	 * returns).  Required. */
	void (*on_data)(void *arg, struct gg_stream *s, const uint8_t *p,
			size_t n);
	/* The remote closed its write half; no more on_data.  May be NULL. */
	void (*on_eof)(void *arg, struct gg_stream *s);
	/* gg_stream_write said to wait and the queue has drained below the
	 * high-water mark.  May be NULL. */
	void (*on_drain)(void *arg, struct gg_stream *s);
	/* The stream is over: both halves closed (err 0), reset
	 * (GG_ECONNRESET), or its connection went away.  s is freed after
	 * this returns.  Not called after gg_stream_reset.  May be NULL. */
	void (*on_close)(void *arg, struct gg_stream *s, int err);
};

/* An outbound stream is ready (err 0, s negotiated one of the protocols)
 * or failed (s NULL; GG_EUNSUPPORTED when the remote refused them all). */
typedef void (*gg_stream_open_cb)(void *arg, struct gg_stream *s, int err);

/* Open a stream on c proposing protos[0..n) in order. */
int gg_stream_open(struct gg_conn *c, const char *const *protos, int n,
		   gg_stream_open_cb cb, void *arg);

/*
 * Open a stream for one protocol without waiting for the remote to agree
 * (multistream-select "lazy", as rust's V1Lazy): *out is usable at once
 * with cbs set, and what is written now travels right behind the
 * proposal, saving a round trip.  If the remote refuses, the stream ends
 * with on_close(GG_EUNSUPPORTED) and what was written is lost.  As with
 * gg_stream_write, on_close may run before this returns when the
 * connection fails meanwhile.  0, GG_EINVAL, GG_ECLOSED, GG_ELIMIT.
 */
int gg_stream_open_lazy(struct gg_conn *c, const char *proto,
			const struct gg_stream_cbs *cbs, void *arg,
			struct gg_stream **out);

void gg_stream_set_cbs(struct gg_stream *s, const struct gg_stream_cbs *cbs,
		       void *arg);
/*
 * Queue n bytes.  0 (go on), 1 (queued above the high-water mark: wait for
 * on_drain before writing more), or GG_ECLOSED (write half closed),
 * GG_ECONNRESET, GG_ELIMIT (GG_STREAM_MAX_QUEUED exceeded; nothing taken).
 */
int gg_stream_write(struct gg_stream *s, const void *p, size_t n);
/* Stop / resume on_data (data waits in the muxer, whose window then
 * stops the remote). */
void gg_stream_pause(struct gg_stream *s);
void gg_stream_resume(struct gg_stream *s);
/* Half-close: FIN after the queued bytes.  Reading goes on. */
int gg_stream_close_write(struct gg_stream *s);
/* Abort both directions (RST); no callbacks afterwards, s is gone. */
void gg_stream_reset(struct gg_stream *s);

const char *gg_stream_protocol(const struct gg_stream *s);
struct gg_conn *gg_stream_conn(const struct gg_stream *s);
int gg_stream_inbound(const struct gg_stream *s);
size_t gg_stream_queued(const struct gg_stream *s);

#endif
