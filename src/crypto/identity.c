/*
 * identity.c - $GGEN_HOME/identity.key, the node's long-lived key.
 *
 * First use creates it: a fresh Ed25519 key, as a libp2p PrivateKey
 * protobuf, written to a temporary file that is 0600 from the moment it
 * exists (O_CREAT|O_EXCL, mode 0600), fsynced, then moved into place with
 * renameat2(RENAME_NOREPLACE) (or link() where the file system lacks it)
 * and the directory fsynced.  "No replace" matters: when two processes
 * start at once, the loser loads the winner's key instead of overwriting
 * it, so both end up with the same identity.
 *
 * Loading a file that group or others may read is allowed, with a
 * warning: refusing would lock a user out of their identity after a
 * careless copy, and the warning names the fix (chmod 600).  The key
 * bytes themselves are never logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/key.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#define KEY_FILE "identity.key"
#define KEY_FILE_MAX 8192
#define PATH_CAP 4096

static int read_all(int fd, uint8_t *p, size_t cap, size_t *n)
{
	size_t got = 0;

	for (;;) {
		ssize_t r = read(fd, p + got, cap - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return gg_from_errno(errno);
		if (r == 0)
			break;
		got += (size_t)r;
		if (got == cap)
			return GG_ETOOBIG; /* larger than any key file */
	}
	*n = got;
	return 0;
}

static int load_key(const char *path, struct gg_privkey **out)
{
	uint8_t data[KEY_FILE_MAX];
	struct stat st;
	size_t n = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return gg_from_errno(errno);
	if (fstat(fd, &st) < 0) {
		rc = gg_from_errno(errno);
		goto out;
	}
	rc = GG_EINVAL;
	if (!S_ISREG(st.st_mode))
		goto out;
	if (st.st_mode & 077)
		gg_warn("crypto", "%s is readable by group or others "
			"(mode %03o); run: chmod 600 %s", path,
			(unsigned)(st.st_mode & 0777), path);
	rc = read_all(fd, data, sizeof(data), &n);
	if (!rc)
		rc = gg_privkey_from_proto(data, n, out);
	if (rc)
		gg_error("crypto", "cannot load %s: %s", path, gg_strerror(rc));
out:
	OPENSSL_cleanse(data, sizeof(data));
	close(fd);
	return rc;
}

/* Move tmp to path unless path exists (then GG_EEXISTS). */
static int place_noreplace(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return GG_EEXISTS;
	if (errno != EINVAL && errno != ENOSYS)
		return gg_from_errno(errno);
	if (link(tmp, path) < 0)
		return errno == EEXIST ? GG_EEXISTS : gg_from_errno(errno);
	unlink(tmp);
	return 0;
}

static int write_tmp(const char *tmp, const struct gg_buf *b)
{
	int fd, rc;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return gg_from_errno(errno);
	rc = gg_write_all(fd, b->data, b->len);
	if (!rc && fsync(fd) < 0)
		rc = gg_from_errno(errno);
	if (close(fd) < 0 && !rc)
		rc = gg_from_errno(errno);
	return rc;
}

static int create_key(const char *dir, const char *path,
		      struct gg_privkey **out)
{
	struct gg_buf b = GG_BUF_INIT(256);
	struct gg_privkey *k = NULL;
	char tmp[PATH_CAP];
	uint32_t nonce;
	int rc, n;

	if (RAND_bytes((unsigned char *)&nonce, sizeof(nonce)) != 1)
		return GG_ECRYPTO;
	n = snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.%08x.tmp", dir, KEY_FILE,
		     (long)getpid(), (unsigned)nonce);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return GG_ETOOBIG;
	rc = gg_privkey_generate(&k);
	if (!rc)
		rc = gg_privkey_to_proto(k, &b);
	if (!rc)
		rc = write_tmp(tmp, &b);
	if (!rc)
		rc = place_noreplace(tmp, path);
	unlink(tmp); /* gone already after a rename; harmless then */
	if (rc == GG_EEXISTS) {
		/* Another process won the race: use its key. */
		gg_privkey_free(k);
		k = NULL;
		rc = load_key(path, &k);
	} else if (!rc) {
		rc = gg_fsync_dir(dir);
		gg_info("crypto", "created a new identity key in %s", path);
	}
	if (!rc) {
		*out = k;
		k = NULL; /* transferred */
	}
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	gg_buf_release(&b);
	gg_privkey_free(k);
	return rc;
}

int gg_identity_load_or_create(const char *home_dir, struct gg_privkey **out)
{
	char path[PATH_CAP];
	int n, rc;

	*out = NULL;
	if (!home_dir || !*home_dir)
		return GG_EINVAL;
	n = snprintf(path, sizeof(path), "%s/%s", home_dir, KEY_FILE);
	if (n < 0 || (size_t)n >= sizeof(path))
		return GG_ETOOBIG;
	rc = load_key(path, out);
	if (rc != GG_ENOTFOUND)
		return rc;
	if (mkdir(home_dir, 0700) < 0 && errno != EEXIST)
		return gg_from_errno(errno);
	return create_key(home_dir, path, out);
}
