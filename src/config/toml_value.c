/*
 * toml_value.c - TOML strings and numbers: the four string forms with their
 * escapes and quoting rules, and integers (decimal, hex, octal, binary) and
 * floats with TOML's rules on signs, leading zeros and underscores.
 *
 * Numbers are read as one token of the characters a number can contain,
 * checked against the grammar, and only then converted: integers by hand
 * with an overflow check, floats by strtod on a copy without underscores.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "toml_impl.h"

/* ---- strings ------------------------------------------------------------ */

static int put_utf8(struct gg_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		n = 4;
	}
	for (size_t i = 1; i < n; i++)
		u[i] = (char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
	return gg_buf_add(b, u, n);
}

static int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX or \UXXXXXXXX; the cursor is on the backslash. */
static int unicode_escape(struct tparser *P, struct gg_buf *out)
{
	char u = P->p[1];
	size_t n = u == 'u' ? 4 : 8, i;
	uint32_t cp = 0;

	for (i = 0; i < n; i++) {
		int h = hex_val(tp_peek(P, 2 + i));

		if (h < 0)
			return tp_fail(P, "\\%c needs %zu hex digits", u, n);
		cp = cp << 4 | (uint32_t)h;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return tp_fail(P, "\\%c%.*s is not a Unicode scalar value", u,
			       (int)n, P->p + 2);
	P->p += 2 + n;
	return put_utf8(out, cp) ? tp_oom(P) : 0;
}

/* An escape in a basic string; the cursor is on the backslash. */
static int escape(struct tparser *P, struct gg_buf *out)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	int c = tp_peek(P, 1);
	const char *hit = c > 0 ? strchr(from, c) : NULL;

	if (c == 'u' || c == 'U')
		return unicode_escape(P, out);
	if (!hit) {
		if (c > 0x20 && c < 0x7f)
			return tp_fail(P, "invalid escape '\\%c'", c);
		return tp_fail(P, "invalid escape: '\\' must be followed by "
			       "one of btnfr\"\\uU");
	}
	P->p += 2;
	return gg_buf_addc(out, (uint8_t)to[hit - from]) ? tp_oom(P) : 0;
}

/* Append the bytes from the cursor up to the first of stop (or a line
 * break, or the end). */
static int take_run(struct tparser *P, struct gg_buf *out, const char *stop)
{
	const char *s = P->p;
	size_t nstop = strlen(stop);

	while (P->p < P->end && *P->p != '\n' && *P->p != '\r' &&
	       !memchr(stop, *P->p, nstop))
		P->p++;
	return gg_buf_add(out, s, (size_t)(P->p - s)) ? tp_oom(P) : 0;
}

/* "..." or '...'; the cursor is on the opening quote. */
static int line_string(struct tparser *P, struct gg_buf *out)
{
	int line = P->line, col = tp_col(P, P->p);
	char q = *P->p;
	const char *stop = q == '"' ? "\"\\" : "'";

	P->p++;
	for (;;) {
		if (take_run(P, out, stop))
			return -1;
		if (tp_peek(P, 0) == q) {
			P->p++;
			return 0;
		}
		if (tp_peek(P, 0) != '\\')
			return tp_fail_at(P, line, col, "string not closed "
					  "on its line");
		if (escape(P, out))
			return -1;
	}
}

/* At a run of quotes q inside a multi-line string: the first three of at
 * least three close it, up to two more belong to the text. Returns 1 when
 * the string closed, 0 when not, -1 on error. */
static int ml_quotes(struct tparser *P, struct gg_buf *out, char q)
{
	size_t n = 0;

	while (tp_peek(P, n) == q)
		n++;
	if (n > 5)
		return tp_fail(P, "%zu quotes in a row: a multi-line string "
			       "may end with at most 5", n);
	if (gg_buf_add(out, P->p, n >= 3 ? n - 3 : n))
		return tp_oom(P);
	P->p += n;
	return n >= 3;
}

