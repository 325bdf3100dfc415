/*
 * index.h - the central registry's index.json (DESIGN §5 "Central index").
 *
 * The document is untrusted bytes from a web server.  It is parsed with
 * jansson under a size cap, then every entry is checked field by field:
 * the name and version rules, string lengths, list lengths, whole numbers,
 * dependency strings and the checksum form "sha256:<64 lowercase hex>".
 * Unknown fields are ignored.  An entry without a checksum is valid (it is
 * searchable) but never installable.  The first problem ends the parse
 * with a message that names the place, e.g.
 *   index.json: packages[3].name: expected a string
 *
 * Entries are handed to a callback one at a time with pointers into the
 * parsed document (valid during the call only), so a 100,000-entry index
 * is never copied into a second structure.
 */
#ifndef GG_MARKET_INDEX_H
#define GG_MARKET_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "market/pkgid.h"
#include "util/buf.h"

/* Hard caps. */
#define GG_INDEX_MAX_BYTES ((size_t)256 << 20)
#define GG_INDEX_MAX_PACKAGES 1000000
#define GG_INDEX_MAX_LIST 256	      /* tags, keywords, dependencies */
#define GG_INDEX_MAX_DESC 16384	      /* description, bytes */
#define GG_INDEX_MAX_FIELD 1024	      /* other short strings */
#define GG_INDEX_MAX_URL 4096	      /* download_url */

struct gg_index_pkg {
	/* Never NULL; "" when absent. */
	const char *name, *version, *description, *category, *author;
	const char *license, *download_url;
	const char *tags[GG_INDEX_MAX_LIST];
	size_t ntags;
	const char *keywords[GG_INDEX_MAX_LIST];
	size_t nkeywords;
	const char *deps[GG_INDEX_MAX_LIST]; /* "name" or "name@req" */
	size_t ndeps;
	int64_t downloads, stars;
	int has_checksum;
	struct gg_pkgid checksum;
};

struct gg_index_info {
	char version[64];     /* top-level "version", "" when absent */
	char updated_at[64];  /* "" when absent */
	size_t npackages;
};

/* Called for each valid entry, in order; index i in packages[].  A
 * non-zero return stops the parse and is returned. */
typedef int (*gg_index_cb)(void *ctx, size_t i,
			   const struct gg_index_pkg *p);

/*
 * Parse and check p[0..n).  cb may be NULL (validation only).  info may
 * be NULL.  Every entry is checked before the first callback, so a
 * malformed index never reaches cb at all.  0, or GG_EPARSE (not JSON, or
 * a field breaks a rule), GG_ETOOBIG (over a cap), GG_ENOMEM, each with
 * one line in err naming the problem.
 */
int gg_index_parse(const void *p, size_t n, gg_index_cb cb, void *ctx,
		   struct gg_index_info *info, struct gg_buf *err);

#endif
