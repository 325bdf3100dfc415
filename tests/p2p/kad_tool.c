/*
 * kad_tool.c - a helper for the DHT tests, built as build/tests/kad_tool.
 *
 *   kad_tool mkrecord KEYFILE OUT NAME VERSION SEQ [PAD]
 *       write a package record (signed envelope, DESIGN §5) to OUT, signed
 *       by the Ed25519 key in KEYFILE (created when missing); PAD bytes of
 *       description make it larger; prints the signer's peer ID
 *   kad_tool mkbad OUT NAME     a record whose signature does not verify
 *   kad_tool scale N SECS       N nodes in this process (kad_net.h); each
 *       provides its own key, then every node looks up every other node's
 *       provider; exit 0 when all were found within SECS
 *   kad_tool flood ADDR N       N FIND_NODE requests on one stream;
 *       prints "replies R reset X"
 *   kad_tool oversize ADDR      one 20000-byte frame; prints "reset X"
 *   kad_tool put ADDR KEY FILE  one PUT_VALUE of FILE; prints "echo" or
 *       "reset"
 *   kad_tool find ADDR          one FIND_NODE; prints "closer N"
 *
 * The raw modes speak through our own host with a fresh identity, so
 * each run is a new peer to the node under test.
 */
#include <math.h>

#include "crypto/envelope.h"
#include "kad_net.h"
#include "p2p/kad_validate.h"
#include "util/log.h"
#include "util/varint.h"

#define PROTO "/ggen/kad/1.0.0"

/* ---- records ---- */

static struct gg_privkey *load_key(const char *path)
{
	struct gg_privkey *k = NULL;
	struct gg_buf b = GG_BUF_INIT(4096);
	uint8_t buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f) {
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (gg_privkey_from_proto(buf, n, &k) == 0)
			return k;
		return NULL;
	}
	if (gg_privkey_generate(&k) || gg_privkey_to_proto(k, &b))
		return NULL;
	f = fopen(path, "wb");
	if (!f || fwrite(b.data, 1, b.len, f) != b.len)
		k = NULL;
	if (f)
		fclose(f);
	gg_buf_release(&b);
	return k;
}

static int make_record(struct gg_privkey *k, const char *name,
		       const char *version, unsigned long seq, size_t pad,
		       struct gg_buf *out)
{
	struct gg_buf json = GG_BUF_INIT(1 << 20);
	uint8_t id[32];
	char hex[65];
	size_t i;
	int rc;

	gg_sha256(name, strlen(name), id);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	rc = gg_buf_printf(&json, "{\"name\":\"%s\",\"version\":\"%s\","
			   "\"id\":\"%s\",\"size\":1234,\"published_at\":"
			   "1700000000,\"seq\":%lu,\"description\":\"", name,
			   version, hex, seq);
	for (i = 0; rc == 0 && i < pad; i++)
		rc = gg_buf_addc(&json, 'x');
	if (rc == 0)
		rc = gg_buf_printf(&json, "\",\"tags\":[\"test\"],\"keywords\":"
				   "[],\"dependencies\":[],\"versions\":[]}");
	if (rc == 0)
		rc = gg_envelope_seal(k, KAD_PKG_DOMAIN,
				      (const uint8_t *)KAD_PKG_PAYLOAD_TYPE,
				      strlen(KAD_PKG_PAYLOAD_TYPE), json.data,
				      json.len, out);
	gg_buf_release(&json);
	return rc;
}

static int write_out(const char *path, const struct gg_buf *b)
{
	FILE *f = fopen(path, "wb");
	int bad = !f || fwrite(b->data, 1, b->len, f) != b->len;

	if (f)
		bad |= fclose(f) != 0;
	return bad ? 1 : 0;
}

