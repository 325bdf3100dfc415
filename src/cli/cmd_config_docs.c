/*
 * cmd_config_docs.c - `ggen marketplace p2p config docs` (hidden): the
 * Markdown key reference generated from the key table.  docs/config.md is
 * its output; tests/integration/config.sh checks they match.
 */
#include "cli/cmds.h"
#include "config/config.h"
#include "util/error.h"

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	int rc = gg_config_docs_text(&b);

	if (!rc)
		fputs(gg_buf_cstr(&b), cli->out);
	gg_buf_release(&b);
	return rc ? gg_cli_fail(cli, "%s", gg_strerror(rc)) : GG_EXIT_OK;
}

const struct gg_cmd gg_cmd_config_docs = {
	.name = "docs",
	.summary = "Print the Markdown reference of every key",
	.max_args = 0,
	.exec = run,
	.hidden = 1,
};
