/*
 * toml.c - the TOML 1.0 document parser: lines, keys, [tables],
 * [[arrays of tables]], arrays and inline tables, and the rules on what may
 * be defined twice.
 *
 * Before parsing, one pass checks the whole input is UTF-8 without control
 * characters or bare carriage returns (TOML forbids them everywhere, in
 * comments and strings alike), so the grammar below never meets them. Then a
 * recursive descent moves one cursor through the text. Recursion only
 * happens for nested arrays and inline tables, and every container checks
 * its depth against the limit before it recurses.
 *
 * Which keys may extend which tables is decided by how the table came to be
 * (TF_* in toml_impl.h): a [header] may pass through or define a table made
 * implicitly by another header, may pass through one made by dotted keys but
 * never define it; dotted keys may only pass through tables made implicitly
 * (by either means); nothing may touch an inline table or a static array.
 */
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml_impl.h"

/* One part of a dotted key; its bytes are text.p[off .. off + len). */
struct tseg {
	size_t off, len;
	int line, col;
};

/* A key as written: a.b."c d" has three parts. */
struct tkey {
	struct tseg *seg;
	size_t n, cap;
	struct gg_buf text;
};

#define NAME_LEN 80	/* longest key name quoted in an error message */

static int parse_value(struct tparser *P, int depth, struct toml_value **out);

/* ---- errors ------------------------------------------------------------- */

static int vfail(struct tparser *P, int line, int col, const char *fmt,
		 va_list ap)
{
	if (!P->failed && P->err) {
		int n;

		P->err->line = line;
		P->err->col = col;
		n = vsnprintf(P->err->msg, sizeof(P->err->msg), fmt, ap);
		if (n < 0)
			P->err->msg[0] = '\0';
		else if ((size_t)n >= sizeof(P->err->msg))
			memcpy(P->err->msg + sizeof(P->err->msg) - 4, "...", 4);
	}
	P->failed = 1;
	return -1;
}

