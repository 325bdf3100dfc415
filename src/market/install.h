/*
 * install.h - installing and removing packages (issue #5, DESIGN §5, §7).
 *
 * Installing is two steps.  The plan resolves NAME[@REQ] and, depth
 * first, every dependency against the catalog (a bare version is exact,
 * no version is the highest release), so that a missing or unverifiable
 * package fails the whole install before anything is written.  Applying
 * the plan then handles one package at a time, dependencies first, under
 * the advisory lock of ggen.lock: download (or find in the content store),
 * verify the SHA-256 against the index checksum as the object enters the
 * store, check the manifest inside names the same package, extract into
 * a temporary directory renamed into place, and record it in ggen.lock
 * (an atomic rewrite).  A crash at any point leaves each package either
 * installed and recorded, or at most an unrecorded directory that the
 * next install of it replaces.
 */
#ifndef GG_MARKET_INSTALL_H
#define GG_MARKET_INSTALL_H

#include <stddef.h>
#include <stdint.h>

#include "market/archive.h"
#include "market/catalog.h"
#include "market/registry.h"
#include "market/semver.h"
#include "util/buf.h"

/* Most packages in one plan, and deepest dependency chain. */
#define GG_INSTALL_MAX_PLAN 256
#define GG_INSTALL_MAX_DEPTH 32
/* Largest archive downloaded. */
#define GG_INSTALL_MAX_ARCHIVE ((uint64_t)1 << 30)

struct gg_install_step {
	char name[GG_PKG_NAME_MAX + 1];
	char version[GG_SEMVER_MAX];
	unsigned source;	/* GG_CAT_CENTRAL or GG_CAT_LOCAL */
	struct gg_pkgid id;
	char url[GG_REGISTRY_URL_MAX]; /* central: resolved download URL */
	char path[4096];	/* where it is (to be) extracted */
	int installed;		/* already in ggen.lock at this version */
	int top;		/* the package asked for (not a dependency) */
	char **deps;		/* dependency strings, as in the index */
	size_t ndeps;
	int64_t size;		/* archive bytes when known, else 0 */
};

struct gg_install_plan {
	struct gg_install_step *v; /* dependencies before dependents */
	size_t n;
};

struct gg_install_opts {
	const char *home;		/* $GGEN_HOME */
	struct gg_registry_opts reg;	/* timeouts and retries */
	struct gg_archive_limits lim;
	const char *target;	/* NULL, or extract the top package to
				 * TARGET/NAME */
	int force;		/* reinstall the top package */
	/* Each download's progress (may be NULL). */
	gg_progress_cb progress;
	void *pctx;
	/* Called before each package is applied (may be NULL). */
	void (*on_step)(void *ctx, const struct gg_install_step *s);
	void *sctx;
};

/*
 * Resolve spec ("name" or "name@requirement") and its dependencies.  The
 * base URL of the index resolves relative download_url values (NULL when
 * there is no central registry).  Errors, each with one line in err:
 * GG_EPARSE (bad spec), GG_ENOTFOUND (unknown package or no version
 * matches, also for a dependency), GG_EPERM (the chosen version has no
 * checksum: "NAME VERSION has no checksum in the registry index; ggen
 * installs only verified packages"), GG_EINVAL (a dependency cycle or a
 * version conflict), GG_ELIMIT.
 */
int gg_install_plan(struct gg_db *db, const char *index_url,
		    const char *spec, const struct gg_install_opts *o,
		    struct gg_install_plan *plan, struct gg_buf *err);
void gg_install_plan_release(struct gg_install_plan *plan);

/* Apply the plan (see above).  GG_ECHECKSUM when a download does not
 * match its checksum (nothing of that package is installed); download,
 * archive and lock errors as their modules report them. */
int gg_install_apply(struct gg_install_plan *plan,
		     const struct gg_install_opts *o, struct gg_buf *err);

/*
 * Remove name@version (version NULL: every installed version): the
 * ggen.lock entries first (atomically), then their directories.  *removed
 * gets the count; GG_ENOTFOUND when none is installed.
 *
 * An installed package that stays and depends on name, with no version
 * left that satisfies its requirement, is a dependent.  Without force the
 * removal is refused (GG_EBUSY, nothing changed; err names the
 * dependents); with force it goes ahead.  Either way dependents (may be
 * NULL) gets one "NAME VERSION (DEPENDENCY)" line per dependent.
 */
int gg_install_remove(const char *home, const char *name,
		      const char *version, int force, int *removed,
		      struct gg_buf *dependents, struct gg_buf *err);

#endif
