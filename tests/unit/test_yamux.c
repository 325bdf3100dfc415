/*
 * test_yamux.c - two yamux sessions back to back in memory (open/accept,
 * multi-MB data both ways through the windows, backpressure, half-close,
 * reset, ping/ACK, go away, keep-alive timeout, stream limits) and raw
 * frames against one session (window overflow, unknown type, bad version,
 * FIN/RST on window updates, wrong ids).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "p2p/yamux.h"
#include "util/buf.h"
#include "util/error.h"

#define MAXS 64

struct zc;

struct peer {
	struct gg_yamux *y;
	uint64_t *clock;
	struct gg_yamux_stream *acc[MAXS];
	size_t nacc;
	int refuse, autoread, greet;
	struct gg_buf got;
	int readable, writable, opened, open_err, pongs, goaways;
	uint32_t goaway_code;
	size_t max_buffered; /* largest unread backlog seen */
	struct zc *zc;       /* the zero-copy test's state */
};

static uint64_t now_cb(void *ud)
{
	return *((struct peer *)ud)->clock;
}

static int on_stream(void *ud, struct gg_yamux_stream *s)
{
	struct peer *p = ud;

	if (p->refuse || p->nacc == MAXS)
		return GG_EPERM;
	p->acc[p->nacc++] = s;
	if (p->greet)
		assert_int_equal(gg_yamux_stream_write(s, "hi", 2), 2);
	return 0;
}

static void on_readable(void *ud, struct gg_yamux_stream *s)
{
	struct peer *p = ud;
	const uint8_t *d;
	size_t n;

	p->readable++;
	d = gg_yamux_stream_peek(s, &n);
	if (n > p->max_buffered)
		p->max_buffered = n;
	if (p->autoread && n) {
		assert_int_equal(gg_buf_add(&p->got, d, n), 0);
		gg_yamux_stream_consume(s, n);
	}
}

static void on_writable(void *ud, struct gg_yamux_stream *s)
{
	((struct peer *)ud)->writable++;
}

static void on_opened(void *ud, struct gg_yamux_stream *s, int err)
{
	struct peer *p = ud;

	p->opened++;
	if (err)
		p->open_err = err;
}

static void on_pong(void *ud, uint64_t rtt)
{
	((struct peer *)ud)->pongs++;
}

static void on_goaway(void *ud, uint32_t code)
{
	struct peer *p = ud;

	p->goaways++;
	p->goaway_code = code;
}

static void peer_init(struct peer *p, int client, uint64_t *clock,
		      uint32_t max_streams, uint32_t keepalive)
{
	struct gg_yamux_cfg c = { 0 };

	memset(p, 0, sizeof(*p));
	gg_buf_init(&p->got, 64u << 20);
	p->clock = clock;
	c.client = client;
	c.max_streams = max_streams;
	c.keepalive_ms = keepalive;
	c.ud = p;
	c.now = now_cb;
	c.on_stream = on_stream;
	c.on_readable = on_readable;
	c.on_writable = on_writable;
	c.on_opened = on_opened;
	c.on_pong = on_pong;
	c.on_goaway = on_goaway;
	assert_int_equal(gg_yamux_new(&c, &p->y), 0);
}

static void peer_release(struct peer *p)
{
	gg_yamux_free(p->y);
	gg_buf_release(&p->got);
}

/* Move a's output to b; returns b's feed result. */
static int pump(struct peer *a, struct peer *b)
{
	size_t n;
	const uint8_t *o = gg_yamux_output(a->y, &n);
	int rc = 0;

	if (n)
		rc = gg_yamux_feed(b->y, o, n);
	gg_yamux_output_consume(a->y, n);
	return rc;
}

static void settle(struct peer *a, struct peer *b)
{
	int i;
	size_t na, nb;

	for (i = 0; i < 100; i++) {
		assert_int_equal(pump(a, b), 0);
		assert_int_equal(pump(b, a), 0);
		gg_yamux_output(a->y, &na);
		gg_yamux_output(b->y, &nb);
		if (!na && !nb)
			return;
	}
	fail_msg("sessions did not settle");
}