int tp_fail_at(struct tparser *P, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(P, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

int tp_fail(struct tparser *P, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(P, P->line, tp_col(P, P->p), fmt, ap);
	va_end(ap);
	return -1;
}

int tp_oom(struct tparser *P)
{
	return tp_fail(P, "out of memory");
}

/* The input is valid UTF-8 by now, so a multi-byte character is copied
 * whole. */
const char *tp_describe(const struct tparser *P, char *buf, size_t n)
{
	int c = tp_peek(P, 0);
	size_t len = 1;

	if (c < 0)
		return "end of file";
	if (tp_at_newline(P))
		return "end of line";
	if (c >= 0xF0)
		len = 4;
	else if (c >= 0xE0)
		len = 3;
	else if (c >= 0xC0)
		len = 2;
	if (snprintf(buf, n, "'%.*s'", (int)len, P->p) >= (int)n)
		return "a character";
	return buf;
}

static int is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void name_put(char *buf, size_t n, size_t *pos, char c)
{
	if (*pos + 1 >= n) {
		memcpy(buf + n - 4, "...", 3);
		return;
	}
	buf[(*pos)++] = c;
	buf[*pos] = '\0';
}

static void name_seg(char *buf, size_t n, size_t *pos, const char *s,
		     size_t len)
{
	size_t i;
	int bare = len > 0;

	for (i = 0; i < len && bare; i++)
		bare = is_bare((unsigned char)s[i]);
	if (!bare)
		name_put(buf, n, pos, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			name_put(buf, n, pos, '\\');
		name_put(buf, n, pos, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	if (!bare)
		name_put(buf, n, pos, '"');
}

/* ---- keys --------------------------------------------------------------- */

static const char *seg_ptr(const struct tkey *k, size_t i)
{
	return gg_buf_cstr(&k->text) + k->seg[i].off;
}

/* Parts 0..upto of k as a person would write them: a.b."c d". */
static const char *key_name(const struct tkey *k, size_t upto, char *buf,
			    size_t n)
{
	size_t i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i <= upto && i < k->n; i++) {
		if (i)
			name_put(buf, n, &pos, '.');
		name_seg(buf, n, &pos, seg_ptr(k, i), k->seg[i].len);
	}
	return buf;
}

static void key_release(struct tkey *k)
{
	free(k->seg);
	gg_buf_release(&k->text);
}

static int key_push(struct tparser *P, struct tkey *k, size_t off, int line,
		    int col)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4;
		struct tseg *seg;

		if (cap > SIZE_MAX / sizeof(*seg))
			return tp_oom(P);
		seg = realloc(k->seg, cap * sizeof(*seg));
		if (!seg)
			return tp_oom(P);
		k->seg = seg;
		k->cap = cap;
	}
	k->seg[k->n].off = off;
	k->seg[k->n].len = k->text.len - off;
	k->seg[k->n].line = line;
	k->seg[k->n].col = col;
	k->n++;
	return 0;
}

static void skip_ws(struct tparser *P)
{
	while (P->p < P->end && (*P->p == ' ' || *P->p == '\t'))
		P->p++;
}

static int parse_simple_key(struct tparser *P, struct tkey *k)
{
	int line = P->line, col = tp_col(P, P->p), c = tp_peek(P, 0);
	size_t off = k->text.len;
	char d[16];

	if (c == '"' || c == '\'') {
		if (tp_string(P, &k->text, 1))
			return -1;
	} else if (is_bare(c)) {
		const char *s = P->p;

		while (P->p < P->end && is_bare((unsigned char)*P->p))
			P->p++;
		if (gg_buf_add(&k->text, s, (size_t)(P->p - s)))
			return tp_oom(P);
	} else {
		return tp_fail(P, "expected a key, found %s",
			       tp_describe(P, d, sizeof(d)));
	}
	return key_push(P, k, off, line, col);
}

/* A key, dotted or not, and the blanks after it. */
static int parse_key(struct tparser *P, struct tkey *k)
{
	for (;;) {
		if (parse_simple_key(P, k))
			return -1;
		skip_ws(P);
		if (tp_peek(P, 0) != '.')
			return 0;
		P->p++;
		skip_ws(P);
	}
}

/* ---- containers and what may extend them -------------------------------- */

static struct toml_value *new_container(struct tparser *P, enum toml_type t,
					int depth, unsigned flags, int line,
					int col)
{
	struct toml_value *v;

	if (depth > P->max_depth) {
		tp_fail_at(P, line, col, "tables and arrays nested deeper "
			   "than %d levels", P->max_depth);
		return NULL;
	}
	v = tv_new(t, line, col);
	if (!v) {
		tp_oom(P);
		return NULL;
	}
	v->depth = depth;
	v->flags = flags;
	return v;
}

/* Create a container under key part i of k in table t. */
static struct toml_value *add_child(struct tparser *P, struct toml_value *t,
				    const struct tkey *k, size_t i,
				    enum toml_type type, unsigned flags,
				    int line, int col)
{
	struct toml_value *v = new_container(P, type, t->depth + 1, flags,
					     line, col);

	if (v && tv_insert(t, seg_ptr(k, i), k->seg[i].len, v)) {
		tv_free(v);
		tp_oom(P);
		return NULL;
	}
	return v;
}

static const char *describe_value(const struct toml_value *v)
{
	if (v->type == TOML_TABLE) {
		if (v->flags & TF_INLINE)
			return "an inline table";
		if (v->flags & TF_DOTTED)
			return "a table made by dotted keys";
		if (v->flags & TF_IMPLICIT)
			return "a table";
		return "a table with its own [header]";
	}
	if (v->type == TOML_ARRAY)
		return v->flags & TF_AOT ? "an array of tables" :
					   "a static array";
	switch (v->type) {
	case TOML_STRING:
		return "a string";
	case TOML_INTEGER:
		return "an integer";
	case TOML_FLOAT:
		return "a float";
	case TOML_BOOL:
		return "a boolean";
	default:
		return "a date-time";
	}
}

/* Key part i names an existing value v that the text may not use as it
 * wants to (what: "cannot be extended here", ...). */
static int conflict(struct tparser *P, const struct tkey *k, size_t i,
		    const struct toml_value *v, const char *what)
{
	char name[NAME_LEN];

	return tp_fail_at(P, k->seg[i].line, k->seg[i].col,
			  "'%s' is %s (defined at line %d) %s",
			  key_name(k, i, name, sizeof(name)),
			  describe_value(v), v->line, what);
}

#define NO_EXTEND "and cannot be extended here"

/* Step from *tp into key part i of a [header], making it if missing. */
static int header_step(struct tparser *P, struct toml_value **tp,
		       const struct tkey *k, size_t i, int line, int col)
{
	struct toml_value *v = tv_find(*tp, seg_ptr(k, i), k->seg[i].len);

	if (!v) {
		v = add_child(P, *tp, k, i, TOML_TABLE, TF_IMPLICIT, line, col);
		if (!v)
			return -1;
	} else if (v->type == TOML_ARRAY && (v->flags & TF_AOT)) {
		v = v->u.arr.v[v->u.arr.len - 1];
	} else if (v->type != TOML_TABLE || (v->flags & TF_INLINE)) {
		return conflict(P, k, i, v, NO_EXTEND);
	}
	*tp = v;
	return 0;
}

/* The table holding the last part of a [header] key. */
static struct toml_value *header_parent(struct tparser *P,
					const struct tkey *k, int line,
					int col)
{
	struct toml_value *t = P->root;
	size_t i;

	for (i = 0; i + 1 < k->n; i++)
		if (header_step(P, &t, k, i, line, col))
			return NULL;
	return t;
}

/* [a.b.c] */
static int open_table(struct tparser *P, const struct tkey *k, int line,
		      int col)
{
	struct toml_value *t = header_parent(P, k, line, col), *v;
	size_t last = k->n - 1;
	char name[NAME_LEN];

	if (!t)
		return -1;
	v = tv_find(t, seg_ptr(k, last), k->seg[last].len);
	if (!v) {
		v = add_child(P, t, k, last, TOML_TABLE, TF_DEFINED, line,
			      col);
		if (!v)
			return -1;
	} else if (v->type == TOML_TABLE && (v->flags & TF_IMPLICIT)) {
		v->flags = (v->flags & ~(unsigned)TF_IMPLICIT) | TF_DEFINED;
		v->line = line;
		v->col = col;
	} else if (v->type == TOML_TABLE && (v->flags & TF_DEFINED)) {
		return tp_fail_at(P, line, col, "table [%s] defined twice "
				  "(first at line %d)",
				  key_name(k, last, name, sizeof(name)),
				  v->line);
	} else {
		return conflict(P, k, last, v, v->type == TOML_TABLE ?
				NO_EXTEND : "and cannot become a table");
	}
	P->cur = v;
	return 0;
}

/* [[a.b.c]] */
static int open_array_table(struct tparser *P, const struct tkey *k,
			    int line, int col)
{
	struct toml_value *t = header_parent(P, k, line, col), *a, *elem;
	size_t last = k->n - 1;

	if (!t)
		return -1;
	a = tv_find(t, seg_ptr(k, last), k->seg[last].len);
	if (!a) {
		a = add_child(P, t, k, last, TOML_ARRAY, TF_AOT, line, col);
		if (!a)
			return -1;
	} else if (a->type != TOML_ARRAY || !(a->flags & TF_AOT)) {
		return conflict(P, k, last, a, "and cannot become an array of "
				"tables");
	}
	elem = new_container(P, TOML_TABLE, a->depth + 1, TF_DEFINED, line,
			     col);
	if (!elem)
		return -1;
	if (tv_push(a, elem)) {
		tv_free(elem);
		return tp_oom(P);
	}
	P->cur = elem;
	return 0;
}

static int expect_close(struct tparser *P, int aot)
{
	char d[16];

	if (tp_peek(P, 0) != ']' || (aot && tp_peek(P, 1) != ']'))
		return tp_fail(P, "expected '%s' to close the table header, "
			       "found %s", aot ? "]]" : "]",
			       tp_describe(P, d, sizeof(d)));
	P->p += aot ? 2 : 1;
	return 0;
}

/* A [table] or [[array of tables]] line; the cursor is on '['. */
static int parse_header(struct tparser *P)
{
	int line = P->line, col = tp_col(P, P->p);
	int aot = tp_peek(P, 1) == '[';
	struct tkey k = { 0 };
	int rc;

	gg_buf_init(&k.text, P->max_input);
	P->p += aot ? 2 : 1;
	skip_ws(P);
	rc = parse_key(P, &k);
	if (!rc)
		rc = expect_close(P, aot);
	if (!rc)
		rc = aot ? open_array_table(P, &k, line, col) :
			   open_table(P, &k, line, col);
	key_release(&k);
	return rc;
}

/* ---- key = value -------------------------------------------------------- */

/* Step from *tp into key part i of a dotted key, making it if missing. */
static int dotted_step(struct tparser *P, struct toml_value **tp,
		       const struct tkey *k, size_t i)
{
	struct toml_value *v = tv_find(*tp, seg_ptr(k, i), k->seg[i].len);

	if (!v) {
		v = add_child(P, *tp, k, i, TOML_TABLE, TF_DOTTED,
			      k->seg[i].line, k->seg[i].col);
		if (!v)
			return -1;
	} else if (v->type != TOML_TABLE ||
		   (v->flags & (TF_INLINE | TF_DEFINED))) {
		return conflict(P, k, i, v, NO_EXTEND);
	}
	*tp = v;
	return 0;
}

static int duplicate(struct tparser *P, const struct tkey *k,
		     const struct toml_value *old)
{
	char name[NAME_LEN];
	size_t last = k->n - 1;

	return tp_fail_at(P, k->seg[last].line, k->seg[last].col,
			  "duplicate key '%s' (first defined at line %d)",
			  key_name(k, last, name, sizeof(name)), old->line);
}

/* key = value, into table tab; the cursor is on the key. */
static int parse_keyval(struct tparser *P, struct toml_value *tab)
{
	struct tkey k = { 0 };
	struct toml_value *t = tab, *v = NULL, *old;
	size_t i, last;
	char d[16];
	int rc = -1;

	gg_buf_init(&k.text, P->max_input);
	if (parse_key(P, &k))
		goto out;
	if (tp_peek(P, 0) != '=') {
		tp_fail(P, "expected '=' after the key, found %s",
			tp_describe(P, d, sizeof(d)));
		goto out;
	}
	P->p++;
	skip_ws(P);
	last = k.n - 1;
	for (i = 0; i < last; i++)
		if (dotted_step(P, &t, &k, i))
			goto out;
	old = tv_find(t, seg_ptr(&k, last), k.seg[last].len);
	if (old) {
		duplicate(P, &k, old);
		goto out;
	}
	if (parse_value(P, t->depth + 1, &v))
		goto out;
	if (tv_insert(t, seg_ptr(&k, last), k.seg[last].len, v)) {
		tv_free(v);
		tp_oom(P);
		goto out;
	}
	rc = 0;
out:
	key_release(&k);
	return rc;
}

/* ---- values ------------------------------------------------------------- */

static void skip_comment(struct tparser *P)
{
	while (P->p < P->end && *P->p != '\n' && *P->p != '\r')
		P->p++;
}

/* Blanks, comments and newlines: what may separate array elements. */
static void skip_wscn(struct tparser *P)
{
	for (;;) {
		skip_ws(P);
		if (tp_peek(P, 0) == '#')
			skip_comment(P);
		if (!tp_at_newline(P))
			return;
		tp_take_newline(P);
	}
}

static int parse_array(struct tparser *P, int depth, struct toml_value **out)
{
	struct toml_value *a = new_container(P, TOML_ARRAY, depth, 0, P->line,
					     tp_col(P, P->p));
	char d[16];

	if (!a)
		return -1;
	P->p++;
	for (;;) {
		struct toml_value *v;

		skip_wscn(P);
		if (tp_peek(P, 0) == ']')
			break;
		if (parse_value(P, depth + 1, &v))
			goto fail;
		if (tv_push(a, v)) {
			tv_free(v);
			tp_oom(P);
			goto fail;
		}
		skip_wscn(P);
		if (tp_peek(P, 0) == ']')
			break;
		if (tp_peek(P, 0) != ',') {
			tp_fail(P, "expected ',' or ']' in the array opened at "
				"line %d, found %s", a->line,
				tp_describe(P, d, sizeof(d)));
			goto fail;
		}
		P->p++;
	}
	P->p++;
	*out = a;
	return 0;
fail:
	tv_free(a);
	return -1;
}

/* Blanks inside { }, where TOML 1.0 allows no line break (nor, so, a
 * comment). */
static int inline_ws(struct tparser *P, const struct toml_value *t)
{
	skip_ws(P);
	if (tp_at_newline(P) || tp_peek(P, 0) == '#')
		return tp_fail(P, "the inline table opened at line %d must "
			       "end on the same line", t->line);
	return 0;
}

/* After a key/value pair in { }: ',' and more, or '}'. 1 when closed. */
static int inline_next(struct tparser *P, const struct toml_value *t)
{
	char d[16];

	if (inline_ws(P, t))
		return -1;
	if (tp_peek(P, 0) == '}')
		return 1;
	if (tp_peek(P, 0) != ',')
		return tp_fail(P, "expected ',' or '}' in the inline table, "
			       "found %s", tp_describe(P, d, sizeof(d)));
	P->p++;
	if (inline_ws(P, t))
		return -1;
	if (tp_peek(P, 0) == '}')
		return tp_fail(P, "no trailing comma allowed before '}' in an "
			       "inline table");
	return 0;
}

static int parse_inline_table(struct tparser *P, int depth,
			      struct toml_value **out)
{
	struct toml_value *t = new_container(P, TOML_TABLE, depth, 0, P->line,
					     tp_col(P, P->p));
	int rc;

	if (!t)
		return -1;
	P->p++;
	rc = inline_ws(P, t);
	if (!rc && tp_peek(P, 0) == '}')
		rc = 1;
	while (!rc) {
		rc = parse_keyval(P, t);
		if (!rc)
			rc = inline_next(P, t);
	}
	if (rc < 0) {
		tv_free(t);
		return -1;
	}
	P->p++;
	t->flags |= TF_INLINE;
	*out = t;
	return 0;
}

static int parse_string_value(struct tparser *P, struct toml_value **out)
{
	struct toml_value *v = tv_new(TOML_STRING, P->line, tp_col(P, P->p));

	if (!v)
		return tp_oom(P);
	gg_buf_reset(&P->sbuf);
	if (tp_string(P, &P->sbuf, 0)) {
		tv_free(v);
		return -1;
	}
	if (tv_set_str(v, gg_buf_cstr(&P->sbuf), P->sbuf.len)) {
		tv_free(v);
		return tp_oom(P);
	}
	*out = v;
	return 0;
}

static int word_is(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && !memcmp(s, w, n);
}

/* A value starting with a letter: true, false, inf or nan. */
static int parse_word(struct tparser *P, struct toml_value **out)
{
	const char *s = P->p;
	size_t n = 0;
	struct toml_value *v;

	while (s + n < P->end && is_bare((unsigned char)s[n]))
		n++;
	if (word_is(s, n, "inf") || word_is(s, n, "nan"))
		return tp_scalar(P, out);
	if (!word_is(s, n, "true") && !word_is(s, n, "false"))
		return tp_fail(P, "'%.*s' is not a value (strings need "
			       "quotes; booleans are true and false)",
			       n > 40 ? 40 : (int)n, s);
	v = tv_new(TOML_BOOL, P->line, tp_col(P, s));
	if (!v)
		return tp_oom(P);
	v->u.b = *s == 't';
	P->p += n;
	*out = v;
	return 0;
}

static int parse_value(struct tparser *P, int depth, struct toml_value **out)
{
	int c = tp_peek(P, 0);
	char d[16];

	if (c == '"' || c == '\'')
		return parse_string_value(P, out);
	if (c == '[')
		return parse_array(P, depth, out);
	if (c == '{')
		return parse_inline_table(P, depth, out);
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return parse_word(P, out);
	if ((c >= '0' && c <= '9') || c == '+' || c == '-')
		return tp_scalar(P, out);
	return tp_fail(P, "expected a value, found %s",
		       tp_describe(P, d, sizeof(d)));
}

/* ---- the document ------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (2 to 4), or 0: no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int bad_byte(struct tparser *P, int line, int col, unsigned char c)
{
	if (c >= 0x80)
		return tp_fail_at(P, line, col, "invalid UTF-8");
	if (c == '\r')
		return tp_fail_at(P, line, col, "carriage return not followed "
				  "by a line feed");
	return tp_fail_at(P, line, col, "control character U+%04X is not "
			  "allowed (use an escape in a basic string)", c);
}

/* The whole input: UTF-8, and no control character but tab and newline. */
static int check_text(struct tparser *P)
{
	const unsigned char *s = (const unsigned char *)P->p;
	const unsigned char *e = (const unsigned char *)P->end, *bol = s;
	int line = 1;

	while (s < e) {
		size_t n = 1;

		if (*s == '\n') {
			line++;
			bol = s + 1;
		} else if (*s >= 0x80) {
			n = utf8_len(s, (size_t)(e - s));
		} else if ((*s < 0x20 && *s != '\t' && *s != '\r') ||
			   *s == 0x7f || (*s == '\r' && (s + 1 == e ||
							 s[1] != '\n'))) {
			n = 0;
		}
		if (!n)
			return bad_byte(P, line, (int)(s - bol) + 1, *s);
		s += n;
	}
	return 0;
}

static int expect_eol(struct tparser *P)
{
	char d[16];

	skip_ws(P);
	if (tp_peek(P, 0) == '#')
		skip_comment(P);
	if (P->p == P->end)
		return 0;
	if (tp_at_newline(P)) {
		tp_take_newline(P);
		return 0;
	}
	return tp_fail(P, "expected the end of the line, found %s",
		       tp_describe(P, d, sizeof(d)));
}

static int parse_document(struct tparser *P)
{
	for (;;) {
		int c;

		skip_ws(P);
		c = tp_peek(P, 0);
		if (c < 0)
			return 0;
		if (c == '[') {
			if (parse_header(P))
				return -1;
		} else if (c != '#' && !tp_at_newline(P)) {
			if (parse_keyval(P, P->cur))
				return -1;
		}
		if (expect_eol(P))
			return -1;
	}
}

static void parser_init(struct tparser *P, const char *src, size_t len,
			const struct toml_limits *lim, struct toml_error *err)
{
	memset(P, 0, sizeof(*P));
	P->p = P->bol = src;
	P->end = src + len;
	P->line = 1;
	P->err = err;
	P->max_input = lim && lim->max_input ? lim->max_input :
					       TOML_DEFAULT_MAX_INPUT;
	if (P->max_input > INT_MAX)
		P->max_input = INT_MAX;
	P->max_depth = lim && lim->max_depth > 0 ? lim->max_depth :
						   TOML_DEFAULT_MAX_DEPTH;
	if (P->max_depth > TOML_MAX_DEPTH_CAP)
		P->max_depth = TOML_MAX_DEPTH_CAP;
	gg_buf_init(&P->sbuf, P->max_input);
	P->decimal_point = localeconv()->decimal_point[0];
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		P->p = P->bol = src + 3;	/* byte order mark */
}

struct toml_value *toml_parse_limits(const char *src, size_t len,
				     const struct toml_limits *lim,
				     struct toml_error *err)
{
	struct tparser P;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!src)
		src = "";
	parser_init(&P, src, len, lim, err);
	if (len > P.max_input) {
		tp_fail_at(&P, 1, 1, "input of %zu bytes is over the limit of "
			   "%zu bytes", len, P.max_input);
		return NULL;
	}
	P.root = P.cur = tv_new(TOML_TABLE, 1, 1);
	if (!P.root) {
		tp_oom(&P);
		return NULL;
	}
	if (check_text(&P) || parse_document(&P)) {
		tv_free(P.root);
		P.root = NULL;
	}
	gg_buf_release(&P.sbuf);
	return P.root;
}

struct toml_value *toml_parse(const char *src, size_t len,
			      struct toml_error *err)
{
	return toml_parse_limits(src, len, NULL, err);
}
