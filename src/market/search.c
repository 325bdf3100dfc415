/*
 * search.c - the ranking rules of search.h, as a few SQL queries whose
 * results are merged by name in C.
 *
 * Every rule is one indexed query: the exact name and the name prefix use
 * the catalog_name index, the text rule uses FTS5 with bm25 (name weighs
 * most, then tags and keywords, then the description), and only the fuzzy
 * rule scans names, with an SQL function that gives up as soon as the
 * distance must exceed its bound.  Candidates are capped per rule, so a
 * query costs the same whether the catalog holds 1,000 or 100,000 rows,
 * apart from the FTS match itself.
 */
#include "market/search.h"

#include <ctype.h>
#include <math.h>

#include "market/semver.h"
#include "util/error.h"
#include "util/log.h"

#define MAX_WORDS 16
#define MAX_QUERY 256
#define FILTER_BASE 20 /* first bind number of the filter fragment */
/* Column weights of the text rank: name, description, tags, keywords. */
#define WEIGHTS "10.0, 1.0, 4.0, 4.0"

/* Tier bases: a better kind of match always outranks a worse one. */
#define TIER_EXACT 3000.0
#define TIER_PREFIX 2000.0
#define TIER_TEXT 1000.0
#define TIER_FUZZY 0.0

struct cand {
	char *name;
	double score;
	enum gg_match match;
};

struct sctx {
	struct gg_db *db;
	const struct gg_search_query *q;
	char qname[MAX_QUERY];	/* lowercased, spaces as '-' */
	char fts[MAX_QUERY * 4]; /* the FTS5 expression */
	int nwords;
	char words[MAX_WORDS][MAX_QUERY];
	char filter[1024];	/* " AND ..." over catalog c */
	struct cand *v;
	size_t n, cap;
};

const char *gg_search_match_name(enum gg_match m)
{
	static const char *const names[] = { "fuzzy", "text", "prefix",
					     "exact", "all" };

	return (unsigned)m < 5 ? names[m] : "?";
}

int gg_search_distance(const char *a, size_t la, const char *b, size_t lb,
		       int max)
{
	/* optimal string alignment: Levenshtein plus adjacent swaps, so
	 * "rsut" is one typo away from "rust" */
	int rows[3][65], *pp, *p, *c, best, rowmin;
	size_t i, j;

	if (la > 64 || lb > 64)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > (size_t)max)
		return max + 1;
	for (j = 0; j <= lb; j++)
		rows[0][j] = (int)j;
	for (i = 1; i <= la; i++) {
		c = rows[i % 3]; /* row k lives in rows[k % 3] */
		p = rows[(i + 2) % 3];
		pp = rows[(i + 1) % 3];
		c[0] = (int)i;
		rowmin = c[0];
		for (j = 1; j <= lb; j++) {
			best = p[j - 1] + (a[i - 1] != b[j - 1]);
			if (p[j] + 1 < best)
				best = p[j] + 1;
			if (c[j - 1] + 1 < best)
				best = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			c[j] = best;
			if (best < rowmin)
				rowmin = best;
		}
		if (rowmin > max)
			return max + 1;
	}
	best = rows[la % 3][lb];
	return best > max ? max + 1 : best;
}

static double popularity(sqlite3_int64 downloads, sqlite3_int64 stars)
{
	double d = downloads > 0 ? (double)downloads : 0.0;
	double s = stars > 0 ? (double)stars : 0.0;

	return 0.25 * log10(1.0 + d) + 0.5 * log10(1.0 + s);
}

static int add_cand(struct sctx *c, const char *name, double score,
		    enum gg_match m)
{
	struct cand *tmp;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].name, name))
			continue;
		if (score > c->v[i].score) {
			c->v[i].score = score;
			c->v[i].match = m;
		}
		return 0;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;

		tmp = realloc(c->v, ncap * sizeof(*tmp));
		if (!tmp)
			return GG_ENOMEM;
		c->v = tmp;
		c->cap = ncap;
	}
	c->v[c->n].name = strdup(name);
	if (!c->v[c->n].name)
		return GG_ENOMEM;
	c->v[c->n].score = score;
	c->v[c->n].match = m;
	c->n++;
	return 0;
}

