/*
 * host_stream.c - streams: protocol negotiation on each yamux stream,
 * byte delivery with pause/resume, writes with a queue and a high-water
 * mark, half-close and reset.
 *
 * Reading is pull-based: yamux buffers a stream's data and grants the
 * peer more window only as we consume it, so a paused stream (or a
 * handler that has not set callbacks yet) stops its sender without any
 * buffering here.  Writing: what the muxer cannot take now (the peer's
 * window is full) waits in s->wq and goes out from on_writable; past
 * GG_STREAM_HIGH_WATER the writer is told to wait for on_drain.
 *
 * A stream is never freed under a callback: stream_finish moves it to
 * the connection's dead list, and conn_leave reaps it at depth 0.
 */
#include "p2p/host_impl.h"
#include "util/error.h"
#include "util/log.h"

static void stream_unlink(struct gg_stream *s)
{
	struct gg_conn *c = s->c;

	if (s->prev)
		s->prev->next = s->next;
	else
		c->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = NULL;
	s->next = c->dead;
	c->dead = s;
}

static void stream_link(struct gg_conn *c, struct gg_stream *s)
{
	s->c = c;
	s->next = c->streams;
	if (c->streams)
		c->streams->prev = s;
	c->streams = s;
}

void stream_reap(struct gg_conn *c)
{
	struct gg_stream *s;

	while ((s = c->dead)) {
		c->dead = s->next;
		if (s->ys)
			gg_yamux_stream_release(s->ys);
		if (s->mss_live)
			gg_mss_release(&s->mss);
		gg_buf_release(&s->inq);
		gg_buf_release(&s->wq);
		free(s->owned);
		free(s);
	}
}

void stream_finish(struct gg_stream *s, int err)
{
	if (s->dead)
		return;
	s->dead = 1;
	if (s->ys)
		gg_yamux_stream_set_user(s->ys, NULL);
	stream_unlink(s);
	if (s->open_cb) {
		gg_stream_open_cb cb = s->open_cb;

		s->open_cb = NULL;
		cb(s->open_arg, NULL, err ? err : GG_ECLOSED);
	} else if (s->has_cbs && s->cbs.on_close) {
		s->cbs.on_close(s->arg, s, err);
	}
}

static struct gg_stream *stream_alloc(struct gg_conn *c,
				      struct gg_yamux_stream *ys, int inbound)
{
	struct gg_stream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ys = ys;
	s->inbound = inbound;
	gg_buf_init(&s->inq, GG_MSS_MAX_OUT + 65536);
	gg_buf_init(&s->wq, GG_STREAM_MAX_QUEUED);
	gg_yamux_stream_set_user(ys, s);
	stream_link(c, s);
	return s;
}

/* ---- writing ---- */

static size_t wq_len(const struct gg_stream *s)
{
	return s->wq.len - s->wq_off;
}

static void wq_drop(struct gg_stream *s, size_t n)
{
	s->wq_off += n;
	if (s->wq_off == s->wq.len) {
		gg_buf_reset(&s->wq);
		s->wq_off = 0;
	} else if (s->wq_off > s->wq.len / 2 && s->wq_off > 65536) {
		gg_buf_consume(&s->wq, s->wq_off);
		s->wq_off = 0;
	}
}

/* Hand the muxer as much as it takes, queue the rest. */
static int stream_put(struct gg_stream *s, const uint8_t *p, size_t n)
{
	long r = 0;

	if (!wq_len(s) && n) {
		r = gg_yamux_stream_write(s->ys, p, n);
		if (r < 0)
			return (int)r;
	}
	return gg_buf_add(&s->wq, p + r, n - (size_t)r);
}

static void stream_send_fin(struct gg_stream *s)
{
	if (s->fin_sent || wq_len(s))
		return;
	s->fin_sent = 1;
	gg_yamux_stream_close(s->ys);
	if (s->eof)
		stream_finish(s, 0);
}

