/*
 * c_peer.c - our side of the interop tests and benchmarks, built as
 * build/tests/c_peer on libggen.a.  The counterpart of peer.mjs, with the
 * same modes and the same two test protocols, which exist only here:
 *
 *   /ggen/test/echo/1.0.0  every byte is written back; FIN ends it
 *   /ggen/test/sink/1.0.0  bytes are counted; at FIN the count is answered
 *                          as 8 bytes big-endian
 *
 *   c_peer listen                 serve echo and sink on 127.0.0.1:0 with a
 *                                 fresh key; print "listening: MA"; run
 *                                 until SIGTERM/SIGINT (or $PEER_TTL s)
 *   c_peer echo MA BYTES          one echo stream, BYTES each way
 *   c_peer streams MA N BYTES     N concurrent echo streams on one conn
 *   c_peer bench-hs MA N          N x (fresh connection + one ping on a
 *                                 lazily opened stream): median
 *   c_peer bench-tput MA BYTES    BYTES over one sink stream: MB/s
 *
 * (Junk after the handshake comes from raw_peer.c, which drives the
 * engines over a plain socket.)
 * Every wait is bounded; exit 0 only when every check held.
 */
#include <signal.h>
#include <sys/resource.h>

#include "node/node.h"
#include "p2p/ping.h"
#include "util/error.h"
#include "util/log.h"

#define ECHO_PROTO "/ggen/test/echo/1.0.0"
#define SINK_PROTO "/ggen/test/sink/1.0.0"
#define CHUNK (64 * 1024)
#define WAIT_MS 120000

static int fail(const char *fmt, const char *a, int err)
{
	printf("FAIL: ");
	printf(fmt, a);
	printf(": %s\n", gg_strerror(err));
	return 1;
}

/* ---- servers ---- */

static void on_echo(void *arg, struct gg_stream *s)
{
	gg_stream_set_cbs(s, &gg_echo_cbs, NULL);
}

struct sink { uint64_t n; };

static void sink_data(void *arg, struct gg_stream *s, const uint8_t *p,
		      size_t n)
{
	((struct sink *)arg)->n += n;
}

static void sink_eof(void *arg, struct gg_stream *s)
{
	struct sink *k = arg;
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(k->n >> (56 - 8 * i));
	gg_stream_write(s, b, 8);
	gg_stream_close_write(s);
}

static void sink_close(void *arg, struct gg_stream *s, int err)
{
	free(arg);
}

static const struct gg_stream_cbs sink_cbs = {
	.on_data = sink_data, .on_eof = sink_eof, .on_close = sink_close,
};

static void on_sink(void *arg, struct gg_stream *s)
{
	struct sink *k = calloc(1, sizeof(*k));

	if (!k) {
		gg_stream_reset(s);
		return;
	}
	gg_stream_set_cbs(s, &sink_cbs, k);
}

static int node_up(struct gg_node *n)
{
	struct gg_node_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.max_peers = 1000;
	o.max_peers_per_ip = 1000;
	rc = gg_privkey_generate(&o.key);
	if (rc == 0)
		rc = gg_node_init(n, &o);
	if (rc == 0)
		rc = gg_host_handle(n->host, ECHO_PROTO, on_echo, NULL);
	if (rc == 0)
		rc = gg_host_handle(n->host, SINK_PROTO, on_sink, NULL);
	return rc;
}

struct listen_ctx { struct gg_op op; uv_signal_t si, st; uv_timer_t ttl; };

static void on_stop_signal(uv_signal_t *s, int signum)
{
	((struct listen_ctx *)s->data)->op.done = 1;
}

static void on_ttl(uv_timer_t *t)
{
	((struct listen_ctx *)t->data)->op.done = 1;
}

