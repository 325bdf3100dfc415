/*
 * node.c - the node manager and gg_run (see node.h).
 *
 * gg_run's timer is unreferenced-free and private to the call, so nested
 * or sequential runs on one loop never see each other's timeouts.  The
 * node's release order matters: the host first (which completes every
 * pending callback with GG_ECANCELED), then the loop is run until libuv
 * has closed every handle, and only then the services the callbacks
 * pointed at are freed.
 */
#include "config/config.h"
#include "node/control.h"
#include "node/node.h"
#include "node/node_gossip.h"
#include "node/node_kad.h"
#include "p2p/ping.h"
#include "util/error.h"
#include "util/log.h"

#define NODE_MAX_PEERSTORE 1024

struct run_timer {
	uv_timer_t t;
	struct gg_op *op;
	int closed;
};

static void on_run_timeout(uv_timer_t *t)
{
	struct run_timer *rt = t->data;

	if (rt->op && !rt->op->done) {
		rt->op->done = 1;
		rt->op->status = GG_ETIMEOUT;
	}
}

static void on_run_timer_closed(uv_handle_t *h)
{
	struct run_timer *rt = h->data;

	rt->closed = 1;
}

static void on_run_timer_freed(uv_handle_t *h)
{
	free(h->data);
}

/*
 * The timer is on the heap and freed by its close callback, so gg_run
 * returns as soon as op is done: waiting here for the close would run one
 * more loop iteration, and the input it reads (a peer's identify, say)
 * would be handled before the caller's next step (the ping it is about to
 * send).  Without memory for that, a timer on the stack is closed the
 * slow way.
 */
int gg_run(uv_loop_t *loop, struct gg_op *op, uint64_t timeout_ms)
{
	struct run_timer local, *rt;

	if (op->done)
		return op->status;
	rt = malloc(sizeof(*rt));
	if (!rt) {
		rt = &local;
	}
	memset(rt, 0, sizeof(*rt));
	rt->op = op;
	uv_timer_init(loop, &rt->t);
	rt->t.data = rt;
	if (timeout_ms)
		uv_timer_start(&rt->t, on_run_timeout, timeout_ms, 0);
	while (!op->done)
		if (!uv_run(loop, UV_RUN_ONCE) && !op->done) {
			op->done = 1; /* nothing left that could finish it */
			op->status = GG_ECANCELED;
		}
	uv_timer_stop(&rt->t);
	rt->op = NULL;
	if (rt != &local) {
		uv_close((uv_handle_t *)&rt->t, on_run_timer_freed);
		return op->status;
	}
	uv_close((uv_handle_t *)&rt->t, on_run_timer_closed);
	while (!rt->closed)
		uv_run(loop, UV_RUN_ONCE);
	return op->status;
}

void gg_node_opts_from_config(struct gg_node_opts *o,
			      const struct gg_config *cfg, const char *home)
{
	memset(o, 0, sizeof(*o));
	o->home = home;
	o->max_peers = (int)gg_config_int(cfg, "performance.max_peers");
	o->max_peers_per_ip = (int)gg_config_int(cfg,
						 "network.max_peers_per_ip");
}

static int node_services(struct gg_node *n, const struct gg_node_opts *o)
{
	struct gg_host_cfg hc;
	const uint8_t *pub;
	size_t publen;
	int rc;

	pub = gg_privkey_public(n->key, &publen);
	rc = gg_peerid_from_pubkey(pub, publen, &n->id);
	if (rc)
		return rc;
	memset(&hc, 0, sizeof(hc));
	hc.loop = &n->loop;
	hc.key = n->key;
	hc.max_peers = o->max_peers;
	hc.max_peers_per_ip = o->max_peers_per_ip;
	hc.handshake_timeout_ms = o->handshake_timeout_ms;
	rc = gg_host_new(&hc, &n->host);
	if (rc == 0)
		rc = gg_peerstore_new(NODE_MAX_PEERSTORE, &n->peers);
	if (rc == 0)
		rc = gg_identify_new(n->host, n->peers, &n->identify);
	if (rc == 0)
		rc = gg_ping_serve(n->host);
	return rc;
}

int gg_node_init(struct gg_node *n, const struct gg_node_opts *o)
{
	int rc;

	memset(n, 0, sizeof(*n));
	rc = uv_loop_init(&n->loop);
	if (rc < 0)
		return GG_ENOMEM;
	n->loop_live = 1;
	if (o->key) {
		n->key = o->key;
		rc = 0;
	} else {
		rc = gg_identity_load_or_create(o->home, &n->key);
	}
	if (rc == 0)
		rc = node_services(n, o);
	if (rc)
		gg_node_release(n);
	return rc;
}

int gg_node_listen(struct gg_node *n, const char *const *addrs, int count,
		   char *err, size_t errsz)
{
	struct gg_multiaddr ma;
	int i, rc;

	for (i = 0; i < count; i++) {
		rc = gg_multiaddr_parse(addrs[i], &ma);
		if (rc == 0)
			rc = gg_host_listen(n->host, &ma);
		if (rc) {
			snprintf(err, errsz, "cannot listen on %s: %s",
				 addrs[i], gg_strerror(rc));
			return rc;
		}
	}
	return 0;
}

int gg_node_addrs(struct gg_node *n, struct gg_multiaddr *out, int max)
{
	int i, k = gg_host_listen_addrs(n->host, out, max);

	for (i = 0; i < k; i++)
		gg_multiaddr_append_p2p(&out[i], &n->id);
	return k;
}

void gg_node_release(struct gg_node *n)
{
	gg_node_kad_close(n);
	gg_node_gossip_close(n);
	if (n->host) {
		gg_host_free(n->host);
		n->host = NULL;
	}
	if (n->loop_live) {
		uv_run(&n->loop, UV_RUN_DEFAULT);
		if (uv_loop_close(&n->loop) != 0)
			gg_warn("node", "event loop still has open handles");
		n->loop_live = 0;
	}
	gg_node_kad_free(n);
	gg_node_gossip_free(n);
	gg_ctl_ext_free(n->ctl_ext);
	gg_identify_free(n->identify);
	gg_peerstore_free(n->peers);
	gg_privkey_free(n->key);
	memset(n, 0, sizeof(*n));
}

/* ---- dial and wait ---- */

struct dial_op {
	struct gg_op op;
	struct gg_conn *conn;
	struct gg_peerid remote;
	int has_remote;
	int waiting;
};

static void on_dialed(void *arg, struct gg_conn *c, int err,
		      const struct gg_peerid *remote)
{
	struct dial_op *d = arg;

	if (remote) {
		d->remote = *remote;
		d->has_remote = 1;
	}
	d->conn = c;
	d->op.status = err;
	d->op.done = 1;
}

int gg_node_dial(struct gg_node *n, const struct gg_multiaddr *ma,
		 uint64_t timeout_ms, struct gg_conn **out,
		 struct gg_peerid *remote)
{
	struct dial_op d;
	struct gg_dial *h;
	int rc;

	*out = NULL;
	memset(&d, 0, sizeof(d));
	rc = gg_host_dial(n->host, ma, timeout_ms, on_dialed, &d, &h);
	if (rc)
		return rc;
	/* the dial carries its own deadline; the margin only guards it */
	rc = gg_run(&n->loop, &d.op, timeout_ms + 1000);
	if (rc == GG_ETIMEOUT && !d.conn) {
		d.op.done = 0;
		gg_host_dial_cancel(h);
		gg_run(&n->loop, &d.op, 0);
		rc = GG_ETIMEOUT;
	}
	if (remote && d.has_remote)
		*remote = d.remote;
	*out = d.conn;
	return rc;
}
