/*
 * test_host.c - the peer store (bounds, eviction, dedup) and identify's
 * message (our encoding decoded back: key, protocols exactly as
 * registered, addresses, versions; truncated and oversized input refused),
 * plus gg_run's timeout on a live loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/node.h"
#include "p2p/identify.h"
#include "p2p/peerstore.h"
#include "p2p/ping.h"
#include "util/error.h"
#include "util/varint.h"
#include "version.h"

static void id_of(int n, struct gg_peerid *id)
{
	memset(id, 0, sizeof(*id));
	id->len = 4;
	id->b[0] = 0x00;
	id->b[1] = 2;
	id->b[2] = (uint8_t)n;
	id->b[3] = (uint8_t)(n >> 8);
}

static void peerstore_basics(void **state)
{
	struct gg_peerstore *ps;
	struct gg_peerid a, b, c;
	struct gg_multiaddr ma[2];
	const char *protos[] = { "/ipfs/ping/1.0.0", "/ggen/kad/1.0.0" };
	const struct gg_peer_info *pi;

	(void)state;
	assert_int_equal(gg_peerstore_new(2, &ps), 0);
	id_of(1, &a);
	id_of(2, &b);
	id_of(3, &c);
	assert_int_equal(gg_multiaddr_parse("/ip4/127.0.0.1/tcp/1", &ma[0]), 0);
	ma[1] = ma[0];
	assert_int_equal(gg_peerstore_add_addrs(ps, &a, ma, 2), 0);
	pi = gg_peerstore_get(ps, &a);
	assert_non_null(pi);
	assert_int_equal(pi->naddrs, 1); /* duplicate dropped */
	assert_int_equal(gg_peerstore_set_protocols(ps, &a, protos, 2), 0);
	assert_true(gg_peerstore_supports(ps, &a, "/ggen/kad/1.0.0"));
	assert_false(gg_peerstore_supports(ps, &a, "/meshsub/1.1.0"));
	assert_false(gg_peerstore_supports(ps, &b, "/ggen/kad/1.0.0"));
	gg_peerstore_set_agent(ps, &b, "js-libp2p/3", NULL);
	gg_peerstore_set_agent(ps, &a, "x", NULL); /* a is now fresher */
	gg_peerstore_set_agent(ps, &c, "y", NULL); /* evicts b */
	assert_int_equal(gg_peerstore_count(ps), 2);
	assert_null(gg_peerstore_get(ps, &b));
	assert_non_null(gg_peerstore_get(ps, &a));
	assert_string_equal(gg_peerstore_get(ps, &c)->agent, "y");
	gg_peerstore_free(ps);
}

static void on_stream(void *arg, struct gg_stream *s)
{
}

static void identify_roundtrip(void **state)
{
	struct gg_privkey *key;
	struct gg_host_cfg hc;
	struct gg_host *h;
	struct gg_buf msg = GG_BUF_INIT(8192);
	struct gg_identify_info info;
	struct gg_multiaddr ma;
	uv_loop_t loop;
	uint64_t len;
	const uint8_t *pub;
	size_t publen;
	int k;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(gg_privkey_generate(&key), 0);
	memset(&hc, 0, sizeof(hc));
	hc.loop = &loop;
	hc.key = key;
	assert_int_equal(gg_host_new(&hc, &h), 0);
	assert_int_equal(gg_ping_serve(h), 0);
	assert_int_equal(gg_host_handle(h, "/ggen/test/1", on_stream, NULL), 0);
	assert_int_equal(gg_host_handle(h, "/ggen/gone/1", on_stream, NULL), 0);
	assert_int_equal(gg_host_unhandle(h, "/ggen/gone/1"), 0);
	assert_int_equal(gg_multiaddr_parse("/ip4/127.0.0.1/tcp/0", &ma), 0);
	assert_int_equal(gg_host_listen(h, &ma), 0);
	assert_int_equal(gg_identify_encode(h, NULL, &msg), 0);
	k = gg_varint_decode(msg.data, msg.len, &len);
	assert_true(k > 0);
	assert_int_equal((size_t)k + len, msg.len);
	assert_int_equal(gg_identify_decode(msg.data + k, len, &info), 0);
	pub = gg_privkey_public(key, &publen);
	assert_int_equal(info.pubkey_len, publen);
	assert_memory_equal(info.pubkey, pub, publen);
	assert_int_equal(info.nprotos, 2);
	assert_string_equal(info.protos[0], GG_PING_PROTO);
	assert_string_equal(info.protos[1], "/ggen/test/1");
	assert_int_equal(info.naddrs, 1);
	assert_false(info.has_observed);
	assert_string_equal(info.agent, GG_AGENT);
	assert_string_equal(info.proto_version, GG_ID_PROTOCOL_VERSION);
	gg_identify_info_release(&info);
	/* a cut message and an oversized one are refused */
	assert_int_equal(gg_identify_decode(msg.data + k, len - 3, &info),
			 GG_EPARSE);
	assert_int_equal(gg_identify_decode(msg.data, GG_ID_MAX_MSG + 1,
					    &info), GG_ETOOBIG);
	gg_buf_release(&msg);
	gg_host_free(h);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	gg_privkey_free(key);
}

static void run_times_out(void **state)
{
	struct gg_op op = { 0, 0 };
	uv_loop_t loop;
	uint64_t t0;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	t0 = uv_hrtime();
	assert_int_equal(gg_run(&loop, &op, 50), GG_ETIMEOUT);
	assert_true(op.done);
	assert_true(uv_hrtime() - t0 >= 40 * 1000000ull);
	/* gg_run's timer closes after it returns */
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(peerstore_basics),
		cmocka_unit_test(identify_roundtrip),
		cmocka_unit_test(run_times_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