static int mode_mkrecord(char **av, int ac)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	struct gg_privkey *k = load_key(av[0]);
	char id[GG_PEERID_STR_MAX];
	struct gg_peerid pid;
	const uint8_t *pub;
	size_t publen;

	if (!k || make_record(k, av[2], av[3], strtoul(av[4], NULL, 10),
			      ac > 5 ? strtoul(av[5], NULL, 10) : 0, &b) ||
	    write_out(av[1], &b)) {
		printf("FAIL: cannot make the record\n");
		return 1;
	}
	pub = gg_privkey_public(k, &publen);
	gg_peerid_from_pubkey(pub, publen, &pid);
	gg_peerid_to_str(&pid, id, sizeof(id));
	printf("%s\n", id);
	gg_privkey_free(k);
	gg_buf_release(&b);
	return 0;
}

static int mode_mkbad(char **av)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	struct gg_privkey *k = NULL;

	if (gg_privkey_generate(&k) || make_record(k, av[1], "1.0.0", 1, 0, &b))
		return 1;
	b.data[b.len - 1] ^= 0x01; /* the signature is the last field */
	gg_privkey_free(k);
	if (write_out(av[0], &b))
		return 1;
	gg_buf_release(&b);
	return 0;
}

/* ---- raw requests through our own host ---- */

struct raw {
	struct gg_op op;
	struct gg_buf in;
	int replies, reset, closed;
	size_t closer;
};

static void raw_data(void *arg, struct gg_stream *s, const uint8_t *p,
		     size_t n)
{
	struct raw *r = arg;
	struct kad_msg m;
	size_t hdr, len;

	if (gg_buf_add(&r->in, p, n))
		return;
	while (gg_kadhost_frame(r->in.data, r->in.len, 1 << 20, &hdr,
				&len) == 1) {
		if (kad_msg_decode(r->in.data + hdr, len, NULL, &m) == 0)
			r->closer = m.ncloser;
		r->replies++;
		gg_buf_consume(&r->in, hdr + len);
	}
}

static void raw_close(void *arg, struct gg_stream *s, int err)
{
	struct raw *r = arg;

	r->closed = 1;
	r->reset = err == GG_ECONNRESET;
	r->op.done = 1;
}

static const struct gg_stream_cbs raw_cbs = {
	.on_data = raw_data,
	.on_close = raw_close,
};

struct opened {
	struct gg_op op;
	struct gg_stream *s;
};

static void raw_opened(void *arg, struct gg_stream *s, int err)
{
	struct opened *o = arg;

	o->s = s;
	o->op.status = err;
	o->op.done = 1;
}

static void frame(struct gg_buf *out, const struct gg_buf *msg)
{
	uint8_t pre[GG_VARINT_MAX_LEN];

	gg_buf_add(out, pre, gg_varint_encode(msg->len, pre));
	gg_buf_add(out, msg->data, msg->len);
}

/* Dial addr, open a kad stream, send bytes, wait for replies/close. */
static int raw_session(const char *addr, const struct gg_buf *bytes,
		       int want, struct raw *r)
{
	struct gg_node n;
	struct gg_node_opts o;
	struct gg_multiaddr ma;
	struct gg_conn *c = NULL;
	struct opened op;
	const char *protos[] = { PROTO };
	uint64_t end;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(r, 0, sizeof(*r));
	memset(&op, 0, sizeof(op));
	gg_buf_init(&r->in, 1 << 22);
	if (gg_privkey_generate(&o.key) || gg_node_init(&n, &o))
		return 1;
	rc = gg_multiaddr_parse(addr, &ma);
	if (rc == 0)
		rc = gg_node_dial(&n, &ma, 5000, &c, NULL);
	if (rc == 0)
		rc = gg_stream_open(c, protos, 1, raw_opened, &op);
	if (rc == 0)
		rc = gg_run(&n.loop, &op.op, 5000);
	if (rc == 0) {
		gg_stream_set_cbs(op.s, &raw_cbs, r);
		gg_stream_write(op.s, bytes->data, bytes->len);
		end = tnet_ms() + 5000;
		while (!r->closed && r->replies < want && tnet_ms() < end) {
			struct gg_op tick = { 0, 0 };

			gg_run(&n.loop, &tick, 50);
		}
		if (!r->closed)
			gg_stream_reset(op.s);
	}
	gg_node_release(&n);
	gg_buf_release(&r->in);
	return rc ? 1 : 0;
}

