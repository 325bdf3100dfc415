/*
 * host.c - the host: listeners, dials, the handler registry, connection
 * notifications and the connection manager (see host.h).
 *
 * The manager's rules are simple and local: a connection counts from the
 * moment its TCP socket exists until it is torn down, so a flood of
 * half-open handshakes cannot crowd past max_peers; inbound connections
 * are also counted per remote IP.  One timer ticks every connection's
 * muxer (keep-alive pings and their timeouts).
 */
#include "crypto/key.h"
#include "p2p/host_impl.h"
#include "util/error.h"
#include "util/log.h"

static void host_maybe_free(struct gg_host *h);
static void on_soon(uv_timer_t *t);
static void on_flush_pre(uv_prepare_t *p);
static void on_flush_post(uv_check_t *p);

/* ---- connections in the list ---- */

static void conn_link(struct gg_host *h, struct gg_conn *c)
{
	c->next = h->conns;
	if (h->conns)
		h->conns->prev = c;
	h->conns = c;
	h->nconns++;
}

void host_conn_unlink(struct gg_conn *c)
{
	struct gg_host *h = c->h;
	int i;

	if (c->prev)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
	h->nconns--;
	h->nzombies++;
	if (!c->up)
		return;
	for (i = 0; i < h->nnotify; i++)
		h->notify[i].fn(h->notify[i].arg, c, GG_CONN_DOWN,
				c->close_err);
}

void host_conn_freed(struct gg_host *h)
{
	h->nzombies--;
	host_maybe_free(h);
}

/*
 * GG_CONN_UP goes out from h->soon, once the callback that finished the
 * handshake has returned: the services' first streams (identify asks the
 * peer who it is) then queue behind what the dialer's caller sends at
 * once and what the peer sent along with the handshake (a ping, say),
 * instead of ahead of it.
 */
void host_conn_up(struct gg_conn *c)
{
	struct gg_host *h = c->h;
	char name[GG_MULTIADDR_STR_MAX + 128];

	c->up_due = 1;
	gg_info("host", "connection %s open", conn_name(c, name,
							sizeof(name)));
	if (!uv_is_active((uv_handle_t *)&h->soon))
		uv_timer_start(&h->soon, on_soon, 0, 0);
}

/* One due connection's UP; 1 when there was one.  The list can change
 * under a notification, so each call searches it from its head. */
static int deliver_one_up(struct gg_host *h)
{
	struct gg_conn *c;
	int i;

	for (c = h->conns; c && !(c->up_due && !c->close_req); c = c->next)
		;
	if (!c)
		return 0;
	c->up_due = 0;
	c->up = 1;
	conn_enter(c);
	for (i = 0; i < h->nnotify && !c->close_req; i++)
		h->notify[i].fn(h->notify[i].arg, c, GG_CONN_UP, 0);
	conn_leave(c);
	return 1;
}

static void on_soon(uv_timer_t *t)
{
	struct gg_host *h = t->data;
	int n = 0;

	while (!h->closing && n++ < 1024 && deliver_one_up(h))
		;
}

/*
 * Output is flushed per loop phase, not per call: whatever a callback (or
 * the code between two runs of the loop) had the connections say leaves
 * in one write per connection, from the check handle after the poll's
 * callbacks or the prepare handle before the next poll.  A handshake
 * message, the muxer's proposal and the first stream's data then share a
 * syscall and a wake-up of the peer.
 */
void host_conn_dirty(struct gg_conn *c)
{
	struct gg_host *h = c->h;

	if (c->dirty || h->closing)
		return;
	c->dirty = 1;
	c->dirty_next = h->dirty;
	h->dirty = c;
	if (!uv_is_active((uv_handle_t *)&h->flush_pre)) {
		uv_prepare_start(&h->flush_pre, on_flush_pre);
		uv_check_start(&h->flush_post, on_flush_post);
	}
}

/* c->dirty is 1 on h->dirty, 2 in the batch flush_dirty is working
 * through (which skips a connection that is torn down meanwhile). */
