/*
 * test_kad_msg.c - the Kademlia message codec: round trips, agreement
 * with protobuf-c's generated code for proto/kad.proto in both
 * directions, proto3 defaults, and every cap and malformation the
 * decoder must refuse without reading past the input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crypto/sha256.h"
#include "kad.pb-c.h"
#include "net/multiaddr.h"
#include "p2p/kad_msg.h"
#include "util/error.h"

/* A sha2-256 multihash peer ID derived from n. */
static void test_peer(unsigned n, struct gg_peerid *id)
{
	id->b[0] = 0x12;
	id->b[1] = 0x20;
	gg_sha256(&n, sizeof(n), id->b + 2);
	id->len = 34;
}

static const uint8_t ma_tcp[] = { 0x04, 127, 0, 0, 1, 0x06, 0x0f, 0xa1 };
/* /ip4/10.0.0.1/udp/9 plus an unknown protocol code 0x01cc (quic-v1) */
static const uint8_t ma_quic[] = { 0x04, 10, 0, 0, 1, 0x91, 0x02, 0, 9,
				   0xcc, 0x03 };

static void build(struct kad_msg *m, size_t ncloser)
{
	static const char key[] = "/ggen/pkg/hello";
	static const char val[] = "value bytes";
	size_t i;

	kad_msg_init(m, KAD_GET_VALUE);
	m->key.p = (const uint8_t *)key;
	m->key.n = sizeof(key) - 1;
	m->has_record = 1;
	m->rec_key = m->key;
	m->rec_value.p = (const uint8_t *)val;
	m->rec_value.n = sizeof(val) - 1;
	for (i = 0; i < ncloser; i++) {
		test_peer((unsigned)i, &m->closer[i].id);
		m->closer[i].naddrs = 1;
		m->closer[i].addrs[0].p = ma_tcp;
		m->closer[i].addrs[0].n = sizeof(ma_tcp);
		m->closer[i].conn = i % 2 ? KAD_CONNECTED : KAD_NOT_CONNECTED;
	}
	m->ncloser = ncloser;
}

static void roundtrip(void **state)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	struct kad_msg m, d;
	size_t i;

	(void)state;
	build(&m, 20);
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	assert_int_equal(kad_msg_decode(b.data, b.len, NULL, &d), 0);
	assert_int_equal(d.type, KAD_GET_VALUE);
	assert_int_equal(d.key.n, m.key.n);
	assert_memory_equal(d.key.p, m.key.p, m.key.n);
	assert_true(d.has_record);
	assert_memory_equal(d.rec_value.p, m.rec_value.p, m.rec_value.n);
	assert_int_equal(d.ncloser, 20);
	for (i = 0; i < 20; i++) {
		assert_true(gg_peerid_eq(&d.closer[i].id, &m.closer[i].id));
		assert_int_equal(d.closer[i].naddrs, 1);
		assert_memory_equal(d.closer[i].addrs[0].p, ma_tcp,
				    sizeof(ma_tcp));
		assert_int_equal(d.closer[i].conn, m.closer[i].conn);
	}
	gg_buf_release(&b);
}

/* Our encoding, read by protobuf-c. */
static void ours_to_protobuf_c(void **state)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	Kad__Pb__Message *pm;
	struct kad_msg m;

	(void)state;
	build(&m, 3);
	m.type = KAD_FIND_NODE;
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	pm = kad__pb__message__unpack(NULL, b.len, b.data);
	assert_non_null(pm);
	assert_int_equal(pm->type, KAD__PB__MESSAGE__MESSAGE_TYPE__FIND_NODE);
	assert_int_equal(pm->key.len, m.key.n);
	assert_non_null(pm->record);
	assert_int_equal(pm->record->value.len, m.rec_value.n);
	assert_int_equal(pm->n_closerpeers, 3);
	assert_int_equal(pm->closerpeers[1]->n_addrs, 1);
	assert_int_equal(pm->closerpeers[1]->connection, 1);
	assert_memory_equal(pm->closerpeers[2]->id.data, m.closer[2].id.b,
			    34);
	kad__pb__message__free_unpacked(pm, NULL);
	gg_buf_release(&b);
}