static void find_node_msg(struct gg_buf *out)
{
	struct gg_buf msg = GG_BUF_INIT(1 << 16);
	uint8_t key[34];
	struct kad_msg m;

	key[0] = 0x12;
	key[1] = 0x20;
	gg_sha256(&out->len, sizeof(out->len), key + 2);
	kad_msg_init(&m, KAD_FIND_NODE);
	m.key.p = key;
	m.key.n = sizeof(key);
	kad_msg_encode(&m, &msg);
	frame(out, &msg);
	gg_buf_release(&msg);
}

static int mode_flood(const char *addr, int count)
{
	struct gg_buf b = GG_BUF_INIT(1 << 24);
	struct raw r;
	int i;

	for (i = 0; i < count; i++)
		find_node_msg(&b);
	if (raw_session(addr, &b, count, &r))
		return 1;
	printf("replies %d reset %d\n", r.replies, r.reset);
	gg_buf_release(&b);
	return 0;
}

static int mode_oversize(const char *addr)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	uint8_t pre[GG_VARINT_MAX_LEN];
	struct raw r;
	int i;

	gg_buf_add(&b, pre, gg_varint_encode(20000, pre));
	for (i = 0; i < 20000; i++)
		gg_buf_addc(&b, 0x0a);
	if (raw_session(addr, &b, 1, &r))
		return 1;
	printf("replies %d reset %d\n", r.replies, r.reset);
	gg_buf_release(&b);
	return 0;
}

static int mode_put(const char *addr, const char *key, const char *file)
{
	struct gg_buf val = GG_BUF_INIT(1 << 20), msg = GG_BUF_INIT(1 << 20);
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	uint8_t chunk[4096];
	struct kad_msg m;
	struct raw r;
	FILE *f = fopen(file, "rb");
	size_t n;

	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		gg_buf_add(&val, chunk, n);
	if (f)
		fclose(f);
	kad_msg_init(&m, KAD_PUT_VALUE);
	m.key.p = m.rec_key.p = (const uint8_t *)key;
	m.key.n = m.rec_key.n = strlen(key);
	m.has_record = 1;
	m.rec_value.p = val.data;
	m.rec_value.n = val.len;
	if (kad_msg_encode(&m, &msg))
		return 1;
	frame(&b, &msg);
	if (raw_session(addr, &b, 1, &r))
		return 1;
	printf("%s\n", r.replies ? "echo" : "reset");
	gg_buf_release(&val);
	gg_buf_release(&msg);
	gg_buf_release(&b);
	return 0;
}

static int mode_find(const char *addr)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	struct raw r;

	find_node_msg(&b);
	if (raw_session(addr, &b, 1, &r))
		return 1;
	printf("closer %zu\n", r.replies ? r.closer : 0);
	gg_buf_release(&b);
	return r.replies ? 0 : 1;
}

/* ---- scale: everybody finds everybody's provider record ---- */

struct lookup {
	struct tnet *net;
	int from, to, found, status;
	uint64_t t0;
	double ms;
	int hops;
};

struct sched {
	struct lookup *l;
	int n, next, running, conc;
};

static void provided(void *arg, const struct kad_result *r)
{
	struct tnet *net = arg;

	net->pending--;
}

static void lookup_done(void *arg, const struct kad_result *r)
{
	struct lookup *l = arg;
	size_t i;

	for (i = 0; i < r->npeers; i++)
		if (gg_peerid_eq(&r->peers[i].id, &l->net->n[l->to].pid))
			l->found = 1;
	l->ms = (double)(uv_hrtime() - l->t0) / 1e6;
	l->hops = r->stats.hops;
	l->status = r->status;
	l->net->pending--;
}

