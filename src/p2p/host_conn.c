/*
 * host_conn.c - one connection: its upgrade from TCP to yamux, its socket
 * I/O, and its orderly or forced end.
 *
 * Bytes in go, by state, to multistream-select (picking /noise), to the
 * Noise engine, and - decrypted - to multistream-select again (picking
 * /yamux/1.0.0) and then to yamux.  Each engine hands bytes it received
 * past its own last message to the next one, so a peer that sends ahead
 * loses nothing.  Bytes out collect in c->out (raw during the Noise
 * handshake, ciphertext afterwards) and are written with uv_try_write
 * when the socket takes them, else with one uv_write at a time, so that
 * at most one buffer is ever pinned by libuv.  Yamux output is pulled and
 * encrypted only when the socket is free, which carries the socket's
 * backpressure up to the muxer and from there to every stream.
 */
#include <stdarg.h>

#include "crypto/key.h"
#include "p2p/host_impl.h"
#include "util/error.h"
#include "util/log.h"

/* Streams we open before the muxer's echo arrives (see conn_can_pull). */
#define CONN_EARLY_STREAMS 8
/* Ciphertext waiting for the socket up to which yamux frames are
 * encrypted straight from the writer's buffer (see y_on_send); one batch,
 * for the same cache reason as CONN_BATCH. */
#define CONN_DIRECT_MAX (256u * 1024u)

static const char *const sec_protos[] = { GG_NOISE_PROTO };
static const char *const mux_protos[] = { GG_YAMUX_PROTO };

const char *conn_name(const struct gg_conn *c, char *buf, size_t bufsz)
{
	char id[GG_PEERID_STR_MAX] = "?", addr[GG_MULTIADDR_STR_MAX] = "?";

	if (c->has_remote)
		gg_peerid_to_str(&c->remote, id, sizeof(id));
	gg_multiaddr_to_str(&c->raddr, addr, sizeof(addr));
	snprintf(buf, bufsz, "%s %s (%s)", c->inbound ? "from" : "to", id,
		 addr);
	return buf;
}

/* ---- teardown ---- */

static void conn_free(struct gg_conn *c)
{
	struct gg_host *h = c->h;

	gg_yamux_free(c->ya);
	gg_noise_free(c->noise);
	if (c->mss_live)
		gg_mss_release(&c->mss);
	gg_buf_release(&c->out);
	gg_buf_release(&c->wout);
	free(c->rbuf);
	free(c);
	host_conn_freed(h);
}

static void conn_piece_closed(void *arg)
{
	struct gg_conn *c = arg;

	if (--c->closes_pending == 0)
		conn_free(c);
}

static void hs_timer_closed(uv_handle_t *hd)
{
	conn_piece_closed(hd->data);
}

/* Best effort: push out what is queued (a go away, say) before closing. */
static void conn_last_words(struct gg_conn *c)
{
	uv_buf_t b;

	if (c->writing || !c->out.len || !c->tcp)
		return;
	b = uv_buf_init((char *)c->out.data, (unsigned)c->out.len);
	uv_try_write((uv_stream_t *)c->tcp, &b, 1);
}

static int conn_pull_mux(struct gg_conn *c);

/* Closing: encrypt what yamux still holds (a reset, a go-away, the last
 * bytes of a stream) so that conn_last_words can try to send it. */
static void conn_final_flush(struct gg_conn *c)
{
	if (!c->writing && c->st == CS_READY && c->ya && c->noise)
		conn_pull_mux(c);
}

static void conn_teardown(struct gg_conn *c)
{
	struct gg_dial *d = c->dial;
	char name[GG_MULTIADDR_STR_MAX + 128];
	int err = c->close_err;

	c->torn_down = 1;
	c->st = CS_CLOSED;
	conn_name(c, name, sizeof(name));
	if (err && err != GG_ECLOSED && err != GG_ECONNRESET &&
	    err != GG_ECANCELED)
		gg_warn("host", "closing connection %s: %s", name,
			c->close_why);
	else
		gg_info("host", "connection %s closed: %s", name,
			c->close_why);
	while (c->streams)
		stream_finish(c->streams, err ? err : GG_ECLOSED);
	stream_reap(c);
	if (d) {
		c->dial = NULL;
		d->conn = NULL;
		host_dial_done(d, NULL, err ? err : GG_ECLOSED,
			       c->has_remote ? &c->remote : NULL);
	}
	host_conn_clean(c);
	host_conn_unlink(c); /* DOWN to the listeners when it was up */
	uv_timer_stop(&c->hs_timer);
	uv_read_stop((uv_stream_t *)c->tcp);
	conn_last_words(c);
	c->closes_pending = 2;
	uv_close((uv_handle_t *)&c->hs_timer, hs_timer_closed);
	gg_tcp_close_cb(c->tcp, conn_piece_closed, c);
}

