/*
 * kad_host_out.c - the engine's outbound requests: one stream each,
 * dialling first when we are not connected.
 *
 * A request is reported to the engine exactly once (response or
 * failure), never from inside kh_send_request: failures known at once
 * are returned as an error code, which the engine handles itself, and
 * everything else arrives through the host's callbacks, which run from
 * the loop.  Requests to a peer we are dialling wait on that dial instead
 * of starting another connection; the dial tries the peer's addresses in
 * order, each with /p2p/ID appended so the remote must prove it is the
 * peer we meant.  After the reply our write half is closed and the stream
 * left to the remote to close (js does the same as a client).
 */
#include "p2p/kad_host_impl.h"
#include "util/error.h"
#include "util/log.h"
#include "util/varint.h"

static void ignore_data(void *arg, struct gg_stream *s, const uint8_t *p,
			size_t n)
{
}

/* What a stream we are done with gets: nothing more reaches us. */
static const struct gg_stream_cbs drain_cbs = { .on_data = ignore_data };

static void out_link(struct gg_kadhost *kh, struct kout *o)
{
	o->next = kh->outs;
	o->prev = NULL;
	if (kh->outs)
		kh->outs->prev = o;
	kh->outs = o;
}

static void out_unlink(struct kout *o)
{
	struct gg_kadhost *kh = o->kh;

	if (o->prev)
		o->prev->next = o->next;
	else if (kh->outs == o)
		kh->outs = o->next;
	if (o->next)
		o->next->prev = o->prev;
	o->prev = o->next = NULL;
}

void kh_out_free(struct kout *o)
{
	out_unlink(o);
	free(o->msg);
	gg_buf_release(&o->in);
	free(o);
}

/* Tell the engine, once. */
static void report(struct kout *o, int err, const uint8_t *msg, size_t len)
{
	struct gg_kadhost *kh = o->kh;

	if (o->reported || !o->want_reply || o->dead || kh->closing)
		return;
	o->reported = 1;
	if (err) {
		kh->st.req_failed++;
		kad_on_failure(kh->kad, o->req, err);
	} else {
		kh->st.req_ok++;
		kh->st.reply_us += (uv_hrtime() - o->sent_ns) / 1000u;
		kad_on_response(kh->kad, o->req, msg, len);
	}
	kh_kick(kh);
}

/* Leave the stream to the remote and forget the request. */
static void out_done(struct kout *o)
{
	if (o->s) {
		gg_stream_set_cbs(o->s, &drain_cbs, NULL);
		gg_stream_close_write(o->s);
	}
	kh_out_free(o);
}

static void out_data(void *arg, struct gg_stream *s, const uint8_t *p,
		     size_t n)
{
	struct kout *o = arg;
	size_t hdr, len;
	int rc;

	rc = gg_buf_add(&o->in, p, n);
	if (rc == 0)
		rc = gg_kadhost_frame(o->in.data, o->in.len, o->kh->max_msg,
				      &hdr, &len);
	if (rc == 0)
		return;
	if (rc < 0) {
		if (rc == GG_ETOOBIG)
			o->kh->st.oversized++;
		report(o, rc, NULL, 0);
		gg_stream_reset(s);
		o->s = NULL;
		kh_out_free(o);
		return;
	}
	report(o, 0, o->in.data + hdr, len);
	out_done(o);
}

static void out_eof(void *arg, struct gg_stream *s)
{
	struct kout *o = arg;

	report(o, GG_ECLOSED, NULL, 0);
	out_done(o);
}

static void out_close(void *arg, struct gg_stream *s, int err)
{
	struct kout *o = arg;

	o->s = NULL;
	if (o->starting) { /* inside out_open: it reports */
		o->early_err = err ? err : GG_ECLOSED;
		return;
	}
	report(o, err ? err : GG_ECLOSED, NULL, 0);
	kh_out_free(o);
}

static const struct gg_stream_cbs out_cbs = {
	.on_data = out_data,
	.on_eof = out_eof,
	.on_close = out_close,
};

