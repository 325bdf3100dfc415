/*
 * control.c - the control protocol without sockets (see control.h):
 * splitting bytes into capped lines, parsing requests and answers,
 * encoding answers, and the per-node registry of extra commands and
 * status providers.
 *
 * The line reader checks the cap while bytes arrive, segment by segment,
 * so an over-long line is refused before it is buffered whole and a
 * complete line can never be longer than the cap either.
 */
#include "node/control.h"

#include <stdarg.h>

#include "node/node.h"
#include "util/error.h"

/* Complete lines waiting to be taken may add up to this much. */
#define LINES_BUF_MAX (2u * (GG_CTL_MAX_LINE + 2u))

struct ext_cmd {
	const char *name;
	gg_ctl_fn fn;
	void *arg;
};

struct ext_status {
	const char *name;
	gg_status_fn fn;
	void *arg;
};

struct gg_ctl_ext {
	struct ext_cmd cmds[GG_CTL_MAX_EXT];
	int ncmds;
	struct ext_status st[GG_CTL_MAX_EXT];
	int nst;
};

/* ---- framing ---- */

void gg_ctl_lines_init(struct gg_ctl_lines *l)
{
	memset(l, 0, sizeof(*l));
	gg_buf_init(&l->buf, LINES_BUF_MAX);
}

void gg_ctl_lines_release(struct gg_ctl_lines *l)
{
	gg_buf_release(&l->buf);
	l->taken = l->line_start = 0;
}

/* Drop the lines already handed out. */
static void lines_compact(struct gg_ctl_lines *l)
{
	if (!l->taken)
		return;
	gg_buf_consume(&l->buf, l->taken);
	l->line_start -= l->taken;
	l->taken = 0;
}

int gg_ctl_lines_feed(struct gg_ctl_lines *l, const void *p, size_t n)
{
	const uint8_t *s = p, *nl;
	size_t piece, cur;
	int rc;

	lines_compact(l);
	while (n) {
		nl = memchr(s, '\n', n);
		piece = nl ? (size_t)(nl - s) : n;
		cur = l->buf.len - l->line_start;
		if (cur + piece > GG_CTL_MAX_LINE)
			return GG_ETOOBIG;
		if (nl)
			piece++;
		rc = gg_buf_add(&l->buf, s, piece);
		if (rc)
			return rc;
		if (nl)
			l->line_start = l->buf.len;
		s += piece;
		n -= piece;
	}
	return 0;
}

int gg_ctl_lines_next(struct gg_ctl_lines *l, const char **line,
		      size_t *len)
{
	char *start, *nl;
	size_t k;

	while (l->taken < l->line_start) {
		start = (char *)l->buf.data + l->taken;
		nl = memchr(start, '\n', l->line_start - l->taken);
		if (!nl)
			return 0; /* cannot happen: line_start follows a \n */
		k = (size_t)(nl - start);
		*nl = '\0';
		l->taken += k + 1;
		if (k && start[k - 1] == '\r')
			start[--k] = '\0';
		if (!k)
			continue;
		*line = start;
		*len = k;
		return 1;
	}
	return 0;
}

/* ---- messages ---- */

static int set_err(char *err, size_t errsz, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int set_err(char *err, size_t errsz, int code, const char *fmt, ...)
{
	va_list ap;

	if (errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap); /* truncation is fine here */
		va_end(ap);
	}
	return code;
}

/* "v" must be our version.  0 or the error code with err set. */
static int check_version(const json_t *j, const char *who, char *err,
			 size_t errsz)
{
	const json_t *v = json_object_get(j, "v");

	if (!v)
		return set_err(err, errsz, GG_EPROTO,
			       "missing control protocol version \"v\" "
			       "(%s speaks %d)", who, GG_CTL_VERSION);
	if (!json_is_integer(v))
		return set_err(err, errsz, GG_EUNSUPPORTED,
			       "control protocol version \"v\" must be a "
			       "whole number (%s speaks %d)", who,
			       GG_CTL_VERSION);
	if (json_integer_value(v) != GG_CTL_VERSION)
		return set_err(err, errsz, GG_EUNSUPPORTED,
			       "unsupported control protocol version %lld "
			       "(%s speaks %d)",
			       (long long)json_integer_value(v), who,
			       GG_CTL_VERSION);
	return 0;
}

static json_t *load_object(const char *line, size_t len, const char *what,
			   char *err, size_t errsz)
{
	json_error_t je;
	json_t *j;

	if (len > GG_CTL_MAX_LINE) {
		set_err(err, errsz, 0, "%s longer than %u bytes", what,
			GG_CTL_MAX_LINE);
		return NULL;
	}
	j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		set_err(err, errsz, 0, "malformed %s: %s (column %d)", what,
			je.text, je.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		set_err(err, errsz, 0, "a %s must be a JSON object", what);
		json_decref(j);
		return NULL;
	}
	return j;
}

int gg_ctl_parse_request(const char *line, size_t len, json_t **req,
			 char *err, size_t errsz)
{
	json_t *j, *cmd;
	int rc;

	*req = NULL;
	j = load_object(line, len, "request", err, errsz);
	if (!j)
		return GG_EPARSE;
	rc = check_version(j, "this daemon", err, errsz);
	if (rc)
		goto out;
	cmd = json_object_get(j, "cmd");
	if (!json_is_string(cmd) || !*json_string_value(cmd)) {
		rc = set_err(err, errsz, GG_EPROTO,
			     "missing command: \"cmd\" must be a string");
		goto out;
	}
	*req = j;
	j = NULL; /* transferred */
out:
	json_decref(j);
	return rc;
}

