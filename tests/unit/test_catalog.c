/*
 * test_catalog.c - ggen.db, the catalog and search: migrations, the
 * central import keyed by the index hash (import once, keep the old rows
 * on a bad index), local rows, name owners, and every ranking rule
 * (exact > prefix > text > fuzzy, popularity inside a tier, filters,
 * limit, merging sources by name).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "market/catalog.h"
#include "market/manifest.h"
#include "market/search.h"
#include "util/error.h"

#define CK "sha256:296134bc0d6f6c5096bd52dbfde4357c5a09986e927e6d6ed3d8164647e89f92"

static const char index_text[] =
	"{\"packages\": ["
	"{\"name\": \"rust-cli-starter\", \"version\": \"1.2.0\","
	" \"description\": \"Command-line starter\", \"category\": \"CLI\","
	" \"author\": \"Ann\", \"tags\": [\"Rust\", \"cli\"],"
	" \"checksum\": \"" CK "\", \"download_url\": \"r.tar.gz\"},"
	"{\"name\": \"rust-cli-starter\", \"version\": \"1.1.0\"},"
	"{\"name\": \"rust\", \"version\": \"0.1.0\","
	" \"description\": \"The word itself\"},"
	"{\"name\": \"web-service\", \"version\": \"2.0.0\","
	" \"description\": \"An HTTP service written in rust\","
	" \"downloads\": 10},"
	"{\"name\": \"web-api\", \"version\": \"2.0.0\","
	" \"description\": \"An HTTP api written in rust\","
	" \"downloads\": 100000, \"stars\": 500},"
	"{\"name\": \"python-fastapi-service\", \"version\": \"0.4.1\","
	" \"description\": \"FastAPI\", \"tags\": [\"python\"],"
	" \"keywords\": [\"rest\"]}"
	"]}";

struct fx {
	struct gg_db *db;
	char dir[64];
	char path[128];
};

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_catalog.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/index.json", f->dir);
	if (write_file(f->path, index_text) ||
	    gg_db_open(f->dir, &f->db) ||
	    gg_catalog_sync_central(f->db, f->path, "key1", NULL, NULL))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char db[160];

	gg_db_free(f->db);
	unlink(f->path);
	snprintf(db, sizeof(db), "%s/ggen.db", f->dir);
	unlink(db);
	snprintf(db, sizeof(db), "%s/ggen.db-wal", f->dir);
	unlink(db);
	snprintf(db, sizeof(db), "%s/ggen.db-shm", f->dir);
	unlink(db);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void schema_and_reopen(void **state)
{
	struct fx *f = *state;
	struct gg_db *db2;

	assert_int_equal(f->db->version, gg_db_schema_version());
	/* a second process opening the same file migrates nothing */
	assert_int_equal(gg_db_open(f->dir, &db2), 0);
	assert_int_equal(db2->version, gg_db_schema_version());
	gg_db_free(db2);
	/* a newer schema is refused, not misread */
	assert_int_equal(gg_db_exec(f->db, "PRAGMA user_version = 999"), 0);
	assert_int_equal(gg_db_open(f->dir, &db2), GG_EUNSUPPORTED);
	assert_int_equal(gg_db_exec(f->db, "PRAGMA user_version = 1"), 0);
}

