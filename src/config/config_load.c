/*
 * config_load.c - gg_config_load(): defaults, then the TOML file, then the
 * environment.
 *
 * The file is read whole (at most GG_CONFIG_MAX_FILE bytes), parsed by
 * toml.c, and walked once: [table] -> key -> value, each value checked
 * against its row of the key table.  Every problem is collected, so one
 * run of `config validate` shows them all.  A value in error leaves the
 * previous layer's value in place, but any error fails the whole load.
 */
#include "config/config_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/toml.h"
#include "util/error.h"

#define MAX_NAME 256 /* a dotted key we try to match */

/* Where we are in the file, for "FILE:LINE" in sources and messages. */
struct walk {
	struct gg_config *c;
	struct gg_cfg_ctx x;
	const char *file;
};

static void where(const struct walk *w, const struct toml_value *v,
		  char *out, size_t n)
{
	snprintf(out, n, "%s:%d", w->file, toml_line(v));
}

/* A value as a person wrote it, for "..., not SHOWN". */
static void shown(const struct toml_value *v, struct gg_buf *b)
{
	switch (toml_type(v)) {
	case TOML_STRING:
		if (toml_str_len(v) != strlen(toml_str(v)))
			gg_buf_adds(b, "a string holding a NUL byte");
		else
			gg_cfg_quote(b, toml_str(v));
		break;
	case TOML_INTEGER:
		gg_buf_printf(b, "%lld", (long long)toml_int(v));
		break;
	case TOML_FLOAT:
		gg_buf_printf(b, "%.15g", toml_float(v));
		if (isfinite(toml_float(v)) &&
		    !strpbrk(gg_buf_cstr(b), ".en"))
			gg_buf_adds(b, ".0");
		break;
	case TOML_BOOL:
		gg_buf_adds(b, toml_bool(v) ? "true" : "false");
		break;
	case TOML_ARRAY:
		gg_buf_adds(b, "an array");
		break;
	case TOML_TABLE:
		gg_buf_adds(b, "a table");
		break;
	default:
		gg_buf_printf(b, "the date/time %s", toml_datetime_text(v));
		break;
	}
}

static int not_string(struct walk *w, const struct gg_config_key *k,
		      const struct toml_value *e, const char *at)
{
	struct gg_buf s = GG_BUF_INIT(8192);

	shown(e, &s);
	gg_cfg_line(w->x.err, "%s: key '%s': %s is not a string", at,
		    k->name, gg_buf_cstr(&s));
	w->x.nerr++;
	gg_buf_release(&s);
	return GG_ECONFIG;
}

static int apply_list(struct walk *w, const struct gg_config_key *k,
		      const struct toml_value *v, const char *at,
		      const char *what)
{
	size_t i, n = toml_len(v);
	const char **items;
	struct cfg_val nv = { .n = (int)n };
	char at2[PATH_MAX + 32];
	int rc = 0;

	if (toml_type(v) != TOML_ARRAY || (int64_t)n > k->max ||
	    (int64_t)n < k->min)
		return gg_cfg_bad(&w->x, at, k, what);
	items = calloc(n + 1, sizeof(*items));
	if (!items)
		return GG_ENOMEM;
	for (i = 0; i < n; i++) {
		const struct toml_value *e = toml_at(v, i);

		where(w, e, at2, sizeof(at2));
		if (toml_type(e) != TOML_STRING) {
			rc = not_string(w, k, e, at2);
			continue;
		}
		items[i] = toml_str(e);
		if (gg_cfg_check_item(&w->x, at2, k, items[i],
				      toml_str_len(e)))
			rc = GG_ECONFIG;
	}
	if (!rc)
		rc = gg_cfg_store(w->c, k, &nv, items, at);
	free(items);
	return rc;
}

