/*
 * fs.h - the file-system primitives every layer needs: complete writes,
 * bounded reads, mkdir -p, recursive removal, and the atomic file write
 * (temp file in the same directory, fsync, rename or link into place,
 * fsync of the directory) that keeps a crash from ever leaving a
 * half-written file behind.
 */
#ifndef GG_FS_H
#define GG_FS_H

#include <stddef.h>

#include "util/buf.h"

/* Write all n bytes to fd, retrying on EINTR and short writes. */
int gg_write_all(int fd, const void *p, size_t n);
/* Append the whole file to out (bounded by out's cap: GG_ETOOBIG). */
int gg_read_file(const char *path, struct gg_buf *out);
/* fsync a directory so a rename in it is durable. */
int gg_fsync_dir(const char *dir);
/* mkdir -p with mode for the directories it creates. */
int gg_mkdirs(const char *path, unsigned mode);
/* rm -rf that never follows links; a missing path is fine. */
int gg_remove_tree(const char *path);
/* Rename path aside first (".trash-PID-NAME"), then remove it, so no
 * half-removed tree is ever visible under the original name. */
int gg_remove_tree_atomic(const char *path);
/* snprintf into out; GG_ETOOBIG when it does not fit. */
int gg_path_fmt(char *out, size_t outsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

enum { GG_FS_REPLACE = 1 };
/*
 * Write data to path atomically with the given mode.  With GG_FS_REPLACE
 * an existing file is replaced (rename); without it an existing file is
 * never touched and GG_EEXISTS is returned, even against a racing writer
 * (the temp file is hard-linked into place).
 */
int gg_write_file_atomic(const char *path, const void *data, size_t len,
			 unsigned mode, int flags);

#endif
