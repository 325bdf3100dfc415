/*
 * gossip_tool.c - a helper for the gossipsub tests and the benchmark,
 * built as build/tests/gossip_tool.
 *
 *   gossip_tool mkrecord OUT NAME SEQ
 *       write a valid package record (fresh key) to OUT
 *   gossip_tool mesh N
 *       N nodes in this process (gossip_net.h); prints "listening: I MA"
 *       per node, then obeys one command per line on stdin and prints
 *       one JSON object per line on stdout:
 *         connect I J        node I dials node J
 *         dial I MA          node I dials MA
 *         publish I NAME SEQ a record signed by node I
 *         publish-file I F   the bytes of file F
 *         stats I            {"ev":"stats",...} (engine and glue counts)
 *         score I PEER       {"ev":"score","node":I,"score":S}
 *         quit
 *       deliveries: {"ev":"deliver","node":I,"id":HEX,"name":N,"seq":S}
 *   gossip_tool scale N MSGS SECS
 *       N nodes, each dialing up to 4 earlier ones; MSGS records from
 *       random nodes; exit 0 when every other node got each exactly
 *       once within SECS
 *   gossip_tool bench N MSGS INTERVAL_MS
 *       one publisher, N-1 receivers: p50/p99 of the delivery latency
 *       and of the time until the last node has each message
 *   gossip_tool attack KIND MA [N]
 *       misbehave against the node at MA (see gossip_attack.h)
 *
 * Every wait is bounded; exit 0 only when every check held.
 */
#include <math.h>
#include <signal.h>

#include "gossip_net.h"
#include "gossip_attack.h"

/* ---- mkrecord ---- */

static int mode_mkrecord(char **av)
{
	struct gg_buf b = GG_BUF_INIT(KAD_PKG_RECORD_MAX);
	struct gg_privkey *k = NULL;
	FILE *f;
	int bad;

	if (gg_privkey_generate(&k) ||
	    gnet_record(k, av[1], strtoul(av[2], NULL, 10), &b)) {
		printf("FAIL: cannot make the record\n");
		return 1;
	}
	f = fopen(av[0], "wb");
	bad = !f || fwrite(b.data, 1, b.len, f) != b.len;
	if (f)
		bad |= fclose(f) != 0;
	gg_buf_release(&b);
	gg_privkey_free(k);
	return bad;
}

/* ---- mesh: commands on stdin ---- */

struct mesh {
	struct gnet net;
	uv_pipe_t in;
	struct gg_buf line;
	int quit, pending;
};

static void print_deliver(struct gnet *net, struct gnode *n,
			  const struct gossip_message_info *m,
			  const struct kad_pkg_info *info, uint64_t t0)
{
	char id[2 * GOSSIP_ID_MAX + 1], via[GG_PEERID_STR_MAX] = "";

	gnet_hex(m->id, m->idlen, id, sizeof(id));
	if (m->via)
		gg_peerid_to_str(m->via, via, sizeof(via));
	printf("{\"ev\":\"deliver\",\"node\":%d,\"id\":\"%s\",\"name\":\"%s\","
	       "\"seq\":%llu,\"via\":\"%s\"}\n", n->idx, id, info->name,
	       (unsigned long long)info->seq, via);
	fflush(stdout);
}

static void print_stats(struct gnet *net, int i)
{
	struct gossip_stats s;
	struct gg_gossiphost_stats h;
	size_t peers, mesh;

	gossip_get_stats(gg_gossiphost_engine(net->n[i].gh), &s);
	gg_gossiphost_stats(net->n[i].gh, &h);
	gnet_topic(net, i, &peers, &mesh);
	printf("{\"ev\":\"stats\",\"node\":%d,\"peers\":%zu,\"mesh\":%zu,"
	       "\"received\":%llu,\"delivered\":%llu,\"forwarded\":%llu,"
	       "\"rejected\":%llu,\"ignored\":%llu,\"duplicate\":%llu,"
	       "\"graylisted\":%llu,\"oversized\":%llu,\"malformed\":%llu,"
	       "\"iwant_served\":%llu,\"ihave_dropped\":%llu,"
	       "\"resets\":%llu,\"invalid_records\":%llu}\n", i, peers, mesh,
	       (unsigned long long)s.received,
	       (unsigned long long)s.delivered,
	       (unsigned long long)s.forwarded,
	       (unsigned long long)s.rejected, (unsigned long long)s.ignored,
	       (unsigned long long)s.duplicate,
	       (unsigned long long)s.graylisted,
	       (unsigned long long)s.oversized,
	       (unsigned long long)s.malformed,
	       (unsigned long long)s.iwant_served,
	       (unsigned long long)s.ihave_dropped,
	       (unsigned long long)h.resets,
	       (unsigned long long)net->n[i].rejected);
	fflush(stdout);
}

