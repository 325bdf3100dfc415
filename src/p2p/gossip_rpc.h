/*
 * gossip_rpc.h - the pubsub RPC of gossipsub (proto/pubsub.proto),
 * decoded from untrusted bytes and encoded for sending, plus the message
 * signature (StrictSign).
 *
 * Decoding makes no allocation: a struct gossip_rpc holds views (pointer
 * and length) into the input, which must outlive it.  The struct is large
 * (the hard caps are array sizes), so keep one on the heap and reuse it.
 * Every length is checked against what is left and against a cap: the
 * whole RPC (1 MiB by default), topics, message IDs, and the number of
 * subscriptions, messages, control entries and message IDs per RPC.  An
 * RPC over a count cap is refused whole (GG_ELIMIT), never truncated.
 * PRUNE peer-exchange entries are counted and skipped (we do not use
 * PX).  The uvarint length prefix on the stream is the host's business.
 *
 * Encoding comes in two forms: gossip_rpc_encode for a whole decoded-
 * style struct (tests, fuzzing), and the gossip_put_* appenders the
 * router uses to build an RPC piece by piece: top-level fields go into
 * one buffer, ControlMessage fields into another, and gossip_put_control
 * wraps the second into the first (every ControlMessage field is
 * repeated, so entries simply concatenate).
 */
#ifndef GG_P2P_GOSSIP_RPC_H
#define GG_P2P_GOSSIP_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "crypto/peerid.h"
#include "util/buf.h"

#define GOSSIP_RPC_MAX_DEFAULT (1024 * 1024) /* whole RPC, bytes */
#define GOSSIP_TOPIC_MAX 256   /* topic bytes, hard */
#define GOSSIP_ID_MAX 128      /* message ID bytes, hard */
#define GOSSIP_SUBS_MAX 256    /* subscriptions per RPC, hard */
#define GOSSIP_MSGS_MAX 256    /* messages per RPC, hard */
#define GOSSIP_CTRL_MAX 256    /* entries of each control kind, hard */
#define GOSSIP_IDS_MAX 5000    /* message IDs over all entries, hard */
#define GOSSIP_SEQNO_LEN 8
#define GOSSIP_SIGN_PREFIX "libp2p-pubsub:"

struct gossip_bytes { const uint8_t *p; size_t n; };

struct gossip_subopt {
	int subscribe;
	struct gossip_bytes topic;
};

enum {
	GOSSIP_HAS_FROM = 1, GOSSIP_HAS_DATA = 2, GOSSIP_HAS_SEQNO = 4,
	GOSSIP_HAS_TOPIC = 8, GOSSIP_HAS_SIG = 16, GOSSIP_HAS_KEY = 32
};

struct gossip_msg {
	unsigned has; /* GOSSIP_HAS_* of the fields present */
	struct gossip_bytes from, data, seqno, topic, signature, key;
	/* The encoded Message as received; when raw.p is set the encoder
	 * writes it verbatim instead of the fields. */
	struct gossip_bytes raw;
};

/* IHAVE (with topic), IWANT and IDONTWANT (topic empty): the IDs are
 * rpc->ids[first .. first + n). */
struct gossip_idlist {
	struct gossip_bytes topic;
	size_t first, n;
};

struct gossip_prune {
	struct gossip_bytes topic;
	int has_backoff;
	uint64_t backoff; /* seconds */
	size_t npeers;    /* PX entries seen (skipped) */
};

struct gossip_rpc {
	size_t nsubs, nmsgs, nihave, niwant, ngraft, nprune, nidontwant;
	size_t nids;
	int has_control;
	struct gossip_subopt subs[GOSSIP_SUBS_MAX];
	struct gossip_msg msgs[GOSSIP_MSGS_MAX];
	struct gossip_idlist ihave[GOSSIP_CTRL_MAX];
	struct gossip_idlist iwant[GOSSIP_CTRL_MAX];
	struct gossip_bytes graft[GOSSIP_CTRL_MAX];
	struct gossip_prune prune[GOSSIP_CTRL_MAX];
	struct gossip_idlist idontwant[GOSSIP_CTRL_MAX];
	struct gossip_bytes ids[GOSSIP_IDS_MAX];
};

