/*
 * gossip.h - the gossipsub v1.1 router (/meshsub/1.1.0, /meshsub/1.0.0)
 * as an engine over bytes and time: subscriptions, a mesh per topic,
 * fanout, GRAFT/PRUNE with backoff, IHAVE/IWANT gossip from a message
 * cache, a seen cache, flood publishing, StrictSign, an application
 * validation hook and v1.1 peer scoring.  All state lives in struct
 * gossip; it never sees a socket or a clock of its own.
 *
 * The host glues it to the network:
 *   - gossip_io.send_rpc: write one RPC (uvarint length prefix, then the
 *     bytes) on our long-lived outbound /meshsub stream to the peer,
 *     opening it if needed.  Must not call back into the engine.
 *   - inbound /meshsub streams: read uvarint-framed RPCs; a frame longer
 *     than gossip_max_rpc() is not read: call gossip_on_oversized and
 *     reset the stream.  Each whole frame goes to gossip_on_rpc.
 *   - peers: gossip_add_peer once a connected peer lists /meshsub/1.1.0
 *     or /1.0.0 in identify (with its remote IP and whether we dialed
 *     it), gossip_remove_peer when its last connection closes.
 *   - timers: call gossip_tick by the time it asks for (each heartbeat).
 *   - gossip_io.now_ms: a monotonic clock in milliseconds.
 * Callbacks (deliver, validate, send_rpc) run synchronously inside the
 * API calls; RPCs are queued per peer and sent at the end of each call.
 */
#ifndef GG_P2P_GOSSIP_H
#define GG_P2P_GOSSIP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "p2p/gossip_rpc.h"

#define GOSSIP_PROTO_V11 "/meshsub/1.1.0"
#define GOSSIP_PROTO_V10 "/meshsub/1.0.0"
#define GOSSIP_IP_MAX 64

enum gossip_proto { GOSSIP_V10 = 0, GOSSIP_V11 = 1 };
enum gossip_verdict { GOSSIP_ACCEPT = 0, GOSSIP_REJECT = 1,
		      GOSSIP_IGNORE = 2 };

/* Per-topic score parameters (gossipsub v1.1, "The Score Function").
 * Durations in ms; decays are factors applied once per decay interval. */
struct gossip_topic_score {
	double topic_weight;
	double p1_weight, p1_quantum_ms, p1_cap;     /* time in mesh */
	double p2_weight, p2_decay, p2_cap;          /* first deliveries */
	double p3_weight, p3_decay, p3_threshold, p3_cap; /* mesh deliveries */
	double p3_activation_ms, p3_window_ms;
	double p3b_weight, p3b_decay;                /* mesh failures */
	double p4_weight, p4_decay;                  /* invalid messages */
};

struct gossip_score_params {
	double topic_cap;           /* cap on the sum over topics (0: none) */
	double p6_weight, p6_threshold; /* IP colocation */
	double p7_weight, p7_decay, p7_threshold; /* behaviour penalty */
	double decay_to_zero;
	uint64_t decay_ms;          /* decay interval */
	double gossip_threshold, publish_threshold, graylist_threshold;
	double opportunistic_graft_threshold;
	/* IPs exempt from P6: an entry matches an IP that starts with it
	 * ("127." covers 127.0.0.0/8, "::1" the v6 loopback). */
	const char *const *ip_whitelist;
	size_t nip_whitelist;
	/* Applied to every topic unless gossip_set_topic_score says
	 * otherwise. */
	struct gossip_topic_score topic;
};

/* Message ID: write at most GOSSIP_ID_MAX bytes to out, set *len;
 * 0 or an error (the message is then dropped). */
typedef int (*gossip_msgid_fn)(void *arg, const struct gossip_msg *m,
			       uint8_t *out, size_t *len);

struct gossip_config {
	int d, d_lo, d_hi, d_lazy, d_score, d_out;
	uint64_t heartbeat_ms, fanout_ttl_ms, seen_ttl_ms;
	uint64_t prune_backoff_ms, unsub_backoff_ms;
	uint64_t iwant_followup_ms;   /* promise deadline for IWANT */
	int mcache_len, mcache_gossip;
	double gossip_factor;
	int flood_publish, emit_self;
	size_t max_ihave_length;      /* IDs we ask for per peer/heartbeat */
	size_t max_ihave_messages;    /* IHAVEs we read per peer/heartbeat */
	size_t gossip_retransmission; /* IWANT answers per message/peer */
	size_t max_peers, max_topics, max_topics_per_peer;
	int opportunistic_graft_ticks, opportunistic_graft_peers;
	struct gossip_rpc_limits rpc;
	struct gossip_score_params score;
	gossip_msgid_fn msg_id;       /* NULL: SHA-256 of data */
	void *msg_id_arg;
};

/* What the application sees of a message (valid during the call). */
struct gossip_message_info {
	const char *topic;
	const uint8_t *data;
	size_t len;
	const struct gg_peerid *author; /* the signer (`from`) */
	const struct gg_peerid *via;    /* who sent it to us; NULL: us */
	const uint8_t *id;
	size_t idlen;
};

