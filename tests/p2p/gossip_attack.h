/*
 * gossip_attack.h - the misbehaving gossipsub peer of gossip_tool:
 *
 *   gossip_tool attack KIND MA N [ID]
 *
 * It runs our own host with a fresh identity (so every run is a new peer
 * to the node under test), serves /meshsub/1.1.0 only to read what the
 * node sends (counting messages and keeping the last one), dials MA,
 * opens its own /meshsub/1.1.0 stream, subscribes to the packages topic
 * and then, per KIND:
 *   ihave     N RPCs of one IHAVE with 1000 random IDs each (never
 *             answered: broken IWANT promises)
 *   iwant     N IWANTs for message ID (hex); prints "served K"
 *   oversized N streams, each starting with a 2 MiB length; prints
 *             "resets K"
 *   garbage   N frames that are no protobuf
 *   invalid   N signed messages whose data is no package record, then one
 *             valid record (which a graylisting node must drop)
 *   replay    waits for a message from the node, then sends it back N
 *             times
 * It prints "peer: ID" first and "done" at the end, then stays connected
 * for $ATTACK_LINGER seconds (default 5) so the test can ask the node
 * for the attacker's score.
 */
#ifndef GOSSIP_ATTACK_H
#define GOSSIP_ATTACK_H

#include "gossip_net.h"
#include "p2p/gossip_rpc.h"
#include "util/base.h"
#include "util/varint.h"

#include <sys/random.h>

#define ATT_WAIT_MS 10000

struct att {
	struct gnet net; /* one node whose glue is not used */
	struct gg_host *h;
	struct gg_stream *out;
	struct gossip_rpc *rpc;
	struct gg_buf in;
	struct gg_buf last; /* the last message received, encoded */
	uint8_t want[32];
	int has_want, opened, resets, done_open;
	uint64_t msgs, served;
};

/* ---- what the node sends us ---- */

static void att_rpc(struct att *a, const uint8_t *p, size_t n)
{
	size_t i;
	uint8_t id[32];

	if (gossip_rpc_decode(p, n, NULL, a->rpc) < 0)
		return;
	for (i = 0; i < a->rpc->nmsgs; i++) {
		const struct gossip_msg *m = &a->rpc->msgs[i];

		a->msgs++;
		gg_buf_reset(&a->last);
		gossip_msg_encode(m, 1, &a->last);
		gg_sha256(m->data.p, m->data.n, id);
		if (a->has_want && !memcmp(id, a->want, 32))
			a->served++;
	}
}

static void att_data(void *arg, struct gg_stream *s, const uint8_t *p,
		     size_t n)
{
	struct att *a = arg;
	size_t hdr, len;

	if (gg_buf_add(&a->in, p, n) < 0) {
		gg_stream_reset(s);
		return;
	}
	while (gg_gossiphost_frame(a->in.data, a->in.len, 1 << 20, &hdr,
				   &len) == 1 && hdr + len <= a->in.len) {
		att_rpc(a, a->in.data + hdr, len);
		gg_buf_consume(&a->in, hdr + len);
	}
}

static const struct gg_stream_cbs att_in_cbs = { .on_data = att_data };

static void att_on_stream(void *arg, struct gg_stream *s)
{
	gg_stream_set_cbs(s, &att_in_cbs, arg);
}

/* ---- our stream ---- */

static void att_close(void *arg, struct gg_stream *s, int err)
{
	struct att *a = arg;

	if (a->out == s)
		a->out = NULL;
	a->resets += err != 0;
}

static const struct gg_stream_cbs att_out_cbs = {
	.on_data = att_data,
	.on_close = att_close,
};

static void att_opened(void *arg, struct gg_stream *s, int err)
{
	struct att *a = arg;

	a->done_open = 1;
	if (err)
		return;
	a->out = s;
	gg_stream_set_cbs(s, &att_out_cbs, a);
}

/* Open a fresh stream on our connection; 0 when it is ready. */
static int att_open(struct att *a)
{
	static const char *const protos[] = { GOSSIP_PROTO_V11 };
	struct gg_conn *c;
	uint64_t end = gnet_ms() + ATT_WAIT_MS;

	if (gg_host_conns(a->h, &c, 1) < 1)
		return GG_ECLOSED;
	a->done_open = 0;
	if (gg_stream_open(c, protos, 1, att_opened, a) < 0)
		return GG_EIO;
	while (!a->done_open && gnet_ms() < end)
		gnet_spin(&a->net, 10);
	return a->out ? 0 : GG_ECONNRESET;
}

