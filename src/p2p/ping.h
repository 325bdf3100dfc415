/*
 * ping.h - /ipfs/ping/1.0.0, both roles.
 *
 * The dialer writes 32 random bytes and the listener writes them back, as
 * often as the dialer likes on one stream.  js-libp2p pings every
 * connection every 10 s and closes it when its own ping fails, so the
 * responder answers at once, from inside the read callback.
 */
#ifndef GG_P2P_PING_H
#define GG_P2P_PING_H

#include <stdint.h>

#include "p2p/host.h"

#define GG_PING_PROTO "/ipfs/ping/1.0.0"
#define GG_PING_LEN 32

/* Register the responder on h. */
int gg_ping_serve(struct gg_host *h);
/* Stream callbacks that echo every byte back, with backpressure, and close
 * the write half at EOF: the ping responder, and any echo protocol. */
extern const struct gg_stream_cbs gg_echo_cbs;

struct gg_ping;

/* A pong after rtt_ns (err 0), or the ping failed (the pinger is dead
 * then; free it).  A mismatched echo is GG_EPROTO. */
typedef void (*gg_ping_cb)(void *arg, int err, uint64_t rtt_ns);

/* Open a ping stream on c (lazily: no round trip for the proposal).
 * Pings may be sent at once; the first rides behind the proposal, and a
 * peer without ping fails it with GG_EUNSUPPORTED. */
int gg_ping_new(struct gg_conn *c, gg_ping_cb cb, void *arg,
		struct gg_ping **out);
/* Send one ping; cb follows.  GG_EBUSY while one is outstanding, or the
 * error that killed the pinger. */
int gg_ping_send(struct gg_ping *p);
/* Close the stream and free; no callbacks afterwards.  Accepts NULL. */
void gg_ping_free(struct gg_ping *p);

#endif
