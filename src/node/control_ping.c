/*
 * control_ping.c - the ping command: the daemon dials (or reuses its
 * connection to) a peer and measures round trips with /ipfs/ping/1.0.0.
 *
 * {"cmd":"ping","addr":MULTIADDR,"count":N,"timeout_ms":N,
 *  "interval_ms":N} answers {"peer":ID,"rtts_ms":[...]}; a failure after
 * some pongs still carries them.  Everything runs from the loop: the
 * daemon goes on serving while it waits.  The connection stays open
 * afterwards, as a daemon's connections do, so `peers` lists the peer.
 *
 * One op owns a dial (until its callback), a pinger and a timer (for the
 * per-ping timeout and the pause between pings).  The call is answered
 * once (finished); the op is freed when the dial callback has run and
 * the timer is closed, whichever is last.
 */
#include "node/control_impl.h"
#include "node/node.h"
#include "p2p/ping.h"
#include "util/error.h"
#include "util/log.h"

#define PING_MAX_COUNT 100000
#define PING_MAX_MS 3600000

struct ping_op {
	struct gg_ctl_call *call;
	struct gg_node *node;
	char addr[GG_MULTIADDR_STR_MAX];
	struct gg_dial *dial;
	struct gg_ping *ping;
	uv_timer_t timer;
	json_t *rtts;
	char peer[GG_PEERID_STR_MAX];
	int64_t count, timeout_ms, interval_ms;
	int64_t got;
	int dialing, waiting, finished, timer_open;
};

static void op_maybe_free(struct ping_op *op)
{
	if (op->finished && !op->dialing && !op->timer_open) {
		json_decref(op->rtts);
		free(op);
	}
}

static void on_timer_closed(uv_handle_t *h)
{
	struct ping_op *op = h->data;

	op->timer_open = 0;
	op_maybe_free(op);
}

static json_t *op_result(struct ping_op *op)
{
	return json_pack("{s:s, s:O, s:I}", "peer", op->peer, "rtts_ms",
			 op->rtts, "received", (json_int_t)op->got);
}

/* Answer (err 0: ok; else the message) and let go of everything. */
static void op_finish(struct ping_op *op, int err, const char *msg)
{
	if (op->finished)
		return;
	op->finished = 1;
	if (err)
		gg_ctl_fail_extra(op->call, err, op_result(op), "%s", msg);
	else
		gg_ctl_reply(op->call, op_result(op));
	op->call = NULL;
	gg_ping_free(op->ping);
	op->ping = NULL;
	uv_timer_stop(&op->timer);
	uv_close((uv_handle_t *)&op->timer, on_timer_closed);
	if (op->dialing)
		gg_host_dial_cancel(op->dial); /* its callback frees the op */
}

static void op_fail(struct ping_op *op, int err, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s", what, gg_strerror(err));
	op_finish(op, err, msg);
}

static void on_timer(uv_timer_t *t);

static void send_next(struct ping_op *op)
{
	int rc = gg_ping_send(op->ping);

	if (rc) {
		op_fail(op, rc, "ping failed");
		return;
	}
	op->waiting = 1;
	uv_timer_start(&op->timer, on_timer, (uint64_t)op->timeout_ms, 0);
}

static void on_timer(uv_timer_t *t)
{
	struct ping_op *op = t->data;

	if (op->waiting)
		op_fail(op, GG_ETIMEOUT, "ping failed");
	else
		send_next(op); /* the pause is over */
}

static void on_pong(void *arg, int err, uint64_t rtt_ns)
{
	struct ping_op *op = arg;

	uv_timer_stop(&op->timer);
	op->waiting = 0;
	if (err) {
		op_fail(op, err, "ping failed");
		return;
	}
	op->got++;
	json_array_append_new(op->rtts, json_real((double)rtt_ns / 1e6));
	if (op->got >= op->count)
		op_finish(op, 0, NULL);
	else if (op->interval_ms)
		uv_timer_start(&op->timer, on_timer,
			       (uint64_t)op->interval_ms, 0);
	else
		send_next(op);
}

static void start_pinging(struct ping_op *op, struct gg_conn *c)
{
	int rc;

	gg_peerid_to_str(gg_conn_remote(c), op->peer, sizeof(op->peer));
	rc = gg_ping_new(c, on_pong, op, &op->ping);
	if (rc)
		op_fail(op, rc, "ping failed");
	else
		send_next(op);
}

