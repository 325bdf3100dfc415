/*
 * mp_common.c - the setup every marketplace verb shares (mp_common.h).
 */
#include "cli/mp_common.h"

#include "cli/cli_config.h"
#include "util/error.h"

void gg_mp_age(int64_t s, char *out, size_t outsz)
{
	static const struct {
		int64_t secs;
		const char *unit;
	} units[] = { { 86400, "day" }, { 3600, "hour" }, { 60, "minute" },
		      { 1, "second" } };
	size_t i;
	int64_t n;

	if (s < 0)
		s = 0;
	for (i = 0; i < 3 && s < units[i].secs; i++)
		;
	n = s / units[i].secs;
	snprintf(out, outsz, "%lld %s%s", (long long)n, units[i].unit,
		 n == 1 ? "" : "s");
}

void gg_mp_registry_opts(const struct gg_mp *mp, struct gg_registry_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->url = gg_config_str(mp->cfg, "registry.url");
	o->home = mp->home;
	o->timeout_s = gg_config_int(mp->cfg, "registry.timeout");
	o->cache_ttl_s = gg_config_int(mp->cfg, "registry.cache_ttl");
}

static int sync_central(struct gg_cli *cli, struct gg_mp *mp)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_registry_opts o;
	char age[64];
	int rc;

	gg_mp_registry_opts(mp, &o);
	rc = gg_registry_sync(&o, &mp->reg, &err);
	if (rc == GG_ENOTFOUND && !err.len) {
		rc = gg_catalog_clear_central(mp->db);
		goto out;
	}
	if (rc)
		goto out;
	mp->have_central = 1;
	if (mp->reg.how == GG_REG_OFFLINE) {
		gg_mp_age(mp->reg.age, age, sizeof(age));
		gg_cli_warn(cli, "registry %s unreachable (%s); using the "
			    "cached index from %s ago", mp->reg.url,
			    mp->reg.reason, age);
	}
	rc = gg_catalog_sync_central(mp->db, mp->reg.cache_path,
				     mp->reg.sha256, NULL, &err);
out:
	if (rc)
		gg_cli_fail(cli, "%s", err.len ? gg_buf_cstr(&err)
					       : gg_strerror(rc));
	gg_buf_release(&err);
	return rc ? GG_EXIT_FAIL : GG_EXIT_OK;
}

int gg_mp_open(struct gg_cli *cli, struct gg_mp *mp, unsigned flags)
{
	int rc;

	memset(mp, 0, sizeof(*mp));
	rc = gg_cli_config(cli, &mp->cfg);
	if (rc)
		return rc;
	rc = gg_home_ensure(mp->home, sizeof(mp->home));
	if (rc)
		return gg_cli_fail(cli, "cannot create the ggen home: %s",
				   gg_strerror(rc));
	if (!(flags & (GG_MP_DB | GG_MP_SYNC)))
		return GG_EXIT_OK;
	rc = gg_db_open(mp->home, &mp->db);
	if (rc)
		return gg_cli_fail(cli, "cannot open %s/%s: %s", mp->home,
				   GG_DB_FILE, gg_strerror(rc));
	if (flags & GG_MP_SYNC)
		return sync_central(cli, mp);
	return GG_EXIT_OK;
}

void gg_mp_close(struct gg_mp *mp)
{
	gg_db_free(mp->db);
	gg_config_free(mp->cfg);
	memset(mp, 0, sizeof(*mp));
}

int gg_mp_print_json(struct gg_cli *cli, json_t *j)
{
	if (!j)
		return gg_cli_fail(cli, "out of memory");
	json_dumpf(j, cli->out, JSON_INDENT(2));
	fputc('\n', cli->out);
	json_decref(j);
	return GG_EXIT_OK;
}

static json_t *str_array(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *gg_mp_sources_json(unsigned bits)
{
	json_t *a = json_array();
	unsigned b;

	for (b = 1; a && b <= GG_CAT_P2P; b <<= 1)
		if (bits & b)
			json_array_append_new(
				a, json_string(gg_catalog_source_name(b)));
	return a;
}

void gg_mp_sources_str(unsigned bits, char *out, size_t outsz)
{
	size_t len = 0;
	unsigned b;

	out[0] = 0;
	for (b = 1; b <= GG_CAT_P2P; b <<= 1)
		if ((bits & b) && len < outsz)
			len += (size_t)snprintf(out + len, outsz - len, "%s%s",
						len ? ", " : "",
						gg_catalog_source_name(b));
}

json_t *gg_mp_entry_json(const struct gg_catalog_entry *e)
{
	char id[GG_PKGID_STR_SIZE];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I, "
		      "s:I, s:b}",
		      "name", e->name, "version", e->version, "description",
		      e->description, "category", e->category, "author",
		      e->author, "license", e->license, "tags",
		      str_array(e->tags, e->ntags), "keywords",
		      str_array(e->keywords, e->nkeywords), "dependencies",
		      str_array(e->deps, e->ndeps), "downloads",
		      (json_int_t)e->downloads, "stars", (json_int_t)e->stars,
		      "installable",
		      e->has_id && (e->source != GG_CAT_CENTRAL ||
				    e->download_url[0]));
	if (o && e->has_id && gg_pkgid_to_str(&e->id, id, sizeof(id)) > 0)
		json_object_set_new(o, "id", json_string(id));
	if (o && e->download_url[0])
		json_object_set_new(o, "download_url",
				    json_string(e->download_url));
	return o;
}
