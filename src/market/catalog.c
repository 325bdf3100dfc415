/*
 * catalog.c - the catalog rows of ggen.db: importing the central index,
 * adding locally published packages, reading rows back, and name owners.
 *
 * The central import is the expensive step (a 100,000-entry index takes a
 * second or two), so it happens only when the cached index's SHA-256
 * differs from the one recorded in `meta` under "central_key".  The key is
 * read and re-checked inside the write transaction, so two processes that
 * notice a new index at the same moment import it once.
 */
#include "market/catalog.h"

#include "market/index.h"
#include "market/manifest.h"
#include "market/mio.h"
#include "util/error.h"
#include "util/log.h"

#define META_CENTRAL_KEY "central_key"

static const char *const source_names[] = { "central", "local", "p2p" };

const char *gg_catalog_source_name(unsigned bit)
{
	switch (bit) {
	case GG_CAT_CENTRAL:
		return source_names[0];
	case GG_CAT_LOCAL:
		return source_names[1];
	case GG_CAT_P2P:
		return source_names[2];
	default:
		return NULL;
	}
}

static unsigned source_bit(const char *s)
{
	size_t i;

	for (i = 0; s && i < 3; i++)
		if (!strcmp(s, source_names[i]))
			return 1u << i;
	return 0;
}

/* Items joined by '\n' (none of them contains one). */
static int join(struct gg_buf *b, const char *const *items, size_t n)
{
	size_t i;
	int rc = 0;

	gg_buf_reset(b);
	for (i = 0; i < n && !rc; i++) {
		if (i)
			rc = gg_buf_addc(b, '\n');
		if (!rc)
			rc = gg_buf_adds(b, items[i]);
	}
	return rc;
}

struct import_ctx {
	sqlite3_stmt *ins;
	struct gg_buf tags, kw, deps;
	size_t rows;
};

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static int import_one(void *arg, size_t i, const struct gg_index_pkg *p)
{
	struct import_ctx *c = arg;
	char hex[GG_PKGID_HEX_SIZE];
	int rc;

	(void)i;
	if ((rc = join(&c->tags, p->tags, p->ntags)) ||
	    (rc = join(&c->kw, p->keywords, p->nkeywords)) ||
	    (rc = join(&c->deps, p->deps, p->ndeps)))
		return rc;
	sqlite3_reset(c->ins);
	bind_text(c->ins, 1, p->name);
	bind_text(c->ins, 2, p->version);
	bind_text(c->ins, 3, p->description);
	bind_text(c->ins, 4, p->category);
	bind_text(c->ins, 5, p->author);
	bind_text(c->ins, 6, p->license);
	bind_text(c->ins, 7, gg_buf_cstr(&c->tags));
	bind_text(c->ins, 8, gg_buf_cstr(&c->kw));
	bind_text(c->ins, 9, gg_buf_cstr(&c->deps));
	sqlite3_bind_int64(c->ins, 10, p->downloads);
	sqlite3_bind_int64(c->ins, 11, p->stars);
	bind_text(c->ins, 12, p->download_url);
	if (p->has_checksum && gg_pkgid_to_hex(&p->checksum, hex,
					       sizeof(hex)) > 0)
		bind_text(c->ins, 13, hex);
	else
		sqlite3_bind_null(c->ins, 13);
	rc = gg_db_err(sqlite3_step(c->ins));
	c->rows += (size_t)sqlite3_changes(sqlite3_db_handle(c->ins));
	return rc;
}

/* Inside the transaction: replace the central rows with the index. */
static int import(struct gg_db *db, const struct gg_buf *text,
		  size_t *rows, struct gg_buf *err)
{
	struct import_ctx c = { NULL, GG_BUF_INIT(1 << 20),
				GG_BUF_INIT(1 << 20), GG_BUF_INIT(1 << 20), 0 };
	int rc;

	rc = gg_db_exec(db, "DELETE FROM catalog WHERE source = 'central'");
	if (rc)
		goto out;
	rc = gg_db_prepare(db,
			   "INSERT INTO catalog(source, name, version, "
			   "description, category, author, license, tags, "
			   "keywords, dependencies, downloads, stars, "
			   "download_url, id) VALUES ('central', ?1, ?2, ?3, "
			   "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULLIF(?12, ''), "
			   "?13) ON CONFLICT DO NOTHING",
			   &c.ins);
	if (rc)
		goto out;
	rc = gg_index_parse(text->data, text->len, import_one, &c, NULL, err);
	*rows = c.rows;
out:
	sqlite3_finalize(c.ins);
	gg_buf_release(&c.tags);
	gg_buf_release(&c.kw);
	gg_buf_release(&c.deps);
	return rc;
}

