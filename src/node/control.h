/*
 * control.h - the control socket of a running node ($GGEN_HOME/p2p.sock).
 *
 * The protocol is one JSON object per line each way.  A request is
 * {"v":1,"cmd":"NAME",...args}; the answer is {"v":1,"ok":true,...} or
 * {"v":1,"ok":false,"error":"words","code":"GG_E..."}.  A line is at most
 * GG_CTL_MAX_LINE bytes; a request of another version is refused with an
 * error naming both versions, as tmux refuses a client of another
 * protocol.  A connection carries any number of requests, answered in
 * order, one at a time.
 *
 * Three parts:
 *   - the pure protocol (framing, parsing, building answers), used by the
 *     server, the client (client.h), the unit tests and the fuzzer;
 *   - the extension points: commands and status providers that other
 *     subsystems (kad, gossipsub, search ...) register on the node, each
 *     with one call; the built-in commands are a table in control_cmds.c;
 *   - the server on the node's libuv loop (control_server.c).
 */
#ifndef GG_NODE_CONTROL_H
#define GG_NODE_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/buf.h"

struct gg_node;
struct gg_op;

#define GG_CTL_VERSION 1
#define GG_CTL_MAX_LINE (1024u * 1024u) /* bytes, without the newline */
#define GG_CTL_MAX_CLIENTS 32           /* connections at once */
#define GG_CTL_MAX_EXT 32               /* registered commands/providers */
#define GG_CTL_SOCK "p2p.sock"

/* ---- framing ---- */

/* Splits a byte stream into lines.  Bytes of lines not yet taken are
 * kept; an unfinished line longer than GG_CTL_MAX_LINE is an error. */
struct gg_ctl_lines {
	struct gg_buf buf;
	size_t taken;      /* bytes of buf already handed out by _next */
	size_t line_start; /* where the unfinished line begins */
};

void gg_ctl_lines_init(struct gg_ctl_lines *l);
void gg_ctl_lines_release(struct gg_ctl_lines *l);
/* Append received bytes: 0, or GG_ETOOBIG when a line is over the cap
 * (the reader is then unusable: close the connection). */
int gg_ctl_lines_feed(struct gg_ctl_lines *l, const void *p, size_t n);
/* The next complete line: 1 and *line (NUL-terminated, without "\n" or
 * "\r\n", valid until the next call) or 0 when none is complete yet.
 * Empty lines are skipped. */
int gg_ctl_lines_next(struct gg_ctl_lines *l, const char **line,
		      size_t *len);

/* ---- messages ---- */

/* Parse a request line: a JSON object with "v" == GG_CTL_VERSION and a
 * string "cmd".  0 and *req, or GG_EPARSE (not a JSON object),
 * GG_EUNSUPPORTED (another version), GG_EPROTO (no "v" or "cmd"), with err
 * saying why in words. */
int gg_ctl_parse_request(const char *line, size_t len, json_t **req,
			 char *err, size_t errsz);
/* Parse an answer line: *reply is set whenever it is a JSON object of our
 * version.  0 for ok:true; for ok:false the code the daemon named
 * (GG_EPROTO when none) and err holds its message; GG_EPARSE or
 * GG_EUNSUPPORTED for a malformed answer. */
int gg_ctl_parse_reply(const char *line, size_t len, json_t **reply,
		       char *err, size_t errsz);
/* {"v":1,"ok":false,"error":msg,"code":"GG_E..."}; NULL without memory. */
json_t *gg_ctl_error_json(int code, const char *msg);
/* msg as one line plus "\n" appended to out: 0, GG_ETOOBIG (over
 * GG_CTL_MAX_LINE), GG_ENOMEM. */
int gg_ctl_encode(const json_t *msg, struct gg_buf *out);
/* The GG_E* code of a symbolic name ("GG_ENOTFOUND"); GG_EPROTO when
 * unknown. */
int gg_ctl_code_from_name(const char *name);

/* ---- commands and status providers ---- */

struct gg_ctl_call;

/*
 * A command handler.  It answers with gg_ctl_reply or gg_ctl_fail, now or
 * later (then from the loop), exactly once, and returns 0; or it returns
 * a GG_E* code without answering and the server answers with that
 * code's message.  req is the whole request, valid during the call only.
 */
typedef int (*gg_ctl_fn)(struct gg_ctl_call *call, const json_t *req,
			 void *arg);
/* A status provider fills out (an empty object) with its fields; the
 * status answer carries it under the provider's name.  0, or an error to
 * leave the name out. */
typedef int (*gg_status_fn)(void *arg, json_t *out);

struct gg_ctl_cmd {
	const char *name;
	gg_ctl_fn fn;
	const char *summary;
};

/* The built-in commands (control_cmds.c), ending with a NULL name. */
extern const struct gg_ctl_cmd gg_ctl_builtin[];

/* Registered per node; the names and args must outlive the node.  A
 * registered command replaces a built-in one of the same name.  0,
 * GG_EEXISTS (name taken), GG_ELIMIT, GG_ENOMEM. */
int gg_node_add_command(struct gg_node *n, const char *name, gg_ctl_fn fn,
			void *arg);
int gg_node_add_status(struct gg_node *n, const char *name,
		       gg_status_fn fn, void *arg);
/* Run every status provider of n into status (for the status command). */
void gg_node_status_extend(struct gg_node *n, json_t *status);
/* Find a command: registered ones first, then the built-in table. */
int gg_node_find_command(struct gg_node *n, const char *name,
			 gg_ctl_fn *fn, void **arg);
/* Free what the registrations allocated (node.c calls it). */
struct gg_ctl_ext;
void gg_ctl_ext_free(struct gg_ctl_ext *x);

/* ---- calls (for handlers) ---- */

struct gg_node *gg_ctl_call_node(const struct gg_ctl_call *c);
/* Seconds since the control server started. */
uint64_t gg_ctl_call_uptime(const struct gg_ctl_call *c);
/* Answer {"v":1,"ok":true} plus the members of result (stolen; may be
 * NULL).  The call is over and freed. */
void gg_ctl_reply(struct gg_ctl_call *c, json_t *result);
/* Answer an error; the call is over and freed. */
void gg_ctl_fail(struct gg_ctl_call *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with the members of extra (stolen; may be NULL) added, for
 * what was done before the failure. */
void gg_ctl_fail_extra(struct gg_ctl_call *c, int code, json_t *extra,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A handler that answers later registers fn: when the server closes
 * first (shutdown), fn(arg) runs and must answer the call at once. */
void gg_ctl_call_on_cancel(struct gg_ctl_call *c, void (*fn)(void *),
			   void *arg);
/* Stop the node once this call's answer has been written. */
void gg_ctl_call_stop_after(struct gg_ctl_call *c);

/* ---- the server ---- */

struct gg_control;

struct gg_control_opts {
	struct gg_node *node; /* its loop runs the server */
	const char *path;     /* the socket; must not exist */
	struct gg_op *stop;   /* set done (status 0) by the stop command */
};

/* Bind (mode 0600) and listen.  0, or a GG_E* code (err says why). */
int gg_control_start(const struct gg_control_opts *o,
		     struct gg_control **out, char *err, size_t errsz);
/* Cancel pending calls, close every connection and the listener, and
 * remove the socket file.  The memory goes once libuv has closed the
 * handles: run the loop afterwards (gg_node_release does).  NULL ok. */
void gg_control_close(struct gg_control *c);

#endif