static void print_score(struct gnet *net, int i, const char *peer)
{
	struct gg_peerid pid;
	double sc = 0;
	int rc = gg_peerid_parse(peer, &pid);

	if (rc == 0)
		rc = gossip_peer_score(gg_gossiphost_engine(net->n[i].gh),
				       &pid, &sc);
	printf("{\"ev\":\"score\",\"node\":%d,\"peer\":\"%s\",\"known\":%s,"
	       "\"score\":%.3f}\n", i, peer, rc == 0 ? "true" : "false", sc);
	fflush(stdout);
}

static int read_file(const char *path, struct gg_buf *b)
{
	uint8_t chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t k;
	int rc = 0;

	if (!f)
		return GG_EIO;
	while (rc == 0 && (k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = gg_buf_add(b, chunk, k);
	fclose(f);
	return rc;
}

static void publish(struct gnet *net, int i, const struct gg_buf *b)
{
	uint8_t id[GOSSIP_ID_MAX];
	char hex[2 * GOSSIP_ID_MAX + 1];
	size_t idlen = 0;
	int rc;

	rc = gg_gossiphost_publish(net->n[i].gh, GNET_TOPIC, b->data, b->len,
				   id, &idlen);
	gnet_hex(id, rc == 0 ? idlen : 0, hex, sizeof(hex));
	printf("{\"ev\":\"published\",\"node\":%d,\"id\":\"%s\",\"rc\":\"%s\"}"
	       "\n", i, hex, rc ? gg_strerror(rc) : "ok");
	fflush(stdout);
}

static void mesh_cmd(struct mesh *m, char *line)
{
	char *save = NULL, *cmd = strtok_r(line, " ", &save);
	char *a1 = strtok_r(NULL, " ", &save), *a2 = strtok_r(NULL, " ", &save);
	char *a3 = strtok_r(NULL, " ", &save);
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	struct gg_multiaddr ma;
	int i = a1 ? atoi(a1) : -1, j = a2 ? atoi(a2) : -1;

	if (!cmd || !strcmp(cmd, "quit")) {
		m->quit = 1;
		return;
	}
	if (i < 0 || i >= m->net.count || (!a2 && strcmp(cmd, "stats"))) {
		printf("{\"ev\":\"error\",\"what\":\"bad command\"}\n");
	} else if (!strcmp(cmd, "connect") && j >= 0 && j < m->net.count) {
		gnet_dial(&m->net, i, &m->net.n[j].addr, &m->pending);
	} else if (!strcmp(cmd, "dial") && !gg_multiaddr_parse(a2, &ma)) {
		gnet_dial(&m->net, i, &ma, &m->pending);
	} else if (!strcmp(cmd, "publish") && a3) {
		if (gnet_record(m->net.n[i].key, a2, strtoul(a3, NULL, 10),
				&b) == 0)
			publish(&m->net, i, &b);
	} else if (!strcmp(cmd, "publish-file") && !read_file(a2, &b)) {
		publish(&m->net, i, &b);
	} else if (!strcmp(cmd, "score")) {
		print_score(&m->net, i, a2);
	} else if (!strcmp(cmd, "stats")) {
		print_stats(&m->net, i);
	} else {
		printf("{\"ev\":\"error\",\"what\":\"bad command\"}\n");
	}
	fflush(stdout);
	gg_buf_release(&b);
}

static void mesh_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	static char space[65536];

	buf->base = space;
	buf->len = sizeof(space);
}

static void mesh_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct mesh *m = s->data;
	char *nl;
	size_t k;

	if (n < 0) {
		m->quit = 1;
		return;
	}
	if (gg_buf_add(&m->line, buf->base, (size_t)n) < 0) {
		m->quit = 1;
		return;
	}
	while (!m->quit && m->line.len &&
	       (nl = memchr(m->line.data, '\n', m->line.len))) {
		*nl = '\0';
		k = (size_t)(nl - (char *)m->line.data) + 1;
		mesh_cmd(m, (char *)m->line.data);
		gg_buf_consume(&m->line, k);
	}
}

static int mode_mesh(int n)
{
	struct mesh *m = calloc(1, sizeof(*m));
	char s[GG_MULTIADDR_STR_MAX];
	int i, rc;

	if (!m || (rc = gnet_init(&m->net, n))) {
		printf("FAIL: cannot start the nodes\n");
		return 1;
	}
	m->net.on_deliver = print_deliver;
	gg_buf_init(&m->line, 1 << 20);
	for (i = 0; i < n; i++)
		if (gg_multiaddr_to_str(&m->net.n[i].addr, s, sizeof(s)) == 0)
			printf("listening: %d %s\n", i, s);
	fflush(stdout);
	uv_pipe_init(&m->net.loop, &m->in, 0);
	m->in.data = m;
	if (uv_pipe_open(&m->in, 0) == 0)
		uv_read_start((uv_stream_t *)&m->in, mesh_alloc, mesh_read);
	else
		m->quit = 1;
	while (!m->quit)
		gnet_spin(&m->net, 100);
	uv_close((uv_handle_t *)&m->in, NULL);
	gnet_free(&m->net);
	gg_buf_release(&m->line);
	free(m);
	return 0;
}