void conn_fail(struct gg_conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->close_req)
		return;
	c->close_req = 1;
	c->close_err = err;
	va_start(ap, fmt);
	vsnprintf(c->close_why, sizeof(c->close_why), fmt, ap);
	va_end(ap);
}

/* ---- sending ---- */

static void conn_flush(struct gg_conn *c);

static void on_written(uv_write_t *req, int status)
{
	struct gg_conn *c = req->data;

	c->writing = 0;
	gg_buf_reset(&c->wout);
	if (c->torn_down)
		return;
	conn_enter(c);
	if (status < 0)
		conn_fail(c, gg_tcp_uv_err(status), "write failed: %s",
			  uv_strerror(status));
	else
		c->need_flush = 1;
	conn_leave(c);
}

/* Encrypt what yamux has queued into c->out, up to one batch. */
static int conn_pull_mux(struct gg_conn *c)
{
	const uint8_t *p;
	size_t n;
	int rc;

	while (c->out.len < CONN_BATCH) {
		p = gg_yamux_output(c->ya, &n);
		if (!n) {
			/* room for y_on_send again: wake held-back writers */
			if (c->out.len < CONN_DIRECT_MAX)
				gg_yamux_output_consume(c->ya, 0);
			return 0;
		}
		if (n > CONN_BATCH - c->out.len)
			n = CONN_BATCH - c->out.len;
		rc = gg_noise_write(c->noise, p, n, &c->out);
		if (rc)
			return rc;
		gg_yamux_output_consume(c->ya, n);
	}
	return 0;
}

/*
 * Whether yamux output may go out now.  js-libp2p aborts a connection on
 * which more than 10 streams open before it has set its muxer up ("early
 * streams"); while our lazy muxer proposal is unanswered, at most
 * CONN_EARLY_STREAMS stream opens leave, the rest wait for the echo.
 */
static int conn_can_pull(const struct gg_conn *c)
{
	return c->st == CS_READY &&
	       (!c->mss_live || gg_yamux_nstreams(c->ya) <= CONN_EARLY_STREAMS);
}

/*
 * Write c->out: what the socket takes now, and the rest with one uv_write
 * (the buffer is swapped into c->wout, so c->out is free again at once).
 * Only the socket is touched, no engine and no callback, so this is safe
 * at any depth.  Nothing while a write is in flight.  0 or the error (the
 * connection is then failing).
 */
static int conn_write_out(struct gg_conn *c)
{
	struct gg_buf t;
	uv_buf_t b;
	int r;

	/* one write at a time, or bytes would overtake the ones in flight
	 * (a writer woken inside conn_pull_mux may have started one) */
	if (c->writing || !c->out.len)
		return 0;
	b = uv_buf_init((char *)c->out.data, (unsigned)c->out.len);
	r = uv_try_write((uv_stream_t *)c->tcp, &b, 1);
	if (r == (int)c->out.len) {
		gg_buf_reset(&c->out);
		return 0;
	}
	if (r < 0 && r != UV_EAGAIN)
		goto fail;
	t = c->wout; /* hand the rest to uv_write */
	c->wout = c->out;
	c->out = t;
	r = r < 0 ? 0 : r;
	b = uv_buf_init((char *)c->wout.data + r,
			(unsigned)(c->wout.len - (size_t)r));
	c->wreq.data = c;
	r = uv_write(&c->wreq, (uv_stream_t *)c->tcp, &b, 1, on_written);
	if (r < 0)
		goto fail;
	c->writing = 1;
	return 0;
fail:
	conn_fail(c, gg_tcp_uv_err(r), "write failed: %s", uv_strerror(r));
	return gg_tcp_uv_err(r);
}