static int mode_listen(struct gg_node *n)
{
	static const char *const addr[] = { "/ip4/127.0.0.1/tcp/0" };
	struct gg_multiaddr ma[4];
	char s[GG_MULTIADDR_STR_MAX], err[256];
	struct listen_ctx x;
	const char *ttl = getenv("PEER_TTL");
	int i, k;

	memset(&x, 0, sizeof(x));
	if (gg_node_listen(n, addr, 1, err, sizeof(err))) {
		printf("FAIL: %s\n", err);
		return 1;
	}
	k = gg_node_addrs(n, ma, 4);
	for (i = 0; i < k; i++)
		if (gg_multiaddr_to_str(&ma[i], s, sizeof(s)) == 0)
			printf("listening: %s\n", s);
	fflush(stdout);
	uv_signal_init(&n->loop, &x.si);
	uv_signal_init(&n->loop, &x.st);
	uv_timer_init(&n->loop, &x.ttl);
	x.si.data = x.st.data = x.ttl.data = &x;
	uv_signal_start(&x.si, on_stop_signal, SIGINT);
	uv_signal_start(&x.st, on_stop_signal, SIGTERM);
	uv_timer_start(&x.ttl, on_ttl, (ttl ? strtoull(ttl, NULL, 10) : 300) *
			1000, 0);
	gg_run(&n->loop, &x.op, 0);
	uv_close((uv_handle_t *)&x.si, NULL);
	uv_close((uv_handle_t *)&x.st, NULL);
	uv_close((uv_handle_t *)&x.ttl, NULL);
	return 0;
}

/* ---- echo clients ---- */

struct echo_job {
	struct gg_op *all;      /* counts finished jobs */
	int *left, *bad;
	struct gg_stream *s;
	const uint8_t *data;
	size_t total, sent, got;
	int err;
};

static void job_done(struct echo_job *j, int err)
{
	if (err && !j->err) {
		j->err = err;
		(*j->bad)++;
	}
	if (--(*j->left) == 0)
		j->all->done = 1;
}

static void job_send(struct echo_job *j)
{
	size_t n;
	int rc = 0;

	while (j->sent < j->total && rc == 0) {
		n = j->total - j->sent < CHUNK ? j->total - j->sent : CHUNK;
		rc = gg_stream_write(j->s, j->data + j->sent, n);
		if (rc >= 0)
			j->sent += n;
	}
	if (rc < 0)
		gg_stream_reset(j->s), job_done(j, rc);
	else if (j->sent == j->total)
		gg_stream_close_write(j->s);
}

static void job_data(void *arg, struct gg_stream *s, const uint8_t *p,
		     size_t n)
{
	struct echo_job *j = arg;

	if (j->err)
		return;
	if (j->got + n > j->total || memcmp(j->data + j->got, p, n)) {
		printf("# echo mismatch near byte %zu\n", j->got);
		j->err = GG_ECORRUPT;
		(*j->bad)++;
		return;
	}
	j->got += n;
}

static void job_drain(void *arg, struct gg_stream *s)
{
	job_send(arg);
}

static void job_close(void *arg, struct gg_stream *s, int err)
{
	struct echo_job *j = arg;

	if (!err && j->got != j->total)
		err = GG_ETRUNC;
	job_done(j, err);
}

static const struct gg_stream_cbs job_cbs = {
	.on_data = job_data, .on_drain = job_drain, .on_close = job_close,
};

static void job_opened(void *arg, struct gg_stream *s, int err)
{
	struct echo_job *j = arg;

	if (err) {
		job_done(j, err);
		return;
	}
	j->s = s;
	gg_stream_set_cbs(s, &job_cbs, j);
	job_send(j);
}

static uint8_t *pattern(size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	uint64_t x = 0x9E3779B97F4A7C15ull ^ (uint64_t)uv_hrtime();
	size_t i;

	for (i = 0; d && i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		d[i] = (uint8_t)x;
	}
	return d;
}

static int dial(struct gg_node *n, const char *text, struct gg_conn **c)
{
	struct gg_multiaddr ma;
	int rc = gg_multiaddr_parse(text, &ma);

	if (rc == 0)
		rc = gg_node_dial(n, &ma, 10000, c, NULL);
	return rc;
}

