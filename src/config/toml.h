/*
 * toml.h - a TOML 1.0 parser producing a read-only tree of values.
 *
 * toml_parse() validates a whole document (UTF-8, syntax, the table and key
 * redefinition rules of TOML 1.0) and returns its root table, or NULL with a
 * struct toml_error saying where and why. Every value remembers the line and
 * column where it was defined, so configuration code can report "file:line"
 * for any key. Tables keep their keys in insertion order. The tree is freed
 * with toml_free(); every accessor below accepts NULL and the wrong type and
 * then returns a neutral result (NULL, 0, TOML_NONE), so lookups chain:
 *     toml_int(toml_path(root, "performance.max_peers"))
 * The parser keeps no global state; it only reads the C library's decimal
 * point (localeconv) so that floats convert right under any LC_NUMERIC.
 */
#ifndef GG_CONFIG_TOML_H
#define GG_CONFIG_TOML_H

#include <stddef.h>
#include <stdint.h>

enum toml_type {
	TOML_NONE = 0,		/* no value: what toml_type(NULL) returns */
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,		/* offset date-time: 1979-05-27T07:32:00Z */
	TOML_DATETIME_LOCAL,	/* 1979-05-27T07:32:00 */
	TOML_DATE_LOCAL,	/* 1979-05-27 */
	TOML_TIME_LOCAL,	/* 07:32:00 */
	TOML_ARRAY,
	TOML_TABLE
};

/* Results of the toml_get_* helpers. */
enum toml_result {
	TOML_OK = 0,
	TOML_MISSING = -1,	/* no such key (or the table was NULL) */
	TOML_WRONG_TYPE = -2	/* the key exists with another type */
};

#define TOML_DEFAULT_MAX_INPUT ((size_t)16 * 1024 * 1024)
#define TOML_DEFAULT_MAX_DEPTH 128
#define TOML_MAX_DEPTH_CAP 1024	/* max_depth is clamped to this */

/*
 * Where and why parsing failed. line and col count from 1; col counts bytes
 * from the start of the line. msg does not repeat the position: print it as
 * "%s:%d:%d: %s" with the file name.
 */
struct toml_error {
	int line, col;
	char msg[200];
};

/*
 * Bounds on untrusted input. max_input: largest accepted document in bytes
 * (at most INT_MAX). max_depth: deepest nesting of tables and arrays, the
 * root table being depth 0. A zero field means the default.
 */
struct toml_limits {
	size_t max_input;
	int max_depth;
};

struct toml_value;

/* Parse src[0..len) with the default limits; NULL and *err filled on error.
 * src need not be NUL-terminated. err may be NULL. */
struct toml_value *toml_parse(const char *src, size_t len,
			      struct toml_error *err);
/* The same with explicit limits (lim may be NULL for the defaults). */
struct toml_value *toml_parse_limits(const char *src, size_t len,
				     const struct toml_limits *lim,
				     struct toml_error *err);
/* Free a tree from toml_parse (NULL is fine). Only roots may be freed. */
void toml_free(struct toml_value *root);

enum toml_type toml_type(const struct toml_value *v);
/* "string", "integer", ..., "table"; the words toml-test uses for scalars. */
const char *toml_type_name(enum toml_type t);
/* Where v was defined: its first byte, or the [header] that opened a
 * table. 0 for NULL. */
int toml_line(const struct toml_value *v);
int toml_col(const struct toml_value *v);

/* Arrays and tables: number of elements or keys (0 for anything else). */
size_t toml_len(const struct toml_value *v);
/* Element i of an array, or the value of the i-th key of a table. */
const struct toml_value *toml_at(const struct toml_value *v, size_t i);
/* The i-th key of a table, in document order. Keys may contain NUL bytes
 * (written as \u0000); toml_key_len gives the full length. */
const char *toml_key_at(const struct toml_value *table, size_t i);
size_t toml_key_len(const struct toml_value *table, size_t i);

/* One key of a table, compared byte for byte. */
const struct toml_value *toml_get(const struct toml_value *table,
				  const char *key);
/* Keys separated by '.', each looked up with toml_get: "network.mdns".
 * No quoting: a key that itself contains '.' needs toml_get. */
const struct toml_value *toml_path(const struct toml_value *root,
				   const char *dotted);

/* Scalars. toml_str is NUL-terminated; toml_str_len counts embedded NULs. */
const char *toml_str(const struct toml_value *v);
size_t toml_str_len(const struct toml_value *v);
int64_t toml_int(const struct toml_value *v);
double toml_float(const struct toml_value *v);
int toml_bool(const struct toml_value *v);
/* Any of the four date/time types, normalized: upper-case 'T' between date
 * and time, upper-case 'Z', fraction and offset as written. */
const char *toml_datetime_text(const struct toml_value *v);

/* Typed lookups of one key: TOML_OK and *out set, or TOML_MISSING /
 * TOML_WRONG_TYPE and *out untouched. toml_get_float accepts an integer
 * value too (converted), since "rate = 1" means 1.0 to a person. */
int toml_get_str(const struct toml_value *table, const char *key,
		 const char **out);
int toml_get_int(const struct toml_value *table, const char *key,
		 int64_t *out);
int toml_get_float(const struct toml_value *table, const char *key,
		   double *out);
int toml_get_bool(const struct toml_value *table, const char *key, int *out);
int toml_get_table(const struct toml_value *table, const char *key,
		   const struct toml_value **out);
int toml_get_array(const struct toml_value *table, const char *key,
		   const struct toml_value **out);

#endif /* GG_CONFIG_TOML_H */