static void conn_flush(struct gg_conn *c)
{
	int i, r;

	c->need_flush = 0;
	for (i = 0; i < 64 && !c->writing && !c->close_req; i++) {
		if (conn_can_pull(c) && (r = conn_pull_mux(c)) != 0) {
			conn_fail(c, r, "encrypting: %s", gg_strerror(r));
			return;
		}
		if (!c->out.len || conn_write_out(c))
			return;
	}
	if (i == 64)
		c->need_flush = 1; /* more next time round */
}

void conn_enter(struct gg_conn *c)
{
	c->depth++;
}

/*
 * The outermost leave reaps dead streams and tears the connection down
 * when that was asked for (saying first what is still queued); output is
 * flushed by the host once the loop is done with this phase
 * (host_conn_dirty), so everything said in one callback leaves together.
 */
void conn_leave(struct gg_conn *c)
{
	if (c->depth > 1) {
		c->depth--;
		return;
	}
	if (!c->torn_down && c->dead)
		stream_reap(c);
	if (!c->torn_down && c->close_req) {
		conn_final_flush(c);
		conn_teardown(c);
	} else if (!c->torn_down && c->need_flush) {
		host_conn_dirty(c);
	}
	c->depth = 0;
}

/* The host's flush of a dirty connection. */
void conn_flush_now(struct gg_conn *c)
{
	int i;

	if (c->torn_down)
		return;
	conn_enter(c);
	for (i = 0; i < 16 && c->need_flush && !c->close_req; i++) {
		conn_flush(c);
		if (c->dead)
			stream_reap(c);
	}
	conn_leave(c);
}

/* Encrypt p[0..n) for the socket (after the Noise handshake). */
static int conn_send_secure(struct gg_conn *c, const struct gg_buf *b)
{
	int rc;

	if (!b->len)
		return 0;
	rc = gg_noise_write(c->noise, b->data, b->len, &c->out);
	c->need_flush = 1;
	return rc;
}

static int conn_send_raw(struct gg_conn *c, struct gg_buf *b)
{
	int rc = gg_buf_add(&c->out, b->data, b->len);

	gg_buf_reset(b);
	c->need_flush = 1;
	return rc;
}

/* ---- yamux ---- */

static uint64_t y_now(void *ud)
{
	struct gg_conn *c = ud;

	return uv_now(c->h->loop);
}

static int y_on_stream(void *ud, struct gg_yamux_stream *ys)
{
	struct gg_conn *c = ud;

	if (c->close_req || c->h->closing)
		return GG_ECLOSED;
	return stream_accept(c, ys);
}

static void y_on_readable(void *ud, struct gg_yamux_stream *ys)
{
	struct gg_stream *s = gg_yamux_stream_user(ys);

	if (s)
		stream_pump(s);
}

static void y_on_writable(void *ud, struct gg_yamux_stream *ys)
{
	struct gg_stream *s = gg_yamux_stream_user(ys);

	if (s)
		stream_writable(s);
}

static size_t y_on_payload(void *ud, struct gg_yamux_stream *ys,
			   const uint8_t *p, size_t n)
{
	struct gg_stream *s = gg_yamux_stream_user(ys);

	return s ? stream_offer(s, p, n) : 0;
}

/*
 * A data frame from a writer, while yamux has nothing queued: encrypt it
 * straight from the writer's buffer into c->out (one pass instead of a
 * copy into yamux and a second pass).  Past CONN_DIRECT_MAX bytes waiting
 * for the socket the writer is held back (rather than copied into yamux
 * to wait there); while stream opens are held back, yamux queues it.
 */
static int y_on_send(void *ud, const uint8_t *hdr, const uint8_t *p,
		     size_t n)
{
	struct gg_conn *c = ud;
	struct gg_noise_iov v[2] = { { hdr, GG_YAMUX_HDR_LEN }, { p, n } };

	if (c->close_req || !conn_can_pull(c))
		return GG_EBUSY; /* queued in yamux */
	if (c->out.len >= CONN_DIRECT_MAX)
		return GG_EAGAIN; /* the writer waits: conn_pull_mux wakes it */
	if (gg_noise_writev(c->noise, v, 2, &c->out))
		return GG_EBUSY; /* queued; the pull reports the error */
	c->need_flush = 1;
	/* a writer pushing a lot inside one callback: keep the socket busy
	 * rather than let it all pile up here */
	if (!c->writing && c->out.len >= CONN_BATCH)
		conn_write_out(c);
	return 0;
}