/*
 * Open a stream lazily (the proposal and the request leave together,
 * saving a round trip) and write the request.  The host may end the
 * stream before either call returns, so o->starting makes out_close leave
 * the report to us.  0 (o may be gone: no reply wanted), or an error with
 * o still ours.
 */
static int out_open(struct kout *o, struct gg_conn *c)
{
	struct gg_stream *s = NULL;
	int rc;

	o->state = KO_SENT;
	o->started_ms = kh_now(o->kh);
	o->starting = 1;
	o->kh->st.streams++;
	rc = gg_stream_open_lazy(c, o->kh->proto, &out_cbs, o, &s);
	if (rc == 0 && !o->early_err) {
		o->s = s;
		rc = gg_stream_write(s, o->msg, o->len);
		if (rc > 0)
			rc = 0; /* above the high-water mark: queued anyway */
		if (rc < 0 && o->s) {
			gg_stream_reset(o->s);
			o->s = NULL;
		}
	}
	o->starting = 0;
	if (rc == 0 && o->early_err)
		rc = o->early_err;
	if (rc < 0)
		return rc;
	if (!o->want_reply)
		out_done(o);
	return 0;
}

/* ---- dials ---- */

static void dial_unlink(struct kdial *kd)
{
	struct kdial **pp;

	for (pp = &kd->kh->dials; *pp; pp = &(*pp)->next)
		if (*pp == kd) {
			*pp = kd->next;
			return;
		}
}

static void dialed(void *arg, struct gg_conn *c, int err,
		   const struct gg_peerid *remote);

/* Start a dial on the next address that the host accepts. */
static int dial_next(struct kdial *kd)
{
	struct gg_kadhost *kh = kd->kh;
	int rc;

	while (kd->next_addr < kd->naddrs) {
		rc = gg_host_dial(kh->host, &kd->addrs[kd->next_addr++],
				  kh->dial_timeout_ms, dialed, kd, &kd->d);
		if (rc == 0) {
			kh->st.dials++;
			return 0;
		}
		if (!kd->first_err)
			kd->first_err = rc;
	}
	return kd->first_err ? kd->first_err : GG_ENOTFOUND;
}

/* Every waiter of a dial: open its stream on c, or fail with err. */
static void dial_finish(struct kdial *kd, struct gg_conn *c, int err)
{
	struct kout *o, *next;
	int rc;

	dial_unlink(kd);
	for (o = kd->waiters; o; o = next) {
		next = o->wnext;
		o->wnext = NULL;
		if (o->dead) {
			kh_out_free(o);
			continue;
		}
		rc = c ? out_open(o, c) : err;
		if (rc < 0) {
			report(o, rc, NULL, 0);
			kh_out_free(o);
		}
	}
	free(kd);
}

static void dialed(void *arg, struct gg_conn *c, int err,
		   const struct gg_peerid *remote)
{
	struct kdial *kd = arg;

	kd->d = NULL;
	if (c || kd->kh->closing) {
		dial_finish(kd, kd->kh->closing ? NULL : c,
			    err ? err : GG_ECANCELED);
		return;
	}
	if (!kd->first_err)
		kd->first_err = err;
	if (dial_next(kd) == 0)
		return;
	dial_finish(kd, NULL, kd->first_err);
}

static void dial_add_addr(struct kdial *kd, const struct gg_multiaddr *ma)
{
	struct gg_multiaddr m = *ma;
	int i, had;

	if (kd->naddrs >= KH_DIAL_ADDRS ||
	    gg_multiaddr_strip_p2p(&m, NULL, &had) < 0 ||
	    gg_multiaddr_append_p2p(&m, &kd->peer) < 0)
		return;
	for (i = 0; i < kd->naddrs; i++)
		if (kd->addrs[i].len == m.len &&
		    !memcmp(kd->addrs[i].b, m.b, m.len))
			return;
	kd->addrs[kd->naddrs++] = m;
}

