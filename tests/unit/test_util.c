/*
 * test_util.c - varint, base58, base32, hex/multibase, the capped buffer
 * and the error list: edge cases first (maximum values, non-minimal and
 * over-long encodings, bad characters, leading zeros).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/base.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/varint.h"

#include <errno.h>

static void varint_roundtrip(void **state)
{
	static const uint64_t vals[] = { 0, 1, 127, 128, 255, 300, 16383,
					 16384, UINT32_MAX,
					 GG_VARINT_MAX_VALUE };
	uint8_t b[GG_VARINT_MAX_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint64_t v = 0;
		size_t n = gg_varint_encode(vals[i], b);

		assert_int_equal(n, gg_varint_size(vals[i]));
		assert_int_equal(gg_varint_decode(b, n, &v), (int)n);
		assert_true(v == vals[i]);
	}
}

static void varint_known_bytes(void **state)
{
	uint8_t b[GG_VARINT_MAX_LEN];
	uint64_t v;

	(void)state;
	assert_int_equal(gg_varint_encode(300, b), 2);
	assert_int_equal(b[0], 0xac);
	assert_int_equal(b[1], 0x02);
	assert_int_equal(gg_varint_encode(GG_VARINT_MAX_VALUE, b), 9);
	assert_int_equal(b[8], 0x7f);
	/* 2^63 does not fit the 9-byte rule */
	assert_int_equal(gg_varint_encode(UINT64_C(1) << 63, b), 0);
	{
		const uint8_t one[] = { 0x01 };

		assert_int_equal(gg_varint_decode(one, 1, &v), 1);
		assert_true(v == 1);
	}
}

static void varint_rejects(void **state)
{
	const uint8_t padded[] = { 0x81, 0x00 };
	const uint8_t zero_pad[] = { 0x80, 0x00 };
	const uint8_t trunc[] = { 0x80, 0x80 };
	const uint8_t ten[] = { 0xff, 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xff, 0x01 };
	uint64_t v;

	(void)state;
	assert_int_equal(gg_varint_decode(padded, 2, &v), GG_ENONMINIMAL);
	assert_int_equal(gg_varint_decode(zero_pad, 2, &v), GG_ENONMINIMAL);
	assert_int_equal(gg_varint_decode(trunc, 2, &v), GG_ETRUNC);
	assert_int_equal(gg_varint_decode(trunc, 0, &v), GG_ETRUNC);
	assert_int_equal(gg_varint_decode(ten, 10, &v), GG_ERANGE);
	/* protobuf varints may take 10 bytes */
	assert_int_equal(gg_pbvarint_decode(ten, 10, &v), 10);
	assert_true(v == UINT64_MAX);
}