struct gossip_rpc_limits {
	size_t max_rpc;  /* bytes, <= 16 MiB */
	size_t max_subs; /* <= GOSSIP_SUBS_MAX */
	size_t max_msgs; /* <= GOSSIP_MSGS_MAX */
	size_t max_ctrl; /* per kind, <= GOSSIP_CTRL_MAX */
	size_t max_ids;  /* <= GOSSIP_IDS_MAX */
};

/* 1 MiB, and the hard caps for the counts. */
void gossip_rpc_limits_default(struct gossip_rpc_limits *l);

/* Allocate / free a struct gossip_rpc (zeroed). */
struct gossip_rpc *gossip_rpc_new(void);
void gossip_rpc_free(struct gossip_rpc *r);
/* Empty it for reuse. */
void gossip_rpc_clear(struct gossip_rpc *r);

/*
 * Decode p[0..n) into r (views into p).  lim NULL means the defaults.
 * 0, or GG_ETOOBIG (the RPC, a topic or an ID over its cap), GG_ELIMIT
 * (a count over its cap), GG_EPARSE (malformed protobuf, a known field
 * with the wrong wire type, a group).
 */
int gossip_rpc_decode(const uint8_t *p, size_t n,
		      const struct gossip_rpc_limits *lim,
		      struct gossip_rpc *r);

/* Append the encoding of r to out (no length prefix).  0 or
 * GG_ETOOBIG / GG_ENOMEM. */
int gossip_rpc_encode(const struct gossip_rpc *r, struct gg_buf *out);

/* Append the encoded Message: fields 1..4 in order, and with with_sig
 * also signature and key.  Ignores m->raw. */
int gossip_msg_encode(const struct gossip_msg *m, int with_sig,
		      struct gg_buf *out);

/* Appenders for the router.  Top level (rpc buffer): */
int gossip_put_sub(struct gg_buf *rpc, int subscribe,
		   const struct gossip_bytes *topic);
int gossip_put_msg(struct gg_buf *rpc, const uint8_t *enc, size_t n);
int gossip_put_control(struct gg_buf *rpc, const uint8_t *ctl, size_t n);
/* ControlMessage fields (control buffer): */
int gossip_put_ihave(struct gg_buf *ctl, const struct gossip_bytes *topic,
		     const struct gossip_bytes *ids, size_t n);
int gossip_put_iwant(struct gg_buf *ctl, const struct gossip_bytes *ids,
		     size_t n);
int gossip_put_idontwant(struct gg_buf *ctl, const struct gossip_bytes *ids,
			 size_t n);
int gossip_put_graft(struct gg_buf *ctl, const struct gossip_bytes *topic);
int gossip_put_prune(struct gg_buf *ctl, const struct gossip_bytes *topic,
		     uint64_t backoff_s);

/*
 * StrictSign.  The signed bytes are "libp2p-pubsub:" followed by the
 * Message encoded without signature and key (gossip_msg_encode with
 * with_sig 0), as go, js and rust compute them.
 */
int gossip_msg_sign_bytes(const struct gossip_msg *m, struct gg_buf *out);
/* Sign m with k: sig gets 64 bytes; m->from must be k's peer ID. */
int gossip_msg_sign(const struct gossip_msg *m, const struct gg_privkey *k,
		    uint8_t sig[64]);
/*
 * Verify a received message: from present and a valid peer ID, seqno 8
 * bytes, signature present; the key is the `key` field (which must
 * belong to from) or, without it, inlined in an identity-multihash from.
 * On success author gets from.  0, or GG_EBADSIG (missing or wrong
 * signature), GG_EPEERID (key not from's), GG_EPARSE (from or seqno
 * malformed, no key available), GG_EUNSUPPORTED (key type).
 */
int gossip_msg_verify(const struct gossip_msg *m, struct gg_peerid *author);

#endif
