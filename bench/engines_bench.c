/*
 * engines_bench.c - push bytes through noise + yamux in memory, both ends
 * in this one thread, and print the throughput.
 *
 *   make bench-bins && build/bench/engines_bench [MiB] [chunk KiB]
 *	[yamux max_out KiB]
 *
 * A dialer and a listener complete the Noise handshake, start yamux
 * sessions on top, and the dialer streams MiB mebibytes (default 256)
 * over one yamux stream in writes of chunk KiB (default 1024).  Each
 * byte is encrypted and decrypted once, so one core does the work of
 * both peers: the figure is a lower bound for one connection's end.  The
 * reader checks a running sum of the bytes so nothing is lost or reordered.
 * This is a measuring tool, not a test: it prints and exits non-zero only
 * when something breaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/key.h"
#include "p2p/noise.h"
#include "p2p/yamux.h"
#include "util/buf.h"
#include "util/error.h"

struct end {
	struct gg_noise *noise;
	struct gg_yamux *ymx;
	struct gg_privkey *key;
	struct gg_buf wire;   /* ciphertext to deliver to the other end */
	struct gg_yamux_stream *stream;
	uint64_t got, sum;
};

static uint64_t now_ms(void *ud)
{
	struct timespec ts;

	(void)ud;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int on_data(void *ud, const uint8_t *p, size_t n)
{
	struct end *e = ud;

	return gg_yamux_feed(e->ymx, p, n);
}

static int on_stream(void *ud, struct gg_yamux_stream *s)
{
	((struct end *)ud)->stream = s;
	return 0;
}

static void on_readable(void *ud, struct gg_yamux_stream *s)
{
	struct end *e = ud;
	const uint8_t *p;
	size_t n, i;
	uint64_t sum = e->sum;

	p = gg_yamux_stream_peek(s, &n);
	/* every 64th byte of the stream: one per cache line */
	for (i = (64 - e->got % 64) % 64; i < n; i += 64)
		sum += p[i];
	e->sum = sum;
	e->got += n;
	gg_yamux_stream_consume(s, n);
}

/* Encrypt what yamux queued into the wire buffer. */
static int flush(struct end *e)
{
	size_t n;
	const uint8_t *o = gg_yamux_output(e->ymx, &n);
	int rc;

	if (!n)
		return 0;
	rc = gg_noise_write(e->noise, o, n, &e->wire);
	if (!rc)
		gg_yamux_output_consume(e->ymx, n);
	return rc;
}

static int deliver(struct end *from, struct end *to)
{
	int rc = 0;

	if (from->wire.len)
		rc = gg_noise_feed(to->noise, from->wire.data, from->wire.len,
				   &to->wire);
	gg_buf_reset(&from->wire);
	return rc;
}

static int setup(struct end *e, int initiator, size_t max_out)
{
	struct gg_noise_cfg nc = { 0 };
	struct gg_yamux_cfg yc = { 0 };
	int rc;

	memset(e, 0, sizeof(*e));
	gg_buf_init(&e->wire, 64u << 20);
	rc = gg_privkey_generate(&e->key);
	if (rc)
		return rc;
	nc.initiator = initiator;
	nc.key = e->key;
	nc.ud = e;
	nc.on_data = on_data;
	rc = gg_noise_new(&nc, &e->noise);
	if (rc)
		return rc;
	yc.client = initiator;
	yc.max_out = max_out;
	yc.ud = e;
	yc.now = now_ms;
	yc.on_stream = on_stream;
	yc.on_readable = on_readable;
	return gg_yamux_new(&yc, &e->ymx);
}

static int handshake(struct end *a, struct end *b)
{
	int rc, i;

	rc = gg_noise_start(a->noise, &a->wire);
	for (i = 0; i < 3 && !rc; i++) {
		rc = deliver(a, b);
		if (!rc)
			rc = deliver(b, a);
	}
	if (!rc && (gg_noise_state(a->noise) != GG_NOISE_READY ||
		    gg_noise_state(b->noise) != GG_NOISE_READY))
		rc = GG_EPROTO;
	return rc;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Stream total bytes from a to b.  tsend/trecv collect the CPU time of
 * each end's share (writer: yamux write + encrypt, reader: decrypt +
 * yamux + read), so the figure for one end of a real connection, which
 * has a core of its own, can be printed too.
 */
static int transfer(struct end *a, struct end *b, const uint8_t *chunk,
		    size_t csize, uint64_t total, uint64_t *want_sum,
		    double *tsend, double *trecv)
{
	uint64_t sent = 0;
	size_t off = 0, i;
	double t0, t1, t2;
	long k;
	int rc = 0;

	*want_sum = 0;
	for (i = 0; i < csize; i += 64)
		*want_sum += chunk[i];
	*want_sum *= total / csize;
	while (!rc && (sent < total || b->got < total)) {
		t0 = cpu_now();
		if (sent < total) {
			k = gg_yamux_stream_write(a->stream, chunk + off,
						  csize - off);
			if (k < 0)
				return (int)k;
			sent += (uint64_t)k;
			off = (off + (size_t)k) % csize;
		}
		rc = flush(a);
		t1 = cpu_now();
		if (!rc)
			rc = deliver(a, b);
		if (!rc)
			rc = flush(b);
		t2 = cpu_now();
		if (!rc)
			rc = deliver(b, a);
		*tsend += (t1 - t0) + (cpu_now() - t2);
		*trecv += t2 - t1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct end a, b;
	uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 10) : 256;
	size_t csize = (argc > 2 ? strtoull(argv[2], NULL, 10) : 1024) << 10;
	size_t max_out = (argc > 3 ? strtoull(argv[3], NULL, 10) : 0) << 10;
	uint64_t total, want;
	uint8_t *chunk;
	struct timespec t0, t1, c0, c1;
	double secs, cpu, tsend = 0, trecv = 0;
	size_t i;
	int rc;

	if (mib == 0 || csize == 0 || (mib << 20) % csize) {
		fprintf(stderr, "usage: engines_bench [MiB] [chunk KiB] "
			"[max_out KiB]\n");
		return 2;
	}
	total = mib << 20;
	chunk = malloc(csize);
	if (!chunk)
		return 1;
	for (i = 0; i < csize; i++)
		chunk[i] = (uint8_t)(i * 131 + 7);
	rc = setup(&a, 1, max_out);
	if (!rc)
		rc = setup(&b, 0, max_out);
	if (!rc)
		rc = handshake(&a, &b);
	if (!rc)
		rc = gg_yamux_open(a.ymx, &a.stream);
	if (rc) {
		fprintf(stderr, "setup failed: %s\n", gg_strerror(rc));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	rc = transfer(&a, &b, chunk, csize, total, &want, &tsend, &trecv);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc || b.got != total || b.sum != want) {
		fprintf(stderr, "transfer failed: %s (%llu of %llu bytes)\n",
			gg_strerror(rc), (unsigned long long)b.got,
			(unsigned long long)total);
		return 1;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cpu = (double)(c1.tv_sec - c0.tv_sec) +
	      (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	/* CPU time is the honest figure on a shared machine: wall time
	 * includes whatever else ran on this core */
	printf("noise+yamux in memory, %llu MiB, writes of %zu KiB: "
	       "%.0f MB/s per CPU second (%.3f s CPU), %.0f MB/s wall "
	       "(%.3f s), final window %u KiB\n",
	       (unsigned long long)mib, csize >> 10,
	       (double)total / cpu / 1e6, cpu, (double)total / secs / 1e6,
	       secs, gg_yamux_stream_recv_window(b.stream) / 1024);
	printf("per end (each on its own core in a real connection): "
	       "sender %.0f MB/s, receiver %.0f MB/s\n",
	       (double)total / tsend / 1e6, (double)total / trecv / 1e6);
	gg_yamux_free(a.ymx);
	gg_yamux_free(b.ymx);
	gg_noise_free(a.noise);
	gg_noise_free(b.noise);
	gg_privkey_free(a.key);
	gg_privkey_free(b.key);
	gg_buf_release(&a.wire);
	gg_buf_release(&b.wire);
	free(chunk);
	return 0;
}
