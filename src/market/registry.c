/*
 * registry.c - fetching and caching the central index, and downloads
 * (see registry.h).
 *
 * One transfer is one curl easy handle writing into a capped memory
 * buffer (the index) or a file descriptor (an archive).  The retry loop
 * around it classifies each attempt: a body, "not modified", a client
 * error (final), "unreachable" (a network error or a 5xx: retried with a
 * doubling delay), or a local failure (final).  Conditional requests use
 * the ETag and the Last-Modified time we stored.  file:// has neither:
 * after the TTL a local index is compared by size and modification time
 * (nanoseconds) with what was cached, and only read again (through
 * libcurl, hashed and checked) when one of them changed.  Re-reading a
 * 40 MB index on every search after the TTL would cost a second each.
 */
#include "market/registry.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "crypto/sha256.h"
#include "market/curl_dl.h"
#include "market/index.h"
#include "market/mio.h"
#include "util/base.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#define META_MAX ((size_t)64 << 10)

enum outcome { A_OK, A_NOTMOD, A_CLIENT, A_UNREACH, A_UNREACH_FINAL,
	       A_FAIL };

struct xfer {
	struct gg_curl c;     /* libcurl, loaded on first use */
	const struct gg_registry_opts *o;
	const char *url;
	const char *etag_in;  /* If-None-Match, or NULL */
	int64_t ims;	      /* If-Modified-Since (unix s), or 0 */
	struct gg_buf *mem;   /* sink: memory ... */
	int fd;		      /* ... or a file (mem NULL) */
	uint64_t max, got;
	int toobig, werr, aborted;
	gg_progress_cb progress;
	void *pctx;
	long status;
	int rc;		      /* GG_E* of the failure */
	char etag[256];
	int64_t filetime;
	char why[CURL_ERROR_SIZE + 64];
	char errbuf[CURL_ERROR_SIZE];
};

struct meta {
	int valid;
	char url[GG_REGISTRY_URL_MAX];
	char etag[256];
	char sha256[65];
	int64_t fetched_at, filetime, size;
	int64_t mtime_ns; /* file:// only: the source's mtime, or 0 */
};

static int is_http(const char *url)
{
	return !strncasecmp(url, "http://", 7) ||
	       !strncasecmp(url, "https://", 8);
}

static int is_file(const char *url)
{
	return !strncasecmp(url, "file://", 7);
}

static int pct_encode(const char *path, char *out, size_t outsz)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char ch;

	for (; *path; path++) {
		ch = (unsigned char)*path;
		if (o + 4 >= outsz)
			return GG_ETOOBIG;
		if (isalnum(ch) || strchr("/-._~", ch)) {
			out[o++] = (char)ch;
			continue;
		}
		out[o++] = '%';
		out[o++] = hexd[ch >> 4];
		out[o++] = hexd[ch & 15];
	}
	out[o] = 0;
	return 0;
}

int gg_registry_normalize(const char *in, char *out, size_t outsz)
{
	char abs[4096], cwd[4096];
	int rc;

	if (!in || !*in)
		return GG_ENOTFOUND;
	if (is_http(in) || is_file(in))
		return gg_path_fmt(out, outsz, "%s", in);
	if (strstr(in, "://"))
		return GG_EINVAL;
	if (in[0] == '/') {
		rc = gg_path_fmt(abs, sizeof(abs), "%s", in);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return gg_from_errno(errno);
		rc = gg_path_fmt(abs, sizeof(abs), "%s/%s", cwd, in);
	}
	if (rc)
		return rc;
	if (outsz < 8)
		return GG_ETOOBIG;
	memcpy(out, "file://", 7);
	return pct_encode(abs, out + 7, outsz - 7);
}