/* Words of the query, lowercased, into the FTS expression and qname. */
static int prepare_text(struct sctx *c)
{
	const char *s = c->q->text ? c->q->text : "";
	size_t fl = 0, ql = 0, n = strlen(s), i = 0, w, lastlen = 0;
	char word[MAX_QUERY];

	if (n >= MAX_QUERY)
		return GG_EINVAL;
	while (i < n && c->nwords < MAX_WORDS) {
		while (i < n && !isalnum((unsigned char)s[i]) &&
		       !((unsigned char)s[i] & 0x80))
			i++;
		for (w = 0; i < n && (isalnum((unsigned char)s[i]) ||
				      ((unsigned char)s[i] & 0x80));
		     i++)
			word[w++] = (char)tolower((unsigned char)s[i]);
		if (!w)
			break;
		word[w] = 0;
		memcpy(c->words[c->nwords], word, w + 1);
		lastlen = w;
		fl += (size_t)snprintf(c->fts + fl, sizeof(c->fts) - fl,
				       "%s\"%s\"", fl ? " " : "", word);
		ql += (size_t)snprintf(c->qname + ql, sizeof(c->qname) - ql,
				       "%s%s", ql ? "-" : "", word);
		c->nwords++;
	}
	/* the whole query as typed, when it is a plausible name */
	for (i = 0, w = 0; i < n && w + 1 < sizeof(word); i++)
		if (!isspace((unsigned char)s[i]))
			word[w++] = (char)tolower((unsigned char)s[i]);
	word[w] = 0;
	if (w && strspn(word, "abcdefghijklmnopqrstuvwxyz0123456789-_") == w)
		snprintf(c->qname, sizeof(c->qname), "%s", word);
	/* the last word as a prefix too, once it says enough */
	if (c->nwords && lastlen >= 3 && fl + 2 < sizeof(c->fts))
		memcpy(c->fts + fl, "*", 2);
	return 0;
}

static int build_filter(struct sctx *c)
{
	const struct gg_search_query *q = c->q;
	size_t len = 0, k;
	int bind = FILTER_BASE, n;

	n = snprintf(c->filter, sizeof(c->filter), " AND c.source IN (%s%s%s"
		     "'')",
		     q->sources & GG_CAT_CENTRAL ? "'central'," : "",
		     q->sources & GG_CAT_LOCAL ? "'local'," : "",
		     q->sources & GG_CAT_P2P ? "'p2p'," : "");
	len = (size_t)n;
	if (q->category)
		len += (size_t)snprintf(c->filter + len, sizeof(c->filter) - len,
					" AND lower(c.category) = lower(?%d)",
					bind);
	bind++;
	if (q->author)
		len += (size_t)snprintf(c->filter + len, sizeof(c->filter) - len,
					" AND lower(c.author) = lower(?%d)",
					bind);
	bind++;
	for (k = 0; k < q->ntags; k++, bind++)
		len += (size_t)snprintf(c->filter + len, sizeof(c->filter) - len,
					" AND instr(char(10) || lower(c.tags) "
					"|| char(10), char(10) || lower(?%d) "
					"|| char(10)) > 0",
					bind);
	return len < sizeof(c->filter) ? 0 : GG_ETOOBIG;
}

static int prepare(struct sctx *c, const char *head, const char *tail,
		   sqlite3_stmt **st)
{
	char sql[4096];
	const struct gg_search_query *q = c->q;
	size_t k;
	int n, rc;

	n = snprintf(sql, sizeof(sql), "%s%s%s", head, c->filter, tail);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return GG_ETOOBIG;
	rc = gg_db_prepare(c->db, sql, st);
	if (rc)
		return rc;
	if (q->category)
		sqlite3_bind_text(*st, FILTER_BASE, q->category, -1,
				  SQLITE_STATIC);
	if (q->author)
		sqlite3_bind_text(*st, FILTER_BASE + 1, q->author, -1,
				  SQLITE_STATIC);
	for (k = 0; k < q->ntags; k++)
		sqlite3_bind_text(*st, FILTER_BASE + 2 + (int)k, q->tags[k], -1,
				  SQLITE_STATIC);
	return 0;
}