static void y_on_output(void *ud)
{
	struct gg_conn *c = ud;

	c->need_flush = 1;
}

static void y_on_goaway(void *ud, uint32_t code)
{
	char name[GG_MULTIADDR_STR_MAX + 128];

	gg_info("host", "connection %s: peer sent go away (%u)",
		conn_name(ud, name, sizeof(name)), (unsigned)code);
}

static int conn_start_mux(struct gg_conn *c)
{
	struct gg_yamux_cfg yc;

	memset(&yc, 0, sizeof(yc));
	yc.client = !c->inbound;
	yc.max_streams = c->h->ymax_streams;
	yc.keepalive_ms = 30000;
	yc.ud = c;
	yc.now = y_now;
	yc.on_stream = y_on_stream;
	yc.on_readable = y_on_readable;
	yc.on_writable = y_on_writable;
	yc.on_output = y_on_output;
	yc.on_send = y_on_send;
	yc.on_payload = y_on_payload;
	yc.on_goaway = y_on_goaway;
	return gg_yamux_new(&yc, &c->ya);
}

/* ---- the upgrade ---- */

static void conn_ready(struct gg_conn *c)
{
	struct gg_dial *d = c->dial;

	c->st = CS_READY;
	uv_timer_stop(&c->hs_timer);
	host_conn_up(c);
	if (d) {
		c->dial = NULL;
		d->conn = NULL;
		host_dial_done(d, c, 0, &c->remote);
	}
}

/*
 * The muxer's multistream-select finished (rc 1 from gg_mss_feed): start
 * yamux unless the lazy dialer did already, and hand it the bytes that
 * followed the negotiation.
 */
static int conn_mux_selected(struct gg_conn *c)
{
	const uint8_t *rest;
	size_t nrest;
	int rc = 0, was_ready = c->st == CS_READY;

	if (!was_ready)
		rc = conn_start_mux(c);
	if (rc == 0) {
		rest = gg_mss_leftover(&c->mss, &nrest);
		c->st = CS_READY;
		if (nrest)
			rc = gg_yamux_feed(c->ya, rest, nrest);
	}
	gg_mss_release(&c->mss);
	c->mss_live = 0;
	if (rc) {
		conn_fail(c, rc, "yamux: %s", gg_strerror(rc));
		return rc;
	}
	if (!was_ready)
		conn_ready(c);
	return 0;
}

/* Decrypted bytes: multistream-select for the muxer, then yamux.  A lazy
 * dialer is CS_READY already while the muxer's echo is still due. */
static int n_on_data(void *ud, const uint8_t *p, size_t n)
{
	struct gg_conn *c = ud;
	int rc;

	if (c->close_req)
		return GG_ECLOSED;
	if (!c->mss_live) {
		rc = gg_yamux_feed(c->ya, p, n);
		if (rc)
			conn_fail(c, rc, "yamux: %s", gg_strerror(rc));
		return rc;
	}
	rc = gg_mss_feed(&c->mss, p, n);
	if (conn_send_secure(c, &c->mss.out) == 0)
		gg_buf_reset(&c->mss.out);
	if (rc < 0) {
		conn_fail(c, rc, "negotiating the muxer: %s",
			  gg_strerror(rc));
		return rc;
	}
	return rc == 0 ? 0 : conn_mux_selected(c);
}

/*
 * Noise is done.  Negotiate the muxer inside it; the dialer proposes only
 * /yamux/1.0.0, so it does not wait for the echo ("lazy", as rust's
 * V1Lazy): yamux starts at once and its first frames ride behind the
 * proposal (the listener keeps bytes after the line, js included).  The
 * echo is checked when it arrives; a refusal closes the connection.
 */