/* The words of names (catalog_words, schema v3 in db.c) of the rows
 * WHERE_SQL selects. */
#define NAME_WORDS(where_sql)                                             \
	"INSERT OR IGNORE INTO catalog_words(word)"                       \
	" WITH RECURSIVE s(w, rest) AS ("                                 \
	"  SELECT NULL, replace(lower(name), '_', '-') || '-'"            \
	"  FROM catalog " where_sql                                       \
	"  UNION ALL"                                                     \
	"  SELECT substr(rest, 1, instr(rest, '-') - 1),"                 \
	"   substr(rest, instr(rest, '-') + 1) FROM s WHERE rest <> '')"  \
	" SELECT w FROM s WHERE w GLOB '*[a-z]*'"

/* After the central rows changed: the words of every name again. */
static int rebuild_words(struct gg_db *db)
{
	int rc = gg_db_exec(db, "DELETE FROM catalog_words");

	return rc ? rc : gg_db_exec(db, NAME_WORDS(""));
}

static int key_matches(struct gg_db *db, const char *key, int *match)
{
	char *have = NULL;
	int rc = gg_db_meta_get(db, META_CENTRAL_KEY, &have);

	*match = !rc && have && !strcmp(have, key);
	free(have);
	return rc;
}

int gg_catalog_sync_central(struct gg_db *db, const char *path,
			    const char *key, size_t *imported,
			    struct gg_buf *err)
{
	struct gg_buf text = GG_BUF_INIT(GG_INDEX_MAX_BYTES);
	size_t rows = 0;
	int rc, match;

	if (imported)
		*imported = 0;
	rc = key_matches(db, key, &match);
	if (rc || match)
		return rc;
	rc = gg_read_file(path, &text);
	if (rc)
		goto out;
	/* a big import touches the B-trees all over: a larger page cache
	 * for this connection halves its time */
	gg_db_exec(db, "PRAGMA cache_size = -131072");
	rc = gg_db_begin(db);
	if (rc)
		goto out;
	rc = key_matches(db, key, &match); /* someone else may have */
	if (rc || match)
		goto out;
	rc = import(db, &text, &rows, err);
	if (!rc)
		rc = rebuild_words(db);
	if (!rc)
		rc = gg_db_meta_set(db, META_CENTRAL_KEY, key);
	if (!rc)
		rc = gg_db_commit(db);
	if (!rc) {
		gg_info("catalog", "imported %zu central entries", rows);
		if (imported)
			*imported = rows;
	}
out:
	gg_db_rollback(db);
	gg_buf_release(&text);
	return rc;
}

int gg_catalog_clear_central(struct gg_db *db)
{
	char *have = NULL;
	int rc = gg_db_meta_get(db, META_CENTRAL_KEY, &have);

	if (rc || !have || !*have) {
		free(have);
		return rc;
	}
	free(have);
	rc = gg_db_begin(db);
	if (!rc)
		rc = gg_db_exec(db, "DELETE FROM catalog WHERE "
				    "source = 'central'");
	if (!rc)
		rc = rebuild_words(db);
	if (!rc)
		rc = gg_db_meta_set(db, META_CENTRAL_KEY, "");
	if (!rc)
		rc = gg_db_commit(db);
	gg_db_rollback(db);
	return rc;
}