/* Rows of (name, extra score, downloads, stars) into candidates. */
static int collect(struct sctx *c, sqlite3_stmt *st, double base,
		   enum gg_match m)
{
	const char *name;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		if (!name)
			continue;
		rc = add_cand(c, name,
			      base + sqlite3_column_double(st, 1) +
				      popularity(sqlite3_column_int64(st, 2),
						 sqlite3_column_int64(st, 3)),
			      m);
		if (rc)
			break;
	}
	rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : gg_db_err(rc);
	sqlite3_finalize(st);
	return rc;
}

static int cap_of(const struct sctx *c)
{
	return (int)(c->q->limit * 4 + 50);
}

static int rule_exact_prefix(struct sctx *c)
{
	char hi[MAX_QUERY + 2];
	sqlite3_stmt *st;
	int rc;

	rc = prepare(c, "SELECT c.name, 0.0, max(c.downloads), max(c.stars) "
		     "FROM catalog c WHERE c.name = ?1", " GROUP BY c.name", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, c->qname, -1, SQLITE_STATIC);
	rc = collect(c, st, TIER_EXACT, GG_MATCH_EXACT);
	if (rc)
		return rc;
	snprintf(hi, sizeof(hi), "%s\x7f", c->qname);
	rc = prepare(c, "SELECT c.name, 50.0 - min(50, length(c.name) - ?4), "
		     "max(c.downloads), max(c.stars) FROM catalog c "
		     "WHERE c.name > ?1 AND c.name < ?2",
		     " GROUP BY c.name ORDER BY length(c.name), c.name "
		     "LIMIT ?3", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, c->qname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, cap_of(c));
	sqlite3_bind_int(st, 4, (int)strlen(c->qname));
	return collect(c, st, TIER_PREFIX, GG_MATCH_PREFIX);
}

/* No filters: rank inside the FTS index alone (bm25 needs only the
 * index and its document sizes), then read just the top rows.  Joining
 * every match to the catalog would touch thousands of table pages. */
static int text_unfiltered(struct sctx *c, const char *expr, double base,
			   enum gg_match m)
{
	sqlite3_stmt *fts = NULL, *row = NULL;
	int rc;

	rc = gg_db_prepare(c->db, "SELECT rowid, gg_bm25(catalog_fts, " WEIGHTS
			   ") AS r FROM catalog_fts WHERE catalog_fts "
			   "MATCH ?1 ORDER BY r DESC LIMIT ?2", &fts);
	if (!rc)
		rc = gg_db_prepare(c->db, "SELECT name, downloads, stars FROM "
				   "catalog WHERE rowid = ?1", &row);
	if (rc)
		goto out;
	sqlite3_bind_text(fts, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int(fts, 2, cap_of(c));
	while (!rc && (rc = sqlite3_step(fts)) == SQLITE_ROW) {
		sqlite3_reset(row);
		sqlite3_bind_int64(row, 1, sqlite3_column_int64(fts, 0));
		if (sqlite3_step(row) != SQLITE_ROW) {
			rc = 0;
			continue;
		}
		rc = add_cand(c, (const char *)sqlite3_column_text(row, 0),
			      base + sqlite3_column_double(fts, 1) +
				      popularity(sqlite3_column_int64(row, 1),
						 sqlite3_column_int64(row, 2)),
			      m);
	}
	rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : gg_db_err(rc);
out:
	sqlite3_finalize(fts);
	sqlite3_finalize(row);
	return rc;
}

static int has_filters(const struct sctx *c)
{
	return c->q->category || c->q->author || c->q->ntags ||
	       (c->q->sources & GG_CAT_ALL) != GG_CAT_ALL;
}

/* Rows whose FTS index matches expr, scored base + bm25 + popularity. */
static int rule_match(struct sctx *c, const char *expr, double base,
		      enum gg_match m)
{
	sqlite3_stmt *st;
	int rc;

