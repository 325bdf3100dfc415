/*
 * test_yamux_wake.c - yamux's wake-up of held-back writers when its output
 * drains: every one is woken, also when a callback closes streams during
 * the walk (which used to skip the next stream and leave it waiting for
 * ever: 200 echo streams deadlocked).  Kept apart from test_yamux.c for
 * size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "p2p/yamux.h"
#include "util/error.h"

/*
 * on_writable that resets the first stream it is called for, and counts
 * who was woken.  Resetting removes that stream from the session's table
 * in the middle of the wake-up walk.
 */
struct wake_log {
	struct gg_yamux_stream *s[4];
	int woken[4];
	int resets;
};

static void reset_first_writable(void *ud, struct gg_yamux_stream *s)
{
	struct wake_log *w = ud;
	int i;

	for (i = 0; i < 4; i++)
		if (w->s[i] == s)
			w->woken[i]++;
	if (w->resets++ == 0)
		assert_int_equal(gg_yamux_stream_reset(s), 0);
}

/* Every held-back writer is woken even when a callback closes a stream
 * while the output drains (the walk used to skip the next stream). */
static void wake_survives_closing_callback(void **state)
{
	struct gg_yamux_cfg c = { 0 };
	struct gg_yamux *y;
	struct wake_log w;
	static uint8_t data[GG_YAMUX_INITIAL_WINDOW];
	size_t n;
	int i;

	(void)state;
	memset(&w, 0, sizeof(w));
	c.client = 1;
	c.max_out = 100000;
	c.ud = &w;
	c.on_writable = reset_first_writable;
	assert_int_equal(gg_yamux_new(&c, &y), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(gg_yamux_open(y, &w.s[i]), 0);
	/* the first write fills the output cap; the others are held back */
	for (i = 0; i < 4; i++)
		assert_true(gg_yamux_stream_write(w.s[i], data,
						  sizeof(data)) < 100000);
	for (i = 0; i < 4; i++)
		assert_int_equal(gg_yamux_stream_writable(w.s[i]), 0);
	gg_yamux_output(y, &n);
	gg_yamux_output_consume(y, n);
	for (i = 0; i < 4; i++)
		assert_int_equal(w.woken[i], 1);
	for (i = 0; i < 4; i++)
		gg_yamux_stream_release(w.s[i]);
	gg_yamux_free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wake_survives_closing_callback),
	};

	return cmocka_run_group_tests_name("yamux_wake", tests, NULL, NULL);
}