void stream_writable(struct gg_stream *s)
{
	long r;

	while (!s->dead && wq_len(s)) {
		r = gg_yamux_stream_write(s->ys, s->wq.data + s->wq_off,
					  wq_len(s));
		if (r < 0) {
			stream_finish(s, (int)r);
			return;
		}
		if (r == 0)
			break;
		wq_drop(s, (size_t)r);
	}
	if (s->dead)
		return;
	if (s->wclosed)
		stream_send_fin(s);
	if (!s->dead && s->want_drain && wq_len(s) <= GG_STREAM_HIGH_WATER / 2) {
		s->want_drain = 0;
		if (s->has_cbs && s->cbs.on_drain)
			s->cbs.on_drain(s->arg, s);
	}
}

/* Multistream-select's own bytes go out like any others. */
static int stream_send_mss(struct gg_stream *s)
{
	int rc = stream_put(s, s->mss.out.data, s->mss.out.len);

	gg_buf_reset(&s->mss.out);
	return rc;
}

/* ---- reading ---- */

static void stream_pump_loop(struct gg_stream *s);

static void stream_selected(struct gg_stream *s)
{
	struct gg_handler *hd;
	const uint8_t *rest;
	size_t nrest;
	gg_stream_open_cb cb;

	rest = gg_mss_leftover(&s->mss, &nrest);
	s->proto = gg_mss_selected(&s->mss);
	if (nrest && gg_buf_add(&s->inq, rest, nrest)) {
		stream_finish(s, GG_ETOOBIG);
		return;
	}
	gg_mss_release(&s->mss);
	s->mss_live = 0;
	s->st = SS_OPEN;
	if (!s->inbound) {
		cb = s->open_cb;
		s->open_cb = NULL;
		if (cb) /* none for a lazy open: the stream is in use already */
			cb(s->open_arg, s, 0);
		return;
	}
	hd = host_find_handler(s->c->h, s->proto);
	if (!hd) { /* unhandled since we offered it */
		gg_stream_reset(s);
		return;
	}
	hd->fn(hd->arg, s);
}

/* The remote's end: 0 still open, else GG_ECLOSED or GG_ECONNRESET. */
static int stream_remote_end(struct gg_stream *s)
{
	uint8_t b;
	long r;

	if (!gg_yamux_stream_remote_closed(s->ys))
		return 0;
	r = gg_yamux_stream_read(s->ys, &b, 1);
	return r == GG_ECONNRESET ? GG_ECONNRESET : GG_ECLOSED;
}

/* 1: negotiated or progressed, go on; 0: wait for more bytes. */
static int stream_negotiate(struct gg_stream *s)
{
	const uint8_t *p;
	size_t n;
	int rc, end;

	p = gg_yamux_stream_peek(s->ys, &n);
	if (!n) {
		end = stream_remote_end(s);
		if (end)
			stream_finish(s, end == GG_ECLOSED ? GG_EPROTO : end);
		return 0;
	}
	rc = gg_mss_feed(&s->mss, p, n);
	gg_yamux_stream_consume(s->ys, n);
	if (rc >= 0 && s->mss.out.len)
		rc = stream_send_mss(s) ? GG_ENOMEM : rc;
	if (rc < 0) {
		gg_debug("host", "stream negotiation failed: %s",
			 gg_strerror(rc));
		gg_yamux_stream_reset(s->ys);
		stream_finish(s, rc);
		return 0;
	}
	if (rc == 1)
		stream_selected(s);
	return 1;
}

static void stream_end(struct gg_stream *s)
{
	int end;

	if (s->eof)
		return;
	end = stream_remote_end(s);
	if (!end)
		return;
	if (end == GG_ECONNRESET) {
		stream_finish(s, GG_ECONNRESET);
		return;
	}
	s->eof = 1;
	if (s->cbs.on_eof)
		s->cbs.on_eof(s->arg, s);
	if (!s->dead && s->fin_sent)
		stream_finish(s, 0);
}