static void import_keyed(void **state)
{
	struct fx *f = *state;
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_catalog_entry *v;
	size_t n, imported = 99;

	assert_int_equal(gg_catalog_sync_central(f->db, f->path, "key1",
						 &imported, &err),
			 0);
	assert_int_equal(imported, 0); /* same key: nothing read */
	assert_int_equal(write_file(f->path, "{\"packages\": [{\"name\": 5}]}"),
			 0);
	assert_int_equal(gg_catalog_sync_central(f->db, f->path, "key2",
						 &imported, &err),
			 GG_EPARSE);
	assert_string_equal(gg_buf_cstr(&err),
			    "index.json: packages[0].name: expected a string");
	/* the old rows survive a malformed index */
	assert_int_equal(gg_catalog_get(f->db, "rust-cli-starter",
					GG_CAT_ALL, &v, &n),
			 0);
	assert_int_equal(n, 2);
	assert_true(v[0].has_id || v[1].has_id);
	gg_catalog_entries_free(v, n);
	assert_int_equal(write_file(f->path, "{\"packages\": [{\"name\": "
				    "\"only\", \"version\": \"1.0.0\"}]}"),
			 0);
	assert_int_equal(gg_catalog_sync_central(f->db, f->path, "key3",
						 &imported, &err),
			 0);
	assert_int_equal(imported, 1);
	assert_int_equal(gg_catalog_get(f->db, "rust-cli-starter",
					GG_CAT_ALL, &v, &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(gg_catalog_clear_central(f->db), 0);
	assert_int_equal(gg_catalog_get(f->db, "only", GG_CAT_ALL, &v, &n), 0);
	assert_int_equal(n, 0);
	gg_buf_release(&err);
}

static void run_query(struct fx *f, const char *text, size_t limit,
		      struct gg_search_hit **h, size_t *n)
{
	struct gg_search_query q;

	memset(&q, 0, sizeof(q));
	q.text = text;
	q.limit = limit;
	q.sources = GG_CAT_ALL;
	assert_int_equal(gg_search_run(f->db, &q, h, n), 0);
}

static void ranking(void **state)
{
	struct fx *f = *state;
	struct gg_search_hit *h;
	size_t n;

	run_query(f, "rust", 10, &h, &n);
	assert_true(n >= 4);
	assert_string_equal(h[0].e.name, "rust"); /* exact */
	assert_int_equal(h[0].match, GG_MATCH_EXACT);
	assert_string_equal(h[1].e.name, "rust-cli-starter"); /* prefix */
	assert_int_equal(h[1].match, GG_MATCH_PREFIX);
	assert_string_equal(h[1].e.version, "1.2.0"); /* newest version */
	/* two equal text matches: the popular one first */
	assert_string_equal(h[2].e.name, "web-api");
	assert_string_equal(h[3].e.name, "web-service");
	assert_int_equal(h[3].match, GG_MATCH_TEXT);
	gg_search_hits_free(h, n);

	run_query(f, "rust", 2, &h, &n);
	assert_int_equal(n, 2);
	gg_search_hits_free(h, n);

	run_query(f, "fastpai", 10, &h, &n); /* a typo in a name part */
	assert_int_equal(n, 1);
	assert_string_equal(h[0].e.name, "python-fastapi-service");
	assert_int_equal(h[0].match, GG_MATCH_FUZZY);
	gg_search_hits_free(h, n);

	run_query(f, "zzzzzzzz", 10, &h, &n);
	assert_int_equal(n, 0);
	gg_search_hits_free(h, n);

	run_query(f, "\"quotes\" AND OR NEAR(", 10, &h, &n); /* FTS syntax */
	gg_search_hits_free(h, n);
}

static void filters(void **state)
{
	struct fx *f = *state;
	struct gg_search_hit *h;
	struct gg_search_query q;
	const char *tags[] = { "RUST" };
	size_t n;

	memset(&q, 0, sizeof(q));
	q.text = "";
	q.limit = 10;
	q.sources = GG_CAT_ALL;
	q.category = "cli";
	assert_int_equal(gg_search_run(f->db, &q, &h, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].e.name, "rust-cli-starter");
	gg_search_hits_free(h, n);
	q.category = NULL;
	q.tags = tags;
	q.ntags = 1;
	q.author = "ann";
	assert_int_equal(gg_search_run(f->db, &q, &h, &n), 0);
	assert_int_equal(n, 1);
	gg_search_hits_free(h, n);
	q.author = "bob";
	assert_int_equal(gg_search_run(f->db, &q, &h, &n), 0);
	assert_int_equal(n, 0);
	gg_search_hits_free(h, n);
	q.sources = GG_CAT_LOCAL;
	q.author = NULL;
	assert_int_equal(gg_search_run(f->db, &q, &h, &n), 0);
	assert_int_equal(n, 0);
	gg_search_hits_free(h, n);
}

static void local_rows_merge(void **state)
{
	struct fx *f = *state;
	struct gg_manifest m;
	struct gg_pkgid id;
	struct gg_search_hit *h;
	char *tags[] = { (char *)"rust" };
	size_t n;

	memset(&m, 0, sizeof(m));
	m.name = (char *)"rust-cli-starter";
	m.version = (char *)"1.3.0";
	m.description = (char *)"local build";
	m.tags = tags;
	m.ntags = 1;
	memset(id.b, 0xab, sizeof(id.b));
	assert_int_equal(gg_catalog_put_local(f->db, &m, &id, 123, 1000), 0);
	assert_int_equal(gg_catalog_put_local(f->db, &m, &id, 124, 1001), 0);
	run_query(f, "rust-cli-starter", 5, &h, &n);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].e.version, "1.3.0");
	assert_int_equal(h[0].sources, GG_CAT_CENTRAL | GG_CAT_LOCAL);
	assert_int_equal(h[0].e.source, GG_CAT_LOCAL);
	assert_int_equal(h[0].e.size, 124);
	assert_true(gg_pkgid_eq(&h[0].e.id, &id));
	gg_search_hits_free(h, n);
}

