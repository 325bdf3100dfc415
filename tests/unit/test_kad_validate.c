/*
 * test_kad_validate.c - the /ggen/pkg/ record rules of DESIGN §5: a
 * good record passes and reports its signer and seq; a broken signature,
 * another domain or payload type, the 8 KiB limit, schema errors and a
 * key naming another package fail; selection keeps the held record unless
 * the same signer has a higher seq; unknown namespaces are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crypto/envelope.h"
#include "crypto/key.h"
#include "p2p/kad_validate.h"
#include "util/error.h"

#define KEY "/ggen/pkg/hello-world"
#define KLEN (sizeof(KEY) - 1)
#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct gg_privkey *alice, *bob;

static int setup(void **state)
{
	(void)state;
	return gg_privkey_generate(&alice) || gg_privkey_generate(&bob);
}

static int teardown(void **state)
{
	(void)state;
	gg_privkey_free(alice);
	gg_privkey_free(bob);
	return 0;
}

static void seal(struct gg_privkey *k, const char *domain, const char *type,
		 const char *json, struct gg_buf *out)
{
	gg_buf_reset(out);
	assert_int_equal(gg_envelope_seal(k, domain, (const uint8_t *)type,
					  strlen(type), (const uint8_t *)json,
					  strlen(json), out), 0);
}

static void record(struct gg_privkey *k, unsigned seq, const char *extra,
		   struct gg_buf *out)
{
	static char json[16384];
	int n = snprintf(json, sizeof(json),
			 "{\"name\":\"hello-world\",\"version\":\"1.2.0-rc.1\","
			 "\"id\":\"" ID64 "\",\"size\":1234,"
			 "\"published_at\":1700000000,\"seq\":%u,"
			 "\"description\":\"hi\",\"tags\":[\"a\",\"b\"],"
			 "\"versions\":[{\"version\":\"1.1.0\",\"id\":\"" ID64
			 "\",\"size\":1,\"published_at\":1}]%s}",
			 seq, extra);

	assert_true(n > 0 && (size_t)n < sizeof(json));
	seal(k, KAD_PKG_DOMAIN, KAD_PKG_PAYLOAD_TYPE, json, out);
}

static int check(const struct gg_buf *b)
{
	return kad_pkg_validate((const uint8_t *)KEY, KLEN, b->data, b->len,
				NULL);
}

static void valid_record(void **state)
{
	struct gg_buf b = GG_BUF_INIT(1 << 16);
	struct kad_pkg_info info;
	struct gg_peerid id;
	const uint8_t *pub;
	size_t publen;
	size_t n;
	const struct kad_validator *v = kad_validators_default(&n);

	(void)state;
	record(alice, 7, "", &b);
	assert_int_equal(kad_pkg_validate((const uint8_t *)KEY, KLEN, b.data,
					  b.len, &info), 0);
	pub = gg_privkey_public(alice, &publen);
	assert_int_equal(gg_peerid_from_pubkey(pub, publen, &id), 0);
	assert_true(gg_peerid_eq(&info.signer, &id));
	assert_string_equal(info.name, "hello-world");
	assert_true(info.seq == 7);
	/* the same through the namespace table; other namespaces refused */
	assert_int_equal(kad_record_validate(v, n, (const uint8_t *)KEY, KLEN,
					     b.data, b.len), 0);
	assert_int_equal(kad_record_validate(v, n, (const uint8_t *)"/pk/x", 5,
					     b.data, b.len), GG_EUNSUPPORTED);
	assert_int_equal(kad_record_validate(v, n, (const uint8_t *)"/ggen/x",
					     7, b.data, b.len),
			 GG_EUNSUPPORTED);
	gg_buf_release(&b);
}

static void bad_envelopes(void **state)
{
	struct gg_buf b = GG_BUF_INIT(1 << 16);
	static const char ok[] = "{\"name\":\"hello-world\",\"version\":\"1.0.0\","
				 "\"id\":\"" ID64 "\",\"size\":1,"
				 "\"published_at\":1,\"seq\":1}";

	(void)state;
	seal(alice, KAD_PKG_DOMAIN, KAD_PKG_PAYLOAD_TYPE, ok, &b);
	assert_int_equal(check(&b), 0);
	b.data[b.len - 3] ^= 1; /* inside the signature */
	assert_int_not_equal(check(&b), 0);
	seal(alice, "another-domain", KAD_PKG_PAYLOAD_TYPE, ok, &b);
	assert_int_equal(check(&b), GG_EBADSIG);
	seal(alice, KAD_PKG_DOMAIN, "/ggen/other/1", ok, &b);
	assert_int_equal(check(&b), GG_EPARSE);
	b.len = 10;
	assert_int_not_equal(check(&b), 0);
	/* the key's package must be the record's */
	seal(alice, KAD_PKG_DOMAIN, KAD_PKG_PAYLOAD_TYPE, ok, &b);
	assert_int_equal(kad_pkg_validate((const uint8_t *)"/ggen/pkg/hello",
					  15, b.data, b.len, NULL), GG_EPARSE);
	assert_int_equal(kad_pkg_validate((const uint8_t *)"/ggen/pkg/Hello",
					  15, b.data, b.len, NULL), GG_EINVAL);
	assert_int_equal(kad_pkg_validate((const uint8_t *)"/ggen/pkg/", 10,
					  b.data, b.len, NULL), GG_EINVAL);
	gg_buf_release(&b);
}

