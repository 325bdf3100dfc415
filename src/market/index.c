/*
 * index.c - checking index.json entry by entry (see index.h).
 *
 * jansson does the JSON syntax (with its own nesting limit and with NUL
 * bytes refused); everything after that is ours: each field is looked up
 * by name, its type and size checked, and the first problem is reported
 * with its JSON path.  The checks run over the whole document before any
 * entry is handed out, so a caller importing entries never has to undo a
 * half-imported index.
 */
#include "market/index.h"

#include <jansson.h>

#include "market/manifest.h"
#include "market/semver.h"
#include "util/error.h"

/* Where we are, for messages: "packages[3].tags[1]". */
struct where {
	size_t i;
	const char *field;
	struct gg_buf *err;
};

static int fail(const struct where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(const struct where *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->err)
		return GG_EPARSE;
	gg_buf_reset(w->err);
	gg_buf_printf(w->err, "index.json: packages[%zu].%s: ", w->i,
		      w->field);
	va_start(ap, fmt);
	gg_buf_vprintf(w->err, fmt, ap);
	va_end(ap);
	return GG_EPARSE;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* An optional string field: absent or null gives "". */
static int get_str(json_t *o, struct where *w, const char *field,
		   size_t max, int required, const char **out)
{
	json_t *v = json_object_get(o, field);
	size_t len;

	w->field = field;
	*out = "";
	if (!v || json_is_null(v))
		return required ? fail(w, "missing") : 0;
	if (!json_is_string(v))
		return fail(w, "expected a string");
	len = json_string_length(v);
	if (len > max)
		return fail(w, "longer than %zu bytes", max);
	*out = json_string_value(v);
	return 0;
}

static int get_count(json_t *o, struct where *w, const char *field,
		     int64_t *out)
{
	json_t *v = json_object_get(o, field);

	w->field = field;
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return fail(w, "expected a whole number");
	if (json_integer_value(v) < 0)
		return fail(w, "must not be negative");
	*out = (int64_t)json_integer_value(v);
	return 0;
}

/* An optional array of short strings without control characters. */
static int get_list(json_t *o, struct where *w, const char *field,
		    const char **items, size_t *n)
{
	json_t *v = json_object_get(o, field), *e;
	size_t k;

	w->field = field;
	*n = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return fail(w, "expected an array of strings");
	if (json_array_size(v) > GG_INDEX_MAX_LIST)
		return fail(w, "more than %d items", GG_INDEX_MAX_LIST);
	json_array_foreach(v, k, e) {
		if (!json_is_string(e))
			return fail(w, "item %zu: expected a string", k);
		if (json_string_length(e) > GG_INDEX_MAX_FIELD)
			return fail(w, "item %zu: longer than %d bytes", k,
				    GG_INDEX_MAX_FIELD);
		if (has_control(json_string_value(e)))
			return fail(w, "item %zu: control character", k);
		items[k] = json_string_value(e);
	}
	*n = json_array_size(v);
	return 0;
}

static int check_identity(struct gg_index_pkg *p, struct where *w)
{
	const char *why = NULL;
	struct gg_semver sv;

	w->field = "name";
	if (!gg_pkg_name_valid(p->name))
		return fail(w, "'%s' is not a valid package name "
			    "([a-z0-9][a-z0-9_-]{0,63})", p->name);
	w->field = "version";
	if (gg_semver_parse(p->version, &sv, &why))
		return fail(w, "'%s' is not a SemVer 2.0 version (%s)",
			    p->version, why ? why : "invalid");
	return 0;
}

static int check_deps(struct gg_index_pkg *p, struct where *w)
{
	struct gg_dep d;
	const char *why;
	size_t k;

	w->field = "dependencies";
	for (k = 0; k < p->ndeps; k++) {
		why = NULL;
		if (gg_dep_parse(p->deps[k], &d, &why))
			return fail(w, "item %zu: '%s': %s", k, p->deps[k],
				    why ? why : "invalid dependency");
	}
	return 0;
}

static int get_checksum(json_t *o, struct gg_index_pkg *p, struct where *w)
{
	json_t *v = json_object_get(o, "checksum");
	const char *s;

	w->field = "checksum";
	p->has_checksum = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return fail(w, "expected a string");
	s = json_string_value(v);
	if (json_string_length(v) != 7 + 64 || strncmp(s, "sha256:", 7) ||
	    gg_pkgid_from_hex(s + 7, &p->checksum))
		return fail(w, "expected \"sha256:\" and 64 lowercase hex "
			    "digits");
	p->has_checksum = 1;
	return 0;
}

static int get_strings(json_t *o, struct gg_index_pkg *p, struct where *w)
{
	int rc;

	if ((rc = get_str(o, w, "name", GG_INDEX_MAX_FIELD, 1, &p->name)) ||
	    (rc = get_str(o, w, "version", GG_SEMVER_MAX, 1, &p->version)) ||
	    (rc = get_str(o, w, "description", GG_INDEX_MAX_DESC, 0,
			  &p->description)) ||
	    (rc = get_str(o, w, "category", GG_INDEX_MAX_FIELD, 0,
			  &p->category)) ||
	    (rc = get_str(o, w, "author", GG_INDEX_MAX_FIELD, 0,
			  &p->author)) ||
	    (rc = get_str(o, w, "license", GG_INDEX_MAX_FIELD, 0,
			  &p->license)) ||
	    (rc = get_str(o, w, "download_url", GG_INDEX_MAX_URL, 0,
			  &p->download_url)))
		return rc;
	return 0;
}

/* Check entry i and fill p with pointers into it. */
static int read_pkg(json_t *o, size_t i, struct gg_index_pkg *p,
		    struct gg_buf *err)
{
	struct where w = { i, "", err };
	int rc;

	if (!json_is_object(o)) {
		if (err) {
			gg_buf_reset(err);
			gg_buf_printf(err, "index.json: packages[%zu]: expected "
				      "an object", i);
		}
		return GG_EPARSE;
	}
	if ((rc = get_strings(o, p, &w)) || (rc = check_identity(p, &w)) ||
	    (rc = get_list(o, &w, "tags", p->tags, &p->ntags)) ||
	    (rc = get_list(o, &w, "keywords", p->keywords, &p->nkeywords)) ||
	    (rc = get_list(o, &w, "dependencies", p->deps, &p->ndeps)) ||
	    (rc = check_deps(p, &w)) ||
	    (rc = get_count(o, &w, "downloads", &p->downloads)) ||
	    (rc = get_count(o, &w, "stars", &p->stars)) ||
	    (rc = get_checksum(o, p, &w)))
		return rc;
	return 0;
}

static int top_fail(struct gg_buf *err, int rc, const char *msg)
{
	if (err) {
		gg_buf_reset(err);
		gg_buf_printf(err, "index.json: %s", msg);
	}
	return rc;
}

/* The optional top-level strings, copied into info. */
static int read_top(json_t *root, struct gg_index_info *info,
		    struct gg_buf *err)
{
	static const char *const keys[] = { "version", "updated_at" };
	char *dst[2] = { info->version, info->updated_at };
	size_t k, len;
	json_t *v;

	for (k = 0; k < 2; k++) {
		v = json_object_get(root, keys[k]);
		dst[k][0] = 0;
		if (!v || json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			if (err) {
				gg_buf_reset(err);
				gg_buf_printf(err, "index.json: %s: expected "
					      "a string", keys[k]);
			}
			return GG_EPARSE;
		}
		len = json_string_length(v);
		if (len >= sizeof(info->version))
			len = sizeof(info->version) - 1;
		memcpy(dst[k], json_string_value(v), len);
		dst[k][len] = 0;
	}
	return 0;
}

static json_t *load(const void *p, size_t n, struct gg_buf *err, int *rc)
{
	json_error_t je;
	json_t *root;

	root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		*rc = GG_EPARSE;
		if (err) {
			gg_buf_reset(err);
			gg_buf_printf(err, "index.json:%d:%d: %s", je.line,
				      je.column, je.text);
		}
	}
	return root;
}

