/*
 * yamux_stream.c - yamux streams: open, write within the remote's window,
 * read with window updates on consumption, half-close, reset, and the
 * receive-window growth for fast readers.
 *
 * Flow control: recv_win is what the remote may still send; the bytes it
 * sent sit in rbuf until the application consumes them, so recv_win plus
 * rbuf plus the rest of a data frame still arriving never exceeds
 * recv_max.  A window update goes out once at least
 * half of recv_max can be granted again, so a slow reader holds the
 * remote back.  When a window's worth was consumed within four round
 * trips (go-yamux's rule), the window doubles, up to cfg.max_window per
 * stream and 4 x max_window of growth per session.
 */
#include <string.h>

#include "p2p/yamux.h"
#include "p2p/yamux_impl.h"
#include "util/error.h"
#include "util/log.h"

struct gg_yamux_stream *yamux_stream_new(struct gg_yamux *y, uint32_t id,
					 int outbound)
{
	struct gg_yamux_stream *s, **ns;
	size_t ncap;

	if (y->nstreams == y->scap) {
		ncap = y->scap ? y->scap * 2 : 16;
		ns = realloc(y->streams, ncap * sizeof(*ns));
		if (!ns)
			return NULL;
		y->streams = ns;
		y->scap = ncap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->y = y;
	s->id = id;
	s->outbound = outbound ? 1 : 0;
	s->send_win = s->recv_win = s->recv_max = GG_YAMUX_INITIAL_WINDOW;
	s->epoch_ms = yamux_now(y);
	s->idx = y->nstreams;
	s->in_table = 1;
	y->streams[y->nstreams++] = s;
	s->all_next = y->all;
	if (y->all)
		y->all->all_prev = s;
	y->all = s;
	return s;
}

void yamux_stream_bury(struct gg_yamux_stream *s)
{
	if (s->buried)
		return;
	s->buried = 1;
	s->next_dead = s->y->dead;
	s->y->dead = s;
}

void yamux_stream_unlink(struct gg_yamux_stream *s)
{
	struct gg_yamux *y = s->y;

	if (!s->in_table)
		return;
	y->streams[s->idx] = y->streams[--y->nstreams];
	y->streams[s->idx]->idx = s->idx;
	s->in_table = 0;
	y->table_gen++;
	if (y->last == s)
		y->last = NULL;
	if (y->data_s == s)
		y->data_s = NULL;
	y->grown -= s->recv_max - GG_YAMUX_INITIAL_WINDOW;
	if (s->released)
		yamux_stream_bury(s);
}

void yamux_stream_free(struct gg_yamux_stream *s)
{
	struct gg_yamux *y = s->y;

	if (s->in_table) {
		s->released = 0; /* do not bury: it is freed right here */
		yamux_stream_unlink(s);
	}
	if (s->all_prev)
		s->all_prev->all_next = s->all_next;
	else
		y->all = s->all_next;
	if (s->all_next)
		s->all_next->all_prev = s->all_prev;
	yamux_fifo_release(&s->rbuf);
	free(s);
}

/* Grant the remote the room the application freed, growing the window
 * when it is drained fast. */
static void grant(struct gg_yamux_stream *s)
{
	struct gg_yamux *y = s->y;
	uint64_t now, rtt;
	uint32_t delta, grow;

	if (!s->in_table || s->remote_fin || s->reset || y->err)
		return;
	/* the rest of a data frame still arriving was counted off recv_win
	 * at its header: it is not room to give away */
	delta = s->recv_max - s->recv_win - (uint32_t)s->rbuf.len -
		(y->data_s == s ? y->data_left : 0);
	if (delta < s->recv_max / 2)
		return;
	now = yamux_now(y);
	rtt = y->rtt_ms ? y->rtt_ms : 1;
	if (s->recv_max < y->cfg.max_window && now - s->epoch_ms < 4 * rtt &&
	    y->grown + s->recv_max <= 4 * (uint64_t)y->cfg.max_window) {
		grow = y->cfg.max_window - s->recv_max;
		grow = grow < s->recv_max ? grow : s->recv_max;
		s->recv_max += grow;
		y->grown += grow;
		delta += grow;
		if (s->recv_max == y->cfg.max_window)
			gg_debug("yamux", "stream %u: window grown to %u KiB",
				 (unsigned)s->id, (unsigned)(s->recv_max >> 10));
	}
	s->epoch_ms = now;
	s->recv_win += delta;
	yamux_ctrl(y, GG_YAMUX_WINDOW, 0, s->id, delta);
}

/* Offer payload to the application before buffering it (on_payload);
 * returns how much it took. */
static size_t offer(struct gg_yamux_stream *s, const uint8_t *p, size_t n)
{
	struct gg_yamux *y = s->y;
	size_t k;

	if (s->rbuf.len || !y->cfg.on_payload)
		return 0;
	k = y->cfg.on_payload(y->cfg.ud, s, p, n);
	return k < n ? k : n;
}

int yamux_stream_deliver(struct gg_yamux_stream *s, const uint8_t *p,
			 size_t n)
{
	struct gg_yamux *y = s->y;
	size_t k = 0;
	int rc;

	if (!s->released)
		k = offer(s, p, n);
	if (!s->in_table || s->reset)
		return 0; /* the callback ended the stream */
	if (s->released) { /* lingering after our FIN: discard, keep going */
		grant(s);
		return 0;
	}
	if (k < n) {
		rc = yamux_fifo_add(&s->rbuf, p + k, n - k, s->recv_max);
		if (rc)
			return rc;
	}
	/* after buffering the rest: grant counts what rbuf holds */
	if (k)
		grant(s);
	if (k < n && y->cfg.on_readable)
		y->cfg.on_readable(y->cfg.ud, s);
	return 0;
}

static void remote_reset(struct gg_yamux_stream *s)
{
	struct gg_yamux *y = s->y;
	int unacked = s->outbound && !s->acked;

	s->reset = 1;
	yamux_fifo_release(&s->rbuf);
	yamux_stream_unlink(s);
	if (s->released)
		return;
	if (unacked && y->cfg.on_opened)
		y->cfg.on_opened(y->cfg.ud, s, GG_ECONNREFUSED);
	if (y->cfg.on_readable)
		y->cfg.on_readable(y->cfg.ud, s);
	if (s->want_write && y->cfg.on_writable) {
		s->want_write = 0;
		y->cfg.on_writable(y->cfg.ud, s);
	}
}

/* SYN was handled by the session; ACK, FIN and RST apply here, on data
 * and window update frames alike. */
void yamux_stream_flags(struct gg_yamux_stream *s, uint16_t flags)
{
	struct gg_yamux *y = s->y;

	if ((flags & GG_YAMUX_ACK) && s->outbound && !s->acked) {
		s->acked = 1;
		if (y->cfg.on_opened && !s->released)
			y->cfg.on_opened(y->cfg.ud, s, 0);
	}
	if (flags & GG_YAMUX_RST) {
		remote_reset(s);
		return;
	}
	if (!(flags & GG_YAMUX_FIN) || s->remote_fin)
		return;
	s->remote_fin = 1;
	if (s->local_fin)
		yamux_stream_unlink(s);
	if (!s->released && y->cfg.on_readable)
		y->cfg.on_readable(y->cfg.ud, s);
}

void yamux_stream_window(struct gg_yamux_stream *s, uint32_t delta)
{
	struct gg_yamux *y = s->y;

	if (delta == 0)
		return;
	s->send_win = s->send_win > UINT32_MAX - delta ? UINT32_MAX
						       : s->send_win + delta;
	if (s->want_write && !s->released) {
		s->want_write = 0;
		if (y->cfg.on_writable)
			y->cfg.on_writable(y->cfg.ud, s);
	}
}

int gg_yamux_open(struct gg_yamux *y, struct gg_yamux_stream **out)
{
	struct gg_yamux_stream *s;
	int rc;

	*out = NULL;
	if (y->err)
		return y->err;
	if (y->goaway_sent || y->goaway_recv)
		return GG_ECLOSED;
	if (y->nstreams >= y->cfg.max_streams || y->next_id > UINT32_MAX - 2)
		return GG_ELIMIT;
	s = yamux_stream_new(y, y->next_id, 1);
	if (!s)
		return GG_ENOMEM;
	y->next_id += 2;
	yamux_enter(y);
	rc = yamux_ctrl(y, GG_YAMUX_WINDOW, GG_YAMUX_SYN, s->id, 0);
	if (rc) {
		s->released = 1;
		yamux_stream_unlink(s);
	} else {
		*out = s;
	}
	yamux_leave(y);
	return rc;
}

static int write_state(const struct gg_yamux_stream *s)
{
	if (s->y->err)
		return s->y->err;
	if (s->reset)
		return GG_ECONNRESET;
	if (s->local_fin || !s->in_table)
		return GG_ECLOSED;
	return 0;
}

long gg_yamux_stream_write(struct gg_yamux_stream *s, const void *p,
			   size_t n)
{
	struct gg_yamux *y = s->y;
	const uint8_t *src = p;
	size_t done = 0, k, room;
	int rc = write_state(s);

	if (rc)
		return rc;
	yamux_enter(y);
	while (done < n && s->send_win > 0) {
		room = yamux_out_room(y);
		if (room == 0) {
			y->blocked = 1;
			break;
		}
		k = n - done;
		k = k < s->send_win ? k : s->send_win;
		k = k < y->cfg.max_frame ? k : y->cfg.max_frame;
		k = k < room ? k : room;
		rc = yamux_data(y, 0, s->id, src + done, (uint32_t)k);
		if (rc == GG_EAGAIN) { /* woken by output_consume */
			rc = 0;
			y->blocked = 1;
			break;
		}
		if (rc) {
			yamux_fail(y, rc, GG_YAMUX_GOAWAY_INTERNAL);
			break;
		}
		s->send_win -= (uint32_t)k;
		done += k;
	}
	if (done < n)
		s->want_write = 1;
	yamux_leave(y);
	return rc ? rc : (long)done;
}

size_t gg_yamux_stream_writable(const struct gg_yamux_stream *s)
{
	size_t room = yamux_out_room(s->y);

	if (write_state(s))
		return 0;
	return room < s->send_win ? room : s->send_win;
}

const uint8_t *gg_yamux_stream_peek(const struct gg_yamux_stream *s,
				    size_t *len)
{
	*len = s->rbuf.len;
	return s->rbuf.len ? s->rbuf.data + s->rbuf.off : NULL;
}

void gg_yamux_stream_consume(struct gg_yamux_stream *s, size_t n)
{
	yamux_enter(s->y);
	yamux_fifo_drop(&s->rbuf, n);
	grant(s);
	yamux_leave(s->y);
}

long gg_yamux_stream_read(struct gg_yamux_stream *s, void *dst, size_t cap)
{
	size_t k = s->rbuf.len < cap ? s->rbuf.len : cap;

	if (k) {
		memcpy(dst, s->rbuf.data + s->rbuf.off, k);
		gg_yamux_stream_consume(s, k);
		return (long)k;
	}
	if (s->reset)
		return GG_ECONNRESET;
	if (s->remote_fin)
		return GG_ECLOSED;
	if (s->y->err)
		return s->y->err;
	return cap ? GG_EAGAIN : 0;
}

int gg_yamux_stream_remote_closed(const struct gg_yamux_stream *s)
{
	return s->remote_fin || s->reset;
}

int gg_yamux_stream_close(struct gg_yamux_stream *s)
{
	struct gg_yamux *y = s->y;
	int rc;

	if (s->reset)
		return GG_ECONNRESET;
	if (s->local_fin || !s->in_table)
		return 0;
	yamux_enter(y);
	s->local_fin = 1;
	rc = yamux_ctrl(y, GG_YAMUX_WINDOW, GG_YAMUX_FIN, s->id, 0);
	if (s->remote_fin)
		yamux_stream_unlink(s);
	yamux_leave(y);
	return rc;
}

int gg_yamux_stream_reset(struct gg_yamux_stream *s)
{
	struct gg_yamux *y = s->y;
	int rc;

	if (s->reset || !s->in_table)
		return 0;
	yamux_enter(y);
	s->reset = 1;
	yamux_fifo_release(&s->rbuf);
	rc = yamux_ctrl(y, GG_YAMUX_WINDOW, GG_YAMUX_RST, s->id, 0);
	yamux_stream_unlink(s);
	yamux_leave(y);
	return rc;
}

void gg_yamux_stream_release(struct gg_yamux_stream *s)
{
	struct gg_yamux *y = s->y;

	yamux_enter(y);
	s->released = 1;
	if (!s->in_table) {
		yamux_stream_bury(s);
	} else if (!s->local_fin) {
		gg_yamux_stream_reset(s);
	} else {
		/* we closed our side: linger until the remote closes its
		 * side, discarding what it still sends */
		yamux_fifo_release(&s->rbuf);
		grant(s);
	}
	yamux_leave(y);
}

uint32_t gg_yamux_stream_id(const struct gg_yamux_stream *s)
{
	return s->id;
}

struct gg_yamux *gg_yamux_stream_session(const struct gg_yamux_stream *s)
{
	return s->y;
}

void gg_yamux_stream_set_user(struct gg_yamux_stream *s, void *user)
{
	s->user = user;
}

void *gg_yamux_stream_user(const struct gg_yamux_stream *s)
{
	return s->user;
}

uint32_t gg_yamux_stream_recv_window(const struct gg_yamux_stream *s)
{
	return s->recv_max;
}
