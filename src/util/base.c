/*
 * base.c - base58btc, base32 and base16 with the strict decoders of base.h.
 *
 * base58 is a big-number base conversion; inputs are capped at
 * GG_BASE_MAX_IN so the quadratic loop stays cheap.  Leading zero bytes
 * map one-to-one to leading '1' characters, both ways.
 */
#include <string.h>

#include "util/base.h"
#include "util/error.h"

static const char b58_alpha[] =
	"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char b32_alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char hex_alpha[] = "0123456789abcdef";

static int b58_value(unsigned char c)
{
	const char *p;

	if (!c)
		return -1;
	p = strchr(b58_alpha, c);
	return p ? (int)(p - b58_alpha) : -1;
}

int gg_base58_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	uint8_t digits[GG_BASE_MAX_IN * 138 / 100 + 1];
	size_t zeros = 0, ndig = 0, i, j, len;

	if (n > GG_BASE_MAX_IN)
		return GG_ETOOBIG;
	while (zeros < n && in[zeros] == 0)
		zeros++;
	for (i = zeros; i < n; i++) {
		unsigned carry = in[i];

		for (j = 0; j < ndig; j++) {
			carry += (unsigned)digits[j] << 8;
			digits[j] = (uint8_t)(carry % 58);
			carry /= 58;
		}
		while (carry) {
			digits[ndig++] = (uint8_t)(carry % 58);
			carry /= 58;
		}
	}
	len = zeros + ndig;
	if (len + 1 > outsz)
		return GG_ETOOBIG;
	for (i = 0; i < zeros; i++)
		out[i] = '1';
	for (j = 0; j < ndig; j++)
		out[zeros + j] = b58_alpha[digits[ndig - 1 - j]];
	out[len] = 0;
	return (int)len;
}

int gg_base58_decode(const char *in, size_t n, uint8_t *out, size_t outsz)
{
	uint8_t bytes[GG_BASE_MAX_IN];
	size_t zeros = 0, nb = 0, i, j, len;

	if (n > GG_BASE_MAX_IN)
		return GG_ETOOBIG;
	while (zeros < n && in[zeros] == '1')
		zeros++;
	for (i = zeros; i < n; i++) {
		int v = b58_value((unsigned char)in[i]);
		unsigned carry;

		if (v < 0)
			return GG_EPARSE;
		carry = (unsigned)v;
		for (j = 0; j < nb; j++) {
			carry += (unsigned)bytes[j] * 58;
			bytes[j] = (uint8_t)carry;
			carry >>= 8;
		}
		while (carry) {
			if (nb >= sizeof(bytes))
				return GG_ETOOBIG;
			bytes[nb++] = (uint8_t)carry;
			carry >>= 8;
		}
	}
	len = zeros + nb;
	if (len > outsz)
		return GG_ETOOBIG;
	memset(out, 0, zeros);
	for (j = 0; j < nb; j++)
		out[zeros + j] = bytes[nb - 1 - j];
	return (int)len;
}

int gg_base32_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	size_t len = (n * 8 + 4) / 5, i, o = 0;
	unsigned acc = 0, bits = 0;

	if (n > GG_BASE_MAX_IN)
		return GG_ETOOBIG;
	if (len + 1 > outsz)
		return GG_ETOOBIG;
	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alpha[(acc >> bits) & 31];
		}
	}
	if (bits)
		out[o++] = b32_alpha[(acc << (5 - bits)) & 31];
	out[o] = 0;
	return (int)o;
}

static int b32_value(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int gg_base32_decode(const char *in, size_t n, uint8_t *out, size_t outsz)
{
	unsigned acc = 0, bits = 0;
	size_t i, o = 0;

	if (n > GG_BASE_MAX_IN)
		return GG_ETOOBIG;
	/* Lengths 1, 3 and 6 mod 8 cannot come from whole bytes. */
	if (n % 8 == 1 || n % 8 == 3 || n % 8 == 6)
		return GG_EPARSE;
	for (i = 0; i < n; i++) {
		int v = b32_value((unsigned char)in[i]);

		if (v < 0)
			return GG_EPARSE;
		acc = ((acc << 5) | (unsigned)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return GG_ETOOBIG;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (acc & ((1u << bits) - 1))
		return GG_EPARSE; /* non-zero padding bits */
	return (int)o;
}

int gg_hex_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	size_t i;

	if (n > GG_BASE_MAX_IN || n * 2 + 1 > outsz)
		return GG_ETOOBIG;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex_alpha[in[i] >> 4];
		out[2 * i + 1] = hex_alpha[in[i] & 15];
	}
	out[2 * n] = 0;
	return (int)(2 * n);
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gg_hex_decode(const char *in, size_t n, uint8_t *out, size_t outsz)
{
	size_t i;

	if (n > GG_BASE_MAX_IN * 2)
		return GG_ETOOBIG;
	if (n % 2)
		return GG_EPARSE;
	if (n / 2 > outsz)
		return GG_ETOOBIG;
	for (i = 0; i < n; i += 2) {
		int hi = hex_value((unsigned char)in[i]);
		int lo = hex_value((unsigned char)in[i + 1]);

		if (hi < 0 || lo < 0)
			return GG_EPARSE;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

int gg_multibase_encode(char base, const uint8_t *in, size_t n, char *out,
			size_t outsz)
{
	int rc;

	if (outsz < 2)
		return GG_ETOOBIG;
	out[0] = base;
	switch (base) {
	case 'z':
		rc = gg_base58_encode(in, n, out + 1, outsz - 1);
		break;
	case 'b':
		rc = gg_base32_encode(in, n, out + 1, outsz - 1);
		break;
	case 'f':
		rc = gg_hex_encode(in, n, out + 1, outsz - 1);
		break;
	default:
		return GG_EUNSUPPORTED;
	}
	return rc < 0 ? rc : rc + 1;
}

int gg_multibase_decode(const char *in, uint8_t *out, size_t outsz)
{
	size_t n = strlen(in);

	if (n < 1)
		return GG_EPARSE;
	switch (in[0]) {
	case 'z':
		return gg_base58_decode(in + 1, n - 1, out, outsz);
	case 'b':
		return gg_base32_decode(in + 1, n - 1, out, outsz);
	case 'f':
		return gg_hex_decode(in + 1, n - 1, out, outsz);
	default:
		return GG_EUNSUPPORTED;
	}
}