static void base58_vectors(void **state)
{
	const uint8_t hello[] = "Hello World!";
	const uint8_t zeros[] = { 0, 0, 0x28, 0x7f, 0xb4, 0xcd };
	char out[64];
	uint8_t back[64];

	(void)state;
	assert_int_equal(gg_base58_encode(hello, 12, out, sizeof(out)), 17);
	assert_string_equal(out, "2NEpo7TZRRrLZSi2U");
	assert_int_equal(gg_base58_decode(out, strlen(out), back,
					  sizeof(back)), 12);
	assert_memory_equal(back, hello, 12);
	/* leading zero bytes are leading '1's, both ways */
	assert_int_equal(gg_base58_encode(zeros, 6, out, sizeof(out)), 8);
	assert_string_equal(out, "11233QC4");
	assert_int_equal(gg_base58_decode("11233QC4", 8, back, sizeof(back)),
			 6);
	assert_memory_equal(back, zeros, 6);
	assert_int_equal(gg_base58_encode(zeros, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(gg_base58_decode("111", 3, back, sizeof(back)), 3);
	assert_int_equal(back[0] | back[1] | back[2], 0);
}

static void base58_rejects(void **state)
{
	uint8_t back[4];
	char small[4];
	const uint8_t big[] = { 1, 2, 3, 4, 5 };

	(void)state;
	assert_int_equal(gg_base58_decode("0OIl", 4, back, 4), GG_EPARSE);
	assert_int_equal(gg_base58_decode("abc+", 4, back, 4), GG_EPARSE);
	assert_int_equal(gg_base58_decode("ab\0c", 4, back, 4), GG_EPARSE);
	assert_int_equal(gg_base58_decode("zzzzzzzzz", 9, back, 4),
			 GG_ETOOBIG);
	assert_int_equal(gg_base58_encode(big, 5, small, sizeof(small)),
			 GG_ETOOBIG);
}

static void base32_vectors(void **state)
{
	/* RFC 4648 test vectors, lower case, no padding */
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
					  "fooba", "foobar" };
	static const char *const want[] = { "", "my", "mzxq", "mzxw6",
					    "mzxw6yq", "mzxw6ytb",
					    "mzxw6ytboi" };
	char out[32];
	uint8_t back[32];
	size_t i;

	(void)state;
	for (i = 0; i < 7; i++) {
		size_t n = strlen(in[i]);

		assert_int_equal(gg_base32_encode((const uint8_t *)in[i], n,
						  out, sizeof(out)),
				 (int)strlen(want[i]));
		assert_string_equal(out, want[i]);
		assert_int_equal(gg_base32_decode(out, strlen(out), back,
						  sizeof(back)), (int)n);
		assert_memory_equal(back, in[i], n);
	}
}

static void base32_rejects(void **state)
{
	uint8_t back[16];

	(void)state;
	assert_int_equal(gg_base32_decode("MZXW6", 5, back, 16), GG_EPARSE);
	assert_int_equal(gg_base32_decode("mzxw1", 5, back, 16), GG_EPARSE);
	assert_int_equal(gg_base32_decode("mzxw6===", 8, back, 16),
			 GG_EPARSE);
	/* impossible lengths */
	assert_int_equal(gg_base32_decode("m", 1, back, 16), GG_EPARSE);
	assert_int_equal(gg_base32_decode("mzx", 3, back, 16), GG_EPARSE);
	/* non-zero padding bits: "mz" is 'f', "mz" with low bits set is not */
	assert_int_equal(gg_base32_decode("mz", 2, back, 16), GG_EPARSE);
	assert_int_equal(gg_base32_decode("my", 2, back, 16), 1);
	assert_int_equal(gg_base32_decode("mzxw6ytboi", 10, back, 3),
			 GG_ETOOBIG);
}

static void multibase(void **state)
{
	const uint8_t d[] = { 0x00, 0x01, 0xff };
	char out[32];
	uint8_t back[8];

	(void)state;
	assert_int_equal(gg_multibase_encode('f', d, 3, out, sizeof(out)), 7);
	assert_string_equal(out, "f0001ff");
	assert_int_equal(gg_multibase_decode("f0001ff", back, 8), 3);
	assert_memory_equal(back, d, 3);
	assert_true(gg_multibase_encode('z', d, 3, out, sizeof(out)) > 0);
	assert_int_equal(gg_multibase_decode(out, back, 8), 3);
	assert_true(gg_multibase_encode('b', d, 3, out, sizeof(out)) > 0);
	assert_int_equal(gg_multibase_decode(out, back, 8), 3);
	assert_memory_equal(back, d, 3);
	assert_int_equal(gg_multibase_decode("Qabc", back, 8),
			 GG_EUNSUPPORTED);
	assert_int_equal(gg_multibase_decode("", back, 8), GG_EPARSE);
	assert_int_equal(gg_hex_decode("0g", 2, back, 8), GG_EPARSE);
	assert_int_equal(gg_hex_decode("abc", 3, back, 8), GG_EPARSE);
}

static void buf_cap(void **state)
{
	struct gg_buf b = GG_BUF_INIT(8);
	uint8_t *p;
	size_t n;

	(void)state;
	assert_string_equal(gg_buf_cstr(&b), "");
	assert_int_equal(gg_buf_adds(&b, "12345"), 0);
	assert_int_equal(gg_buf_printf(&b, "%d", 678), 0);
	assert_string_equal(gg_buf_cstr(&b), "12345678");
	assert_int_equal(gg_buf_addc(&b, '9'), GG_ETOOBIG);
	assert_int_equal(gg_buf_printf(&b, "x"), GG_ETOOBIG);
	assert_int_equal(b.len, 8); /* unchanged by the refused appends */
	gg_buf_consume(&b, 3);
	assert_string_equal(gg_buf_cstr(&b), "45678");
	p = gg_buf_detach(&b, &n);
	assert_int_equal(n, 5);
	assert_string_equal((char *)p, "45678");
	free(p);
	assert_int_equal(b.len, 0);
	gg_buf_release(&b);
}

static void errors(void **state)
{
	(void)state;
	assert_string_equal(gg_strerror(0), "success");
	assert_string_equal(gg_strerror(GG_ETIMEOUT), "operation timed out");
	assert_string_equal(gg_errname(GG_ENOMEM), "GG_ENOMEM");
	assert_string_equal(gg_strerror(12345), "unknown error");
	assert_true(GG_EINTERNAL < 0 && GG_EUSAGE < 0);
	assert_int_equal(gg_from_errno(ENOENT), GG_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(varint_roundtrip),
		cmocka_unit_test(varint_known_bytes),
		cmocka_unit_test(varint_rejects),
		cmocka_unit_test(base58_vectors),
		cmocka_unit_test(base58_rejects),
		cmocka_unit_test(base32_vectors),
		cmocka_unit_test(base32_rejects),
		cmocka_unit_test(multibase),
		cmocka_unit_test(buf_cap),
		cmocka_unit_test(errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