static void lookup_start(struct sched *s)
{
	struct lookup *l = &s->l[s->next++];
	uint8_t key[34];

	tnet_key(l->to, key);
	l->t0 = uv_hrtime();
	l->net->pending++;
	if (kad_get_providers(gg_kadhost_kad(l->net->n[l->from].kh), key, 34,
			      1, lookup_done, l, NULL) < 0)
		l->net->pending--;
	gg_kadhost_kick(l->net->n[l->from].kh);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run_lookups(struct tnet *net, struct sched *s, uint64_t end)
{
	while (s->next < s->n && tnet_ms() < end) {
		struct gg_op op = { 0, 0 };

		while (s->next < s->n && net->pending < s->conc)
			lookup_start(s);
		gg_run(&net->loop, &op, 20);
	}
	return tnet_wait(net, end > tnet_ms() ? end - tnet_ms() : 1);
}

static int mode_scale(int n, int secs)
{
	struct tnet net;
	struct sched s;
	uint64_t t0 = tnet_ms(), end = t0 + (uint64_t)secs * 1000;
	double *ms;
	int i, j, found = 0, hops = 0, rc;
	uint8_t key[34];

	rc = tnet_start(&net, n, 1000, (uint64_t)secs * 1000);
	printf("# %d nodes joined in %llu ms (%s)\n", n,
	       (unsigned long long)(tnet_ms() - t0), gg_strerror(rc));
	for (i = 0; rc == 0 && i < n; i++) {
		tnet_key(i, key);
		net.pending++;
		if (kad_add_provider(gg_kadhost_kad(net.n[i].kh), key, 34,
				     provided, &net, NULL) < 0)
			net.pending--;
		gg_kadhost_kick(net.n[i].kh);
	}
	if (rc == 0)
		rc = tnet_wait(&net, end - tnet_ms());
	printf("# providers announced at %llu ms; tables %zu %zu %zu\n",
	       (unsigned long long)(tnet_ms() - t0),
	       gg_kadhost_table_size(net.n[0].kh),
	       gg_kadhost_table_size(net.n[1].kh),
	       gg_kadhost_table_size(net.n[n - 1].kh));
	memset(&s, 0, sizeof(s));
	s.conc = 16;
	s.l = calloc((size_t)n * (size_t)n, sizeof(*s.l));
	ms = calloc((size_t)n * (size_t)n, sizeof(*ms));
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (i != j) {
				s.l[s.n].net = &net;
				s.l[s.n].from = i;
				s.l[s.n++].to = j;
			}
	if (rc == 0)
		rc = run_lookups(&net, &s, end);
	for (i = 0; i < s.n; i++) {
		if (!s.l[i].found && i < 5)
			printf("# %d -> %d: %s\n", s.l[i].from, s.l[i].to,
			       gg_strerror(s.l[i].status));
		found += s.l[i].found;
		ms[i] = s.l[i].ms;
		hops += s.l[i].hops > 0 ? s.l[i].hops : 0;
	}
	qsort(ms, (size_t)s.n, sizeof(*ms), cmp_double);
	printf("found %d of %d in %llu ms; lookup p50 %.1f ms p99 %.1f ms; "
	       "hops mean %.2f (log2 N = %.2f)\n", found, s.n,
	       (unsigned long long)(tnet_ms() - t0), ms[s.n / 2],
	       ms[s.n * 99 / 100], s.n ? (double)hops / s.n : 0.0, log2(n));
	free(ms);
	free(s.l);
	tnet_free(&net);
	return rc == 0 && found == s.n ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("KAD_TOOL_LOG"))
		gg_log_set_level(gg_log_parse_level(getenv("KAD_TOOL_LOG")));
	if (!strcmp(m, "mkrecord") && argc >= 7)
		return mode_mkrecord(argv + 2, argc - 2);
	if (!strcmp(m, "mkbad") && argc == 4)
		return mode_mkbad(argv + 2);
	if (!strcmp(m, "scale") && argc == 4)
		return mode_scale(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(m, "flood") && argc == 4)
		return mode_flood(argv[2], atoi(argv[3]));
	if (!strcmp(m, "oversize") && argc == 3)
		return mode_oversize(argv[2]);
	if (!strcmp(m, "put") && argc == 5)
		return mode_put(argv[2], argv[3], argv[4]);
	if (!strcmp(m, "find") && argc == 3)
		return mode_find(argv[2]);
	fprintf(stderr, "usage: see the top of tests/p2p/kad_tool.c\n");
	return 2;
}
