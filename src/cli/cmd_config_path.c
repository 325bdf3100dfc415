/*
 * cmd_config_path.c - `ggen marketplace p2p config path`: the path of the
 * configuration file in use (--config PATH, else
 * $GGEN_HOME/p2p-config.toml), whether or not it exists.
 */
#include <limits.h>

#include "cli/cmds.h"
#include "config/config.h"
#include "util/error.h"

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	char path[PATH_MAX];
	int rc = gg_config_path(cli->config_path, path, sizeof(path));

	if (rc)
		return gg_cli_fail(cli, "cannot find the configuration file: "
				   "%s (set GGEN_HOME or HOME)",
				   gg_strerror(rc));
	fprintf(cli->out, "%s\n", path);
	return GG_EXIT_OK;
}

const struct gg_cmd gg_cmd_config_path = {
	.name = "path",
	.summary = "Print the path of the configuration file in use",
	.max_args = 0,
	.exec = run,
};