	if (!has_filters(c))
		return text_unfiltered(c, expr, base, m);
	rc = prepare(c, "SELECT c.name, gg_bm25(catalog_fts, " WEIGHTS
		     ") AS r, c.downloads, c.stars FROM catalog_fts "
		     "JOIN catalog c ON c.rowid = catalog_fts.rowid "
		     "WHERE catalog_fts MATCH ?1",
		     " ORDER BY r DESC LIMIT ?2", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, cap_of(c));
	rc = collect(c, st, base, m);
	if (rc)
		gg_debug("search", "fts query '%s' failed", expr);
	return rc;
}

/* Append to expr the words of names within edit distance of word, as
 * "w1" OR "w2" ...  Only terms that start with the word's first or
 * second letter are read (a range of catalog_words): a typo rarely
 * changes both, and this keeps the scan small on a large catalog. */
static int near_terms(sqlite3_stmt *st, const char *word,
		      struct gg_buf *expr, int *found)
{
	size_t len = strlen(word), k;
	int max = len <= 4 ? 1 : 2, rc = 0;
	const char *t;
	char lo[2], hi[2];

	*found = 0;
	for (k = 0; k < 2 && k < len && !rc; k++) {
		if (k == 1 && word[1] == word[0])
			break;
		lo[0] = word[k];
		hi[0] = (char)(word[k] + 1);
		lo[1] = hi[1] = 0;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
		while (*found < 32 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			t = (const char *)sqlite3_column_text(st, 0);
			if (!t || gg_search_distance(t, strlen(t), word, len,
						     max) > max)
				continue;
			rc = gg_buf_printf(expr, "%s\"%s\"",
					   *found ? " OR " : "", t);
			if (rc)
				return rc;
			(*found)++;
		}
		rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0
		     : rc < 0			       ? rc
						       : gg_db_err(rc);
	}
	return rc;
}

/* Typos: each word of three letters or more is replaced by the words of
 * names near it; shorter words must match as they are. */
static int rule_fuzzy(struct sctx *c)
{
	struct gg_buf expr = GG_BUF_INIT(16384);
	sqlite3_stmt *st = NULL;
	int i, rc, found = 0, fuzzed = 0;

	rc = gg_db_prepare(c->db, "SELECT word FROM catalog_words WHERE "
			   "word >= ?1 AND word < ?2", &st);
	for (i = 0; !rc && i < c->nwords; i++) {
		if (i)
			rc = gg_buf_adds(&expr, " AND ");
		if (!rc && strlen(c->words[i]) < 3) {
			rc = gg_buf_printf(&expr, "name : \"%s\"",
					   c->words[i]);
			continue;
		}
		if (!rc)
			rc = gg_buf_adds(&expr, "name : (");
		if (!rc)
			rc = near_terms(st, c->words[i], &expr, &found);
		if (!rc && !found)
			goto out; /* nothing near this word: no fuzzy hit */
		if (!rc)
			rc = gg_buf_addc(&expr, ')');
		fuzzed++;
	}
	if (!rc && fuzzed)
		rc = rule_match(c, gg_buf_cstr(&expr), TIER_FUZZY,
				GG_MATCH_FUZZY);
out:
	sqlite3_finalize(st);
	gg_buf_release(&expr);
	return rc;
}

static int rule_all(struct sctx *c)
{
	sqlite3_stmt *st;
	int rc;

	rc = prepare(c, "SELECT c.name, 0.0, max(c.downloads) AS d, "
		     "max(c.stars) AS s FROM catalog c WHERE 1",
		     " GROUP BY c.name ORDER BY s * 10 + d DESC, c.name "
		     "LIMIT ?1", &st);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, (int)c->q->limit);
	return collect(c, st, 0.0, GG_MATCH_ALL);
}

static int cmp_cand(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	return strcmp(a->name, b->name);
}

/* p2p > local > central when versions tie (ADR-004). */
static int source_rank(unsigned s)
{
	return s == GG_CAT_P2P ? 3 : s == GG_CAT_LOCAL ? 2 : 1;
}

static int newer(const struct gg_catalog_entry *a,
		 const struct gg_catalog_entry *b)
{
	struct gg_semver va, vb;
	int oka = gg_semver_parse(a->version, &va, NULL) == 0;
	int okb = gg_semver_parse(b->version, &vb, NULL) == 0;
	int d;

	if (oka != okb)
		return oka;
	d = oka ? gg_semver_cmp(&va, &vb) : 0;
	if (d)
		return d > 0;
	return source_rank(a->source) > source_rank(b->source);
}

/* Merge every row of the candidate's name into one hit; *get is the
 * statement, prepared on first use and reused for every hit. */
