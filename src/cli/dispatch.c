/*
 * dispatch.c - resolve a command line against the table and run it.
 *
 * Words are matched level by level: an exact name or alias wins, else a
 * unique prefix of a name; an ambiguous prefix names its candidates and
 * an unknown word suggests the nearest name.  Then the options of the
 * verb (and the global ones, accepted anywhere) are parsed, the argument
 * count is checked, and only then does the handler run.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/log.h"
#include "version.h"

const struct gg_opt gg_global_opts[] = {
	{ "help", 'h', GG_OPT_FLAG, NULL, "Show help for the command" },
	{ "config", 0, GG_OPT_VALUE, "PATH",
	  "Read the configuration from PATH" },
	{ "verbose", 'v', GG_OPT_FLAG, NULL, "Log more (repeat for more)" },
	{ "quiet", 'q', GG_OPT_FLAG, NULL, "Print only errors" },
	GG_OPT_END
};

static const struct gg_opt version_opt[] = {
	{ "version", 'V', GG_OPT_FLAG, NULL, "Print the version" },
	GG_OPT_END
};

void gg_cli_path_str(const struct gg_cli *cli, char *out, size_t outsz)
{
	size_t used = 0;
	int i, n;

	out[0] = 0;
	for (i = 0; i < cli->depth; i++) {
		const char *name = i ? cli->path[i]->name : cli->prog;

		n = snprintf(out + used, outsz - used, "%s%s", i ? " " : "",
			     name);
		if (n < 0 || (size_t)n >= outsz - used)
			return;
		used += (size_t)n;
	}
}

static void vmsg(struct gg_cli *cli, const char *pfx, const char *fmt,
		 va_list ap)
{
	fprintf(cli->err, "%s: %s", cli->prog, pfx);
	vfprintf(cli->err, fmt, ap);
	fputc('\n', cli->err);
}

int gg_cli_fail(struct gg_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, "error: ", fmt, ap);
	va_end(ap);
	return GG_EXIT_FAIL;
}

int gg_cli_usage(struct gg_cli *cli, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, "", fmt, ap);
	va_end(ap);
	gg_cli_path_str(cli, path, sizeof(path));
	fprintf(cli->err, "Run '%s --help' for usage.\n", path);
	return GG_EXIT_USAGE;
}

void gg_cli_warn(struct gg_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet)
		return;
	va_start(ap, fmt);
	vmsg(cli, "warning: ", fmt, ap);
	va_end(ap);
}

int gg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[65], prev, tmp;

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			int best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static int matches_alias(const struct gg_cmd *c, const char *w)
{
	const char *const *al;

	for (al = c->aliases; al && *al; al++)
		if (!strcmp(*al, w))
			return 1;
	return 0;
}

/* Find word w among the subcommands of noun; prints why on failure. */
static const struct gg_cmd *find_sub(struct gg_cli *cli,
				     const struct gg_cmd *noun, const char *w)
{
	const struct gg_cmd *const *s, *hit = NULL, *near = NULL;
	char cands[512] = "";
	size_t wl = strlen(w), used = 0;
	int nhits = 0, best = 99;

	for (s = noun->subs; *s; s++)
		if (!strcmp((*s)->name, w) || matches_alias(*s, w))
			return *s;
	for (s = noun->subs; *s; s++) {
		int d;

		if (!strncmp((*s)->name, w, wl) && !(*s)->hidden) {
			int n = snprintf(cands + used, sizeof(cands) - used,
					 "%s%s", nhits ? ", " : "", (*s)->name);

			if (n > 0 && (size_t)n < sizeof(cands) - used)
				used += (size_t)n;
			hit = *s;
			nhits++;
		}
		d = gg_edit_distance(w, (*s)->name);
		if (d < best && !(*s)->hidden) {
			best = d;
			near = *s;
		}
	}
	if (nhits == 1)
		return hit;
	if (nhits > 1) {
		gg_cli_usage(cli, "'%s' is ambiguous; it could be: %s", w,
			     cands);
		return NULL;
	}
	if (near && best <= (int)(wl / 2 > 2 ? wl / 2 : 2))
		gg_cli_usage(cli, "unknown command '%s'. Did you mean '%s'?",
			     w, near->name);
	else
		gg_cli_usage(cli, "unknown command '%s'", w);
	return NULL;
}

static const struct gg_opt *find_in(const struct gg_opt *opts,
				    const char *name, size_t n, char shrt)
{
	for (; opts && opts->name; opts++) {
		if (shrt && opts->short_name == shrt)
			return opts;
		if (!shrt && strlen(opts->name) == n &&
		    !strncmp(opts->name, name, n))
			return opts;
	}
	return NULL;
}