/* ---- scale and bench ---- */

struct run {
	int nmsgs;
	uint8_t *got;         /* [node * nmsgs + msg]: deliveries */
	uint64_t *t_pub;      /* [msg] ns */
	uint64_t *t_last;     /* [msg] ns of the last delivery */
	double *lat;          /* per delivery, ms */
	size_t nlat, twice;
	uint64_t total;
};

static void run_deliver(struct gnet *net, struct gnode *n,
			const struct gossip_message_info *m,
			const struct kad_pkg_info *info, uint64_t t0)
{
	struct run *r = net->arg;
	uint64_t now = uv_hrtime();
	long k = (long)info->seq - 1;
	uint8_t *g;

	if (k < 0 || k >= r->nmsgs)
		return;
	g = &r->got[(size_t)n->idx * (size_t)r->nmsgs + (size_t)k];
	if (*g)
		r->twice++;
	*g = 1;
	r->total++;
	if (t0 && r->nlat < (size_t)net->count * (size_t)r->nmsgs)
		r->lat[r->nlat++] = (double)(now - t0) / 1e6;
	if (now > r->t_last[k])
		r->t_last[k] = now;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_d);
	i = (size_t)ceil(p / 100.0 * (double)n);
	return v[i ? i - 1 : 0];
}

/* Dial a sparse random graph: node i dials up to 4 earlier nodes. */
static int connect_graph(struct gnet *net, uint64_t timeout_ms)
{
	int i, k, pending = 0;
	uint64_t end = gnet_ms() + timeout_ms;

	for (i = 1; i < net->count; i++) {
		for (k = 0; k < 4 && k < i; k++)
			gnet_dial(net, i, &net->n[k == 0 ? i - 1
					       : rand() % i].addr, &pending);
		if (i % 16 == 0)
			while (pending > 0 && gnet_ms() < end)
				gnet_spin(net, 20);
	}
	while (pending > 0 && gnet_ms() < end)
		gnet_spin(net, 20);
	return pending ? GG_ETIMEOUT : 0;
}

/* Wait until every node has a mesh peer, then two more heartbeats. */
static int wait_mesh(struct gnet *net, uint64_t timeout_ms)
{
	uint64_t end = gnet_ms() + timeout_ms;
	size_t peers, mesh;
	int i, ready = 0;

	while (!ready && gnet_ms() < end) {
		gnet_spin(net, 100);
		for (ready = 1, i = 0; ready && i < net->count; i++) {
			gnet_topic(net, i, &peers, &mesh);
			ready = mesh > 0;
		}
	}
	gnet_spin(net, 2100);
	return ready ? 0 : GG_ETIMEOUT;
}

static int run_alloc(struct run *r, int nodes, int nmsgs)
{
	memset(r, 0, sizeof(*r));
	r->nmsgs = nmsgs;
	r->got = calloc((size_t)nodes * (size_t)nmsgs, 1);
	r->t_pub = calloc((size_t)nmsgs, sizeof(*r->t_pub));
	r->t_last = calloc((size_t)nmsgs, sizeof(*r->t_last));
	r->lat = calloc((size_t)nodes * (size_t)nmsgs, sizeof(*r->lat));
	return r->got && r->t_pub && r->t_last && r->lat ? 0 : GG_ENOMEM;
}

static void run_free(struct run *r)
{
	free(r->got);
	free(r->t_pub);
	free(r->t_last);
	free(r->lat);
}

/* Publish message k (seq k+1) from node i. */
static int run_publish(struct gnet *net, struct run *r, int i, int k)
{
	struct gg_buf b = GG_BUF_INIT(KAD_PKG_RECORD_MAX);
	char name[32];
	int rc;

	snprintf(name, sizeof(name), "m%d", k);
	r->t_pub[k] = uv_hrtime();
	rc = gnet_record(net->n[i].key, name, (unsigned long)k + 1, &b);
	if (rc == 0)
		rc = gg_gossiphost_publish(net->n[i].gh, GNET_TOPIC, b.data,
					   b.len, NULL, NULL);
	gg_buf_release(&b);
	return rc;
}

