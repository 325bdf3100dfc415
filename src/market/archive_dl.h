/*
 * archive_dl.h - libarchive, loaded when the first archive is read or
 * written.
 *
 * libarchive brings libxml2, ICU, libstdc++, nettle, lzma, zstd, lz4,
 * bzip2 and acl with it; mapping and relocating them costs about 9 ms of
 * CPU per process, which is half the budget of a whole `ggen marketplace
 * search` that never touches an archive.  So, as with libcurl
 * (curl_dl.h), ggen does not link libarchive: pack, list, manifest
 * reading and extraction open it with dlopen and call it through this
 * table.  The library stays loaded (RTLD_NODELETE); loading it again is
 * a cheap reference count.  The prototypes come from libarchive's own
 * headers, so the table cannot drift from them.
 */
#ifndef GG_MARKET_ARCHIVE_DL_H
#define GG_MARKET_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#include "util/buf.h"

/* The SONAME tried first. */
#define GG_LA_SONAME "libarchive.so.13"

/* Every libarchive function ggen calls, without the archive_ prefix. */
#define GG_LA_FUNCS(X)                                                   \
	X(read_new)                                                      \
	X(read_free)                                                     \
	X(read_support_filter_gzip)                                      \
	X(read_support_format_tar)                                       \
	X(read_open_filename)                                            \
	X(read_open_memory)                                              \
	X(read_next_header)                                              \
	X(read_data)                                                     \
	X(filter_count)                                                  \
	X(filter_code)                                                   \
	X(error_string)                                                  \
	X(write_new)                                                     \
	X(write_free)                                                    \
	X(write_add_filter_gzip)                                         \
	X(write_set_format_pax_restricted)                               \
	X(write_set_filter_option)                                       \
	X(write_set_bytes_in_last_block)                                 \
	X(write_open)                                                    \
	X(write_header)                                                  \
	X(write_data)                                                    \
	X(write_close)                                                   \
	X(entry_new)                                                     \
	X(entry_free)                                                    \
	X(entry_clear)                                                   \
	X(entry_copy_pathname)                                           \
	X(entry_pathname)                                                \
	X(entry_set_filetype)                                            \
	X(entry_filetype)                                                \
	X(entry_set_perm)                                                \
	X(entry_perm)                                                    \
	X(entry_set_size)                                                \
	X(entry_size)                                                    \
	X(entry_size_is_set)                                             \
	X(entry_set_mtime)                                               \
	X(entry_set_uid)                                                 \
	X(entry_set_gid)                                                 \
	X(entry_hardlink)

struct gg_la {
#define GG_LA_FIELD(name) __typeof__(archive_##name) *name;
	GG_LA_FUNCS(GG_LA_FIELD)
#undef GG_LA_FIELD
};

/* Fill la from libarchive: 0, or GG_EUNSUPPORTED when the library or a
 * function is missing (logged, and said in err when err is not NULL:
 * "cannot load libarchive (libarchive.so.13): ...; install it"). */
int gg_la_load(struct gg_la *la, struct gg_buf *err);

#endif
