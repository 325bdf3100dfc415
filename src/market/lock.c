/*
 * lock.c - packages/ggen.lock: load, query, change and save atomically.
 *
 * The file is read whole (capped), checked entry by entry, and any
 * problem is reported with the path of the offending value
 * ("packages[2].version") so a damaged lock is repaired by a person, never
 * overwritten by us.  Saving goes through gg_write_file_atomic (temp,
 * fsync, rename, fsync dir).  The advisory flock lives on a separate file
 * so that the atomic rename of ggen.lock never drops it.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "market/lock.h"
#include "market/manifest.h"
#include "market/semver.h"
#include "util/error.h"
#include "util/fs.h"

#define FLOCK_FILE ".ggen.lock.flock"

static const char *const source_names[] = { "central", "local", "p2p" };

const char *gg_pkg_source_name(enum gg_pkg_source s)
{
	return (unsigned)s < 3 ? source_names[s] : "unknown";
}

int gg_pkg_source_parse(const char *name, enum gg_pkg_source *out)
{
	int i;

	for (i = 0; i < 3; i++)
		if (name && !strcmp(name, source_names[i])) {
			*out = (enum gg_pkg_source)i;
			return 0;
		}
	return GG_EINVAL;
}

static void entry_release(struct gg_lock_entry *e)
{
	size_t i;

	free(e->name);
	free(e->version);
	free(e->path);
	for (i = 0; i < e->ndeps; i++)
		free(e->deps[i]);
	free(e->deps);
	memset(e, 0, sizeof(*e));
}

void gg_lock_release(struct gg_lock *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		entry_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	if (l->flock_fd >= 0)
		close(l->flock_fd); /* drops the flock */
	l->flock_fd = -1;
}

/* A deep copy of src into dst (dst is overwritten). */
static int entry_copy(struct gg_lock_entry *dst,
		      const struct gg_lock_entry *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->id = src->id;
	dst->source = src->source;
	dst->installed_at = src->installed_at;
	dst->name = strdup(src->name ? src->name : "");
	dst->version = strdup(src->version ? src->version : "");
	dst->path = strdup(src->path ? src->path : "");
	dst->deps = calloc(src->ndeps ? src->ndeps : 1, sizeof(char *));
	if (!dst->name || !dst->version || !dst->path || !dst->deps)
		goto fail;
	for (i = 0; i < src->ndeps; i++) {
		dst->deps[i] = strdup(src->deps[i]);
		if (!dst->deps[i])
			goto fail;
		dst->ndeps = i + 1;
	}
	return 0;
fail:
	entry_release(dst);
	return GG_ENOMEM;
}

static int lock_reserve(struct gg_lock *l)
{
	struct gg_lock_entry *v;
	size_t cap;

	if (l->n < l->cap)
		return 0;
	cap = l->cap ? l->cap * 2 : 8;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return GG_ENOMEM;
	l->v = v;
	l->cap = cap;
	return 0;
}

struct gg_lock_entry *gg_lock_find(struct gg_lock *l, const char *name,
				   const char *version)
{
	struct gg_lock_entry *best = NULL;
	struct gg_semver bv, v;
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct gg_lock_entry *e = &l->v[i];

		if (strcmp(e->name, name))
			continue;
		if (version) {
			if (!strcmp(e->version, version))
				return e;
			continue;
		}
		if (gg_semver_parse(e->version, &v, NULL))
			continue;
		if (!best || gg_semver_cmp(&v, &bv) > 0) {
			best = e;
			bv = v;
		}
	}
	return best;
}

int gg_lock_put(struct gg_lock *l, const struct gg_lock_entry *e)
{
	struct gg_lock_entry *old = gg_lock_find(l, e->name, e->version);
	struct gg_lock_entry copy;
	int rc = entry_copy(&copy, e);

	if (rc)
		return rc;
	if (old) {
		entry_release(old);
		*old = copy;
		return 0;
	}
	rc = lock_reserve(l);
	if (rc) {
		entry_release(&copy);
		return rc;
	}
	l->v[l->n++] = copy;
	return 0;
}

int gg_lock_remove(struct gg_lock *l, const char *name, const char *version)
{
	size_t i = 0;
	int removed = 0;

	while (i < l->n) {
		struct gg_lock_entry *e = &l->v[i];

		if (strcmp(e->name, name) ||
		    (version && strcmp(e->version, version))) {
			i++;
			continue;
		}
		entry_release(e);
		memmove(e, e + 1, (l->n - i - 1) * sizeof(*e));
		l->n--;
		removed++;
	}
	return removed;
}

int gg_lock_references(const struct gg_lock *l, const struct gg_pkgid *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (gg_pkgid_eq(&l->v[i].id, id))
			return 1;
	return 0;
}

/* ---- loading ---- */

struct lctx {
	const char *path;
	struct gg_buf *err;
	size_t index;
};

static int bad(struct lctx *c, const char *field, const char *what)
{
	if (c->err) {
		gg_buf_reset(c->err);
		gg_buf_printf(c->err, "%s: packages[%zu]%s%s %s", c->path,
			      c->index, *field ? "." : "", field, what);
	}
	return GG_EINVAL;
}