static int n_on_ready(void *ud, const struct gg_peerid *remote)
{
	struct gg_conn *c = ud;
	struct gg_dial *d = c->dial;
	int rc;

	c->remote = *remote;
	c->has_remote = 1;
	if (d && d->has_expect && !gg_peerid_eq(&d->expect, remote)) {
		char want[GG_PEERID_STR_MAX], got[GG_PEERID_STR_MAX];

		gg_peerid_to_str(&d->expect, want, sizeof(want));
		gg_peerid_to_str(remote, got, sizeof(got));
		conn_fail(c, GG_EPEERID, "peer ID mismatch: dialed %s, "
			  "remote is %s", want, got);
		return GG_EPEERID;
	}
	c->st = CS_MUX_MSS;
	rc = c->inbound ? gg_mss_init_listener(&c->mss, mux_protos, 1)
			: gg_mss_init_dialer(&c->mss, mux_protos, 1);
	if (rc)
		return rc;
	c->mss_live = 1;
	rc = conn_send_secure(c, &c->mss.out);
	gg_buf_reset(&c->mss.out);
	if (rc || c->inbound)
		return rc;
	rc = conn_start_mux(c);
	if (rc)
		return rc;
	c->st = CS_READY;
	conn_ready(c);
	return 0;
}

static int conn_start_noise(struct gg_conn *c)
{
	struct gg_noise_cfg nc;
	int rc;

	/* one static key and signed payload for all our connections; if
	 * that fails, each connection makes its own */
	if (!c->h->noise_st &&
	    gg_noise_static_new(c->h->key, &c->h->noise_st))
		c->h->noise_st = NULL;
	memset(&nc, 0, sizeof(nc));
	nc.initiator = !c->inbound;
	nc.key = c->h->key;
	nc.shared = c->h->noise_st;
	nc.ud = c;
	nc.on_ready = n_on_ready;
	nc.on_data = n_on_data;
	c->need_flush = 1;
	rc = gg_noise_new(&nc, &c->noise);
	host_spare_soon(c->h); /* the engine took the spare key */
	return rc;
}

/*
 * Raw bytes: multistream-select picking /noise, then Noise.  The dialer
 * proposes only /noise and sends its first Noise message right behind
 * the proposal (lazy); the listener starts Noise once it has agreed.
 */
static void conn_input(struct gg_conn *c, const uint8_t *p, size_t n)
{
	struct gg_mss sec;
	const uint8_t *rest;
	size_t nrest;
	int rc = 0;

	if (c->st == CS_SEC_MSS) {
		rc = gg_mss_feed(&c->mss, p, n);
		conn_send_raw(c, &c->mss.out);
		if (rc < 0) {
			conn_fail(c, rc, "negotiating security: %s",
				  gg_strerror(rc));
			return;
		}
		if (rc == 0)
			return;
		rc = c->noise ? 0 : conn_start_noise(c);
		c->st = CS_NOISE;
		/* c->mss is the muxer's once Noise is ready, which may happen
		 * while feeding the leftover: move this one out first */
		sec = c->mss;
		c->mss_live = 0;
		memset(&c->mss, 0, sizeof(c->mss));
		rest = gg_mss_leftover(&sec, &nrest);
		if (rc == 0 && nrest)
			rc = gg_noise_feed(c->noise, rest, nrest, &c->out);
		gg_mss_release(&sec);
	} else {
		rc = gg_noise_feed(c->noise, p, n, &c->out);
	}
	c->need_flush = 1;
	if (rc && !c->close_req)
		conn_fail(c, rc, "noise: %s", gg_strerror(rc));
}

/* ---- libuv glue ---- */

/*
 * Reads land in one buffer per host: every engine copies what it keeps,
 * so the buffer is free again when on_read returns, and a connection
 * costs no 256 KiB allocation (and its page faults).  Only a read inside
 * another one's callbacks (a nested loop run) gets a buffer of its own.
 */
static void on_alloc(uv_handle_t *hd, size_t hint, uv_buf_t *b)
{
	struct gg_conn *c = hd->data;
	struct gg_host *h = c->h;

	if (!h->rbuf_busy && (h->rbuf || (h->rbuf = malloc(CONN_RBUF))))
		*b = uv_buf_init((char *)h->rbuf, CONN_RBUF);
	else if (c->rbuf || (c->rbuf = malloc(CONN_RBUF)))
		*b = uv_buf_init((char *)c->rbuf, CONN_RBUF);
	else
		*b = uv_buf_init(NULL, 0); /* UV_ENOBUFS: the read fails */
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct gg_conn *c = st->data;
	struct gg_host *h = c->h;
	int shared = b->base && b->base == (char *)h->rbuf;

	if (n == 0 || c->torn_down)
		return;
	h->rbuf_busy += shared;
	conn_enter(c);
	if (n == UV_EOF)
		conn_fail(c, 0, "the peer closed the connection");
	else if (n < 0)
		conn_fail(c, gg_tcp_uv_err((int)n), "read: %s",
			  uv_strerror((int)n));
	else if (!c->close_req)
		conn_input(c, (const uint8_t *)b->base, (size_t)n);
	conn_leave(c);
	h->rbuf_busy -= shared;
	if (n >= (ssize_t)HOST_SPIN_READ)
		host_spin(h);
}