int gg_registry_resolve(const char *base, const char *ref, char *out,
			size_t outsz)
{
	struct gg_curl c;
	CURLU *u;
	char *s = NULL;
	int rc = gg_curl_load(&c);

	if (rc)
		return rc;
	u = c.url();
	if (!u)
		return GG_ENOMEM;
	rc = GG_EINVAL;
	if (c.url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    c.url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK ||
	    c.url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		goto out;
	/* an index on the web never points us at local files */
	if (!is_http(s) && !(is_file(s) && is_file(base)))
		goto out;
	rc = gg_path_fmt(out, outsz, "%s", s);
out:
	c.free(s);
	c.url_cleanup(u);
	return rc;
}

static size_t on_body(char *p, size_t sz, size_t nm, void *arg)
{
	struct xfer *x = arg;
	size_t n = sz * nm, off = 0;
	ssize_t w;

	if (x->got + n > x->max) {
		x->toobig = 1;
		return 0;
	}
	x->got += n;
	if (x->mem)
		return gg_buf_add(x->mem, p, n) ? 0 : n;
	while (off < n) {
		w = write(x->fd, p + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			x->werr = errno ? errno : EIO;
			return 0;
		}
		off += (size_t)w;
	}
	return n;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *arg)
{
	struct xfer *x = arg;
	size_t n = sz * nm, len;
	const char *v;

	if (n > 5 && !strncmp(p, "HTTP/", 5))
		x->etag[0] = 0; /* a new response (redirects) */
	if (n > 5 && !strncasecmp(p, "ETag:", 5)) {
		v = p + 5;
		while (v < p + n && (*v == ' ' || *v == '\t'))
			v++;
		len = (size_t)(p + n - v);
		while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
			       v[len - 1] == ' '))
			len--;
		if (len < sizeof(x->etag)) {
			memcpy(x->etag, v, len);
			x->etag[len] = 0;
		}
	}
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)ultotal;
	(void)ulnow;
	if (x->progress && x->progress(x->pctx, (uint64_t)dlnow,
				       (uint64_t)dltotal)) {
		x->aborted = 1;
		return 1;
	}
	return 0;
}

static struct curl_slist *set_request(CURL *h, struct xfer *x)
{
	struct curl_slist *hdrs = NULL;
	char line[320];

	x->c.easy_setopt(h, CURLOPT_URL, x->url);
	x->c.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
	x->c.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	x->c.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	x->c.easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	x->c.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	x->c.easy_setopt(h, CURLOPT_USERAGENT, "ggen");
	x->c.easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	x->c.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	x->c.easy_setopt(h, CURLOPT_WRITEDATA, x);
	x->c.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	x->c.easy_setopt(h, CURLOPT_HEADERDATA, x);
	x->c.easy_setopt(h, CURLOPT_FILETIME, 1L);
	if (x->o->timeout_s > 0) {
		x->c.easy_setopt(h, CURLOPT_TIMEOUT, (long)x->o->timeout_s);
		x->c.easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
				 (long)x->o->timeout_s);
	}
	if (x->progress) {
		x->c.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		x->c.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		x->c.easy_setopt(h, CURLOPT_XFERINFODATA, x);
	}
	if (x->ims > 0) {
		x->c.easy_setopt(h, CURLOPT_TIMECONDITION,
				 (long)CURL_TIMECOND_IFMODSINCE);
		x->c.easy_setopt(h, CURLOPT_TIMEVALUE_LARGE,
				 (curl_off_t)x->ims);
	}
	if (x->etag_in && *x->etag_in &&
	    gg_path_fmt(line, sizeof(line), "If-None-Match: %s",
			x->etag_in) == 0) {
		hdrs = x->c.slist_append(NULL, line);
		x->c.easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	}
	return hdrs;
}

static enum outcome classify_curl(struct xfer *x, CURLcode cc)
{
	snprintf(x->why, sizeof(x->why), "%s",
		 x->errbuf[0] ? x->errbuf : x->c.easy_strerror(cc));
	switch (cc) {
	case CURLE_WRITE_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
		if (x->toobig) {
			x->rc = GG_ETOOBIG;
			snprintf(x->why, sizeof(x->why), "larger than %llu "
				 "bytes", (unsigned long long)x->max);
		} else {
			x->rc = x->aborted ? GG_ECANCELED
					   : x->werr ? gg_from_errno(x->werr)
						     : GG_ENOMEM;
		}
		return A_FAIL;
	case CURLE_OPERATION_TIMEDOUT:
		x->rc = GG_ETIMEOUT;
		return A_UNREACH;
	case CURLE_FILE_COULDNT_READ_FILE:
		x->rc = GG_ENOTFOUND;
		return A_UNREACH_FINAL;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		x->rc = GG_EINVAL;
		return A_FAIL;
	default:
		x->rc = GG_ENET;
		return A_UNREACH;
	}
}

