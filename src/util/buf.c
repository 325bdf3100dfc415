/*
 * buf.c - the capped growable buffer of buf.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"

void gg_buf_init(struct gg_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void gg_buf_release(struct gg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void gg_buf_reset(struct gg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

int gg_buf_reserve(struct gg_buf *b, size_t n)
{
	size_t need, ncap;
	uint8_t *p;

	if (n > b->max || b->len > b->max - n)
		return GG_ETOOBIG;
	need = b->len + n;
	if (need <= b->cap && b->data)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 4 ? need : ncap * 2;
	if (ncap > b->max)
		ncap = b->max;
	p = realloc(b->data, ncap + 1);
	if (!p)
		return GG_ENOMEM;
	if (!b->data)
		p[0] = 0;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int gg_buf_add(struct gg_buf *b, const void *p, size_t n)
{
	int rc = gg_buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int gg_buf_addc(struct gg_buf *b, uint8_t c)
{
	return gg_buf_add(b, &c, 1);
}

int gg_buf_adds(struct gg_buf *b, const char *s)
{
	return gg_buf_add(b, s, strlen(s));
}

int gg_buf_vprintf(struct gg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return GG_EINVAL;
	rc = gg_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int gg_buf_printf(struct gg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = gg_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int gg_buf_fail(struct gg_buf *err, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		gg_buf_reset(err);
		va_start(ap, fmt);
		gg_buf_vprintf(err, fmt, ap);
		va_end(ap);
	}
	return rc;
}

void gg_buf_consume(struct gg_buf *b, size_t n)
{
	if (n >= b->len) {
		gg_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = 0;
}

const char *gg_buf_cstr(const struct gg_buf *b)
{
	return b->data ? (const char *)b->data : "";
}

uint8_t *gg_buf_detach(struct gg_buf *b, size_t *len)
{
	uint8_t *p = b->data;

	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