int gg_catalog_put_local(struct gg_db *db, const struct gg_manifest *m,
			 const struct gg_pkgid *id, uint64_t size,
			 int64_t published_at)
{
	struct gg_buf tags = GG_BUF_INIT(1 << 20), kw = GG_BUF_INIT(1 << 20),
		      deps = GG_BUF_INIT(1 << 20);
	char hex[GG_PKGID_HEX_SIZE];
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = join(&tags, (const char *const *)m->tags, m->ntags)) ||
	    (rc = join(&kw, (const char *const *)m->keywords,
		       m->nkeywords)) ||
	    (rc = join(&deps, (const char *const *)m->dependencies,
		       m->ndeps)))
		goto out;
	gg_pkgid_to_hex(id, hex, sizeof(hex));
	rc = gg_db_prepare(db,
			   "INSERT INTO catalog(source, name, version, "
			   "description, category, author, license, tags, "
			   "keywords, dependencies, id, size, published_at) "
			   "VALUES ('local', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
			   "?9, ?10, ?11, ?12) ON CONFLICT(source, name, "
			   "version) DO UPDATE SET description = ?3, "
			   "category = ?4, author = ?5, license = ?6, "
			   "tags = ?7, keywords = ?8, dependencies = ?9, "
			   "id = ?10, size = ?11, published_at = ?12",
			   &st);
	if (rc)
		goto out;
	bind_text(st, 1, m->name);
	bind_text(st, 2, m->version);
	bind_text(st, 3, m->description ? m->description : "");
	bind_text(st, 4, m->category ? m->category : "");
	bind_text(st, 5, m->author ? m->author : "");
	bind_text(st, 6, m->license ? m->license : "");
	bind_text(st, 7, gg_buf_cstr(&tags));
	bind_text(st, 8, gg_buf_cstr(&kw));
	bind_text(st, 9, gg_buf_cstr(&deps));
	bind_text(st, 10, hex);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)size);
	sqlite3_bind_int64(st, 12, published_at);
	rc = gg_db_err(sqlite3_step(st));
	sqlite3_finalize(st);
	st = NULL;
	if (!rc)
		rc = gg_db_prepare(db, NAME_WORDS("WHERE name = ?1"), &st);
	if (!rc) {
		bind_text(st, 1, m->name);
		rc = gg_db_err(sqlite3_step(st));
	}
out:
	sqlite3_finalize(st);
	gg_buf_release(&tags);
	gg_buf_release(&kw);
	gg_buf_release(&deps);
	return rc;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return strdup(s ? s : "");
}

/* Split a '\n'-joined column into a NULL-terminated array. */
static int col_list(sqlite3_stmt *st, int i, char ***out, size_t *n)
{
	const char *s = (const char *)sqlite3_column_text(st, i), *p, *nl;
	size_t k = 0, cnt = 1;

	*out = NULL;
	*n = 0;
	if (!s || !*s)
		return 0;
	for (p = s; *p; p++)
		cnt += *p == '\n';
	*out = calloc(cnt + 1, sizeof(char *));
	if (!*out)
		return GG_ENOMEM;
	for (p = s; k < cnt; k++, p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		(*out)[k] = strndup(p, (size_t)(nl - p));
		if (!(*out)[k])
			return GG_ENOMEM;
		*n = k + 1;
		if (!*nl)
			break;
	}
	return 0;
}

int gg_catalog_entry_from_row(sqlite3_stmt *st, int c,
			      struct gg_catalog_entry *e)
{
	const char *id;

	memset(e, 0, sizeof(*e));
	e->source = source_bit((const char *)sqlite3_column_text(st, c));
	e->name = col_dup(st, c + 1);
	e->version = col_dup(st, c + 2);
	e->description = col_dup(st, c + 3);
	e->category = col_dup(st, c + 4);
	e->author = col_dup(st, c + 5);
	e->license = col_dup(st, c + 6);
	e->download_url = col_dup(st, c + 7);
	if (!e->name || !e->version || !e->description || !e->category ||
	    !e->author || !e->license || !e->download_url ||
	    col_list(st, c + 8, &e->tags, &e->ntags) ||
	    col_list(st, c + 9, &e->keywords, &e->nkeywords) ||
	    col_list(st, c + 10, &e->deps, &e->ndeps))
		return GG_ENOMEM;
	e->downloads = sqlite3_column_int64(st, c + 11);
	e->stars = sqlite3_column_int64(st, c + 12);
	e->size = sqlite3_column_int64(st, c + 13);
	e->published_at = sqlite3_column_int64(st, c + 14);
	id = (const char *)sqlite3_column_text(st, c + 15);
	e->has_id = id && gg_pkgid_from_hex(id, &e->id) == 0;
	return 0;
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void gg_catalog_entry_release(struct gg_catalog_entry *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->version);
	free(e->description);
	free(e->category);
	free(e->author);
	free(e->license);
	free(e->download_url);
	free_list(e->tags, e->ntags);
	free_list(e->keywords, e->nkeywords);
	free_list(e->deps, e->ndeps);
	memset(e, 0, sizeof(*e));
}