static void on_hs_timeout(uv_timer_t *t)
{
	struct gg_conn *c = t->data;

	conn_enter(c);
	conn_fail(c, GG_ETIMEOUT, "handshake not finished after %llu ms",
		  (unsigned long long)c->hs_ms);
	conn_leave(c);
}

void conn_tick(struct gg_conn *c, uint64_t now)
{
	int rc;

	if (c->st != CS_READY || c->close_req)
		return;
	conn_enter(c);
	if (GG_LOG_ON(GG_LOG_TRACE)) {
		size_t yo;

		struct gg_stream *s;
		size_t wq = 0, rq = 0, k;
		int paused = 0, nopen = 0, neof = 0, nfin = 0, ncb = 0;

		for (s = c->streams; s; s = s->next) {
			neof += s->eof;
			nfin += s->fin_sent;
			ncb += s->has_cbs;
			wq += s->wq.len - s->wq_off;
			paused += s->paused;
			nopen += s->st == SS_OPEN;
			if (s->ys) {
				gg_yamux_stream_peek(s->ys, &k);
				rq += k;
			}
		}
		gg_trace("host", "conn %p: queued %zu, unread %zu, paused %d, "
			 "open %d eof %d fin %d cbs %d", (void *)c, wq, rq,
			 paused, nopen, neof, nfin, ncb);
		gg_yamux_output(c->ya, &yo);
		gg_trace("host", "conn %p: %zu streams, out %zu, in flight %zu"
			 " (%d), muxer output %zu", (void *)c,
			 gg_yamux_nstreams(c->ya), c->out.len, c->wout.len,
			 c->writing, yo);
	}
	rc = gg_yamux_tick(c->ya, now);
	if (rc)
		conn_fail(c, rc, "yamux: %s", gg_strerror(rc));
	conn_leave(c);
}

int conn_new(struct gg_host *h, uv_tcp_t *tcp, int inbound,
	     struct gg_dial *d, uint64_t hs_ms, struct gg_conn **out)
{
	struct gg_conn *c;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c)
		return GG_ENOMEM;
	c->h = h;
	c->tcp = tcp;
	c->inbound = inbound;
	c->dial = d;
	tcp->data = c;
	gg_buf_init(&c->out, CONN_MAX_OUT);
	gg_buf_init(&c->wout, CONN_MAX_OUT);
	gg_tcp_peer_addr(tcp, &c->raddr);
	gg_tcp_peer_ip(tcp, c->ip, sizeof(c->ip));
	uv_timer_init(h->loop, &c->hs_timer);
	c->hs_timer.data = c;
	c->hs_ms = hs_ms;
	uv_timer_start(&c->hs_timer, on_hs_timeout, hs_ms, 0);
	rc = inbound ? gg_mss_init_listener(&c->mss, sec_protos, 1)
		     : gg_mss_init_dialer(&c->mss, sec_protos, 1);
	c->mss_live = rc == 0;
	*out = c;
	conn_enter(c);
	if (rc == 0)
		conn_send_raw(c, &c->mss.out);
	if (rc == 0 && !inbound) /* Noise message 1 right behind "/noise" */
		rc = conn_start_noise(c);
	if (rc == 0 && !inbound)
		rc = gg_noise_start(c->noise, &c->out);
	if (rc == 0) {
		rc = uv_read_start((uv_stream_t *)tcp, on_alloc, on_read);
		rc = gg_tcp_uv_err(rc);
	}
	if (rc)
		conn_fail(c, rc, "starting: %s", gg_strerror(rc));
	return 0; /* the caller links c in, then calls conn_leave */
}
