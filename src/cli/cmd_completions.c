/*
 * cmd_completions.c - `ggen completions bash|zsh|fish`: print a shell
 * completion script generated from the command table.
 */
#include "cli/cmds.h"

static const char *const shells[] = { "bash", "zsh", "fish", NULL };

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	if (gg_complete_print(cli->out, a->argv[0]) < 0)
		return gg_cli_usage(cli, "unknown shell '%s' (bash, zsh or fish)",
				    a->argv[0]);
	return GG_EXIT_OK;
}

const struct gg_cmd gg_cmd_completions = {
	.name = "completions",
	.summary = "Print a shell completion script",
	.usage = "bash|zsh|fish",
	.help = "Examples:\n  ggen completions bash > /etc/bash_completion.d/ggen\n"
		"  ggen completions zsh > \"${fpath[1]}/_ggen\"\n"
		"  ggen completions fish > ~/.config/fish/completions/ggen.fish",
	.min_args = 1,
	.max_args = 1,
	.exec = run,
	.choices = shells,
};

static int run_man(struct gg_cli *cli, const struct gg_args *a)
{
	(void)a;
	gg_help_man(cli->out);
	return GG_EXIT_OK;
}

const struct gg_cmd gg_cmd_manpage = {
	.name = "manpage",
	.summary = "Print the man page (roff), generated from the command "
		   "table",
	.max_args = 0,
	.exec = run_man,
	.hidden = 1,
};