/* Feed one raw header to y. */
static int raw(struct gg_yamux *y, uint8_t type, uint16_t flags, uint32_t id,
	       uint32_t len)
{
	uint8_t h[GG_YAMUX_HDR_LEN];

	gg_yamux_hdr_encode(h, type, flags, id, len);
	return gg_yamux_feed(y, h, sizeof(h));
}

/* The last frame header y queued. */
static void last_frame(struct gg_yamux *y, uint8_t *type, uint16_t *flags,
		       uint32_t *len)
{
	size_t n;
	const uint8_t *o = gg_yamux_output(y, &n);

	assert_true(n >= GG_YAMUX_HDR_LEN);
	o += n - GG_YAMUX_HDR_LEN;
	*type = o[1];
	*flags = (uint16_t)(o[2] << 8 | o[3]);
	*len = (uint32_t)o[8] << 24 | (uint32_t)o[9] << 16 |
	       (uint32_t)o[10] << 8 | o[11];
}

static void open_accept_data(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	struct gg_yamux_stream *s;
	char buf[16];

	(void)state;
	peer_init(&a, 1, &clock, 0, 0);
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(gg_yamux_open(a.y, &s), 0);
	assert_int_equal(gg_yamux_stream_id(s), 1);
	assert_int_equal(gg_yamux_stream_write(s, "hello", 5), 5);
	settle(&a, &b);
	assert_int_equal(b.nacc, 1);
	assert_int_equal(gg_yamux_stream_id(b.acc[0]), 1);
	assert_int_equal(a.opened, 1);
	assert_int_equal(a.open_err, 0);
	assert_int_equal(gg_yamux_stream_read(b.acc[0], buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(gg_yamux_stream_read(b.acc[0], buf, sizeof(buf)),
			 GG_EAGAIN);
	assert_int_equal(gg_yamux_stream_write(b.acc[0], "world", 5), 5);
	settle(&a, &b);
	assert_int_equal(gg_yamux_stream_read(s, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "world", 5);
	/* the listener's own streams are even */
	{
		struct gg_yamux_stream *t;

		assert_int_equal(gg_yamux_open(b.y, &t), 0);
		assert_int_equal(gg_yamux_stream_id(t), 2);
		settle(&a, &b);
		assert_int_equal(a.nacc, 1);
	}
	assert_int_equal(gg_yamux_nstreams(a.y), 2);
	peer_release(&a);
	peer_release(&b);
}

/* Write len bytes of a pattern to s, pumping until all is taken. */
static void push(struct peer *a, struct peer *b, struct gg_yamux_stream *s,
		 const uint8_t *data, size_t len)
{
	size_t off = 0;
	long k;
	int i;

	for (i = 0; i < 100000 && off < len; i++) {
		k = gg_yamux_stream_write(s, data + off, len - off);
		assert_true(k >= 0);
		off += (size_t)k;
		assert_int_equal(pump(a, b), 0);
		assert_int_equal(pump(b, a), 0);
	}
	assert_int_equal(off, len);
}

static void bulk_both_ways(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	struct gg_yamux_stream *s;
	size_t i, len = 8u << 20;
	uint8_t *data = malloc(len);

	(void)state;
	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 31 + (i >> 11));
	peer_init(&a, 1, &clock, 0, 0);
	peer_init(&b, 0, &clock, 0, 0);
	a.autoread = b.autoread = 1;
	assert_int_equal(gg_yamux_open(a.y, &s), 0);
	push(&a, &b, s, data, len);
	settle(&a, &b);
	assert_int_equal(b.got.len, len);
	assert_memory_equal(b.got.data, data, len);
	/* fast reader: the window grew */
	assert_true(gg_yamux_stream_recv_window(b.acc[0]) >
		    GG_YAMUX_INITIAL_WINDOW);
	assert_true(b.max_buffered <=
		    gg_yamux_stream_recv_window(b.acc[0]));
	/* and back */
	push(&b, &a, b.acc[0], data, len / 2);
	settle(&a, &b);
	assert_int_equal(a.got.len, len / 2);
	assert_memory_equal(a.got.data, data, len / 2);
	free(data);
	peer_release(&a);
	peer_release(&b);
}

static void slow_reader_backpressure(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	struct gg_yamux_stream *s;
	static uint8_t data[1 << 20];
	uint8_t *sink = malloc(200000);
	long k;

	(void)state;
	peer_init(&a, 1, &clock, 0, 0);
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(gg_yamux_open(a.y, &s), 0);
	k = gg_yamux_stream_write(s, data, sizeof(data));
	assert_int_equal(k, GG_YAMUX_INITIAL_WINDOW);
	settle(&a, &b);
	assert_int_equal(gg_yamux_stream_write(s, data, sizeof(data)), 0);
	assert_int_equal(gg_yamux_stream_writable(s), 0);
	assert_int_equal(a.writable, 0);
	/* the remote buffered exactly one window, no more */
	assert_int_equal(b.max_buffered, GG_YAMUX_INITIAL_WINDOW);
	/* consuming a little does not reopen the window yet ... */
	assert_int_equal(gg_yamux_stream_read(b.acc[0], sink, 1000), 1000);
	settle(&a, &b);
	assert_int_equal(a.writable, 0);
	/* ... consuming half of it does, and the writer hears of it */
	assert_int_equal(gg_yamux_stream_read(b.acc[0], sink, 200000),
			 200000);
	settle(&a, &b);
	assert_int_equal(a.writable, 1);
	assert_true(gg_yamux_stream_writable(s) >= 201000);
	free(sink);
	peer_release(&a);
	peer_release(&b);
}

static void output_cap_backpressure(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	struct gg_yamux_cfg c = { 0 };
	struct gg_yamux_stream *s[8];
	static uint8_t data[GG_YAMUX_INITIAL_WINDOW];
	size_t n, i, total = 0;

	(void)state;
	peer_init(&b, 0, &clock, 0, 0);
	memset(&a, 0, sizeof(a));
	a.clock = &clock;
	c.client = 1;
	c.max_out = 300000;
	c.ud = &a;
	c.on_writable = on_writable;
	assert_int_equal(gg_yamux_new(&c, &a.y), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(gg_yamux_open(a.y, &s[i]), 0);
		total += (size_t)gg_yamux_stream_write(s[i], data,
						       sizeof(data));
	}
	gg_yamux_output(a.y, &n);
	assert_true(n <= 300000 + 8 * 12);
	assert_true(total < 300000);
	assert_int_equal(gg_yamux_stream_writable(s[7]), 0);
	/* draining the output lets held-back writers go on */
	gg_yamux_output_consume(a.y, n);
	assert_true(a.writable >= 1);
	assert_true(gg_yamux_stream_writable(s[7]) > 0);
	gg_yamux_free(a.y);
	peer_release(&b);
}

static void half_close(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	struct gg_yamux_stream *s;
	char buf[8];

	(void)state;
	peer_init(&a, 1, &clock, 0, 0);
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(gg_yamux_open(a.y, &s), 0);
	assert_int_equal(gg_yamux_stream_write(s, "abc", 3), 3);
	assert_int_equal(gg_yamux_stream_close(s), 0);
	assert_int_equal(gg_yamux_stream_write(s, "x", 1), GG_ECLOSED);
	settle(&a, &b);
	assert_true(gg_yamux_stream_remote_closed(b.acc[0]));
	assert_int_equal(gg_yamux_stream_read(b.acc[0], buf, 8), 3);
	assert_int_equal(gg_yamux_stream_read(b.acc[0], buf, 8), GG_ECLOSED);
	/* the other direction still works */
	assert_int_equal(gg_yamux_stream_write(b.acc[0], "def", 3), 3);
	assert_int_equal(gg_yamux_stream_close(b.acc[0]), 0);
	settle(&a, &b);
	assert_int_equal(gg_yamux_stream_read(s, buf, 8), 3);
	assert_memory_equal(buf, "def", 3);
	assert_int_equal(gg_yamux_stream_read(s, buf, 8), GG_ECLOSED);
	assert_int_equal(gg_yamux_nstreams(a.y), 0);
	assert_int_equal(gg_yamux_nstreams(b.y), 0);
	gg_yamux_stream_release(s);
	gg_yamux_stream_release(b.acc[0]);
	peer_release(&a);
	peer_release(&b);
}

static void reset_and_release(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	struct gg_yamux_stream *s, *t;
	char buf[8];

	(void)state;
	peer_init(&a, 1, &clock, 0, 0);
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(gg_yamux_open(a.y, &s), 0);
	assert_int_equal(gg_yamux_stream_write(s, "abc", 3), 3);
	settle(&a, &b);
	assert_int_equal(gg_yamux_stream_reset(s), 0);
	settle(&a, &b);
	assert_int_equal(gg_yamux_stream_read(b.acc[0], buf, 8),
			 GG_ECONNRESET);
	assert_int_equal(gg_yamux_stream_write(b.acc[0], "x", 1),
			 GG_ECONNRESET);
	assert_int_equal(gg_yamux_nstreams(a.y), 0);
	assert_int_equal(gg_yamux_nstreams(b.y), 0);
	gg_yamux_stream_release(s);
	/* releasing a stream we never closed resets it */
	assert_int_equal(gg_yamux_open(a.y, &t), 0);
	settle(&a, &b);
	assert_int_equal(b.nacc, 2);
	gg_yamux_stream_release(t);
	settle(&a, &b);
	assert_int_equal(gg_yamux_stream_read(b.acc[1], buf, 8),
			 GG_ECONNRESET);
	/* refusing an inbound stream answers RST */
	b.refuse = 1;
	assert_int_equal(gg_yamux_open(a.y, &t), 0);
	settle(&a, &b);
	assert_int_equal(a.open_err, GG_ECONNREFUSED);
	assert_int_equal(gg_yamux_stream_read(t, buf, 8), GG_ECONNRESET);
	peer_release(&a);
	peer_release(&b);
}

static void ping_is_answered_with_ack(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	uint8_t type;
	uint16_t flags;
	uint32_t len;

	(void)state;
	peer_init(&a, 1, &clock, 0, 0);
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(raw(b.y, GG_YAMUX_PING, GG_YAMUX_SYN, 0, 0xabcd), 0);
	last_frame(b.y, &type, &flags, &len);
	assert_int_equal(type, GG_YAMUX_PING);
	assert_int_equal(flags, GG_YAMUX_ACK);
	assert_int_equal(len, 0xabcd);
	gg_yamux_output_consume(b.y, 12);
	/* a pong nobody asked for is ignored, not answered */
	assert_int_equal(raw(b.y, GG_YAMUX_PING, GG_YAMUX_ACK, 0, 7), 0);
	{
		size_t n;

		gg_yamux_output(b.y, &n);
		assert_int_equal(n, 0);
	}
	assert_int_equal(gg_yamux_ping(a.y), 0);
	assert_int_equal(gg_yamux_ping(a.y), GG_EBUSY);
	clock = 1007;
	settle(&a, &b);
	assert_int_equal(a.pongs, 1);
	assert_int_equal(b.pongs, 0);
	assert_int_equal(gg_yamux_rtt(a.y), 7);
	peer_release(&a);
	peer_release(&b);
}

static void keepalive_and_timeout(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	size_t n;

	(void)state;
	peer_init(&a, 1, &clock, 0, 1000);
	peer_init(&b, 0, &clock, 0, 0);
	/* the first ping measures the RTT at once */
	gg_yamux_output(a.y, &n);
	assert_int_equal(n, GG_YAMUX_HDR_LEN);
	settle(&a, &b);
	assert_int_equal(a.pongs, 1);
	clock = 1500;
	assert_int_equal(gg_yamux_tick(a.y, clock), 0);
	gg_yamux_output(a.y, &n);
	assert_int_equal(n, 0);
	clock = 2000;
	assert_int_equal(gg_yamux_tick(a.y, clock), 0);
	gg_yamux_output(a.y, &n);
	assert_int_equal(n, GG_YAMUX_HDR_LEN);
	settle(&a, &b);
	assert_int_equal(a.pongs, 2);
	/* now the remote goes silent */
	clock = 3000;
	assert_int_equal(gg_yamux_tick(a.y, clock), 0);
	clock += GG_YAMUX_DEF_PING_TIMEOUT_MS;
	assert_int_equal(gg_yamux_tick(a.y, clock), GG_ETIMEOUT);
	assert_int_equal(gg_yamux_error(a.y), GG_ETIMEOUT);
	peer_release(&a);
	peer_release(&b);
}

static void goaway(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	struct gg_yamux_stream *s, *t;
	char buf[4];

	(void)state;
	peer_init(&a, 1, &clock, 0, 0);
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(gg_yamux_open(a.y, &s), 0);
	settle(&a, &b);
	assert_int_equal(gg_yamux_goaway(b.y, GG_YAMUX_GOAWAY_NORMAL), 0);
	settle(&a, &b);
	assert_int_equal(a.goaways, 1);
	assert_int_equal(a.goaway_code, 0);
	assert_int_equal(gg_yamux_open(a.y, &t), GG_ECLOSED);
	assert_int_equal(gg_yamux_open(b.y, &t), GG_ECLOSED);
	/* existing streams go on */
	assert_int_equal(gg_yamux_stream_write(s, "ok", 2), 2);
	settle(&a, &b);
	assert_int_equal(gg_yamux_stream_read(b.acc[0], buf, 4), 2);
	peer_release(&a);
	peer_release(&b);
}

static void stream_limits(void **state)
{
	uint64_t clock = 1000;
	struct peer a, b;
	struct gg_yamux_stream *s;
	int i;

	(void)state;
	peer_init(&a, 1, &clock, 0, 0);
	peer_init(&b, 0, &clock, 4, 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(gg_yamux_open(a.y, &s), 0);
	settle(&a, &b);
	assert_int_equal(b.nacc, 4);
	assert_int_equal(gg_yamux_nstreams(b.y), 4);
	assert_int_equal(a.open_err, GG_ECONNREFUSED);
	assert_int_equal(gg_yamux_nstreams(a.y), 4);
	assert_int_equal(gg_yamux_error(b.y), 0);
	/* our own side refuses to open past its limit */
	assert_int_equal(gg_yamux_open(b.y, &s), GG_ELIMIT);
	peer_release(&a);
	peer_release(&b);
}

static void window_overflow(void **state)
{
	uint64_t clock = 1000;
	struct peer b;
	static uint8_t junk[GG_YAMUX_INITIAL_WINDOW + 1];
	uint8_t type;
	uint16_t flags;
	uint32_t len;

	(void)state;
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(raw(b.y, GG_YAMUX_WINDOW, GG_YAMUX_SYN, 1, 0), 0);
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, 0, 1, sizeof(junk)),
			 GG_EPROTO);
	last_frame(b.y, &type, &flags, &len);
	assert_int_equal(type, GG_YAMUX_GOAWAY);
	assert_int_equal(len, GG_YAMUX_GOAWAY_PROTO);
	assert_int_equal(gg_yamux_feed(b.y, junk, 10), GG_EPROTO);
	peer_release(&b);
	/* exactly the window is fine, byte by byte */
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, GG_YAMUX_SYN, 1,
			     GG_YAMUX_INITIAL_WINDOW), 0);
	assert_int_equal(gg_yamux_feed(b.y, junk, GG_YAMUX_INITIAL_WINDOW),
			 0);
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, 0, 1, 1), GG_EPROTO);
	peer_release(&b);
}

