/*
 * tcp.c - TCP listeners and dials on libuv (see tcp.h).
 *
 * A dial is a small state machine: resolve (when the host is a name),
 * then connect to each resolved address in turn, all under one timer.
 * Whatever ends it (success, failure, the timer, a cancel) goes through
 * dial_finish, which stops the pieces still running; the caller's
 * callback runs only once every handle and request of the attempt has
 * come back from libuv, so the attempt's memory is never freed under a
 * pending request.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include "net/tcp.h"
#include "util/error.h"
#include "util/log.h"

#define LISTEN_BACKLOG 511

struct gg_tcp_listener {
	uv_tcp_t h;
	gg_tcp_accept_cb cb;
	void *arg;
};

struct gg_tcp_dial {
	uv_loop_t *loop;
	uv_timer_t timer;
	uv_getaddrinfo_t gai;
	uv_connect_t creq;
	uv_tcp_t *tcp;            /* the attempt in flight, or NULL */
	struct addrinfo *res, *cur;
	struct sockaddr_storage literal;
	int have_literal;
	int resolving;            /* gai in flight */
	int pending;              /* timer + requests still owned by libuv */
	int done;
	int status;
	uv_tcp_t *result;
	gg_tcp_dial_cb cb;
	void *arg;
};

int gg_tcp_uv_err(int s)
{
	switch (s) {
	case 0: return 0;
	case UV_ECONNREFUSED: return GG_ECONNREFUSED;
	case UV_ETIMEDOUT: return GG_ETIMEOUT;
	case UV_ECONNRESET: case UV_EPIPE: return GG_ECONNRESET;
	case UV_EOF: return GG_ECLOSED;
	case UV_ECANCELED: case UV_EAI_CANCELED: return GG_ECANCELED;
	case UV_ENOMEM: case UV_EAI_MEMORY: return GG_ENOMEM;
	case UV_EADDRINUSE: return GG_EBUSY;
	case UV_EACCES: case UV_EPERM: return GG_EPERM;
	case UV_EINVAL: return GG_EINVAL;
	case UV_EAI_NONAME: case UV_EAI_NODATA: case UV_EAI_AGAIN:
	case UV_EAI_FAIL: case UV_EAI_FAMILY: return GG_ENOTFOUND;
	default: return GG_ENET;
	}
}

/* Our handles carry a hook to run once libuv has closed them. */
struct tcp_handle {
	uv_tcp_t h; /* first: a uv_tcp_t * is a struct tcp_handle * */
	void (*closed)(void *arg);
	void *closed_arg;
};

static uv_tcp_t *tcp_new(uv_loop_t *loop)
{
	struct tcp_handle *t = calloc(1, sizeof(*t));

	if (t && uv_tcp_init(loop, &t->h) < 0) {
		free(t);
		return NULL;
	}
	return t ? &t->h : NULL;
}

static void tcp_free_cb(uv_handle_t *h)
{
	struct tcp_handle *t = (struct tcp_handle *)h;

	if (t->closed)
		t->closed(t->closed_arg);
	free(t);
}

void gg_tcp_close_cb(uv_tcp_t *tcp, void (*closed)(void *arg), void *arg)
{
	struct tcp_handle *t = (struct tcp_handle *)tcp;

	if (!tcp || uv_is_closing((uv_handle_t *)tcp))
		return;
	t->closed = closed;
	t->closed_arg = arg;
	uv_close((uv_handle_t *)tcp, tcp_free_cb);
}

void gg_tcp_close(uv_tcp_t *tcp)
{
	gg_tcp_close_cb(tcp, NULL, NULL);
}

/* ---- addresses ---- */

static int sockaddr_from_ma(const struct gg_multiaddr *ma,
			    struct sockaddr_storage *ss)
{
	char host[256];
	int family = 0, rc;
	uint16_t port;

	rc = gg_multiaddr_tcp(ma, host, sizeof(host), &family, &port, NULL,
			      NULL);
	if (rc)
		return rc;
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET &&
	    !uv_ip4_addr(host, port, (struct sockaddr_in *)ss))
		return 0;
	if (family == AF_INET6 &&
	    !uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss))
		return 0;
	return GG_EUNSUPPORTED; /* a name: resolve it first */
}

static int ma_from_name(int (*get)(const uv_tcp_t *, struct sockaddr *,
				   int *),
			const uv_tcp_t *tcp, struct gg_multiaddr *out)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss), rc;

	rc = get(tcp, (struct sockaddr *)&ss, &len);
	if (rc < 0)
		return gg_tcp_uv_err(rc);
	return gg_multiaddr_from_sockaddr((struct sockaddr *)&ss, out);
}

int gg_tcp_peer_addr(const uv_tcp_t *tcp, struct gg_multiaddr *out)
{
	return ma_from_name(uv_tcp_getpeername, tcp, out);
}

