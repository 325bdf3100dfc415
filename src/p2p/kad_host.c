/*
 * kad_host.c - the Kademlia engine on the libp2p host: lifecycle, the
 * clock and the timer that drives kad_tick, and the server side (each
 * inbound /ggen/kad/1.0.0 stream carries any number of framed requests,
 * each answered in order).
 *
 * One timer does all the deferred work: kad_tick, sweeping stuck
 * streams, finishing ping checks and joins.  gg_kadhost_kick makes it
 * run on the next loop iteration, which is how work that must not happen
 * inside an engine call (the engine forbids re-entry) is put off.
 */
#include <sqlite3.h>

#include "p2p/kad_host_impl.h"
#include "util/error.h"
#include "util/log.h"
#include "util/varint.h"

/* An inbound stream with its partial request. */
struct kin {
	struct gg_kadhost *kh;
	struct gg_stream *s;
	struct gg_buf in;
};

int gg_kadhost_frame(const uint8_t *p, size_t n, size_t max, size_t *hdr,
		     size_t *len)
{
	uint64_t v;
	int k;

	k = gg_varint_decode(p, n, &v);
	if (k == GG_ETRUNC)
		return 0;
	if (k < 0)
		return GG_EPARSE;
	if (v > max)
		return GG_ETOOBIG;
	if (n - (size_t)k < v)
		return 0;
	*hdr = (size_t)k;
	*len = (size_t)v;
	return 1;
}

uint64_t kh_now(struct gg_kadhost *kh)
{
	return kh->clock_base_ms + uv_hrtime() / 1000000u;
}

static uint64_t io_now(void *ctx)
{
	return kh_now(ctx);
}

/* ---- the timer ---- */

static void on_tick(uv_timer_t *t)
{
	struct gg_kadhost *kh = t->data;
	uint64_t ms;

	if (kh->closing)
		return;
	kh->st.ticks++;
	kh_checks_run(kh);
	kh_sweep_conns(kh);
	ms = kad_tick(kh->kad);
	kh_outs_sweep(kh, kh_now(kh));
	kh_joins_run(kh);
	if (ms > KH_TICK_MAX_MS)
		ms = KH_TICK_MAX_MS;
	uv_timer_start(&kh->tick, on_tick, ms, 0);
}

void kh_kick(struct gg_kadhost *kh)
{
	if (!kh->closing && kh->timers_live)
		uv_timer_start(&kh->tick, on_tick, 0, 0);
}

void gg_kadhost_kick(struct gg_kadhost *kh)
{
	kh_kick(kh);
}

/* ---- the server side ---- */

static void kin_free(struct kin *r)
{
	gg_buf_release(&r->in);
	free(r);
}

static void kin_reset(struct kin *r, const char *why, int err)
{
	char id[GG_PEERID_STR_MAX];

	gg_peerid_to_str(gg_conn_remote(gg_stream_conn(r->s)), id, sizeof(id));
	gg_debug("kad", "request from %s refused (%s: %s); stream reset", id,
		 why, gg_strerror(err));
	gg_stream_reset(r->s);
	kin_free(r);
}

/* Answer one request; < 0 means reset the stream. */
static int kin_answer(struct kin *r, const uint8_t *msg, size_t len)
{
	struct gg_kadhost *kh = r->kh;
	struct gg_buf reply = GG_BUF_INIT(kh->max_msg + GG_VARINT_MAX_LEN);
	uint8_t pre[GG_VARINT_MAX_LEN];
	int rc;

	kh->st.req_in++;
	rc = kad_on_request(kh->kad, gg_conn_remote(gg_stream_conn(r->s)),
			    msg, len, &reply);
	if (rc == 0 && reply.len) {
		rc = gg_stream_write(r->s, pre, gg_varint_encode(reply.len,
								 pre));
		if (rc >= 0)
			rc = gg_stream_write(r->s, reply.data, reply.len);
	}
	gg_buf_release(&reply);
	/* no kick: answering sets no deadline and finishes no operation */
	if (rc < 0)
		kh->st.req_refused++;
	return rc < 0 ? rc : 0;
}

/* Handle every whole frame in the buffer; < 0 when the stream is gone. */
static int kin_frames(struct kin *r)
{
	size_t hdr, len;
	int rc;

	for (;;) {
		rc = gg_kadhost_frame(r->in.data, r->in.len, r->kh->max_msg,
				      &hdr, &len);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			if (rc == GG_ETOOBIG)
				r->kh->st.oversized++;
			kin_reset(r, "framing", rc);
			return rc;
		}
		rc = kin_answer(r, r->in.data + hdr, len);
		if (rc < 0) {
			kin_reset(r, "request", rc);
			return rc;
		}
		gg_buf_consume(&r->in, hdr + len);
	}
}

static void kin_data(void *arg, struct gg_stream *s, const uint8_t *p,
		     size_t n)
{
	struct kin *r = arg;
	size_t take;

	while (n > 0) {
		take = r->in.max - r->in.len;
		if (take > n)
			take = n;
		if (take == 0 || gg_buf_add(&r->in, p, take) < 0) {
			kin_reset(r, "buffer", GG_ETOOBIG);
			return;
		}
		p += take;
		n -= take;
		if (kin_frames(r) < 0)
			return;
	}
}

static void kin_eof(void *arg, struct gg_stream *s)
{
	gg_stream_close_write(s);
}