static enum outcome attempt(struct xfer *x)
{
	struct curl_slist *hdrs;
	long unmet = 0;
	curl_off_t ft = -1;
	enum outcome r;
	CURLcode cc;
	CURL *h = x->c.easy_init();

	if (!h) {
		x->rc = GG_ENOMEM;
		return A_FAIL;
	}
	x->errbuf[0] = 0;
	x->status = 0;
	hdrs = set_request(h, x);
	cc = x->c.easy_perform(h);
	x->c.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
	x->c.easy_getinfo(h, CURLINFO_CONDITION_UNMET, &unmet);
	x->c.easy_getinfo(h, CURLINFO_FILETIME_T, &ft);
	x->filetime = ft > 0 ? (int64_t)ft : 0;
	if (cc != CURLE_OK) {
		r = classify_curl(x, cc);
	} else if (x->status == 304 || unmet) {
		r = A_NOTMOD;
	} else if (x->status >= 500) {
		snprintf(x->why, sizeof(x->why), "HTTP %ld", x->status);
		x->rc = GG_ENET;
		r = A_UNREACH;
	} else if (x->status >= 400) {
		snprintf(x->why, sizeof(x->why), "HTTP %ld", x->status);
		x->rc = GG_EPROTO;
		r = A_CLIENT;
	} else {
		r = A_OK;
	}
	x->c.slist_free_all(hdrs);
	x->c.easy_cleanup(h);
	return r;
}

static int reset_sink(struct xfer *x)
{
	x->got = 0;
	x->toobig = x->werr = x->aborted = 0;
	x->etag[0] = 0;
	if (x->mem) {
		gg_buf_reset(x->mem);
		return 0;
	}
	if (ftruncate(x->fd, 0) || lseek(x->fd, 0, SEEK_SET) < 0)
		return gg_from_errno(errno);
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static enum outcome fetch(struct xfer *x)
{
	int tries = x->o->tries > 0 ? x->o->tries : GG_REGISTRY_TRIES;
	int delay = x->o->backoff_ms > 0 ? x->o->backoff_ms
					 : GG_REGISTRY_BACKOFF_MS;
	enum outcome r = A_FAIL;
	int t;

	x->rc = gg_curl_load(&x->c);
	if (x->rc) {
		snprintf(x->why, sizeof(x->why), "libcurl is not available");
		return A_FAIL;
	}
	for (t = 1; t <= tries; t++) {
		x->rc = reset_sink(x);
		if (x->rc)
			return A_FAIL;
		r = attempt(x);
		gg_info("registry", "GET %s: %s%s%s", x->url,
			r == A_OK ? "200 OK" : r == A_NOTMOD ? "304 not modified"
							      : "",
			r == A_OK || r == A_NOTMOD ? "" : "failed: ",
			r == A_OK || r == A_NOTMOD ? "" : x->why);
		if (r != A_UNREACH || t == tries)
			break;
		gg_info("registry", "retrying in %d ms (try %d of %d)", delay,
			t + 1, tries);
		sleep_ms(delay);
		delay *= 2;
	}
	return r;
}

static void copy_str(json_t *o, const char *k, char *out, size_t outsz)
{
	const char *s = json_string_value(json_object_get(o, k));

	snprintf(out, outsz, "%s", s ? s : "");
}

static void load_meta(const char *path, const char *cache,
		      const char *url, struct meta *m)
{
	json_t *o = json_load_file(path, 0, NULL);
	struct stat st;

	memset(m, 0, sizeof(*m));
	if (!o)
		return;
	copy_str(o, "url", m->url, sizeof(m->url));
	copy_str(o, "etag", m->etag, sizeof(m->etag));
	copy_str(o, "sha256", m->sha256, sizeof(m->sha256));
	m->fetched_at = json_integer_value(json_object_get(o, "fetched_at"));
	m->filetime = json_integer_value(json_object_get(o, "filetime"));
	m->size = json_integer_value(json_object_get(o, "size"));
	m->mtime_ns = json_integer_value(json_object_get(o, "mtime_ns"));
	json_decref(o);
	/* the index is written before its metadata: a crash between the
	 * two shows as a size that does not match */
	m->valid = !strcmp(m->url, url) && strlen(m->sha256) == 64 &&
		   !stat(cache, &st) && st.st_size == m->size;
}

static int save_meta(const char *path, const struct meta *m)
{
	json_t *o;
	char *text;
	int rc;

	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "url", m->url,
		      "etag", m->etag, "sha256", m->sha256, "fetched_at",
		      (json_int_t)m->fetched_at, "filetime",
		      (json_int_t)m->filetime, "size", (json_int_t)m->size,
		      "mtime_ns", (json_int_t)m->mtime_ns);
	text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	if (!text)
		return GG_ENOMEM;
	rc = gg_write_file_atomic(path, text, strlen(text),
				  0644, GG_FS_REPLACE);
	free(text);
	return rc;
}

