/*
 * toml-decoder.c - our TOML parser behind toml-test's decoder interface.
 *
 * Reads a TOML document on stdin and prints it on stdout in toml-test's
 * tagged JSON form: a table is a JSON object, an array a JSON array, and
 * every scalar {"type": "integer", "value": "42"}. Invalid TOML makes it
 * print "line:col: message" on stderr and exit 1; a failure to read stdin
 * exits 2. tests/toml/run-suite.sh drives it over the whole suite.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"

static void put_string(const char *s, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_float(double f)
{
	if (isnan(f))
		fputs("nan", stdout);
	else if (isinf(f))
		fputs(f > 0 ? "inf" : "-inf", stdout);
	else
		printf("%.17g", f);
}

static void put_scalar(const struct toml_value *v)
{
	printf("{\"type\": \"%s\", \"value\": ", toml_type_name(toml_type(v)));
	switch (toml_type(v)) {
	case TOML_STRING:
		put_string(toml_str(v), toml_str_len(v));
		break;
	case TOML_INTEGER:
		printf("\"%" PRId64 "\"", toml_int(v));
		break;
	case TOML_FLOAT:
		putchar('"');
		put_float(toml_float(v));
		putchar('"');
		break;
	case TOML_BOOL:
		printf("\"%s\"", toml_bool(v) ? "true" : "false");
		break;
	default:
		printf("\"%s\"", toml_datetime_text(v));
		break;
	}
	putchar('}');
}

static void put_value(const struct toml_value *v)
{
	size_t i, n = toml_len(v);

	if (toml_type(v) == TOML_TABLE) {
		putchar('{');
		for (i = 0; i < n; i++) {
			fputs(i ? ", " : "", stdout);
			put_string(toml_key_at(v, i), toml_key_len(v, i));
			fputs(": ", stdout);
			put_value(toml_at(v, i));
		}
		putchar('}');
	} else if (toml_type(v) == TOML_ARRAY) {
		putchar('[');
		for (i = 0; i < n; i++) {
			fputs(i ? ", " : "", stdout);
			put_value(toml_at(v, i));
		}
		putchar(']');
	} else {
		put_scalar(v);
	}
}

/* All of stdin, or at least one byte more than the parser's limit so that
 * it can say the input is too large. NULL if stdin fails. */
static char *read_all(size_t *lenp)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		size_t n;

		if (len == cap) {
			char *p;

			if (cap > TOML_DEFAULT_MAX_INPUT)
				break;
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				return NULL;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, stdin);
		len += n;
		if (n == 0)
			break;
	}
	if (!buf || ferror(stdin)) {
		free(buf);
		return NULL;
	}
	*lenp = len;
	return buf;
}

int main(void)
{
	struct toml_error err;
	struct toml_value *root;
	size_t len = 0;
	char *src = read_all(&len);

	if (!src) {
		fputs("toml-decoder: cannot read stdin\n", stderr);
		return 2;
	}
	root = toml_parse(src, len, &err);
	free(src);
	if (!root) {
		fprintf(stderr, "%d:%d: %s\n", err.line, err.col, err.msg);
		return 1;
	}
	put_value(root);
	putchar('\n');
	toml_free(root);
	return fflush(stdout) ? 2 : 0;
}