/*
 * Reading in the middle of a data frame must not grant window for the
 * part of the frame still on its way: a peer that then sends everything
 * it was allowed to, while we read nothing, stays within our buffer.
 */
static void grant_during_partial_frame(void **state)
{
	uint64_t clock = 1000;
	struct peer b;
	static uint8_t junk[4u << 20];
	const uint32_t first = 200000, part = 150000;
	uint32_t allowed = GG_YAMUX_INITIAL_WINDOW - first, len;
	uint8_t type;
	uint16_t flags;
	size_t n;

	(void)state;
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, GG_YAMUX_SYN, 1, first), 0);
	assert_int_equal(gg_yamux_feed(b.y, junk, part), 0);
	gg_yamux_output(b.y, &n);
	gg_yamux_output_consume(b.y, n);
	/* the application reads what came so far: a window update */
	gg_yamux_stream_consume(b.acc[0], part);
	last_frame(b.y, &type, &flags, &len);
	assert_int_equal(type, GG_YAMUX_WINDOW);
	allowed += len;
	/* the rest of the frame, then all the window we were granted */
	assert_int_equal(gg_yamux_feed(b.y, junk, first - part), 0);
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, 0, 1, allowed), 0);
	assert_int_equal(gg_yamux_feed(b.y, junk, allowed), 0);
	assert_int_equal(gg_yamux_error(b.y), 0);
	gg_yamux_stream_peek(b.acc[0], &n);
	assert_int_equal(n, first - part + allowed);
	assert_true(n <= gg_yamux_stream_recv_window(b.acc[0]));
	peer_release(&b);
}

