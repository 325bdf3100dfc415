/*
 * test_control.c - the control socket's line protocol without a socket:
 * framing (lines split across reads, several in one read, CRLF, empty
 * lines, the 1 MiB cap checked as bytes arrive), requests (version check
 * with the message a person sees, missing cmd, not JSON, duplicates),
 * answers (ok, errors with their codes), encoding, and the registry of
 * commands and status providers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/control.h"
#include "node/node.h"
#include "util/error.h"

static int feed_str(struct gg_ctl_lines *l, const char *s)
{
	return gg_ctl_lines_feed(l, s, strlen(s));
}

static void lines_split_and_joined(void **state)
{
	struct gg_ctl_lines l;
	const char *line;
	size_t len;

	(void)state;
	gg_ctl_lines_init(&l);
	assert_int_equal(feed_str(&l, "{\"v\":1,"), 0);
	assert_int_equal(gg_ctl_lines_next(&l, &line, &len), 0);
	assert_int_equal(feed_str(&l, "\"cmd\":\"a\"}\n{\"b\"}\r\n\n\nc"), 0);
	assert_int_equal(gg_ctl_lines_next(&l, &line, &len), 1);
	assert_string_equal(line, "{\"v\":1,\"cmd\":\"a\"}");
	assert_int_equal(len, strlen(line));
	assert_int_equal(gg_ctl_lines_next(&l, &line, &len), 1);
	assert_string_equal(line, "{\"b\"}"); /* CR dropped */
	assert_int_equal(len, 5);
	/* empty lines skipped; "c" is not finished */
	assert_int_equal(gg_ctl_lines_next(&l, &line, &len), 0);
	assert_int_equal(feed_str(&l, "d\n"), 0);
	assert_int_equal(gg_ctl_lines_next(&l, &line, &len), 1);
	assert_string_equal(line, "cd");
	assert_int_equal(gg_ctl_lines_next(&l, &line, &len), 0);
	gg_ctl_lines_release(&l);
}

static void lines_byte_at_a_time(void **state)
{
	static const char text[] = "{\"v\":1,\"cmd\":\"status\"}\nxy\n";
	struct gg_ctl_lines l;
	const char *line;
	size_t len, i;
	int got = 0;

	(void)state;
	gg_ctl_lines_init(&l);
	for (i = 0; i < sizeof(text) - 1; i++) {
		assert_int_equal(gg_ctl_lines_feed(&l, &text[i], 1), 0);
		while (gg_ctl_lines_next(&l, &line, &len) == 1)
			got++;
	}
	assert_int_equal(got, 2);
	gg_ctl_lines_release(&l);
}

static void lines_cap(void **state)
{
	struct gg_ctl_lines l;
	const char *line;
	size_t len;
	char *big = malloc(GG_CTL_MAX_LINE + 2);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', GG_CTL_MAX_LINE + 1);
	big[GG_CTL_MAX_LINE] = '\n';
	/* exactly the cap, newline included in the same read: fine */
	gg_ctl_lines_init(&l);
	assert_int_equal(gg_ctl_lines_feed(&l, big, GG_CTL_MAX_LINE + 1), 0);
	assert_int_equal(gg_ctl_lines_next(&l, &line, &len), 1);
	assert_int_equal(len, GG_CTL_MAX_LINE);
	gg_ctl_lines_release(&l);
	/* one byte more, complete in one read: refused */
	big[GG_CTL_MAX_LINE] = 'x';
	big[GG_CTL_MAX_LINE + 1] = '\n';
	gg_ctl_lines_init(&l);
	assert_int_equal(gg_ctl_lines_feed(&l, big, GG_CTL_MAX_LINE + 2),
			 GG_ETOOBIG);
	gg_ctl_lines_release(&l);
	/* unfinished and growing over several reads: refused on the read
	 * that crosses the cap, with nothing more buffered */
	gg_ctl_lines_init(&l);
	assert_int_equal(gg_ctl_lines_feed(&l, big, GG_CTL_MAX_LINE - 1), 0);
	assert_int_equal(gg_ctl_lines_feed(&l, "x", 1), 0);
	assert_int_equal(gg_ctl_lines_feed(&l, "y", 1), GG_ETOOBIG);
	assert_int_equal(l.buf.len, GG_CTL_MAX_LINE);
	gg_ctl_lines_release(&l);
	free(big);
}