/* 0 when every node but the publisher has every message. */
static int run_missing(struct gnet *net, struct run *r, const int *from)
{
	int i, k, missing = 0;

	for (k = 0; k < r->nmsgs; k++)
		for (i = 0; i < net->count; i++)
			if (i != from[k] &&
			    !r->got[(size_t)i * (size_t)r->nmsgs + (size_t)k])
				missing++;
	return missing;
}

static int run_net(int n, int nmsgs, uint64_t gap_ms, int one_pub,
		   uint64_t secs, struct gnet *net, struct run *r)
{
	int *from = calloc((size_t)nmsgs, sizeof(int)), k, rc = GG_ENOMEM;
	int missing = -1;
	uint64_t end;

	if (!from || (rc = run_alloc(r, n, nmsgs)) || (rc = gnet_init(net, n)))
		goto out;
	net->on_deliver = run_deliver;
	net->arg = r;
	if ((rc = connect_graph(net, 60000)) || (rc = wait_mesh(net, 30000)))
		goto out;
	end = gnet_ms() + secs * 1000;
	for (k = 0; k < nmsgs; k++) {
		from[k] = one_pub ? 0 : rand() % n;
		if ((rc = run_publish(net, r, from[k], k)))
			goto out;
		gnet_spin(net, gap_ms);
	}
	while ((missing = run_missing(net, r, from)) > 0 && gnet_ms() < end)
		gnet_spin(net, 50);
	printf("nodes %d messages %d delivered %llu missing %d twice %zu\n",
	       n, nmsgs, (unsigned long long)r->total, missing, r->twice);
out:
	if (rc)
		printf("FAIL: %s\n", gg_strerror(rc));
	free(from);
	return rc || missing != 0 || r->twice ? 1 : 0;
}

static int mode_scale(int n, int nmsgs, int secs)
{
	struct gnet net;
	struct run r;
	int rc = run_net(n, nmsgs, 50, 0, (uint64_t)secs, &net, &r);

	gnet_free(&net);
	run_free(&r);
	return rc;
}

/* Where the copies came from: mesh forwarding or gossip (IWANT). */
static void bench_totals(struct gnet *net)
{
	struct gossip_stats s;
	uint64_t fwd = 0, dup = 0, iw = 0;
	size_t peers, mesh, msum = 0;
	int i;

	for (i = 0; i < net->count; i++) {
		gossip_get_stats(gg_gossiphost_engine(net->n[i].gh), &s);
		fwd += s.forwarded;
		dup += s.duplicate;
		iw += s.iwant_sent;
		gnet_topic(net, i, &peers, &mesh);
		msum += mesh;
	}
	printf("forwarded %llu duplicates %llu iwant %llu mean mesh %.1f\n",
	       (unsigned long long)fwd, (unsigned long long)dup,
	       (unsigned long long)iw, (double)msum / net->count);
}

static int mode_bench(int n, int nmsgs, int gap)
{
	struct gnet net;
	struct run r;
	double *all;
	int k, rc = run_net(n, nmsgs, (uint64_t)gap, 1, 60, &net, &r);

	if ((all = calloc((size_t)nmsgs, sizeof(double)))) {
		for (k = 0; k < nmsgs; k++)
			all[k] = r.t_last[k] > r.t_pub[k]
					 ? (double)(r.t_last[k] - r.t_pub[k]) / 1e6
					 : NAN;
		printf("delivery latency ms: p50 %.2f p99 %.2f (n=%zu)\n",
		       pct(r.lat, r.nlat, 50), pct(r.lat, r.nlat, 99), r.nlat);
		printf("time to reach all %d ms: p50 %.2f p99 %.2f\n", n - 1,
		       pct(all, (size_t)nmsgs, 50), pct(all, (size_t)nmsgs, 99));
		bench_totals(&net);
	}
	free(all);
	gnet_free(&net);
	run_free(&r);
	return rc;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)uv_hrtime());
	gg_log_set_level(getenv("GOSSIP_LOG")
				 ? (enum gg_log_level)gg_log_parse_level(
					   getenv("GOSSIP_LOG"))
				 : GG_LOG_ERROR);
	if (argc == 5 && !strcmp(argv[1], "mkrecord"))
		return mode_mkrecord(argv + 2);
	if (argc == 3 && !strcmp(argv[1], "mesh"))
		return mode_mesh(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1);
	if (argc == 5 && !strcmp(argv[1], "scale"))
		return mode_scale(atoi(argv[2]), atoi(argv[3]),
				  atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "bench"))
		return mode_bench(atoi(argv[2]), atoi(argv[3]),
				  atoi(argv[4]));
	if (argc >= 5 && !strcmp(argv[1], "attack"))
		return attack_main(argv[2], argv[3], atoi(argv[4]),
				   argc > 5 ? argv[5] : NULL);
	fprintf(stderr, "usage: see tests/p2p/gossip_tool.c\n");
	return 2;
}
