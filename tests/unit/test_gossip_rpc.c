/*
 * test_gossip_rpc.c - the pubsub RPC codec: round trips, agreement with
 * protobuf-c's generated code for proto/pubsub.proto in both directions,
 * every cap and malformation the decoder must refuse, and StrictSign
 * over exactly "libp2p-pubsub:" plus the Message without signature and
 * key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "p2p/gossip_rpc.h"
#include "pubsub.pb-c.h"
#include "util/error.h"

static const char topic[] = "/ggen/packages/v1";

static struct gossip_bytes B(const void *p, size_t n)
{
	struct gossip_bytes b = { (const uint8_t *)p, n };
	return b;
}

static struct gossip_bytes S(const char *s)
{
	return B(s, strlen(s));
}

static int beq(struct gossip_bytes a, struct gossip_bytes b)
{
	return a.n == b.n && (a.n == 0 || !memcmp(a.p, b.p, a.n));
}

static const uint8_t ids_raw[3][32] = { { 1 }, { 2 }, { 3 } };

/* An RPC with every kind of field. */
static void build(struct gossip_rpc *r)
{
	static const uint8_t seq[8] = { 0, 0, 0, 0, 0, 0, 1, 2 };
	size_t i;

	gossip_rpc_clear(r);
	r->subs[0].subscribe = 1;
	r->subs[0].topic = S(topic);
	r->subs[1].subscribe = 0;
	r->subs[1].topic = S("other");
	r->nsubs = 2;
	r->msgs[0].has = GOSSIP_HAS_FROM | GOSSIP_HAS_DATA |
			 GOSSIP_HAS_SEQNO | GOSSIP_HAS_TOPIC | GOSSIP_HAS_SIG;
	r->msgs[0].from = S("\x00\x04" "abcd");
	r->msgs[0].data = S("hello");
	r->msgs[0].seqno = B(seq, 8);
	r->msgs[0].topic = S(topic);
	r->msgs[0].signature = S("sig");
	r->msgs[1].has = GOSSIP_HAS_DATA | GOSSIP_HAS_TOPIC | GOSSIP_HAS_KEY;
	r->msgs[1].data = B("", 0);
	r->msgs[1].topic = S("t2");
	r->msgs[1].key = S("key");
	r->nmsgs = 2;
	for (i = 0; i < 3; i++)
		r->ids[i] = B(ids_raw[i], 32);
	r->ids[3] = r->ids[0]; /* IDONTWANT's own copy */
	r->nids = 4;
	r->ihave[0].topic = S(topic);
	r->ihave[0].first = 0;
	r->ihave[0].n = 2;
	r->nihave = 1;
	r->iwant[0].first = 2;
	r->iwant[0].n = 1;
	r->niwant = 1;
	r->graft[0] = S(topic);
	r->ngraft = 1;
	r->prune[0].topic = S("t2");
	r->prune[0].has_backoff = 1;
	r->prune[0].backoff = 60;
	r->nprune = 1;
	r->idontwant[0].first = 3;
	r->idontwant[0].n = 1;
	r->nidontwant = 1;
	r->has_control = 1;
}

static void check_same(const struct gossip_rpc *a, const struct gossip_rpc *b)
{
	size_t i;

	assert_int_equal(a->nsubs, b->nsubs);
	for (i = 0; i < a->nsubs; i++) {
		assert_int_equal(a->subs[i].subscribe, b->subs[i].subscribe);
		assert_true(beq(a->subs[i].topic, b->subs[i].topic));
	}
	assert_int_equal(a->nmsgs, b->nmsgs);
	for (i = 0; i < a->nmsgs; i++) {
		assert_int_equal(a->msgs[i].has, b->msgs[i].has);
		assert_true(beq(a->msgs[i].from, b->msgs[i].from));
		assert_true(beq(a->msgs[i].data, b->msgs[i].data));
		assert_true(beq(a->msgs[i].seqno, b->msgs[i].seqno));
		assert_true(beq(a->msgs[i].topic, b->msgs[i].topic));
		assert_true(beq(a->msgs[i].signature, b->msgs[i].signature));
		assert_true(beq(a->msgs[i].key, b->msgs[i].key));
	}
	assert_int_equal(a->nihave, b->nihave);
	assert_int_equal(a->niwant, b->niwant);
	assert_int_equal(a->ngraft, b->ngraft);
	assert_int_equal(a->nprune, b->nprune);
	assert_int_equal(a->nidontwant, b->nidontwant);
	assert_int_equal(a->nids, b->nids);
	for (i = 0; i < a->nids; i++)
		assert_true(beq(a->ids[i], b->ids[i]));
	assert_true(beq(a->ihave[0].topic, b->ihave[0].topic));
	assert_int_equal(a->ihave[0].n, b->ihave[0].n);
	assert_true(beq(a->graft[0], b->graft[0]));
	assert_int_equal(a->prune[0].backoff, b->prune[0].backoff);
	assert_int_equal(a->prune[0].has_backoff, b->prune[0].has_backoff);
}