void host_conn_clean(struct gg_conn *c)
{
	struct gg_conn **pp;

	if (c->dirty != 1)
		return;
	for (pp = &c->h->dirty; *pp && *pp != c; pp = &(*pp)->dirty_next)
		;
	if (*pp)
		*pp = c->dirty_next;
	c->dirty = 0;
	c->dirty_next = NULL;
}

/* Flush what is dirty now; what becomes dirty meanwhile waits for the
 * next phase, so a connection that keeps writing cannot starve others.
 * Connections are freed only by close callbacks, never during this. */
static void flush_dirty(struct gg_host *h)
{
	struct gg_conn *c = h->dirty, *next;

	h->dirty = NULL;
	for (next = c; next; next = next->dirty_next)
		next->dirty = 2;
	for (; c; c = next) {
		next = c->dirty_next;
		c->dirty = 0;
		c->dirty_next = NULL;
		conn_flush_now(c);
	}
	if (!h->dirty) {
		uv_prepare_stop(&h->flush_pre);
		uv_check_stop(&h->flush_post);
	}
}

static void on_flush_pre(uv_prepare_t *p)
{
	flush_dirty(p->data);
}

static void on_flush_post(uv_check_t *p)
{
	flush_dirty(p->data);
}

static void on_spare(uv_timer_t *t)
{
	struct gg_host *h = t->data;

	if (!h->closing)
		gg_noise_static_prepare(h->noise_st);
}

/*
 * While a stream pours in, the loop polls without sleeping for
 * HOST_SPIN_NS after each big read.  A receiver that is a little faster
 * than its sender otherwise sleeps between two of the sender's writes
 * and must be woken for each: on a virtual machine that wake-up of an
 * idle core costs the sender more than encrypting the data did (the
 * sender's CPU per 256 MiB rose from 0.15 s to 0.25 s), which slows the
 * sender further, so the receiver sleeps even more.  Spinning a moment
 * keeps it awake through the gaps.
 */
static void on_spin(uv_idle_t *i)
{
	struct gg_host *h = i->data;

	if (uv_hrtime() >= h->spin_until)
		uv_idle_stop(i);
}

void host_spin(struct gg_host *h)
{
	if (h->closing)
		return;
	h->spin_until = uv_hrtime() + HOST_SPIN_NS;
	if (!uv_is_active((uv_handle_t *)&h->spin))
		uv_idle_start(&h->spin, on_spin);
}

void host_spare_soon(struct gg_host *h)
{
	if (!h->closing && h->noise_st &&
	    !uv_is_active((uv_handle_t *)&h->spare))
		uv_timer_start(&h->spare, on_spare, HOST_SPARE_DELAY_MS, 0);
}

int gg_host_notify(struct gg_host *h, gg_conn_notify fn, void *arg)
{
	if (h->nnotify == HOST_MAX_NOTIFY)
		return GG_ELIMIT;
	h->notify[h->nnotify].fn = fn;
	h->notify[h->nnotify].arg = arg;
	h->nnotify++;
	return 0;
}

struct gg_conn *gg_host_conn_to(struct gg_host *h,
				const struct gg_peerid *peer)
{
	struct gg_conn *c;

	for (c = h->conns; c; c = c->next)
		if (c->st == CS_READY && !c->close_req &&
		    gg_peerid_eq(&c->remote, peer))
			return c;
	return NULL;
}

int gg_host_conns(struct gg_host *h, struct gg_conn **out, int max)
{
	struct gg_conn *c;
	int n = 0;

	for (c = h->conns; c && n < max; c = c->next)
		if (c->st == CS_READY && !c->close_req)
			out[n++] = c;
	return n;
}

const struct gg_peerid *gg_conn_remote(const struct gg_conn *c)
{
	return c->has_remote ? &c->remote : NULL;
}

const struct gg_multiaddr *gg_conn_remote_addr(const struct gg_conn *c)
{
	return &c->raddr;
}

const uint8_t *gg_conn_remote_pubkey(const struct gg_conn *c, size_t *len)
{
	return gg_noise_remote_pubkey(c->noise, len);
}