static int make_hit(struct sctx *c, sqlite3_stmt **get,
		    const struct cand *k, struct gg_search_hit *h)
{
	struct gg_catalog_entry *rows;
	size_t n, i, best = 0;
	int rc;

	memset(h, 0, sizeof(*h));
	rc = gg_catalog_get_st(c->db, get, k->name, c->q->sources, &rows, &n);
	if (rc)
		return rc;
	if (!n)
		return GG_ENOTFOUND;
	for (i = 0; i < n; i++) {
		h->sources |= rows[i].source;
		if (i && newer(&rows[i], &rows[best]))
			best = i;
	}
	h->e = rows[best];
	memset(&rows[best], 0, sizeof(rows[best])); /* transferred */
	h->score = k->score;
	h->match = k->match;
	gg_catalog_entries_free(rows, n);
	return 0;
}

static int run_rules(struct sctx *c)
{
	int rc;

	if (!c->nwords && !c->qname[0])
		return rule_all(c);
	rc = rule_exact_prefix(c);
	if (!rc && c->nwords)
		rc = rule_match(c, c->fts, TIER_TEXT, GG_MATCH_TEXT);
	if (!rc && c->n < c->q->limit)
		rc = rule_fuzzy(c);
	return rc;
}

static void free_cands(struct sctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
}

/* A search reads each page about once, so SQLite's default 2 MiB cache
 * only turns every page read into fresh heap pages, and on our VMs each
 * first touch of a page costs tens of microseconds (a third of a whole
 * search).  A small cache recycles the same few buffers. */
#define SEARCH_CACHE_PAGES 24

static int cache_pages(struct gg_db *db, int set, int *old)
{
	sqlite3_stmt *st;
	char sql[64];
	int rc;

	if (old) {
		rc = gg_db_prepare(db, "PRAGMA cache_size", &st);
		if (rc)
			return rc;
		*old = -2000; /* SQLite's default, should the read fail */
		if (sqlite3_step(st) == SQLITE_ROW)
			*old = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %d", set);
	return gg_db_exec(db, sql);
}

static int search(struct sctx *c, struct gg_search_hit **hits, size_t *n)
{
	const struct gg_search_query *q = c->q;
	struct gg_search_hit *out = NULL;
	sqlite3_stmt *get = NULL;
	size_t i, cnt = 0;
	int rc;

	rc = prepare_text(c);
	if (!rc)
		rc = build_filter(c);
	if (!rc)
		rc = run_rules(c);
	if (rc)
		goto out;
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), cmp_cand);
	out = calloc(c->n < q->limit ? c->n + 1 : q->limit, sizeof(*out));
	if (!out) {
		rc = GG_ENOMEM;
		goto out;
	}
	for (i = 0; i < c->n && cnt < q->limit; i++) {
		rc = make_hit(c, &get, &c->v[i], &out[cnt]);
		if (rc == GG_ENOTFOUND)
			continue;
		if (rc)
			goto out;
		cnt++;
	}
	*hits = out;
	*n = cnt;
	out = NULL; /* transferred */
	rc = 0;
out:
	sqlite3_finalize(get);
	gg_search_hits_free(out, cnt);
	return rc;
}

int gg_search_run(struct gg_db *db, const struct gg_search_query *q,
		  struct gg_search_hit **hits, size_t *n)
{
	struct sctx c;
	int rc, old = 0;

	*hits = NULL;
	*n = 0;
	if (!q->limit || q->limit > GG_SEARCH_MAX_LIMIT ||
	    q->ntags > GG_SEARCH_MAX_TAGS || !q->sources)
		return GG_EINVAL;
	if (!db->rank_fn) {
		rc = gg_search_rank_register(db->h);
		if (rc)
			return rc;
		db->rank_fn = 1;
	}
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.q = q;
	rc = cache_pages(db, SEARCH_CACHE_PAGES, &old);
	if (rc)
		return rc;
	rc = search(&c, hits, n);
	cache_pages(db, old, NULL);
	free_cands(&c);
	return rc;
}

void gg_search_hits_free(struct gg_search_hit *hits, size_t n)
{
	size_t i;

	for (i = 0; hits && i < n; i++)
		gg_catalog_entry_release(&hits[i].e);
	free(hits);
}
