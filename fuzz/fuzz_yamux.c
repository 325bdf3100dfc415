/* fuzz_yamux.c - feed arbitrary frames to a yamux session whose
 * application side echoes, half-closes, resets and releases streams, and
 * drive its timers; the session must keep its caps (streams, output) and
 * never touch freed memory.  The first byte picks the role and the chunk
 * size the input is fed in. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "p2p/yamux.h"
#include "util/error.h"

struct app {
	uint64_t now;
	int actions;
};

static uint64_t now_cb(void *ud)
{
	return ((struct app *)ud)->now;
}

static int on_stream(void *ud, struct gg_yamux_stream *s)
{
	return gg_yamux_stream_id(s) % 7 == 0 ? -1 : 0;
}

static void on_readable(void *ud, struct gg_yamux_stream *s)
{
	struct app *a = ud;
	uint8_t buf[300];
	long n = gg_yamux_stream_read(s, buf, sizeof(buf));

	a->actions++;
	if (n > 0) {
		gg_yamux_stream_write(s, buf, (size_t)n);
		if (buf[0] == 'F')
			gg_yamux_stream_close(s);
		else if (buf[0] == 'R')
			gg_yamux_stream_reset(s);
		else if (buf[0] == 'X')
			gg_yamux_stream_release(s);
		return;
	}
	if (n != GG_EAGAIN && gg_yamux_stream_remote_closed(s)) {
		gg_yamux_stream_close(s);
		gg_yamux_stream_release(s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app app = { 1000, 0 };
	struct gg_yamux_cfg c = { 0 };
	struct gg_yamux *y;
	struct gg_yamux_stream *s;
	size_t off, k, step, n;

	if (size < 1)
		return 0;
	c.client = data[0] & 1;
	c.max_streams = 16;
	c.max_out = 64 * 1024;
	c.keepalive_ms = (data[0] & 2) ? 500 : 0;
	c.ud = &app;
	c.now = now_cb;
	c.on_stream = on_stream;
	c.on_readable = on_readable;
	step = 1 + (data[0] >> 2) * 4;
	if (gg_yamux_new(&c, &y))
		__builtin_trap();
	if (data[0] & 0x80)
		gg_yamux_open(y, &s); /* held until the session is freed */
	for (off = 1; off < size; off += k) {
		k = size - off < step ? size - off : step;
		if (gg_yamux_feed(y, data + off, k))
			break;
		app.now += 97;
		gg_yamux_tick(y, app.now);
		gg_yamux_output(y, &n);
		if (n > c.max_out + 512 * 1024)
			__builtin_trap();
		if (off & 1)
			gg_yamux_output_consume(y, n);
		if (gg_yamux_nstreams(y) > c.max_streams)
			__builtin_trap();
	}
	gg_yamux_free(y);
	return 0;
}