void stream_pump(struct gg_stream *s)
{
	if (s->pumping)
		return; /* the outer loop goes on with the new state */
	s->pumping = 1;
	stream_pump_loop(s);
	s->pumping = 0;
}

static void stream_pump_loop(struct gg_stream *s)
{
	const uint8_t *p;
	size_t n;
	int guard;

	for (guard = 0; guard < 4096 && !s->dead; guard++) {
		if (s->st == SS_NEGOTIATING) {
			if (!stream_negotiate(s))
				return;
			continue;
		}
		if (!s->has_cbs || s->paused)
			return;
		if (s->inq.len) {
			struct gg_buf q = s->inq;

			gg_buf_init(&s->inq, q.max);
			s->cbs.on_data(s->arg, s, q.data, q.len);
			gg_buf_release(&q);
			continue;
		}
		p = gg_yamux_stream_peek(s->ys, &n);
		if (n) {
			s->cbs.on_data(s->arg, s, p, n);
			if (!s->dead)
				gg_yamux_stream_consume(s->ys, n);
			continue;
		}
		stream_end(s);
		return;
	}
}

/*
 * Bytes straight from the muxer (they were never buffered): hand them to
 * an open stream that is reading and has nothing older waiting; else
 * take none and let yamux buffer them for stream_pump.
 */
size_t stream_offer(struct gg_stream *s, const uint8_t *p, size_t n)
{
	if (s->dead || s->st != SS_OPEN || !s->has_cbs || s->paused ||
	    s->pumping || s->inq.len)
		return 0;
	s->cbs.on_data(s->arg, s, p, n);
	return n;
}

int stream_accept(struct gg_conn *c, struct gg_yamux_stream *ys)
{
	struct gg_stream *s = stream_alloc(c, ys, 1);
	struct gg_host *h = c->h;
	int i, rc;

	if (!s)
		return GG_ENOMEM;
	for (i = 0; i < h->nhandlers; i++)
		s->protos[i] = h->handlers[i].proto;
	s->nprotos = h->nhandlers;
	rc = gg_mss_init_listener(&s->mss, s->protos, (size_t)s->nprotos);
	s->mss_live = rc == 0;
	if (rc == 0)
		rc = stream_send_mss(s);
	if (rc) {
		gg_yamux_stream_set_user(ys, NULL);
		s->ys = NULL; /* the muxer resets it when we refuse */
		stream_finish(s, rc);
	}
	return rc;
}

/* ---- the API ---- */

static int copy_protos(struct gg_stream *s, const char *const *protos,
		       int n)
{
	size_t total = 0, off = 0, len;
	int i;

	if (n < 1 || n > GG_MSS_MAX_PROTOS)
		return GG_EINVAL;
	for (i = 0; i < n; i++)
		total += strlen(protos[i]) + 1;
	s->owned = malloc(total);
	if (!s->owned)
		return GG_ENOMEM;
	for (i = 0; i < n; i++) {
		len = strlen(protos[i]) + 1;
		memcpy(s->owned + off, protos[i], len);
		s->protos[i] = s->owned + off;
		off += len;
	}
	s->nprotos = n;
	return 0;
}

/* A new outbound stream with its proposals queued; inside conn_enter. */
static int stream_start(struct gg_conn *c, const char *const *protos, int n,
			struct gg_stream **out)
{
	struct gg_yamux_stream *ys = NULL;
	struct gg_stream *s;
	int rc;

	*out = NULL;
	rc = gg_yamux_open(c->ya, &ys);
	if (rc)
		return rc;
	s = stream_alloc(c, ys, 0);
	if (!s) {
		gg_yamux_stream_release(ys);
		return GG_ENOMEM;
	}
	rc = copy_protos(s, protos, n);
	if (rc == 0)
		rc = gg_mss_init_dialer(&s->mss, s->protos,
					(size_t)s->nprotos);
	s->mss_live = rc == 0;
	if (rc == 0)
		rc = stream_send_mss(s);
	if (rc) {
		gg_yamux_stream_reset(ys);
		stream_finish(s, rc); /* no callback yet: none is set */
		return rc;
	}
	*out = s;
	return 0;
}