int gg_tcp_local_addr(const uv_tcp_t *tcp, struct gg_multiaddr *out)
{
	return ma_from_name(uv_tcp_getsockname, tcp, out);
}

int gg_tcp_peer_ip(const uv_tcp_t *tcp, char *out, size_t outsz)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss), rc;

	rc = uv_tcp_getpeername(tcp, (struct sockaddr *)&ss, &len);
	if (rc < 0)
		return gg_tcp_uv_err(rc);
	if (ss.ss_family == AF_INET)
		rc = uv_ip4_name((struct sockaddr_in *)&ss, out, outsz);
	else
		rc = uv_ip6_name((struct sockaddr_in6 *)&ss, out, outsz);
	return rc < 0 ? GG_EINVAL : 0;
}

static int is_unspecified(const struct sockaddr_storage *ss)
{
	static const uint8_t zero16[16];

	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == 0;
	return !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, zero16,
		       16);
}

int gg_tcp_expand_addr(const struct gg_multiaddr *bound,
		       struct gg_multiaddr *out, int max)
{
	struct sockaddr_storage ss;
	uv_interface_address_t *ifs = NULL;
	int nifs = 0, n = 0, i, rc;
	uint16_t port;

	rc = sockaddr_from_ma(bound, &ss);
	if (rc)
		return rc;
	if (!is_unspecified(&ss)) {
		if (max < 1)
			return GG_ETOOBIG;
		out[0] = *bound;
		return 1;
	}
	port = ((struct sockaddr_in *)&ss)->sin_port; /* same offset in v6 */
	rc = uv_interface_addresses(&ifs, &nifs);
	if (rc < 0)
		return gg_tcp_uv_err(rc);
	for (i = 0; i < nifs && n < max; i++) {
		struct sockaddr_storage a;

		if (ifs[i].address.address4.sin_family != ss.ss_family)
			continue;
		memset(&a, 0, sizeof(a));
		if (ss.ss_family == AF_INET)
			memcpy(&a, &ifs[i].address.address4,
			       sizeof(struct sockaddr_in));
		else
			memcpy(&a, &ifs[i].address.address6,
			       sizeof(struct sockaddr_in6));
		((struct sockaddr_in *)&a)->sin_port = port;
		if (gg_multiaddr_from_sockaddr((struct sockaddr *)&a,
					       &out[n]) == 0)
			n++;
	}
	uv_free_interface_addresses(ifs, nifs);
	return n;
}

/* ---- listening ---- */

static void on_connection(uv_stream_t *server, int status)
{
	struct gg_tcp_listener *l = server->data;
	uv_tcp_t *c;

	if (status < 0) {
		gg_warn("tcp", "accept: %s", uv_strerror(status));
		return;
	}
	c = tcp_new(server->loop);
	if (!c)
		return;
	if (uv_accept(server, (uv_stream_t *)c) < 0) {
		gg_tcp_close(c);
		return;
	}
	uv_tcp_nodelay(c, 1);
	l->cb(l->arg, c);
}

static void listener_free_cb(uv_handle_t *h)
{
	free(h->data);
}

int gg_tcp_listen(uv_loop_t *loop, const struct gg_multiaddr *ma,
		  gg_tcp_accept_cb cb, void *arg,
		  struct gg_tcp_listener **out)
{
	struct sockaddr_storage ss;
	struct gg_tcp_listener *l;
	int rc;

	*out = NULL;
	rc = sockaddr_from_ma(ma, &ss);
	if (rc)
		return rc;
	l = calloc(1, sizeof(*l));
	if (!l)
		return GG_ENOMEM;
	rc = uv_tcp_init(loop, &l->h);
	if (rc < 0) {
		free(l);
		return gg_tcp_uv_err(rc);
	}
	l->h.data = l;
	l->cb = cb;
	l->arg = arg;
	rc = uv_tcp_bind(&l->h, (struct sockaddr *)&ss,
			 ss.ss_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0);
	if (rc >= 0)
		rc = uv_listen((uv_stream_t *)&l->h, LISTEN_BACKLOG,
			       on_connection);
	if (rc < 0) {
		uv_close((uv_handle_t *)&l->h, listener_free_cb);
		return gg_tcp_uv_err(rc);
	}
	*out = l;
	return 0;
}

int gg_tcp_listener_addr(const struct gg_tcp_listener *l,
			 struct gg_multiaddr *out)
{
	return gg_tcp_local_addr(&l->h, out);
}

void gg_tcp_listener_close(struct gg_tcp_listener *l)
{
	if (l)
		uv_close((uv_handle_t *)&l->h, listener_free_cb);
}

/* ---- dialling ---- */

static void dial_maybe_done(struct gg_tcp_dial *d)
{
	if (!d->done || d->pending > 0)
		return;
	if (d->res)
		uv_freeaddrinfo(d->res);
	d->cb(d->arg, d->status, d->result);
	free(d);
}

static void dial_timer_closed(uv_handle_t *h)
{
	struct gg_tcp_dial *d = h->data;

	d->pending--;
	dial_maybe_done(d);
}

