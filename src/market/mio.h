/*
 * mio.h - the marketplace's own file-system helpers: naming and sweeping
 * the temporary entries that a killed process leaves behind.  The general
 * primitives (read a file, mkdir -p, remove a tree) are in util/fs.h.
 */
#ifndef GG_MARKET_MIO_H
#define GG_MARKET_MIO_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/fs.h" /* read_file, mkdirs, remove_tree, path_fmt */

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


#endif