static const struct gg_opt *find_opt(const struct gg_cmd *c, int top,
				     const char *name, size_t n, char shrt)
{
	const struct gg_opt *o = find_in(c->opts, name, n, shrt);

	if (!o)
		o = find_in(gg_global_opts, name, n, shrt);
	if (!o && top)
		o = find_in(version_opt, name, n, shrt);
	return o;
}

static const char *nearest_opt(const struct gg_cmd *c, const char *w)
{
	const struct gg_opt *sets[2] = { c->opts, gg_global_opts }, *o;
	const char *near = NULL;
	int best = 3, i;

	for (i = 0; i < 2; i++)
		for (o = sets[i]; o && o->name; o++) {
			int d = gg_edit_distance(w, o->name);

			if (d < best) {
				best = d;
				near = o->name;
			}
		}
	return near;
}

static int unknown_opt(struct gg_cli *cli, const struct gg_cmd *c,
		       const char *arg)
{
	const char *near;
	char name[65];
	size_t n = strcspn(arg + 2, "=");

	if (arg[1] != '-' || n >= sizeof(name))
		return gg_cli_usage(cli, "unknown option '%s'", arg);
	memcpy(name, arg + 2, n);
	name[n] = 0;
	near = nearest_opt(c, name);
	if (near)
		return gg_cli_usage(cli,
				    "unknown option '%s'. Did you mean '--%s'?",
				    arg, near);
	return gg_cli_usage(cli, "unknown option '%s'", arg);
}

static int add_val(struct gg_cli *cli, struct gg_args *a,
		   const struct gg_opt *o, const char *v)
{
	if (a->nvals >= GG_MAX_ARGVALS)
		return gg_cli_usage(cli, "too many options");
	a->vals[a->nvals].opt = o;
	a->vals[a->nvals].value = v;
	a->nvals++;
	return 0;
}

/* Parse one option word at argv[*i]; may consume the next word. */
static int parse_opt(struct gg_cli *cli, const struct gg_cmd *c, int top,
		     struct gg_args *a, int argc, char **argv, int *i)
{
	const char *arg = argv[*i], *val = NULL, *name;
	const struct gg_opt *o;
	size_t n;

	if (arg[1] == '-') {
		name = arg + 2;
		n = strcspn(name, "=");
		if (name[n] == '=')
			val = name + n + 1;
		o = find_opt(c, top, name, n, 0);
	} else {
		o = find_opt(c, top, NULL, 0, arg[1]);
		if (o && arg[2])
			val = arg + 2;
		if (o && o->kind == GG_OPT_FLAG && arg[2])
			o = NULL; /* no bundling of short flags */
	}
	if (!o)
		return unknown_opt(cli, c, arg);
	if (o->kind == GG_OPT_FLAG) {
		if (val)
			return gg_cli_usage(cli, "option '--%s' takes no value",
					    o->name);
		return add_val(cli, a, o, NULL);
	}
	if (!val) {
		if (*i + 1 >= argc)
			return gg_cli_usage(cli, "option '--%s' needs a value",
					    o->name);
		val = argv[++*i];
	}
	return add_val(cli, a, o, val);
}

/* Split argv into options and positional words (reordered in place). */
static int parse_args(struct gg_cli *cli, const struct gg_cmd *c, int top,
		      int argc, char **argv, struct gg_args *a)
{
	int i, npos = 0, rc, dashdash = 0;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		char *w = argv[i];

		if (!dashdash && !strcmp(w, "--")) {
			dashdash = 1;
		} else if (!dashdash && w[0] == '-' && w[1]) {
			rc = parse_opt(cli, c, top, a, argc, argv, &i);
			if (rc)
				return rc;
		} else {
			argv[npos++] = w;
		}
	}
	a->argc = npos;
	a->argv = argv;
	return 0;
}

int gg_args_flag(const struct gg_args *a, const char *name)
{
	int i, n = 0;

	for (i = 0; i < a->nvals; i++)
		if (!strcmp(a->vals[i].opt->name, name))
			n++;
	return n;
}

const char *gg_args_value(const struct gg_args *a, const char *name)
{
	const char *v = NULL;
	int i;

	for (i = 0; i < a->nvals; i++)
		if (!strcmp(a->vals[i].opt->name, name))
			v = a->vals[i].value;
	return v;
}

int gg_args_list(const struct gg_args *a, const char *name, const char **out,
		 int max)
{
	int i, n = 0;

	for (i = 0; i < a->nvals; i++)
		if (!strcmp(a->vals[i].opt->name, name) && n < max)
			out[n++] = a->vals[i].value;
	return n;
}

int gg_args_uint(struct gg_cli *cli, const struct gg_args *a,
		 const char *name, uint64_t min, uint64_t max, uint64_t def,
		 uint64_t *out)
{
	const char *v = gg_args_value(a, name);
	unsigned long long x;
	char *end;

	*out = def;
	if (!v)
		return 0;
	if (v[0] < '0' || v[0] > '9')
		goto bad;
	x = strtoull(v, &end, 10);
	if (*end || x < min || x > max)
		goto bad;
	*out = x;
	return 0;
bad:
	return gg_cli_usage(cli,
			    "option '--%s' wants a whole number from %llu to "
			    "%llu, not '%s'",
			    name, (unsigned long long)min,
			    (unsigned long long)max, v);
}

