/*
 * db_tool.c - a helper for the ggen.db tests, built as build/tests/db_tool
 * (tests do not rely on an sqlite3 command being installed).
 *
 *   db_tool lock DB RELEASE_FILE MAX_MS
 *       hold a write transaction on DB (BEGIN IMMEDIATE, waiting up to
 *       10 s for it) until RELEASE_FILE exists or MAX_MS have passed;
 *       prints "locked" once it holds the lock, then "released after N ms"
 *   db_tool count DB TABLE
 *       prints the number of rows of TABLE ([a-z_]+)
 */
#include <sqlite3.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int mode_lock(const char *path, const char *release, long max_ms)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	sqlite3 *db;
	uint64_t t0;
	int rc = 1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	t0 = now_ms();
	printf("locked\n");
	fflush(stdout);
	while (access(release, F_OK) < 0 && now_ms() - t0 < (uint64_t)max_ms)
		nanosleep(&tick, NULL);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	printf("released after %llu ms\n", (unsigned long long)(now_ms() - t0));
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "db_tool: %s: %s\n", path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}

static int mode_count(const char *path, const char *table)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	char q[128];
	int n, rc = 1;

	if (strspn(table, "abcdefghijklmnopqrstuvwxyz_") != strlen(table))
		return 2;
	n = snprintf(q, sizeof(q), "SELECT count(*) FROM %s", table);
	if (n < 0 || (size_t)n >= sizeof(q))
		return 2;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto out;
	printf("%lld\n", (long long)sqlite3_column_int64(st, 0));
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "db_tool: %s: %s\n", path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "lock"))
		return mode_lock(argv[2], argv[3], atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "count"))
		return mode_count(argv[2], argv[3]);
	fprintf(stderr, "usage: db_tool lock DB RELEASE_FILE MAX_MS | "
		"count DB TABLE\n");
	return 2;
}
