/*
 * store.c - the content-addressed store: $GGEN_HOME/store/sha256/ab/<hex>.
 *
 * A put copies the content into a temporary file in the store's root
 * directory (same file system as every object), hashing while it copies;
 * only then is the object's name known.  The temporary file is fsynced,
 * renamed to ab/<hex> and the ab/ directory fsynced, so a crash leaves the
 * whole object or nothing.  An object that already exists is re-hashed
 * before a put is skipped, so a corrupted copy heals when the content is
 * stored again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "crypto/sha256.h"
#include "market/mio.h"
#include "market/store.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#define CHUNK 65536
#define TMP_PREFIX ".tmp-"

int gg_store_init(struct gg_store *s, const char *home)
{
	char h[GG_STORE_PATH_MAX];
	int n, rc;

	if (!home) {
		rc = gg_home_dir(h, sizeof(h));
		if (rc)
			return rc;
		home = h;
	}
	if (!*home)
		return GG_EINVAL;
	n = snprintf(s->root, sizeof(s->root), "%s/store/sha256", home);
	return n < 0 || (size_t)n >= sizeof(s->root) - 80 ? GG_ETOOBIG : 0;
}

int gg_store_path(const struct gg_store *s, const struct gg_pkgid *id,
		  char *out, size_t outsz)
{
	char hex[GG_PKGID_HEX_SIZE];
	int n;

	gg_pkgid_to_hex(id, hex, sizeof(hex));
	n = snprintf(out, outsz, "%s/%.2s/%s", s->root, hex, hex);
	return n < 0 || (size_t)n >= outsz ? GG_ETOOBIG : 0;
}

int gg_store_has(const struct gg_store *s, const struct gg_pkgid *id)
{
	char path[GG_STORE_PATH_MAX];
	struct stat st;

	if (gg_store_path(s, id, path, sizeof(path)))
		return 0;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Hash everything readable from fd; copy it to out_fd when >= 0. */
static int hash_fd(int fd, int out_fd, struct gg_pkgid *id, uint64_t *size)
{
	struct gg_sha256_ctx *h = NULL;
	uint8_t *buf = malloc(CHUNK);
	uint64_t total = 0;
	int rc = buf ? gg_sha256_init(&h) : GG_ENOMEM;
	ssize_t n;

	while (!rc && (n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0) {
			if (errno != EINTR)
				rc = gg_from_errno(errno);
			continue;
		}
		gg_sha256_update(h, buf, (size_t)n);
		total += (uint64_t)n;
		if (out_fd >= 0)
			rc = gg_write_all(out_fd, buf, (size_t)n);
	}
	if (!rc) {
		gg_sha256_final(h, id->b);
		h = NULL;
		if (size)
			*size = total;
	}
	gg_sha256_free(h);
	free(buf);
	return rc;
}

static void log_corrupt(const struct gg_pkgid *want,
			const struct gg_pkgid *got)
{
	char a[GG_PKGID_STR_SIZE], b[GG_PKGID_STR_SIZE];

	gg_pkgid_to_str(want, a, sizeof(a));
	gg_pkgid_to_str(got, b, sizeof(b));
	gg_error("store", "object %s is corrupt: its content hashes to %s",
		 a, b);
}

/* Open an object read-only, refusing anything but a regular file. */
static int open_object(const struct gg_store *s, const struct gg_pkgid *id,
		       int *fd, uint64_t *size)
{
	char path[GG_STORE_PATH_MAX];
	struct stat st;
	int rc = gg_store_path(s, id, path, sizeof(path));

	if (rc)
		return rc;
	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT ? GG_ENOTFOUND : gg_from_errno(errno);
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return GG_ECORRUPT;
	}
	if (size)
		*size = (uint64_t)st.st_size;
	return 0;
}