static void apply_globals(struct gg_cli *cli, const struct gg_args *a)
{
	int lvl;

	cli->config_path = gg_args_value(a, "config");
	cli->verbose = gg_args_flag(a, "verbose");
	cli->quiet = gg_args_flag(a, "quiet");
	lvl = (int)gg_log_get_level() + cli->verbose;
	if (cli->quiet)
		lvl = GG_LOG_ERROR;
	if (lvl > GG_LOG_TRACE)
		lvl = GG_LOG_TRACE;
	gg_log_set_level((enum gg_log_level)lvl);
}

static int check_count(struct gg_cli *cli, const struct gg_cmd *c,
		       const struct gg_args *a)
{
	if (a->argc < c->min_args)
		return gg_cli_usage(cli, "missing argument%s: %s",
				    c->min_args - a->argc > 1 ? "s" : "",
				    c->usage ? c->usage : "");
	if (c->max_args >= 0 && a->argc > c->max_args)
		return gg_cli_usage(cli, "unexpected argument '%s'",
				    a->argv[c->max_args]);
	return 0;
}

/* Is w a global option that takes the following word as its value? */
static int global_takes_value(const char *w)
{
	const struct gg_opt *o;

	if (w[0] != '-' || w[1] != '-' || strchr(w, '='))
		return 0;
	o = find_in(gg_global_opts, w + 2, strlen(w + 2), 0);
	return o && o->kind != GG_OPT_FLAG;
}

/*
 * Descend through the nouns.  Option words met on the way (and the value
 * of a global option such as --config) are kept in rest for parse_args,
 * as are all words after the verb.  Returns -1 after printing an error.
 */
static int resolve(struct gg_cli *cli, int argc, char **argv, int *help,
		   char **rest, int *nrest)
{
	int i = 1, n = 0;

	cli->path[0] = &gg_cmd_root;
	cli->depth = 1;
	for (; i < argc; i++) {
		const struct gg_cmd *c = cli->path[cli->depth - 1];
		const char *w = argv[i];

		if (w[0] == '-' || !c->subs) {
			rest[n++] = argv[i];
			if (c->subs && global_takes_value(w) && i + 1 < argc)
				rest[n++] = argv[++i];
		} else if (!strcmp(w, "help")) {
			*help = 1;
		} else if (cli->depth >= GG_CLI_MAX_DEPTH) {
			return -1;
		} else {
			c = find_sub(cli, c, w);
			if (!c)
				return -1;
			cli->path[cli->depth++] = c;
		}
	}
	*nrest = n;
	return 0;
}

int gg_cli_run(struct gg_cli *cli, int argc, char **argv)
{
	const struct gg_cmd *c;
	struct gg_args a;
	char **rest;
	int help = 0, nrest = 0, rc, top;

	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (!rest)
		return gg_cli_fail(cli, "out of memory");
	rc = resolve(cli, argc, argv, &help, rest, &nrest);
	if (rc < 0) {
		free(rest);
		return GG_EXIT_USAGE;
	}
	c = cli->path[cli->depth - 1];
	top = cli->depth == 1;
	rc = parse_args(cli, c, top, nrest, rest, &a);
	if (rc) {
		free(rest);
		return rc;
	}
	apply_globals(cli, &a);
	if (top && gg_args_flag(&a, "version")) {
		fprintf(cli->out, "ggen %s\n", GG_VERSION);
		rc = GG_EXIT_OK;
	} else if (help || gg_args_flag(&a, "help") || (!c->exec && !a.argc)) {
		gg_help_print(cli->out, cli->path, cli->depth);
		rc = GG_EXIT_OK;
	} else if (!c->exec) {
		rc = gg_cli_usage(cli, "unknown command '%s'", a.argv[0]);
	} else {
		rc = check_count(cli, c, &a);
		if (!rc)
			rc = c->exec(cli, &a);
	}
	free(rest);
	return rc;
}

int gg_cli_main(int argc, char **argv)
{
	struct gg_cli cli;
	const char *lvl = getenv("GGEN_LOG");
	int rc;

	memset(&cli, 0, sizeof(cli));
	cli.out = stdout;
	cli.err = stderr;
	cli.prog = "ggen";
	if (lvl && gg_log_parse_level(lvl) >= 0)
		gg_log_set_level((enum gg_log_level)gg_log_parse_level(lvl));
	rc = gg_cli_run(&cli, argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ggen: error: writing output failed\n");
		if (!rc)
			rc = GG_EXIT_FAIL;
	}
	return rc;
}