static int parse(const char *s, json_t **req, char *err, size_t errsz)
{
	return gg_ctl_parse_request(s, strlen(s), req, err, errsz);
}

static void request_version(void **state)
{
	json_t *req;
	char err[256];

	(void)state;
	assert_int_equal(parse("{\"v\":1,\"cmd\":\"status\"}", &req, err,
			       sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(req, "cmd")),
			    "status");
	json_decref(req);
	assert_int_equal(parse("{\"v\":2,\"cmd\":\"status\"}", &req, err,
			       sizeof(err)), GG_EUNSUPPORTED);
	assert_null(req);
	assert_string_equal(err, "unsupported control protocol version 2 "
			    "(this daemon speaks 1)");
	assert_int_equal(parse("{\"v\":\"1\",\"cmd\":\"status\"}", &req, err,
			       sizeof(err)), GG_EUNSUPPORTED);
	assert_non_null(strstr(err, "whole number"));
	assert_int_equal(parse("{\"v\":1.0,\"cmd\":\"status\"}", &req, err,
			       sizeof(err)), GG_EUNSUPPORTED);
	assert_int_equal(parse("{\"cmd\":\"status\"}", &req, err, sizeof(err)),
			 GG_EPROTO);
	assert_non_null(strstr(err, "missing control protocol version"));
}

static void request_malformed(void **state)
{
	static const char *const bad[] = {
		"status", "[1]", "{\"v\":1", "{\"v\":1,\"cmd\":7}",
		"{\"v\":1,\"cmd\":\"\"}", "{\"v\":1}", "\"str\"", "{} {}",
		"{\"v\":1,\"cmd\":\"a\",\"cmd\":\"b\"}", NULL
	};
	static const int want[] = {
		GG_EPARSE, GG_EPARSE, GG_EPARSE, GG_EPROTO, GG_EPROTO,
		GG_EPROTO, GG_EPARSE, GG_EPARSE, GG_EPARSE
	};
	json_t *req;
	char err[256];
	int i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i], &req, err, sizeof(err)),
				 want[i]);
		assert_null(req);
		assert_true(err[0] != '\0');
	}
	/* a tiny err buffer is fine (truncated, terminated) */
	assert_int_equal(parse("{\"v\":9,\"cmd\":\"x\"}", &req, err, 8),
			 GG_EUNSUPPORTED);
	assert_int_equal(strlen(err), 7);
}

static void replies(void **state)
{
	static const char ok[] = "{\"v\":1,\"ok\":true,\"pid\":42}";
	static const char fail[] = "{\"v\":1,\"ok\":false,\"error\":\"unknown "
				   "peer X\",\"code\":\"GG_ENOTFOUND\"}";
	json_t *r;
	char err[256];

	(void)state;
	assert_int_equal(gg_ctl_parse_reply(ok, strlen(ok), &r, err,
					    sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "pid")), 42);
	json_decref(r);
	assert_int_equal(gg_ctl_parse_reply(fail, strlen(fail), &r, err,
					    sizeof(err)), GG_ENOTFOUND);
	assert_string_equal(err, "unknown peer X");
	assert_non_null(r);
	json_decref(r);
	assert_int_equal(gg_ctl_parse_reply("{\"v\":3,\"ok\":true}", 17, &r,
					    err, sizeof(err)),
			 GG_EUNSUPPORTED);
	assert_null(r);
	assert_non_null(strstr(err, "this ggen speaks 1"));
	assert_int_equal(gg_ctl_parse_reply("{\"v\":1}", 7, &r, err,
					    sizeof(err)), GG_EPARSE);
	json_decref(r);
	assert_int_equal(gg_ctl_code_from_name("GG_ETIMEOUT"), GG_ETIMEOUT);
	assert_int_equal(gg_ctl_code_from_name("nonsense"), GG_EPROTO);
	assert_int_equal(gg_ctl_code_from_name(NULL), GG_EPROTO);
}