static void kin_close(void *arg, struct gg_stream *s, int err)
{
	kin_free(arg);
}

static const struct gg_stream_cbs kin_cbs = {
	.on_data = kin_data,
	.on_eof = kin_eof,
	.on_close = kin_close,
};

static void on_kad_stream(void *arg, struct gg_stream *s)
{
	struct gg_kadhost *kh = arg;
	struct kin *r;

	if (kh->closing || !(r = calloc(1, sizeof(*r)))) {
		gg_stream_reset(s);
		return;
	}
	r->kh = kh;
	r->s = s;
	gg_buf_init(&r->in, kh->max_msg + GG_VARINT_MAX_LEN);
	gg_stream_set_cbs(s, &kin_cbs, r);
}

/* ---- lifecycle ---- */

void gg_kadhost_cfg_default(struct gg_kadhost_cfg *c, struct gg_host *h,
			    struct gg_peerstore *ps)
{
	memset(c, 0, sizeof(*c));
	c->host = h;
	c->peers = ps;
	kad_config_default(&c->kad);
	c->dial_timeout_ms = 5000;
}

static int kh_setup(struct gg_kadhost *kh, const struct gg_kadhost_cfg *c)
{
	struct kad_store_config sc;
	struct kad_io io;
	int rc;

	if (c->db) {
		kad_store_config_default(&sc);
		rc = kad_store_open(c->db, &sc, &kh->store);
		if (rc < 0)
			return rc;
	}
	memset(&io, 0, sizeof(io));
	io.ctx = kh;
	io.send_request = kh_send_request;
	io.now_ms = io_now;
	io.check_peer = kh_check_peer;
	kh->kad = kad_new(&c->kad, gg_host_id(c->host), &io, kh->store);
	if (!kh->kad)
		return GG_ENOMEM;
	if (kh->persist && ((rc = kh_table_schema(kh)) < 0 ||
			    (rc = gg_kadhost_load(kh)) < 0))
		return rc;
	if (kh->server &&
	    (rc = gg_host_handle(c->host, kh->proto, on_kad_stream, kh)) < 0)
		return rc;
	/* last: a listener cannot be taken back */
	if ((rc = gg_host_notify(c->host, kh_on_conn, kh)) < 0) {
		if (kh->server)
			gg_host_unhandle(c->host, kh->proto);
		return rc;
	}
	return 0;
}

int gg_kadhost_new(const struct gg_kadhost_cfg *c, struct gg_kadhost **out)
{
	struct gg_kadhost *kh;
	struct timespec ts;
	const char *proto = c->protocol ? c->protocol : KAD_PROTOCOL_DEFAULT;
	int rc;

	*out = NULL;
	if (strlen(proto) >= KH_PROTO_MAX || proto[0] != '/')
		return GG_EINVAL;
	if (!(kh = calloc(1, sizeof(*kh))))
		return GG_ENOMEM;
	kh->host = c->host;
	kh->ps = c->peers;
	kh->db = c->db;
	kh->persist = c->persist && c->db;
	kh->server = c->kad.server_mode;
	snprintf(kh->proto, sizeof(kh->proto), "%s", proto);
	kh->max_msg = c->kad.msg.max_msg;
	kh->dial_timeout_ms = c->dial_timeout_ms ? c->dial_timeout_ms : 5000;
	kh->rpc_timeout_ms = c->kad.query.rpc_timeout_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	kh->clock_base_ms = (uint64_t)ts.tv_sec * 1000 +
			    (uint64_t)ts.tv_nsec / 1000000 -
			    uv_hrtime() / 1000000u;
	rc = kh_setup(kh, c);
	if (rc < 0) {
		kad_free(kh->kad);
		kad_store_free(kh->store);
		free(kh);
		return rc;
	}
	uv_timer_init(gg_host_loop(c->host), &kh->tick);
	kh->tick.data = kh;
	kh->timers_live = 1;
	uv_timer_start(&kh->tick, on_tick, 0, 0);
	*out = kh;
	return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct gg_kadhost *kh = h->data;

	kh->timers_live = 0;
}

void gg_kadhost_close(struct gg_kadhost *kh)
{
	if (!kh || kh->closing)
		return;
	if (kh->persist && kh->kad)
		gg_kadhost_save(kh);
	kh->closing = 1;
	if (kh->timers_live) {
		uv_timer_stop(&kh->tick);
		uv_close((uv_handle_t *)&kh->tick, on_timer_closed);
	}
	if (kh->server && kh->kad)
		gg_host_unhandle(kh->host, kh->proto);
	kh_outs_close(kh);
	kh_peers_close(kh);
}

void gg_kadhost_free(struct gg_kadhost *kh)
{
	if (!kh)
		return;
	gg_kadhost_close(kh);
	kad_free(kh->kad);
	kad_store_free(kh->store);
	free(kh);
}

struct kad *gg_kadhost_kad(struct gg_kadhost *kh)
{
	return kh->kad;
}

const char *gg_kadhost_protocol(const struct gg_kadhost *kh)
{
	return kh->proto;
}

int gg_kadhost_server_mode(const struct gg_kadhost *kh)
{
	return kh->server;
}

size_t gg_kadhost_table_size(const struct gg_kadhost *kh)
{
	return kad_table_size(kad_routing_table(kh->kad), 1);
}

void gg_kadhost_stats(const struct gg_kadhost *kh,
		      struct gg_kadhost_stats *out)
{
	*out = kh->st;
}