static int mode_echo(struct gg_node *n, const char *ma, int streams,
		     size_t bytes)
{
	static const char *const protos[] = { ECHO_PROTO };
	struct echo_job *jobs = calloc((size_t)streams, sizeof(*jobs));
	uint8_t *data = pattern(bytes);
	struct gg_op all = { 0, 0 };
	struct gg_conn *c;
	int i, left = streams, bad = 0, rc;
	uint64_t t0 = uv_hrtime();

	rc = jobs && data ? dial(n, ma, &c) : GG_ENOMEM;
	for (i = 0; rc == 0 && i < streams; i++) {
		jobs[i] = (struct echo_job){ &all, &left, &bad, NULL, data,
					     bytes, 0, 0, 0 };
		if (gg_stream_open(c, protos, 1, job_opened, &jobs[i]))
			job_done(&jobs[i], GG_ELIMIT);
	}
	if (rc == 0)
		rc = gg_run(&n->loop, &all, WAIT_MS);
	if (rc == 0 && bad)
		rc = jobs[0].err ? jobs[0].err : GG_ECORRUPT;
	if (rc == 0)
		printf("echo: %d stream(s) x %zu bytes ok in %.0f ms\n",
		       streams, bytes, (double)(uv_hrtime() - t0) / 1e6);
	free(jobs);
	free(data);
	return rc ? fail("echo with %s", ma, rc) : 0;
}

/* ---- benchmarks ---- */

/*
 * One /ipfs/ping/1.0.0 exchange on a lazily opened stream: the 32 bytes
 * leave right behind the proposal (gg_stream_open_lazy), as a ping by
 * rust-libp2p does; the listener's ordinary ping handler echoes them.
 */
struct lping {
	struct gg_op op;
	uint8_t sent[32], got[32];
	size_t n;
};

static void lping_data(void *arg, struct gg_stream *s, const uint8_t *p,
		       size_t n)
{
	struct lping *l = arg;

	if (l->op.done)
		return;
	if (l->n + n > sizeof(l->got)) {
		l->op.status = GG_EPROTO;
		l->op.done = 1;
		return;
	}
	memcpy(l->got + l->n, p, n);
	l->n += n;
	if (l->n < sizeof(l->got))
		return;
	l->op.status = memcmp(l->got, l->sent, 32) ? GG_ECORRUPT : 0;
	l->op.done = 1;
}

static void lping_close(void *arg, struct gg_stream *s, int err)
{
	struct lping *l = arg;

	if (!l->op.done) {
		l->op.status = err ? err : GG_ECLOSED;
		l->op.done = 1;
	}
}

static const struct gg_stream_cbs lping_cbs = {
	.on_data = lping_data, .on_close = lping_close,
};

/* Ping once over c; 0 when the echo came back intact. */
static int lazy_ping(struct gg_node *n, struct gg_conn *c)
{
	struct lping l;
	struct gg_stream *s;
	int rc;

	memset(&l, 0, sizeof(l));
	uv_random(NULL, NULL, l.sent, sizeof(l.sent), 0, NULL);
	rc = gg_stream_open_lazy(c, GG_PING_PROTO, &lping_cbs, &l, &s);
	if (rc == 0 && !l.op.done)
		rc = gg_stream_write(s, l.sent, sizeof(l.sent));
	if (rc >= 0)
		rc = gg_run(&n->loop, &l.op, 10000);
	if (rc == 0)
		rc = l.op.status;
	if (rc == 0)
		gg_stream_reset(s); /* no callbacks after this */
	return rc;
}

