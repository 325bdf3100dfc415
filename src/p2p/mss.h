/*
 * mss.h - multistream-select 1.0 as a pure state machine over bytes.
 *
 * Negotiates which protocol runs on a connection or stream.  Every message
 * is uvarint(len) || text || '\n', where len counts the newline.  Both
 * sides first exchange the header "/multistream/1.0.0"; the dialer then
 * proposes protocols one at a time and the listener echoes the one it
 * accepts or answers "na".  A listener also answers "ls" with the list of
 * protocols it supports.
 *
 * The engine knows no sockets: the host feeds received bytes in with
 * gg_mss_feed and writes out whatever the engine appended to m->out
 * (taking the bytes and resetting the buffer, or gg_buf_consume).  The
 * dialer's header and first proposal are queued together at init, so they
 * leave in one write; the listener answers the header with its own.  Bytes that arrive after the negotiated line belong
 * to the next layer (a "lazy" dialer sends header, proposal and its first
 * data in one packet): gg_mss_leftover hands them over.
 */
#ifndef GG_P2P_MSS_H
#define GG_P2P_MSS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define GG_MSS_HEADER "/multistream/1.0.0"
/* Longest message we accept or send (text plus newline). */
#define GG_MSS_MAX_MSG 1024
/* Most protocols a dialer may propose or a listener may support. */
#define GG_MSS_MAX_PROTOS 64
/* A listener gives up after this many refused proposals and ls queries. */
#define GG_MSS_MAX_ROUNDS 64
/* Cap on m->out (the ls answer is the largest thing we send). */
#define GG_MSS_MAX_OUT (GG_MSS_MAX_PROTOS * (GG_MSS_MAX_MSG + 16) + 64)

enum gg_mss_role { GG_MSS_DIALER, GG_MSS_LISTENER };

enum gg_mss_state {
	GG_MSS_NEGOTIATING, /* feed more bytes */
	GG_MSS_DONE,        /* gg_mss_selected() is valid */
	GG_MSS_FAILED       /* a call returned an error; stays failed */
};

/*
 * One negotiation.  Fields other than out are private; out holds bytes
 * for the host to send (append-only by the engine, drained by the host).
 */
struct gg_mss {
	struct gg_buf out;        /* to send; the host drains it */
	struct gg_buf in;         /* received, not yet parsed */
	const char *const *protos; /* borrowed; must outlive the engine */
	size_t nprotos;
	size_t cur;               /* dialer: index of the pending proposal */
	size_t rounds;            /* listener: proposals seen */
	enum gg_mss_role role;
	enum gg_mss_state state;
	int header_seen;          /* the remote's header arrived */
	int err;                  /* the sticky error once failed */
	const char *selected;     /* one of protos once done */
	size_t leftover_off;      /* start of the next layer's bytes in in */
};

/*
 * Start as dialer proposing protos[0..n) in order (n >= 1).  Queues the
 * header and the first proposal in m->out.  protos is borrowed.
 * 0, GG_EINVAL (no protocols, too many, one empty/too long/has '\n') or
 * GG_ENOMEM.
 */
int gg_mss_init_dialer(struct gg_mss *m, const char *const *protos, size_t n);

/*
 * Start as listener accepting any of protos[0..n) (n may be 0: everything
 * is refused).  Our header is queued when the dialer's arrives, so it
 * leaves together with the answer to the first proposal.  Same errors as
 * the dialer.
 */
int gg_mss_init_listener(struct gg_mss *m, const char *const *protos,
			 size_t n);

/* Free the buffers; m may be initialised again afterwards. */
void gg_mss_release(struct gg_mss *m);

/*
 * Feed received bytes.  Returns 1 once negotiation is done (this call or
 * an earlier one), 0 when more bytes are needed, or an error (sticky):
 * GG_EPROTO for a malformed, oversized (> GG_MSS_MAX_MSG) or unexpected
 * message or a wrong header, GG_EUNSUPPORTED when the listener refused
 * every proposal (dialer), GG_ELIMIT after too many refused rounds
 * (listener), GG_ENOMEM.  Check m->out after every call.  Bytes fed after
 * done are appended to the leftover.
 */
int gg_mss_feed(struct gg_mss *m, const uint8_t *p, size_t n);

enum gg_mss_state gg_mss_state(const struct gg_mss *m);

/* The negotiated protocol (one of the caller's strings), NULL before. */
const char *gg_mss_selected(const struct gg_mss *m);

/*
 * Bytes received after the negotiated line, for the next layer; valid
 * until the next feed or release.  NULL/0 before done or when none.
 */
const uint8_t *gg_mss_leftover(const struct gg_mss *m, size_t *len);

/*
 * Encode one message (uvarint(len) || text || '\n') into out.  Exposed for
 * tests and for a host that writes ahead (optimistic data after a single
 * proposal).  GG_EINVAL when text is empty, has '\n' or is too long.
 */
int gg_mss_encode(struct gg_buf *out, const char *text);

#endif
