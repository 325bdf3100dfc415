/*
 * search_rank.c - gg_bm25, the FTS5 ranking function of the text and
 * fuzzy rules of search.c.
 *
 * It is Okapi BM25 as FTS5's own bm25() computes it (k1 = 1.2, per-column
 * weights given as arguments, IDF from the number of rows that match each
 * phrase), with b = 0: no document-length normalisation.  That one change
 * is what makes it cheap.  bm25() reads the length of every matching row
 * from the %_docsize table, one B-tree lookup per match, so ranking the
 * 6,000 packages that say "rust" in a 100,000-package catalog touches
 * nearly every page of that table: about 300 page faults, most of the
 * cost of a whole search process.  gg_bm25 reads only the position lists
 * FTS5 has already decoded to find the match.  Package metadata is short
 * and of similar length from row to row, so length normalisation changes
 * little there; how often and in which column a word occurs does.
 */
#include "market/search.h"

#include <math.h>

#include "util/error.h"
#include "util/log.h"

#define K1 1.2
#define MAX_COLS 16

/* Per query, kept by FTS5 between rows (xSetAuxdata). */
struct rank_q {
	int nphrase;
	double *idf;  /* [nphrase] */
	double *freq; /* [nphrase], scratch for one row */
};

static void rank_q_free(void *p)
{
	struct rank_q *q = p;

	if (q)
		sqlite3_free(q->idf);
	sqlite3_free(q);
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *f, void *ctx)
{
	(void)api;
	(void)f;
	(*(sqlite3_int64 *)ctx)++;
	return SQLITE_OK;
}

/* IDF as FTS5's bm25 defines it, floored at a tiny positive value. */
static double idf_of(sqlite3_int64 rows, sqlite3_int64 hits)
{
	double v = log((double)(rows - hits) + 0.5) - log((double)hits + 0.5);

	return v > 1e-6 ? v : 1e-6;
}

static struct rank_q *query_data(const Fts5ExtensionApi *api,
				 Fts5Context *f, int *rc)
{
	struct rank_q *q = api->xGetAuxdata(f, 0);
	sqlite3_int64 rows = 0, hits;
	int i;

	if (q)
		return q;
	q = sqlite3_malloc64(sizeof(*q));
	if (!q)
		goto nomem;
	q->nphrase = api->xPhraseCount(f);
	q->idf = sqlite3_malloc64(2 * sizeof(double) *
				  (size_t)(q->nphrase + 1));
	if (!q->idf) {
		sqlite3_free(q);
		goto nomem;
	}
	q->freq = q->idf + q->nphrase;
	*rc = api->xRowCount(f, &rows);
	for (i = 0; *rc == SQLITE_OK && i < q->nphrase; i++) {
		hits = 0;
		*rc = api->xQueryPhrase(f, i, &hits, count_row);
		q->idf[i] = idf_of(rows, hits);
	}
	if (*rc != SQLITE_OK) {
		rank_q_free(q);
		return NULL;
	}
	/* FTS5 owns q from here and frees it when the query ends (also
	 * when xSetAuxdata itself fails) */
	*rc = api->xSetAuxdata(f, q, rank_q_free);
	return *rc == SQLITE_OK ? q : NULL;
nomem:
	*rc = SQLITE_NOMEM;
	return NULL;
}

static void gg_bm25(const Fts5ExtensionApi *api, Fts5Context *f,
		    sqlite3_context *ctx, int nval, sqlite3_value **vals)
{
	double w[MAX_COLS], score = 0.0;
	int rc = SQLITE_OK, n = 0, i, ph, col, off;
	struct rank_q *q = query_data(api, f, &rc);

	if (!q) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	for (i = 0; i < MAX_COLS; i++)
		w[i] = i < nval ? sqlite3_value_double(vals[i]) : 1.0;
	memset(q->freq, 0, sizeof(double) * (size_t)q->nphrase);
	rc = api->xInstCount(f, &n);
	for (i = 0; rc == SQLITE_OK && i < n; i++) {
		rc = api->xInst(f, i, &ph, &col, &off);
		if (rc == SQLITE_OK && ph >= 0 && ph < q->nphrase &&
		    col >= 0)
			q->freq[ph] += col < MAX_COLS ? w[col] : 1.0;
	}
	for (i = 0; rc == SQLITE_OK && i < q->nphrase; i++)
		score += q->idf[i] * q->freq[i] * (K1 + 1.0) /
			 (q->freq[i] + K1);
	if (rc == SQLITE_OK)
		sqlite3_result_double(ctx, score);
	else
		sqlite3_result_error_code(ctx, rc);
}

int gg_search_rank_register(sqlite3 *h)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	/* the documented way to reach the FTS5 API of a connection */
	rc = sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		gg_error("search", "no FTS5 in this SQLite: %s",
			 sqlite3_errmsg(h));
		return GG_EUNSUPPORTED;
	}
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2)
		return GG_EUNSUPPORTED;
	rc = api->xCreateFunction(api, "gg_bm25", NULL, gg_bm25, NULL);
	return rc == SQLITE_OK ? 0 : gg_db_err(rc);
}
