/*
 * test_multiaddr.c - multiaddr text and binary forms: the spec vector,
 * exact round trips both ways, aliases, the strict rejections (text and
 * binary), the size cap, and the helpers the TCP transport uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "net/multiaddr.h"
#include "util/base.h"
#include "util/error.h"

static const char spec_id[] =
	"12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

static void to_hex(const struct gg_multiaddr *ma, char *hex, size_t n)
{
	assert_true(gg_hex_encode(ma->b, ma->len, hex, n) >= 0);
}

static void spec_vector(void **state)
{
	struct gg_multiaddr ma;
	char hex[64], text[GG_MULTIADDR_STR_MAX];

	(void)state;
	assert_int_equal(gg_multiaddr_parse("/ip4/127.0.0.1/tcp/4001", &ma), 0);
	to_hex(&ma, hex, sizeof(hex));
	assert_string_equal(hex, "047f000001060fa1");
	assert_int_equal(gg_multiaddr_to_str(&ma, text, sizeof(text)), 0);
	assert_string_equal(text, "/ip4/127.0.0.1/tcp/4001");
}

static void text_roundtrip(void **state)
{
	static const char *const good[] = {
		"/ip4/0.0.0.0/tcp/0",
		"/ip4/255.255.255.255/udp/65535",
		"/ip6/::1/tcp/4001",
		"/ip6/2001:db8::8a2e:370:7334/udp/53",
		"/ip6/::ffff:1.2.3.4/tcp/1",
		"/dns/localhost/tcp/80",
		"/dns4/bootstrap.libp2p.io/tcp/443",
		"/dns6/a-b_c.example.org./tcp/1",
		"/dnsaddr/bootstrap.libp2p.io",
		"/ip4/127.0.0.1/tcp/4001/p2p/"
		"12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
		"/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
		"/ip4/1.2.3.4/tcp/5/ip4/6.7.8.9/udp/10",
	};
	struct gg_multiaddr ma, ma2;
	char text[GG_MULTIADDR_STR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(gg_multiaddr_parse(good[i], &ma), 0);
		assert_int_equal(gg_multiaddr_to_str(&ma, text, sizeof(text)),
				 0);
		assert_string_equal(text, good[i]);
		/* binary -> text -> binary */
		assert_int_equal(gg_multiaddr_from_bytes(ma.b, ma.len, &ma2),
				 0);
		assert_int_equal(ma2.len, ma.len);
		assert_memory_equal(ma2.b, ma.b, ma.len);
	}
}

/* Accepted, printed in canonical form. */
static void text_normalised(void **state)
{
	static const char *const pairs[][2] = {
		{ "/ipfs/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
		  "/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N" },
		{ "/p2p/bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6"
		  "yaq6dsc2r2pzyt6",
		  "/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq" },
		{ "/ip6/0:0:0:0:0:0:0:1/tcp/1", "/ip6/::1/tcp/1" },
		{ "/ip6/2001:DB8::1/tcp/1", "/ip6/2001:db8::1/tcp/1" },
	};
	struct gg_multiaddr ma;
	char text[GG_MULTIADDR_STR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(gg_multiaddr_parse(pairs[i][0], &ma), 0);
		assert_int_equal(gg_multiaddr_to_str(&ma, text, sizeof(text)),
				 0);
		assert_string_equal(text, pairs[i][1]);
	}
}