static void roundtrip(void **state)
{
	struct gossip_rpc *a = gossip_rpc_new(), *b = gossip_rpc_new();
	struct gg_buf out = GG_BUF_INIT(1 << 20), again = GG_BUF_INIT(1 << 20);

	(void)state;
	build(a);
	assert_int_equal(gossip_rpc_encode(a, &out), 0);
	assert_int_equal(gossip_rpc_decode(out.data, out.len, NULL, b), 0);
	check_same(a, b);
	/* raw views re-encode to the same bytes */
	assert_int_equal(gossip_rpc_encode(b, &again), 0);
	assert_int_equal(again.len, out.len);
	assert_memory_equal(again.data, out.data, out.len);
	gg_buf_release(&out);
	gg_buf_release(&again);
	gossip_rpc_free(a);
	gossip_rpc_free(b);
}

/* protobuf-c reads what we write. */
static void oracle_reads_ours(void **state)
{
	struct gossip_rpc *a = gossip_rpc_new();
	struct gg_buf out = GG_BUF_INIT(1 << 20);
	Pubsub__Pb__RPC *u;

	(void)state;
	build(a);
	assert_int_equal(gossip_rpc_encode(a, &out), 0);
	u = pubsub__pb__rpc__unpack(NULL, out.len, out.data);
	assert_non_null(u);
	assert_int_equal(u->n_subscriptions, 2);
	assert_true(u->subscriptions[1]->has_subscribe); /* false, encoded */
	assert_false(u->subscriptions[1]->subscribe);
	assert_string_equal(u->subscriptions[0]->topicid, topic);
	assert_int_equal(u->n_publish, 2);
	assert_string_equal(u->publish[0]->topic, topic);
	assert_int_equal(u->publish[0]->data.len, 5);
	assert_true(u->publish[1]->has_data);
	assert_false(u->publish[1]->has_from);
	assert_non_null(u->control);
	assert_int_equal(u->control->n_ihave, 1);
	assert_int_equal(u->control->ihave[0]->n_messageids, 2);
	assert_memory_equal(u->control->ihave[0]->messageids[1].data,
			    ids_raw[1], 32);
	assert_int_equal(u->control->n_iwant, 1);
	assert_string_equal(u->control->graft[0]->topicid, topic);
	assert_int_equal(u->control->prune[0]->backoff, 60);
	assert_int_equal(u->control->n_idontwant, 1);
	pubsub__pb__rpc__free_unpacked(u, NULL);
	gg_buf_release(&out);
	gossip_rpc_free(a);
}

