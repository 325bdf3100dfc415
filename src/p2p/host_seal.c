/*
 * host_seal.c - bulk output is encrypted on a worker thread.
 *
 * A connection that streams spends about half of its sender's time in
 * ChaCha20-Poly1305 and the rest in the kernel's TCP path; done in turn on
 * one thread, the two add up.  Once a connection has CONN_SEAL_MIN bytes
 * queued for the socket, new frames are laid out unsealed in c->out (their
 * nonces taken in order, gg_noise_writev_unsealed); when that buffer is
 * due to be written it moves to c->sealing and a libuv worker seals it in
 * place (gg_noise_seal) while the loop thread writes what is already
 * sealed and lays out the next frames.  Order on the wire is c->wout (in
 * flight), c->sealing, c->out; nothing overtakes a buffer being sealed.
 * Small exchanges never get here: below the threshold frames are sealed
 * at once, as before, so latency is unchanged.
 *
 * The worker touches only c->sealing's bytes and c->sealer; the loop
 * thread leaves both alone while c->seal_busy.  A connection torn down
 * meanwhile waits for the worker (one more piece in closes_pending).
 */
#include "p2p/host_impl.h"
#include "util/error.h"
#include "util/log.h"

int conn_seal_out(struct gg_conn *c, const struct gg_noise_iov *v,
		  size_t cnt)
{
	size_t queued = c->out.len + c->sealing.len +
			(c->writing ? c->wout.len : 0);
	size_t at = c->out.len;
	uint64_t first;
	int rc;

	if (!c->staging && !c->seal_busy && queued < CONN_SEAL_MIN)
		return gg_noise_writev(c->noise, v, cnt, &c->out);
	rc = gg_noise_writev_unsealed(c->noise, v, cnt, &c->out, &first);
	if (rc == 0 && !c->staging) {
		c->staging = 1;
		c->stage_off = at;
		c->stage_nonce = first;
	}
	return rc;
}

static void seal_work(uv_work_t *w)
{
	struct gg_conn *c = w->data;

	c->seal_rc = gg_noise_seal(c->sealer, c->seal_nonce,
				   c->sealing.data + c->seal_off,
				   c->sealing.len - c->seal_off);
}

static void seal_done(uv_work_t *w, int status)
{
	struct gg_conn *c = w->data;

	c->seal_busy = 0;
	if (c->torn_down) {
		conn_piece_closed(c);
		return;
	}
	conn_enter(c);
	if (status < 0 || c->seal_rc)
		conn_fail(c, c->seal_rc ? c->seal_rc : GG_EINTERNAL,
			  "encrypting: %s", gg_strerror(c->seal_rc));
	else
		c->need_flush = 1;
	conn_leave(c);
}

/* Move the unsealed run from c->out to c->sealing (empty here) and seal
 * it on a worker; without a worker, seal it here. */
int conn_seal_submit(struct gg_conn *c)
{
	struct gg_buf t;
	int rc = 0;

	if (!c->sealer)
		rc = gg_noise_sealer_new(c->noise, &c->sealer);
	if (rc)
		return rc;
	t = c->sealing;
	c->sealing = c->out;
	c->out = t;
	c->seal_off = c->stage_off;
	c->seal_nonce = c->stage_nonce;
	c->staging = 0;
	c->seal_rc = 0;
	c->seal_req.data = c;
	c->seal_busy = 1;
	if (uv_queue_work(c->h->loop, &c->seal_req, seal_work, seal_done) == 0)
		return 0;
	c->seal_busy = 0;
	seal_work(&c->seal_req);
	return c->seal_rc;
}

/* Closing: seal what is laid out in c->out here, so that the last words
 * can carry it.  Nothing while a worker holds c->sealing. */
int conn_seal_sync(struct gg_conn *c)
{
	int rc = 0;

	if (c->seal_busy || !c->staging)
		return 0;
	if (!c->sealer)
		rc = gg_noise_sealer_new(c->noise, &c->sealer);
	if (rc == 0)
		rc = gg_noise_seal(c->sealer, c->stage_nonce,
				   c->out.data + c->stage_off,
				   c->out.len - c->stage_off);
	c->staging = 0;
	return rc;
}

void conn_seal_release(struct gg_conn *c)
{
	gg_noise_sealer_free(c->sealer);
	c->sealer = NULL;
	gg_buf_release(&c->sealing);
}
