/*
 * registry.h - the central registry client (libcurl): keeps a cached copy
 * of the registry's index.json fresh, and downloads package archives.
 *
 * The registry is registry.url (or GGEN_REGISTRY_URL): http://, https://,
 * file:// or a plain path.  The index is cached at
 * $GGEN_HOME/cache/index.json with its metadata (URL, ETag, Last-Modified,
 * fetch time, SHA-256, size) in cache/index.meta.json; both are written
 * atomically, index first.  Within registry.cache_ttl seconds of the last
 * fetch nothing is requested at all.  After that the request carries
 * If-None-Match / If-Modified-Since and a 304 only refreshes the fetch
 * time.  A new body is checked (index.h) before it replaces the cache, so
 * a malformed index never overwrites a good one.
 *
 * Network errors and 5xx answers are retried with exponential backoff
 * (3 tries by default), 4xx answers never.  When the registry stays
 * unreachable and a cache of the same URL exists, the cache is used and
 * the status says so (with its age) for the CLI to print one warning.
 */
#ifndef GG_MARKET_REGISTRY_H
#define GG_MARKET_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define GG_REGISTRY_URL_MAX 4096
#define GG_REGISTRY_TRIES 3
#define GG_REGISTRY_BACKOFF_MS 250

struct gg_registry_opts {
	const char *url;     /* as configured; "" or NULL: none */
	const char *home;    /* $GGEN_HOME (exists) */
	int64_t timeout_s;   /* whole transfer; 0: no limit */
	int64_t cache_ttl_s; /* 0: always revalidate */
	int tries;	     /* 0: GG_REGISTRY_TRIES */
	int backoff_ms;	     /* first retry delay; 0: the default */
	int force;	     /* revalidate even within the TTL */
};

enum gg_registry_how {
	GG_REG_FRESH,	     /* cache younger than the TTL: no request */
	GG_REG_FETCHED,	     /* a new body was stored */
	GG_REG_NOT_MODIFIED, /* 304 (or unchanged): cache kept */
	GG_REG_OFFLINE	     /* registry unreachable: cache used */
};

struct gg_registry_status {
	enum gg_registry_how how;
	char url[GG_REGISTRY_URL_MAX]; /* normalised index URL */
	char cache_path[4096];	       /* the cached index.json */
	char sha256[65];	       /* hex of the cached index */
	int64_t fetched_at;	       /* unix seconds, last good answer */
	int64_t age;		       /* now - fetched_at, seconds */
	long http_status;	       /* of the last answer, 0: none */
	char reason[512];	       /* OFFLINE: what failed */
};

/*
 * Bring the cached index up to date as described above.  0 with *st
 * filled; GG_ENOTFOUND when no registry is configured; GG_EPARSE for a
 * malformed index (err names the problem, the cache is kept); GG_ENET /
 * GG_ETIMEOUT when unreachable and there is no cache; GG_EPROTO for a 4xx
 * answer; GG_EINVAL for an unsupported URL.  err gets one line.
 */
int gg_registry_sync(const struct gg_registry_opts *o,
		     struct gg_registry_status *st, struct gg_buf *err);

/* An http(s):// or file:// URL as is; a plain path as a file:// URL of
 * its absolute path.  GG_EINVAL for another scheme. */
int gg_registry_normalize(const char *in, char *out, size_t outsz);

/* ref (a download_url) resolved against the index URL base. */
int gg_registry_resolve(const char *base, const char *ref, char *out,
			size_t outsz);

/* Progress of a download: bytes so far and the total (0: unknown).
 * Return non-zero to abort. */
typedef int (*gg_progress_cb)(void *ctx, uint64_t now, uint64_t total);

/*
 * Download url into the file dest (created or truncated), at most
 * max_bytes, with the retry policy of o (url and home of o unused).
 * progress may be NULL.  0, or GG_ETOOBIG, GG_EPROTO (4xx), GG_ENET,
 * GG_ETIMEOUT, GG_EIO, with one line in err.
 */
int gg_registry_download(const struct gg_registry_opts *o, const char *url,
			 const char *dest, uint64_t max_bytes,
			 gg_progress_cb progress, void *ctx,
			 struct gg_buf *err);

#endif
