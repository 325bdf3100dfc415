/*
 * kad_table.h - the Kademlia routing table: k-buckets over the XOR
 * distance of SHA-256 digests (of the peer-ID bytes for peers, of the raw
 * key bytes for keys), one bucket per common-prefix length with our own
 * digest.
 *
 * Insertion policy.  Only peers that list our kad protocol in identify
 * and answer ping belong here.  The table cannot check that itself, so it
 * is the caller's duty, expressed as two states: kad_table_add() puts a
 * peer in as PENDING; kad_table_verify() makes it VERIFIED once the host
 * has seen the protocol in identify and a ping (or a kad response, which
 * proves both) succeed.  Pending peers are never returned to other peers
 * and are the first to be evicted.
 *
 * Diversity (against eclipse attacks): at most max_per_group_bucket peers
 * of one /24 (IPv4) or /48 (IPv6) network in a bucket and
 * max_per_group_table in the whole table (2 and 3 by default; loopback
 * counts too).  The group comes from the address we connected on (the
 * first IP address given); peers with no IP address form no group.
 */
#ifndef GG_P2P_KAD_TABLE_H
#define GG_P2P_KAD_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/peerid.h"
#include "net/multiaddr.h"

#define KAD_K 20
#define KAD_KEY_BITS 256
#define KAD_ADDRBUF_MAX 256 /* bytes of addresses kept per peer */

/* A point in the key space: SHA-256 of the key or peer-ID bytes. */
struct kad_key { uint8_t b[32]; };

/* A few binary multiaddrs, each prefixed by a one-byte length. */
struct kad_addrbuf { uint16_t len; uint8_t n; uint8_t b[KAD_ADDRBUF_MAX]; };

/* A peer as lookups and the table carry it. */
struct kad_peer {
	struct gg_peerid id;
	struct kad_key key;
	struct kad_addrbuf addrs;
};

enum kad_peer_state { KAD_PEER_PENDING = 0, KAD_PEER_VERIFIED = 1 };

struct kad_entry {
	struct kad_peer peer;
	enum kad_peer_state state;
	uint64_t added_ms, seen_ms; /* seen: last successful exchange */
	int fails;                  /* consecutive failed requests */
	uint8_t group[7];           /* 0x04 + /24, or 0x06 + /48 */
	uint8_t has_group;
};

struct kad_table_config {
	int k;                       /* bucket size, 1..KAD_K*4 */
	int max_per_group_bucket;    /* 0 = no limit */
	int max_per_group_table;     /* 0 = no limit */
	int max_fails;               /* remove after this many in a row */
	uint64_t refresh_ms;         /* a bucket is stale after this */
};

struct kad_table;

void kad_key_of(const uint8_t *p, size_t n, struct kad_key *out);
void kad_key_of_peer(const struct gg_peerid *id, struct kad_key *out);
/* <0 when a is closer to target than b, >0 farther, 0 equal. */
int kad_key_closer(const struct kad_key *target, const struct kad_key *a,
		   const struct kad_key *b);
/* Common prefix length, 0..256. */
int kad_key_cpl(const struct kad_key *a, const struct kad_key *b);

void kad_addrbuf_init(struct kad_addrbuf *ab);
/* GG_ETOOBIG when it does not fit (or is over 255 bytes). */
int kad_addrbuf_add(struct kad_addrbuf *ab, const uint8_t *p, size_t n);
/* Copy up to max addresses out; returns the number written. */
size_t kad_addrbuf_get(const struct kad_addrbuf *ab, struct gg_multiaddr *out,
		       size_t max);
/* The i-th address as a view; 0 or GG_ENOTFOUND. */
int kad_addrbuf_at(const struct kad_addrbuf *ab, size_t i,
		   const uint8_t **p, size_t *n);

/* k 20, 2 per group per bucket, 3 per table, 2 fails, refresh 10 min. */
void kad_table_config_default(struct kad_table_config *c);
int kad_table_new(const struct kad_table_config *c,
		  const struct gg_peerid *self, struct kad_table **out);
void kad_table_free(struct kad_table *t);
const struct kad_key *kad_table_self(const struct kad_table *t);

/*
 * Add a peer (PENDING) or refresh a known one (its addresses, if any are
 * given, replace the old ones; state unchanged).  Returns 0 when added,
 * GG_EEXISTS when it was already there (refreshed), GG_EINVAL for
 * ourselves, GG_ELIMIT when its bucket is full of verified peers or a
 * diversity limit refuses it.  A full bucket makes room by evicting a
 * pending or failing peer.
 */
int kad_table_add(struct kad_table *t, const struct kad_peer *p,
		  uint64_t now_ms);
/* Mark a peer verified and seen now (0 or GG_ENOTFOUND); a successful
 * exchange also resets its failure count. */
int kad_table_verify(struct kad_table *t, const struct gg_peerid *id,
		     uint64_t now_ms);
/* Count a failed request; removes the peer at max_fails.  Returns 1 when
 * removed, 0 when kept, GG_ENOTFOUND. */
int kad_table_fail(struct kad_table *t, const struct gg_peerid *id);
int kad_table_remove(struct kad_table *t, const struct gg_peerid *id);
const struct kad_entry *kad_table_find(const struct kad_table *t,
				       const struct gg_peerid *id);
size_t kad_table_size(const struct kad_table *t, int verified_only);

/* The n closest entries to target, closest first; returns the count. */
size_t kad_table_closest(const struct kad_table *t,
			 const struct kad_key *target, int verified_only,
			 const struct kad_entry **out, size_t n);

/* Note that a lookup for a key in bucket cpl finished now. */
void kad_table_touch_bucket(struct kad_table *t, int cpl, uint64_t now_ms);
/* Buckets not refreshed for refresh_ms, from 0 up to one past the deepest
 * non-empty bucket (at most 15, as a key must be searched for each);
 * writes up to max cpls and returns the count. */
size_t kad_table_stale(const struct kad_table *t, uint64_t now_ms,
		       int *cpls, size_t max);
/* Visit every entry (in bucket order); stop when fn returns non-zero. */
int kad_table_each(const struct kad_table *t,
		   int (*fn)(void *arg, const struct kad_entry *e), void *arg);

#endif
