/*
 * cmd_remove.c - `ggen marketplace remove NAME[@VERSION]`: every installed
 * version of NAME, or just one; ggen.lock is rewritten first (atomically),
 * then the directories go.
 */
#include "cli/cmds.h"
#include "cli/mp_common.h"
#include "market/install.h"
#include "util/error.h"

static const struct gg_opt opts[] = { GG_OPT_JSON, GG_OPT_END };

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	char name[128], *at;
	struct gg_mp mp;
	int rc, n = 0;

	if (snprintf(name, sizeof(name), "%s", a->argv[0]) >=
	    (int)sizeof(name))
		return gg_cli_usage(cli, "'%s' is too long", a->argv[0]);
	at = strchr(name, '@');
	if (at)
		*at++ = 0;
	rc = gg_mp_open(cli, &mp, 0);
	if (rc)
		goto out;
	rc = gg_install_remove(mp.home, name, at, &n, &err);
	if (rc) {
		rc = gg_cli_fail(cli, "%s", err.len ? gg_buf_cstr(&err)
						    : gg_strerror(rc));
		goto out;
	}
	if (gg_args_flag(a, "json"))
		rc = gg_mp_print_json(cli, json_pack("{s:s, s:i}", "name",
						     name, "removed", n));
	else
		fprintf(cli->out, "removed %s (%d version%s)\n", name, n,
			n == 1 ? "" : "s");
out:
	gg_buf_release(&err);
	gg_mp_close(&mp);
	return rc;
}

const struct gg_cmd gg_cmd_mp_remove = {
	.name = "remove",
	.summary = "Remove an installed package (every version, or one)",
	.usage = "NAME[@VERSION]",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
	.exec = run,
};
