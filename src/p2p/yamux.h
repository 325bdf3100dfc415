/*
 * yamux.h - the yamux stream multiplexer (/yamux/1.0.0, hashicorp spec) as
 * a pure state machine over bytes and time.
 *
 * Frames have a 12-byte big-endian header: version 0, type (data, window
 * update, ping, go away), flags (SYN, ACK, FIN, RST), stream id, length.
 * Streams opened by the dialer have odd ids, the listener's even ones.
 * Every stream starts with a 256 KiB window each way; only data counts.
 *
 * The engine knows no sockets.  The host:
 *  - feeds decrypted bytes in with gg_yamux_feed (any split; a data frame
 *    may arrive over many calls and is delivered as it comes);
 *  - sends what gg_yamux_output returns and then calls
 *    gg_yamux_output_consume (cfg.on_output says output appeared);
 *  - calls gg_yamux_tick(now_ms) periodically (keep-alive pings, ping
 *    timeout), and passes the time in the cfg.now callback if it has one.
 *
 * Backpressure, receive side: data is buffered per stream; a window update
 * is sent only when the application consumes data (gg_yamux_stream_read
 * or _consume), so a slow reader stops the remote.  Fast readers get their
 * window doubled (up to cfg.max_window) when a whole window is consumed
 * within a few round trips, as go-yamux and rust-yamux do.  Data beyond
 * the window is a protocol error (go away, session failed).
 *
 * Backpressure, send side: gg_yamux_stream_write accepts at most the
 * remote's window for that stream and what fits under cfg.max_out bytes of
 * queued output; it returns how much it took.  When a stream that was
 * held back can write again, cfg.on_writable is called.
 *
 * Callbacks run inside feed, tick, output_consume and the stream calls.
 * They may call any stream function (write, read, close, reset, release,
 * open) but must not free the session; gg_yamux_free is for outside.
 */
#ifndef GG_P2P_YAMUX_H
#define GG_P2P_YAMUX_H

#include <stddef.h>
#include <stdint.h>

#define GG_YAMUX_PROTO "/yamux/1.0.0"
#define GG_YAMUX_HDR_LEN 12
#define GG_YAMUX_INITIAL_WINDOW (256u * 1024u)

enum gg_yamux_type { GG_YAMUX_DATA = 0, GG_YAMUX_WINDOW = 1,
		     GG_YAMUX_PING = 2, GG_YAMUX_GOAWAY = 3 };
enum gg_yamux_flag { GG_YAMUX_SYN = 1, GG_YAMUX_ACK = 2, GG_YAMUX_FIN = 4,
		     GG_YAMUX_RST = 8 };
enum gg_yamux_goaway { GG_YAMUX_GOAWAY_NORMAL = 0,
		       GG_YAMUX_GOAWAY_PROTO = 1,
		       GG_YAMUX_GOAWAY_INTERNAL = 2 };

/* Defaults used when a cfg field is 0. */
#define GG_YAMUX_DEF_MAX_STREAMS 512
#define GG_YAMUX_DEF_MAX_WINDOW (16u * 1024u * 1024u)
#define GG_YAMUX_DEF_MAX_OUT (4u * 1024u * 1024u)
#define GG_YAMUX_DEF_MAX_FRAME (256u * 1024u) /* data payload we send */
#define GG_YAMUX_DEF_PING_TIMEOUT_MS 30000u

struct gg_yamux;
struct gg_yamux_stream;