int gg_conn_inbound(const struct gg_conn *c)
{
	return c->inbound;
}

struct gg_host *gg_conn_host(const struct gg_conn *c)
{
	return c->h;
}

void gg_conn_close(struct gg_conn *c)
{
	conn_enter(c);
	conn_fail(c, 0, "closed by us");
	conn_leave(c);
}

/* ---- inbound ---- */

static int count_ip(struct gg_host *h, const char *ip)
{
	struct gg_conn *c;
	int n = 0;

	for (c = h->conns; c; c = c->next)
		if (c->inbound && !strcmp(c->ip, ip))
			n++;
	return n;
}

static void on_accept(void *arg, uv_tcp_t *tcp)
{
	struct gg_host *h = arg;
	struct gg_conn *c;
	char ip[64] = "?";

	gg_tcp_peer_ip(tcp, ip, sizeof(ip));
	if (h->closing) {
		gg_tcp_close(tcp);
		return;
	}
	if (h->nconns >= h->max_peers) {
		gg_warn("host", "refusing connection from %s: max_peers (%d) "
			"reached", ip, h->max_peers);
		gg_tcp_close(tcp);
		return;
	}
	if (count_ip(h, ip) >= h->max_per_ip) {
		gg_warn("host", "refusing connection from %s: "
			"max_peers_per_ip (%d) reached", ip, h->max_per_ip);
		gg_tcp_close(tcp);
		return;
	}
	if (conn_new(h, tcp, 1, NULL, h->hs_ms, &c)) {
		gg_tcp_close(tcp);
		return;
	}
	conn_link(h, c);
	gg_debug("host", "inbound connection from %s", ip);
	conn_leave(c);
}

int gg_host_listen(struct gg_host *h, const struct gg_multiaddr *ma)
{
	int rc;

	if (h->nlisteners == GG_HOST_MAX_LISTEN)
		return GG_ELIMIT;
	rc = gg_tcp_listen(h->loop, ma, on_accept, h,
			   &h->listeners[h->nlisteners]);
	if (rc)
		return rc;
	rc = gg_tcp_listener_addr(h->listeners[h->nlisteners],
				  &h->bound[h->nlisteners]);
	if (rc) {
		gg_tcp_listener_close(h->listeners[h->nlisteners]);
		return rc;
	}
	h->nlisteners++;
	return 0;
}

int gg_host_listen_addrs(const struct gg_host *h, struct gg_multiaddr *out,
			 int max)
{
	int i, n = 0, k;

	for (i = 0; i < h->nlisteners && n < max; i++) {
		k = gg_tcp_expand_addr(&h->bound[i], out + n, max - n);
		if (k > 0)
			n += k;
	}
	return n;
}

/* ---- outbound ---- */

static void dial_unlink(struct gg_dial *d)
{
	struct gg_host *h = d->h;

	if (d->prev)
		d->prev->next = d->next;
	else
		h->dials = d->next;
	if (d->next)
		d->next->prev = d->prev;
}

void host_dial_done(struct gg_dial *d, struct gg_conn *c, int err,
		    const struct gg_peerid *remote)
{
	struct gg_host *h = d->h;

	dial_unlink(d);
	if (d->canceled)
		err = GG_ECANCELED;
	d->cb(d->arg, err ? NULL : c, err, remote);
	if (err && c)
		gg_conn_close(c); /* ready but the dialer is gone */
	free(d);
	host_maybe_free(h);
}

static void on_tcp_dialed(void *arg, int status, uv_tcp_t *tcp)
{
	struct gg_dial *d = arg;
	struct gg_host *h = d->h;
	struct gg_conn *c;
	uint64_t now = uv_now(h->loop), left;

	d->td = NULL;
	if (status == 0 && (d->canceled || h->closing))
		status = GG_ECANCELED;
	if (status == 0 && h->nconns >= h->max_peers)
		status = GG_ELIMIT;
	if (status) {
		gg_tcp_close(tcp);
		host_dial_done(d, NULL, status, NULL);
		return;
	}
	left = d->deadline > now ? d->deadline - now : 1;
	if (left > h->hs_ms)
		left = h->hs_ms;
	if (conn_new(h, tcp, 0, d, left, &c)) {
		gg_tcp_close(tcp);
		host_dial_done(d, NULL, GG_ENOMEM, NULL);
		return;
	}
	d->conn = c;
	conn_link(h, c);
	conn_leave(c);
}

