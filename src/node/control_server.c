/*
 * control_server.c - the control socket on the node's loop (control.h).
 *
 * Each connection reads lines and answers them one at a time, in order:
 * while a command is pending (ping waits for the network) reading stops,
 * so a client that pipelines cannot make us buffer more than one read
 * past the request in hand.  An answer to a connection that has gone
 * away is dropped; a command still pending when the server closes is
 * cancelled through the hook its handler registered, so every call ends
 * exactly once.  The socket is created with mode 0600 (umask around
 * bind) and clients of another user are refused (SO_PEERCRED): only the
 * owner may drive the node.
 */
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "node/client.h"
#include "node/control_impl.h"
#include "node/node.h"
#include "util/error.h"
#include "util/log.h"

/* Input dropped after a framing error before we hang up anyway. */
#define CTL_DRAIN_MAX (16u * 1024u * 1024u)

struct ctl_conn {
	struct ctl_conn *next;
	struct gg_control *ctl;
	uv_pipe_t pipe;
	struct gg_ctl_lines in;
	struct gg_ctl_call *pending;
	int writes;      /* in flight */
	int dispatching; /* inside conn_process */
	int reading, eof, closing;
	int bad;      /* an answer we could not send: hang up */
	int draining; /* after a framing error: discard input until EOF */
	size_t drained;
};

struct ctl_write {
	uv_write_t req;
	struct ctl_conn *conn;
	uint8_t *data;
	int stop_after;
};

static void conn_process(struct ctl_conn *c);

static void ctl_handle_closed(uv_handle_t *h)
{
	struct gg_control *ctl = h->data;

	if (--ctl->handles == 0 && ctl->closing)
		free(ctl);
}

static void conn_closed(uv_handle_t *h)
{
	struct ctl_conn *c = h->data;
	struct gg_control *ctl = c->ctl;

	gg_ctl_lines_release(&c->in);
	free(c);
	if (--ctl->handles == 0 && ctl->closing)
		free(ctl);
}

