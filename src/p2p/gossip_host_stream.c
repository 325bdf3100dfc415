/*
 * gossip_host_stream.c - the framed /meshsub streams of gossip_host.h.
 *
 * Outbound: one long-lived stream per peer, opened on the first RPC.
 * Frames wait in the peer's queue while it opens; afterwards they go
 * straight to the stream, whose own queue (gg_stream_queued) then counts
 * against the same cap, so a peer that stops reading costs us at most
 * max_queued bytes and loses RPCs instead.  Nothing here calls into the
 * engine while the engine is sending (gossip_io.send_rpc's rule); the
 * open callback, which runs from the loop, may.
 *
 * Inbound: frames are handed to the engine straight from the bytes the
 * host gives us when they are whole, and only a frame split across reads
 * is copied into the reader's buffer (at most one frame: the cap plus
 * its header).  The length is checked before any body byte is kept.
 */
#include "p2p/gossip_host_impl.h"
#include "util/error.h"
#include "util/log.h"
#include "util/varint.h"

int gg_gossiphost_frame(const uint8_t *p, size_t n, size_t max,
			size_t *hdr, size_t *len)
{
	uint64_t v;
	int k = gg_varint_decode(p, n, &v);

	if (k == GG_ETRUNC)
		return 0;
	if (k < 0)
		return GG_EPARSE;
	*hdr = (size_t)k;
	*len = v > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)v;
	return v > max ? GG_ETOOBIG : 1;
}

/* ---- outbound ---- */

struct gh_out {
	struct gg_gossiphost *gh;
	struct gg_peerid id;
};

static void out_ignore(void *arg, struct gg_stream *s, const uint8_t *p,
		       size_t n)
{
}

static void out_close(void *arg, struct gg_stream *s, int err)
{
	struct gh_out *o = arg;
	struct gh_peer *p = gh_peer_get(o->gh, &o->id);

	if (p && p->out == s) {
		p->out = NULL;
		p->out_ctx = NULL;
	}
	o->gh->st.streams_out--;
	free(o);
}

static const struct gg_stream_cbs out_cbs = {
	.on_data = out_ignore,
	.on_close = out_close,
};

static void out_reset(struct gg_gossiphost *gh, struct gh_peer *p)
{
	struct gh_out *o = p->out_ctx;

	gg_stream_reset(p->out);
	p->out = NULL;
	p->out_ctx = NULL;
	gh->st.streams_out--;
	free(o);
}

static int out_write(struct gg_gossiphost *gh, struct gh_peer *p,
		     const uint8_t *f, size_t n)
{
	int rc;

	if (gg_stream_queued(p->out) + n > gh->c.max_queued) {
		gh->st.dropped++;
		return GG_ELIMIT;
	}
	rc = gg_stream_write(p->out, f, n);
	if (rc < 0) {
		gg_debug(GH_LOG, "stream write: %s", gg_strerror(rc));
		out_reset(gh, p);
		gh->st.dropped++;
		return rc;
	}
	gh->st.frames_out++;
	gh->st.bytes_out += n;
	return 0;
}

static void queue_drop(struct gg_gossiphost *gh, struct gh_peer *p)
{
	if (p->q.len)
		gh->st.dropped++;
	gg_buf_release(&p->q);
}

static void out_opened(void *arg, struct gg_stream *s, int err)
{
	struct gh_out *o = arg;
	struct gg_gossiphost *gh = o->gh;
	struct gh_peer *p = gh->closing ? NULL : gh_peer_get(gh, &o->id);

	if (p)
		p->opening = 0;
	if (err || !p || p->out) {
		if (s)
			gg_stream_reset(s);
		free(o);
		if (!p || p->out)
			return;
		gh->st.open_failed++;
		queue_drop(gh, p);
		gg_debug(GH_LOG, "cannot open a stream: %s", gg_strerror(err));
		if (err == GG_EUNSUPPORTED && p->added) {
			gossip_remove_peer(gh->g, &p->id);
			p->added = 0;
		}
		return;
	}
	p->out = s;
	p->out_ctx = o;
	gh->st.streams_out++;
	gg_stream_set_cbs(s, &out_cbs, o);
	if (p->q.len)
		out_write(gh, p, p->q.data, p->q.len);
	gg_buf_release(&p->q);
}

static void out_open(struct gg_gossiphost *gh, struct gh_peer *p)
{
	static const char *const protos[] = { GOSSIP_PROTO_V11,
					      GOSSIP_PROTO_V10 };
	struct gg_conn *c = gg_host_conn_to(gh->h, &p->id);
	struct gh_out *o = c ? calloc(1, sizeof(*o)) : NULL;

	if (o) {
		o->gh = gh;
		o->id = p->id;
		if (gg_stream_open(c, protos, 2, out_opened, o) == 0) {
			p->opening = 1;
			return;
		}
		free(o);
	}
	gh->st.open_failed++;
	queue_drop(gh, p);
}

int gh_send_rpc(void *ctx, const struct gg_peerid *to, const uint8_t *rpc,
		size_t len)
{
	struct gg_gossiphost *gh = ctx;
	struct gh_peer *p = gh->closing ? NULL : gh_peer_get(gh, to);
	uint8_t hdr[GG_VARINT_MAX_LEN];
	int rc;

	if (!p)
		return GG_ENOTFOUND;
	gg_buf_reset(&gh->frame);
	rc = gg_buf_add(&gh->frame, hdr, gg_varint_encode(len, hdr));
	if (rc == 0)
		rc = gg_buf_add(&gh->frame, rpc, len);
	if (rc < 0)
		return rc;
	if (p->out)
		return out_write(gh, p, gh->frame.data, gh->frame.len);
	if (!p->q.max)
		gg_buf_init(&p->q, gh->c.max_queued);
	if (gg_buf_add(&p->q, gh->frame.data, gh->frame.len) < 0) {
		gh->st.dropped++;
		return GG_ELIMIT;
	}
	if (!p->opening)
		out_open(gh, p);
	return 0;
}

