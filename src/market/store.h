/*
 * store.h - the content-addressed store of package archives (ADR-007,
 * DESIGN §4): $GGEN_HOME/store/sha256/ab/<64 hex>, ab being the first two
 * hex digits of the SHA-256 of the content.
 *
 * Writes are atomic: the bytes go to a temporary file in the store's root
 * directory (the same file system), hashed while copied, fsynced, renamed
 * into place, and the directory fsynced, so a crash leaves either the
 * whole object or nothing (plus perhaps a ".tmp-*" file in the root that
 * gg_store_foreach skips and gc may remove).  Storing content that is already there (and intact) is a no-op.
 * Reads can re-hash and report GG_ECORRUPT, logging the object's ID.
 */
#ifndef GG_MARKET_STORE_H
#define GG_MARKET_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "market/pkgid.h"
#include "util/buf.h"

#define GG_STORE_PATH_MAX 4096

struct gg_store {
	char root[GG_STORE_PATH_MAX]; /* .../store/sha256 */
};

/* Point s at home/store/sha256 (created, 0755, with parents on first
 * put).  home NULL means gg_home_dir().  0 or GG_ETOOBIG / GG_EINVAL. */
int gg_store_init(struct gg_store *s, const char *home);

/* The object's file name (whether it exists or not). */
int gg_store_path(const struct gg_store *s, const struct gg_pkgid *id,
		  char *out, size_t outsz);
/* 1 when the object exists (not verified), else 0. */
int gg_store_has(const struct gg_store *s, const struct gg_pkgid *id);

/* Store p[0..n); *id gets its ID (may be NULL). */
int gg_store_put_mem(struct gg_store *s, const void *p, size_t n,
		     struct gg_pkgid *id);
/* Store a copy of the file at path; *id gets its ID (may be NULL). */
int gg_store_put_file(struct gg_store *s, const char *path,
		      struct gg_pkgid *id);
/* Store a copy of path only if its content has ID *want: otherwise
 * GG_ECHECKSUM and nothing is stored (for downloads). */
int gg_store_put_file_expect(struct gg_store *s, const char *path,
			     const struct gg_pkgid *want);

/*
 * Open the object read-only; *fd (close it) is positioned at 0 and *size
 * gets its size (may be NULL).  With verify the content is re-hashed
 * first: GG_ECORRUPT (logged with the object's ID) when it does not
 * match.  GG_ENOTFOUND when absent.
 */
int gg_store_open(const struct gg_store *s, const struct gg_pkgid *id,
		  int verify, int *fd, uint64_t *size);
/* Re-hash the object: 0, GG_ECORRUPT, GG_ENOTFOUND, GG_EIO. */
int gg_store_verify(const struct gg_store *s, const struct gg_pkgid *id);
/* The verified content appended to out (its cap bounds the size). */
int gg_store_read(const struct gg_store *s, const struct gg_pkgid *id,
		  struct gg_buf *out);

/* Remove the object; GG_ENOTFOUND when absent. */
int gg_store_remove(struct gg_store *s, const struct gg_pkgid *id);

/*
 * Call cb for every object (name well-formed, in its right directory),
 * in no particular order; temporary and stray files are skipped.  cb may
 * stop the walk by returning non-zero, which is then returned.  A store
 * that does not exist yet has no objects.
 */
int gg_store_foreach(const struct gg_store *s,
		     int (*cb)(void *ctx, const struct gg_pkgid *id,
			       uint64_t size),
		     void *ctx);

#endif
