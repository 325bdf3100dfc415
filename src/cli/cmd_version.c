/*
 * cmd_version.c - `ggen version`: the version, and with --json the
 * versions of the libraries ggen was built with.
 */
#include <jansson.h>

#include "cli/cmds.h"
#include "version.h"

static const struct gg_opt opts[] = { GG_OPT_JSON, GG_OPT_END };

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	json_t *o;

	if (!gg_args_flag(a, "json")) {
		fprintf(cli->out, "ggen %s\n", GG_VERSION);
		return GG_EXIT_OK;
	}
	o = json_pack("{s:s, s:s}", "version", GG_VERSION, "agent",
		      GG_AGENT);
	if (!o)
		return gg_cli_fail(cli, "out of memory");
	json_dumpf(o, cli->out, JSON_INDENT(2));
	fputc('\n', cli->out);
	json_decref(o);
	return GG_EXIT_OK;
}

const struct gg_cmd gg_cmd_version = {
	.name = "version",
	.summary = "Print the version of ggen",
	.opts = opts,
	.max_args = 0,
	.exec = run,
};
