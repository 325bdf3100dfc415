/*
 * manifest.h - package.toml, the manifest at the root of every package
 * (DESIGN §5 "Manifest").
 *
 * The file is TOML 1.0, read with our own parser (config/toml.h).  Only
 * the [package] table is ggen's: name ([a-z0-9][a-z0-9_-]{0,63}), version
 * (SemVer 2.0) and description are required; category, author or authors,
 * license, repository, homepage, tags, keywords and dependencies are
 * optional.  [package] dependencies are ggen package dependencies, strings
 * "name" or "name@requirement".  A top-level [dependencies] table and every
 * other table belong to the generated project: they are kept in the parsed
 * document and never validated.
 *
 * Errors name the file, the line, the field and the rule:
 *   package.toml:3: [package] version '1.0' is not SemVer 2.0
 *   (MAJOR.MINOR.PATCH)
 * and TOML syntax errors carry line:column.
 */
#ifndef GG_MARKET_MANIFEST_H
#define GG_MARKET_MANIFEST_H

#include <stddef.h>

#include "market/semver.h"
#include "util/buf.h"

#define GG_MANIFEST_FILE "package.toml"
/* Largest manifest read, in bytes. */
#define GG_MANIFEST_MAX_SIZE ((size_t)1 << 20)
/* Most entries in tags, keywords, authors or dependencies. */
#define GG_MANIFEST_MAX_LIST 256
#define GG_PKG_NAME_MAX 64

struct toml_value;
struct json_t;

struct gg_manifest {
	/* Never NULL after a successful parse; "" when absent. */
	char *name, *version, *description, *category;
	char *author; /* author, or authors joined by ", " */
	char *license, *repository, *homepage;
	struct gg_semver semver; /* version, parsed */
	char **tags;
	size_t ntags;
	char **keywords;
	size_t nkeywords;
	/* [package] dependencies, as written ("name" or "name@req"), each
	 * checked with gg_dep_parse. */
	char **dependencies;
	size_t ndeps;
	/* The whole parsed document, for the other tables (owned). */
	struct toml_value *doc;
};

/* 1 when name matches [a-z0-9][a-z0-9_-]{0,63}, else 0. */
int gg_pkg_name_valid(const char *name);

/* An empty manifest (all NULL / 0); release is safe on it. */
void gg_manifest_init(struct gg_manifest *m);
/* Free the contents; m is empty (as after init) afterwards. */
void gg_manifest_release(struct gg_manifest *m);

/*
 * Parse and validate text[0..len).  filename is used in messages only
 * (NULL: "package.toml").  On success out owns its strings (release it).
 * On failure out is empty and err (if not NULL) holds one line:
 * GG_EPARSE for TOML syntax ("FILE:LINE:COL: ..."), GG_EINVAL for a field
 * that breaks a rule ("FILE:LINE: [package] ..."), GG_ETOOBIG over
 * GG_MANIFEST_MAX_SIZE, GG_ENOMEM.
 */
int gg_manifest_parse(const char *text, size_t len, const char *filename,
		      struct gg_manifest *out, struct gg_buf *err);
/* Read path (at most GG_MANIFEST_MAX_SIZE) and parse it; I/O errors are
 * GG_E* codes from errno with "PATH: reason" in err. */
int gg_manifest_load(const char *path, struct gg_manifest *out,
		     struct gg_buf *err);

/*
 * The package metadata as a new JSON object: name, version, description,
 * category, author, license, repository, homepage (strings, "" when
 * absent), tags, keywords, dependencies (arrays of strings).  0 or
 * GG_ENOMEM; *out is a new reference.
 */
int gg_manifest_to_json(const struct gg_manifest *m, struct json_t **out);

#endif