static void conn_close(struct ctl_conn *c)
{
	struct ctl_conn **pp;

	if (c->closing)
		return;
	c->closing = 1;
	if (c->pending)
		c->pending->conn = NULL; /* its answer will be dropped */
	c->pending = NULL;
	for (pp = &c->ctl->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->ctl->nconns--;
	uv_close((uv_handle_t *)&c->pipe, conn_closed);
}

/* Close once the client is done and everything owed is written. */
static void conn_maybe_close(struct ctl_conn *c)
{
	if ((c->eof || c->bad) && !c->pending && !c->writes)
		conn_close(c);
}

static void stop_node(struct gg_control *ctl)
{
	if (ctl->stop && !ctl->stop->done) {
		ctl->stop->status = 0;
		ctl->stop->done = 1;
	}
}

static void on_written(uv_write_t *req, int status)
{
	struct ctl_write *w = req->data;
	struct ctl_conn *c = w->conn;

	if (w->stop_after)
		stop_node(c->ctl);
	free(w->data);
	free(w);
	c->writes--;
	if (status < 0 && !c->closing) {
		gg_debug("control", "write failed: %s", uv_strerror(status));
		c->bad = 1;
	}
	if (!c->closing)
		conn_maybe_close(c);
}

/* Queue one message; 0 or a GG_E* code (nothing queued). */
static int conn_send(struct ctl_conn *c, const json_t *msg, int stop_after)
{
	struct gg_buf b = GG_BUF_INIT(GG_CTL_MAX_LINE + 1);
	struct ctl_write *w;
	uv_buf_t ub;
	size_t n;
	int rc;

	rc = gg_ctl_encode(msg, &b);
	w = rc ? NULL : calloc(1, sizeof(*w));
	if (!w) {
		gg_buf_release(&b);
		return rc ? rc : GG_ENOMEM;
	}
	w->conn = c;
	w->stop_after = stop_after;
	w->data = gg_buf_detach(&b, &n);
	w->req.data = w;
	ub = uv_buf_init((char *)w->data, (unsigned)n);
	rc = uv_write(&w->req, (uv_stream_t *)&c->pipe, &ub, 1, on_written);
	if (rc < 0) {
		free(w->data);
		free(w);
		return GG_EIO;
	}
	c->writes++;
	return 0;
}

/* While the server closes: one best-effort write, so a client waiting
 * on a cancelled command hears why instead of a bare hang-up. */
static void conn_try_send(struct ctl_conn *c, const json_t *msg)
{
	struct gg_buf b = GG_BUF_INIT(GG_CTL_MAX_LINE + 1);
	uv_buf_t ub;

	if (msg && gg_ctl_encode(msg, &b) == 0) {
		ub = uv_buf_init((char *)b.data, (unsigned)b.len);
		uv_try_write((uv_stream_t *)&c->pipe, &ub, 1);
	}
	gg_buf_release(&b);
}

/* The call is over: send msg (or drop it), free the call, go on. */
static void call_finish(struct gg_ctl_call *call, json_t *msg)
{
	struct ctl_conn *c = call->conn;
	int live = c && !c->closing && !c->ctl->closing, rc = GG_ECLOSED;

	if (live) {
		c->pending = NULL;
		rc = msg ? conn_send(c, msg, call->stop_after) : GG_ENOMEM;
		if (rc == GG_ETOOBIG) {
			json_decref(msg);
			msg = gg_ctl_error_json(rc, "the answer is longer "
						"than the line limit");
			rc = msg ? conn_send(c, msg, call->stop_after) : rc;
		}
		if (rc)
			c->bad = 1; /* cannot answer: hang up */
	} else if (c) {
		c->pending = NULL;
		if (!c->closing)
			conn_try_send(c, msg);
	}
	if (rc && call->stop_after && c)
		stop_node(c->ctl);
	json_decref(msg);
	free(call);
	if (live && !c->dispatching) {
		conn_process(c);
		conn_maybe_close(c);
	}
}

void gg_ctl_reply(struct gg_ctl_call *c, json_t *result)
{
	json_t *msg = json_pack("{s:i, s:b}", "v", GG_CTL_VERSION, "ok", 1);

	if (msg && result && json_object_update(msg, result)) {
		json_decref(msg);
		msg = NULL;
	}
	if (msg) { /* our fields win over a handler's */
		json_object_set_new(msg, "v", json_integer(GG_CTL_VERSION));
		json_object_set_new(msg, "ok", json_true());
	}
	json_decref(result);
	call_finish(c, msg);
}

static void fail_v(struct gg_ctl_call *c, int code, json_t *extra,
		   const char *fmt, va_list ap)
{
	char msg[1024];
	json_t *e;

	vsnprintf(msg, sizeof(msg), fmt, ap); /* a cut message is fine */
	e = gg_ctl_error_json(code, msg);
	if (e && extra)
		json_object_update_missing(e, extra);
	json_decref(extra);
	call_finish(c, e);
}

void gg_ctl_fail(struct gg_ctl_call *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(c, code, NULL, fmt, ap);
	va_end(ap);
}

void gg_ctl_fail_extra(struct gg_ctl_call *c, int code, json_t *extra,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(c, code, extra, fmt, ap);
	va_end(ap);
}

struct gg_node *gg_ctl_call_node(const struct gg_ctl_call *c)
{
	return c->node;
}

uint64_t gg_ctl_call_uptime(const struct gg_ctl_call *c)
{
	return c->uptime_s;
}

void gg_ctl_call_on_cancel(struct gg_ctl_call *c, void (*fn)(void *),
			   void *arg)
{
	c->cancel = fn;
	c->cancel_arg = arg;
}

void gg_ctl_call_stop_after(struct gg_ctl_call *c)
{
	c->stop_after = 1;
}

static void dispatch(struct ctl_conn *c, const char *line, size_t len)
{
	struct gg_ctl_call *call;
	json_t *req = NULL;
	const char *name;
	char err[512];
	gg_ctl_fn fn;
	void *arg;
	int rc;

	call = calloc(1, sizeof(*call));
	if (!call) {
		c->bad = 1;
		return;
	}
	call->conn = c;
	call->node = c->ctl->node;
	call->uptime_s = (uv_now(gg_host_loop(c->ctl->node->host)) -
			  c->ctl->started_ms) / 1000;
	c->pending = call;
	rc = gg_ctl_parse_request(line, len, &req, err, sizeof(err));
	if (rc) {
		gg_ctl_fail(call, rc, "%s", err);
		return;
	}
	name = json_string_value(json_object_get(req, "cmd"));
	gg_debug("control", "command %.64s", name);
	if (gg_node_find_command(c->ctl->node, name, &fn, &arg))
		gg_ctl_fail(call, GG_ENOTFOUND, "unknown command \"%.64s\" "
			    "(try \"help\")", name);
	else if ((rc = fn(call, req, arg)) != 0)
		gg_ctl_fail(call, rc, "%s", gg_strerror(rc));
	json_decref(req);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	b->base = malloc(65536);
	b->len = b->base ? 65536 : 0;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct ctl_conn *c = s->data;
	int rc = 0;

	if (nread > 0 && c->draining) {
		c->drained += (size_t)nread;
		if (c->drained > CTL_DRAIN_MAX)
			c->bad = 1;
	} else if (nread > 0) {
		rc = gg_ctl_lines_feed(&c->in, b->base, (size_t)nread);
	}
	free(b->base);
	if (nread < 0) {
		c->eof = 1;
	} else if (rc) {
		json_t *e = gg_ctl_error_json(rc, rc == GG_ETOOBIG ?
			"request line longer than 1048576 bytes" :
			gg_strerror(rc));

		/* nothing is pending while we read; the error is the last
		 * answer on this connection.  Hanging up at once could reset
		 * the connection under a client still writing the line and
		 * lose the answer, so the rest is read and dropped until EOF
		 * (or CTL_DRAIN_MAX) */
		gg_warn("control", "closing a client: %s", gg_strerror(rc));
		c->draining = 1;
		gg_ctl_lines_release(&c->in);
		if (!e || conn_send(c, e, 0))
			c->bad = 1;
		json_decref(e);
	}
	conn_process(c);
	if (!c->closing)
		conn_maybe_close(c);
}

/* Answer the complete lines we have, one call at a time; read more only
 * when nothing is pending. */
static void conn_process(struct ctl_conn *c)
{
	const char *line;
	size_t len;
	int want;

	c->dispatching = 1;
	while (!c->pending && !c->closing && !c->bad && !c->draining &&
	       gg_ctl_lines_next(&c->in, &line, &len) == 1)
		dispatch(c, line, len);
	c->dispatching = 0;
	if (c->closing)
		return;
	want = !c->pending && !c->eof && !c->bad;
	if (want && !c->reading)
		uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
	else if (!want && c->reading)
		uv_read_stop((uv_stream_t *)&c->pipe);
	c->reading = want;
}

/* Only our own user (or root) may drive the node; the socket's mode
 * says so already, this holds even if someone loosens it. */
static int peer_allowed(struct ctl_conn *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return 0;
	return cred.uid == geteuid() || cred.uid == 0;
}

static void on_connection(uv_stream_t *srv, int status)
{
	struct gg_control *ctl = srv->data;
	struct ctl_conn *c;

	if (status < 0 || ctl->closing)
		return;
	c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->ctl = ctl;
	gg_ctl_lines_init(&c->in);
	uv_pipe_init(srv->loop, &c->pipe, 0);
	c->pipe.data = c;
	ctl->handles++;
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->nconns++;
	if (uv_accept(srv, (uv_stream_t *)&c->pipe) < 0) {
		conn_close(c);
		return;
	}
	if (!peer_allowed(c)) {
		gg_warn("control", "refusing a client of another user");
		conn_close(c);
		return;
	}
	if (ctl->nconns > GG_CTL_MAX_CLIENTS) {
		gg_warn("control", "%d clients already: refusing another",
			GG_CTL_MAX_CLIENTS);
		conn_close(c);
		return;
	}
	conn_process(c);
}

/* socket, bind with mode 0600, listen: the fd, or a GG_E* code */
static int ctl_bind(const char *path, char *err, size_t errsz)
{
	struct sockaddr_un sa;
	socklen_t salen;
	mode_t old;
	int fd, dirfd = -1, rc;

	rc = gg_client_sockaddr(path, &sa, &salen, &dirfd);
	if (rc) {
		snprintf(err, errsz, "cannot use %s as a socket: %s", path,
			 gg_strerror(rc));
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rc = gg_from_errno(errno);
		goto out;
	}
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, salen);
	umask(old);
	if (rc == 0)
		rc = listen(fd, 16);
	if (rc) {
		rc = gg_from_errno(errno);
		close(fd);
	}
out:
	if (dirfd >= 0)
		close(dirfd);
	if (rc)
		snprintf(err, errsz, "cannot listen on %s: %s", path,
			 gg_strerror(rc));
	return rc ? rc : fd;
}