struct gossip_io {
	void *ctx;
	int (*send_rpc)(void *ctx, const struct gg_peerid *to,
			const uint8_t *rpc, size_t len);
	/* Optional: a valid message in a topic we subscribe to. */
	void (*deliver)(void *ctx, const struct gossip_message_info *m);
	/* Optional (NULL accepts all): before delivering or forwarding. */
	enum gossip_verdict (*validate)(void *ctx,
					const struct gossip_message_info *m);
	uint64_t (*now_ms)(void *ctx);
	/* Optional: random bytes (mesh choices); getrandom when NULL. */
	void (*random)(void *ctx, uint8_t *out, size_t n);
};

struct gossip_stats {
	size_t peers, topics, subscribed;
	uint64_t received;   /* messages in RPCs */
	uint64_t delivered;  /* to the application */
	uint64_t forwarded;  /* message copies sent on for others */
	uint64_t published;  /* our own */
	uint64_t rejected;   /* bad signature or validation REJECT */
	uint64_t ignored;    /* validation IGNORE, unknown topic, ours */
	uint64_t duplicate;  /* already seen */
	uint64_t graylisted; /* RPCs dropped from graylisted peers */
	uint64_t oversized;  /* RPCs over the cap */
	uint64_t malformed;  /* RPCs that did not decode */
	uint64_t iwant_sent, iwant_served, ihave_dropped;
	uint64_t rpcs_in, rpcs_out;
};

struct gossip_topic_info {
	const char *topic;
	int subscribed, fanout;
	size_t mesh, peers; /* our mesh, peers subscribed */
};

struct gossip;

/* D 6, D_lo 4, D_hi 12, D_lazy 6, D_score 4, D_out 2, heartbeat 1 s,
 * fanout TTL 60 s, seen 2 min, backoff 1 min (unsubscribe 10 s), mcache
 * 5/3, gossip factor 0.25, flood publish on, IWANT promises 3 s, 5000
 * IDs / 10 IHAVEs per peer and heartbeat, 3 retransmissions, 1 MiB RPCs,
 * and default score parameters (see docs/internals/GOSSIPSUB.md). */
void gossip_config_default(struct gossip_config *c);

/* key signs our messages and must outlive the engine; self is its peer
 * ID.  NULL on a bad config or no memory. */
struct gossip *gossip_new(const struct gossip_config *c,
			  const struct gg_peerid *self,
			  const struct gg_privkey *key,
			  const struct gossip_io *io);
void gossip_free(struct gossip *g);
/* Largest RPC gossip_on_rpc accepts. */
size_t gossip_max_rpc(const struct gossip *g);

/* ip: the remote address as text ("127.0.0.1"), for P6; may be NULL.
 * Sends our subscriptions.  GG_EEXISTS, GG_ELIMIT (max_peers). */
int gossip_add_peer(struct gossip *g, const struct gg_peerid *p,
		    const char *ip, int outbound, enum gossip_proto proto);
int gossip_remove_peer(struct gossip *g, const struct gg_peerid *p);

/* One RPC from a peer.  0, GG_ENOTFOUND (unknown peer), GG_EBANNED
 * (graylisted: ignored), GG_ETOOBIG, GG_EPARSE / GG_ELIMIT (malformed:
 * penalised).  Bad messages inside a good RPC are not errors. */
int gossip_on_rpc(struct gossip *g, const struct gg_peerid *from,
		  const uint8_t *rpc, size_t len);
/* The host refused a frame of len bytes (> gossip_max_rpc). */
void gossip_on_oversized(struct gossip *g, const struct gg_peerid *from,
			 size_t len);

int gossip_subscribe(struct gossip *g, const char *topic);
int gossip_unsubscribe(struct gossip *g, const char *topic);
/*
 * Sign and send our message (to all topic peers above the publish
 * threshold with flood publishing, else the mesh or fanout).  id (room
 * for GOSSIP_ID_MAX, may be NULL) gets its message ID.  0, GG_EEXISTS
 * (the same ID was seen within seen_ttl), GG_ETOOBIG, GG_EINVAL (topic),
 * GG_ELIMIT (topic table full), or the validation hook's REJECT as
 * GG_EPERM / IGNORE as GG_ECANCELED.
 */
int gossip_publish(struct gossip *g, const char *topic, const uint8_t *data,
		   size_t len, uint8_t *id, size_t *idlen);

/* Run due heartbeats; returns the milliseconds until the next one. */
uint64_t gossip_tick(struct gossip *g);

/* Override the score parameters of one topic. */
int gossip_set_topic_score(struct gossip *g, const char *topic,
			   const struct gossip_topic_score *p);

void gossip_get_stats(const struct gossip *g, struct gossip_stats *s);
/* Topics by index 0 .. count-1. */
size_t gossip_topic_count(const struct gossip *g);
int gossip_topic_info(const struct gossip *g, size_t i,
		      struct gossip_topic_info *out);
/* The peer's current score; GG_ENOTFOUND. */
int gossip_peer_score(const struct gossip *g, const struct gg_peerid *p,
		      double *score);
/* 1 when p is in our mesh for topic. */
int gossip_in_mesh(const struct gossip *g, const char *topic,
		   const struct gg_peerid *p);

#endif