int gg_stream_open(struct gg_conn *c, const char *const *protos, int n,
		   gg_stream_open_cb cb, void *arg)
{
	struct gg_stream *s;
	int rc;

	if (c->st != CS_READY || c->close_req)
		return GG_ECLOSED;
	conn_enter(c);
	rc = stream_start(c, protos, n, &s);
	if (rc == 0) {
		s->open_cb = cb;
		s->open_arg = arg;
	}
	conn_leave(c);
	return rc;
}

/*
 * Lazy: the stream is usable at once and the negotiation goes on behind
 * it (stream_selected finds no open_cb to call).  Bytes written now
 * follow the proposal; the listener keeps them for the protocol.
 */
int gg_stream_open_lazy(struct gg_conn *c, const char *proto,
			const struct gg_stream_cbs *cbs, void *arg,
			struct gg_stream **out)
{
	struct gg_stream *s;
	int rc;

	*out = NULL;
	if (!proto || !cbs || !cbs->on_data)
		return GG_EINVAL;
	if (c->st != CS_READY || c->close_req)
		return GG_ECLOSED;
	conn_enter(c);
	rc = stream_start(c, &proto, 1, &s);
	if (rc == 0) {
		s->proto = s->protos[0];
		s->cbs = *cbs;
		s->arg = arg;
		s->has_cbs = 1;
		*out = s;
	}
	conn_leave(c);
	return rc;
}

void gg_stream_set_cbs(struct gg_stream *s, const struct gg_stream_cbs *cbs,
		       void *arg)
{
	s->cbs = *cbs;
	s->arg = arg;
	s->has_cbs = 1;
	if (s->dead || s->pumping)
		return; /* a pump running now delivers what waited */
	conn_enter(s->c);
	stream_pump(s);
	conn_leave(s->c);
}

int gg_stream_write(struct gg_stream *s, const void *p, size_t n)
{
	int rc;

	if (s->dead)
		return GG_ECONNRESET;
	if (s->wclosed)
		return GG_ECLOSED;
	if (wq_len(s) + n > GG_STREAM_MAX_QUEUED)
		return GG_ELIMIT;
	conn_enter(s->c);
	rc = stream_put(s, p, n);
	if (rc == 0 && wq_len(s) > GG_STREAM_HIGH_WATER) {
		s->want_drain = 1;
		rc = 1;
	}
	conn_leave(s->c);
	return rc;
}

void gg_stream_pause(struct gg_stream *s)
{
	s->paused = 1;
}

void gg_stream_resume(struct gg_stream *s)
{
	if (!s->paused || s->dead)
		return;
	s->paused = 0;
	conn_enter(s->c);
	stream_pump(s);
	conn_leave(s->c);
}

int gg_stream_close_write(struct gg_stream *s)
{
	if (s->dead)
		return GG_ECONNRESET;
	if (s->wclosed)
		return 0;
	s->wclosed = 1;
	conn_enter(s->c);
	stream_send_fin(s);
	conn_leave(s->c);
	return 0;
}

void gg_stream_reset(struct gg_stream *s)
{
	struct gg_conn *c = s->c;

	if (s->dead)
		return;
	conn_enter(c);
	gg_yamux_stream_reset(s->ys);
	s->has_cbs = 0; /* no callbacks after a reset */
	s->open_cb = NULL;
	stream_finish(s, GG_ECANCELED);
	conn_leave(c);
}

const char *gg_stream_protocol(const struct gg_stream *s)
{
	return s->proto;
}

struct gg_conn *gg_stream_conn(const struct gg_stream *s)
{
	return s->c;
}

int gg_stream_inbound(const struct gg_stream *s)
{
	return s->inbound;
}

size_t gg_stream_queued(const struct gg_stream *s)
{
	return wq_len(s);
}