static void dial_finish(struct gg_tcp_dial *d, int status, uv_tcp_t *tcp)
{
	if (d->done)
		return;
	d->done = 1;
	d->status = status;
	d->result = tcp;
	if (d->tcp && d->tcp != tcp)
		gg_tcp_close(d->tcp); /* its connect callback still runs */
	d->tcp = NULL;
	if (d->resolving)
		uv_cancel((uv_req_t *)&d->gai); /* its callback still runs */
	uv_close((uv_handle_t *)&d->timer, dial_timer_closed);
}

static void dial_next(struct gg_tcp_dial *d);

static void on_connect(uv_connect_t *req, int status)
{
	struct gg_tcp_dial *d = req->data;
	uv_tcp_t *t = d->tcp;

	d->pending--;
	if (d->done) {
		dial_maybe_done(d);
		return;
	}
	if (status == 0) {
		uv_tcp_nodelay(t, 1);
		d->tcp = NULL;
		dial_finish(d, 0, t);
		return;
	}
	gg_debug("tcp", "connect: %s", uv_strerror(status));
	gg_tcp_close(t);
	d->tcp = NULL;
	d->status = gg_tcp_uv_err(status);
	dial_next(d);
}

static int dial_try(struct gg_tcp_dial *d, const struct sockaddr *sa)
{
	int rc;

	d->tcp = tcp_new(d->loop);
	if (!d->tcp)
		return GG_ENOMEM;
	d->creq.data = d;
	rc = uv_tcp_connect(&d->creq, d->tcp, sa, on_connect);
	if (rc < 0) {
		gg_tcp_close(d->tcp);
		d->tcp = NULL;
		return gg_tcp_uv_err(rc);
	}
	d->pending++;
	return 0;
}

/* Try the next address; finish with the last error when none is left. */
static void dial_next(struct gg_tcp_dial *d)
{
	if (d->have_literal) {
		d->have_literal = 0;
		d->status = dial_try(d, (struct sockaddr *)&d->literal);
		if (d->status == 0)
			return;
	}
	while (d->cur) {
		struct addrinfo *a = d->cur;

		d->cur = a->ai_next;
		if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
			continue;
		d->status = dial_try(d, a->ai_addr);
		if (d->status == 0)
			return;
	}
	dial_finish(d, d->status ? d->status : GG_ENOTFOUND, NULL);
}

static void on_resolved(uv_getaddrinfo_t *req, int status,
			struct addrinfo *res)
{
	struct gg_tcp_dial *d = req->data;

	d->pending--;
	d->resolving = 0;
	d->res = res;
	d->cur = res;
	if (d->done) {
		dial_maybe_done(d);
		return;
	}
	if (status < 0) {
		d->status = gg_tcp_uv_err(status);
		dial_finish(d, d->status, NULL);
		return;
	}
	d->status = GG_ENOTFOUND;
	dial_next(d);
}

static void on_dial_timeout(uv_timer_t *t)
{
	dial_finish(t->data, GG_ETIMEOUT, NULL);
}

static int dial_resolve(struct gg_tcp_dial *d, const char *host, int family,
			uint16_t port)
{
	struct addrinfo hints;
	char portstr[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family ? family : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
	d->gai.data = d;
	rc = uv_getaddrinfo(d->loop, &d->gai, on_resolved, host, portstr,
			    &hints);
	if (rc < 0)
		return gg_tcp_uv_err(rc);
	d->pending++;
	d->resolving = 1;
	return 0;
}

int gg_tcp_dial(uv_loop_t *loop, const struct gg_multiaddr *ma,
		uint64_t timeout_ms, gg_tcp_dial_cb cb, void *arg,
		struct gg_tcp_dial **out)
{
	struct gg_tcp_dial *d;
	char host[256];
	int family = 0, rc;
	uint16_t port;

	if (out)
		*out = NULL;
	rc = gg_multiaddr_tcp(ma, host, sizeof(host), &family, &port, NULL,
			      NULL);
	if (rc)
		return rc;
	d = calloc(1, sizeof(*d));
	if (!d)
		return GG_ENOMEM;
	d->loop = loop;
	d->cb = cb;
	d->arg = arg;
	uv_timer_init(loop, &d->timer);
	d->timer.data = d;
	d->pending = 1;
	uv_timer_start(&d->timer, on_dial_timeout, timeout_ms, 0);
	if (sockaddr_from_ma(ma, &d->literal) == 0) {
		d->have_literal = 1;
		dial_next(d); /* failures finish through the timer's close */
	} else {
		rc = dial_resolve(d, host, family, port);
		if (rc)
			dial_finish(d, rc, NULL);
	}
	if (out)
		*out = d;
	return 0;
}

void gg_tcp_dial_cancel(struct gg_tcp_dial *d)
{
	if (d)
		dial_finish(d, GG_ECANCELED, NULL);
}