/* We read what protobuf-c writes, PX peers included. */
static void ours_reads_oracle(void **state)
{
	Pubsub__Pb__RPC rpc = PUBSUB__PB__RPC__INIT;
	Pubsub__Pb__RPC__SubOpts so = PUBSUB__PB__RPC__SUB_OPTS__INIT;
	Pubsub__Pb__RPC__SubOpts *sos[1] = { &so };
	Pubsub__Pb__Message m = PUBSUB__PB__MESSAGE__INIT;
	Pubsub__Pb__Message *ms[1] = { &m };
	Pubsub__Pb__ControlMessage cm = PUBSUB__PB__CONTROL_MESSAGE__INIT;
	Pubsub__Pb__ControlPrune pr = PUBSUB__PB__CONTROL_PRUNE__INIT;
	Pubsub__Pb__ControlPrune *prs[1] = { &pr };
	Pubsub__Pb__PeerInfo pi = PUBSUB__PB__PEER_INFO__INIT;
	Pubsub__Pb__PeerInfo *pis[1] = { &pi };
	Pubsub__Pb__ControlIWant iw = PUBSUB__PB__CONTROL_IWANT__INIT;
	Pubsub__Pb__ControlIWant *iws[1] = { &iw };
	ProtobufCBinaryData id = { 32, (uint8_t *)ids_raw[0] };
	struct gossip_rpc *r = gossip_rpc_new();
	uint8_t buf[1024];
	size_t n;

	(void)state;
	so.has_subscribe = 1;
	so.subscribe = 1;
	so.topicid = (char *)topic;
	rpc.n_subscriptions = 1;
	rpc.subscriptions = sos;
	m.has_data = 1;
	m.data.len = 3;
	m.data.data = (uint8_t *)"abc";
	m.topic = (char *)topic;
	rpc.n_publish = 1;
	rpc.publish = ms;
	pi.has_peerid = 1;
	pi.peerid = id;
	pr.topicid = (char *)topic;
	pr.n_peers = 1;
	pr.peers = pis;
	cm.n_prune = 1;
	cm.prune = prs;
	iw.n_messageids = 1;
	iw.messageids = &id;
	cm.n_iwant = 1;
	cm.iwant = iws;
	rpc.control = &cm;
	assert_true(pubsub__pb__rpc__get_packed_size(&rpc) < sizeof(buf));
	n = pubsub__pb__rpc__pack(&rpc, buf);
	assert_int_equal(gossip_rpc_decode(buf, n, NULL, r), 0);
	assert_int_equal(r->nsubs, 1);
	assert_true(r->subs[0].subscribe);
	assert_int_equal(r->nmsgs, 1);
	assert_true(beq(r->msgs[0].data, S("abc")));
	assert_true(beq(r->msgs[0].topic, S(topic)));
	assert_int_equal(r->msgs[0].has, GOSSIP_HAS_DATA | GOSSIP_HAS_TOPIC);
	assert_int_equal(r->nprune, 1);
	assert_int_equal(r->prune[0].npeers, 1);
	assert_false(r->prune[0].has_backoff);
	assert_int_equal(r->niwant, 1);
	assert_true(beq(r->ids[r->iwant[0].first], B(ids_raw[0], 32)));
	gossip_rpc_free(r);
}

static int decode_bytes(const void *p, size_t n,
			const struct gossip_rpc_limits *l)
{
	struct gossip_rpc *r = gossip_rpc_new();
	int e = gossip_rpc_decode(p, n, l, r);

	gossip_rpc_free(r);
	return e;
}

