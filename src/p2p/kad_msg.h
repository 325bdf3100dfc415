/*
 * kad_msg.h - the Kademlia DHT wire message (proto/kad.proto), decoded
 * from untrusted bytes and encoded for sending.
 *
 * Decoding makes no allocation: a struct kad_msg holds views (pointer and
 * length) into the input, which must outlive it.  Every length is checked
 * against what is left and against a cap: the whole message (16 KiB by
 * default, rust-libp2p's limit), the key, the record value, peers per list
 * (k = 20) and addresses kept per peer.  Peer IDs are validated; each
 * address is validated with gg_multiaddr_from_bytes, and addresses we
 * cannot parse (quic, webtransport, circuit...) are skipped rather than
 * failing the message, because other implementations legitimately list
 * them.  The uvarint length prefix on the stream is the host's business.
 */
#ifndef GG_P2P_KAD_MSG_H
#define GG_P2P_KAD_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/peerid.h"
#include "util/buf.h"

#define KAD_MSG_MAX_DEFAULT (16 * 1024) /* whole message, bytes */
#define KAD_MSG_PEERS_MAX 20            /* peers per list, hard */
#define KAD_MSG_ADDRS_MAX 8             /* addresses kept per peer, hard */
#define KAD_MSG_KEY_MAX 512             /* message and record key */
#define KAD_MSG_TIME_MAX 64             /* timeReceived text */

enum kad_msg_type {
	KAD_PUT_VALUE = 0, KAD_GET_VALUE = 1, KAD_ADD_PROVIDER = 2,
	KAD_GET_PROVIDERS = 3, KAD_FIND_NODE = 4, KAD_PING = 5
};

enum kad_conn_type {
	KAD_NOT_CONNECTED = 0, KAD_CONNECTED = 1, KAD_CAN_CONNECT = 2,
	KAD_CANNOT_CONNECT = 3
};

struct kad_bytes { const uint8_t *p; size_t n; };

/* A peer in closerPeers/providerPeers; addrs are views of valid binary
 * multiaddrs (into the decoded input, or whatever the encoder's caller
 * points them at). */
struct kad_msg_peer {
	struct gg_peerid id;
	size_t naddrs;
	struct kad_bytes addrs[KAD_MSG_ADDRS_MAX];
	enum kad_conn_type conn;
};

struct kad_msg {
	enum kad_msg_type type;
	struct kad_bytes key;
	int has_record;
	struct kad_bytes rec_key, rec_value, rec_time;
	size_t ncloser, nproviders;
	struct kad_msg_peer closer[KAD_MSG_PEERS_MAX];
	struct kad_msg_peer providers[KAD_MSG_PEERS_MAX];
	size_t dropped_addrs; /* unparsable or over the per-peer cap */
};

struct kad_msg_limits {
	size_t max_msg;   /* <= 1 MiB */
	size_t max_peers; /* per list, <= KAD_MSG_PEERS_MAX */
	size_t max_addrs; /* kept per peer, <= KAD_MSG_ADDRS_MAX */
};

/* max_msg 16 KiB, max_peers 20, max_addrs 8. */
void kad_msg_limits_default(struct kad_msg_limits *l);

/* An empty message of the given type (no key, record or peers).  The
 * peer entries themselves are not cleared: fill each one completely
 * before counting it in ncloser/nproviders. */
void kad_msg_init(struct kad_msg *m, enum kad_msg_type type);

/*
 * Decode p[0..n) into m (views into p).  lim NULL means the defaults.
 * 0, or GG_ETOOBIG (message, key or time over its cap), GG_ELIMIT (a
 * peer list longer than max_peers), GG_EPARSE (malformed protobuf, an
 * invalid peer ID, an unknown message type, a group wire type).
 */
int kad_msg_decode(const uint8_t *p, size_t n,
		   const struct kad_msg_limits *lim, struct kad_msg *m);

/* Append the proto3 encoding of m to out (no length prefix).  Peer IDs
 * and addresses are written as given.  0 or GG_ETOOBIG / GG_ENOMEM. */
int kad_msg_encode(const struct kad_msg *m, struct gg_buf *out);

/* "PUT_VALUE", ..., "PING", "?" */
const char *kad_msg_type_name(int type);

#endif