/* Frame an RPC (body, control) and write it on our stream. */
static int att_send(struct att *a, const struct gg_buf *body,
		    const struct gg_buf *ctl)
{
	struct gg_buf f = GG_BUF_INIT(4u << 20);
	uint8_t hdr[GG_VARINT_MAX_LEN];
	size_t n = body->len;
	int rc = 0;

	if (ctl && ctl->len) {
		struct gg_buf wrap = GG_BUF_INIT(4u << 20);

		gossip_put_control(&wrap, ctl->data, ctl->len);
		n += wrap.len;
		rc = gg_buf_add(&f, hdr, gg_varint_encode(n, hdr));
		if (rc == 0 && body->len)
			rc = gg_buf_add(&f, body->data, body->len);
		if (rc == 0)
			rc = gg_buf_add(&f, wrap.data, wrap.len);
		gg_buf_release(&wrap);
	} else {
		rc = gg_buf_add(&f, hdr, gg_varint_encode(n, hdr));
		if (rc == 0 && n)
			rc = gg_buf_add(&f, body->data, body->len);
	}
	if (rc == 0)
		rc = a->out ? gg_stream_write(a->out, f.data, f.len)
			    : GG_ECLOSED;
	gg_buf_release(&f);
	return rc < 0 ? rc : 0;
}

static int att_subscribe(struct att *a)
{
	struct gg_buf b = GG_BUF_INIT(4096);
	struct gossip_bytes t = { (const uint8_t *)GNET_TOPIC,
				  strlen(GNET_TOPIC) };
	int rc = gossip_put_sub(&b, 1, &t);

	if (rc == 0)
		rc = att_send(a, &b, NULL);
	gg_buf_release(&b);
	return rc;
}

/* ---- the attacks ---- */

static int att_ihave(struct att *a, int n)
{
	static uint8_t ids[1000][32];
	struct gossip_bytes v[1000];
	struct gossip_bytes t = { (const uint8_t *)GNET_TOPIC,
				  strlen(GNET_TOPIC) };
	struct gg_buf body = GG_BUF_INIT(16), ctl = GG_BUF_INIT(1 << 20);
	int i, k, rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		for (k = 0; k < 1000; k++) {
			if (getrandom(ids[k], 32, 0) != 32)
				return GG_EIO;
			v[k].p = ids[k];
			v[k].n = 32;
		}
		gg_buf_reset(&ctl);
		rc = gossip_put_ihave(&ctl, &t, v, 1000);
		if (rc == 0)
			rc = att_send(a, &body, &ctl);
		gnet_spin(&a->net, 10);
	}
	gg_buf_release(&ctl);
	gnet_spin(&a->net, 4000); /* promises fall due after 3 s */
	return rc;
}

static int att_iwant(struct att *a, int n, const char *hex)
{
	struct gg_buf body = GG_BUF_INIT(16), ctl = GG_BUF_INIT(4096);
	struct gossip_bytes v = { a->want, 32 };
	int i, rc = 0;

	if (!hex || gg_hex_decode(hex, strlen(hex), a->want, 32) != 32)
		return GG_EINVAL;
	a->has_want = 1;
	for (i = 0; rc == 0 && i < n; i++) {
		gg_buf_reset(&ctl);
		rc = gossip_put_iwant(&ctl, &v, 1);
		if (rc == 0)
			rc = att_send(a, &body, &ctl);
		gnet_spin(&a->net, 20);
	}
	gg_buf_release(&ctl);
	gnet_spin(&a->net, 1000);
	printf("served %llu\n", (unsigned long long)a->served);
	return rc;
}

static int att_oversized(struct att *a, int n)
{
	uint8_t hdr[GG_VARINT_MAX_LEN], junk[1024];
	size_t k = gg_varint_encode(2u << 20, hdr);
	int i;

	memset(junk, 0x41, sizeof(junk));
	for (i = 0; i < n; i++) {
		if (!a->out && att_open(a) < 0)
			break;
		gg_stream_write(a->out, hdr, k);
		gg_stream_write(a->out, junk, sizeof(junk));
		gnet_spin(&a->net, 200);
	}
	printf("resets %d\n", a->resets);
	return 0;
}

static int att_garbage(struct att *a, int n)
{
	static const uint8_t junk[] = { 0x0f, 0xff, 0xff, 0xff, 0x7f };
	uint8_t f[1 + sizeof(junk)];
	int i;

	f[0] = sizeof(junk);
	memcpy(f + 1, junk, sizeof(junk));
	for (i = 0; i < n; i++) {
		if (!a->out && att_open(a) < 0)
			break;
		gg_stream_write(a->out, f, sizeof(f));
		gnet_spin(&a->net, 100);
	}
	printf("resets %d\n", a->resets);
	return 0;
}

/* One signed message carrying data, as we would publish it. */
static int att_msg(struct att *a, const uint8_t *data, size_t len,
		   uint64_t seq)
{
	const struct gg_peerid *me = gg_host_id(a->h);
	struct gg_buf body = GG_BUF_INIT(1 << 20), enc = GG_BUF_INIT(1 << 20);
	struct gossip_msg m;
	uint8_t sno[8], sig[64];
	int i, rc;

	for (i = 0; i < 8; i++)
		sno[i] = (uint8_t)(seq >> (56 - 8 * i));
	memset(&m, 0, sizeof(m));
	m.has = GOSSIP_HAS_FROM | GOSSIP_HAS_DATA | GOSSIP_HAS_SEQNO |
		GOSSIP_HAS_TOPIC | GOSSIP_HAS_SIG;
	m.from = (struct gossip_bytes){ me->b, me->len };
	m.data = (struct gossip_bytes){ data, len };
	m.seqno = (struct gossip_bytes){ sno, 8 };
	m.topic = (struct gossip_bytes){ (const uint8_t *)GNET_TOPIC,
					 strlen(GNET_TOPIC) };
	rc = gossip_msg_sign(&m, a->net.n[0].key, sig);
	m.signature = (struct gossip_bytes){ sig, 64 };
	if (rc == 0)
		rc = gossip_msg_encode(&m, 1, &enc);
	if (rc == 0)
		rc = gossip_put_msg(&body, enc.data, enc.len);
	if (rc == 0)
		rc = att_send(a, &body, NULL);
	gg_buf_release(&body);
	gg_buf_release(&enc);
	return rc;
}