void gg_catalog_entries_free(struct gg_catalog_entry *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		gg_catalog_entry_release(&v[i]);
	free(v);
}

static int source_ok(unsigned sources, const char *s)
{
	return (source_bit(s) & sources) != 0;
}

int gg_catalog_get_st(struct gg_db *db, sqlite3_stmt **st,
		      const char *name, unsigned sources,
		      struct gg_catalog_entry **v, size_t *n)
{
	struct gg_catalog_entry *arr = NULL, *tmp;
	size_t cnt = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (*st) {
		sqlite3_reset(*st);
	} else {
		rc = gg_db_prepare(db, "SELECT " GG_CATALOG_COLUMNS
				   " FROM catalog c WHERE c.name = ?1", st);
		if (rc)
			return rc;
	}
	sqlite3_bind_text(*st, 1, name, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(*st)) == SQLITE_ROW) {
		if (!source_ok(sources,
			       (const char *)sqlite3_column_text(*st, 0)))
			continue;
		tmp = realloc(arr, (cnt + 1) * sizeof(*arr));
		if (!tmp) {
			rc = GG_ENOMEM;
			goto out;
		}
		arr = tmp;
		rc = gg_catalog_entry_from_row(*st, 0, &arr[cnt++]);
		if (rc)
			goto out;
	}
	rc = gg_db_err(rc);
out:
	sqlite3_reset(*st);
	if (rc) {
		gg_catalog_entries_free(arr, cnt);
		return rc;
	}
	*v = arr;
	*n = cnt;
	return 0;
}

int gg_catalog_get(struct gg_db *db, const char *name, unsigned sources,
		   struct gg_catalog_entry **v, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc = gg_catalog_get_st(db, &st, name, sources, v, n);

	sqlite3_finalize(st);
	return rc;
}

int gg_catalog_foreach_local_id(struct gg_db *db,
				int (*cb)(void *ctx,
					  const struct gg_pkgid *id),
				void *ctx)
{
	struct gg_pkgid id;
	sqlite3_stmt *st;
	const char *hex;
	int rc;

	rc = gg_db_prepare(db, "SELECT id FROM catalog WHERE source = "
			   "'local' AND id IS NOT NULL", &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		hex = (const char *)sqlite3_column_text(st, 0);
		if (!hex || gg_pkgid_from_hex(hex, &id))
			continue;
		rc = cb(ctx, &id);
		if (rc)
			goto out;
	}
	rc = gg_db_err(rc);
out:
	sqlite3_finalize(st);
	return rc;
}

int gg_catalog_owner_claim(struct gg_db *db, const char *name,
			   const char *owner, int64_t now, int *is_owner)
{
	sqlite3_stmt *st;
	char *cur = NULL;
	int rc;

	rc = gg_db_prepare(db, "INSERT INTO name_owners(name, owner, "
			   "first_seen) VALUES (?1, ?2, ?3) "
			   "ON CONFLICT(name) DO NOTHING", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = gg_db_err(sqlite3_step(st));
	sqlite3_finalize(st);
	if (!rc && is_owner) {
		rc = gg_catalog_owner_get(db, name, &cur);
		*is_owner = !rc && cur && !strcmp(cur, owner);
	}
	free(cur);
	return rc;
}

int gg_catalog_owner_get(struct gg_db *db, const char *name, char **owner)
{
	sqlite3_stmt *st;
	int rc;

	*owner = NULL;
	rc = gg_db_prepare(db, "SELECT owner FROM name_owners WHERE "
			   "name = ?1", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*owner = col_dup(st, 0);
		rc = *owner ? 0 : GG_ENOMEM;
	} else {
		rc = gg_db_err(rc);
	}
	sqlite3_finalize(st);
	return rc;
}