/* protobuf-c's encoding (as js/rust would send it), read by us. */
static void protobuf_c_to_ours(void **state)
{
	Kad__Pb__Message pm = KAD__PB__MESSAGE__INIT;
	Kad__Pb__Message__Peer pe = KAD__PB__MESSAGE__PEER__INIT;
	Kad__Pb__Message__Peer *list[1] = { &pe };
	ProtobufCBinaryData addrs[2];
	struct gg_peerid id;
	struct kad_msg d;
	uint8_t buf[512];
	size_t n;

	(void)state;
	test_peer(7, &id);
	pe.id.data = id.b;
	pe.id.len = id.len;
	addrs[0].data = (uint8_t *)ma_quic;
	addrs[0].len = sizeof(ma_quic);
	addrs[1].data = (uint8_t *)ma_tcp;
	addrs[1].len = sizeof(ma_tcp);
	pe.addrs = addrs;
	pe.n_addrs = 2;
	pm.type = KAD__PB__MESSAGE__MESSAGE_TYPE__GET_PROVIDERS;
	pm.clusterlevelraw = -1; /* a 10-byte varint */
	pm.key.data = (uint8_t *)"\x12\x20key";
	pm.key.len = 5;
	pm.providerpeers = list;
	pm.n_providerpeers = 1;
	n = kad__pb__message__pack(&pm, buf);
	assert_true(n < sizeof(buf));
	assert_int_equal(kad_msg_decode(buf, n, NULL, &d), 0);
	assert_int_equal(d.type, KAD_GET_PROVIDERS);
	assert_int_equal(d.nproviders, 1);
	assert_true(gg_peerid_eq(&d.providers[0].id, &id));
	/* the quic address is not ours to parse: skipped, not fatal */
	assert_int_equal(d.providers[0].naddrs, 1);
	assert_int_equal(d.dropped_addrs, 1);
	assert_memory_equal(d.providers[0].addrs[0].p, ma_tcp,
			    sizeof(ma_tcp));
}

static void proto3_defaults(void **state)
{
	struct gg_buf b = GG_BUF_INIT(1024);
	struct kad_msg m, d;
	static const uint8_t empty[1];

	(void)state;
	/* an empty message is a PUT_VALUE with nothing in it */
	assert_int_equal(kad_msg_decode(empty, 0, NULL, &d), 0);
	assert_int_equal(d.type, KAD_PUT_VALUE);
	assert_int_equal(d.key.n, 0);
	assert_false(d.has_record);
	/* and PUT_VALUE's type is not written */
	kad_msg_init(&m, KAD_PUT_VALUE);
	m.key.p = (const uint8_t *)"k";
	m.key.n = 1;
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	assert_int_equal(b.len, 3);
	assert_int_equal(b.data[0], 0x12);
	gg_buf_release(&b);
	kad_msg_init(&m, KAD_PING);
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	assert_int_equal(b.len, 2);
	assert_int_equal(b.data[0], 0x08);
	assert_int_equal(b.data[1], 5);
	gg_buf_release(&b);
}

static void unknown_fields_skipped(void **state)
{
	/* type FIND_NODE, then field 666 (bytes), 777 (varint), 15 (fixed32),
	 * 14 (fixed64), then key "k" */
	static const uint8_t in[] = {
		0x08, 0x04,
		0xd2, 0x29, 0x02, 'x', 'y',
		0xc8, 0x30, 0x07,
		0x7d, 1, 2, 3, 4,
		0x71, 1, 2, 3, 4, 5, 6, 7, 8,
		0x12, 0x01, 'k' };
	struct kad_msg d;

	(void)state;
	assert_int_equal(kad_msg_decode(in, sizeof(in), NULL, &d), 0);
	assert_int_equal(d.type, KAD_FIND_NODE);
	assert_int_equal(d.key.n, 1);
}

