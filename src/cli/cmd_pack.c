/*
 * cmd_pack.c - `ggen marketplace pack [DIR] [-o FILE] [--json]`: validate
 * DIR/package.toml, pack DIR deterministically and print the package ID
 * and its CID.  The archive goes to FILE, by default NAME-VERSION.tar.gz
 * in the current directory, written atomically.
 */
#include <jansson.h>

#include "cli/cli_config.h"
#include "cli/cmds.h"
#include "market/archive.h"
#include "util/error.h"

static const struct gg_opt opts[] = {
	{ "output", 'o', GG_OPT_VALUE, "FILE",
	  "Write the archive here (default NAME-VERSION.tar.gz)" },
	GG_OPT_JSON,
	GG_OPT_END
};

static int print_json(struct gg_cli *cli, const struct gg_manifest *m,
		      const char *id, const char *cid, uint64_t size,
		      const char *file)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "name",
			      m->name, "version", m->version, "id", id, "cid",
			      cid, "size", (json_int_t)size, "file", file);

	if (!o)
		return gg_cli_fail(cli, "out of memory");
	json_dumpf(o, cli->out, JSON_INDENT(2));
	fputc('\n', cli->out);
	json_decref(o);
	return GG_EXIT_OK;
}

static int report(struct gg_cli *cli, const struct gg_args *a,
		  const struct gg_manifest *m, const struct gg_pkgid *pid,
		  uint64_t size, const char *file)
{
	char id[GG_PKGID_STR_SIZE], cid[GG_PKGID_CID_SIZE];

	gg_pkgid_to_str(pid, id, sizeof(id));
	gg_pkgid_to_cid(pid, cid, sizeof(cid));
	if (gg_args_flag(a, "json"))
		return print_json(cli, m, id, cid, size, file);
	fprintf(cli->out, "packed %s@%s into %s (%llu bytes)\n", m->name,
		m->version, file, (unsigned long long)size);
	fprintf(cli->out, "id:  %s\ncid: %s\n", id, cid);
	return GG_EXIT_OK;
}

/* The default output name needs the manifest before packing. */
static int default_output(struct gg_cli *cli, const char *dir, char *out,
			  size_t outsz)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_manifest m;
	char path[4200];
	int rc, n;

	snprintf(path, sizeof(path), "%s/" GG_MANIFEST_FILE, dir);
	rc = gg_manifest_load(path, &m, &err);
	if (rc) {
		rc = gg_cli_fail(cli, "%s", gg_buf_cstr(&err));
		goto out;
	}
	n = snprintf(out, outsz, "%s-%s.tar.gz", m.name, m.version);
	if (n < 0 || (size_t)n >= outsz)
		rc = gg_cli_fail(cli, "the output file name is too long");
out:
	gg_manifest_release(&m);
	gg_buf_release(&err);
	return rc;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	const char *dir = a->argc > 0 ? a->argv[0] : ".";
	const char *file = gg_args_value(a, "output");
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_archive_limits lim;
	struct gg_config *cfg = NULL;
	struct gg_manifest m;
	struct gg_pkgid id;
	char def[300];
	uint64_t size = 0;
	int rc;

	gg_manifest_init(&m);
	rc = gg_cli_config(cli, &cfg);
	if (rc)
		goto out;
	gg_archive_limits_config(cfg, &lim);
	if (!file) {
		rc = default_output(cli, dir, def, sizeof(def));
		file = def;
	}
	if (rc)
		goto out;
	if (gg_archive_pack_file(dir, file, &lim, &id, &size, &m, &err)) {
		rc = gg_cli_fail(cli, "cannot pack %s: %s", dir,
				 gg_buf_cstr(&err));
		goto out;
	}
	rc = report(cli, a, &m, &id, size, file);
out:
	gg_manifest_release(&m);
	gg_config_free(cfg);
	gg_buf_release(&err);
	return rc;
}

const struct gg_cmd gg_cmd_mp_pack = {
	.name = "pack",
	.summary = "Pack a package directory into a deterministic archive",
	.usage = "[DIR]",
	.help = "Checks DIR/package.toml, packs DIR (default: the current "
		"directory) into a\n.tar.gz whose bytes depend only on the "
		"tree, and prints the package ID\n(sha256:...) and its CID. "
		"Only regular files and directories may be packed.",
	.opts = opts,
	.min_args = 0,
	.max_args = 1,
	.exec = run,
};
