/*
 * store.c - placeholder bodies so the header links; replaced shortly.
 */
#include "market/store.h"
#include "util/error.h"

int gg_store_init(struct gg_store *s, const char *home)
{
	int n = snprintf(s->root, sizeof(s->root), "%s/store/sha256",
			 home ? home : ".");

	return n < 0 || (size_t)n >= sizeof(s->root) ? GG_ETOOBIG : 0;
}
int gg_store_path(const struct gg_store *s, const struct gg_pkgid *id,
		  char *out, size_t outsz)
{
	(void)s; (void)id; (void)out; (void)outsz;
	return GG_EUNSUPPORTED;
}
int gg_store_has(const struct gg_store *s, const struct gg_pkgid *id)
{
	(void)s; (void)id;
	return 0;
}
int gg_store_put_mem(struct gg_store *s, const void *p, size_t n,
		     struct gg_pkgid *id)
{
	(void)s; (void)p; (void)n; (void)id;
	return GG_EUNSUPPORTED;
}
int gg_store_put_file(struct gg_store *s, const char *path,
		      struct gg_pkgid *id)
{
	(void)s; (void)path; (void)id;
	return GG_EUNSUPPORTED;
}
int gg_store_put_file_expect(struct gg_store *s, const char *path,
			     const struct gg_pkgid *want)
{
	(void)s; (void)path; (void)want;
	return GG_EUNSUPPORTED;
}
int gg_store_open(const struct gg_store *s, const struct gg_pkgid *id,
		  int verify, int *fd, uint64_t *size)
{
	(void)s; (void)id; (void)verify; (void)fd; (void)size;
	return GG_EUNSUPPORTED;
}
int gg_store_verify(const struct gg_store *s, const struct gg_pkgid *id)
{
	(void)s; (void)id;
	return GG_EUNSUPPORTED;
}
int gg_store_read(const struct gg_store *s, const struct gg_pkgid *id,
		  struct gg_buf *out)
{
	(void)s; (void)id; (void)out;
	return GG_EUNSUPPORTED;
}
int gg_store_remove(struct gg_store *s, const struct gg_pkgid *id)
{
	(void)s; (void)id;
	return GG_EUNSUPPORTED;
}
int gg_store_foreach(const struct gg_store *s,
		     int (*cb)(void *ctx, const struct gg_pkgid *id,
			       uint64_t size),
		     void *ctx)
{
	(void)s; (void)cb; (void)ctx;
	return 0;
}
