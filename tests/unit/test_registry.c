/*
 * test_registry.c - the registry client: URL forms, download_url
 * resolution, the cache (fresh within the TTL, revalidated after it, a
 * malformed index never replacing a good one, the cache used when the
 * registry is gone), download caps, and the retry policy (5xx retried
 * with backoff, 4xx never) against a tiny HTTP server on 127.0.0.1 that
 * counts the requests it gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "market/mio.h"
#include "market/registry.h"
#include "util/error.h"

static const char good[] =
	"{\"packages\": [{\"name\": \"a\", \"version\": \"1.0.0\"}]}";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void normalize(void **state)
{
	char out[512], cwd[256], want[600];

	(void)state;
	assert_int_equal(gg_registry_normalize("https://x.org/i.json", out,
					       sizeof(out)),
			 0);
	assert_string_equal(out, "https://x.org/i.json");
	assert_int_equal(gg_registry_normalize("/srv/my reg/index.json", out,
					       sizeof(out)),
			 0);
	assert_string_equal(out, "file:///srv/my%20reg/index.json");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(gg_registry_normalize("r/index.json", out,
					       sizeof(out)),
			 0);
	snprintf(want, sizeof(want), "file://%s/r/index.json", cwd);
	assert_string_equal(out, want);
	assert_int_equal(gg_registry_normalize("ftp://x/i.json", out,
					       sizeof(out)),
			 GG_EINVAL);
	assert_int_equal(gg_registry_normalize("", out, sizeof(out)),
			 GG_ENOTFOUND);
}

static void resolve(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(gg_registry_resolve("http://h:8/reg/index.json",
					     "p-1.0.0.tar.gz", out,
					     sizeof(out)),
			 0);
	assert_string_equal(out, "http://h:8/reg/p-1.0.0.tar.gz");
	assert_int_equal(gg_registry_resolve("http://h/reg/index.json",
					     "../x/p.tar.gz", out, sizeof(out)),
			 0);
	assert_string_equal(out, "http://h/x/p.tar.gz");
	assert_int_equal(gg_registry_resolve("file:///r/index.json", "p.tgz",
					     out, sizeof(out)),
			 0);
	assert_string_equal(out, "file:///r/p.tgz");
	assert_int_equal(gg_registry_resolve("http://h/i.json",
					     "https://cdn/p.tgz", out,
					     sizeof(out)),
			 0);
	assert_string_equal(out, "https://cdn/p.tgz");
	/* an index on the web cannot make us read local files */
	assert_int_equal(gg_registry_resolve("http://h/i.json",
					     "file:///etc/passwd", out,
					     sizeof(out)),
			 GG_EINVAL);
}

static void cache_cycle(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_registry_opts o;
	struct gg_registry_status st;
	char home[] = "/tmp/test_registry.XXXXXX", idx[128], url[160];
	char sha1[65];

	(void)state;
	assert_non_null(mkdtemp(home));
	snprintf(idx, sizeof(idx), "%s/index.json", home);
	snprintf(url, sizeof(url), "file://%s", idx);
	write_file(idx, good);
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.home = home;
	o.timeout_s = 5;
	o.cache_ttl_s = 300;
	o.backoff_ms = 1;
	assert_int_equal(gg_registry_sync(&o, &st, &err), 0);
	assert_int_equal(st.how, GG_REG_FETCHED);
	assert_int_equal(strlen(st.sha256), 64);
	memcpy(sha1, st.sha256, sizeof(sha1));
	assert_int_equal(gg_registry_sync(&o, &st, &err), 0);
	assert_int_equal(st.how, GG_REG_FRESH); /* within the TTL */
	o.cache_ttl_s = 0;
	assert_int_equal(gg_registry_sync(&o, &st, &err), 0);
	assert_int_equal(st.how, GG_REG_NOT_MODIFIED); /* same bytes */
	write_file(idx, "{\"packages\": [{\"name\": 1}]}");
	assert_int_equal(gg_registry_sync(&o, &st, &err), GG_EPARSE);
	assert_string_equal(gg_buf_cstr(&err),
			    "index.json: packages[0].name: expected a string");
	unlink(idx); /* the registry is gone: the good cache is used */
	assert_int_equal(gg_registry_sync(&o, &st, &err), 0);
	assert_int_equal(st.how, GG_REG_OFFLINE);
	assert_string_equal(st.sha256, sha1);
	assert_true(st.age >= 0 && st.age < 60);
	assert_true(strlen(st.reason) > 0);
	write_file(idx, "{\"packages\": []}");
	assert_int_equal(gg_registry_sync(&o, &st, &err), 0);
	assert_int_equal(st.how, GG_REG_FETCHED);
	assert_string_not_equal(st.sha256, sha1);
	unlink(idx);
	snprintf(idx, sizeof(idx), "%s/cache/index.json", home);
	unlink(idx);
	snprintf(idx, sizeof(idx), "%s/cache/index.meta.json", home);
	unlink(idx);
	snprintf(idx, sizeof(idx), "%s/cache", home);
	rmdir(idx);
	rmdir(home);
	gg_buf_release(&err);
}

static void rm_home(const char *home)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/index.json", home);
	unlink(p);
	snprintf(p, sizeof(p), "%s/cache/index.json", home);
	unlink(p);
	snprintf(p, sizeof(p), "%s/cache/index.meta.json", home);
	unlink(p);
	snprintf(p, sizeof(p), "%s/cache", home);
	rmdir(p);
	rmdir(home);
}