struct paths {
	char dir[4096], cache[4096], meta[4096];
};

static int make_paths(const char *home, struct paths *p)
{
	int rc = gg_path_fmt(p->dir, sizeof(p->dir), "%s/cache", home);

	if (!rc)
		rc = gg_path_fmt(p->cache, sizeof(p->cache), "%s/index.json",
				 p->dir);
	if (!rc)
		rc = gg_path_fmt(p->meta, sizeof(p->meta),
				 "%s/index.meta.json", p->dir);
	return rc;
}

static void fill_status(struct gg_registry_status *st, const struct meta *m,
			enum gg_registry_how how)
{
	int64_t now = (int64_t)time(NULL);

	st->how = how;
	memcpy(st->sha256, m->sha256, sizeof(st->sha256));
	st->fetched_at = m->fetched_at;
	st->age = now > m->fetched_at ? now - m->fetched_at : 0;
}

/* A new body: check it, then store index and metadata. */
static int store_body(const struct paths *p, const struct xfer *x,
		      struct meta *m, struct gg_registry_status *st,
		      struct gg_buf *err)
{
	uint8_t d[32];
	char hex[65];
	int rc;

	rc = gg_index_parse(x->mem->data, x->mem->len, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	gg_sha256(x->mem->data, x->mem->len, d);
	gg_hex_encode(d, 32, hex, sizeof(hex));
	st->how = m->valid && !strcmp(hex, m->sha256) ? GG_REG_NOT_MODIFIED
						      : GG_REG_FETCHED;
	rc = gg_write_file_atomic(p->cache, x->mem->data, x->mem->len,
				  0644, GG_FS_REPLACE);
	if (rc) {
		return gg_buf_fail(err, rc, "%s: %s", p->cache,
				   gg_strerror(rc));
	}
	snprintf(m->url, sizeof(m->url), "%s", st->url);
	snprintf(m->etag, sizeof(m->etag), "%s", x->etag);
	memcpy(m->sha256, hex, sizeof(hex));
	m->filetime = x->filetime;
	m->size = (int64_t)x->mem->len;
	m->valid = 1;
	return 0;
}

static int finish(const struct paths *p, struct xfer *x, enum outcome r,
		  struct meta *m, struct gg_registry_status *st,
		  struct gg_buf *err)
{
	int rc = 0;

	st->http_status = x->status;
	if (r == A_OK) {
		rc = store_body(p, x, m, st, err);
	} else if (r == A_NOTMOD && m->valid) {
		st->how = GG_REG_NOT_MODIFIED;
	} else if ((r == A_UNREACH || r == A_UNREACH_FINAL) && m->valid) {
		snprintf(st->reason, sizeof(st->reason), "%s", x->why);
		fill_status(st, m, GG_REG_OFFLINE);
		return 0;
	} else {
		return gg_buf_fail(err, r == A_NOTMOD ? GG_EPROTO
				   : x->rc ? x->rc : GG_ENET, "registry %s: %s",
				   st->url, r == A_NOTMOD ?
				   "304 without a cached index" : x->why);
	}
	if (rc)
		return rc;
	m->fetched_at = (int64_t)time(NULL);
	rc = save_meta(p->meta, m);
	if (rc) {
		return gg_buf_fail(err, rc, "%s: %s", p->meta,
				   gg_strerror(rc));
	}
	fill_status(st, m, st->how);
	return 0;
}

/* The local path of a file:///path or file://localhost/path URL,
 * percent-decoded.  GG_EINVAL for another host or an encoded NUL. */
static int file_path(const char *url, char *out, size_t outsz)
{
	const char *p = url + 7;
	size_t o = 0;
	unsigned v;

	if (!strncasecmp(p, "localhost/", 10))
		p += 9;
	if (*p != '/')
		return GG_EINVAL;
	for (; *p && *p != '?' && *p != '#'; p++) {
		if (o + 1 >= outsz)
			return GG_ETOOBIG;
		if (*p == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2])) {
			if (sscanf(p + 1, "%2x", &v) != 1 || !v)
				return GG_EINVAL;
			out[o++] = (char)v;
			p += 2;
			continue;
		}
		out[o++] = *p;
	}
	out[o] = 0;
	return 0;
}

