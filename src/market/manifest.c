/*
 * manifest.c - parse and validate package.toml.
 *
 * The TOML parser checks the syntax; this file checks the [package] table
 * field by field and writes one precise message per problem, naming the
 * file, the line of the offending value, the field and the rule.  Other
 * tables are left alone in the kept document.  ggen's own manifests write
 * tags and keywords either as arrays or as a sub-table holding an array of
 * the same name ("[package.tags] tags = [...]"); both are accepted.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "config/toml.h"
#include "market/manifest.h"
#include "util/error.h"

struct mctx {
	const char *file;
	const struct toml_value *pkg; /* the [package] table */
	struct gg_buf *err;
};

int gg_pkg_name_valid(const char *name)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n < 1 || n > GG_PKG_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 (i > 0 && (c == '_' || c == '-'));

		if (!ok)
			return 0;
	}
	return 1;
}

void gg_manifest_init(struct gg_manifest *m)
{
	memset(m, 0, sizeof(*m));
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void gg_manifest_release(struct gg_manifest *m)
{
	free(m->name);
	free(m->version);
	free(m->description);
	free(m->category);
	free(m->author);
	free(m->license);
	free(m->repository);
	free(m->homepage);
	free_list(m->tags, m->ntags);
	free_list(m->keywords, m->nkeywords);
	free_list(m->dependencies, m->ndeps);
	toml_free(m->doc);
	gg_manifest_init(m);
}

/* Append s quoted, printable ASCII only, cut at 80 bytes. */
static void add_quoted(struct gg_buf *b, const char *s)
{
	size_t i;

	gg_buf_addc(b, '\'');
	for (i = 0; s[i] && i < 80; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			gg_buf_addc(b, c);
		else
			gg_buf_printf(b, "\\x%02x", c);
	}
	if (s[i])
		gg_buf_adds(b, "...");
	gg_buf_addc(b, '\'');
}

/* "FILE:LINE: [package] KEY " then the caller's rule; returns GG_EINVAL. */
static int field_err(struct mctx *c, const struct toml_value *v,
		     const char *key, const char *value, const char *rule)
{
	if (!c->err)
		return GG_EINVAL;
	gg_buf_reset(c->err);
	gg_buf_printf(c->err, "%s:%d: [package] %s ", c->file,
		      toml_line(v ? v : c->pkg), key);
	if (value) {
		add_quoted(c->err, value);
		gg_buf_addc(c->err, ' ');
	}
	gg_buf_adds(c->err, rule);
	return GG_EINVAL;
}

static int dup_str(const char *s, char **out)
{
	*out = strdup(s ? s : "");
	return *out ? 0 : GG_ENOMEM;
}

/* A string field: required or "" when absent; no NUL bytes inside. */
static int get_string(struct mctx *c, const char *key, int required,
		      char **out)
{
	const struct toml_value *v = toml_get(c->pkg, key);

	if (!v && required)
		return field_err(c, NULL, key, NULL,
				 "is missing (it is required)");
	if (v && toml_type(v) != TOML_STRING)
		return field_err(c, v, key, NULL, "must be a string");
	if (v && toml_str_len(v) != strlen(toml_str(v)))
		return field_err(c, v, key, NULL,
				 "must not contain a NUL character");
	return dup_str(v ? toml_str(v) : "", out);
}

/* An array of strings (at most GG_MANIFEST_MAX_LIST) copied to *out. */
static int get_str_array(struct mctx *c, const struct toml_value *arr,
			 const char *key, char ***out, size_t *n)
{
	size_t i, len = toml_len(arr);

	if (toml_type(arr) != TOML_ARRAY)
		return field_err(c, arr, key, NULL,
				 "must be an array of strings");
	if (len > GG_MANIFEST_MAX_LIST)
		return field_err(c, arr, key, NULL,
				 "has more than 256 entries");
	*out = calloc(len ? len : 1, sizeof(char *));
	if (!*out)
		return GG_ENOMEM;
	for (i = 0; i < len; i++) {
		const struct toml_value *e = toml_at(arr, i);

		if (toml_type(e) != TOML_STRING ||
		    toml_str_len(e) != strlen(toml_str(e)))
			return field_err(c, e, key, NULL,
					 "must be an array of strings");
		if (dup_str(toml_str(e), &(*out)[i]))
			return GG_ENOMEM;
		*n = i + 1;
	}
	return 0;
}

/* tags / keywords: an array, or a table holding an array of that name. */
static int get_list(struct mctx *c, const char *key, char ***out, size_t *n)
{
	const struct toml_value *v = toml_get(c->pkg, key);

	if (!v)
		return 0;
	if (toml_type(v) == TOML_TABLE) {
		const struct toml_value *inner = toml_get(v, key);

		if (!inner)
			return field_err(c, v, key, NULL,
					 "must be an array of strings (or a "
					 "table with one)");
		v = inner;
	}
	return get_str_array(c, v, key, out, n);
}

static int check_name(struct mctx *c, struct gg_manifest *m)
{
	int rc = get_string(c, "name", 1, &m->name);

	if (rc || gg_pkg_name_valid(m->name))
		return rc;
	return field_err(c, toml_get(c->pkg, "name"), "name", m->name,
			 "is not a valid package name "
			 "([a-z0-9][a-z0-9_-]{0,63})");
}

static int check_version(struct mctx *c, struct gg_manifest *m)
{
	const char *why = NULL;
	char rule[160];
	int rc = get_string(c, "version", 1, &m->version);

	if (rc || !gg_semver_parse(m->version, &m->semver, &why))
		return rc;
	if (!strcmp(why, "not MAJOR.MINOR.PATCH"))
		why = "MAJOR.MINOR.PATCH";
	snprintf(rule, sizeof(rule), "is not SemVer 2.0 (%s)", why);
	return field_err(c, toml_get(c->pkg, "version"), "version",
			 m->version, rule);
}

/* author (a string) or authors (an array of strings, joined by ", "). */
static int get_author(struct mctx *c, struct gg_manifest *m)
{
	const struct toml_value *v = toml_get(c->pkg, "authors");
	struct gg_buf b = GG_BUF_INIT(GG_MANIFEST_MAX_SIZE);
	char **list = NULL;
	size_t i, n = 0;
	int rc;

	if (toml_get(c->pkg, "author") || !v)
		return get_string(c, "author", 0, &m->author);
	rc = get_str_array(c, v, "authors", &list, &n);
	for (i = 0; !rc && i < n; i++)
		rc = gg_buf_printf(&b, "%s%s", i ? ", " : "", list[i]);
	if (!rc)
		rc = dup_str(gg_buf_cstr(&b), &m->author);
	free_list(list, n);
	gg_buf_release(&b);
	return rc;
}

static int check_deps(struct mctx *c, struct gg_manifest *m)
{
	const struct toml_value *v = toml_get(c->pkg, "dependencies");
	size_t i;
	int rc;

	if (!v)
		return 0;
	rc = get_str_array(c, v, "dependencies", &m->dependencies, &m->ndeps);
	for (i = 0; !rc && i < m->ndeps; i++) {
		struct gg_dep d;
		const char *why = NULL;
		char rule[160];

		if (!gg_dep_parse(m->dependencies[i], &d, &why))
			continue;
		snprintf(rule, sizeof(rule),
			 "is not \"name\" or \"name@requirement\": %s", why);
		rc = field_err(c, toml_at(v, i), "dependencies",
			       m->dependencies[i], rule);
	}
	return rc;
}

static int check_package(struct mctx *c, struct gg_manifest *m)
{
	int rc = check_name(c, m);

	if (!rc)
		rc = check_version(c, m);
	if (!rc)
		rc = get_string(c, "description", 1, &m->description);
	if (!rc)
		rc = get_string(c, "category", 0, &m->category);
	if (!rc)
		rc = get_author(c, m);
	if (!rc)
		rc = get_string(c, "license", 0, &m->license);
	if (!rc)
		rc = get_string(c, "repository", 0, &m->repository);
	if (!rc)
		rc = get_string(c, "homepage", 0, &m->homepage);
	if (!rc)
		rc = get_list(c, "tags", &m->tags, &m->ntags);
	if (!rc)
		rc = get_list(c, "keywords", &m->keywords, &m->nkeywords);
	if (!rc)
		rc = check_deps(c, m);
	return rc;
}

static int syntax_err(struct gg_buf *err, const char *file,
		      const struct toml_error *te)
{
	if (err) {
		gg_buf_reset(err);
		gg_buf_printf(err, "%s:%d:%d: %s", file, te->line, te->col,
			      te->msg);
	}
	return GG_EPARSE;
}

int gg_manifest_parse(const char *text, size_t len, const char *filename,
		      struct gg_manifest *out, struct gg_buf *err)
{
	struct toml_limits lim = { GG_MANIFEST_MAX_SIZE, 0 };
	struct toml_error te;
	struct mctx c = { filename ? filename : GG_MANIFEST_FILE, NULL, err };
	int rc;

	gg_manifest_init(out);
	if (len > GG_MANIFEST_MAX_SIZE) {
		if (err)
			gg_buf_printf(err, "%s: larger than %zu bytes", c.file,
				      GG_MANIFEST_MAX_SIZE);
		return GG_ETOOBIG;
	}
	out->doc = toml_parse_limits(text, len, &lim, &te);
	if (!out->doc)
		return syntax_err(err, c.file, &te);
	c.pkg = toml_get(out->doc, "package");
	if (toml_type(c.pkg) != TOML_TABLE) {
		if (err)
			gg_buf_printf(err, "%s: no [package] table", c.file);
		rc = GG_EINVAL;
	} else {
		rc = check_package(&c, out);
	}
	if (rc)
		gg_manifest_release(out);
	return rc;
}

/* Read a whole file of at most max bytes into b. */
static int read_file(const char *path, size_t max, struct gg_buf *b)
{
	char chunk[16384];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;
	ssize_t n;

	if (fd < 0)
		return gg_from_errno(errno);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = gg_from_errno(errno);
			break;
		}
		if (b->len + (size_t)n > max) {
			rc = GG_ETOOBIG;
			break;
		}
		rc = gg_buf_add(b, chunk, (size_t)n);
		if (rc)
			break;
	}
	close(fd);
	return rc;
}

