/*
 * ping.c - the ping protocol of ping.h.
 *
 * The responder keeps no state: it writes back whatever arrives (a ping
 * is 32 bytes; echoing bytes as they come is the same thing and needs no
 * buffer) and pauses reading while its own writes back up.  The pinger
 * owns one stream, opened lazily: the first ping rides right behind the
 * protocol proposal, as rust's pings do, so a fresh connection's first
 * round trip is the ping's own.  A peer without ping ends the stream with
 * GG_EUNSUPPORTED, which the outstanding ping reports.
 */
#include "p2p/ping.h"
#include "util/error.h"
#include "util/log.h"

/* ---- responder ---- */

static void echo_data(void *arg, struct gg_stream *s, const uint8_t *p,
		      size_t n)
{
	int rc = gg_stream_write(s, p, n);

	if (rc == 1)
		gg_stream_pause(s);
	else if (rc < 0)
		gg_stream_reset(s);
}

static void echo_drain(void *arg, struct gg_stream *s)
{
	gg_stream_resume(s);
}

static void echo_eof(void *arg, struct gg_stream *s)
{
	gg_stream_close_write(s);
}

const struct gg_stream_cbs gg_echo_cbs = {
	.on_data = echo_data,
	.on_eof = echo_eof,
	.on_drain = echo_drain,
};

static void on_ping_stream(void *arg, struct gg_stream *s)
{
	gg_stream_set_cbs(s, &gg_echo_cbs, NULL);
}

int gg_ping_serve(struct gg_host *h)
{
	return gg_host_handle(h, GG_PING_PROTO, on_ping_stream, NULL);
}

/* ---- pinger ---- */

struct gg_ping {
	struct gg_stream *s;
	gg_ping_cb cb;
	void *arg;
	uint8_t payload[GG_PING_LEN];
	uint8_t got[GG_PING_LEN];
	size_t ngot;
	uint64_t t0;
	int outstanding, err;
};

static void ping_fail(struct gg_ping *p, int err)
{
	if (p->err)
		return;
	p->err = err;
	if (p->outstanding) {
		p->outstanding = 0;
		p->cb(p->arg, err, 0);
	}
}

static void ping_emit(struct gg_ping *p)
{
	int rc;

	uv_random(NULL, NULL, p->payload, sizeof(p->payload), 0, NULL);
	p->ngot = 0;
	p->t0 = uv_hrtime();
	rc = gg_stream_write(p->s, p->payload, sizeof(p->payload));
	if (rc < 0)
		ping_fail(p, rc);
}

static void ping_data(void *arg, struct gg_stream *s, const uint8_t *d,
		      size_t n)
{
	struct gg_ping *p = arg;
	size_t take;

	if (!p->outstanding || p->ngot + n > GG_PING_LEN) {
		ping_fail(p, GG_EPROTO);
		return;
	}
	take = n;
	memcpy(p->got + p->ngot, d, take);
	p->ngot += take;
	if (p->ngot < GG_PING_LEN)
		return;
	p->outstanding = 0;
	if (memcmp(p->got, p->payload, GG_PING_LEN)) {
		ping_fail(p, GG_EPROTO);
		return;
	}
	p->cb(p->arg, 0, uv_hrtime() - p->t0);
}

static void ping_closed(void *arg, struct gg_stream *s, int err)
{
	struct gg_ping *p = arg;

	p->s = NULL;
	ping_fail(p, err ? err : GG_ECLOSED);
}

static void idle_data(void *arg, struct gg_stream *s, const uint8_t *d,
		      size_t n)
{
}

static const struct gg_stream_cbs ping_cbs = {
	.on_data = ping_data,
	.on_close = ping_closed,
};

int gg_ping_new(struct gg_conn *c, gg_ping_cb cb, void *arg,
		struct gg_ping **out)
{
	struct gg_ping *p;
	struct gg_stream *s;
	int rc;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return GG_ENOMEM;
	p->cb = cb;
	p->arg = arg;
	rc = gg_stream_open_lazy(c, GG_PING_PROTO, &ping_cbs, p, &s);
	if (rc) {
		free(p);
		return rc;
	}
	if (!p->err) /* else on_close came already: s is gone */
		p->s = s;
	*out = p;
	return 0;
}

int gg_ping_send(struct gg_ping *p)
{
	if (p->err)
		return p->err;
	if (p->outstanding)
		return GG_EBUSY;
	if (!p->s)
		return GG_ECLOSED;
	p->outstanding = 1;
	ping_emit(p);
	return 0;
}

void gg_ping_free(struct gg_ping *p)
{
	if (!p)
		return;
	if (p->s) { /* a polite end: FIN, then let the stream run out */
		static const struct gg_stream_cbs idle = { .on_data = idle_data };

		gg_stream_set_cbs(p->s, &idle, NULL);
		gg_stream_close_write(p->s);
	}
	free(p);
}
