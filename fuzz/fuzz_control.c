/* fuzz_control.c - arbitrary bytes as what a client writes to the control
 * socket: split into lines (in two reads, cut where the first byte says)
 * and each line parsed as a request and as an answer.  Every line handed
 * out must be within the cap and free of newlines; a parsed request must
 * carry our version and a string cmd; an error must come with a message.
 * The encoder must turn whatever parsed back into exactly one line. */
#include <stddef.h>
#include <stdint.h>

#include "node/control.h"
#include "util/error.h"

static void check_request(const char *line, size_t len)
{
	struct gg_buf b = GG_BUF_INIT(GG_CTL_MAX_LINE + 1);
	char err[256];
	json_t *req = NULL;
	int rc;

	err[0] = '\0';
	rc = gg_ctl_parse_request(line, len, &req, err, sizeof(err));
	if (rc) {
		if (req || !err[0])
			__builtin_trap();
		return;
	}
	if (json_integer_value(json_object_get(req, "v")) != GG_CTL_VERSION ||
	    !json_is_string(json_object_get(req, "cmd")))
		__builtin_trap();
	rc = gg_ctl_encode(req, &b);
	if (rc == 0 && (b.len == 0 || b.data[b.len - 1] != '\n' ||
			memchr(b.data, '\n', b.len) != b.data + b.len - 1))
		__builtin_trap();
	gg_buf_release(&b);
	json_decref(req);
}

static void check_reply(const char *line, size_t len)
{
	char err[256];
	json_t *r = NULL;
	int rc;

	err[0] = '\0';
	rc = gg_ctl_parse_reply(line, len, &r, err, sizeof(err));
	if (rc && !err[0])
		__builtin_trap();
	if (rc == 0 && !json_is_true(json_object_get(r, "ok")))
		__builtin_trap();
	json_decref(r);
}

static void drain(struct gg_ctl_lines *l)
{
	const char *line;
	size_t len;

	while (gg_ctl_lines_next(l, &line, &len) == 1) {
		if (len == 0 || len > GG_CTL_MAX_LINE || strlen(line) > len ||
		    memchr(line, '\n', len))
			__builtin_trap();
		check_request(line, len);
		check_reply(line, len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct gg_ctl_lines l;
	size_t cut;

	if (n == 0)
		return 0;
	cut = p[0] % n;
	p++;
	n--;
	if (cut > n)
		cut = n;
	gg_ctl_lines_init(&l);
	if (gg_ctl_lines_feed(&l, p, cut) == 0) {
		drain(&l);
		if (gg_ctl_lines_feed(&l, p + cut, n - cut) == 0)
			drain(&l);
	}
	gg_ctl_lines_release(&l);
	return 0;
}