static int get_str(struct lctx *c, json_t *o, const char *key, char **out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return bad(c, key, "is missing or not a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(c, key, "contains a NUL character");
	*out = strdup(json_string_value(v));
	return *out ? 0 : GG_ENOMEM;
}

static int get_deps(struct lctx *c, json_t *o, struct gg_lock_entry *e)
{
	json_t *a = json_object_get(o, "dependencies"), *v;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > GG_MANIFEST_MAX_LIST)
		return bad(c, "dependencies", "is not an array of at most 256 "
					      "strings");
	e->deps = calloc(json_array_size(a) + 1, sizeof(char *));
	if (!e->deps)
		return GG_ENOMEM;
	json_array_foreach(a, i, v) {
		struct gg_dep d;

		if (!json_is_string(v) ||
		    gg_dep_parse(json_string_value(v), &d, NULL))
			return bad(c, "dependencies",
				   "holds something that is not a dependency "
				   "string");
		e->deps[i] = strdup(json_string_value(v));
		if (!e->deps[i])
			return GG_ENOMEM;
		e->ndeps = i + 1;
	}
	return 0;
}

static int parse_id(struct lctx *c, json_t *o, struct gg_lock_entry *e)
{
	const char *s = json_string_value(json_object_get(o, "id"));

	if (!s || strncmp(s, "sha256:", 7) || gg_pkgid_from_hex(s + 7, &e->id))
		return bad(c, "id", "is not \"sha256:<64 lowercase hex>\"");
	return 0;
}

static int parse_entry(struct lctx *c, json_t *o, struct gg_lock_entry *e)
{
	json_t *t = json_object_get(o, "installed_at");
	const char *src = json_string_value(json_object_get(o, "source"));
	int rc;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(o))
		return bad(c, "", "is not an object");
	rc = get_str(c, o, "name", &e->name);
	if (!rc && !gg_pkg_name_valid(e->name))
		rc = bad(c, "name", "is not a valid package name");
	if (!rc)
		rc = get_str(c, o, "version", &e->version);
	if (!rc && !gg_semver_valid(e->version))
		rc = bad(c, "version", "is not SemVer 2.0");
	if (!rc)
		rc = parse_id(c, o, e);
	if (!rc && gg_pkg_source_parse(src, &e->source))
		rc = bad(c, "source", "is not \"central\", \"local\" or "
				      "\"p2p\"");
	if (!rc)
		rc = get_str(c, o, "path", &e->path);
	if (!rc && !json_is_integer(t))
		rc = bad(c, "installed_at", "is not an integer");
	if (!rc) {
		e->installed_at = (int64_t)json_integer_value(t);
		rc = get_deps(c, o, e);
	}
	return rc;
}

static int parse_doc(struct lctx *c, json_t *doc, struct gg_lock *l)
{
	json_t *pk = json_object_get(doc, "packages"), *v;
	json_t *ver = json_object_get(doc, "version");
	size_t i;
	int rc = 0;

	if (!json_is_object(doc) || !json_is_integer(ver) ||
	    json_integer_value(ver) != GG_LOCK_VERSION || !json_is_array(pk)) {
		if (c->err)
			gg_buf_printf(c->err, "%s: not a version 1 lock file "
					      "({\"version\": 1, \"packages\": "
					      "[...]})", c->path);
		return GG_EINVAL;
	}
	json_array_foreach(pk, i, v) {
		struct gg_lock_entry e;

		c->index = i;
		rc = parse_entry(c, v, &e);
		if (!rc && gg_lock_find(l, e.name, e.version))
			rc = bad(c, "name", "repeats an installed name@version");
		if (!rc)
			rc = gg_lock_put(l, &e);
		entry_release(&e);
		if (rc)
			break;
	}
	return rc;
}

static int dir_of(const char *path, char *out, size_t outsz)
{
	const char *s = strrchr(path, '/');
	int n = s ? snprintf(out, outsz, "%.*s", (int)(s - path), path)
		  : snprintf(out, outsz, ".");

	return n < 0 || (size_t)n >= outsz ? GG_ETOOBIG : 0;
}

