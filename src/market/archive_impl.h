/*
 * archive_impl.h - the checked walk over an untrusted archive, shared by
 * listing, manifest reading and extraction (archive_walk.c).
 *
 * The walker opens a gzip'd tar with libarchive and hands out one entry
 * at a time, already checked: its path normalised ("./a/b/" -> "a/b") and
 * free of absolute paths, empty, "." and ".." components; its type a
 * regular file or a directory (no links, devices, FIFOs); not a duplicate;
 * within the entry limit.  Data is read through walk_read, which counts
 * the bytes actually produced against the byte limit.
 */
#ifndef GG_MARKET_ARCHIVE_IMPL_H
#define GG_MARKET_ARCHIVE_IMPL_H

#include <stdint.h>

#include "market/archive.h"
#include "market/archive_dl.h"

/* The set of paths seen so far (open addressing, grows as needed). */
struct pathset {
	char **slot;
	size_t cap, n;
};

struct walk {
	struct gg_la la; /* libarchive, loaded by walk_open */
	struct archive *a;
	struct gg_archive_limits lim;
	struct gg_buf *err;
	uint64_t entries; /* headers seen */
	uint64_t bytes;	  /* data bytes read so far */
	struct pathset seen;
	/* the current entry */
	char path[GG_ARCHIVE_MAX_PATH + 1];
	int is_dir;
	unsigned mode;
	uint64_t size;
};

/* Open from a file (path != NULL) or memory.  lim NULL: defaults. */
int walk_open(struct walk *w, const char *path, const void *p, size_t n,
	      const struct gg_archive_limits *lim, struct gg_buf *err);
void walk_close(struct walk *w);
/* 1 and the entry in w, 0 at the end, or a negative GG_E* (err set).
 * The root entry "./" is counted and skipped. */
int walk_next(struct walk *w);
/* Read up to n data bytes of the current entry: the count (0 at its end)
 * or a negative GG_E* (GG_ELIMIT past the byte limit, err set). */
int64_t walk_read(struct walk *w, void *buf, size_t n);
/* Set err to "entry N 'PATH': why" and return code. */
int walk_fail(struct walk *w, int code, const char *why);

#endif