struct gg_yamux_cfg {
	int client;            /* 1 = dialer side (odd stream ids) */
	uint32_t max_streams;  /* open streams at once, both directions */
	uint32_t max_window;   /* cap for receive-window growth (>= 256 KiB) */
	size_t max_out;        /* cap on queued output from stream writes */
	uint32_t max_frame;    /* largest data payload we put in one frame */
	uint32_t keepalive_ms; /* ping when idle this long; 0 = never */
	uint32_t ping_timeout_ms; /* an unanswered ping fails the session */
	void *ud;              /* passed to every callback */
	/* Current time in ms (monotonic); NULL: the last tick's now_ms. */
	uint64_t (*now)(void *ud);
	/*
	 * A remote opened stream s.  Return 0 to accept (we answer ACK; the
	 * callee now holds s and must gg_yamux_stream_release it one day),
	 * or < 0 to refuse (we answer RST; s is gone after the call).
	 * NULL refuses everything.
	 */
	int (*on_stream)(void *ud, struct gg_yamux_stream *s);
	/* s has new data, or its remote side closed (read returns
	 * GG_ECLOSED) or reset (GG_ECONNRESET).  May be NULL. */
	void (*on_readable)(void *ud, struct gg_yamux_stream *s);
	/* s was held back by the window or the output cap and can write
	 * again.  May be NULL. */
	void (*on_writable)(void *ud, struct gg_yamux_stream *s);
	/* Our outbound stream s was acknowledged (ACK) or refused (RST; then
	 * also on_readable).  May be NULL. */
	void (*on_opened)(void *ud, struct gg_yamux_stream *s, int err);
	/* Output went from empty to non-empty: flush soon.  May be NULL. */
	void (*on_output)(void *ud);
	/* A ping we sent was answered after rtt_ms.  May be NULL. */
	void (*on_pong)(void *ud, uint64_t rtt_ms);
	/* The remote sent go away with code (GG_YAMUX_GOAWAY_*).  Existing
	 * streams go on; opening new ones fails.  May be NULL. */
	void (*on_goaway)(void *ud, uint32_t code);
	/*
	 * Zero-copy sending (may be NULL): a data frame - its 12-byte header
	 * and n payload bytes, valid only during the call - offered to the
	 * host while nothing is queued in the output, so that it can encrypt
	 * it straight from the writer's buffer.  Return 0 when it sent (or
	 * queued) the frame; GG_EAGAIN when it is full: the writer is held
	 * back (its write comes up short) until the host calls
	 * gg_yamux_output_consume, with 0 when it took nothing from
	 * gg_yamux_output; any other code < 0 to have the engine queue the
	 * frame as usual.  Must not call into the session.
	 */
	int (*on_send)(void *ud, const uint8_t *hdr, const uint8_t *p,
		       size_t n);
	/*
	 * Zero-copy receiving (may be NULL): payload for s as it arrives,
	 * while nothing is buffered for s; valid only during the call.
	 * Return how many bytes the application took (they count as read:
	 * window updates follow); the rest is buffered and on_readable
	 * called.  May use the stream calls, as on_readable may.
	 */
	size_t (*on_payload)(void *ud, struct gg_yamux_stream *s,
			     const uint8_t *p, size_t n);
};

/* Allocate a session.  cfg is copied; 0 fields take the defaults above.
 * 0, GG_EINVAL (no cfg, max_window < 256 KiB) or GG_ENOMEM. */
int gg_yamux_new(const struct gg_yamux_cfg *cfg, struct gg_yamux **out);

/* Free the session and every stream (handles become invalid); accepts
 * NULL.  Not from inside a callback. */
void gg_yamux_free(struct gg_yamux *y);

/*
 * Feed received (decrypted) bytes.  0, or (sticky; a go away is queued,
 * flush the output and then close the connection): GG_EPROTO (bad
 * version, unknown type, data beyond the window, a SYN with a wrong or
 * reused id, ...), GG_ENOMEM, GG_ELIMIT (control output overflowing).
 */
int gg_yamux_feed(struct gg_yamux *y, const uint8_t *p, size_t n);

/*
 * Timers: send a keep-alive ping when idle for keepalive_ms, fail with
 * GG_ETIMEOUT when a ping stays unanswered for ping_timeout_ms.  Returns
 * 0 or the sticky error.
 */
int gg_yamux_tick(struct gg_yamux *y, uint64_t now_ms);

/* Bytes waiting to be sent (pointer valid until the next call into y). */
const uint8_t *gg_yamux_output(struct gg_yamux *y, size_t *len);

