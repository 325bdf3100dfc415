/*
 * tcp.h - TCP on libuv: listeners, dials with a deadline, and the
 * addresses a listener is reachable at.
 *
 * This layer knows sockets and names, nothing of libp2p.  A listener hands
 * every accepted connection to its callback as a uv_tcp_t that the callee
 * then owns; a dial resolves the host (literal, or dns/dns4/dns6 through
 * libuv's resolver), tries each address in turn until one connects or the
 * deadline passes, and hands the connected uv_tcp_t over the same way.
 * Handles made here are heap-allocated and released with gg_tcp_close,
 * which frees them once libuv is done with them.  Every socket gets
 * TCP_NODELAY: the protocols above write small handshake messages and
 * wait for answers, where Nagle's delay would cost whole round trips.
 */
#ifndef GG_NET_TCP_H
#define GG_NET_TCP_H

#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "net/multiaddr.h"

/* An accepted connection; the callee owns tcp (gg_tcp_close it). */
typedef void (*gg_tcp_accept_cb)(void *arg, uv_tcp_t *tcp);

struct gg_tcp_listener;

/* Listen on an /ip4|ip6/HOST/tcp/PORT multiaddr (port 0: any).  0, or
 * GG_EUNSUPPORTED (another shape), GG_EINVAL, or the socket error. */
int gg_tcp_listen(uv_loop_t *loop, const struct gg_multiaddr *ma,
		  gg_tcp_accept_cb cb, void *arg,
		  struct gg_tcp_listener **out);
/* The bound address (with the real port). */
int gg_tcp_listener_addr(const struct gg_tcp_listener *l,
			 struct gg_multiaddr *out);
/* Stop listening; the listener is freed once libuv lets go of it. */
void gg_tcp_listener_close(struct gg_tcp_listener *l);

/*
 * The addresses a listener bound to sa can be reached at: sa itself, or
 * for 0.0.0.0 / :: every interface address of that family (loopback
 * included) with sa's port.  Writes up to max into out; returns the count
 * or a negative GG_E* code.
 */
int gg_tcp_expand_addr(const struct gg_multiaddr *bound,
		       struct gg_multiaddr *out, int max);

/* Dial outcome: status 0 with a connected tcp that the callee owns, or a
 * negative GG_E* code (GG_ETIMEOUT, GG_ECONNREFUSED, GG_ECANCELED, ...)
 * with tcp NULL.  Called exactly once, never from inside gg_tcp_dial. */
typedef void (*gg_tcp_dial_cb)(void *arg, int status, uv_tcp_t *tcp);

struct gg_tcp_dial;

/* Dial the TCP part of ma (/ip4|ip6|dns|dns4|dns6/HOST/tcp/PORT, with or
 * without /p2p/ID) within timeout_ms.  *out (may be NULL) identifies the
 * attempt for gg_tcp_dial_cancel until the callback runs. */
int gg_tcp_dial(uv_loop_t *loop, const struct gg_multiaddr *ma,
		uint64_t timeout_ms, gg_tcp_dial_cb cb, void *arg,
		struct gg_tcp_dial **out);
/* The callback then runs with GG_ECANCELED (from the loop).  Only
 * valid until the callback has run. */
void gg_tcp_dial_cancel(struct gg_tcp_dial *d);

/* Close and free a handle made here (accepted or dialled). */
void gg_tcp_close(uv_tcp_t *tcp);
/* The same, then closed(arg) once libuv is done with the handle (pending
 * write callbacks have run by then). */
void gg_tcp_close_cb(uv_tcp_t *tcp, void (*closed)(void *arg), void *arg);
/* The peer's / our address of a connected handle, as a multiaddr. */
int gg_tcp_peer_addr(const uv_tcp_t *tcp, struct gg_multiaddr *out);
int gg_tcp_local_addr(const uv_tcp_t *tcp, struct gg_multiaddr *out);
/* The peer's IP as text (for per-IP limits and logs). */
int gg_tcp_peer_ip(const uv_tcp_t *tcp, char *out, size_t outsz);

/* libuv status (negative errno) to GG_E*. */
int gg_tcp_uv_err(int uvstatus);

#endif
