/*
 * cli.h - the command table and what every verb needs.
 *
 * Each verb lives in its own file and exports one `const struct gg_cmd`
 * (name, aliases, usage, options, argument counts, handler), as tmux's
 * cmd-*.c files do.  Nouns are commands with `subs` instead of a handler.
 * table.c lists them all; the dispatcher (dispatch.c) resolves unique
 * prefixes and aliases at every level, parses and checks the options and
 * the argument count once, and only then calls the handler.  help.c and
 * complete.c generate help, the man page and shell completions from the
 * same table, so they cannot drift from what the dispatcher accepts.
 *
 * The CLI is the only layer that prints.  A handler returns an exit code:
 * GG_EXIT_OK, GG_EXIT_FAIL (the operation failed) or GG_EXIT_USAGE.
 */
#ifndef GG_CLI_H
#define GG_CLI_H

#include <stdint.h>
#include <stdio.h>

enum { GG_EXIT_OK = 0, GG_EXIT_FAIL = 1, GG_EXIT_USAGE = 2 };

enum gg_opt_kind {
	GG_OPT_FLAG,  /* --name, may be repeated (counted) */
	GG_OPT_VALUE, /* --name VALUE or --name=VALUE; the last one wins */
	GG_OPT_LIST   /* --name VALUE, repeatable; all values kept in order */
};

struct gg_opt {
	const char *name; /* long name without the dashes; NULL ends a list */
	char short_name;  /* 0 when none */
	enum gg_opt_kind kind;
	const char *metavar; /* shown in help for VALUE/LIST ("N", "DIR") */
	const char *help;
};

#define GG_OPT_END { NULL, 0, GG_OPT_FLAG, NULL, NULL }
#define GG_OPT_JSON { "json", 0, GG_OPT_FLAG, NULL, "Print the result as JSON" }

#define GG_MAX_ARGVALS 128

struct gg_argval {
	const struct gg_opt *opt;
	const char *value; /* NULL for flags */
};

struct gg_args {
	int argc; /* positional arguments, options removed */
	char **argv;
	int nvals;
	struct gg_argval vals[GG_MAX_ARGVALS];
};

struct gg_cli;

struct gg_cmd {
	const char *name;
	const char *const *aliases; /* NULL-terminated, or NULL */
	const char *summary;        /* one line, no final period */
	const char *usage;          /* the arguments part: "QUERY", "[DIR]" */
	const char *help;           /* longer text for --help, or NULL */
	const struct gg_opt *opts;  /* ends with GG_OPT_END, or NULL */
	int min_args, max_args;     /* max -1: unlimited */
	int (*exec)(struct gg_cli *cli, const struct gg_args *args);
	const struct gg_cmd *const *subs; /* a noun's verbs, NULL-terminated */
	int hidden;                       /* left out of help and completions */
	const char *const *choices; /* fixed words for the first argument */
};

#define GG_CLI_MAX_DEPTH 6

struct gg_cli {
	FILE *out; /* results: text or --json documents */
	FILE *err; /* messages for the person */
	const char *prog;
	const char *config_path; /* --config, or NULL */
	int verbose;             /* -v count */
	int quiet;               /* -q count */
	/* The resolved command path, root first (for messages and help). */
	const struct gg_cmd *path[GG_CLI_MAX_DEPTH];
	int depth;
};

/* The root of the table (table.c). */
extern const struct gg_cmd gg_cmd_root;
/* Options accepted by every command (dispatch.c). */
extern const struct gg_opt gg_global_opts[];

int gg_cli_main(int argc, char **argv);
/* Run one command line with the given streams (for tests). */
int gg_cli_run(struct gg_cli *cli, int argc, char **argv);

/* How many times the flag was given (0 when absent). */
int gg_args_flag(const struct gg_args *a, const char *name);
/* The last value given for a VALUE option, or NULL. */
const char *gg_args_value(const struct gg_args *a, const char *name);
/* Up to max values of a LIST option, in order; returns how many. */
int gg_args_list(const struct gg_args *a, const char *name,
		 const char **out, int max);
/* A whole number option in [min, max]: 0 (absent: *out = def), or
 * GG_EXIT_USAGE after printing why. */
int gg_args_uint(struct gg_cli *cli, const struct gg_args *a,
		 const char *name, uint64_t min, uint64_t max, uint64_t def,
		 uint64_t *out);

/* "ggen marketplace search": the resolved path as typed in full. */
void gg_cli_path_str(const struct gg_cli *cli, char *out, size_t outsz);
/* Print "ggen: error: ..." and return GG_EXIT_FAIL. */
int gg_cli_fail(struct gg_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print "ggen: ..." plus a pointer to --help and return GG_EXIT_USAGE. */
int gg_cli_usage(struct gg_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print "ggen: warning: ..." to the error stream unless -q was given. */
void gg_cli_warn(struct gg_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* help.c */
void gg_help_print(FILE *f, const struct gg_cmd *const *path, int depth);
void gg_help_man(FILE *f);
/* complete.c: 0, or -1 for an unknown shell. */
int gg_complete_print(FILE *f, const char *shell);

/* Levenshtein distance, capped (for "did you mean"). */
int gg_edit_distance(const char *a, const char *b);

#endif