static void on_dialed(void *arg, struct gg_conn *c, int err,
		      const struct gg_peerid *remote)
{
	struct ping_op *op = arg;
	struct gg_multiaddr bare;
	struct gg_peerid want;
	char msg[GG_MULTIADDR_STR_MAX + 512];
	char w[GG_PEERID_STR_MAX], r[GG_PEERID_STR_MAX];
	int had = 0;

	op->dialing = 0;
	op->dial = NULL;
	if (op->finished) {
		op_maybe_free(op);
		return;
	}
	if (!err) {
		start_pinging(op, c);
		return;
	}
	if (gg_multiaddr_parse(op->addr, &bare) == 0 && err == GG_EPEERID &&
	    remote && gg_multiaddr_strip_p2p(&bare, &want, &had) == 0 && had) {
		gg_peerid_to_str(&want, w, sizeof(w));
		gg_peerid_to_str(remote, r, sizeof(r));
		snprintf(msg, sizeof(msg), "peer ID mismatch: dialed %s, "
			 "remote is %s", w, r);
	} else {
		snprintf(msg, sizeof(msg), "cannot connect to %s: %s",
			 op->addr, gg_strerror(err));
	}
	op_finish(op, err, msg);
}

static void on_cancel(void *arg)
{
	op_finish(arg, GG_ECANCELED, "the node is shutting down");
}

/* A whole-number argument in [min, max], or def when absent. */
static int int_arg(const json_t *req, const char *name, int64_t min,
		   int64_t max, int64_t def, int64_t *out)
{
	const json_t *v = json_object_get(req, name);

	*out = def;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return GG_ERANGE;
	*out = json_integer_value(v);
	return 0;
}

/* Dial, or reuse the connection to the /p2p/ID of the address. */
static int op_start(struct ping_op *op, const struct gg_multiaddr *ma)
{
	struct gg_multiaddr bare = *ma;
	struct gg_peerid id;
	struct gg_conn *c = NULL;
	int had = 0, rc;

	if (gg_multiaddr_strip_p2p(&bare, &id, &had) == 0 && had)
		c = gg_host_conn_to(op->node->host, &id);
	if (c) {
		start_pinging(op, c);
		return 0;
	}
	rc = gg_host_dial(op->node->host, ma, (uint64_t)op->timeout_ms,
			  on_dialed, op, &op->dial);
	if (rc == 0)
		op->dialing = 1;
	return rc;
}

int gg_ctl_ping(struct gg_ctl_call *call, const json_t *req, void *arg)
{
	const char *addr = json_string_value(json_object_get(req, "addr"));
	struct gg_multiaddr ma;
	struct ping_op *op;
	int rc;

	if (!addr || gg_multiaddr_parse(addr, &ma)) {
		gg_ctl_fail(call, GG_EINVAL, "ping: \"addr\" must be a "
			    "multiaddr, not %.200s", addr ? addr : "nothing");
		return 0;
	}
	op = calloc(1, sizeof(*op));
	if (!op)
		return GG_ENOMEM;
	rc = int_arg(req, "count", 1, PING_MAX_COUNT, 3, &op->count);
	if (rc == 0)
		rc = int_arg(req, "timeout_ms", 1, PING_MAX_MS, 10000,
			     &op->timeout_ms);
	if (rc == 0)
		rc = int_arg(req, "interval_ms", 0, PING_MAX_MS, 1000,
			     &op->interval_ms);
	op->rtts = json_array();
	if (rc || !op->rtts) {
		json_decref(op->rtts);
		free(op);
		if (rc)
			gg_ctl_fail(call, rc, "ping: count, timeout_ms or "
				    "interval_ms out of range");
		return rc ? 0 : GG_ENOMEM;
	}
	op->call = call;
	op->node = gg_ctl_call_node(call);
	if (gg_multiaddr_to_str(&ma, op->addr, sizeof(op->addr)))
		op->addr[0] = '\0';
	uv_timer_init(gg_host_loop(op->node->host), &op->timer);
	op->timer.data = op;
	op->timer_open = 1;
	gg_ctl_call_on_cancel(call, on_cancel, op);
	gg_debug("control", "ping %s", addr);
	rc = op_start(op, &ma);
	if (rc)
		op_fail(op, rc, "cannot dial");
	return 0;
}
