/*
 * yamux.c - the yamux session: the frame parser, the output queue, pings,
 * go away and timers (see yamux.h); streams and flow control are in
 * yamux_stream.c.
 *
 * The parser keeps at most one 12-byte header; a data frame's payload is
 * handed to its stream as it arrives, so no frame is ever buffered whole.
 * Streams handed to the application are freed only when the outermost
 * public call returns (enter/leave), so a callback may release a stream
 * that the parser is still looking at.
 */
#include <string.h>

#include "p2p/yamux.h"
#include "p2p/yamux_impl.h"
#include "util/error.h"
#include "util/log.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void gg_yamux_hdr_encode(uint8_t out[GG_YAMUX_HDR_LEN], uint8_t type,
			 uint16_t flags, uint32_t id, uint32_t len)
{
	out[0] = 0;
	out[1] = type;
	out[2] = (uint8_t)(flags >> 8);
	out[3] = (uint8_t)flags;
	out[4] = (uint8_t)(id >> 24);
	out[5] = (uint8_t)(id >> 16);
	out[6] = (uint8_t)(id >> 8);
	out[7] = (uint8_t)id;
	out[8] = (uint8_t)(len >> 24);
	out[9] = (uint8_t)(len >> 16);
	out[10] = (uint8_t)(len >> 8);
	out[11] = (uint8_t)len;
}

int yamux_fifo_add(struct yamux_fifo *f, const uint8_t *p, size_t n,
		   size_t max)
{
	size_t ncap;
	uint8_t *d;

	if (n > max || f->len > max - n)
		return GG_ETOOBIG;
	if (f->off + f->len + n > f->cap && f->off > 0) {
		/* slide the live bytes to the front before growing */
		memmove(f->data, f->data + f->off, f->len);
		f->off = 0;
	}
	if (f->len + n > f->cap) {
		ncap = f->cap ? f->cap : 4096;
		while (ncap < f->len + n)
			ncap *= 2;
		d = realloc(f->data, ncap);
		if (!d)
			return GG_ENOMEM;
		f->data = d;
		f->cap = ncap;
	}
	memcpy(f->data + f->off + f->len, p, n);
	f->len += n;
	return 0;
}

void yamux_fifo_drop(struct yamux_fifo *f, size_t n)
{
	if (n >= f->len) {
		f->off = f->len = 0;
		return;
	}
	f->off += n;
	f->len -= n;
}

void yamux_fifo_release(struct yamux_fifo *f)
{
	free(f->data);
	memset(f, 0, sizeof(*f));
}

uint64_t yamux_now(struct gg_yamux *y)
{
	return y->cfg.now ? y->cfg.now(y->cfg.ud) : y->now_ms;
}

void yamux_enter(struct gg_yamux *y)
{
	y->depth++;
}

void yamux_leave(struct gg_yamux *y)
{
	struct gg_yamux_stream *s;

	if (--y->depth > 0)
		return;
	while ((s = y->dead)) {
		y->dead = s->next_dead;
		yamux_stream_free(s);
	}
}

int yamux_fail(struct gg_yamux *y, int err, uint32_t code)
{
	if (y->err)
		return y->err;
	gg_debug("yamux", "session failed: %s", gg_strerror(err));
	if (!y->goaway_sent) {
		uint8_t h[GG_YAMUX_HDR_LEN];

		/* best effort, past every cap: it is the last frame */
		gg_yamux_hdr_encode(h, GG_YAMUX_GOAWAY, 0, 0, code);
		yamux_fifo_add(&y->out, h, sizeof(h), SIZE_MAX);
		y->goaway_sent = 1;
	}
	y->err = err;
	return err;
}

static int out_add(struct gg_yamux *y, const uint8_t *p, size_t n,
		   size_t max)
{
	int was_empty = y->out.len == 0;
	int rc = yamux_fifo_add(&y->out, p, n, max);

	if (!rc)
		y->queued += n;
	if (!rc && was_empty && y->cfg.on_output)
		y->cfg.on_output(y->cfg.ud);
	return rc;
}

int yamux_ctrl(struct gg_yamux *y, uint8_t type, uint16_t flags, uint32_t id,
	       uint32_t len)
{
	uint8_t h[GG_YAMUX_HDR_LEN];

	if (y->err)
		return y->err;
	gg_yamux_hdr_encode(h, type, flags, id, len);
	if (out_add(y, h, sizeof(h), y->cfg.max_out + YAMUX_CTRL_SLACK))
		return yamux_fail(y, GG_ELIMIT, GG_YAMUX_GOAWAY_INTERNAL);
	return 0;
}

