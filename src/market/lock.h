/*
 * lock.h - packages/ggen.lock, the single source of truth for what is
 * installed (DESIGN §4).
 *
 * The file is JSON:
 *   {"version": 1, "packages": [{"name", "version", "id": "sha256:<hex>",
 *     "source": "central"|"local"|"p2p", "path": install dir,
 *     "installed_at": unix seconds, "dependencies": ["name@req", ...]}]}
 * A missing file is an empty lock; a malformed one is an error that names
 * the problem, and is never silently overwritten.  Saving rewrites the
 * whole file atomically (temp, fsync, rename, fsync dir), packages sorted
 * by name then version precedence.  gg_lock_load with exclusive set also
 * takes an advisory lock (flock on packages/.ggen.lock.flock) that is held
 * until gg_lock_release, so two installs never interleave; the kernel
 * drops it if the process dies.
 */
#ifndef GG_MARKET_LOCK_H
#define GG_MARKET_LOCK_H

#include <stddef.h>
#include <stdint.h>

#include "market/pkgid.h"
#include "util/buf.h"

#define GG_LOCK_FILE "ggen.lock"
#define GG_LOCK_VERSION 1
/* Largest lock file read, in bytes. */
#define GG_LOCK_MAX_SIZE ((size_t)64 << 20)

enum gg_pkg_source { GG_SOURCE_CENTRAL, GG_SOURCE_LOCAL, GG_SOURCE_P2P };

/* "central", "local", "p2p". */
const char *gg_pkg_source_name(enum gg_pkg_source s);
/* The source for a name, or GG_EINVAL. */
int gg_pkg_source_parse(const char *name, enum gg_pkg_source *out);

struct gg_lock_entry {
	char *name;
	char *version;
	struct gg_pkgid id;
	enum gg_pkg_source source;
	char *path;	 /* the install directory */
	int64_t installed_at; /* unix seconds */
	char **deps;	 /* dependency strings as in the manifest */
	size_t ndeps;
};

struct gg_lock {
	char path[4096];	/* .../packages/ggen.lock */
	struct gg_lock_entry *v;
	size_t n, cap;
	int flock_fd;		/* -1 when not held */
};

/*
 * Load home/packages/ggen.lock (home NULL: gg_home_dir()).  A missing
 * file gives an empty lock.  With exclusive the advisory lock is taken
 * first (creating packages/ with mode 0755 when needed), waiting for
 * another holder.  Errors: GG_EPARSE/GG_EINVAL for a malformed file, with
 * "PATH: what is wrong" in err; GG_EIO and friends.
 */
int gg_lock_load(const char *home, int exclusive, struct gg_lock *out,
		 struct gg_buf *err);
/* Load an explicit file path (tests, tools); same rules. */
int gg_lock_load_path(const char *path, int exclusive, struct gg_lock *out,
		      struct gg_buf *err);
/* Write the whole lock atomically to l->path. */
int gg_lock_save(const struct gg_lock *l, struct gg_buf *err);
/* Free the entries and drop the advisory lock. */
void gg_lock_release(struct gg_lock *l);

/* The entry for name@version (version NULL: the highest installed
 * version of name), or NULL. */
struct gg_lock_entry *gg_lock_find(struct gg_lock *l, const char *name,
				   const char *version);
/* Add a deep copy of e, replacing an entry with the same name@version. */
int gg_lock_put(struct gg_lock *l, const struct gg_lock_entry *e);
/* Remove name@version (version NULL: every version of name); returns the
 * number removed (0 when none). */
int gg_lock_remove(struct gg_lock *l, const char *name, const char *version);
/* 1 when some entry has this package ID (for gc), else 0. */
int gg_lock_references(const struct gg_lock *l, const struct gg_pkgid *id);

#endif