static int att_invalid(struct att *a, int n)
{
	struct gg_buf rec = GG_BUF_INIT(KAD_PKG_RECORD_MAX);
	char junk[64];
	int i, rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		snprintf(junk, sizeof(junk), "not a package record %d", i);
		rc = att_msg(a, (const uint8_t *)junk, strlen(junk),
			     (uint64_t)i + 1);
		gnet_spin(&a->net, 20);
	}
	if (rc == 0)
		rc = gnet_record(a->net.n[0].key, "after-graylist", 1, &rec);
	if (rc == 0)
		rc = att_msg(a, rec.data, rec.len, (uint64_t)n + 1);
	gg_buf_release(&rec);
	gnet_spin(&a->net, 500);
	return rc;
}

static int att_replay(struct att *a, int n)
{
	struct gg_buf body = GG_BUF_INIT(1 << 20);
	uint64_t end = gnet_ms() + 30000;
	int i, rc = 0;

	while (!a->msgs && gnet_ms() < end)
		gnet_spin(&a->net, 20);
	if (!a->msgs)
		return GG_ETIMEOUT;
	printf("got a message\n");
	fflush(stdout);
	for (i = 0; rc == 0 && i < n; i++) {
		gg_buf_reset(&body);
		rc = gossip_put_msg(&body, a->last.data, a->last.len);
		if (rc == 0)
			rc = att_send(a, &body, NULL);
		gnet_spin(&a->net, 10);
	}
	gg_buf_release(&body);
	gnet_spin(&a->net, 500);
	return rc;
}

/* ---- main ---- */

static int att_start(struct att *a, const char *addr)
{
	struct gg_multiaddr ma;
	char id[GG_PEERID_STR_MAX];
	int pending = 0, rc;
	uint64_t end = gnet_ms() + ATT_WAIT_MS;

	if ((rc = gg_multiaddr_parse(addr, &ma)) || (rc = gnet_init(&a->net, 1)))
		return rc;
	a->h = a->net.n[0].host;
	gg_gossiphost_close(a->net.n[0].gh); /* we speak for ourselves */
	gg_host_handle(a->h, GOSSIP_PROTO_V11, att_on_stream, a);
	a->rpc = gossip_rpc_new();
	gg_buf_init(&a->in, 2u << 20);
	gg_buf_init(&a->last, 1 << 20);
	gg_peerid_to_str(gg_host_id(a->h), id, sizeof(id));
	printf("peer: %s\n", id);
	fflush(stdout);
	if ((rc = gnet_dial(&a->net, 0, &ma, &pending)))
		return rc;
	while (pending && gnet_ms() < end)
		gnet_spin(&a->net, 10);
	gnet_spin(&a->net, 300); /* identify both ways */
	if ((rc = att_open(a)) || (rc = att_subscribe(a)))
		return rc;
	gnet_spin(&a->net, 1200); /* a heartbeat: the node may graft us */
	return 0;
}

static int attack_main(const char *kind, const char *addr, int n,
		       const char *arg)
{
	struct att *a = calloc(1, sizeof(*a));
	const char *ls = getenv("ATTACK_LINGER");
	int rc = a ? att_start(a, addr) : GG_ENOMEM;

	if (rc == 0) {
		if (!strcmp(kind, "ihave"))
			rc = att_ihave(a, n);
		else if (!strcmp(kind, "iwant"))
			rc = att_iwant(a, n, arg);
		else if (!strcmp(kind, "oversized"))
			rc = att_oversized(a, n);
		else if (!strcmp(kind, "garbage"))
			rc = att_garbage(a, n);
		else if (!strcmp(kind, "invalid"))
			rc = att_invalid(a, n);
		else if (!strcmp(kind, "replay"))
			rc = att_replay(a, n);
		else
			rc = GG_EINVAL;
	}
	printf(rc ? "FAIL: %s\n" : "done\n", gg_strerror(rc));
	fflush(stdout);
	if (rc == 0)
		gnet_spin(&a->net, 1000 * (uint64_t)(ls ? atoi(ls) : 5));
	if (a) {
		gnet_free(&a->net);
		gossip_rpc_free(a->rpc);
		gg_buf_release(&a->in);
		gg_buf_release(&a->last);
		free(a);
	}
	return rc ? 1 : 0;
}

#endif