size_t yamux_out_room(const struct gg_yamux *y)
{
	size_t need = GG_YAMUX_HDR_LEN + 1;

	if (y->out.len + need > y->cfg.max_out)
		return 0;
	return y->cfg.max_out - y->out.len - GG_YAMUX_HDR_LEN;
}

int yamux_data(struct gg_yamux *y, uint16_t flags, uint32_t id,
	       const uint8_t *p, uint32_t n)
{
	uint8_t h[GG_YAMUX_HDR_LEN];
	int rc;

	gg_yamux_hdr_encode(h, GG_YAMUX_DATA, flags, id, n);
	/* straight to the host when nothing queued must go first */
	if (y->out.len == 0 && y->cfg.on_send) {
		rc = y->cfg.on_send(y->cfg.ud, h, p, n);
		if (rc == 0) {
			y->queued += sizeof(h) + n;
			return 0;
		}
		if (rc == GG_EAGAIN)
			return rc; /* the host is full: hold the writer */
	}
	rc = out_add(y, h, sizeof(h), y->cfg.max_out);
	if (!rc)
		rc = out_add(y, p, n, y->cfg.max_out);
	return rc;
}

int gg_yamux_new(const struct gg_yamux_cfg *cfg, struct gg_yamux **out)
{
	struct gg_yamux *y;

	*out = NULL;
	if (!cfg || (cfg->max_window &&
		     cfg->max_window < GG_YAMUX_INITIAL_WINDOW))
		return GG_EINVAL;
	y = calloc(1, sizeof(*y));
	if (!y)
		return GG_ENOMEM;
	y->cfg = *cfg;
	if (!y->cfg.max_streams)
		y->cfg.max_streams = GG_YAMUX_DEF_MAX_STREAMS;
	if (!y->cfg.max_window)
		y->cfg.max_window = GG_YAMUX_DEF_MAX_WINDOW;
	if (!y->cfg.max_out)
		y->cfg.max_out = GG_YAMUX_DEF_MAX_OUT;
	if (!y->cfg.max_frame)
		y->cfg.max_frame = GG_YAMUX_DEF_MAX_FRAME;
	if (!y->cfg.ping_timeout_ms)
		y->cfg.ping_timeout_ms = GG_YAMUX_DEF_PING_TIMEOUT_MS;
	y->next_id = cfg->client ? 1 : 2;
	y->now_ms = yamux_now(y);
	y->last_ping_ms = y->now_ms;
	/* measure the RTT early: window growth depends on it */
	if (y->cfg.keepalive_ms)
		gg_yamux_ping(y);
	*out = y;
	return 0;
}

void gg_yamux_free(struct gg_yamux *y)
{
	if (!y)
		return;
	while (y->all)
		yamux_stream_free(y->all);
	free(y->streams);
	yamux_fifo_release(&y->out);
	free(y);
}

static struct gg_yamux_stream *lookup(struct gg_yamux *y, uint32_t id)
{
	size_t i;

	if (y->last && y->last->in_table && y->last->id == id)
		return y->last;
	for (i = 0; i < y->nstreams; i++)
		if (y->streams[i]->id == id)
			return y->last = y->streams[i];
	return NULL;
}

/* A SYN from the remote: a new inbound stream, or NULL when refused. */
static struct gg_yamux_stream *incoming(struct gg_yamux *y, uint32_t id,
					int *rc)
{
	struct gg_yamux_stream *s;
	uint64_t mark;

	*rc = 0;
	if ((id & 1) == (y->cfg.client ? 1u : 0u) || lookup(y, id)) {
		*rc = yamux_fail(y, GG_EPROTO, GG_YAMUX_GOAWAY_PROTO);
		return NULL;
	}
	if (y->goaway_sent || y->nstreams >= y->cfg.max_streams ||
	    !y->cfg.on_stream) {
		*rc = yamux_ctrl(y, GG_YAMUX_WINDOW, GG_YAMUX_RST, id, 0);
		return NULL;
	}
	s = yamux_stream_new(y, id, 0);
	if (!s) {
		*rc = yamux_fail(y, GG_ENOMEM, GG_YAMUX_GOAWAY_INTERNAL);
		return NULL;
	}
	/* ACK first: the application may write from on_stream, and its data
	 * should follow the acknowledgement */
	*rc = yamux_ctrl(y, GG_YAMUX_WINDOW, GG_YAMUX_ACK, id, 0);
	mark = y->queued;
	if (*rc) {
		s->released = 1;
		yamux_stream_unlink(s);
		return NULL;
	}
	if (y->cfg.on_stream(y->cfg.ud, s) < 0) {
		/* a plain refusal: take the ACK back if nothing followed it,
		 * so the opener sees RST alone */
		if (y->queued == mark && y->out.len >= GG_YAMUX_HDR_LEN)
			y->out.len -= GG_YAMUX_HDR_LEN;
		s->released = 1;
		gg_yamux_stream_reset(s);
		return NULL;
	}
	return s->in_table ? s : NULL;
}