static void caps(void **state)
{
	struct gossip_rpc_limits l;
	struct gg_buf b = GG_BUF_INIT(1 << 20), c = GG_BUF_INIT(1 << 20);
	uint8_t big[300], *blob;
	struct gossip_bytes ids[3];
	size_t i;

	(void)state;
	gossip_rpc_limits_default(&l);
	l.max_rpc = 100;
	blob = calloc(1, 101);
	assert_int_equal(decode_bytes(blob, 101, &l), GG_ETOOBIG);
	assert_int_equal(decode_bytes(blob, 100, &l), GG_EPARSE); /* field 0 */
	free(blob);
	gossip_rpc_limits_default(&l);
	l.max_subs = 2;
	for (i = 0; i < 3; i++)
		assert_int_equal(gossip_put_sub(&b, 1, &(struct gossip_bytes){
					(const uint8_t *)"t", 1 }), 0);
	assert_int_equal(decode_bytes(b.data, b.len, &l), GG_ELIMIT);
	assert_int_equal(decode_bytes(b.data, b.len, NULL), 0);
	/* a topic over 256 bytes */
	memset(big, 'a', sizeof(big));
	gg_buf_reset(&b);
	assert_int_equal(gossip_put_sub(&b, 1, &(struct gossip_bytes){ big,
				257 }), 0);
	assert_int_equal(decode_bytes(b.data, b.len, NULL), GG_ETOOBIG);
	/* an ID over 128 bytes */
	gg_buf_reset(&b);
	ids[0] = B(big, 129);
	assert_int_equal(gossip_put_iwant(&c, ids, 1), 0);
	assert_int_equal(gossip_put_control(&b, c.data, c.len), 0);
	assert_int_equal(decode_bytes(b.data, b.len, NULL), GG_ETOOBIG);
	/* more IDs than max_ids, over several entries */
	gg_buf_reset(&b);
	gg_buf_reset(&c);
	for (i = 0; i < 3; i++)
		ids[i] = B(big, 32);
	assert_int_equal(gossip_put_iwant(&c, ids, 2), 0);
	assert_int_equal(gossip_put_idontwant(&c, ids, 1), 0);
	assert_int_equal(gossip_put_control(&b, c.data, c.len), 0);
	gossip_rpc_limits_default(&l);
	l.max_ids = 2;
	assert_int_equal(decode_bytes(b.data, b.len, &l), GG_ELIMIT);
	l.max_ids = 3;
	assert_int_equal(decode_bytes(b.data, b.len, &l), 0);
	/* more control entries than max_ctrl */
	gg_buf_reset(&b);
	gg_buf_reset(&c);
	assert_int_equal(gossip_put_graft(&c, &ids[0]), 0);
	assert_int_equal(gossip_put_graft(&c, &ids[0]), 0);
	assert_int_equal(gossip_put_control(&b, c.data, c.len), 0);
	gossip_rpc_limits_default(&l);
	l.max_ctrl = 1;
	assert_int_equal(decode_bytes(b.data, b.len, &l), GG_ELIMIT);
	/* more messages than max_msgs */
	gg_buf_reset(&b);
	assert_int_equal(gossip_put_msg(&b, (const uint8_t *)"\x12\x01x", 3),
			 0);
	assert_int_equal(gossip_put_msg(&b, (const uint8_t *)"\x12\x01y", 3),
			 0);
	gossip_rpc_limits_default(&l);
	l.max_msgs = 1;
	assert_int_equal(decode_bytes(b.data, b.len, &l), GG_ELIMIT);
	gg_buf_release(&b);
	gg_buf_release(&c);
}

static void malformed(void **state)
{
	struct gossip_rpc *a = gossip_rpc_new();
	struct gg_buf out = GG_BUF_INIT(1 << 20);
	size_t cut;
	int e;

	(void)state;
	assert_int_equal(decode_bytes("\x08\x01", 2, NULL), GG_EPARSE);
	assert_int_equal(decode_bytes("\x0b", 1, NULL), GG_EPARSE);
	assert_int_equal(decode_bytes("\x0a\x05" "a", 3, NULL), GG_EPARSE);
	assert_int_equal(decode_bytes("\x00", 1, NULL), GG_EPARSE);
	assert_int_equal(decode_bytes("\x48\x01", 2, NULL), 0); /* unknown */
	/* Message.data as a varint */
	assert_int_equal(decode_bytes("\x12\x02\x10\x01", 4, NULL), GG_EPARSE);
	/* PRUNE backoff as bytes */
	assert_int_equal(decode_bytes("\x1a\x04\x22\x02\x1a\x00", 6, NULL),
			 GG_EPARSE);
	/* Every truncation of a valid RPC fails cleanly or decodes. */
	build(a);
	assert_int_equal(gossip_rpc_encode(a, &out), 0);
	for (cut = 0; cut < out.len; cut++) {
		e = decode_bytes(out.data, cut, NULL);
		assert_true(e == 0 || e == GG_EPARSE);
	}
	gg_buf_release(&out);
	gossip_rpc_free(a);
}

struct signed_msg {
	struct gg_privkey *k;
	struct gg_peerid id;
	uint8_t seq[8], sig[64];
	struct gossip_msg m;
};

static void make_signed(struct signed_msg *s)
{
	const uint8_t *pub;
	size_t n;

	assert_int_equal(gg_privkey_generate(&s->k), 0);
	pub = gg_privkey_public(s->k, &n);
	assert_int_equal(gg_peerid_from_pubkey(pub, n, &s->id), 0);
	memset(s->seq, 0, 8);
	s->seq[7] = 42;
	memset(&s->m, 0, sizeof(s->m));
	s->m.has = GOSSIP_HAS_FROM | GOSSIP_HAS_DATA | GOSSIP_HAS_SEQNO |
		   GOSSIP_HAS_TOPIC;
	s->m.from = B(s->id.b, s->id.len);
	s->m.data = S("record bytes");
	s->m.seqno = B(s->seq, 8);
	s->m.topic = S(topic);
	assert_int_equal(gossip_msg_sign(&s->m, s->k, s->sig), 0);
	s->m.signature = B(s->sig, 64);
	s->m.has |= GOSSIP_HAS_SIG;
}