/* A backslash in a multi-line basic string: an escape, or at the end of a
 * line (blanks may follow it) the removal of all blanks and newlines up to
 * the next text. */
static int ml_backslash(struct tparser *P, struct gg_buf *out)
{
	const char *at = P->p;

	P->p++;
	while (P->p < P->end && (*P->p == ' ' || *P->p == '\t'))
		P->p++;
	if (!tp_at_newline(P)) {
		P->p = at;
		return escape(P, out);
	}
	for (;;) {
		if (P->p < P->end && (*P->p == ' ' || *P->p == '\t'))
			P->p++;
		else if (tp_at_newline(P))
			tp_take_newline(P);
		else
			return 0;
	}
}

/* """...""" or '''...'''; the cursor is on the first quote. Line breaks
 * are kept as LF whether written LF or CRLF. */
static int ml_string(struct tparser *P, struct gg_buf *out)
{
	int line = P->line, col = tp_col(P, P->p), rc;
	char q = *P->p;
	const char *stop = q == '"' ? "\"\\" : "'";

	P->p += 3;
	if (tp_at_newline(P))
		tp_take_newline(P);	/* a newline right after """ goes */
	for (;;) {
		if (take_run(P, out, stop))
			return -1;
		if (P->p == P->end)
			return tp_fail_at(P, line, col, "multi-line string "
					  "never closed");
		if (*P->p == q) {
			rc = ml_quotes(P, out, q);
			if (rc)
				return rc < 0 ? -1 : 0;
		} else if (*P->p == '\\') {
			if (ml_backslash(P, out))
				return -1;
		} else {
			if (gg_buf_addc(out, '\n'))
				return tp_oom(P);
			tp_take_newline(P);
		}
	}
}

int tp_string(struct tparser *P, struct gg_buf *out, int is_key)
{
	char q = *P->p;
	int triple = tp_peek(P, 1) == q && tp_peek(P, 2) == q;

	if (!triple)
		return line_string(P, out);
	if (is_key)
		return tp_fail(P, "a multi-line string cannot be a key");
	return ml_string(P, out);
}

/* ---- numbers ------------------------------------------------------------ */

static int digit_val(int c, int base)
{
	int d = hex_val(c);

	return d >= 0 && d < base ? d : -1;
}

/* A run of digits in base with single underscores between digits. Returns
 * its end (the first character that does not belong), or NULL if the run
 * does not start with a digit. */
static const char *scan_digits(const char *s, const char *e, int base)
{
	if (s >= e || digit_val((unsigned char)*s, base) < 0)
		return NULL;
	while (s < e) {
		if (digit_val((unsigned char)*s, base) >= 0)
			s++;
		else if (*s == '_' && s + 1 < e &&
			 digit_val((unsigned char)s[1], base) >= 0)
			s++;
		else
			break;
	}
	return s;
}

static int bad_number(struct tparser *P, const char *s, const char *e,
		      const char *why)
{
	size_t n = (size_t)(e - s);

	return tp_fail(P, "invalid number '%.*s%s': %s", n > 40 ? 40 : (int)n,
		       s, n > 40 ? "..." : "", why);
}

/* Digits of [s, e) (already checked) into v, within int64. */
static int to_int(struct tparser *P, const char *s, const char *e, int base,
		  int neg, struct toml_value *v)
{
	uint64_t max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t x = 0;
	const char *p;

	for (p = s; p < e; p++) {
		int d = digit_val((unsigned char)*p, base);

		if (d < 0)
			continue;	/* an underscore */
		if (x > (max - (uint64_t)d) / (uint64_t)base)
			return bad_number(P, P->p, e, "does not fit in a "
					  "64-bit signed integer");
		x = x * (uint64_t)base + (uint64_t)d;
	}
	v->type = TOML_INTEGER;
	if (neg)
		v->u.i = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
	else
		v->u.i = (int64_t)x;
	return 0;
}