int gg_index_parse(const void *p, size_t n, gg_index_cb cb, void *ctx,
		   struct gg_index_info *info, struct gg_buf *err)
{
	struct gg_index_info tmp;
	struct gg_index_pkg *pkg = NULL;
	json_t *root = NULL, *arr, *e;
	size_t i;
	int rc = GG_EPARSE;

	if (!info)
		info = &tmp;
	memset(info, 0, sizeof(*info));
	if (n > GG_INDEX_MAX_BYTES)
		return top_fail(err, GG_ETOOBIG, "larger than the size cap");
	root = load(p, n, err, &rc);
	if (!root)
		goto out;
	if (!json_is_object(root)) {
		rc = top_fail(err, GG_EPARSE, "expected a JSON object");
		goto out;
	}
	rc = read_top(root, info, err);
	if (rc)
		goto out;
	arr = json_object_get(root, "packages");
	if (!arr || !json_is_array(arr)) {
		rc = top_fail(err, GG_EPARSE, arr ? "packages: expected an "
						    "array"
						  : "packages: missing");
		goto out;
	}
	if (json_array_size(arr) > GG_INDEX_MAX_PACKAGES) {
		rc = top_fail(err, GG_ETOOBIG, "packages: too many entries");
		goto out;
	}
	pkg = malloc(sizeof(*pkg));
	if (!pkg) {
		rc = GG_ENOMEM;
		goto out;
	}
	json_array_foreach(arr, i, e) {
		rc = read_pkg(e, i, pkg, err);
		if (rc)
			goto out;
	}
	info->npackages = json_array_size(arr);
	json_array_foreach(arr, i, e) {
		if (!cb)
			break;
		rc = read_pkg(e, i, pkg, err);
		if (!rc)
			rc = cb(ctx, i, pkg);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	free(pkg);
	json_decref(root);
	return rc;
}
