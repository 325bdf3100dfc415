/*
 * mio.h - the few file-system helpers the marketplace verbs share: read a
 * whole file under a cap, make a directory with its parents, remove a
 * tree without ever following a symbolic link out of it, and name and
 * sweep the temporary entries that a killed process leaves behind.
 */
#ifndef GG_MARKET_MIO_H
#define GG_MARKET_MIO_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Append the file at path to out; GG_ETOOBIG past out's cap, GG_ENOTFOUND
 * when absent, other errno codes converted. */
int gg_mio_read_file(const char *path, struct gg_buf *out);
/* mkdir -p with mode for each missing component. */
int gg_mio_mkdirs(const char *path, unsigned mode);
/* rm -rf path (symlinks removed, never followed); absent is fine. */
int gg_mio_remove_tree(const char *path);
/* Remove a tree so it vanishes at once: rename it to a hidden sibling
 * ".trash-*", then delete that.  Absent is fine. */
int gg_mio_remove_tree_atomic(const char *path);
/*
 * Leftovers of killed processes.  Every temporary name ggen makes carries
 * its creator's pid right after a marker: ".NAME.tmp-PID-XXXXXX" (an
 * extraction, and its ".old" twin), ".tmp-PID-XXXXXX" (a store object),
 * ".trash-PID-NAME" (a removal).  Such an entry is stale when that
 * process is gone, or, since pids get reused, when it is older than
 * GG_MIO_STALE_SECS; a name of that shape without a pid is stale after
 * GG_MIO_STALE_NOPID_SECS.  A process that is still writing its
 * temporary entry is therefore never disturbed.
 */
#define GG_MIO_STALE_SECS 86400
#define GG_MIO_STALE_NOPID_SECS 600
/* Build "DIR/PREFIXPID-XXXXXX" (a template for mkdtemp/mkstemp). */
int gg_mio_tmp_template(char *out, size_t outsz, const char *dir,
			const char *prefix);
/* 1 when the entry name in directory dfd is a ggen temporary (see above)
 * that is stale at time now (unix seconds), else 0. */
int gg_mio_is_stale(int dfd, const char *name, int64_t now);
/* Remove (rm -rf) the stale temporaries directly in dir whose names start
 * with prefix ("" or NULL: any).  *n (may be NULL) counts them; with
 * dry_run nothing is removed.  A missing dir is fine. */
int gg_mio_sweep(const char *dir, const char *prefix, int dry_run,
		 size_t *n);

/* snprintf into out, GG_ETOOBIG on truncation. */
int gg_mio_path(char *out, size_t outsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