/* CPU seconds this process used so far (user + system). */
static double cpu_secs(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int mode_bench_hs(struct gg_node *n, const char *ma, int count)
{
	uint64_t *t = calloc((size_t)count, sizeof(*t)), t0;
	struct gg_op settle;
	struct gg_conn *c;
	double c0 = cpu_secs();
	int i, rc = t ? 0 : GG_ENOMEM;

	for (i = 0; rc == 0 && i < count; i++) {
		t0 = uv_hrtime();
		rc = dial(n, ma, &c);
		if (rc == 0)
			rc = lazy_ping(n, c);
		t[i] = uv_hrtime() - t0;
		if (!rc)
			gg_conn_close(c);
		memset(&settle, 0, sizeof(settle));
		gg_run(&n->loop, &settle, 5); /* let the close go out */
	}
	if (rc == 0) {
		qsort(t, (size_t)count, sizeof(*t), cmp_u64);
		printf("handshake+rtt median: %.3f ms (dialer cpu %.3f ms "
		       "per connection)\n", (double)t[count / 2] / 1e6,
		       (cpu_secs() - c0) * 1e3 / count);
	}
	free(t);
	return rc ? fail("bench-hs with %s", ma, rc) : 0;
}

struct tput {
	struct gg_op op;
	struct gg_stream *s;
	const uint8_t *block;
	uint64_t total, sent;
	uint8_t ack[8];
	size_t nack;
};

static void tput_send(struct tput *t)
{
	size_t n;
	int rc = 0;

	while (t->sent < t->total && rc == 0) {
		n = t->total - t->sent < CHUNK ? t->total - t->sent : CHUNK;
		rc = gg_stream_write(t->s, t->block, n);
		if (rc >= 0)
			t->sent += n;
	}
	if (rc < 0)
		t->op.status = rc, t->op.done = 1;
	else if (t->sent == t->total)
		gg_stream_close_write(t->s);
}

static void tput_data(void *arg, struct gg_stream *s, const uint8_t *p,
		      size_t n)
{
	struct tput *t = arg;

	if (t->nack + n > 8)
		n = 8 - t->nack;
	memcpy(t->ack + t->nack, p, n);
	t->nack += n;
}

static void tput_drain(void *arg, struct gg_stream *s)
{
	tput_send(arg);
}

static void tput_close(void *arg, struct gg_stream *s, int err)
{
	struct tput *t = arg;
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | t->ack[i];
	t->op.status = err ? err : (t->nack == 8 && v == t->total)
					   ? 0 : GG_ECORRUPT;
	t->op.done = 1;
}

static const struct gg_stream_cbs tput_cbs = {
	.on_data = tput_data, .on_drain = tput_drain, .on_close = tput_close,
};

static void tput_opened(void *arg, struct gg_stream *s, int err)
{
	struct tput *t = arg;

	if (err) {
		t->op.status = err;
		t->op.done = 1;
		return;
	}
	t->s = s;
	gg_stream_set_cbs(s, &tput_cbs, t);
	tput_send(t);
}

static int mode_bench_tput(struct gg_node *n, const char *ma, uint64_t bytes)
{
	static const char *const protos[] = { SINK_PROTO };
	struct tput t;
	struct gg_conn *c;
	uint8_t *block = pattern(CHUNK);
	uint64_t t0;
	double c0 = 0;
	int rc;

	memset(&t, 0, sizeof(t));
	t.block = block;
	t.total = bytes;
	rc = block ? dial(n, ma, &c) : GG_ENOMEM;
	t0 = uv_hrtime();
	c0 = cpu_secs();
	if (rc == 0)
		rc = gg_stream_open(c, protos, 1, tput_opened, &t);
	if (rc == 0)
		rc = gg_run(&n->loop, &t.op, WAIT_MS);
	if (rc == 0)
		printf("throughput: %.1f MB/s (sender cpu %.3f s)\n",
		       (double)bytes / ((double)(uv_hrtime() - t0) / 1e9) /
			       1e6, cpu_secs() - c0);
	free(block);
	return rc ? fail("bench-tput with %s", ma, rc) : 0;
}

int main(int argc, char **argv)
{
	struct gg_node n;
	const char *mode = argc > 1 ? argv[1] : "";
	const char *lvl = getenv("GGEN_LOG");
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (lvl && gg_log_parse_level(lvl) >= 0)
		gg_log_set_level((enum gg_log_level)gg_log_parse_level(lvl));
	if (node_up(&n)) {
		printf("FAIL: cannot start a node\n");
		return 1;
	}
	if (!strcmp(mode, "listen"))
		rc = mode_listen(&n);
	else if (!strcmp(mode, "echo") && argc == 4)
		rc = mode_echo(&n, argv[2], 1, strtoull(argv[3], NULL, 10));
	else if (!strcmp(mode, "streams") && argc == 5)
		rc = mode_echo(&n, argv[2], atoi(argv[3]),
			       strtoull(argv[4], NULL, 10));
	else if (!strcmp(mode, "bench-hs") && argc == 4)
		rc = mode_bench_hs(&n, argv[2], atoi(argv[3]));
	else if (!strcmp(mode, "bench-tput") && argc == 4)
		rc = mode_bench_tput(&n, argv[2], strtoull(argv[3], NULL, 10));
	else
	{
		printf("usage: c_peer listen|echo|streams|bench-hs|"
		       "bench-tput ...\n");
		rc = 2;
	}
	gg_node_release(&n);
	return rc;
}