void gh_peer_streams_drop(struct gg_gossiphost *gh, struct gh_peer *p)
{
	if (p->out)
		out_reset(gh, p);
	gg_buf_release(&p->q);
}

/* ---- inbound ---- */

struct gh_in {
	struct gg_gossiphost *gh;
	struct gg_peerid id;
	struct gg_buf buf; /* a frame split across reads */
};

static void in_free(struct gh_in *r)
{
	struct gh_peer *p = gh_peer_get(r->gh, &r->id);

	if (p)
		p->nin--;
	r->gh->st.streams_in--;
	gg_buf_release(&r->buf);
	free(r);
}

static void in_reset(struct gh_in *r, struct gg_stream *s)
{
	r->gh->st.resets++;
	gg_stream_reset(s);
	in_free(r);
}

/* One whole frame: 0 to go on, < 0 when the stream must go. */
static int in_rpc(struct gh_in *r, const uint8_t *f, size_t len)
{
	int rc;

	r->gh->st.frames_in++;
	rc = gossip_on_rpc(r->gh->g, &r->id, f, len);
	if (rc == GG_EPARSE || rc == GG_ELIMIT || rc == GG_ETOOBIG) {
		gg_debug(GH_LOG, "bad RPC: %s", gg_strerror(rc));
		return rc;
	}
	return 0; /* GG_EBANNED and GG_ENOTFOUND: read on, discard */
}

/* A header that failed: report an oversized frame to the engine. */
static int in_bad_header(struct gh_in *r, int rc, size_t len)
{
	if (rc == GG_ETOOBIG) {
		r->gh->st.oversized++;
		gossip_on_oversized(r->gh->g, &r->id, len);
	}
	return rc;
}

/* Whole frames straight from d: bytes used, or < 0 (stream must go). */
static long in_frames(struct gh_in *r, const uint8_t *d, size_t n)
{
	size_t off = 0, hdr, len, max = gossip_max_rpc(r->gh->g);
	int rc;

	while (off < n) {
		rc = gg_gossiphost_frame(d + off, n - off, max, &hdr, &len);
		if (rc < 0)
			return in_bad_header(r, rc, len);
		if (rc == 0 || hdr + len > n - off)
			break;
		if ((rc = in_rpc(r, d + off + hdr, len)) < 0)
			return rc;
		off += hdr + len;
	}
	return (long)off;
}

/* Complete the frame in r->buf from d: bytes used, or < 0. */
static long in_fill(struct gh_in *r, const uint8_t *d, size_t n)
{
	size_t taken = 0, hdr = 0, len = 0, k;
	size_t max = gossip_max_rpc(r->gh->g);
	int rc;

	for (;;) {
		rc = gg_gossiphost_frame(r->buf.data, r->buf.len, max, &hdr,
					 &len);
		if (rc < 0)
			return in_bad_header(r, rc, len);
		if (rc == 1 && r->buf.len == hdr + len) {
			rc = in_rpc(r, r->buf.data + hdr, len);
			gg_buf_reset(&r->buf);
			return rc < 0 ? rc : (long)taken;
		}
		if (taken == n)
			return (long)taken;
		k = rc == 0 ? 1 : hdr + len - r->buf.len;
		k = k < n - taken ? k : n - taken;
		if ((rc = gg_buf_add(&r->buf, d + taken, k)) < 0)
			return rc;
		taken += k;
	}
}

static void in_data(void *arg, struct gg_stream *s, const uint8_t *d,
		    size_t n)
{
	struct gh_in *r = arg;
	long k;

	if (r->gh->closing)
		return;
	r->gh->st.bytes_in += n;
	if (r->buf.len) {
		if ((k = in_fill(r, d, n)) < 0)
			goto bad;
		d += k;
		n -= (size_t)k;
		if (r->buf.len || !n)
			return;
	}
	if ((k = in_frames(r, d, n)) < 0)
		goto bad;
	if ((size_t)k == n ||
	    gg_buf_add(&r->buf, d + k, n - (size_t)k) == 0)
		return;
bad:
	in_reset(r, s);
}

static void in_eof(void *arg, struct gg_stream *s)
{
	gg_stream_close_write(s);
}

static void in_close(void *arg, struct gg_stream *s, int err)
{
	in_free(arg);
}

static const struct gg_stream_cbs in_cbs = {
	.on_data = in_data,
	.on_eof = in_eof,
	.on_close = in_close,
};

void gh_on_stream(void *arg, struct gg_stream *s)
{
	struct gg_gossiphost *gh = arg;
	struct gg_conn *c = gg_stream_conn(s);
	struct gh_peer *p = gh->closing ? NULL
					: gh_peer_get(gh, gg_conn_remote(c));
	struct gh_in *r;

	if (!p || p->nin >= gh->c.max_inbound ||
	    !(r = calloc(1, sizeof(*r)))) {
		gh->st.resets++;
		gg_stream_reset(s);
		return;
	}
	r->gh = gh;
	r->id = p->id;
	gg_buf_init(&r->buf, gossip_max_rpc(gh->g) + GG_VARINT_MAX_LEN);
	p->nin++;
	gh->st.streams_in++;
	gg_stream_set_cbs(s, &in_cbs, r);
	gh_peer_speaks(gh, p, c, gg_stream_protocol(s));
}
