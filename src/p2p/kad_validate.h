/*
 * kad_validate.h - record validators and selectors per key namespace,
 * as the libp2p DHT spec describes them (Validate / Select).
 *
 * A validator owns the keys that start with its prefix.  A key no
 * validator owns is refused (js-libp2p does the same), so a server never
 * stores a value it cannot judge.  Validation is a pure function of key
 * and value; selection picks the best of several valid values for one
 * key, and is stable: vals[0] is the value we hold, and it stays unless a
 * later one is better.
 *
 * Built in: "/ggen/pkg/<name>" -> package record (DESIGN.md §5): a signed
 * envelope (domain "ggen-package-record", payload type
 * "/ggen/package-record/1") of at most 8 KiB whose JSON payload passes the
 * schema and names the package of the key.  Selection: a record of the
 * same signer with a higher seq wins; an identical record is accepted
 * again (republish); a different signer never displaces the held record
 * (who owns a name is the catalog's policy, not the DHT's).
 */
#ifndef GG_P2P_KAD_VALIDATE_H
#define GG_P2P_KAD_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/peerid.h"
#include "p2p/kad_msg.h"

#define KAD_PKG_PREFIX "/ggen/pkg/"
#define KAD_PKG_RECORD_MAX 8192
#define KAD_PKG_DOMAIN "ggen-package-record"
#define KAD_PKG_PAYLOAD_TYPE "/ggen/package-record/1"
#define KAD_PKG_NAME_MAX 64

struct kad_validator {
	const char *prefix; /* e.g. "/ggen/pkg/" */
	/* 0 when valid, else a GG_E* code (GG_EBADSIG, GG_EPARSE, ...) */
	int (*validate)(void *arg, const uint8_t *key, size_t klen,
			const uint8_t *val, size_t vlen);
	/* Index of the best of vals[0..n) (all valid), or a GG_E* code. */
	int (*select)(void *arg, const uint8_t *key, size_t klen,
		      const struct kad_bytes *vals, size_t n);
	void *arg;
};

/* The built-in table (the /ggen/pkg/ validator); sets *n. */
const struct kad_validator *kad_validators_default(size_t *n);

/* Dispatch on the key's namespace.  GG_EUNSUPPORTED for a key no
 * validator owns. */
int kad_record_validate(const struct kad_validator *v, size_t nv,
			const uint8_t *key, size_t klen, const uint8_t *val,
			size_t vlen);
/* 0 and *best, or GG_EUNSUPPORTED / GG_EINVAL (n == 0) / the
 * validator's error. */
int kad_record_select(const struct kad_validator *v, size_t nv,
		      const uint8_t *key, size_t klen,
		      const struct kad_bytes *vals, size_t n, size_t *best);

/* What a valid package record says, for the selector and for callers. */
struct kad_pkg_info {
	struct gg_peerid signer;
	char name[KAD_PKG_NAME_MAX + 1];
	uint64_t seq;
};

/* The /ggen/pkg/ rules: verify signature, schema and size, and that the
 * key is KAD_PKG_PREFIX + the record's name.  info may be NULL. */
int kad_pkg_validate(const uint8_t *key, size_t klen, const uint8_t *val,
		     size_t vlen, struct kad_pkg_info *info);
int kad_pkg_select(const uint8_t *key, size_t klen,
		   const struct kad_bytes *vals, size_t n);

#endif