static void bad_frames(void **state)
{
	uint64_t clock = 1000;
	struct peer b;
	uint8_t h[GG_YAMUX_HDR_LEN];

	(void)state;
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(raw(b.y, 4, 0, 0, 0), GG_EPROTO);
	peer_release(&b);
	peer_init(&b, 0, &clock, 0, 0);
	gg_yamux_hdr_encode(h, GG_YAMUX_PING, GG_YAMUX_SYN, 0, 1);
	h[0] = 1; /* version */
	assert_int_equal(gg_yamux_feed(b.y, h, sizeof(h)), GG_EPROTO);
	peer_release(&b);
	/* a SYN with the listener's parity, sent to the listener */
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(raw(b.y, GG_YAMUX_WINDOW, GG_YAMUX_SYN, 2, 0),
			 GG_EPROTO);
	peer_release(&b);
	/* a SYN for a stream that is already open */
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(raw(b.y, GG_YAMUX_WINDOW, GG_YAMUX_SYN, 1, 0), 0);
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, GG_YAMUX_SYN, 1, 0),
			 GG_EPROTO);
	peer_release(&b);
	/* stream frames on id 0 */
	peer_init(&b, 0, &clock, 0, 0);
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, 0, 0, 0), GG_EPROTO);
	peer_release(&b);
}