static void encode_one_line(void **state)
{
	struct gg_buf b = GG_BUF_INIT(GG_CTL_MAX_LINE + 1);
	json_t *e = gg_ctl_error_json(GG_EINVAL, "line\nbreak");
	json_t *big;
	char *s;

	(void)state;
	assert_int_equal(gg_ctl_encode(e, &b), 0);
	/* exactly one newline, at the end: the message's is escaped */
	assert_ptr_equal(memchr(b.data, '\n', b.len), b.data + b.len - 1);
	assert_non_null(strstr(gg_buf_cstr(&b), "\"code\":\"GG_EINVAL\""));
	json_decref(e);
	gg_buf_reset(&b);
	s = malloc(GG_CTL_MAX_LINE + 1);
	assert_non_null(s);
	memset(s, 'a', GG_CTL_MAX_LINE);
	s[GG_CTL_MAX_LINE] = '\0';
	big = json_pack("{s:s}", "x", s);
	assert_int_equal(gg_ctl_encode(big, &b), GG_ETOOBIG);
	assert_int_equal(b.len, 0);
	json_decref(big);
	free(s);
	gg_buf_release(&b);
}

static int cmd_x(struct gg_ctl_call *c, const json_t *r, void *arg)
{
	return 0;
}

static int status_a(void *arg, json_t *out)
{
	json_object_set_new(out, "mode", json_string(arg));
	return 0;
}

static int status_fail(void *arg, json_t *out)
{
	return GG_EINVAL;
}

static void registry(void **state)
{
	struct gg_node n;
	gg_ctl_fn fn;
	void *arg;
	json_t *st = json_object();
	char name[GG_CTL_MAX_EXT][16];
	int i;

	(void)state;
	memset(&n, 0, sizeof(n));
	assert_int_equal(gg_node_find_command(&n, "status", &fn, &arg), 0);
	assert_null(arg);
	assert_int_equal(gg_node_find_command(&n, "nope", &fn, &arg),
			 GG_ENOTFOUND);
	assert_int_equal(gg_node_add_command(&n, "x", cmd_x, &n), 0);
	assert_int_equal(gg_node_add_command(&n, "x", cmd_x, &n), GG_EEXISTS);
	assert_int_equal(gg_node_find_command(&n, "x", &fn, &arg), 0);
	assert_ptr_equal(fn, cmd_x);
	assert_ptr_equal(arg, &n);
	/* a registered command replaces a built-in one */
	assert_int_equal(gg_node_add_command(&n, "status", cmd_x, NULL), 0);
	assert_int_equal(gg_node_find_command(&n, "status", &fn, &arg), 0);
	assert_ptr_equal(fn, cmd_x);
	for (i = 2; i < GG_CTL_MAX_EXT; i++) {
		snprintf(name[i], sizeof(name[i]), "c%d", i);
		assert_int_equal(gg_node_add_command(&n, name[i], cmd_x, NULL),
				 0);
	}
	assert_int_equal(gg_node_add_command(&n, "more", cmd_x, NULL),
			 GG_ELIMIT);
	assert_int_equal(gg_node_add_status(&n, "dht", status_a,
					    (void *)"server"), 0);
	assert_int_equal(gg_node_add_status(&n, "bad", status_fail, NULL), 0);
	gg_node_status_extend(&n, st);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(st, "dht"), "mode")), "server");
	assert_null(json_object_get(st, "bad"));
	json_decref(st);
	gg_ctl_ext_free(n.ctl_ext);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_split_and_joined),
		cmocka_unit_test(lines_byte_at_a_time),
		cmocka_unit_test(lines_cap),
		cmocka_unit_test(request_version),
		cmocka_unit_test(request_malformed),
		cmocka_unit_test(replies),
		cmocka_unit_test(encode_one_line),
		cmocka_unit_test(registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