static void text_rejects(void **state)
{
	static const char *const bad[] = {
		"", "/", "ip4/1.2.3.4", "/ip4/1.2.3.4/", "//ip4/1.2.3.4",
		"/ip4//tcp/1", "/ip4", "/ip4/", "/ip4/1.2.3.4/tcp",
		"/ip4/256.1.1.1", "/ip4/01.2.3.4", "/ip4/1.2.3",
		"/ip4/1.2.3.4.5",
		"/ip4/ 1.2.3.4", "/ip4/::1", "/ip6/1.2.3.4", "/ip6/::1%eth0",
		"/ip6/:::", "/tcp/65536", "/tcp/-1", "/tcp/+1", "/tcp/080",
		"/tcp/00", "/tcp/1x", "/tcp/999999", "/udp/", "/dns/",
		"/dns4/a..b", "/dns4/.a", "/dns/a b", "/dns/a%2f",
		"/dns/a.b..", "/foo/bar", "/IP4/1.2.3.4", "/p2p/notapeerid",
		"/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p",
		"/ip4/1.2.3.4/tcp/1/", "/tcp/1//",
	};
	struct gg_multiaddr ma;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = gg_multiaddr_parse(bad[i], &ma);

		if (rc == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_true(rc < 0);
	}
	assert_int_equal(gg_multiaddr_parse("/quic-v1", &ma), GG_EUNSUPPORTED);
	assert_int_equal(gg_multiaddr_parse("/tcp/70000", &ma), GG_ERANGE);
}

static void label_limits(void **state)
{
	struct gg_multiaddr ma;
	char text[400];
	int n;

	(void)state;
	/* a 63-character label is fine, 64 is not */
	n = snprintf(text, sizeof(text), "/dns/%063d.x", 0);
	assert_true(n > 0);
	assert_int_equal(gg_multiaddr_parse(text, &ma), 0);
	snprintf(text, sizeof(text), "/dns/%064d.x", 0);
	assert_int_equal(gg_multiaddr_parse(text, &ma), GG_EPARSE);
}

static void binary_rejects(void **state)
{
	static const struct {
		const char *hex;
		int rc;
	} bad[] = {
		{ "047f0000", GG_ETRUNC },        /* ip4 short */
		{ "047f000001060f", GG_ETRUNC },  /* tcp short */
		{ "8480", GG_ETRUNC },            /* varint runs off */
		{ "8400" "7f000001", GG_EPARSE }, /* non-minimal code 4 */
		{ "07", GG_EUNSUPPORTED },        /* unknown code */
		{ "3500", GG_EPARSE },            /* empty dns name */
		{ "3503612f62", GG_EPARSE },      /* dns "a/b" */
		{ "350461", GG_ETRUNC },          /* dns length past end */
		{ "35810161", GG_ETRUNC },
		{ "358000", GG_EPARSE },          /* non-minimal length */
		{ "a50303120100", GG_EPARSE },    /* p2p: bad multihash */
		{ "a50322120100", GG_ETRUNC },    /* p2p: length past end */
		{ "a503021300", GG_EPARSE },      /* p2p: unknown hash code */
		{ "", GG_EPARSE },
	};
	struct gg_multiaddr ma;
	uint8_t b[GG_MULTIADDR_MAX + 8];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = gg_hex_decode(bad[i].hex, strlen(bad[i].hex), b,
				  sizeof(b));
		assert_true(n >= 0);
		if (gg_multiaddr_from_bytes(b, (size_t)n, &ma) != bad[i].rc)
			fail_msg("%s: got %d, want %d", bad[i].hex,
				 gg_multiaddr_from_bytes(b, (size_t)n, &ma),
				 bad[i].rc);
	}
	/* the cap: 103 ip4 components are 515 bytes */
	for (i = 0; i < 103; i++)
		memcpy(b + 5 * i, "\x04\x01\x02\x03\x04", 5);
	assert_int_equal(gg_multiaddr_from_bytes(b, 510, &ma), 0);
	assert_int_equal(gg_multiaddr_from_bytes(b, 515, &ma), GG_ETOOBIG);
}

static void text_cap(void **state)
{
	struct gg_multiaddr ma;
	char text[4000], out[GG_MULTIADDR_STR_MAX];
	size_t i, pos = 0;

	(void)state;
	for (i = 0; i < 102; i++)
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos,
					"/ip4/255.255.255.%zu", i);
	assert_int_equal(gg_multiaddr_parse(text, &ma), 0);
	assert_int_equal(ma.len, 510);
	assert_int_equal(gg_multiaddr_to_str(&ma, out, sizeof(out)), 0);
	assert_string_equal(out, text);
	assert_int_equal(gg_multiaddr_to_str(&ma, out, 100), GG_ETOOBIG);
	assert_string_equal(out, "");
	snprintf(text + pos, sizeof(text) - pos, "/ip4/1.1.1.1");
	assert_int_equal(gg_multiaddr_parse(text, &ma), GG_ETOOBIG);
}