/* The host sent n of those bytes (n may be 0: on_send has room again);
 * may call on_writable for held-back streams once there is room. */
void gg_yamux_output_consume(struct gg_yamux *y, size_t n);

/* Send a ping now (its answer comes through on_pong).  0, GG_EBUSY (one
 * is outstanding) or the sticky error. */
int gg_yamux_ping(struct gg_yamux *y);

/* Queue a go away with code; no new streams either way afterwards. */
int gg_yamux_goaway(struct gg_yamux *y, uint32_t code);

/* The sticky error, 0 while healthy. */
int gg_yamux_error(const struct gg_yamux *y);

/* Streams currently open (not yet fully closed or reset). */
size_t gg_yamux_nstreams(const struct gg_yamux *y);

/* Last measured round-trip time in ms, 0 before the first pong. */
uint64_t gg_yamux_rtt(const struct gg_yamux *y);

/*
 * Open an outbound stream (a window update with SYN is queued; data may be
 * written at once).  0, GG_ELIMIT (max_streams, or ids exhausted),
 * GG_ECLOSED (go away sent or received) or the sticky error.  The caller
 * holds *out until gg_yamux_stream_release.
 */
int gg_yamux_open(struct gg_yamux *y, struct gg_yamux_stream **out);

/*
 * Write up to n bytes; returns how many were taken (0..n, limited by the
 * remote's window and the output cap; when short, on_writable follows
 * later), or GG_ECLOSED (we closed our side), GG_ECONNRESET (reset), or
 * the session's sticky error.
 */
long gg_yamux_stream_write(struct gg_yamux_stream *s, const void *p,
			   size_t n);

/* Bytes a write could take right now. */
size_t gg_yamux_stream_writable(const struct gg_yamux_stream *s);

/*
 * Copy up to cap buffered bytes into dst and consume them (window updates
 * follow).  Returns the count (> 0), GG_EAGAIN (nothing buffered yet),
 * GG_ECLOSED (remote closed and everything read) or GG_ECONNRESET.
 */
long gg_yamux_stream_read(struct gg_yamux_stream *s, void *dst, size_t cap);

/* Zero-copy read: the contiguous buffered bytes (may be 0) ... */
const uint8_t *gg_yamux_stream_peek(const struct gg_yamux_stream *s,
				    size_t *len);
/* ... and drop n of them (n <= what peek gave), as read does. */
void gg_yamux_stream_consume(struct gg_yamux_stream *s, size_t n);

/* 1 when the remote closed its side (FIN) or the stream was reset. */
int gg_yamux_stream_remote_closed(const struct gg_yamux_stream *s);

/* Half-close: send FIN after the queued data.  Reading goes on. */
int gg_yamux_stream_close(struct gg_yamux_stream *s);

/* Reset both directions (RST); buffered data is dropped. */
int gg_yamux_stream_reset(struct gg_yamux_stream *s);

/* Give the handle back; s is invalid afterwards.  A stream whose side we
 * have not closed is reset; one we closed (FIN) lingers until the remote
 * closes too, discarding what it still sends. */
void gg_yamux_stream_release(struct gg_yamux_stream *s);

uint32_t gg_yamux_stream_id(const struct gg_yamux_stream *s);
struct gg_yamux *gg_yamux_stream_session(const struct gg_yamux_stream *s);
/* A pointer for the application (NULL at first). */
void gg_yamux_stream_set_user(struct gg_yamux_stream *s, void *user);
void *gg_yamux_stream_user(const struct gg_yamux_stream *s);
/* Current receive window size (grows for fast readers); for tests. */
uint32_t gg_yamux_stream_recv_window(const struct gg_yamux_stream *s);

/* Encode a 12-byte header (tests, fuzzers). */
void gg_yamux_hdr_encode(uint8_t out[GG_YAMUX_HDR_LEN], uint8_t type,
			 uint16_t flags, uint32_t id, uint32_t len);

#endif