static void refuses_malformed(void **state)
{
	static const uint8_t bad_type[] = { 0x08, 0x06 };
	static const uint8_t group[] = { 0x0b, 0x0c };
	static const uint8_t wrong_wt[] = { 0x10, 0x01 }; /* key as varint */
	static const uint8_t overrun[] = { 0x12, 0x05, 'a', 'b' };
	static const uint8_t field0[] = { 0x02, 0x00 };
	static const uint8_t bad_varint[] = { 0x08, 0xff, 0xff, 0xff, 0xff,
					      0xff, 0xff, 0xff, 0xff, 0xff,
					      0xff, 0x01 };
	/* closer peer with a 3-byte id that is no multihash */
	static const uint8_t bad_id[] = { 0x42, 0x05, 0x0a, 0x03, 1, 2, 3 };
	/* closer peer without an id */
	static const uint8_t no_id[] = { 0x42, 0x02, 0x18, 0x01 };
	struct kad_msg d;

	(void)state;
	assert_int_equal(kad_msg_decode(bad_type, 2, NULL, &d), GG_EPARSE);
	assert_int_equal(kad_msg_decode(group, 2, NULL, &d), GG_EPARSE);
	assert_int_equal(kad_msg_decode(wrong_wt, 2, NULL, &d), GG_EPARSE);
	assert_int_equal(kad_msg_decode(overrun, 4, NULL, &d), GG_EPARSE);
	assert_int_equal(kad_msg_decode(field0, 2, NULL, &d), GG_EPARSE);
	assert_int_equal(kad_msg_decode(bad_varint, sizeof(bad_varint), NULL,
					&d), GG_EPARSE);
	assert_int_equal(kad_msg_decode(bad_id, sizeof(bad_id), NULL, &d),
			 GG_EPARSE);
	assert_int_equal(kad_msg_decode(no_id, sizeof(no_id), NULL, &d),
			 GG_EPARSE);
}

static void caps(void **state)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	struct kad_msg_limits lim;
	struct kad_msg m, d;
	uint8_t *big;
	size_t i;

	(void)state;
	/* over 16 KiB: refused before parsing */
	big = calloc(1, KAD_MSG_MAX_DEFAULT + 1);
	assert_non_null(big);
	assert_int_equal(kad_msg_decode(big, KAD_MSG_MAX_DEFAULT + 1, NULL,
					&d), GG_ETOOBIG);
	free(big);
	/* a 513-byte key */
	kad_msg_init(&m, KAD_GET_VALUE);
	big = calloc(1, 513);
	m.key.p = big;
	m.key.n = 513;
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	assert_int_equal(kad_msg_decode(b.data, b.len, NULL, &d), GG_ETOOBIG);
	free(big);
	gg_buf_release(&b);
	/* a 21st closer peer: append one more peer field by hand */
	build(&m, 20);
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	m.ncloser = 1;
	m.has_record = 0;
	m.key.n = 0;
	m.type = KAD_PUT_VALUE;
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	assert_int_equal(kad_msg_decode(b.data, b.len, NULL, &d), GG_ELIMIT);
	/* a smaller configured limit */
	kad_msg_limits_default(&lim);
	lim.max_peers = 5;
	gg_buf_reset(&b);
	build(&m, 6);
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	assert_int_equal(kad_msg_decode(b.data, b.len, &lim, &d), GG_ELIMIT);
	/* addresses over the per-peer cap are dropped, not fatal */
	gg_buf_reset(&b);
	build(&m, 1);
	m.closer[0].naddrs = KAD_MSG_ADDRS_MAX;
	for (i = 0; i < KAD_MSG_ADDRS_MAX; i++)
		m.closer[0].addrs[i] = m.closer[0].addrs[0];
	lim.max_addrs = 3;
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	assert_int_equal(kad_msg_decode(b.data, b.len, &lim, &d), 0);
	assert_int_equal(d.closer[0].naddrs, 3);
	assert_int_equal(d.dropped_addrs, KAD_MSG_ADDRS_MAX - 3);
	/* the encoder refuses lists over the hard cap */
	m.ncloser = KAD_MSG_PEERS_MAX + 1;
	assert_int_equal(kad_msg_encode(&m, &b), GG_EINVAL);
	gg_buf_release(&b);
}

/* Every prefix of a valid message decodes or fails cleanly. */
static void every_truncation(void **state)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	struct kad_msg m, d;
	size_t n;
	int ok = 0, bad = 0;

	(void)state;
	build(&m, 4);
	assert_int_equal(kad_msg_encode(&m, &b), 0);
	for (n = 0; n < b.len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, b.data, n);
		if (kad_msg_decode(copy, n, NULL, &d) == 0)
			ok++;
		else
			bad++;
		free(copy);
	}
	assert_true(bad > 0);
	assert_true(ok > 0); /* prefixes ending at field boundaries */
	gg_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(ours_to_protobuf_c),
		cmocka_unit_test(protobuf_c_to_ours),
		cmocka_unit_test(proto3_defaults),
		cmocka_unit_test(unknown_fields_skipped),
		cmocka_unit_test(refuses_malformed),
		cmocka_unit_test(caps),
		cmocka_unit_test(every_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