static void iterate(void **state)
{
	struct gg_multiaddr ma;
	struct gg_ma_comp c;
	size_t off = 0;

	(void)state;
	assert_int_equal(gg_multiaddr_parse("/dns4/x.y/udp/273/p2p/"
					    "12D3KooWBtg3aaRMjxwedh83aGiUkwS"
					    "xDwUZkzuJcfaqUmo7R3pq", &ma), 0);
	assert_int_equal(gg_multiaddr_next(&ma, &off, &c), 1);
	assert_int_equal(c.code, GG_MA_DNS4);
	assert_int_equal(c.len, 3);
	assert_memory_equal(c.val, "x.y", 3);
	assert_int_equal(gg_multiaddr_next(&ma, &off, &c), 1);
	assert_int_equal(c.code, GG_MA_UDP);
	assert_memory_equal(c.val, "\x01\x11", 2);
	assert_int_equal(gg_multiaddr_next(&ma, &off, &c), 1);
	assert_int_equal(c.code, GG_MA_P2P);
	assert_int_equal(c.len, 38);
	assert_int_equal(gg_multiaddr_next(&ma, &off, &c), 0);
	assert_int_equal(off, ma.len);
	/* udp's code takes two varint bytes: 91 02 */
	assert_memory_equal(ma.b + 5, "\x91\x02\x01\x11", 4);
}

