/*
 * help.c - help text and the man page, generated from the command table.
 */
#include <string.h>

#include "cli/cli.h"
#include "version.h"

static void print_path(FILE *f, const struct gg_cmd *const *path, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		fprintf(f, "%s%s", i ? " " : "", path[i]->name);
}

static void print_opts(FILE *f, const char *title, const struct gg_opt *o)
{
	char left[64];

	if (!o || !o->name)
		return;
	fprintf(f, "\n%s:\n", title);
	for (; o->name; o++) {
		int n;

		if (o->short_name)
			n = snprintf(left, sizeof(left), "-%c, --%s",
				     o->short_name, o->name);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->name);
		if (n > 0 && (size_t)n < sizeof(left) && o->metavar)
			snprintf(left + n, sizeof(left) - (size_t)n, " %s",
				 o->metavar);
		fprintf(f, "  %-26s %s%s\n", left, o->help,
			o->kind == GG_OPT_LIST ? " (repeatable)" : "");
	}
}

static void print_subs(FILE *f, const struct gg_cmd *c)
{
	const struct gg_cmd *const *s;

	fprintf(f, "\nCommands:\n");
	for (s = c->subs; *s; s++) {
		const char *const *al;

		if ((*s)->hidden)
			continue;
		fprintf(f, "  %-14s %s", (*s)->name, (*s)->summary);
		for (al = (*s)->aliases; al && *al; al++)
			fprintf(f, "%s%s", al == (*s)->aliases ? " (alias: " :
				", ", *al);
		fprintf(f, "%s\n", (*s)->aliases ? ")" : "");
	}
}

void gg_help_print(FILE *f, const struct gg_cmd *const *path, int depth)
{
	const struct gg_cmd *c = path[depth - 1];

	fprintf(f, "Usage: ");
	print_path(f, path, depth);
	if (c->subs)
		fprintf(f, " <command> [options]\n");
	else
		fprintf(f, "%s%s%s\n", c->opts ? " [options]" : "",
			c->usage ? " " : "", c->usage ? c->usage : "");
	fprintf(f, "\n%s.\n", c->summary);
	if (c->help)
		fprintf(f, "\n%s\n", c->help);
	if (c->subs)
		print_subs(f, c);
	print_opts(f, "Options", c->opts);
	print_opts(f, "Global options", gg_global_opts);
	if (depth == 1) {
		fprintf(f, "  -V, --version              Print the version\n");
		fprintf(f, "\nExit codes: 0 success, 1 the operation failed, "
			   "2 usage error.\n");
	}
	if (c->subs) {
		fprintf(f, "\nCommands may be shortened to any unique prefix. "
			   "Run '");
		print_path(f, path, depth);
		fprintf(f, " <command> --help' (or '");
		print_path(f, path, depth);
		fprintf(f, " help <command>') for more.\n");
	}
}

/* roff needs backslashes and leading dots escaped. */
static void man_text(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
		if (*s == '\n' && (s[1] == '.' || s[1] == '\''))
			fputs("\\&", f);
	}
}

static void man_cmd(FILE *f, const struct gg_cmd **path, int depth)
{
	const struct gg_cmd *c = path[depth - 1];
	const struct gg_opt *o;
	char line[256] = "";
	size_t used = 0;
	int i;

	if (c->hidden)
		return;
	for (i = 1; i < depth; i++) {
		int n = snprintf(line + used, sizeof(line) - used, "%s%s",
				 i > 1 ? " " : "", path[i]->name);

		if (n > 0 && (size_t)n < sizeof(line) - used)
			used += (size_t)n;
	}
	if (c->exec) {
		fprintf(f, ".TP\n.B ggen ");
		man_text(f, line);
		if (c->usage) {
			fputc(' ', f);
			man_text(f, c->usage);
		}
		fputc('\n', f);
		man_text(f, c->summary);
		fputs(".\n", f);
		for (o = c->opts; o && o->name; o++) {
			fprintf(f, ".br\n\\fB\\-\\-%s\\fR", o->name);
			if (o->metavar)
				fprintf(f, " \\fI%s\\fR", o->metavar);
			fputs(" \\(em ", f);
			man_text(f, o->help);
			fputc('\n', f);
		}
	}
	if (c->subs && depth < GG_CLI_MAX_DEPTH) {
		const struct gg_cmd *const *s;

		for (s = c->subs; *s; s++) {
			path[depth] = *s;
			man_cmd(f, path, depth + 1);
		}
	}
}

void gg_help_man(FILE *f)
{
	const struct gg_cmd *path[GG_CLI_MAX_DEPTH] = { &gg_cmd_root };
	const struct gg_opt *o;

	fprintf(f, ".TH GGEN 1 \"\" \"ggen %s\" \"User Commands\"\n",
		GG_VERSION);
	fprintf(f, ".SH NAME\nggen \\- %s\n", gg_cmd_root.summary);
	fprintf(f, ".SH SYNOPSIS\n.B ggen\n\\fIcommand\\fR [\\fIoptions\\fR]"
		   "\n.SH DESCRIPTION\n");
	man_text(f, gg_cmd_root.help);
	fprintf(f, "\n.PP\nCommands may be shortened to any unique prefix; "
		   "\\fBmp\\fR is an alias of \\fBmarketplace\\fR.\n");
	fprintf(f, ".SH COMMANDS\n");
	man_cmd(f, path, 1);
	fprintf(f, ".SH GLOBAL OPTIONS\n");
	for (o = gg_global_opts; o->name; o++) {
		fprintf(f, ".TP\n\\fB\\-\\-%s\\fR", o->name);
		if (o->metavar)
			fprintf(f, " \\fI%s\\fR", o->metavar);
		fputc('\n', f);
		man_text(f, o->help);
		fputc('\n', f);
	}
	fprintf(f, ".SH ENVIRONMENT\n.TP\n.B GGEN_HOME\nWhere ggen keeps its "
		   "state (default ~/.ggen).\n.TP\n.B GGEN_REGISTRY_URL\n"
		   "The central registry index (overrides the file).\n"
		   ".TP\n.B GGEN_LOG\nLog level: error, warn, info, debug, "
		   "trace.\n");
	fprintf(f, ".SH EXIT STATUS\n0 success, 1 the operation failed, 2 "
		   "usage error.\n");
}
