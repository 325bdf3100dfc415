/*
 * toml_impl.h - what the TOML parser's files share and nobody else sees.
 *
 * toml.c parses the document structure (keys, headers, arrays, inline
 * tables) and enforces the redefinition rules; toml_value.c reads strings
 * and numbers; toml_datetime.c reads the four date/time forms; toml_tree.c
 * owns the value tree (tables ordered by insertion, indexed by an AVL tree
 * so duplicate checks stay O(log n) on hostile input) and the public
 * accessors. The three parsing files move one cursor through the input,
 * held in struct tparser.
 */
#ifndef GG_CONFIG_TOML_IMPL_H
#define GG_CONFIG_TOML_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "toml.h"
#include "util/buf.h"

/* How a table came to exist; decides what may later add to it. */
enum {
	TF_IMPLICIT = 1 << 0,	/* created as a parent by a [header] */
	TF_DEFINED = 1 << 1,	/* opened by its own [header] or [[header]] */
	TF_DOTTED = 1 << 2,	/* created by a dotted key: a.b = 1 */
	TF_INLINE = 1 << 3,	/* { ... }: closed once its '}' is read */
	TF_AOT = 1 << 4		/* an array made by [[header]]: may grow */
};

struct toml_kv {
	char *key;
	size_t klen;
	struct toml_value *val;
	uint32_t left, right;	/* AVL children as index + 1; 0: none */
	int height;
};

struct toml_value {
	enum toml_type type;
	unsigned flags;		/* TF_* */
	int depth;		/* containers only: root table is 0 */
	int line, col;
	union {
		struct {
			char *p;	/* strings and date/time text */
			size_t len;
		} s;
		int64_t i;
		double f;
		int b;
		struct {
			struct toml_value **v;
			size_t len, cap;
		} arr;
		struct {
			struct toml_kv *kv;
			size_t len, cap;
			uint32_t root;	/* AVL root as index + 1 */
		} tab;
	} u;
};

/* The parser's state: a cursor over the input and where to report errors. */
struct tparser {
	const char *p, *end;	/* next byte, end of input */
	const char *bol;	/* first byte of the current line */
	int line;
	int max_depth;
	int failed;
	struct toml_error *err;
	struct toml_value *root;
	struct toml_value *cur;	/* table receiving key = value lines */
	size_t max_input;	/* also caps every scratch buffer */
	struct gg_buf sbuf;	/* scratch: decoded strings, float text */
	char decimal_point;	/* the C library's, for strtod */
};

/* Record the first error at line:col; always returns -1. */
int tp_fail_at(struct tparser *P, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same at the cursor. */
int tp_fail(struct tparser *P, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tp_oom(struct tparser *P);

static inline int tp_col(const struct tparser *P, const char *at)
{
	return (int)(at - P->bol) + 1;
}

static inline int tp_peek(const struct tparser *P, size_t k)
{
	return (size_t)(P->end - P->p) > k ? (unsigned char)P->p[k] : -1;
}

/* LF, or CR LF (a bare CR was refused before parsing started). */
static inline int tp_at_newline(const struct tparser *P)
{
	int c = tp_peek(P, 0);

	return c == '\n' || (c == '\r' && tp_peek(P, 1) == '\n');
}

static inline void tp_take_newline(struct tparser *P)
{
	P->p += *P->p == '\r' ? 2 : 1;
	P->line++;
	P->bol = P->p;
}

/* Describe the text at the cursor for an error message ("'x'", "end of
 * line", "end of file"). */
const char *tp_describe(const struct tparser *P, char *buf, size_t n);

/* toml_value.c: the cursor is on the opening quote. A key may not be a
 * multi-line string. Appends the decoded bytes to out. */
int tp_string(struct tparser *P, struct gg_buf *out, int is_key);
/* toml_value.c: integer, float, inf/nan or date-time at the cursor. */
int tp_scalar(struct tparser *P, struct toml_value **out);
/* toml_datetime.c: does the text at the cursor start like a date or time? */
int tp_looks_like_datetime(const struct tparser *P);
/* toml_datetime.c: read the date/time at the cursor into v. */
int tp_datetime(struct tparser *P, struct toml_value *v);

/* Characters that can continue a number or date-time; a value followed
 * directly by one more of them is malformed (1.5x, 2020-01-01x). */
static inline int tp_is_token_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '+' || c == '-' ||
	       c == '.' || c == ':';
}

/* toml_tree.c */
struct toml_value *tv_new(enum toml_type t, int line, int col);
int tv_set_str(struct toml_value *v, const char *s, size_t n);
struct toml_value *tv_find(const struct toml_value *tab, const char *key,
			   size_t klen);
int tv_insert(struct toml_value *tab, const char *key, size_t klen,
	      struct toml_value *val);
int tv_push(struct toml_value *arr, struct toml_value *val);
void tv_free(struct toml_value *v);

#endif /* GG_CONFIG_TOML_IMPL_H */