static void tcp_parts(void **state)
{
	struct gg_multiaddr ma;
	struct gg_peerid id, want;
	char host[300];
	uint16_t port;
	int fam, has;

	(void)state;
	assert_int_equal(gg_peerid_parse(spec_id, &want), 0);
	gg_multiaddr_parse("/ip6/::1/tcp/4001", &ma);
	assert_int_equal(gg_multiaddr_tcp(&ma, host, sizeof(host), &fam,
					  &port, &id, &has), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(fam, AF_INET6);
	assert_int_equal(port, 4001);
	assert_int_equal(has, 0);
	gg_multiaddr_parse("/dns/example.com/tcp/1/p2p/"
			   "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
			   &ma);
	assert_int_equal(gg_multiaddr_tcp(&ma, host, sizeof(host), &fam,
					  &port, &id, &has), 0);
	assert_string_equal(host, "example.com");
	assert_int_equal(fam, 0);
	assert_int_equal(port, 1);
	assert_int_equal(has, 1);
	assert_true(gg_peerid_eq(&id, &want));
	gg_multiaddr_parse("/dns4/a/tcp/2", &ma);
	assert_int_equal(gg_multiaddr_tcp(&ma, host, sizeof(host), &fam,
					  &port, NULL, NULL), 0);
	assert_int_equal(fam, AF_INET);
	assert_int_equal(gg_multiaddr_tcp(&ma, host, 1, &fam, &port, NULL,
					  NULL), GG_EPARSE);
	gg_multiaddr_parse("/ip4/1.2.3.4/udp/2", &ma);
	assert_int_equal(gg_multiaddr_tcp(&ma, host, sizeof(host), &fam,
					  &port, NULL, NULL), GG_EUNSUPPORTED);
	gg_multiaddr_parse("/dnsaddr/x/tcp/2", &ma);
	assert_int_equal(gg_multiaddr_tcp(&ma, host, sizeof(host), &fam,
					  &port, NULL, NULL), GG_EUNSUPPORTED);
	gg_multiaddr_parse("/ip4/1.2.3.4/tcp/2/tcp/3", &ma);
	assert_int_equal(gg_multiaddr_tcp(&ma, host, sizeof(host), &fam,
					  &port, NULL, NULL), GG_EUNSUPPORTED);
}

static void sockaddrs(void **state)
{
	struct sockaddr_in in4 = { 0 };
	struct sockaddr_in6 in6 = { 0 };
	struct gg_multiaddr ma;
	char text[GG_MULTIADDR_STR_MAX];

	(void)state;
	in4.sin_family = AF_INET;
	in4.sin_port = htons(4001);
	inet_pton(AF_INET, "127.0.0.1", &in4.sin_addr);
	assert_int_equal(gg_multiaddr_from_sockaddr((struct sockaddr *)&in4,
						    &ma), 0);
	gg_multiaddr_to_str(&ma, text, sizeof(text));
	assert_string_equal(text, "/ip4/127.0.0.1/tcp/4001");
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(65535);
	inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
	assert_int_equal(gg_multiaddr_from_sockaddr((struct sockaddr *)&in6,
						    &ma), 0);
	gg_multiaddr_to_str(&ma, text, sizeof(text));
	assert_string_equal(text, "/ip6/fe80::1/tcp/65535");
	inet_pton(AF_INET6, "::ffff:10.0.0.1", &in6.sin6_addr);
	assert_int_equal(gg_multiaddr_from_sockaddr((struct sockaddr *)&in6,
						    &ma), 0);
	gg_multiaddr_to_str(&ma, text, sizeof(text));
	assert_string_equal(text, "/ip4/10.0.0.1/tcp/65535");
	in4.sin_family = AF_UNIX;
	assert_int_equal(gg_multiaddr_from_sockaddr((struct sockaddr *)&in4,
						    &ma), GG_EUNSUPPORTED);
}

static void p2p_append_strip(void **state)
{
	struct gg_multiaddr ma;
	struct gg_peerid id, other, got;
	char text[GG_MULTIADDR_STR_MAX];
	int had;

	(void)state;
	gg_peerid_parse(spec_id, &id);
	gg_peerid_parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
			&other);
	gg_multiaddr_parse("/ip4/1.2.3.4/tcp/5", &ma);
	assert_int_equal(gg_multiaddr_strip_p2p(&ma, &got, &had), 0);
	assert_int_equal(had, 0);
	assert_int_equal(gg_multiaddr_append_p2p(&ma, &id), 0);
	assert_int_equal(gg_multiaddr_append_p2p(&ma, &id), 0);
	gg_multiaddr_to_str(&ma, text, sizeof(text));
	assert_string_equal(text, "/ip4/1.2.3.4/tcp/5/p2p/"
			    "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
	assert_int_equal(gg_multiaddr_append_p2p(&ma, &other), GG_EPEERID);
	assert_int_equal(gg_multiaddr_strip_p2p(&ma, &got, &had), 0);
	assert_int_equal(had, 1);
	assert_true(gg_peerid_eq(&got, &id));
	gg_multiaddr_to_str(&ma, text, sizeof(text));
	assert_string_equal(text, "/ip4/1.2.3.4/tcp/5");
	/* a bare /p2p/ID strips to the empty address */
	gg_multiaddr_parse("/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
			   &ma);
	assert_int_equal(gg_multiaddr_strip_p2p(&ma, NULL, &had), 0);
	assert_int_equal(had, 1);
	assert_int_equal(ma.len, 0);
	/* an invalid ID is refused; a full address is left alone */
	other.len = 3;
	assert_int_equal(gg_multiaddr_append_p2p(&ma, &other), GG_EINVAL);
	{
		uint8_t b[500];
		size_t i;

		for (i = 0; i < 100; i++)
			memcpy(b + 5 * i, "\x04\x01\x02\x03\x04", 5);
		assert_int_equal(gg_multiaddr_from_bytes(b, 500, &ma), 0);
		assert_int_equal(gg_multiaddr_append_p2p(&ma, &id),
				 GG_ETOOBIG);
		assert_int_equal(ma.len, 500);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_vector),
		cmocka_unit_test(text_roundtrip),
		cmocka_unit_test(text_normalised),
		cmocka_unit_test(text_rejects),
		cmocka_unit_test(label_limits),
		cmocka_unit_test(binary_rejects),
		cmocka_unit_test(text_cap),
		cmocka_unit_test(iterate),
		cmocka_unit_test(tcp_parts),
		cmocka_unit_test(sockaddrs),
		cmocka_unit_test(p2p_append_strip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
