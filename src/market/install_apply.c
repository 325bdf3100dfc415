/*
 * install_apply.c - carrying out an install plan (install.h); removal is
 * in install_remove.c.
 *
 * The order for each package is what makes a crash harmless: the
 * download goes to a private temporary file; its SHA-256 is compared with
 * the checksum before the store accepts it; extraction writes a temporary
 * tree and renames it into place; only then is ggen.lock rewritten
 * (atomically).  Everything runs under the exclusive advisory lock of
 * ggen.lock, so leftovers of a killed install (download-* files in
 * cache/) can be swept at the start.
 */
#include "market/install.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "market/lock.h"
#include "market/mio.h"
#include "market/store.h"
#include "util/error.h"
#include "util/log.h"

struct applier {
	const struct gg_install_opts *o;
	struct gg_lock lock;
	struct gg_store store;
	struct gg_buf *err;
};

/* Leftover downloads of killed installs (we hold the lock, so no other
 * install is downloading now). */
static void sweep_downloads(const char *dir)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "download-", 9) ||
		    gg_path_fmt(path, sizeof(path), "%s/%s", dir, de->d_name))
			continue;
		if (!unlink(path))
			gg_debug("install", "removed stale %s", path);
	}
	closedir(d);
}

static int hash_file(const char *path, struct gg_pkgid *out)
{
	struct gg_sha256_ctx *c = NULL;
	uint8_t chunk[65536];
	ssize_t r;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gg_from_errno(errno);
	rc = gg_sha256_init(&c);
	while (!rc && (r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = gg_from_errno(errno);
		else
			gg_sha256_update(c, chunk, (size_t)r);
	}
	close(fd);
	if (rc) {
		gg_sha256_free(c);
		return rc;
	}
	gg_sha256_final(c, out->b);
	return 0;
}

static int verify_download(struct applier *a, const struct gg_install_step *s,
			   const char *tmp)
{
	char want[GG_PKGID_STR_SIZE], got[GG_PKGID_STR_SIZE];
	struct gg_pkgid id;
	int rc = hash_file(tmp, &id);

	if (rc)
		return gg_buf_fail(a->err, rc, "%s: %s", tmp, gg_strerror(rc));
	if (gg_pkgid_eq(&id, &s->id))
		return 0;
	gg_pkgid_to_str(&s->id, want, sizeof(want));
	gg_pkgid_to_str(&id, got, sizeof(got));
	return gg_buf_fail(a->err, GG_ECHECKSUM, "%s %s: checksum mismatch: the "
		    "index says %s but the download from %s is %s; nothing "
		    "was installed", s->name, s->version, want, s->url, got);
}

/* Make sure the archive of s is in the store, downloading it if need be. */
static int fetch(struct applier *a, const struct gg_install_step *s)
{
	char dir[4096], tmp[4200];
	int fd, rc;

	if (gg_store_has(&a->store, &s->id) &&
	    gg_store_verify(&a->store, &s->id) == 0)
		return 0;
	if (s->source != GG_CAT_CENTRAL)
		return gg_buf_fail(a->err, GG_ENOTFOUND, "%s %s is no longer in the "
			    "content store; publish it again", s->name,
			    s->version);
	if ((rc = gg_path_fmt(dir, sizeof(dir), "%s/cache", a->o->home)) ||
	    (rc = gg_mkdirs(dir, 0700)) ||
	    (rc = gg_path_fmt(tmp, sizeof(tmp), "%s/download-XXXXXX", dir)))
		return gg_buf_fail(a->err, rc, "%s: %s", dir, gg_strerror(rc));
	fd = mkstemp(tmp);
	if (fd < 0)
		return gg_buf_fail(a->err, gg_from_errno(errno), "%s: %s", tmp,
			    strerror(errno));
	close(fd);
	rc = gg_registry_download(&a->o->reg, s->url, tmp,
				  GG_INSTALL_MAX_ARCHIVE, a->o->progress,
				  a->o->pctx, a->err);
	if (!rc)
		rc = verify_download(a, s, tmp);
	if (!rc) {
		rc = gg_store_put_file_expect(&a->store, tmp, &s->id);
		if (rc)
			gg_buf_fail(a->err, rc, "cannot store %s %s: %s", s->name,
			     s->version, gg_strerror(rc));
	}
	unlink(tmp);
	return rc;
}

/* The archive must be the package the index says it is. */
static int check_manifest(struct applier *a, const struct gg_install_step *s,
			  const char *archive)
{
	struct gg_manifest m;
	int rc;

	gg_manifest_init(&m);
	rc = gg_archive_read_manifest(archive, &a->o->lim, &m, a->err);
	if (!rc && (strcmp(m.name, s->name) || strcmp(m.version, s->version)))
		rc = gg_buf_fail(a->err, GG_EINVAL, "the archive for %s %s contains "
			  "%s %s", s->name, s->version, m.name, m.version);
	gg_manifest_release(&m);
	return rc;
}

static int record(struct applier *a, const struct gg_install_step *s)
{
	struct gg_lock_entry e;
	int rc;

	memset(&e, 0, sizeof(e));
	e.name = (char *)s->name;
	e.version = (char *)s->version;
	e.id = s->id;
	e.source = s->source == GG_CAT_LOCAL ? GG_SOURCE_LOCAL
					     : GG_SOURCE_CENTRAL;
	e.path = (char *)s->path;
	e.installed_at = (int64_t)time(NULL);
	e.deps = s->deps;
	e.ndeps = s->ndeps;
	rc = gg_lock_put(&a->lock, &e);
	if (!rc)
		rc = gg_lock_save(&a->lock, a->err);
	return rc;
}

static int apply_one(struct applier *a, const struct gg_install_step *s)
{
	struct gg_lock_entry *le;
	char archive[GG_STORE_PATH_MAX];
	int rc;

	le = gg_lock_find(&a->lock, s->name, s->version);
	if (le && !strcmp(le->path, s->path) && !(s->top && a->o->force))
		return 0; /* another install did it meanwhile */
	if (a->o->on_step)
		a->o->on_step(a->o->sctx, s);
	if ((rc = fetch(a, s)))
		return rc;
	rc = gg_store_path(&a->store, &s->id, archive, sizeof(archive));
	if (rc)
		return gg_buf_fail(a->err, rc, "store path too long");
	if ((rc = check_manifest(a, s, archive)))
		return rc;
	rc = gg_archive_extract(archive, s->path, &a->o->lim,
				GG_EXTRACT_REPLACE | GG_EXTRACT_NEED_MANIFEST,
				a->err);
	if (rc)
		return rc;
	return record(a, s);
}

int gg_install_apply(struct gg_install_plan *plan,
		     const struct gg_install_opts *o, struct gg_buf *err)
{
	struct applier a;
	char dir[4096];
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	a.lock.flock_fd = -1;
	a.o = o;
	a.err = err;
	rc = gg_store_init(&a.store, o->home);
	if (!rc)
		rc = gg_lock_load(o->home, 1, &a.lock, err);
	if (rc)
		goto out;
	if (!gg_path_fmt(dir, sizeof(dir), "%s/cache", o->home))
		sweep_downloads(dir);
	for (i = 0; i < plan->n && !rc; i++)
		rc = apply_one(&a, &plan->v[i]);
out:
	gg_lock_release(&a.lock);
	return rc;
}
