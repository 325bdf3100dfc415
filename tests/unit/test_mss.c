/*
 * test_mss.c - multistream-select engines back to back in memory: the
 * dialer's first write, na and fallback, ls, lazy data after the
 * negotiated line (both roles), byte-at-a-time input, and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "p2p/mss.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/varint.h"

/* Move everything a has queued into b; returns b's feed result. */
static int pump(struct gg_mss *a, struct gg_mss *b)
{
	int rc = gg_mss_feed(b, a->out.data, a->out.len);

	gg_buf_reset(&a->out);
	return rc;
}

static void negotiate_with_fallback(void **state)
{
	static const char *const dp[] = { "/a/1", "/noise" };
	static const char *const lp[] = { "/tls/1.0.0", "/noise" };
	static const uint8_t first[] = "\x13/multistream/1.0.0\n\x05/a/1\n";
	struct gg_mss d, l;
	int i, rd = 0, rl = 0;

	(void)state;
	assert_int_equal(gg_mss_init_dialer(&d, dp, 2), 0);
	assert_int_equal(gg_mss_init_listener(&l, lp, 2), 0);
	/* header and first proposal leave in one write */
	assert_int_equal(d.out.len, sizeof(first) - 1);
	assert_memory_equal(d.out.data, first, sizeof(first) - 1);
	for (i = 0; i < 10 && (rd != 1 || rl != 1); i++) {
		rl = pump(&d, &l);
		assert_true(rl >= 0);
		rd = pump(&l, &d);
		assert_true(rd >= 0);
	}
	assert_int_equal(rd, 1);
	assert_int_equal(rl, 1);
	assert_string_equal(gg_mss_selected(&d), "/noise");
	assert_string_equal(gg_mss_selected(&l), "/noise");
	assert_int_equal(gg_mss_state(&d), GG_MSS_DONE);
	gg_mss_release(&d);
	gg_mss_release(&l);
}