static void size_limit(void **state)
{
	struct gg_buf b = GG_BUF_INIT(1 << 16);
	char *pad = malloc(KAD_PKG_RECORD_MAX + 64);

	(void)state;
	memcpy(pad, ",\"x\":\"", 6);
	memset(pad + 6, 'a', KAD_PKG_RECORD_MAX);
	memcpy(pad + 6 + KAD_PKG_RECORD_MAX, "\"", 2);
	record(alice, 1, pad, &b);
	assert_true(b.len > KAD_PKG_RECORD_MAX);
	assert_int_equal(check(&b), GG_ETOOBIG);
	free(pad);
	gg_buf_release(&b);
}

static void schema(void **state)
{
	static const char *const bad[] = {
		"{\"name\":\"hello-world\",\"id\":\"" ID64 "\",\"size\":1,"
		"\"published_at\":1,\"seq\":1}", /* no version */
		"{\"name\":\"hello-world\",\"version\":\"1.2\",\"id\":\"" ID64
		"\",\"size\":1,\"published_at\":1,\"seq\":1}",
		"{\"name\":\"hello-world\",\"version\":\"01.2.3\",\"id\":\""
		ID64 "\",\"size\":1,\"published_at\":1,\"seq\":1}",
		"{\"name\":\"hello-world\",\"version\":\"1.2.3\",\"id\":\"ABC\","
		"\"size\":1,\"published_at\":1,\"seq\":1}",
		"{\"name\":\"hello-world\",\"version\":\"1.2.3\",\"id\":\"" ID64
		"\",\"size\":-1,\"published_at\":1,\"seq\":1}",
		"{\"name\":\"hello-world\",\"version\":\"1.2.3\",\"id\":\"" ID64
		"\",\"size\":1,\"published_at\":1}", /* no seq */
		"{\"name\":\"hello-world\",\"version\":\"1.2.3\",\"id\":\"" ID64
		"\",\"size\":1,\"published_at\":1,\"seq\":1,\"tags\":[1]}",
		"{\"name\":\"hello-world\",\"version\":\"1.2.3\",\"id\":\"" ID64
		"\",\"size\":1,\"published_at\":1,\"seq\":1,"
		"\"versions\":[{\"version\":\"x\"}]}",
		"{\"name\":\"hello-world\",\"name\":\"hello-world\"}",
		"[1,2,3]",
		"not json",
	};
	struct gg_buf b = GG_BUF_INIT(1 << 16);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seal(alice, KAD_PKG_DOMAIN, KAD_PKG_PAYLOAD_TYPE, bad[i], &b);
		assert_int_equal(check(&b), GG_EPARSE);
	}
	gg_buf_release(&b);
}

static void selection(void **state)
{
	struct gg_buf a1 = GG_BUF_INIT(1 << 16), a2 = GG_BUF_INIT(1 << 16);
	struct gg_buf b9 = GG_BUF_INIT(1 << 16);
	struct kad_bytes v[3];
	const struct kad_validator *tab;
	size_t n, best = 99;

	(void)state;
	tab = kad_validators_default(&n);
	record(alice, 1, "", &a1);
	record(alice, 2, "", &a2);
	record(bob, 9, "", &b9);
	v[0].p = a1.data, v[0].n = a1.len;
	v[1].p = a2.data, v[1].n = a2.len;
	v[2].p = b9.data, v[2].n = b9.len;
	/* the same signer's higher seq wins; another signer never */
	assert_int_equal(kad_pkg_select((const uint8_t *)KEY, KLEN, v, 3), 1);
	assert_int_equal(kad_record_select(tab, n, (const uint8_t *)KEY, KLEN,
					   v, 3, &best), 0);
	assert_int_equal(best, 1);
	v[0].p = a2.data, v[0].n = a2.len;
	v[1].p = a1.data, v[1].n = a1.len;
	assert_int_equal(kad_pkg_select((const uint8_t *)KEY, KLEN, v, 2), 0);
	v[0].p = b9.data, v[0].n = b9.len;
	v[1].p = a2.data, v[1].n = a2.len;
	assert_int_equal(kad_pkg_select((const uint8_t *)KEY, KLEN, v, 2), 0);
	/* identical: the held one stays (accepted again) */
	v[1] = v[0];
	assert_int_equal(kad_pkg_select((const uint8_t *)KEY, KLEN, v, 2), 0);
	assert_int_equal(kad_record_select(tab, n, (const uint8_t *)KEY, KLEN,
					   v, 0, &best), GG_EINVAL);
	gg_buf_release(&a1);
	gg_buf_release(&a2);
	gg_buf_release(&b9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_record),
		cmocka_unit_test(bad_envelopes),
		cmocka_unit_test(size_limit),
		cmocka_unit_test(schema),
		cmocka_unit_test(selection),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
