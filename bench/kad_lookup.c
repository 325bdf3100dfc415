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
	double *ms = calloc((size_t)lookups, sizeof(*ms)), hops = 0;
	int i, found = 0, maxhop = 0, rc;
	uint64_t t0 = tnet_ms();

	setvbuf(stdout, NULL, _IOLBF, 0);
	srand(1);
	rc = tnet_start(&net, n, 1000, 120000);
	printf("ours: %d nodes up in %llu ms (%s); table of node 1: %zu\n", n,
	       (unsigned long long)(tnet_ms() - t0), gg_strerror(rc),
	       gg_kadhost_table_size(net.n[1].kh));
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
	qsort(ms, (size_t)i, sizeof(*ms), cmp);
	if (i)
		printf("ours: lookups n %d p50 %.2f p99 %.2f found %d hops mean "
		       "%.2f max %d log2N %.2f\n", i, ms[i / 2],
		       ms[(i * 99) / 100], found, hops / i, maxhop, log2(n));
	free(ms);
	tnet_free(&net);
	return rc ? 1 : 0;
}
