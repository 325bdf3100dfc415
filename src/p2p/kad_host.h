/*
 * kad_host.h - the Kademlia engine (kad.h) glued to the libp2p host.
 *
 * The engine takes bytes and time; this module gives it both.  Requests
 * go out on one /ggen/kad/1.0.0 stream each (uvarint-framed, one reply
 * read with the engine's size cap), dialling the peer from the addresses
 * the engine carries (or the peer store) when we are not connected;
 * several requests to one unconnected peer share one dial.  In server
 * mode the protocol is registered, so identify lists it, and every
 * inbound stream may carry several framed requests; in client mode it is
 * not.  Every new connection is identified (our own /ipfs/id/1.0.0
 * request) and the engine is told whether the peer lists the protocol;
 * server peers are then pinged with /ipfs/ping/1.0.0 before they are
 * trusted.  A libuv timer drives kad_tick.  The routing table can be
 * saved to and loaded from SQLite (table kad_routing), so a restart is
 * warm.
 *
 * Lifecycle: gg_kadhost_new after the host exists; gg_kadhost_close
 * before gg_host_free (saves the table, stops timers, drops streams);
 * gg_kadhost_free once the loop has drained.
 */
#ifndef GG_P2P_KAD_HOST_H
#define GG_P2P_KAD_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "net/multiaddr.h"
#include "p2p/host.h"
#include "p2p/kad.h"
#include "p2p/peerstore.h"

struct sqlite3;
struct gg_kadhost;

struct gg_kadhost_cfg {
	struct gg_host *host;         /* borrowed; outlives us */
	struct gg_peerstore *peers;   /* borrowed, may be NULL */
	const char *protocol;         /* NULL: KAD_PROTOCOL_DEFAULT */
	struct kad_config kad;        /* kad_config_default, then adjust */
	struct sqlite3 *db;           /* store + table; borrowed; may be NULL */
	int persist;                  /* load/save the table in db */
	uint64_t dial_timeout_ms;     /* 0: 5000 */
};

void gg_kadhost_cfg_default(struct gg_kadhost_cfg *c, struct gg_host *h,
			    struct gg_peerstore *ps);
/* 0, GG_ENOMEM, GG_EDB, or the host's error registering the protocol. */
int gg_kadhost_new(const struct gg_kadhost_cfg *c, struct gg_kadhost **out);
/* Save the table, stop timers, reset our streams, cancel dials.  Call
 * before gg_host_free.  Accepts NULL. */
void gg_kadhost_close(struct gg_kadhost *kh);
/* After the loop has drained.  Accepts NULL. */
void gg_kadhost_free(struct gg_kadhost *kh);

/* The engine, for operations (kad_find_node & co); call
 * gg_kadhost_kick afterwards so the timer sees the new deadlines. */
struct kad *gg_kadhost_kad(struct gg_kadhost *kh);
void gg_kadhost_kick(struct gg_kadhost *kh);
const char *gg_kadhost_protocol(const struct gg_kadhost *kh);
int gg_kadhost_server_mode(const struct gg_kadhost *kh);
/* Verified peers in the routing table. */
size_t gg_kadhost_table_size(const struct gg_kadhost *kh);

/* Joining: dial each address (already connected peers are fine), wait
 * until each peer is identified and checked (or failed), then run
 * kad_bootstrap when the table holds anyone.  cb gets 0 when at least one
 * peer is in the table afterwards, else GG_ENOTFOUND (or the first dial
 * error when every dial failed); table is the table size.  With n = 0
 * it bootstraps from the table as it is (a warm restart).  Also sets our
 * announced addresses from the host's listen addresses. */
typedef void (*gg_kadhost_join_cb)(void *arg, int status, size_t table);
int gg_kadhost_join(struct gg_kadhost *kh, const struct gg_multiaddr *addrs,
		    int n, uint64_t timeout_ms, gg_kadhost_join_cb cb,
		    void *arg);

/* Routing table persistence (also done by close when persist is set). */
/* The DHT's tables in db (kad_routing and the store's), IF NOT EXISTS;
 * user_version untouched.  0, GG_EBUSY, GG_EDB. */
int gg_kadhost_schema(struct sqlite3 *db);
/* A locked database (GG_EBUSY) is logged; the next save retries. */
int gg_kadhost_save(struct gg_kadhost *kh);
int gg_kadhost_load(struct gg_kadhost *kh);

/* Counters, for status, tests and benchmarks. */
struct gg_kadhost_stats {
	uint64_t req_out, req_failed, req_in, req_refused, oversized, dials;
	uint64_t streams;  /* outbound request streams opened */
	uint64_t req_ok;   /* replies handed to the engine */
	uint64_t reply_us; /* sum over req_ok of request-to-reply time */
	uint64_t ticks;    /* runs of the timer */
	uint64_t pings;    /* peer checks started */
};
void gg_kadhost_stats(const struct gg_kadhost *kh,
		      struct gg_kadhost_stats *out);

/*
 * The stream framing: p[0..n) starts with uvarint(len) ‖ len bytes.
 * 1 with *hdr and *len when a whole frame is there, 0 when more bytes are
 * needed, GG_ETOOBIG when len > max, GG_EPARSE for a bad uvarint.
 */
int gg_kadhost_frame(const uint8_t *p, size_t n, size_t max, size_t *hdr,
		     size_t *len);

#endif