/* Data and window update frames. */
static int stream_frame(struct gg_yamux *y, uint8_t type, uint16_t flags,
			uint32_t id, uint32_t len)
{
	struct gg_yamux_stream *s;
	int rc = 0;

	if (id == 0)
		return yamux_fail(y, GG_EPROTO, GG_YAMUX_GOAWAY_PROTO);
	if (type == GG_YAMUX_DATA && len > y->cfg.max_window)
		return yamux_fail(y, GG_EPROTO, GG_YAMUX_GOAWAY_PROTO);
	if (flags & GG_YAMUX_SYN)
		s = incoming(y, id, &rc);
	else
		s = lookup(y, id);
	if (rc)
		return rc;
	if (type == GG_YAMUX_DATA) {
		if (s && len > s->recv_win)
			return yamux_fail(y, GG_EPROTO,
					  GG_YAMUX_GOAWAY_PROTO);
		if (s && s->remote_fin && len) {
			/* data after FIN: that stream is broken, not the
			 * session; reset it and skip the payload */
			rc = gg_yamux_stream_reset(s);
			s = NULL;
		}
		y->data_left = len;
		y->data_s = s;
		y->data_flags = flags;
		if (s)
			s->recv_win -= len;
		return rc;
	}
	if (!s) /* closed or unknown: nothing to do */
		return 0;
	yamux_stream_window(s, len);
	yamux_stream_flags(s, flags);
	return 0;
}

static void got_pong(struct gg_yamux *y, uint32_t value)
{
	if (!y->ping_out || value != y->ping_id)
		return;
	y->ping_out = 0;
	y->rtt_ms = yamux_now(y) - y->ping_sent_ms;
	y->have_rtt = 1;
	if (y->cfg.on_pong)
		y->cfg.on_pong(y->cfg.ud, y->rtt_ms);
}

static int frame(struct gg_yamux *y)
{
	const uint8_t *h = y->hdr;
	uint16_t flags = (uint16_t)(h[2] << 8 | h[3]);
	uint32_t id = be32(h + 4), len = be32(h + 8);

	if (h[0] != 0)
		return yamux_fail(y, GG_EPROTO, GG_YAMUX_GOAWAY_PROTO);
	switch (h[1]) {
	case GG_YAMUX_DATA:
	case GG_YAMUX_WINDOW:
		return stream_frame(y, h[1], flags, id, len);
	case GG_YAMUX_PING:
		/* answer a request with ACK only, never with another ping */
		if (flags & GG_YAMUX_SYN)
			return yamux_ctrl(y, GG_YAMUX_PING, GG_YAMUX_ACK, 0,
					  len);
		if (flags & GG_YAMUX_ACK)
			got_pong(y, len);
		return 0;
	case GG_YAMUX_GOAWAY:
		y->goaway_recv = 1;
		gg_debug("yamux", "go away from remote, code %u", len);
		if (y->cfg.on_goaway)
			y->cfg.on_goaway(y->cfg.ud, len);
		return 0;
	default:
		return yamux_fail(y, GG_EPROTO, GG_YAMUX_GOAWAY_PROTO);
	}
}

/* The end of a data frame's payload: its FIN/RST flags apply now. */
static void data_done(struct gg_yamux *y)
{
	struct gg_yamux_stream *s = y->data_s;

	y->data_s = NULL;
	if (s && s->in_table)
		yamux_stream_flags(s, y->data_flags);
}

static size_t payload(struct gg_yamux *y, const uint8_t *p, size_t n)
{
	size_t k = n < y->data_left ? n : y->data_left;
	int rc;

	y->data_left -= (uint32_t)k;
	if (y->data_s && y->data_s->in_table && k) {
		rc = yamux_stream_deliver(y->data_s, p, k);
		if (rc)
			yamux_fail(y, rc, GG_YAMUX_GOAWAY_INTERNAL);
	}
	if (y->data_left == 0 && !y->err)
		data_done(y);
	return k;
}

