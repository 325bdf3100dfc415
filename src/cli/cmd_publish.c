/*
 * cmd_publish.c - `ggen marketplace publish [DIR]`: pack DIR (default the
 * current directory) deterministically, put the archive in the content
 * store, add it to the local catalog as source "local", and print its ID.
 * Announcing it to the P2P network comes with the node.
 */
#include "cli/cmds.h"
#include "cli/mp_common.h"
#include "market/archive.h"
#include "market/store.h"
#include "util/error.h"

static const struct gg_opt opts[] = {
	{ "dry-run", 'n', GG_OPT_FLAG, NULL,
	  "Pack and print the ID, store and record nothing" },
	GG_OPT_JSON,
	GG_OPT_END
};

static int store_and_record(struct gg_cli *cli, struct gg_mp *mp,
			    const struct gg_buf *ar,
			    const struct gg_manifest *m,
			    const struct gg_pkgid *id)
{
	struct gg_store st;
	int rc = gg_store_init(&st, mp->home);

	if (!rc)
		rc = gg_store_put_mem(&st, ar->data, ar->len, NULL);
	if (rc)
		return gg_cli_fail(cli, "cannot store the archive: %s",
				   gg_strerror(rc));
	rc = gg_catalog_put_local(mp->db, m, id, ar->len,
				  (int64_t)time(NULL));
	if (rc)
		return gg_cli_fail(cli, "cannot record %s %s in the catalog: "
				   "%s", m->name, m->version, gg_strerror(rc));
	return GG_EXIT_OK;
}

static int report(struct gg_cli *cli, const struct gg_manifest *m,
		  const struct gg_pkgid *id, size_t size, int dry, int json)
{
	char s[GG_PKGID_STR_SIZE], cid[GG_PKGID_CID_SIZE];

	gg_pkgid_to_str(id, s, sizeof(s));
	gg_pkgid_to_cid(id, cid, sizeof(cid));
	if (json)
		return gg_mp_print_json(cli, json_pack(
			"{s:s, s:s, s:s, s:s, s:I, s:b, s:[s]}", "name",
			m->name, "version", m->version, "id", s, "cid", cid,
			"size", (json_int_t)size, "dry_run", dry, "sources",
			"local"));
	fprintf(cli->out, "%s %s %s (%zu bytes)\nid:  %s\ncid: %s\n",
		dry ? "would publish" : "published", m->name, m->version, size,
		s, cid);
	return GG_EXIT_OK;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf err = GG_BUF_INIT(4096), ar;
	struct gg_archive_limits lim;
	struct gg_manifest m;
	struct gg_pkgid id;
	struct gg_mp mp;
	const char *dir = a->argc ? a->argv[0] : ".";
	int dry = gg_args_flag(a, "dry-run"), rc;

	gg_manifest_init(&m);
	rc = gg_mp_open(cli, &mp, dry ? 0 : GG_MP_DB);
	gg_buf_init(&ar, GG_ARCHIVE_DEFAULT_MAX_BYTES);
	if (rc)
		goto out;
	gg_archive_limits_config(mp.cfg, &lim);
	rc = gg_archive_pack(dir, &lim, &ar, &id, &m, &err);
	if (rc) {
		rc = gg_cli_fail(cli, "%s", err.len ? gg_buf_cstr(&err)
						    : gg_strerror(rc));
		goto out;
	}
	if (!dry)
		rc = store_and_record(cli, &mp, &ar, &m, &id);
	if (!rc)
		rc = report(cli, &m, &id, ar.len, dry,
			    gg_args_flag(a, "json"));
out:
	gg_manifest_release(&m);
	gg_buf_release(&ar);
	gg_buf_release(&err);
	gg_mp_close(&mp);
	return rc;
}

const struct gg_cmd gg_cmd_mp_publish = {
	.name = "publish",
	.summary = "Pack a package, store it and add it to the local catalog",
	.usage = "[DIR]",
	.opts = opts,
	.min_args = 0,
	.max_args = 1,
	.exec = run,
};