int gg_host_dial(struct gg_host *h, const struct gg_multiaddr *ma,
		 uint64_t timeout_ms, gg_dial_cb cb, void *arg,
		 struct gg_dial **out)
{
	struct gg_dial *d;
	int rc, had = 0;

	if (out)
		*out = NULL;
	if (h->closing)
		return GG_ECLOSED;
	if (h->nconns >= h->max_peers)
		return GG_ELIMIT;
	d = calloc(1, sizeof(*d));
	if (!d)
		return GG_ENOMEM;
	d->h = h;
	d->ma = *ma;
	d->cb = cb;
	d->arg = arg;
	rc = gg_multiaddr_strip_p2p(&d->ma, &d->expect, &had);
	d->has_expect = had;
	if (rc == 0) {
		d->deadline = uv_now(h->loop) + timeout_ms;
		rc = gg_tcp_dial(h->loop, &d->ma, timeout_ms, on_tcp_dialed,
				 d, &d->td);
	}
	if (rc) {
		free(d);
		return rc;
	}
	d->next = h->dials;
	if (h->dials)
		h->dials->prev = d;
	h->dials = d;
	if (out)
		*out = d;
	return 0;
}

void gg_host_dial_cancel(struct gg_dial *d)
{
	if (!d || d->canceled)
		return;
	d->canceled = 1;
	if (d->td)
		gg_tcp_dial_cancel(d->td);
	else if (d->conn) {
		conn_enter(d->conn);
		conn_fail(d->conn, GG_ECANCELED, "dial canceled");
		conn_leave(d->conn);
	}
}

/* ---- handlers ---- */

struct gg_handler *host_find_handler(struct gg_host *h, const char *proto)
{
	int i;

	for (i = 0; i < h->nhandlers; i++)
		if (!strcmp(h->handlers[i].proto, proto))
			return &h->handlers[i];
	return NULL;
}

int gg_host_handle(struct gg_host *h, const char *proto,
		   gg_stream_handler fn, void *arg)
{
	struct gg_handler *hd = host_find_handler(h, proto);
	size_t len = strlen(proto);

	if (!fn || !len || len >= GG_MSS_MAX_MSG || strchr(proto, '\n'))
		return GG_EINVAL;
	if (!hd) {
		if (h->nhandlers == GG_HOST_MAX_PROTOCOLS)
			return GG_ELIMIT;
		hd = &h->handlers[h->nhandlers];
		hd->proto = strdup(proto);
		if (!hd->proto)
			return GG_ENOMEM;
		h->nhandlers++;
	}
	hd->fn = fn;
	hd->arg = arg;
	return 0;
}

int gg_host_unhandle(struct gg_host *h, const char *proto)
{
	struct gg_handler *hd = host_find_handler(h, proto);
	char **r;
	int i;

	if (!hd)
		return GG_ENOTFOUND;
	/* streams negotiating now may still point at the name */
	r = realloc(h->retired, sizeof(*r) * (size_t)(h->nretired + 1));
	if (!r)
		return GG_ENOMEM;
	h->retired = r;
	h->retired[h->nretired++] = hd->proto;
	i = (int)(hd - h->handlers);
	memmove(hd, hd + 1, sizeof(*hd) * (size_t)(h->nhandlers - i - 1));
	h->nhandlers--;
	return 0;
}

int gg_host_protocols(const struct gg_host *h, const char **out, int max)
{
	int i;

	for (i = 0; i < h->nhandlers && i < max; i++)
		out[i] = h->handlers[i].proto;
	return i;
}

/* ---- the host ---- */

static void on_tick(uv_timer_t *t)
{
	struct gg_host *h = t->data;
	struct gg_conn *c, *next;
	uint64_t now = uv_now(h->loop);

	for (c = h->conns; c; c = next) {
		next = c->next;
		conn_tick(c, now);
	}
}

