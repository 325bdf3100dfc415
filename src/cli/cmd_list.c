/*
 * cmd_list.c - `ggen marketplace list`: what ggen.lock says is installed,
 * one package per line, or a JSON array with --json.
 */
#include "cli/cmds.h"
#include "cli/mp_common.h"
#include "market/lock.h"

static const struct gg_opt opts[] = { GG_OPT_JSON, GG_OPT_END };

static json_t *entry_json(const struct gg_lock_entry *e)
{
	char id[GG_PKGID_STR_SIZE];
	json_t *deps = json_array();
	size_t i;

	gg_pkgid_to_str(&e->id, id, sizeof(id));
	for (i = 0; deps && i < e->ndeps; i++)
		json_array_append_new(deps, json_string(e->deps[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "name",
			 e->name, "version", e->version, "id", id, "source",
			 gg_pkg_source_name(e->source), "path", e->path,
			 "installed_at", (json_int_t)e->installed_at,
			 "dependencies", deps);
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_lock l;
	struct gg_mp mp;
	json_t *arr;
	size_t i;
	int rc;

	memset(&l, 0, sizeof(l));
	l.flock_fd = -1;
	rc = gg_mp_open(cli, &mp, 0);
	if (rc)
		goto out;
	if (gg_lock_load(mp.home, 0, &l, &err)) {
		rc = gg_cli_fail(cli, "%s", gg_buf_cstr(&err));
		goto out;
	}
	if (gg_args_flag(a, "json")) {
		arr = json_array();
		for (i = 0; arr && i < l.n; i++)
			json_array_append_new(arr, entry_json(&l.v[i]));
		rc = gg_mp_print_json(cli, arr);
		goto out;
	}
	if (!l.n)
		fprintf(cli->out, "No packages installed.\n");
	for (i = 0; i < l.n; i++)
		fprintf(cli->out, "%s %s (%s) %s\n", l.v[i].name,
			l.v[i].version, gg_pkg_source_name(l.v[i].source),
			l.v[i].path);
out:
	gg_lock_release(&l);
	gg_buf_release(&err);
	gg_mp_close(&mp);
	return rc;
}

const struct gg_cmd gg_cmd_mp_list = {
	.name = "list",
	.summary = "List installed packages",
	.opts = opts,
	.min_args = 0,
	.max_args = 0,
	.exec = run,
};