int gg_ctl_parse_reply(const char *line, size_t len, json_t **reply,
		       char *err, size_t errsz)
{
	const json_t *ok, *msg;
	json_t *j;
	int rc;

	*reply = NULL;
	j = load_object(line, len, "answer", err, errsz);
	if (!j)
		return GG_EPARSE;
	rc = check_version(j, "this ggen", err, errsz);
	if (rc) {
		json_decref(j);
		return rc == GG_EPROTO ? GG_EPARSE : rc;
	}
	*reply = j;
	ok = json_object_get(j, "ok");
	if (!json_is_boolean(ok))
		return set_err(err, errsz, GG_EPARSE,
			       "malformed answer: no \"ok\"");
	if (json_is_true(ok))
		return 0;
	msg = json_object_get(j, "error");
	set_err(err, errsz, 0, "%s", json_is_string(msg) &&
		*json_string_value(msg) ? json_string_value(msg) :
		"the daemon gave no reason");
	return gg_ctl_code_from_name(json_string_value(
		json_object_get(j, "code")));
}

json_t *gg_ctl_error_json(int code, const char *msg)
{
	return json_pack("{s:i, s:b, s:s, s:s}", "v", GG_CTL_VERSION, "ok", 0,
			 "error", msg, "code", gg_errname(code));
}

int gg_ctl_encode(const json_t *msg, struct gg_buf *out)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	size_t n;
	int rc;

	if (!s)
		return GG_ENOMEM;
	n = strlen(s);
	rc = n > GG_CTL_MAX_LINE ? GG_ETOOBIG : gg_buf_reserve(out, n + 1);
	if (rc == 0)
		rc = gg_buf_add(out, s, n);
	if (rc == 0)
		rc = gg_buf_addc(out, '\n');
	free(s);
	return rc;
}

int gg_ctl_code_from_name(const char *name)
{
	int c;

	if (!name)
		return GG_EPROTO;
	for (c = GG_E__FIRST + 1; c < GG_E__LAST; c++)
		if (!strcmp(gg_errname(c), name))
			return c;
	return GG_EPROTO;
}

/* ---- registry ---- */

static int ext_get(struct gg_node *n, struct gg_ctl_ext **out)
{
	if (!n->ctl_ext)
		n->ctl_ext = calloc(1, sizeof(*n->ctl_ext));
	*out = n->ctl_ext;
	return *out ? 0 : GG_ENOMEM;
}

int gg_node_add_command(struct gg_node *n, const char *name, gg_ctl_fn fn,
			void *arg)
{
	struct gg_ctl_ext *x;
	int i, rc = ext_get(n, &x);

	if (rc)
		return rc;
	for (i = 0; i < x->ncmds; i++)
		if (!strcmp(x->cmds[i].name, name))
			return GG_EEXISTS;
	if (x->ncmds >= GG_CTL_MAX_EXT)
		return GG_ELIMIT;
	x->cmds[x->ncmds].name = name;
	x->cmds[x->ncmds].fn = fn;
	x->cmds[x->ncmds++].arg = arg;
	return 0;
}

int gg_node_add_status(struct gg_node *n, const char *name,
		       gg_status_fn fn, void *arg)
{
	struct gg_ctl_ext *x;
	int i, rc = ext_get(n, &x);

	if (rc)
		return rc;
	for (i = 0; i < x->nst; i++)
		if (!strcmp(x->st[i].name, name))
			return GG_EEXISTS;
	if (x->nst >= GG_CTL_MAX_EXT)
		return GG_ELIMIT;
	x->st[x->nst].name = name;
	x->st[x->nst].fn = fn;
	x->st[x->nst++].arg = arg;
	return 0;
}

void gg_node_status_extend(struct gg_node *n, json_t *status)
{
	struct gg_ctl_ext *x = n->ctl_ext;
	json_t *sub;
	int i;

	for (i = 0; x && i < x->nst; i++) {
		sub = json_object();
		if (sub && x->st[i].fn(x->st[i].arg, sub) == 0)
			json_object_set_new(status, x->st[i].name, sub);
		else
			json_decref(sub);
	}
}

int gg_node_find_command(struct gg_node *n, const char *name,
			 gg_ctl_fn *fn, void **arg)
{
	const struct gg_ctl_ext *x = n->ctl_ext;
	int i;

	for (i = 0; x && i < x->ncmds; i++)
		if (!strcmp(x->cmds[i].name, name)) {
			*fn = x->cmds[i].fn;
			*arg = x->cmds[i].arg;
			return 0;
		}
	for (i = 0; gg_ctl_builtin[i].name; i++)
		if (!strcmp(gg_ctl_builtin[i].name, name)) {
			*fn = gg_ctl_builtin[i].fn;
			*arg = NULL;
			return 0;
		}
	return GG_ENOTFOUND;
}

void gg_ctl_ext_free(struct gg_ctl_ext *x)
{
	free(x);
}
