/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * Like curl's dynbuf, a buffer is told at init how large it may ever grow;
 * an append past that fails with GG_ETOOBIG and leaves the buffer as it
 * was.  Like git's strbuf, the data is always NUL-terminated (the NUL is
 * not counted in len), so text can be built in it safely.
 */
#ifndef GG_BUF_H
#define GG_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct gg_buf {
	uint8_t *data; /* NULL until the first append; see gg_buf_cstr */
	size_t len;
	size_t cap; /* allocated, excluding the terminating NUL */
	size_t max; /* hard limit on len */
};

#define GG_BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void gg_buf_init(struct gg_buf *b, size_t max);
/* Free the contents; the buffer is empty and usable again afterwards. */
void gg_buf_release(struct gg_buf *b);
void gg_buf_reset(struct gg_buf *b);
/* Make room for n more bytes (0 or GG_ETOOBIG / GG_ENOMEM). */
int gg_buf_reserve(struct gg_buf *b, size_t n);
int gg_buf_add(struct gg_buf *b, const void *p, size_t n);
int gg_buf_addc(struct gg_buf *b, uint8_t c);
int gg_buf_adds(struct gg_buf *b, const char *s);
int gg_buf_printf(struct gg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int gg_buf_vprintf(struct gg_buf *b, const char *fmt, va_list ap);
/* An error message for the caller: replace err's contents (when err is
 * not NULL) with the formatted text, and return rc. */
int gg_buf_fail(struct gg_buf *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Drop the first n bytes (n <= len). */
void gg_buf_consume(struct gg_buf *b, size_t n);
/* Always a valid NUL-terminated string, "" when empty. */
const char *gg_buf_cstr(const struct gg_buf *b);
/* Hand the allocation to the caller (NUL-terminated, may be NULL when
 * nothing was ever added) and reset the buffer. */
uint8_t *gg_buf_detach(struct gg_buf *b, size_t *len);

#endif