static struct kdial *dial_new(struct gg_kadhost *kh,
			      const struct kad_peer *to)
{
	struct gg_multiaddr ma[KH_DIAL_ADDRS];
	const struct gg_peer_info *pi;
	struct kdial *kd;
	size_t i, n;
	int j;

	if (!(kd = calloc(1, sizeof(*kd))))
		return NULL;
	kd->kh = kh;
	kd->peer = to->id;
	n = kad_addrbuf_get(&to->addrs, ma, KH_DIAL_ADDRS);
	for (i = 0; i < n; i++)
		dial_add_addr(kd, &ma[i]);
	pi = kh->ps ? gg_peerstore_get(kh->ps, &to->id) : NULL;
	for (j = 0; pi && j < pi->naddrs; j++)
		dial_add_addr(kd, &pi->addrs[j]);
	return kd;
}

static struct kdial *dial_find(struct gg_kadhost *kh,
			       const struct gg_peerid *id)
{
	struct kdial *kd;

	for (kd = kh->dials; kd; kd = kd->next)
		if (gg_peerid_eq(&kd->peer, id))
			return kd;
	return NULL;
}

/* Queue o behind a dial to its peer (a new one if needed). */
static int out_via_dial(struct gg_kadhost *kh, struct kout *o,
			const struct kad_peer *to)
{
	struct kdial *kd = dial_find(kh, &to->id);
	int rc;

	if (!kd) {
		if (!(kd = dial_new(kh, to)))
			return GG_ENOMEM;
		if ((rc = dial_next(kd)) < 0) {
			free(kd);
			return rc;
		}
		kd->next = kh->dials;
		kh->dials = kd;
	}
	o->state = KO_DIALING;
	o->started_ms = kh_now(kh);
	o->wnext = kd->waiters;
	kd->waiters = o;
	return 0;
}

int kh_send_request(void *ctx, uint64_t req, const struct kad_peer *to,
		    const uint8_t *msg, size_t len, int want_reply)
{
	struct gg_kadhost *kh = ctx;
	uint8_t pre[GG_VARINT_MAX_LEN];
	struct gg_conn *c;
	struct kout *o;
	size_t k;
	int rc;

	if (kh->closing)
		return GG_ECANCELED;
	if (len > kh->max_msg)
		return GG_ETOOBIG;
	if (!(o = calloc(1, sizeof(*o))))
		return GG_ENOMEM;
	k = gg_varint_encode(len, pre);
	if (!(o->msg = malloc(k + len))) {
		free(o);
		return GG_ENOMEM;
	}
	memcpy(o->msg, pre, k);
	memcpy(o->msg + k, msg, len);
	o->len = k + len;
	o->kh = kh;
	o->req = req;
	o->want_reply = want_reply;
	o->peer = to->id;
	o->sent_ns = uv_hrtime();
	gg_buf_init(&o->in, kh->max_msg + GG_VARINT_MAX_LEN);
	out_link(kh, o);
	kh->st.req_out++;
	c = gg_host_conn_to(kh->host, &to->id);
	rc = c ? out_open(o, c) : out_via_dial(kh, o, to);
	if (rc < 0) {
		kh->st.req_failed++;
		kh_out_free(o); /* the engine fails the request itself */
	}
	return rc;
}

/* Streams whose reply never came long after the engine gave up. */
void kh_outs_sweep(struct gg_kadhost *kh, uint64_t now)
{
	struct kout *o, *next;

	for (o = kh->outs; o; o = next) {
		next = o->next;
		if (o->state != KO_SENT ||
		    now < o->started_ms + kh->rpc_timeout_ms + 2000)
			continue;
		report(o, GG_ETIMEOUT, NULL, 0);
		if (o->s)
			gg_stream_reset(o->s);
		o->s = NULL;
		kh_out_free(o);
	}
}

void kh_outs_close(struct gg_kadhost *kh)
{
	struct kout *o, *next;
	struct kdial *kd, *knext;

	for (o = kh->outs; o; o = next) {
		next = o->next;
		if (o->state == KO_SENT) {
			if (o->s)
				gg_stream_reset(o->s);
			kh_out_free(o);
			continue;
		}
		o->dead = 1; /* its callback frees it */
		out_unlink(o);
	}
	for (kd = kh->dials; kd; kd = knext) {
		knext = kd->next;
		if (kd->d)
			gg_host_dial_cancel(kd->d);
	}
}