static int take_flock(struct gg_lock *l, struct gg_buf *err)
{
	char dir[4096], f[4200];
	int rc = dir_of(l->path, dir, sizeof(dir));

	if (rc)
		return rc;
	if (mkdir(dir, 0755) && errno != EEXIST)
		rc = gg_from_errno(errno);
	snprintf(f, sizeof(f), "%s/" FLOCK_FILE, dir);
	if (!rc)
		l->flock_fd = open(f, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (!rc && l->flock_fd < 0)
		rc = gg_from_errno(errno);
	while (!rc && flock(l->flock_fd, LOCK_EX))
		if (errno != EINTR)
			rc = gg_from_errno(errno);
	if (rc && err)
		gg_buf_printf(err, "%s: cannot lock: %s", f, gg_strerror(rc));
	return rc;
}

static int read_doc(struct lctx *c, json_t **doc)
{
	json_error_t je;
	struct stat st;

	*doc = NULL;
	if (stat(c->path, &st))
		return errno == ENOENT ? 0 : gg_from_errno(errno);
	if ((uint64_t)st.st_size > GG_LOCK_MAX_SIZE) {
		if (c->err)
			gg_buf_printf(c->err, "%s: larger than %zu bytes",
				      c->path, GG_LOCK_MAX_SIZE);
		return GG_ETOOBIG;
	}
	*doc = json_load_file(c->path, JSON_REJECT_DUPLICATES, &je);
	if (*doc)
		return 0;
	if (c->err)
		gg_buf_printf(c->err, "%s:%d:%d: malformed JSON: %s", c->path,
			      je.line, je.column, je.text);
	return GG_EPARSE;
}

int gg_lock_load_path(const char *path, int exclusive, struct gg_lock *out,
		      struct gg_buf *err)
{
	struct lctx c = { out->path, err, 0 };
	json_t *doc = NULL;
	int n, rc;

	memset(out, 0, sizeof(*out));
	out->flock_fd = -1;
	n = snprintf(out->path, sizeof(out->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(out->path))
		return GG_ETOOBIG;
	rc = exclusive ? take_flock(out, err) : 0;
	if (!rc)
		rc = read_doc(&c, &doc);
	if (!rc && doc)
		rc = parse_doc(&c, doc, out);
	if (rc && err && !err->len)
		gg_buf_printf(err, "%s: %s", path, gg_strerror(rc));
	json_decref(doc);
	if (rc)
		gg_lock_release(out);
	return rc;
}

int gg_lock_load(const char *home, int exclusive, struct gg_lock *out,
		 struct gg_buf *err)
{
	char h[4096], path[4096];
	int n, rc = 0;

	if (!home) {
		rc = gg_home_dir(h, sizeof(h));
		home = h;
	}
	n = snprintf(path, sizeof(path), "%s/packages/" GG_LOCK_FILE, home);
	if (!rc && (n < 0 || (size_t)n >= sizeof(path)))
		rc = GG_ETOOBIG;
	if (!rc && exclusive && mkdir(home, 0700) && errno != EEXIST)
		rc = gg_from_errno(errno);
	if (rc) {
		memset(out, 0, sizeof(*out));
		out->flock_fd = -1;
		return rc;
	}
	return gg_lock_load_path(path, exclusive, out, err);
}

/* ---- saving ---- */

static json_t *entry_json(const struct gg_lock_entry *e)
{
	char id[GG_PKGID_STR_SIZE];
	json_t *deps = json_array();
	size_t i;

	gg_pkgid_to_str(&e->id, id, sizeof(id));
	for (i = 0; deps && i < e->ndeps; i++)
		if (json_array_append_new(deps, json_string(e->deps[i]))) {
			json_decref(deps);
			deps = NULL;
		}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "name",
			 e->name, "version", e->version, "id", id, "source",
			 gg_pkg_source_name(e->source), "path", e->path,
			 "installed_at", (json_int_t)e->installed_at,
			 "dependencies", deps);
}

/* Name first, then version precedence (then text, for a total order). */
static int entry_cmp(const void *a, const void *b)
{
	const struct gg_lock_entry *x = *(const struct gg_lock_entry *const *)a;
	const struct gg_lock_entry *y = *(const struct gg_lock_entry *const *)b;
	struct gg_semver vx, vy;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	if (!gg_semver_parse(x->version, &vx, NULL) &&
	    !gg_semver_parse(y->version, &vy, NULL) &&
	    (r = gg_semver_cmp(&vx, &vy)) != 0)
		return r;
	return strcmp(x->version, y->version);
}

static json_t *lock_json(const struct gg_lock *l)
{
	const struct gg_lock_entry **order;
	json_t *arr = json_array(), *doc = NULL;
	size_t i;

	order = calloc(l->n + 1, sizeof(*order));
	if (!order || !arr)
		goto out;
	for (i = 0; i < l->n; i++)
		order[i] = &l->v[i];
	qsort(order, l->n, sizeof(*order), entry_cmp);
	for (i = 0; i < l->n; i++)
		if (json_array_append_new(arr, entry_json(order[i])))
			goto out;
	doc = json_pack("{s:i, s:O}", "version", GG_LOCK_VERSION, "packages",
			arr);
out:
	json_decref(arr);
	free(order);
	return doc;
}

int gg_lock_save(const struct gg_lock *l, struct gg_buf *err)
{
	char dir[4096];
	json_t *doc = lock_json(l);
	char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	int rc = text ? dir_of(l->path, dir, sizeof(dir)) : GG_ENOMEM;

	if (!rc && mkdir(dir, 0755) && errno != EEXIST)
		rc = gg_from_errno(errno);
	if (!rc) {
		size_t n = strlen(text);

		text[n] = '\n'; /* replaces the NUL; length passed below */
		rc = gg_write_file_atomic(l->path, text, n + 1,
				  0644, GG_FS_REPLACE);
	}
	if (rc && err)
		gg_buf_printf(err, "%s: cannot write: %s", l->path,
			      gg_strerror(rc));
	free(text);
	json_decref(doc);
	return rc;
}