int gg_host_new(const struct gg_host_cfg *cfg, struct gg_host **out)
{
	struct gg_host *h;
	const uint8_t *pub;
	size_t publen;
	int rc;

	*out = NULL;
	if (!cfg || !cfg->loop || !cfg->key)
		return GG_EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return GG_ENOMEM;
	h->loop = cfg->loop;
	h->key = cfg->key;
	h->max_peers = cfg->max_peers > 0 ? cfg->max_peers : 50;
	h->max_per_ip = cfg->max_peers_per_ip > 0 ? cfg->max_peers_per_ip : 8;
	h->hs_ms = cfg->handshake_timeout_ms ? cfg->handshake_timeout_ms
					     : GG_HOST_DEF_HANDSHAKE_MS;
	h->ymax_streams = cfg->yamux_max_streams;
	pub = gg_privkey_public(cfg->key, &publen);
	rc = gg_peerid_from_pubkey(pub, publen, &h->self);
	if (rc) {
		free(h);
		return rc;
	}
	uv_timer_init(h->loop, &h->tick);
	h->tick.data = h;
	uv_timer_start(&h->tick, on_tick, HOST_TICK_MS, HOST_TICK_MS);
	uv_unref((uv_handle_t *)&h->tick); /* never keeps the loop alive */
	uv_timer_init(h->loop, &h->soon);
	h->soon.data = h;
	uv_timer_init(h->loop, &h->spare);
	h->spare.data = h;
	uv_unref((uv_handle_t *)&h->spare);
	uv_prepare_init(h->loop, &h->flush_pre);
	h->flush_pre.data = h;
	uv_check_init(h->loop, &h->flush_post);
	h->flush_post.data = h;
	uv_idle_init(h->loop, &h->spin);
	h->spin.data = h;
	*out = h;
	return 0;
}

static void host_really_free(struct gg_host *h)
{
	int i;

	for (i = 0; i < h->nhandlers; i++)
		free(h->handlers[i].proto);
	for (i = 0; i < h->nretired; i++)
		free(h->retired[i]);
	free(h->retired);
	gg_noise_static_free(h->noise_st);
	free(h->rbuf);
	free(h);
}

static void host_maybe_free(struct gg_host *h)
{
	if (h->closing && h->timers_closed == HOST_TIMERS && !h->conns &&
	    !h->nzombies &&
	    !h->dials)
		host_really_free(h);
}

static void timer_closed(uv_handle_t *hd)
{
	struct gg_host *h = hd->data;

	h->timers_closed++;
	host_maybe_free(h);
}

void gg_host_free(struct gg_host *h)
{
	struct gg_conn *c, *next;
	struct gg_dial *d;
	int i;

	if (!h || h->closing)
		return;
	h->closing = 1;
	for (i = 0; i < h->nlisteners; i++)
		gg_tcp_listener_close(h->listeners[i]);
	h->nlisteners = 0;
	for (d = h->dials; d; d = d->next)
		if (d->td && !d->canceled) {
			d->canceled = 1;
			gg_tcp_dial_cancel(d->td);
		}
	for (c = h->conns; c; c = next) {
		next = c->next;
		conn_enter(c);
		conn_fail(c, GG_ECANCELED, "shutting down");
		conn_leave(c);
	}
	uv_close((uv_handle_t *)&h->tick, timer_closed);
	uv_close((uv_handle_t *)&h->soon, timer_closed);
	uv_close((uv_handle_t *)&h->spare, timer_closed);
	uv_close((uv_handle_t *)&h->flush_pre, timer_closed);
	uv_close((uv_handle_t *)&h->flush_post, timer_closed);
	uv_close((uv_handle_t *)&h->spin, timer_closed);
}

const struct gg_peerid *gg_host_id(const struct gg_host *h)
{
	return &h->self;
}

const struct gg_privkey *gg_host_key(const struct gg_host *h)
{
	return h->key;
}

uv_loop_t *gg_host_loop(const struct gg_host *h)
{
	return h->loop;
}