/* Check one value of a known key and, when it is good, store it. */
static int apply(struct walk *w, const struct gg_config_key *k,
		 const struct toml_value *v)
{
	struct gg_buf s = GG_BUF_INIT(8192);
	struct cfg_val nv = { 0 };
	enum toml_type t = toml_type(v);
	char at[PATH_MAX + 32];
	const char *what;
	int rc;

	where(w, v, at, sizeof(at));
	shown(v, &s);
	what = gg_buf_cstr(&s);
	if (k->type == GG_CFG_STRLIST || k->type == GG_CFG_ADDRLIST) {
		rc = apply_list(w, k, v, at, what);
		goto out;
	}
	rc = 0;
	if (k->type == GG_CFG_INT && t == TOML_INTEGER) {
		nv.i = toml_int(v);
		rc = gg_cfg_check_int(&w->x, at, k, nv.i, what);
	} else if (k->type == GG_CFG_FLOAT &&
		   (t == TOML_FLOAT || t == TOML_INTEGER)) {
		nv.f = t == TOML_FLOAT ? toml_float(v) : (double)toml_int(v);
		rc = gg_cfg_check_float(&w->x, at, k, nv.f, what);
	} else if (k->type == GG_CFG_BOOL && t == TOML_BOOL) {
		nv.i = toml_bool(v) != 0;
		rc = gg_cfg_check_int(&w->x, at, k, nv.i, what);
	} else if (k->type == GG_CFG_STR && t == TOML_STRING) {
		nv.s = (char *)toml_str(v);
		rc = gg_cfg_check_str(&w->x, at, k, nv.s, toml_str_len(v),
				      what);
	} else {
		rc = gg_cfg_bad(&w->x, at, k, what);
	}
	if (!rc)
		rc = gg_cfg_store(w->c, k, &nv, NULL, at);
out:
	gg_buf_release(&s);
	return rc;
}

/* Is name the table part of some key ("network")? */
static int is_section(const char *name)
{
	size_t i, n = strlen(name);
	const char *k;

	for (i = 0; i < gg_config_nkeys(); i++) {
		k = gg_config_key_at(i)->name;
		if (!strncmp(k, name, n) && k[n] == '.')
			return 1;
	}
	return 0;
}

static void unknown(struct walk *w, const char *name,
		    const struct toml_value *v, int table)
{
	char buf[64];
	const char *near = NULL;

	/* a top-level [table] is compared with tables, anything else with
	 * keys ([network.mdn] is a misplaced key more likely than a table) */
	if (table && !strchr(name, '.'))
		near = gg_config_suggest_table(name, buf, sizeof(buf));
	if (!near)
		near = gg_config_suggest(name);
	if (near)
		gg_cfg_line(w->x.warn, "%s:%d: unknown %s '%s' (did you mean "
			    "'%s'?)", w->file, toml_line(v),
			    table ? "table" : "key", name, near);
	else
		gg_cfg_line(w->x.warn, "%s:%d: unknown %s '%s'", w->file,
			    toml_line(v), table ? "table" : "key", name);
}

static int walk_section(struct walk *w, const char *sect,
			const struct toml_value *t)
{
	const struct gg_config_key *k;
	char name[MAX_NAME];
	size_t i;
	int n, rc = 0;

	for (i = 0; i < toml_len(t); i++) {
		const struct toml_value *v = toml_at(t, i);

		n = snprintf(name, sizeof(name), "%s.%s", sect,
			     toml_key_at(t, i));
		k = n > 0 && (size_t)n < sizeof(name) ?
			    gg_config_key_find(name) : NULL;
		if (!k)
			unknown(w, name, v, toml_type(v) == TOML_TABLE);
		else if (apply(w, k, v) == GG_ENOMEM)
			rc = GG_ENOMEM;
	}
	return rc;
}

static int walk_root(struct walk *w, const struct toml_value *root)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < toml_len(root); i++) {
		const char *name = toml_key_at(root, i);
		const struct toml_value *v = toml_at(root, i);
		int table = toml_type(v) == TOML_TABLE;

		if (table && is_section(name)) {
			rc = walk_section(w, name, v);
		} else if (is_section(name)) {
			struct gg_buf s = GG_BUF_INIT(8192);

			shown(v, &s);
			gg_cfg_line(w->x.err, "%s:%d: '%s' must be a table "
				    "([%s]), not %s", w->file, toml_line(v),
				    name, name, gg_buf_cstr(&s));
			w->x.nerr++;
			gg_buf_release(&s);
		} else {
			unknown(w, name, v, table);
		}
	}
	return rc;
}

/* Read the whole file; *missing set when it does not exist. */
static int read_file(const char *path, struct gg_buf *data, int *missing,
		     struct gg_cfg_ctx *x)
{
	char chunk[8192];
	ssize_t r;
	int fd, rc = 0;

