/*
 * archive.c - placeholder bodies so the header links; replaced shortly.
 */
#include "market/archive.h"
#include "util/error.h"

void gg_archive_limits_default(struct gg_archive_limits *l)
{
	l->max_entries = GG_ARCHIVE_DEFAULT_MAX_ENTRIES;
	l->max_bytes = GG_ARCHIVE_DEFAULT_MAX_BYTES;
}
void gg_archive_limits_config(const struct gg_config *c,
			      struct gg_archive_limits *l)
{
	(void)c;
	gg_archive_limits_default(l);
}
int gg_archive_pack(const char *dir, const struct gg_archive_limits *lim,
		    struct gg_buf *out, struct gg_pkgid *id,
		    struct gg_manifest *m, struct gg_buf *err)
{
	(void)dir; (void)lim; (void)out; (void)id; (void)m; (void)err;
	return GG_EUNSUPPORTED;
}
int gg_archive_pack_file(const char *dir, const char *path,
			 const struct gg_archive_limits *lim,
			 struct gg_pkgid *id, uint64_t *size,
			 struct gg_manifest *m, struct gg_buf *err)
{
	(void)dir; (void)path; (void)lim; (void)id; (void)size; (void)m;
	(void)err;
	return GG_EUNSUPPORTED;
}
int gg_archive_extract(const char *archive_path, const char *dest,
		       const struct gg_archive_limits *lim, unsigned flags,
		       struct gg_buf *err)
{
	(void)archive_path; (void)dest; (void)lim; (void)flags; (void)err;
	return GG_EUNSUPPORTED;
}
int gg_archive_extract_mem(const void *p, size_t n, const char *dest,
			   const struct gg_archive_limits *lim,
			   unsigned flags, struct gg_buf *err)
{
	(void)p; (void)n; (void)dest; (void)lim; (void)flags; (void)err;
	return GG_EUNSUPPORTED;
}
int gg_archive_list_mem(const void *p, size_t n,
			const struct gg_archive_limits *lim,
			int (*cb)(void *ctx, const struct gg_archive_entry *e),
			void *ctx, struct gg_buf *err)
{
	(void)p; (void)n; (void)lim; (void)cb; (void)ctx; (void)err;
	return GG_EUNSUPPORTED;
}
int gg_archive_read_manifest(const char *archive_path,
			     const struct gg_archive_limits *lim,
			     struct gg_manifest *out, struct gg_buf *err)
{
	(void)archive_path; (void)lim; (void)err;
	gg_manifest_init(out);
	return GG_EUNSUPPORTED;
}
int gg_archive_read_manifest_mem(const void *p, size_t n,
				 const struct gg_archive_limits *lim,
				 struct gg_manifest *out, struct gg_buf *err)
{
	(void)p; (void)n; (void)lim; (void)err;
	gg_manifest_init(out);
	return GG_EUNSUPPORTED;
}