/* Size and mtime (ns) of a file:// index; 0 when it is not one or
 * cannot be read (then the transfer reports why). */
static int64_t file_stamp(const char *url, int64_t *size)
{
	char path[4096];
	struct stat st;

	*size = -1;
	if (!is_file(url) || file_path(url, path, sizeof(path)) ||
	    stat(path, &st))
		return 0;
	*size = (int64_t)st.st_size;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

int gg_registry_sync(const struct gg_registry_opts *o,
		     struct gg_registry_status *st, struct gg_buf *err)
{
	struct gg_buf body = GG_BUF_INIT(GG_INDEX_MAX_BYTES);
	struct xfer x;
	struct paths p;
	struct meta m;
	int64_t now = (int64_t)time(NULL), stamp, size;
	enum outcome r;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = gg_registry_normalize(o->url, st->url, sizeof(st->url));
	if (rc) {
		if (rc != GG_ENOTFOUND)
			gg_buf_fail(err, rc, "registry.url '%s': not "
				    "http(s)://, file:// or a path", o->url);
		return rc;
	}
	rc = make_paths(o->home, &p);
	if (rc)
		return rc;
	snprintf(st->cache_path, sizeof(st->cache_path), "%s", p.cache);
	load_meta(p.meta, p.cache, st->url, &m);
	if (m.valid && !o->force && now >= m.fetched_at &&
	    now - m.fetched_at < o->cache_ttl_s) {
		fill_status(st, &m, GG_REG_FRESH);
		return 0;
	}
	stamp = file_stamp(st->url, &size);
	if (m.valid && !o->force && stamp && stamp == m.mtime_ns &&
	    size == m.size) {
		memset(&x, 0, sizeof(x));
		return finish(&p, &x, A_NOTMOD, &m, st, err);
	}
	rc = gg_mkdirs(p.dir, 0700);
	if (rc) {
		return gg_buf_fail(err, rc, "%s: %s", p.dir,
				   gg_strerror(rc));
	}
	memset(&x, 0, sizeof(x));
	x.o = o;
	x.url = st->url;
	x.mem = &body;
	x.max = GG_INDEX_MAX_BYTES;
	x.etag_in = m.valid ? m.etag : NULL;
	x.ims = m.valid && is_http(st->url) ? m.filetime : 0;
	r = fetch(&x);
	/* the stamp taken before the read: a change during it shows next
	 * time as a different stamp */
	m.mtime_ns = r == A_OK ? stamp : 0;
	rc = finish(&p, &x, r, &m, st, err);
	gg_buf_release(&body);
	return rc;
}

int gg_registry_download(const struct gg_registry_opts *o, const char *url,
			 const char *dest, uint64_t max_bytes,
			 gg_progress_cb progress, void *ctx,
			 struct gg_buf *err)
{
	struct xfer x;
	enum outcome r;
	int fd, rc = 0;

	fd = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		return gg_buf_fail(err, gg_from_errno(errno), "%s: %s", dest,
				   strerror(errno));
	}
	memset(&x, 0, sizeof(x));
	x.o = o;
	x.url = url;
	x.fd = fd;
	x.max = max_bytes;
	x.progress = progress;
	x.pctx = ctx;
	r = fetch(&x);
	if (r != A_OK) {
		rc = gg_buf_fail(err, x.rc ? x.rc : GG_ENET, "download %s: %s",
				 url, x.why);
	} else if (fsync(fd)) {
		rc = gg_buf_fail(err, gg_from_errno(errno), "%s: %s", dest,
				 strerror(errno));
	}
	if (close(fd) && !rc)
		rc = gg_from_errno(errno);
	return rc;
}