/* 0x.., 0o.., 0b..: no sign, no leading underscore. */
static int prefixed_int(struct tparser *P, const char *s, const char *e,
			struct toml_value *v)
{
	int base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
	const char *d = scan_digits(s + 2, e, base);

	if (!d || d != e)
		return bad_number(P, s, e, base == 16 ? "bad hexadecimal "
				  "digits" : base == 8 ? "bad octal digits" :
				  "bad binary digits");
	return to_int(P, s + 2, e, base, 0, v);
}

/* A float already checked against the grammar: strtod on a copy without
 * underscores, in the C library's locale. */
static int to_float(struct tparser *P, const char *s, const char *e,
		    struct toml_value *v)
{
	const char *text;
	char *end;
	double f;

	gg_buf_reset(&P->sbuf);
	for (const char *p = s; p < e; p++) {
		char c = *p == '.' ? P->decimal_point : *p;

		if (*p != '_' && gg_buf_addc(&P->sbuf, (uint8_t)c))
			return tp_oom(P);
	}
	text = gg_buf_cstr(&P->sbuf);
	f = strtod(text, &end);
	if (end != text + P->sbuf.len)
		return bad_number(P, s, e, "not a float");
	if (isinf(f))
		return bad_number(P, s, e, "too large for a 64-bit float");
	v->type = TOML_FLOAT;
	v->u.f = f;
	return 0;
}

/* Decimal integer or float: [sign] int [. digits] [e [sign] digits]. q is
 * past the sign. */
static int decimal(struct tparser *P, const char *s, const char *q,
		   const char *e, struct toml_value *v)
{
	const char *p = scan_digits(q, e, 10);
	int is_float = 0;

	if (!p)
		return bad_number(P, s, e, "expected a digit");
	if (*q == '0' && p - q > 1)
		return bad_number(P, s, e, "leading zeros are not allowed");
	if (p < e && *p == '.') {
		p = scan_digits(p + 1, e, 10);
		if (!p)
			return bad_number(P, s, e, "'.' must have digits on "
					  "both sides");
		is_float = 1;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		p = scan_digits(p, e, 10);
		if (!p)
			return bad_number(P, s, e, "exponent without digits");
		is_float = 1;
	}
	if (p != e)
		return bad_number(P, s, e, *p == '_' ? "an underscore must "
				  "be between two digits" :
				  "unexpected character");
	if (is_float)
		return to_float(P, s, e, v);
	return to_int(P, q, e, 10, *s == '-', v);
}

static int number(struct tparser *P, struct toml_value *v)
{
	const char *s = P->p, *e = s, *q = s;

	while (e < P->end && tp_is_token_char((unsigned char)*e))
		e++;
	if (*q == '+' || *q == '-')
		q++;
	if (e - q == 3 && (!memcmp(q, "inf", 3) || !memcmp(q, "nan", 3))) {
		v->type = TOML_FLOAT;
		v->u.f = q[0] == 'i' ? (double)INFINITY : (double)NAN;
		if (*s == '-')
			v->u.f = -v->u.f;
	} else if (e - q > 1 && q[0] == '0' &&
		   (q[1] == 'x' || q[1] == 'o' || q[1] == 'b')) {
		if (q != s)
			return bad_number(P, s, e, "hexadecimal, octal and "
					  "binary numbers take no sign");
		if (prefixed_int(P, s, e, v))
			return -1;
	} else if (decimal(P, s, q, e, v)) {
		return -1;
	}
	P->p = e;
	return 0;
}

int tp_scalar(struct tparser *P, struct toml_value **out)
{
	struct toml_value *v = tv_new(TOML_INTEGER, P->line, tp_col(P, P->p));
	int rc;

	if (!v)
		return tp_oom(P);
	if (tp_looks_like_datetime(P))
		rc = tp_datetime(P, v);
	else
		rc = number(P, v);
	if (rc) {
		tv_free(v);
		return -1;
	}
	*out = v;
	return 0;
}
