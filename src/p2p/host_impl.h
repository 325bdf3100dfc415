/*
 * host_impl.h - the structures behind host.h, shared by host.c (the host,
 * listeners, dials, the connection manager), host_conn.c (one
 * connection's upgrade and I/O) and host_stream.c (streams).
 *
 * Re-entrancy: every way into a connection (a read, a timer, an API call)
 * is bracketed by conn_enter/conn_leave.  Work that must not happen under
 * a callback's feet - sending, freeing streams, tearing a connection down
 * - is only noted while inside and done by the outermost conn_leave.
 */
#ifndef GG_P2P_HOST_IMPL_H
#define GG_P2P_HOST_IMPL_H

#include "net/tcp.h"
#include "p2p/host.h"
#include "p2p/mss.h"
#include "p2p/noise.h"
#include "p2p/yamux.h"
#include "util/buf.h"

#define HOST_MAX_NOTIFY 8
#define CONN_RBUF (256u * 1024u)     /* one socket read */
/* Plaintext encrypted per flush, and per socket write while a writer
 * streams: small enough that the ciphertext is still in the core's L2
 * cache when the kernel copies it (1 MiB batches ran ~25% slower). */
#define CONN_BATCH (256u * 1024u)
#define CONN_MAX_OUT (8u * 1024u * 1024u)
#define HOST_TICK_MS 1000
/* How long the host waits after a handshake before it makes the next
 * one's ephemeral key: long enough that the peer's answer to what we just
 * sent is not queued behind it on a shared core. */
#define HOST_SPARE_DELAY_MS 2
/* A read this big means a stream is pouring in (host_spin_after_read),
 * and the loop keeps polling for HOST_SPIN_NS after it. */
#define HOST_SPIN_READ (32u * 1024u)
#define HOST_SPIN_NS (500u * 1000u)
#define HOST_TIMERS 6 /* tick, soon, spare, flush_pre, flush_post, spin */

struct gg_handler {
	char *proto;
	gg_stream_handler fn;
	void *arg;
};

struct gg_host {
	uv_loop_t *loop;
	const struct gg_privkey *key;
	struct gg_peerid self;
	int max_peers, max_per_ip;
	uint64_t hs_ms;
	uint32_t ymax_streams;
	struct gg_tcp_listener *listeners[GG_HOST_MAX_LISTEN];
	struct gg_multiaddr bound[GG_HOST_MAX_LISTEN];
	int nlisteners;
	struct gg_handler handlers[GG_HOST_MAX_PROTOCOLS];
	int nhandlers;
	char **retired; /* unhandled names: streams may still point at them */
	int nretired;
	struct { gg_conn_notify fn; void *arg; } notify[HOST_MAX_NOTIFY];
	int nnotify;
	struct gg_conn *conns;
	int nconns;
	int nzombies; /* unlinked connections libuv still holds */
	struct gg_dial *dials;
	struct gg_noise_static *noise_st; /* made by the first handshake */
	uv_timer_t tick;
	uv_timer_t soon;  /* UP notifications, after the current callback */
	uv_timer_t spare; /* the next handshake's key, when the host is idle */
	uv_prepare_t flush_pre;   /* flush dirty connections before polling */
	uv_check_t flush_post;    /* ... and after the poll's callbacks */
	struct gg_conn *dirty;    /* connections with output to flush */
	uint8_t *rbuf;            /* every connection's reads (host_conn.c) */
	uv_idle_t spin;           /* polls without sleeping after bulk reads */
	uint64_t spin_until;      /* uv_hrtime */
	int rbuf_busy;
	int timers_closed;
	int closing;
};

struct gg_dial {
	struct gg_host *h;
	struct gg_dial *next, *prev;
	struct gg_multiaddr ma;
	struct gg_peerid expect;
	int has_expect;
	uint64_t deadline; /* uv_now ms */
	gg_dial_cb cb;
	void *arg;
	struct gg_tcp_dial *td; /* TCP phase */
	struct gg_conn *conn;   /* handshake phase */
	int canceled;
};

enum conn_state { CS_SEC_MSS, CS_NOISE, CS_MUX_MSS, CS_READY, CS_CLOSED };

