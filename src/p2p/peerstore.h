/*
 * peerstore.h - what we know about other peers: their addresses, the
 * protocols they speak and their agent, as identify reported them.
 *
 * Later layers ask it whether a peer speaks a protocol (kad only talks to
 * peers that list it) and where to reach a peer.  It is bounded: at most
 * max peers, the least recently updated one is forgotten first, and each
 * peer keeps at most GG_PS_MAX_ADDRS addresses and GG_PS_MAX_PROTOS
 * protocols.  In memory only; persistence belongs to the reputation store.
 */
#ifndef GG_P2P_PEERSTORE_H
#define GG_P2P_PEERSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/peerid.h"
#include "net/multiaddr.h"

#define GG_PS_MAX_ADDRS 16
#define GG_PS_MAX_PROTOS 64
#define GG_PS_MAX_PROTO_LEN 256
#define GG_PS_MAX_AGENT 128

struct gg_peer_info {
	struct gg_peerid id;
	struct gg_multiaddr addrs[GG_PS_MAX_ADDRS];
	int naddrs;
	char *protos[GG_PS_MAX_PROTOS];
	int nprotos;
	char agent[GG_PS_MAX_AGENT];
	char proto_version[GG_PS_MAX_AGENT];
	uint64_t updated; /* a counter: larger is more recent */
};

struct gg_peerstore;

int gg_peerstore_new(size_t max_peers, struct gg_peerstore **out);
void gg_peerstore_free(struct gg_peerstore *ps);

/* The entry for id, or NULL.  Valid until the next change to ps. */
const struct gg_peer_info *gg_peerstore_get(const struct gg_peerstore *ps,
					    const struct gg_peerid *id);
size_t gg_peerstore_count(const struct gg_peerstore *ps);

/* Add addresses (duplicates and /p2p/ suffixes are dropped; past
 * GG_PS_MAX_ADDRS the oldest go).  Creates the entry. */
int gg_peerstore_add_addrs(struct gg_peerstore *ps,
			   const struct gg_peerid *id,
			   const struct gg_multiaddr *addrs, int n);
/* Replace the protocol list (longer names and extra entries dropped). */
int gg_peerstore_set_protocols(struct gg_peerstore *ps,
			       const struct gg_peerid *id,
			       const char *const *protos, int n);
/* Agent and protocol version; NULL leaves a field as it was. */
int gg_peerstore_set_agent(struct gg_peerstore *ps,
			   const struct gg_peerid *id, const char *agent,
			   const char *proto_version);
/* 1 when the peer listed proto, else 0. */
int gg_peerstore_supports(const struct gg_peerstore *ps,
			  const struct gg_peerid *id, const char *proto);

#endif