int gg_control_start(const struct gg_control_opts *o,
		     struct gg_control **out, char *err, size_t errsz)
{
	struct gg_control *ctl;
	uv_loop_t *loop = gg_host_loop(o->node->host);
	int fd, n;

	*out = NULL;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return GG_ENOMEM;
	n = snprintf(ctl->path, sizeof(ctl->path), "%s", o->path);
	fd = n < 0 || (size_t)n >= sizeof(ctl->path) ? GG_ETOOBIG :
		ctl_bind(o->path, err, errsz);
	if (fd < 0) {
		free(ctl);
		return fd;
	}
	ctl->node = o->node;
	ctl->stop = o->stop;
	ctl->started_ms = uv_now(loop);
	uv_pipe_init(loop, &ctl->srv, 0);
	ctl->srv.data = ctl;
	ctl->handles = 1;
	if (uv_pipe_open(&ctl->srv, fd) < 0 ||
	    uv_listen((uv_stream_t *)&ctl->srv, 16, on_connection) < 0) {
		snprintf(err, errsz, "cannot serve %s", o->path);
		gg_control_close(ctl); /* closes fd with the handle */
		return GG_EIO;
	}
	gg_info("control", "listening on %s", o->path);
	*out = ctl;
	return 0;
}

void gg_control_close(struct gg_control *ctl)
{
	struct ctl_conn *c;
	struct gg_ctl_call *call;

	if (!ctl || ctl->closing)
		return;
	ctl->closing = 1;
	unlink(ctl->path);
	while ((c = ctl->conns) != NULL) {
		call = c->pending;
		if (call && call->cancel)
			call->cancel(call->cancel_arg); /* answers, best effort */
		conn_close(c); /* detaches a call still pending */
	}
	uv_close((uv_handle_t *)&ctl->srv, ctl_handle_closed);
}