struct gg_conn {
	struct gg_host *h;
	struct gg_conn *next, *prev;
	uv_tcp_t *tcp;
	enum conn_state st;
	int inbound;
	char ip[64];
	struct gg_multiaddr raddr;
	struct gg_peerid remote;
	int has_remote;
	struct gg_dial *dial;  /* outbound, until ready or failed */
	struct gg_mss mss;
	int mss_live;
	struct gg_noise *noise;
	struct gg_yamux *ya;
	uv_timer_t hs_timer;
	uint64_t hs_ms;
	struct gg_buf out;     /* filling: bytes for the socket */
	struct gg_buf wout;    /* in flight with uv_write */
	uv_write_t wreq;
	int writing;
	uint8_t *rbuf;         /* own read buffer, only for nested reads */
	int depth;
	int need_flush;
	int up;                /* GG_CONN_UP was announced */
	int up_due;            /* ... and is to be, by h->soon */
	int dirty;             /* on h->dirty */
	struct gg_conn *dirty_next;
	int close_req;         /* teardown requested; done at depth 0 */
	int close_err;
	char close_why[160];
	int torn_down;
	int closes_pending;    /* hs_timer and tcp still closing */
	struct gg_stream *streams;
	struct gg_stream *dead;
};

enum stream_state { SS_NEGOTIATING, SS_OPEN };

struct gg_stream {
	struct gg_conn *c;
	struct gg_stream *next, *prev;
	struct gg_yamux_stream *ys;
	enum stream_state st;
	int inbound;
	struct gg_mss mss;
	int mss_live;
	const char *protos[GG_MSS_MAX_PROTOS];
	int nprotos;
	char *owned; /* outbound: the proposals, copied */
	const char *proto;
	gg_stream_open_cb open_cb;
	void *open_arg;
	struct gg_stream_cbs cbs;
	void *arg;
	int has_cbs;
	struct gg_buf inq;  /* bytes after the negotiation, delivered first */
	struct gg_buf wq;   /* bytes the muxer could not take yet */
	size_t wq_off;
	int paused, want_drain, wclosed, fin_sent, eof, dead, pumping;
};

/* host.c */
void host_conn_up(struct gg_conn *c);
/* c has output: flush it once the loop is done with this phase. */
void host_conn_dirty(struct gg_conn *c);
/* c is going: off the dirty list. */
void host_conn_clean(struct gg_conn *c);
/* Flush c (inside conn_enter/conn_leave); host_conn.c. */
void conn_flush_now(struct gg_conn *c);
/* A big read came in: poll without sleeping for a moment. */
void host_spin(struct gg_host *h);
/* The handshake used the spare ephemeral key: make another soon. */
void host_spare_soon(struct gg_host *h);
/* c is going: DOWN to the listeners (when it was up), out of the list. */
void host_conn_unlink(struct gg_conn *c);
/* An unlinked connection's memory is gone. */
void host_conn_freed(struct gg_host *h);
/* The dial d ends: c ready (err 0) or failed; frees d. */
void host_dial_done(struct gg_dial *d, struct gg_conn *c, int err,
		    const struct gg_peerid *remote);
struct gg_handler *host_find_handler(struct gg_host *h, const char *proto);

/* host_conn.c */
int conn_new(struct gg_host *h, uv_tcp_t *tcp, int inbound,
	     struct gg_dial *d, uint64_t hs_ms, struct gg_conn **out);
void conn_enter(struct gg_conn *c);
void conn_leave(struct gg_conn *c);
void conn_fail(struct gg_conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conn_tick(struct gg_conn *c, uint64_t now);
const char *conn_name(const struct gg_conn *c, char *buf, size_t bufsz);

/* host_stream.c */
int stream_accept(struct gg_conn *c, struct gg_yamux_stream *ys);
void stream_pump(struct gg_stream *s);
void stream_writable(struct gg_stream *s);
/* yamux on_payload: bytes for s straight from the muxer; how many taken */
size_t stream_offer(struct gg_stream *s, const uint8_t *p, size_t n);
void stream_finish(struct gg_stream *s, int err);
void stream_reap(struct gg_conn *c);

#endif
