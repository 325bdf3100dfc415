/*
 * config.h - the effective configuration of ggen (ADR-005).
 *
 * Every key lives in one table (config_table.c): name, type, bounds,
 * default and a one-line help.  The loader, `config show`, the commented
 * file that `config init` writes and docs/config.md are all generated from
 * that table, as redis does with static_configs[] and tmux with
 * options-table.c, so they cannot drift apart.
 *
 * A value is built up in layers, each overriding the one before: the
 * defaults, then the TOML file, then the environment (GGEN_REGISTRY_URL),
 * then command-line flags (gg_config_set*).  Each value remembers where it
 * came from ("default", "FILE:LINE", "env GGEN_REGISTRY_URL",
 * "flag --listen") so `config show` can say why a value is what it is.
 *
 * Core code: nothing here prints.  Problems are returned as text in the
 * err/warn buffers for the CLI to show.
 */
#ifndef GG_CONFIG_CONFIG_H
#define GG_CONFIG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* The file name inside $GGEN_HOME. */
#define GG_CONFIG_FILE "p2p-config.toml"
/* Largest configuration file we read. */
#define GG_CONFIG_MAX_FILE ((size_t)1 << 20)

struct gg_config;

enum gg_cfg_type {
	GG_CFG_STR,      /* a string; bounds are its length */
	GG_CFG_INT,      /* a whole number (durations: seconds) */
	GG_CFG_FLOAT,    /* a number; an integer is accepted */
	GG_CFG_BOOL,
	GG_CFG_STRLIST,  /* an array of strings; bounds are its count */
	GG_CFG_ADDRLIST  /* an array of multiaddrs; bounds are its count */
};

/* One row of the key table. */
struct gg_config_key {
	const char *name;         /* "performance.max_peers" */
	enum gg_cfg_type type;
	int64_t min, max;         /* INT: value; STR: length; lists: count */
	double fmin, fmax;        /* FLOAT only */
	/* The default, in the field of the key's type. */
	const char *def_str;
	int64_t def_int;          /* INT and BOOL */
	double def_float;
	const char *const *def_list; /* NULL-terminated; NULL means [] */
	const char *unit;         /* "seconds", "bytes" or NULL */
	const char *help;         /* one line, no final period */
	/* When set, `config init` writes `# key = EXAMPLE` instead of the
	 * default (a TOML value, e.g. a quoted string). */
	const char *example;
	unsigned flags;           /* GG_CFG_F_* */
	/* BOOL: when set, true is refused with this reason (a feature that
	 * does not exist yet). */
	const char *refuse_true;
};

/* A string that must begin with '/' (protocol ids, topics). */
#define GG_CFG_F_SLASH 1u

/*
 * Defaults, then the file (path, or $GGEN_HOME/p2p-config.toml when path
 * is NULL; a missing default file is fine, a missing explicit file is an
 * error), then the environment (GGEN_REGISTRY_URL -> registry.url).  On
 * error returns GG_ECONFIG with a message in err, one problem per line
 * ("FILE:LINE: key 'network.max_peers' must be an integer from 1 to
 * 10000, not "abc""); warnings (unknown key, with the nearest known key)
 * are appended to warn, one per line.  err and warn may be NULL.
 */
int gg_config_load(const char *path, struct gg_config **out,
		   struct gg_buf *err, struct gg_buf *warn);
/* Defaults, then the TOML document text[0..len) named name in messages
 * and sources; no file is read and the environment is not consulted. */
int gg_config_load_text(const char *name, const char *text, size_t len,
			struct gg_config **out, struct gg_buf *err,
			struct gg_buf *warn);
/* Only the defaults (never fails but for GG_ENOMEM). */
int gg_config_defaults(struct gg_config **out);
void gg_config_free(struct gg_config *c);

/* Typed reads by key name.  A name not in the table, or of another type,
 * gives NULL / 0 (and logs an error: that is a bug in the caller). */
const char *gg_config_str(const struct gg_config *c, const char *key);
int64_t gg_config_int(const struct gg_config *c, const char *key);
double gg_config_float(const struct gg_config *c, const char *key);
int gg_config_bool(const struct gg_config *c, const char *key);
/* Lists: *items points at the strings (owned by c); returns the count. */
int gg_config_list(const struct gg_config *c, const char *key,
		   const char *const **items);

/* Command-line flags override: value parsed and checked by the key's type
 * and bounds; a list replaces the list.  source is what `config show`
 * prints ("flag --listen").  0, or GG_ECONFIG / GG_ENOTFOUND with the
 * reason in err. */
int gg_config_set(struct gg_config *c, const char *key, const char *value,
		  const char *source, struct gg_buf *err);
int gg_config_set_list(struct gg_config *c, const char *key,
		       const char *const *items, int n, const char *source,
		       struct gg_buf *err);

/* Where the value of key came from: "default", "FILE:LINE", ... */
const char *gg_config_source(const struct gg_config *c, const char *key);
/* The path of the file this configuration was loaded from (whether or not
 * it existed). */
const char *gg_config_file(const struct gg_config *c);
/* Append the value of key in TOML syntax ("50", "\"x\"", "[\"/a\"]"). */
int gg_config_value_toml(const struct gg_config *c, const char *key,
			 struct gg_buf *out);

/* The key table. */
size_t gg_config_nkeys(void);
const struct gg_config_key *gg_config_key_at(size_t i);
const struct gg_config_key *gg_config_key_find(const char *name);
/* The known key nearest to name (by edit distance), or NULL when none is
 * close enough to be a plausible typo. */
const char *gg_config_suggest(const char *name);
/* The same for a table name ("network"); the result is written to buf. */
const char *gg_config_suggest_table(const char *name, char *buf, size_t n);

/* The commented default file that `config init` writes. */
int gg_config_default_text(struct gg_buf *out);
/* The Markdown key reference (docs/config.md). */
int gg_config_docs_text(struct gg_buf *out);

/* $GGEN_HOME, else $HOME/.ggen (not created). */
int gg_home_dir(char *out, size_t outsz);
/* mkdir -p $GGEN_HOME with mode 0700; returns the path like gg_home_dir. */
int gg_home_ensure(char *out, size_t outsz);
/* The configuration file in use: explicit when not NULL, else
 * $GGEN_HOME/p2p-config.toml. */
int gg_config_path(const char *explicit_path, char *out, size_t outsz);

#endif