static void flags_on_window_updates(void **state)
{
	uint64_t clock = 1000;
	struct peer b;
	char buf[4];
	uint8_t type;
	uint16_t flags;
	uint32_t len;

	(void)state;
	peer_init(&b, 0, &clock, 0, 0);
	/* SYN and FIN together on a window update, and data after it */
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, GG_YAMUX_SYN, 1, 2), 0);
	assert_int_equal(gg_yamux_feed(b.y, (const uint8_t *)"hi", 2), 0);
	assert_int_equal(raw(b.y, GG_YAMUX_WINDOW, GG_YAMUX_FIN, 1, 1000), 0);
	assert_true(gg_yamux_stream_remote_closed(b.acc[0]));
	assert_int_equal(gg_yamux_stream_read(b.acc[0], buf, 4), 2);
	assert_int_equal(gg_yamux_stream_read(b.acc[0], buf, 4), GG_ECLOSED);
	/* the window delta on that frame counted */
	assert_int_equal(gg_yamux_stream_writable(b.acc[0]),
			 GG_YAMUX_INITIAL_WINDOW + 1000);
	/* data after FIN resets that stream, not the session */
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, 0, 1, 2), 0);
	assert_int_equal(gg_yamux_feed(b.y, (const uint8_t *)"no", 2), 0);
	last_frame(b.y, &type, &flags, &len);
	assert_int_equal(type, GG_YAMUX_WINDOW);
	assert_int_equal(flags, GG_YAMUX_RST);
	assert_int_equal(gg_yamux_stream_read(b.acc[0], buf, 4),
			 GG_ECONNRESET);
	assert_int_equal(gg_yamux_error(b.y), 0);
	/* RST on a window update */
	assert_int_equal(raw(b.y, GG_YAMUX_WINDOW, GG_YAMUX_SYN, 3, 0), 0);
	assert_int_equal(raw(b.y, GG_YAMUX_WINDOW, GG_YAMUX_RST, 3, 0), 0);
	assert_int_equal(gg_yamux_stream_read(b.acc[1], buf, 4),
			 GG_ECONNRESET);
	assert_int_equal(gg_yamux_nstreams(b.y), 0);
	/* frames for a stream that is gone are ignored */
	assert_int_equal(raw(b.y, GG_YAMUX_WINDOW, 0, 3, 5), 0);
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, 0, 3, 2), 0);
	assert_int_equal(gg_yamux_feed(b.y, (const uint8_t *)"zz", 2), 0);
	/* FIN on a data frame takes effect after its payload */
	assert_int_equal(raw(b.y, GG_YAMUX_DATA, GG_YAMUX_SYN | GG_YAMUX_FIN,
			     5, 3), 0);
	assert_false(gg_yamux_stream_remote_closed(b.acc[2]));
	assert_int_equal(gg_yamux_feed(b.y, (const uint8_t *)"end", 3), 0);
	assert_true(gg_yamux_stream_remote_closed(b.acc[2]));
	last_frame(b.y, &type, &flags, &len);
	assert_int_equal(type, GG_YAMUX_WINDOW);
	assert_int_equal(flags, GG_YAMUX_ACK);
	peer_release(&b);
}

