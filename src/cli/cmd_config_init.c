/*
 * cmd_config_init.c - `ggen marketplace p2p config init [--force]`: write
 * the commented default file (generated from the key table) to the file
 * in use, $GGEN_HOME/p2p-config.toml unless --config says otherwise.
 *
 * The write is atomic (temp file, fsync, rename or link, fsync of the
 * directory) and the file is 0644: it holds no secret.  An existing file
 * is kept unless --force is given.
 */
#include <limits.h>

#include "cli/cmds.h"
#include "config/config.h"
#include "util/error.h"
#include "util/fs.h"

static const struct gg_opt opts[] = {
	{ "force", 'f', GG_OPT_FLAG, NULL, "Overwrite an existing file" },
	GG_OPT_END
};

/* The target path; $GGEN_HOME is created (0700) when it is used. */
static int target(struct gg_cli *cli, char *path, size_t n)
{
	char home[PATH_MAX];
	int rc;

	if (cli->config_path)
		rc = gg_config_path(cli->config_path, path, n);
	else if (!(rc = gg_home_ensure(home, sizeof(home))))
		rc = gg_config_path(NULL, path, n);
	if (rc)
		return gg_cli_fail(cli, "cannot create the ggen home "
				   "directory %s: %s", cli->config_path ? "" :
				   home, gg_strerror(rc));
	return GG_EXIT_OK;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf text = GG_BUF_INIT(1 << 20);
	char path[PATH_MAX];
	int rc;

	rc = target(cli, path, sizeof(path));
	if (rc)
		goto out;
	if (gg_config_default_text(&text)) {
		rc = gg_cli_fail(cli, "out of memory");
		goto out;
	}
	rc = gg_write_file_atomic(path, text.data, text.len, 0644,
				  gg_args_flag(a, "force") ? GG_FS_REPLACE : 0);
	if (rc == GG_EEXISTS)
		rc = gg_cli_fail(cli, "%s already exists; use --force to "
				 "overwrite it", path);
	else if (rc)
		rc = gg_cli_fail(cli, "cannot write %s: %s", path,
				 gg_strerror(rc));
	else if (!cli->quiet)
		fprintf(cli->out, "wrote %s\n", path);
out:
	gg_buf_release(&text);
	return rc;
}

const struct gg_cmd gg_cmd_config_init = {
	.name = "init",
	.summary = "Write a commented configuration file with every default",
	.help = "Writes $GGEN_HOME/p2p-config.toml (or the --config file), "
		"creating $GGEN_HOME\n(mode 0700) when needed.  An existing "
		"file is kept unless --force is given.",
	.opts = opts,
	.max_args = 0,
	.exec = run,
};
