/*
 * identify.h - /ipfs/id/1.0.0 and /ipfs/id/push/1.0.0.
 *
 * Responder: on /ipfs/id/1.0.0 we write one length-prefixed Identify
 * message (our public key, listen addresses, the protocols we accept
 * inbound - exactly the host's registered handlers -, the address we see
 * the asker at, protocol version "ipfs/0.1.0", agent GG_AGENT) and close.
 * Requester: every new connection is identified; what the peer says about
 * itself (addresses, protocols, agent) goes into the peer store, after
 * checking that its public key is the one the connection authenticated.
 * A push from a peer updates only the fields it carries.  Messages are
 * capped at GG_ID_MAX_MSG bytes.
 */
#ifndef GG_P2P_IDENTIFY_H
#define GG_P2P_IDENTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "net/multiaddr.h"
#include "p2p/host.h"
#include "p2p/peerstore.h"
#include "util/buf.h"

#define GG_ID_PROTO "/ipfs/id/1.0.0"
#define GG_ID_PUSH_PROTO "/ipfs/id/push/1.0.0"
#define GG_ID_PROTOCOL_VERSION "ipfs/0.1.0"
#define GG_ID_MAX_MSG 4096

/* A decoded Identify message; every field optional. */
struct gg_identify_info {
	uint8_t pubkey[GG_PUBKEY_PROTO_MAX];
	size_t pubkey_len;          /* 0: absent */
	struct gg_multiaddr addrs[GG_PS_MAX_ADDRS];
	int naddrs;                 /* valid ones only */
	int has_addrs;              /* the field was present */
	char *protos[GG_PS_MAX_PROTOS];
	int nprotos;
	int has_protos;
	struct gg_multiaddr observed;
	int has_observed;
	char agent[GG_PS_MAX_AGENT];
	char proto_version[GG_PS_MAX_AGENT];
};

/* Decode one message body (without the length prefix).  0 or GG_EPARSE,
 * GG_ETOOBIG (over GG_ID_MAX_MSG).  Release the info afterwards. */
int gg_identify_decode(const uint8_t *p, size_t n,
		       struct gg_identify_info *out);
void gg_identify_info_release(struct gg_identify_info *info);
/* Append our length-prefixed message for a peer on c (c may be NULL: no
 * observed address). */
int gg_identify_encode(struct gg_host *h, struct gg_conn *c,
		       struct gg_buf *out);

struct gg_identify;

/* Serve both protocols on h and identify every new connection into ps
 * (borrowed; both outlive the service). */
int gg_identify_new(struct gg_host *h, struct gg_peerstore *ps,
		    struct gg_identify **out);
/* After gg_host_free and the loop has drained.  Accepts NULL. */
void gg_identify_free(struct gg_identify *id);
/* Push our current details to every connected peer that accepts it. */
int gg_identify_push_all(struct gg_identify *id);

#endif