/* An application that writes as soon as it accepts: ACK goes first. */
static void ack_before_data(void **state)
{
	uint64_t clock = 1000;
	struct peer b;
	const uint8_t *o;
	size_t n;

	(void)state;
	peer_init(&b, 0, &clock, 0, 0);
	b.greet = 1;
	assert_int_equal(raw(b.y, GG_YAMUX_WINDOW, GG_YAMUX_SYN, 1, 0), 0);
	o = gg_yamux_output(b.y, &n);
	assert_int_equal(n, 2 * GG_YAMUX_HDR_LEN + 2);
	assert_int_equal(o[1], GG_YAMUX_WINDOW);
	assert_int_equal(o[3], GG_YAMUX_ACK);
	assert_int_equal(o[12 + 1], GG_YAMUX_DATA);
	assert_memory_equal(o + 24, "hi", 2);
	peer_release(&b);
}

/* ---- zero-copy paths: on_send and on_payload ---- */

struct zc {
	struct gg_buf wire;   /* frames the sink took */
	size_t taken;         /* bytes on_payload took (into the peer's got) */
	int refuse, sent;
	size_t take;          /* most bytes on_payload takes per call */
};

static int zc_send(void *ud, const uint8_t *hdr, const uint8_t *p, size_t n)
{
	struct zc *z = ((struct peer *)ud)->zc;

	if (z->refuse)
		return z->refuse;
	assert_int_equal(gg_buf_add(&z->wire, hdr, GG_YAMUX_HDR_LEN), 0);
	assert_int_equal(gg_buf_add(&z->wire, p, n), 0);
	z->sent++;
	return 0;
}

