/*
 * manifest.c - placeholder bodies so the header links; replaced shortly.
 */
#include "market/manifest.h"
#include "util/error.h"

int gg_pkg_name_valid(const char *name)
{
	(void)name;
	return 0;
}
void gg_manifest_init(struct gg_manifest *m)
{
	memset(m, 0, sizeof(*m));
}
void gg_manifest_release(struct gg_manifest *m)
{
	memset(m, 0, sizeof(*m));
}
int gg_manifest_parse(const char *text, size_t len, const char *filename,
		      struct gg_manifest *out, struct gg_buf *err)
{
	(void)text; (void)len; (void)filename; (void)err;
	gg_manifest_init(out);
	return GG_EUNSUPPORTED;
}
int gg_manifest_load(const char *path, struct gg_manifest *out,
		     struct gg_buf *err)
{
	(void)path; (void)err;
	gg_manifest_init(out);
	return GG_EUNSUPPORTED;
}
int gg_manifest_to_json(const struct gg_manifest *m, struct json_t **out)
{
	(void)m;
	*out = NULL;
	return GG_EUNSUPPORTED;
}