static int count_word(struct fx *f, const char *word)
{
	sqlite3_stmt *st;
	int n;

	assert_int_equal(gg_db_prepare(f->db, "SELECT count(*) FROM "
				       "catalog_words WHERE word = ?1", &st),
			 0);
	sqlite3_bind_text(st, 1, word, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The fuzzy rule's word list follows the rows: central imports, local
 * publishes, and clearing the central rows. */
static void name_words(void **state)
{
	struct fx *f = *state;
	struct gg_manifest m;
	struct gg_pkgid id;
	struct gg_search_hit *h;
	size_t n;

	assert_int_equal(count_word(f, "fastapi"), 1);
	assert_int_equal(count_word(f, "python"), 1);
	memset(&m, 0, sizeof(m));
	m.name = (char *)"zebra_tool-2024";
	m.version = (char *)"1.0.0";
	memset(id.b, 0xcd, sizeof(id.b));
	assert_int_equal(gg_catalog_put_local(f->db, &m, &id, 1, 1), 0);
	assert_int_equal(count_word(f, "zebra"), 1);
	assert_int_equal(count_word(f, "tool"), 1);
	assert_int_equal(count_word(f, "2024"), 0); /* no letter: left out */
	run_query(f, "zebar", 10, &h, &n);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].e.name, "zebra_tool-2024");
	assert_int_equal(h[0].match, GG_MATCH_FUZZY);
	gg_search_hits_free(h, n);
	assert_int_equal(gg_catalog_clear_central(f->db), 0);
	assert_int_equal(count_word(f, "fastapi"), 0);
	assert_int_equal(count_word(f, "zebra"), 1);
}

static void owners(void **state)
{
	struct fx *f = *state;
	char *o = NULL;
	int mine = -1;

	assert_int_equal(gg_catalog_owner_claim(f->db, "pkg", "peerA", 1,
						&mine),
			 0);
	assert_int_equal(mine, 1);
	assert_int_equal(gg_catalog_owner_claim(f->db, "pkg", "peerB", 2,
						&mine),
			 0);
	assert_int_equal(mine, 0);
	assert_int_equal(gg_catalog_owner_get(f->db, "pkg", &o), 0);
	assert_string_equal(o, "peerA");
	free(o);
	assert_int_equal(gg_catalog_owner_get(f->db, "other", &o), 0);
	assert_null(o);
}

static void distance(void **state)
{
	(void)state;
	assert_int_equal(gg_search_distance("rust", 4, "rust", 4, 2), 0);
	assert_int_equal(gg_search_distance("rsut", 4, "rust", 4, 2), 1);
	assert_int_equal(gg_search_distance("kitten", 6, "sitting", 7, 3), 3);
	assert_int_equal(gg_search_distance("kitten", 6, "sitting", 7, 2), 3);
	assert_int_equal(gg_search_distance("", 0, "abc", 3, 5), 3);
	assert_int_equal(gg_search_distance("a", 1, "abcdef", 6, 2), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(schema_and_reopen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(import_keyed, setup, teardown),
		cmocka_unit_test_setup_teardown(ranking, setup, teardown),
		cmocka_unit_test_setup_teardown(filters, setup, teardown),
		cmocka_unit_test_setup_teardown(local_rows_merge, setup,
						teardown),
		cmocka_unit_test_setup_teardown(name_words, setup, teardown),
		cmocka_unit_test_setup_teardown(owners, setup, teardown),
		cmocka_unit_test(distance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