/* The signed bytes are the prefix and protobuf-c's own encoding of the
 * message without signature and key, and the signature verifies over
 * them independently of our code. */
static void signature_bytes(void **state)
{
	Pubsub__Pb__Message pm = PUBSUB__PB__MESSAGE__INIT;
	struct gg_buf sb = GG_BUF_INIT(1 << 20);
	struct signed_msg s;
	uint8_t want[512];
	const uint8_t *pub;
	size_t n, plen = strlen(GOSSIP_SIGN_PREFIX);

	(void)state;
	make_signed(&s);
	pm.has_from = pm.has_data = pm.has_seqno = 1;
	pm.from.data = s.id.b;
	pm.from.len = s.id.len;
	pm.data.data = (uint8_t *)"record bytes";
	pm.data.len = 12;
	pm.seqno.data = s.seq;
	pm.seqno.len = 8;
	pm.topic = (char *)topic;
	memcpy(want, "libp2p-pubsub:", plen);
	n = pubsub__pb__message__pack(&pm, want + plen);
	assert_int_equal(gossip_msg_sign_bytes(&s.m, &sb), 0);
	assert_int_equal(sb.len, plen + n);
	assert_memory_equal(sb.data, want, plen + n);
	pub = gg_privkey_public(s.k, &n);
	assert_int_equal(gg_pubkey_verify(pub, n, want, sb.len, s.sig, 64), 0);
	gg_buf_release(&sb);
	gg_privkey_free(s.k);
}

static void verify_rules(void **state)
{
	struct signed_msg s, other;
	struct gg_peerid author;
	struct gossip_msg m;
	const uint8_t *pub;
	size_t n;

	(void)state;
	make_signed(&s);
	make_signed(&other);
	assert_int_equal(gossip_msg_verify(&s.m, &author), 0);
	assert_true(gg_peerid_eq(&author, &s.id));
	m = s.m; /* the key field is outside the signature */
	m.key.p = gg_privkey_public(s.k, &m.key.n);
	m.has |= GOSSIP_HAS_KEY;
	assert_int_equal(gossip_msg_verify(&m, &author), 0);
	m.key.p = gg_privkey_public(other.k, &m.key.n);
	assert_int_equal(gossip_msg_verify(&m, &author), GG_EPEERID);
	m = s.m;
	m.data = S("record bytez");
	assert_int_equal(gossip_msg_verify(&m, &author), GG_EBADSIG);
	m = s.m;
	m.topic = S("/ggen/other");
	assert_int_equal(gossip_msg_verify(&m, &author), GG_EBADSIG);
	m = s.m;
	m.has &= ~(unsigned)GOSSIP_HAS_SIG;
	assert_int_equal(gossip_msg_verify(&m, &author), GG_EBADSIG);
	m = s.m;
	m.seqno.n = 7;
	assert_int_equal(gossip_msg_verify(&m, &author), GG_EPARSE);
	m = s.m; /* someone else's from with our signature */
	m.from = B(other.id.b, other.id.len);
	assert_int_equal(gossip_msg_verify(&m, &author), GG_EBADSIG);
	m = s.m;
	m.has &= ~(unsigned)GOSSIP_HAS_FROM;
	assert_int_equal(gossip_msg_verify(&m, &author), GG_EPARSE);
	/* Ed25519 IDs inline the key: the key field is not needed. */
	pub = gg_privkey_public(s.k, &n);
	assert_non_null(pub);
	assert_int_equal(n, GG_ED25519_PUB_PROTO_LEN);
	gg_privkey_free(s.k);
	gg_privkey_free(other.k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(oracle_reads_ours),
		cmocka_unit_test(ours_reads_oracle),
		cmocka_unit_test(caps),
		cmocka_unit_test(malformed),
		cmocka_unit_test(signature_bytes),
		cmocka_unit_test(verify_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