	*missing = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*missing = errno == ENOENT;
		gg_cfg_line(x->err, "cannot read %s: %s", path,
			    strerror(errno));
		return GG_ECONFIG;
	}
	while (!rc && (r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			gg_cfg_line(x->err, "cannot read %s: %s", path,
				    strerror(errno));
			rc = GG_ECONFIG;
		} else if (gg_buf_add(data, chunk, (size_t)r)) {
			gg_cfg_line(x->err, "cannot read %s: larger than %zu "
				    "bytes", path, GG_CONFIG_MAX_FILE);
			rc = GG_ECONFIG;
		}
	}
	close(fd);
	return rc;
}

/* Parse the document and walk it; syntax errors count as one error. */
static int load_text(struct walk *w, const char *text, size_t len)
{
	struct toml_error te = { 0 };
	struct toml_value *root;
	int rc;

	root = toml_parse(text, len, &te);
	if (!root) {
		gg_cfg_line(w->x.err, "%s:%d:%d: %s", w->file, te.line, te.col,
			    te.msg);
		w->x.nerr++;
		return 0;
	}
	rc = walk_root(w, root);
	toml_free(root);
	return rc;
}

/* Read, parse and walk the file; a missing file is fine when optional. */
static int load_file(struct walk *w, int optional)
{
	struct gg_buf data = GG_BUF_INIT(GG_CONFIG_MAX_FILE);
	struct gg_buf scratch = GG_BUF_INIT(4096);
	struct gg_cfg_ctx quiet = { .err = &scratch };
	int missing, rc;

	rc = read_file(w->file, &data, &missing, optional ? &quiet : &w->x);
	if (rc && optional && missing) {
		rc = 0;
	} else if (rc) {
		if (optional) /* the message went to scratch */
			gg_cfg_line(w->x.err, "%s", gg_buf_cstr(&scratch));
		w->x.nerr++;
		rc = 0;
	} else {
		rc = load_text(w, gg_buf_cstr(&data), data.len);
	}
	gg_buf_release(&data);
	gg_buf_release(&scratch);
	return rc;
}

static int load_env(struct walk *w)
{
	const char *url = getenv("GGEN_REGISTRY_URL");
	int rc;

	if (!url)
		return 0;
	rc = gg_config_set(w->c, "registry.url", url, "env GGEN_REGISTRY_URL",
			   w->x.err);
	if (rc == GG_ECONFIG)
		w->x.nerr++;
	return rc == GG_ECONFIG ? 0 : rc;
}

int gg_config_load(const char *path, struct gg_config **out,
		   struct gg_buf *err, struct gg_buf *warn)
{
	struct walk w = { .x = { .err = err, .warn = warn } };
	char file[PATH_MAX];
	int rc;

	*out = NULL;
	rc = gg_config_path(path, file, sizeof(file));
	if (rc) {
		gg_cfg_line(err, "cannot find the configuration file: %s "
			    "(set GGEN_HOME or HOME)", gg_strerror(rc));
		return GG_ECONFIG;
	}
	rc = gg_config_defaults(&w.c);
	if (!rc && !(w.c->file = gg_cfg_strdup(file)))
		rc = GG_ENOMEM;
	w.file = file;
	if (!rc)
		rc = load_file(&w, path == NULL);
	if (!rc)
		rc = load_env(&w);
	if (!rc && w.x.nerr)
		rc = GG_ECONFIG;
	if (rc) {
		gg_config_free(w.c);
		return rc;
	}
	*out = w.c;
	return 0;
}

int gg_config_load_text(const char *name, const char *text, size_t len,
			struct gg_config **out, struct gg_buf *err,
			struct gg_buf *warn)
{
	struct walk w = { .x = { .err = err, .warn = warn }, .file = name };
	int rc;

	*out = NULL;
	if (len > GG_CONFIG_MAX_FILE) {
		gg_cfg_line(err, "%s: larger than %zu bytes", name,
			    GG_CONFIG_MAX_FILE);
		return GG_ECONFIG;
	}
	rc = gg_config_defaults(&w.c);
	if (!rc && !(w.c->file = gg_cfg_strdup(name)))
		rc = GG_ENOMEM;
	if (!rc)
		rc = load_text(&w, text, len);
	if (!rc && w.x.nerr)
		rc = GG_ECONFIG;
	if (rc) {
		gg_config_free(w.c);
		return rc;
	}
	*out = w.c;
	return 0;
}