static void lazy_data_is_kept(void **state)
{
	static const char *const p[] = { "/yamux/1.0.0" };
	struct gg_mss d, l;
	const uint8_t *lo;
	size_t n;

	(void)state;
	assert_int_equal(gg_mss_init_dialer(&d, p, 1), 0);
	assert_int_equal(gg_mss_init_listener(&l, p, 1), 0);
	/* a lazy dialer: header + proposal + first data in one packet */
	assert_int_equal(gg_buf_add(&d.out, "HELLO", 5), 0);
	assert_int_equal(pump(&d, &l), 1);
	lo = gg_mss_leftover(&l, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(lo, "HELLO", 5);
	/* more bytes after done join the leftover */
	assert_int_equal(gg_mss_feed(&l, (const uint8_t *)"!", 1), 1);
	lo = gg_mss_leftover(&l, &n);
	assert_int_equal(n, 6);
	assert_memory_equal(lo, "HELLO!", 6);
	/* the listener's answer followed by its own data reaches the dialer */
	assert_int_equal(gg_buf_add(&l.out, "WORLD", 5), 0);
	assert_int_equal(pump(&l, &d), 1);
	lo = gg_mss_leftover(&d, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(lo, "WORLD", 5);
	gg_mss_release(&d);
	gg_mss_release(&l);
}

static void byte_at_a_time(void **state)
{
	static const char *const p[] = { "/x", "/y" };
	static const char *const lp[] = { "/y" };
	struct gg_mss d, l;
	struct gg_buf w = GG_BUF_INIT(4096);
	size_t i;
	int rc = 0, rounds;

	(void)state;
	assert_int_equal(gg_mss_init_dialer(&d, p, 2), 0);
	assert_int_equal(gg_mss_init_listener(&l, lp, 1), 0);
	for (rounds = 0; rounds < 5 && gg_mss_state(&d) != GG_MSS_DONE;
	     rounds++) {
		gg_buf_reset(&w);
		assert_int_equal(gg_buf_add(&w, d.out.data, d.out.len), 0);
		gg_buf_reset(&d.out);
		for (i = 0; i < w.len; i++)
			assert_true(gg_mss_feed(&l, w.data + i, 1) >= 0);
		gg_buf_reset(&w);
		assert_int_equal(gg_buf_add(&w, l.out.data, l.out.len), 0);
		gg_buf_reset(&l.out);
		for (i = 0; i < w.len; i++) {
			rc = gg_mss_feed(&d, w.data + i, 1);
			assert_true(rc >= 0);
		}
	}
	assert_int_equal(rc, 1);
	assert_string_equal(gg_mss_selected(&d), "/y");
	gg_buf_release(&w);
	gg_mss_release(&d);
	gg_mss_release(&l);
}

static void all_refused(void **state)
{
	static const char *const dp[] = { "/a", "/b" };
	static const char *const lp[] = { "/c" };
	struct gg_mss d, l;
	int i, rc = 0;

	(void)state;
	assert_int_equal(gg_mss_init_dialer(&d, dp, 2), 0);
	assert_int_equal(gg_mss_init_listener(&l, lp, 1), 0);
	for (i = 0; i < 5 && rc == 0; i++) {
		assert_int_equal(pump(&d, &l), 0);
		rc = pump(&l, &d);
	}
	assert_int_equal(rc, GG_EUNSUPPORTED);
	assert_int_equal(gg_mss_state(&d), GG_MSS_FAILED);
	assert_null(gg_mss_selected(&d));
	/* sticky */
	assert_int_equal(gg_mss_feed(&d, (const uint8_t *)"x", 1),
			 GG_EUNSUPPORTED);
	gg_mss_release(&d);
	gg_mss_release(&l);
}

static void ls_lists_protocols(void **state)
{
	static const char *const lp[] = { "/a/1", "/bb/2" };
	struct gg_mss l;
	struct gg_buf in = GG_BUF_INIT(1024);
	static const uint8_t want[] = "\x0e\x05/a/1\n\x06/bb/2\n\n";
	size_t hl;

	(void)state;
	assert_int_equal(gg_mss_init_listener(&l, lp, 2), 0);
	/* a listener says nothing before the dialer's header */
	assert_int_equal(l.out.len, 0);
	assert_int_equal(gg_mss_encode(&in, GG_MSS_HEADER), 0);
	hl = in.len; /* then our header, the same message */
	assert_int_equal(gg_mss_encode(&in, "ls"), 0);
	assert_int_equal(gg_mss_feed(&l, in.data, in.len), 0);
	assert_int_equal(l.out.len - hl, sizeof(want) - 1);
	assert_memory_equal(l.out.data, in.data, hl);
	assert_memory_equal(l.out.data + hl, want, sizeof(want) - 1);
	gg_buf_release(&in);
	gg_mss_release(&l);
}

static int feed_listener(const void *p, size_t n)
{
	static const char *const lp[] = { "/a" };
	struct gg_mss l;
	int rc;

	assert_int_equal(gg_mss_init_listener(&l, lp, 1), 0);
	rc = gg_mss_feed(&l, p, n);
	gg_mss_release(&l);
	return rc;
}

static void malformed(void **state)
{
	uint8_t big[GG_VARINT_MAX_LEN];
	size_t vl;

	(void)state;
	/* wrong header */
	assert_int_equal(feed_listener("\x05/b/1\n", 6), GG_EPROTO);
	/* missing newline */
	assert_int_equal(feed_listener("\x13/multistream/1.0.0X", 20),
			 GG_EPROTO);
	/* zero length */
	assert_int_equal(feed_listener("\x00", 1), GG_EPROTO);
	/* non-minimal varint */
	assert_int_equal(feed_listener("\x83\x00", 2), GG_EPROTO);
	/* oversized: refused from the length alone */
	vl = gg_varint_encode(GG_MSS_MAX_MSG + 1, big);
	assert_int_equal(feed_listener(big, vl), GG_EPROTO);
	/* truncated input just waits */
	assert_int_equal(feed_listener("\x13/multi", 8), 0);
}

static void too_many_rounds(void **state)
{
	static const char *const lp[] = { "/a" };
	struct gg_mss l;
	struct gg_buf in = GG_BUF_INIT(65536);
	int i;

	(void)state;
	assert_int_equal(gg_mss_init_listener(&l, lp, 1), 0);
	assert_int_equal(gg_mss_encode(&in, GG_MSS_HEADER), 0);
	for (i = 0; i < GG_MSS_MAX_ROUNDS + 1; i++)
		assert_int_equal(gg_mss_encode(&in, "/nope"), 0);
	assert_int_equal(gg_mss_feed(&l, in.data, in.len), GG_ELIMIT);
	gg_buf_release(&in);
	gg_mss_release(&l);
}

static void bad_init(void **state)
{
	static const char *const bad[] = { "/a\nb" };
	static const char *const empty[] = { "" };
	struct gg_mss m;

	(void)state;
	assert_int_equal(gg_mss_init_dialer(&m, bad, 1), GG_EINVAL);
	gg_mss_release(&m);
	assert_int_equal(gg_mss_init_listener(&m, empty, 1), GG_EINVAL);
	gg_mss_release(&m);
	assert_int_equal(gg_mss_init_dialer(&m, NULL, 0), GG_EINVAL);
	gg_mss_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(negotiate_with_fallback),
		cmocka_unit_test(lazy_data_is_kept),
		cmocka_unit_test(byte_at_a_time),
		cmocka_unit_test(all_refused),
		cmocka_unit_test(ls_lists_protocols),
		cmocka_unit_test(malformed),
		cmocka_unit_test(too_many_rounds),
		cmocka_unit_test(bad_init),
	};

	return cmocka_run_group_tests_name("mss", tests, NULL, NULL);
}