static size_t zc_payload(void *ud, struct gg_yamux_stream *s,
			 const uint8_t *p, size_t n)
{
	struct peer *pe = ud;
	size_t k = n < pe->zc->take ? n : pe->zc->take;

	/* into the same buffer as on_readable's reads: in stream order */
	assert_int_equal(gg_buf_add(&pe->got, p, k), 0);
	pe->zc->taken += k;
	return k;
}

static void zc_peer(struct peer *p, struct zc *z, int client,
		    uint64_t *clock)
{
	struct gg_yamux_cfg c = { 0 };

	memset(p, 0, sizeof(*p));
	gg_buf_init(&p->got, 64u << 20);
	p->clock = clock;
	p->zc = z;
	p->autoread = 1;
	c.client = client;
	c.ud = p;
	c.now = now_cb;
	c.on_stream = on_stream;
	c.on_readable = on_readable;
	c.on_send = zc_send;
	c.on_payload = zc_payload;
	assert_int_equal(gg_yamux_new(&c, &p->y), 0);
}

/* Move a's sunk frames, then its queued output, to b. */
static void zc_pump(struct peer *a, struct zc *za, struct peer *b)
{
	size_t n;
	const uint8_t *o;

	assert_int_equal(gg_yamux_feed(b->y, za->wire.data, za->wire.len), 0);
	gg_buf_reset(&za->wire);
	o = gg_yamux_output(a->y, &n);
	if (n)
		assert_int_equal(gg_yamux_feed(b->y, o, n), 0);
	gg_yamux_output_consume(a->y, n);
}

