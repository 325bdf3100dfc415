/*
 * archive.h - package archives: deterministic .tar.gz packing and safe
 * extraction (DESIGN §5 "Archive").
 *
 * Packing walks a directory and writes a gzip'd POSIX tar (ustar) with the
 * entries sorted bytewise by path, mtime 0, uid/gid 0, no user or group
 * names, modes 0644 or 0755 (0755 when any x bit is set), directories and
 * regular files only, and a gzip header with no name and no time, so the
 * same tree gives the same bytes (and the same package ID) with the same
 * zlib.  package.toml must be at the root and valid.
 *
 * Extraction reads untrusted bytes.  It writes into a fresh temporary
 * directory next to the destination and renames it into place only when
 * every entry has been checked and written and everything is fsynced.  It
 * refuses absolute paths, ".." components, symlinks, hard links, devices,
 * FIFOs, anything else that is not a regular file or a directory,
 * duplicate entries, paths over GG_ARCHIVE_MAX_PATH bytes or
 * GG_ARCHIVE_MAX_DEPTH components, more than the entry limit and more than
 * the byte limit (counting the bytes actually written, not what headers
 * claim).
 * On any refusal the temporary directory is removed and err names the
 * entry: "entry 3 '../evil': path has a '..' component".
 */
#ifndef GG_MARKET_ARCHIVE_H
#define GG_MARKET_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "market/manifest.h"
#include "market/pkgid.h"
#include "util/buf.h"

#define GG_ARCHIVE_DEFAULT_MAX_ENTRIES 10000
#define GG_ARCHIVE_DEFAULT_MAX_BYTES ((uint64_t)256 << 20)
/* Longest path inside an archive that we accept, and most components. */
#define GG_ARCHIVE_MAX_PATH 1024
#define GG_ARCHIVE_MAX_DEPTH 64

struct gg_config;

struct gg_archive_limits {
	uint64_t max_entries;	  /* files + directories */
	uint64_t max_bytes;	  /* sum of file sizes, as written */
};

/* The DESIGN defaults (10,000 entries, 256 MiB). */
void gg_archive_limits_default(struct gg_archive_limits *l);
/* limits.max_archive_entries / limits.max_unpacked_bytes from c. */
void gg_archive_limits_config(const struct gg_config *c,
			      struct gg_archive_limits *l);

/*
 * Pack dir.  The archive is appended to out (whose cap bounds its size),
 * its ID stored in *id, and when m is not NULL the validated manifest is
 * returned there (release it).  lim NULL means the defaults; a tree that
 * extraction would refuse is refused here too.  Errors (err says which
 * path and why): GG_EINVAL (no or bad package.toml), GG_EUNSUPPORTED (a
 * symlink, device, FIFO or socket in the tree), GG_ELIMIT, GG_EIO...
 */
int gg_archive_pack(const char *dir, const struct gg_archive_limits *lim,
		    struct gg_buf *out, struct gg_pkgid *id,
		    struct gg_manifest *m, struct gg_buf *err);
/* Pack dir into file path, atomically (temp in the same dir, fsync,
 * rename, fsync dir).  *size gets the archive size (may be NULL).  When
 * path already exists inside dir, that file is left out of the archive,
 * so packing twice into the same place gives the same bytes. */
int gg_archive_pack_file(const char *dir, const char *path,
			 const struct gg_archive_limits *lim,
			 struct gg_pkgid *id, uint64_t *size,
			 struct gg_manifest *m, struct gg_buf *err);

/* gg_archive_extract flags. */
enum {
	/* If dest exists, replace it (the old tree is removed only after
	 * the new one is in place); otherwise an existing dest is
	 * GG_EEXISTS. */
	GG_EXTRACT_REPLACE = 1 << 0,
	/* Refuse an archive without a regular file package.toml at the
	 * root (GG_EINVAL). */
	GG_EXTRACT_NEED_MANIFEST = 1 << 1
};

/*
 * Extract the archive at archive_path (or in memory) into dest, which is
 * created with its missing parents (0755); see the rules above.  lim NULL
 * means the defaults.  Refusals: GG_EPERM (a path or entry type that is
 * not allowed), GG_ELIMIT (too many entries or bytes), GG_EEXISTS (a
 * duplicate entry, or dest exists without GG_EXTRACT_REPLACE), GG_EPARSE
 * (not a gzip'd tar), GG_EIO.  Nothing is left behind on failure.
 */
int gg_archive_extract(const char *archive_path, const char *dest,
		       const struct gg_archive_limits *lim, unsigned flags,
		       struct gg_buf *err);
int gg_archive_extract_mem(const void *p, size_t n, const char *dest,
			   const struct gg_archive_limits *lim,
			   unsigned flags, struct gg_buf *err);

/* One entry as listed. */
struct gg_archive_entry {
	const char *path;  /* normalised: no "./" prefix, no trailing '/' */
	int is_dir;
	uint64_t size;     /* header size of a file, 0 for a directory */
	unsigned mode;     /* permission bits */
};

/*
 * List the entries of an archive in memory, applying the same checks and
 * limits as extraction (the byte limit counts the data actually read),
 * without writing anything.  cb may stop the walk by returning non-zero,
 * which is then returned.
 */
int gg_archive_list_mem(const void *p, size_t n,
			const struct gg_archive_limits *lim,
			int (*cb)(void *ctx, const struct gg_archive_entry *e),
			void *ctx, struct gg_buf *err);

/*
 * Read and validate package.toml from the root of an archive without
 * extracting anything else (entries are checked as they are passed).
 * GG_EINVAL when there is none; parse errors as gg_manifest_parse with
 * the file named "ARCHIVE!package.toml".
 */
int gg_archive_read_manifest(const char *archive_path,
			     const struct gg_archive_limits *lim,
			     struct gg_manifest *out, struct gg_buf *err);
int gg_archive_read_manifest_mem(const void *p, size_t n,
				 const struct gg_archive_limits *lim,
				 struct gg_manifest *out, struct gg_buf *err);

#endif
