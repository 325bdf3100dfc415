/*
 * mio.h - the few file-system helpers the marketplace verbs share: read a
 * whole file under a cap, make a directory with its parents, and remove a
 * tree without ever following a symbolic link out of it.
 */
#ifndef GG_MARKET_MIO_H
#define GG_MARKET_MIO_H

#include <stddef.h>

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
/* snprintf into out, GG_ETOOBIG on truncation. */
int gg_mio_path(char *out, size_t outsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