int gg_store_open(const struct gg_store *s, const struct gg_pkgid *id,
		  int verify, int *fd, uint64_t *size)
{
	struct gg_pkgid got;
	int rc;

	*fd = -1;
	rc = open_object(s, id, fd, size);
	if (rc || !verify)
		return rc;
	rc = hash_fd(*fd, -1, &got, NULL);
	if (!rc && !gg_pkgid_eq(&got, id)) {
		log_corrupt(id, &got);
		rc = GG_ECORRUPT;
	}
	if (!rc && lseek(*fd, 0, SEEK_SET) != 0)
		rc = gg_from_errno(errno);
	if (rc) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

int gg_store_verify(const struct gg_store *s, const struct gg_pkgid *id)
{
	int fd, rc = gg_store_open(s, id, 1, &fd, NULL);

	if (!rc)
		close(fd);
	return rc;
}

int gg_store_read(const struct gg_store *s, const struct gg_pkgid *id,
		  struct gg_buf *out)
{
	struct gg_pkgid got;
	uint64_t size;
	size_t start = out->len;
	int fd, rc = open_object(s, id, &fd, &size);
	ssize_t n;

	if (rc)
		return rc;
	if (size > SIZE_MAX / 2)
		rc = GG_ETOOBIG;
	else
		rc = gg_buf_reserve(out, (size_t)size);
	while (!rc && out->len - start < size) {
		n = read(fd, out->data + out->len, (size_t)size -
			 (out->len - start));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = n < 0 ? gg_from_errno(errno) : GG_ECORRUPT;
		else
			out->len += (size_t)n;
	}
	close(fd);
	if (!rc) {
		const char *data = gg_buf_cstr(out);

		if (out->data)
			out->data[out->len] = 0;
		gg_pkgid_of(data + start, out->len - start, &got);
		if (!gg_pkgid_eq(&got, id)) {
			log_corrupt(id, &got);
			rc = GG_ECORRUPT;
		}
	}
	if (rc && out->data) {
		out->len = start;
		out->data[start] = 0;
	}
	return rc;
}

/* Move a complete, fsynced temporary file into place as object id. */
static int commit_tmp(struct gg_store *s, const char *tmp,
		      const struct gg_pkgid *id)
{
	char path[GG_STORE_PATH_MAX], dir[GG_STORE_PATH_MAX];
	int rc;

	if (gg_store_has(s, id) && gg_store_verify(s, id) == 0) {
		unlink(tmp); /* identical content already stored */
		return 0;
	}
	rc = gg_store_path(s, id, path, sizeof(path));
	if (rc)
		return rc;
	memcpy(dir, path, strlen(path) + 1);
	*strrchr(dir, '/') = 0;
	rc = gg_mkdirs(dir, 0755);
	if (!rc && rename(tmp, path))
		rc = gg_from_errno(errno);
	if (!rc)
		rc = gg_fsync_dir(dir);
	return rc;
}

/*
 * Copy src_fd (or p[0..n) when src_fd < 0) into a temporary file, hash
 * it, check it against want when given, and commit it.
 */
static int put(struct gg_store *s, int src_fd, const void *p, size_t n,
	       const struct gg_pkgid *want, struct gg_pkgid *id_out)
{
	char tmp[GG_STORE_PATH_MAX];
	struct gg_pkgid id;
	int fd = -1, rc = gg_mkdirs(s->root, 0755);

	if (!rc)
		rc = gg_mio_tmp_template(tmp, sizeof(tmp), s->root, TMP_PREFIX);
	if (!rc && (fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		rc = gg_from_errno(errno);
	if (rc)
		return rc;
	if (fchmod(fd, 0644))
		rc = gg_from_errno(errno);
	if (!rc && src_fd >= 0) {
		rc = hash_fd(src_fd, fd, &id, NULL);
	} else if (!rc) {
		gg_pkgid_of(p, n, &id);
		rc = gg_write_all(fd, p, n);
	}
	if (!rc && fsync(fd))
		rc = gg_from_errno(errno);
	if (close(fd) && !rc)
		rc = gg_from_errno(errno);
	if (!rc && want && !gg_pkgid_eq(want, &id))
		rc = GG_ECHECKSUM;
	if (!rc)
		rc = commit_tmp(s, tmp, &id);
	if (rc)
		unlink(tmp);
	else if (id_out)
		*id_out = id;
	return rc;
}

int gg_store_put_mem(struct gg_store *s, const void *p, size_t n,
		     struct gg_pkgid *id)
{
	return put(s, -1, p, n, NULL, id);
}

static int put_path(struct gg_store *s, const char *path,
		    const struct gg_pkgid *want, struct gg_pkgid *id)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return errno == ENOENT ? GG_ENOTFOUND : gg_from_errno(errno);
	rc = put(s, fd, NULL, 0, want, id);
	close(fd);
	return rc;
}

int gg_store_put_file(struct gg_store *s, const char *path,
		      struct gg_pkgid *id)
{
	return put_path(s, path, NULL, id);
}

int gg_store_put_file_expect(struct gg_store *s, const char *path,
			     const struct gg_pkgid *want)
{
	return put_path(s, path, want, NULL);
}

int gg_store_remove(struct gg_store *s, const struct gg_pkgid *id)
{
	char path[GG_STORE_PATH_MAX];
	int rc = gg_store_path(s, id, path, sizeof(path));

	if (rc)
		return rc;
	if (unlink(path))
		return errno == ENOENT ? GG_ENOTFOUND : gg_from_errno(errno);
	*strrchr(path, '/') = 0;
	return gg_fsync_dir(path);
}

static int is_hex_name(const char *name, size_t want_len)
{
	size_t i;

	for (i = 0; name[i]; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return i == want_len;
}

/* The objects of one ab/ directory. */
static int foreach_in(int dfd, const char *ab,
		      int (*cb)(void *, const struct gg_pkgid *, uint64_t),
		      void *ctx)
{
	int fd = openat(dfd, ab, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				 O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int rc = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (!rc && (e = readdir(d)) != NULL) {
		struct gg_pkgid id;
		struct stat st;

		if (!is_hex_name(e->d_name, 64) || memcmp(e->d_name, ab, 2) ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || gg_pkgid_from_hex(e->d_name, &id))
			continue;
		rc = cb(ctx, &id, (uint64_t)st.st_size);
	}
	closedir(d);
	return rc;
}

int gg_store_foreach(const struct gg_store *s,
		     int (*cb)(void *ctx, const struct gg_pkgid *id,
			       uint64_t size),
		     void *ctx)
{
	DIR *d = opendir(s->root);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : gg_from_errno(errno);
	while (!rc && (e = readdir(d)) != NULL)
		if (is_hex_name(e->d_name, 2))
			rc = foreach_in(dirfd(d), e->d_name, cb, ctx);
	closedir(d);
	return rc;
}