/* After the TTL a file:// index is compared by size and mtime: the
 * same stamp is not read again (even when the bytes were swapped behind
 * our back), a new mtime or size is. */
static void file_stamp(void **state)
{
	static const char same_len[] =
		"{\"packages\": [{\"name\": \"b\", \"version\": \"1.0.0\"}]}";
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_registry_opts o;
	struct gg_registry_status st;
	char home[] = "/tmp/test_registry.XXXXXX", idx[128], url[160];
	char sha1[65];
	struct stat sb;
	struct timespec ts[2];

	(void)state;
	assert_non_null(mkdtemp(home));
	snprintf(idx, sizeof(idx), "%s/index.json", home);
	snprintf(url, sizeof(url), "file://%s", idx);
	write_file(idx, good);
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.home = home;
	o.timeout_s = 5;
	o.backoff_ms = 1;
	assert_int_equal(gg_registry_sync(&o, &st, &err), 0);
	assert_int_equal(st.how, GG_REG_FETCHED);
	memcpy(sha1, st.sha256, sizeof(sha1));
	assert_int_equal(gg_registry_sync(&o, &st, &err), 0);
	assert_int_equal(st.how, GG_REG_NOT_MODIFIED);
	/* same size, other bytes, old mtime: trusted as unchanged */
	assert_int_equal(stat(idx, &sb), 0);
	assert_int_equal(sizeof(same_len), sizeof(good));
	write_file(idx, same_len);
	ts[0] = sb.st_atim;
	ts[1] = sb.st_mtim;
	assert_int_equal(utimensat(AT_FDCWD, idx, ts, 0), 0);
	assert_int_equal(gg_registry_sync(&o, &st, &err), 0);
	assert_int_equal(st.how, GG_REG_NOT_MODIFIED);
	assert_string_equal(st.sha256, sha1);
	/* a new mtime: read, and the new bytes are seen */
	ts[1].tv_nsec = (ts[1].tv_nsec + 1) % 1000000000;
	assert_int_equal(utimensat(AT_FDCWD, idx, ts, 0), 0);
	assert_int_equal(gg_registry_sync(&o, &st, &err), 0);
	assert_int_equal(st.how, GG_REG_FETCHED);
	assert_string_not_equal(st.sha256, sha1);
	rm_home(home);
	gg_buf_release(&err);
}

/* A server that answers every request with one status. */
struct srv {
	int fd, port, status, requests, stop;
	pthread_t th;
};

static void *serve(void *arg)
{
	struct srv *s = arg;
	char buf[4096], resp[256];
	int c, n;

	while (!s->stop) {
		c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		n = (int)read(c, buf, sizeof(buf));
		if (n > 0 && !s->stop) {
			s->requests++;
			n = snprintf(resp, sizeof(resp),
				     "HTTP/1.1 %d X\r\nContent-Length: 2\r\n"
				     "Connection: close\r\n\r\n{}",
				     s->status);
			if (write(c, resp, (size_t)n) < 0)
				s->stop = 1;
		}
		close(c);
	}
	return NULL;
}

static void srv_start(struct srv *s, int status)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->status = status;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 8), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void srv_stop(struct srv *s)
{
	s->stop = 1;
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->th, NULL);
}

static int fetch_status(int status, int *requests)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_registry_opts o;
	struct gg_registry_status st;
	char home[] = "/tmp/test_registry.XXXXXX", url[128];
	struct srv s;
	int rc;

	assert_non_null(mkdtemp(home));
	srv_start(&s, status);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/index.json", s.port);
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.home = home;
	o.timeout_s = 5;
	o.backoff_ms = 5;
	rc = gg_registry_sync(&o, &st, &err);
	srv_stop(&s);
	*requests = s.requests;
	gg_remove_tree(home);
	gg_buf_release(&err);
	return rc;
}

static void retry_policy(void **state)
{
	int n;

	(void)state;
	assert_int_equal(fetch_status(503, &n), GG_ENET);
	assert_int_equal(n, GG_REGISTRY_TRIES); /* 5xx: retried */
	assert_int_equal(fetch_status(404, &n), GG_EPROTO);
	assert_int_equal(n, 1); /* 4xx: never retried */
	assert_int_equal(fetch_status(200, &n), GG_EPARSE); /* "{}" */
	assert_int_equal(n, 1);
}

static void download_cap(void **state)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_registry_opts o;
	char dir[] = "/tmp/test_registry.XXXXXX", src[128], dst[128];
	char url[160];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/src.bin", dir);
	snprintf(dst, sizeof(dst), "%s/dst.bin", dir);
	snprintf(url, sizeof(url), "file://%s", src);
	write_file(src, good);
	memset(&o, 0, sizeof(o));
	o.timeout_s = 5;
	assert_int_equal(gg_registry_download(&o, url, dst, 1024, NULL, NULL,
					      &err),
			 0);
	assert_int_equal(gg_registry_download(&o, url, dst, 10, NULL, NULL,
					      &err),
			 GG_ETOOBIG);
	gg_remove_tree(dir);
	gg_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize),
		cmocka_unit_test(resolve),
		cmocka_unit_test(cache_cycle),
		cmocka_unit_test(file_stamp),
		cmocka_unit_test(retry_policy),
		cmocka_unit_test(download_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
