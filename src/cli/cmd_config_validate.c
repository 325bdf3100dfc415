/*
 * cmd_config_validate.c - `ggen marketplace p2p config validate [PATH]`:
 * check a configuration file (default: the one in use) and print
 * "PATH: ok", or every problem found; exit 0 or 1.  Unknown keys are
 * warnings and do not fail the check.  The file must exist.
 */
#include <limits.h>

#include "cli/cli_config.h"
#include "cli/cmds.h"
#include "config/config.h"
#include "util/error.h"

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf err = GG_BUF_INIT(1 << 16), warn = GG_BUF_INIT(1 << 16);
	struct gg_config *c = NULL;
	char path[PATH_MAX];
	int rc;

	rc = gg_config_path(a->argc ? a->argv[0] : cli->config_path, path,
			    sizeof(path));
	if (rc) {
		rc = gg_cli_fail(cli, "cannot find the configuration file: "
				 "%s (set GGEN_HOME or HOME)",
				 gg_strerror(rc));
		goto out;
	}
	/* an explicit path: a missing file is an error here */
	rc = gg_config_load(path, &c, &err, &warn);
	gg_cli_config_print(cli, &warn, 1);
	if (rc) {
		gg_cli_config_print(cli, &err, 0);
		if (!err.len)
			fprintf(cli->err, "%s: error: %s: %s\n", cli->prog,
				path, gg_strerror(rc));
		rc = GG_EXIT_FAIL;
		goto out;
	}
	fprintf(cli->out, "%s: ok\n", path);
out:
	gg_config_free(c);
	gg_buf_release(&err);
	gg_buf_release(&warn);
	return rc;
}

const struct gg_cmd gg_cmd_config_validate = {
	.name = "validate",
	.summary = "Check a configuration file",
	.usage = "[PATH]",
	.help = "Checks PATH (default: the file in use) against the key "
		"table: types, bounds,\nmultiaddrs.  Prints \"PATH: ok\" "
		"and exits 0, or prints every error and exits 1.\nUnknown "
		"keys are warnings that name the nearest known key.",
	.max_args = 1,
	.exec = run,
};
