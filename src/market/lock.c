/*
 * lock.c - placeholder bodies so the header links; replaced shortly.
 */
#include "market/lock.h"
#include "util/error.h"

const char *gg_pkg_source_name(enum gg_pkg_source s)
{
	return s == GG_SOURCE_P2P ? "p2p" :
	       s == GG_SOURCE_LOCAL ? "local" : "central";
}
int gg_pkg_source_parse(const char *name, enum gg_pkg_source *out)
{
	(void)name; (void)out;
	return GG_EINVAL;
}
int gg_lock_load(const char *home, int exclusive, struct gg_lock *out,
		 struct gg_buf *err)
{
	(void)home; (void)exclusive; (void)err;
	memset(out, 0, sizeof(*out));
	out->flock_fd = -1;
	return GG_EUNSUPPORTED;
}
int gg_lock_load_path(const char *path, int exclusive, struct gg_lock *out,
		      struct gg_buf *err)
{
	(void)path; (void)exclusive; (void)err;
	memset(out, 0, sizeof(*out));
	out->flock_fd = -1;
	return GG_EUNSUPPORTED;
}
int gg_lock_save(const struct gg_lock *l, struct gg_buf *err)
{
	(void)l; (void)err;
	return GG_EUNSUPPORTED;
}
void gg_lock_release(struct gg_lock *l)
{
	(void)l;
}
struct gg_lock_entry *gg_lock_find(struct gg_lock *l, const char *name,
				   const char *version)
{
	(void)l; (void)name; (void)version;
	return NULL;
}
int gg_lock_put(struct gg_lock *l, const struct gg_lock_entry *e)
{
	(void)l; (void)e;
	return GG_EUNSUPPORTED;
}
int gg_lock_remove(struct gg_lock *l, const char *name, const char *version)
{
	(void)l; (void)name; (void)version;
	return 0;
}
int gg_lock_references(const struct gg_lock *l, const struct gg_pkgid *id)
{
	(void)l; (void)id;
	return 0;
}