int gg_manifest_load(const char *path, struct gg_manifest *out,
		     struct gg_buf *err)
{
	struct gg_buf text = GG_BUF_INIT(GG_MANIFEST_MAX_SIZE + 1);
	int rc;

	gg_manifest_init(out);
	rc = read_file(path, GG_MANIFEST_MAX_SIZE, &text);
	if (rc) {
		if (err)
			gg_buf_printf(err, "%s: %s", path, gg_strerror(rc));
		goto out;
	}
	rc = gg_manifest_parse(gg_buf_cstr(&text), text.len, path, out, err);
out:
	gg_buf_release(&text);
	return rc;
}

static json_t *str_array(char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(v[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int gg_manifest_to_json(const struct gg_manifest *m, struct json_t **out)
{
#define S(x) ((x) ? (x) : "")
	*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
			 "s:o, s:o, s:o}",
			 "name", S(m->name), "version", S(m->version),
			 "description", S(m->description), "category",
			 S(m->category), "author", S(m->author), "license",
			 S(m->license), "repository", S(m->repository),
			 "homepage", S(m->homepage), "tags",
			 str_array(m->tags, m->ntags), "keywords",
			 str_array(m->keywords, m->nkeywords), "dependencies",
			 str_array(m->dependencies, m->ndeps));
#undef S
	return *out ? 0 : GG_ENOMEM;
}