static void zero_copy_paths(void **state)
{
	uint64_t clock = 1000;
	struct zc za, zb;
	struct peer a, b;
	struct gg_yamux_stream *s;
	size_t len = 3u << 20, off = 0, i, n;
	uint8_t *data = malloc(len);
	long k;

	(void)state;
	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 13));
	memset(&za, 0, sizeof(za));
	memset(&zb, 0, sizeof(zb));
	gg_buf_init(&za.wire, 64u << 20);
	gg_buf_init(&zb.wire, 64u << 20);
	zb.take = 1000; /* takes a little of each piece; the rest buffers */
	zc_peer(&a, &za, 1, &clock);
	zc_peer(&b, &zb, 0, &clock);
	assert_int_equal(gg_yamux_open(a.y, &s), 0);
	for (i = 0; i < 100000 && off < len; i++) {
		/* now and then the sink refuses: the frame queues as usual
		 * (GG_EBUSY), or the writer is held back (GG_EAGAIN) until
		 * output_consume, here with 0 in zc_pump */
		za.refuse = i % 3 == 1 ? GG_EBUSY : i % 3 == 2 ? GG_EAGAIN : 0;
		gg_yamux_output(a.y, &n);
		k = gg_yamux_stream_write(s, data + off, len - off < 100000
						  ? len - off : 100000);
		assert_true(k >= 0);
		if (za.refuse == GG_EAGAIN && n == 0)
			assert_int_equal(k, 0);
		off += (size_t)k;
		zc_pump(&a, &za, &b);
		zc_pump(&b, &zb, &a);
	}
	assert_int_equal(off, len);
	assert_true(za.sent > 0);
	assert_int_equal(b.got.len, len);
	assert_memory_equal(b.got.data, data, len);
	/* both ways were used: taken at once, and buffered then read */
	assert_true(zb.taken > 0 && zb.taken < len);
	/* the window grew: consumption through on_payload counts */
	assert_true(gg_yamux_stream_recv_window(b.acc[0]) >
		    GG_YAMUX_INITIAL_WINDOW);
	assert_int_equal(gg_yamux_error(a.y), 0);
	assert_int_equal(gg_yamux_error(b.y), 0);
	free(data);
	peer_release(&a);
	peer_release(&b);
	gg_buf_release(&za.wire);
	gg_buf_release(&zb.wire);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_accept_data),
		cmocka_unit_test(bulk_both_ways),
		cmocka_unit_test(slow_reader_backpressure),
		cmocka_unit_test(output_cap_backpressure),
		cmocka_unit_test(half_close),
		cmocka_unit_test(reset_and_release),
		cmocka_unit_test(ping_is_answered_with_ack),
		cmocka_unit_test(keepalive_and_timeout),
		cmocka_unit_test(goaway),
		cmocka_unit_test(stream_limits),
		cmocka_unit_test(window_overflow),
		cmocka_unit_test(grant_during_partial_frame),
		cmocka_unit_test(bad_frames),
		cmocka_unit_test(flags_on_window_updates),
		cmocka_unit_test(ack_before_data),
		cmocka_unit_test(zero_copy_paths),
	};

	return cmocka_run_group_tests_name("yamux", tests, NULL, NULL);
}
