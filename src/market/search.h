/*
 * search.h - ranked search over the catalog (issue #5 "Search ranking").
 *
 * A query is split into words (maximal runs of letters and digits).  Each
 * package name collects a score from the rules ggen users know, in tiers
 * so that a better kind of match always wins:
 *   exact name match  >  name prefix  >  FTS5 bm25 over name,
 *   description, tags, keywords  >  fuzzy name match (edit distance, for
 *   typos, tried only when the other rules found fewer than `limit`)
 * and within a tier by relevance plus a small popularity bonus
 * (log-scaled downloads and stars).  Filters (category, every tag,
 * author) match case-insensitively and restrict every rule.  Rows of one
 * name from several sources merge into one hit: the highest version, its
 * metadata, and the union of the sources.
 */
#ifndef GG_MARKET_SEARCH_H
#define GG_MARKET_SEARCH_H

#include <stddef.h>

#include "market/catalog.h"

#define GG_SEARCH_MAX_TAGS 16
#define GG_SEARCH_MAX_LIMIT 1000

struct gg_search_query {
	const char *text;	/* the words; "" lists everything */
	const char *category;	/* NULL: any */
	const char *author;	/* NULL: any */
	const char *const *tags; /* all must be present */
	size_t ntags;		/* at most GG_SEARCH_MAX_TAGS */
	size_t limit;		/* 1 .. GG_SEARCH_MAX_LIMIT */
	unsigned sources;	/* GG_CAT_* bits */
};

enum gg_match {
	GG_MATCH_FUZZY,
	GG_MATCH_TEXT,
	GG_MATCH_PREFIX,
	GG_MATCH_EXACT,
	GG_MATCH_ALL /* empty query: everything, by popularity */
};

struct gg_search_hit {
	struct gg_catalog_entry e; /* the highest version's row */
	unsigned sources;	   /* every source that has this name */
	double score;
	enum gg_match match;
};

/* Run q; *hits (free with gg_search_hits_free) is sorted best first, at
 * most q->limit long.  0 hits is a success.  GG_EINVAL for a bad query. */
int gg_search_run(struct gg_db *db, const struct gg_search_query *q,
		  struct gg_search_hit **hits, size_t *n);
void gg_search_hits_free(struct gg_search_hit *hits, size_t n);

/* Register the FTS5 ranking function gg_bm25(fts_table, w0, w1, ...) on
 * connection h: BM25 with k1 = 1.2, b = 0 (no document-length
 * normalisation), per-column weights; larger is better.  gg_search_run
 * registers it itself, once per connection.  0, or GG_EUNSUPPORTED when
 * SQLite has no FTS5. */
int gg_search_rank_register(sqlite3 *h);

/* "exact", "prefix", "text", "fuzzy", "all". */
const char *gg_search_match_name(enum gg_match m);

/* Levenshtein distance of a and b, or max + 1 as soon as it must exceed
 * max (the fuzzy rule's early exit).  Strings longer than 64 bytes give
 * max + 1. */
int gg_search_distance(const char *a, size_t la, const char *b, size_t lb,
		       int max);

#endif
