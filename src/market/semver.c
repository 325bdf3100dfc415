/*
 * semver.c - placeholder bodies so the header links; replaced shortly.
 */
#include "market/semver.h"
#include "util/error.h"

int gg_semver_parse(const char *s, struct gg_semver *out, const char **why)
{
	(void)s; (void)out;
	if (why)
		*why = "not implemented";
	return GG_EUNSUPPORTED;
}
int gg_semver_cmp(const struct gg_semver *a, const struct gg_semver *b)
{
	(void)a; (void)b;
	return 0;
}
int gg_semver_to_str(const struct gg_semver *v, char *out, size_t outsz)
{
	(void)v; (void)out; (void)outsz;
	return GG_EUNSUPPORTED;
}
int gg_semver_valid(const char *s)
{
	(void)s;
	return 0;
}
int gg_semver_req_parse(const char *s, struct gg_semver_req *out,
			const char **why)
{
	(void)s; (void)out; (void)why;
	return GG_EUNSUPPORTED;
}
int gg_semver_req_matches(const struct gg_semver_req *req,
			  const struct gg_semver *v)
{
	(void)req; (void)v;
	return 0;
}
int gg_semver_pick(const char *const *versions, size_t n,
		   const struct gg_semver_req *req)
{
	(void)versions; (void)n; (void)req;
	return GG_ENOTFOUND;
}
int gg_dep_parse(const char *s, struct gg_dep *out, const char **why)
{
	(void)s; (void)out; (void)why;
	return GG_EUNSUPPORTED;
}