static int parse(struct gg_yamux *y, const uint8_t *p, size_t n)
{
	size_t k;

	while (n > 0 && !y->err) {
		if (y->data_left) {
			k = payload(y, p, n);
			p += k;
			n -= k;
			continue;
		}
		k = GG_YAMUX_HDR_LEN - y->hlen;
		k = k < n ? k : n;
		memcpy(y->hdr + y->hlen, p, k);
		y->hlen += k;
		p += k;
		n -= k;
		if (y->hlen < GG_YAMUX_HDR_LEN)
			break;
		y->hlen = 0;
		if (frame(y))
			break;
		if (y->hdr[1] == GG_YAMUX_DATA && y->data_left == 0)
			data_done(y);
	}
	return y->err;
}

int gg_yamux_feed(struct gg_yamux *y, const uint8_t *p, size_t n)
{
	int rc;

	if (y->err)
		return y->err;
	yamux_enter(y);
	rc = parse(y, p, n);
	yamux_leave(y);
	return rc;
}

int gg_yamux_ping(struct gg_yamux *y)
{
	int rc;

	if (y->err)
		return y->err;
	if (y->ping_out)
		return GG_EBUSY;
	rc = yamux_ctrl(y, GG_YAMUX_PING, GG_YAMUX_SYN, 0, ++y->ping_id);
	if (rc)
		return rc;
	y->ping_out = 1;
	y->ping_sent_ms = y->last_ping_ms = yamux_now(y);
	return 0;
}

int gg_yamux_tick(struct gg_yamux *y, uint64_t now_ms)
{
	if (y->err)
		return y->err;
	y->now_ms = now_ms;
	now_ms = yamux_now(y);
	if (y->ping_out &&
	    now_ms - y->ping_sent_ms >= y->cfg.ping_timeout_ms) {
		gg_debug("yamux", "ping unanswered for %llu ms",
			 (unsigned long long)(now_ms - y->ping_sent_ms));
		return yamux_fail(y, GG_ETIMEOUT, GG_YAMUX_GOAWAY_NORMAL);
	}
	if (y->cfg.keepalive_ms && !y->ping_out &&
	    now_ms - y->last_ping_ms >= y->cfg.keepalive_ms)
		return gg_yamux_ping(y);
	return 0;
}

const uint8_t *gg_yamux_output(struct gg_yamux *y, size_t *len)
{
	*len = y->out.len;
	return y->out.len ? y->out.data + y->out.off : NULL;
}

/*
 * Call on_writable for every stream marked wake.  A callback may close or
 * reset streams, which takes them out of the table (the last entry moves
 * into the hole), so after any change to the table the walk starts over;
 * the marks make sure nobody is woken twice or skipped.
 */
static void wake_marked(struct gg_yamux *y)
{
	struct gg_yamux_stream *s;
	uint64_t gen;
	size_t i = 0;

	while (i < y->nstreams && !y->err) {
		s = y->streams[i];
		if (!s->wake) {
			i++;
			continue;
		}
		s->wake = 0;
		if (!s->want_write || !s->send_win || s->released) {
			i++;
			continue;
		}
		s->want_write = 0;
		gen = y->table_gen;
		if (y->cfg.on_writable)
			y->cfg.on_writable(y->cfg.ud, s);
		i = y->table_gen == gen ? i + 1 : 0;
	}
}

void gg_yamux_output_consume(struct gg_yamux *y, size_t n)
{
	size_t i;
	struct gg_yamux_stream *s;

	yamux_fifo_drop(&y->out, n);
	if (!y->blocked || y->out.len > y->cfg.max_out / 2 || y->err)
		return;
	y->blocked = 0;
	yamux_enter(y);
	for (i = 0; i < y->nstreams; i++) {
		s = y->streams[i];
		s->wake = s->want_write && s->send_win;
	}
	wake_marked(y);
	yamux_leave(y);
}

int gg_yamux_goaway(struct gg_yamux *y, uint32_t code)
{
	int rc;

	if (y->err)
		return y->err;
	if (y->goaway_sent)
		return 0;
	rc = yamux_ctrl(y, GG_YAMUX_GOAWAY, 0, 0, code);
	if (!rc)
		y->goaway_sent = 1;
	return rc;
}

int gg_yamux_error(const struct gg_yamux *y)
{
	return y->err;
}

size_t gg_yamux_nstreams(const struct gg_yamux *y)
{
	return y->nstreams;
}

uint64_t gg_yamux_rtt(const struct gg_yamux *y)
{
	return y->rtt_ms;
}
