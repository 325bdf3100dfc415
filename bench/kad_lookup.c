/*
 * kad_lookup.c - DHT lookup latency in a network of our nodes (issue #6),
 * built by `make bench-bins` as build/bench/kad_lookup.
 *
 *   kad_lookup N LOOKUPS
 *
 * N nodes in this process on 127.0.0.1 (tests/p2p/kad_net.h: real
 * TCP/Noise/yamux connections on one loop), joined through node 0 and
 * bootstrapped once more; then LOOKUPS FIND_NODE lookups (kad_find_node:
 * a whole iterative lookup, ended when the 20 closest have answered),
 * each from a random node for another random node's ID, one at a time.
 * Prints latency p50/p99, whether the target was found, and the hops
 * (requests on the referral chain) against log2(N).  bench/kad_lookup.sh
 * runs it beside js-libp2p.
 */
#include <math.h>
#include <sys/resource.h>

#include "../tests/p2p/kad_net.h"

struct one {
	struct gg_op op;
	int found, hops;
	const struct gg_peerid *want;
};

static void done(void *arg, const struct kad_result *r)
{
	struct one *o = arg;
	size_t i;

	for (i = 0; i < r->npeers; i++)
		if (gg_peerid_eq(&r->peers[i].id, o->want))
			o->found = 1;
	o->hops = r->stats.hops;
	o->op.done = 1;
}

/* Everything the nodes did, summed: requests, dials, CPU time. */
struct tally {
	struct gg_kadhost_stats st;
	uint64_t cpu_us;
	long conns;
};

static void tally(struct tnet *net, struct tally *t)
{
	struct gg_kadhost_stats s;
	struct gg_conn *c[4096];
	struct rusage ru;
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < net->count; i++) {
		gg_kadhost_stats(net->n[i].kh, &s);
		t->st.req_out += s.req_out;
		t->st.req_failed += s.req_failed;
		t->st.req_in += s.req_in;
		t->st.dials += s.dials;
		t->st.streams += s.streams;
		t->st.req_ok += s.req_ok;
		t->st.reply_us += s.reply_us;
		t->st.ticks += s.ticks;
		t->st.pings += s.pings;
		t->conns += gg_host_conns(net->n[i].host, c, 4096);
	}
	getrusage(RUSAGE_SELF, &ru);
	t->cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000u +
		    (uint64_t)ru.ru_utime.tv_usec +
		    (uint64_t)ru.ru_stime.tv_sec * 1000000u +
		    (uint64_t)ru.ru_stime.tv_usec;
}

/* Per-unit differences between two tallies, on one line. */
static void tally_print(const char *what, const struct tally *a,
			const struct tally *b, double per)
{
	uint64_t ok = b->st.req_ok - a->st.req_ok;

	printf("ours: %s: requests %.1f (failed %.1f) dials %.1f streams %.1f "
	       "served %.1f pings %.1f ticks %.1f reply %.2f ms cpu %.2f ms; "
	       "conns %ld -> %ld\n", what,
	       (double)(b->st.req_out - a->st.req_out) / per,
	       (double)(b->st.req_failed - a->st.req_failed) / per,
	       (double)(b->st.dials - a->st.dials) / per,
	       (double)(b->st.streams - a->st.streams) / per,
	       (double)(b->st.req_in - a->st.req_in) / per,
	       (double)(b->st.pings - a->st.pings) / per,
	       (double)(b->st.ticks - a->st.ticks) / per,
	       ok ? (double)(b->st.reply_us - a->st.reply_us) / 1e3 /
			    (double)ok : 0.0,
	       (double)(b->cpu_us - a->cpu_us) / 1e3 / per, a->conns,
	       b->conns);
}

/* Tell perf (`perf record -D -1 --control fifo:CTL`) to record only the
 * lookups (or with KAD_LOOKUP_PERF_PHASE=idle, the 2 s of idling that
 * KAD_LOOKUP_IDLE asks for): KAD_LOOKUP_PERF_CTL names its control
 * fifo. */
static void perf_ctl(const char *phase, const char *cmd)
{
	const char *path = getenv("KAD_LOOKUP_PERF_CTL");
	const char *want = getenv("KAD_LOOKUP_PERF_PHASE");
	FILE *f;

	if (strcmp(want ? want : "lookups", phase) || !path ||
	    !(f = fopen(path, "w")))
		return;
	fprintf(f, "%s\n", cmd);
	fclose(f);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	int lookups = argc > 2 ? atoi(argv[2]) : 200;
	struct tnet net;
	struct tally t0l, t1l, t2l;
	double *ms = calloc((size_t)lookups, sizeof(*ms)), hops = 0;
	int i, found = 0, maxhop = 0, rc;
	uint64_t t0 = tnet_ms();

	setvbuf(stdout, NULL, _IOLBF, 0);
	srand(1);
	rc = tnet_start(&net, n, 1000, 120000);
	printf("ours: %d nodes up in %llu ms (%s); table of node 1: %zu\n", n,
	       (unsigned long long)(tnet_ms() - t0), gg_strerror(rc),
	       gg_kadhost_table_size(net.n[1].kh));
	tally(&net, &t0l);
	perf_ctl("lookups", "enable");
	for (i = 0; rc == 0 && i < lookups; i++) {
		int from = rand() % n, to = (from + 1 + rand() % (n - 1)) % n;
		struct one o;
		uint64_t s = uv_hrtime();

		memset(&o, 0, sizeof(o));
		o.want = &net.n[to].pid;
		if (kad_find_node(gg_kadhost_kad(net.n[from].kh),
				  net.n[to].pid.b, net.n[to].pid.len, done, &o,
				  NULL) < 0)
			break;
		gg_kadhost_kick(net.n[from].kh);
		gg_run(&net.loop, &o.op, 60000);
		ms[i] = (double)(uv_hrtime() - s) / 1e6;
		found += o.found;
		hops += o.hops;
		if (o.hops > maxhop)
			maxhop = o.hops;
	}
	perf_ctl("lookups", "disable");
	tally(&net, &t1l);
	if (i)
		tally_print("per lookup", &t0l, &t1l, i);
	if (i && getenv("KAD_LOOKUP_IDLE")) {
		struct gg_op idle = { 0, 0 };

		perf_ctl("idle", "enable");
		gg_run(&net.loop, &idle, 2000);
		perf_ctl("idle", "disable");
		tally(&net, &t2l);
		tally_print("idle, per 20 ms", &t1l, &t2l, 100);
	}
	qsort(ms, (size_t)i, sizeof(*ms), cmp);
	if (i)
		printf("ours: lookups n %d p50 %.2f p99 %.2f found %d hops mean "
		       "%.2f max %d log2N %.2f\n", i, ms[i / 2],
		       ms[(i * 99) / 100], found, hops / i, maxhop, log2(n));
	free(ms);
	tnet_free(&net);
	return rc ? 1 : 0;
}
