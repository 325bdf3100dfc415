/*
 * yamux_impl.h - the yamux session and stream structures shared by
 * yamux.c (session, frame parser, output queue, timers) and
 * yamux_stream.c (the stream API and flow control).
 */
#ifndef GG_P2P_YAMUX_IMPL_H
#define GG_P2P_YAMUX_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "p2p/yamux.h"

/* Output allowed beyond max_out for control frames (window updates,
 * pings, resets) before the session gives up on a peer that never reads. */
#define YAMUX_CTRL_SLACK (256u * 1024u)

/* A byte queue: valid bytes are data[off .. off + len). */
struct yamux_fifo {
	uint8_t *data;
	size_t off, len, cap;
};

struct gg_yamux_stream {
	struct gg_yamux *y;
	uint32_t id;
	void *user;
	size_t idx;           /* index in y->streams while in_table */
	unsigned in_table : 1;
	unsigned outbound : 1;
	unsigned acked : 1;   /* outbound: the remote's ACK arrived */
	unsigned local_fin : 1;
	unsigned remote_fin : 1;
	unsigned reset : 1;
	unsigned released : 1;
	unsigned want_write : 1;
	unsigned buried : 1;  /* on y->dead */
	unsigned wake : 1;    /* due an on_writable in the current sweep */
	uint32_t send_win;    /* what the remote lets us send */
	uint32_t recv_win;    /* what the remote may still send us */
	uint32_t recv_max;    /* our current window size */
	uint64_t epoch_ms;    /* when the last window update went out */
	struct yamux_fifo rbuf;
	struct gg_yamux_stream *next_dead;
	struct gg_yamux_stream *all_prev, *all_next; /* every stream object */
};

struct gg_yamux {
	struct gg_yamux_cfg cfg;
	int err;
	int depth;            /* nesting of public calls (see enter/leave) */
	uint32_t next_id;
	struct gg_yamux_stream **streams;
	size_t nstreams, scap;
	uint64_t table_gen;   /* bumped whenever a stream leaves the table */
	struct gg_yamux_stream *last; /* lookup cache for bulk transfers */
	struct gg_yamux_stream *dead; /* to free when the outer call ends */
	struct gg_yamux_stream *all;  /* every stream object, for free */
	struct yamux_fifo out;
	uint64_t queued;      /* bytes ever queued on out */
	int blocked;          /* a writer was held back by max_out */
	/* frame parser */
	uint8_t hdr[GG_YAMUX_HDR_LEN];
	size_t hlen;
	uint32_t data_left;   /* payload bytes of the current data frame */
	struct gg_yamux_stream *data_s; /* its stream, NULL to discard */
	uint16_t data_flags;  /* FIN/RST to apply after the payload */
	/* time and pings */
	uint64_t now_ms;
	uint64_t ping_sent_ms, last_ping_ms, rtt_ms;
	uint32_t ping_id;
	int ping_out, have_rtt;
	int goaway_sent, goaway_recv;
	uint64_t grown;       /* sum of window growth beyond the initial */
};

uint64_t yamux_now(struct gg_yamux *y);
void yamux_enter(struct gg_yamux *y);
void yamux_leave(struct gg_yamux *y);
int yamux_fail(struct gg_yamux *y, int err, uint32_t code);
/* Queue a frame without payload (control); may fail the session. */
int yamux_ctrl(struct gg_yamux *y, uint8_t type, uint16_t flags, uint32_t id,
	       uint32_t len);
/* Queue a data frame header and payload, within max_out. */
int yamux_data(struct gg_yamux *y, uint16_t flags, uint32_t id,
	       const uint8_t *p, uint32_t n);
/* Room for data under max_out. */
size_t yamux_out_room(const struct gg_yamux *y);

struct gg_yamux_stream *yamux_stream_new(struct gg_yamux *y, uint32_t id,
					 int outbound);
void yamux_stream_unlink(struct gg_yamux_stream *s);
/* Queue s to be freed when the outermost call returns. */
void yamux_stream_bury(struct gg_yamux_stream *s);
void yamux_stream_free(struct gg_yamux_stream *s);
/* Frame effects on a stream. */
int yamux_stream_deliver(struct gg_yamux_stream *s, const uint8_t *p,
			 size_t n);
void yamux_stream_flags(struct gg_yamux_stream *s, uint16_t flags);
void yamux_stream_window(struct gg_yamux_stream *s, uint32_t delta);

int yamux_fifo_add(struct yamux_fifo *f, const uint8_t *p, size_t n,
		   size_t max);
void yamux_fifo_drop(struct yamux_fifo *f, size_t n);
void yamux_fifo_release(struct yamux_fifo *f);

#endif
