/*
 * config.c - the effective configuration: values in the layers of
 * ADR-005 (defaults < file < environment < flags), each checked against
 * its row of the key table and remembering where it came from.
 *
 * The loader reads the file through our TOML parser (toml.h), walks the
 * tree once, and collects every problem instead of stopping at the first,
 * so `config validate` can show them all: wrong types and out-of-range
 * values are errors (GG_ECONFIG), unknown keys and tables are warnings
 * that name the nearest known key.
 */
#include "config/config_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>

#include "config/toml.h"
#include "net/multiaddr.h"
#include "util/error.h"
#include "util/log.h"


void gg_cfg_line(struct gg_buf *b, const char *fmt, ...)
{
	va_list ap;

	if (!b)
		return;
	if (b->len)
		gg_buf_addc(b, '\n');
	va_start(ap, fmt);
	gg_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *gg_cfg_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static void list_free(char **list, int n)
{
	int i;

	for (i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

static void val_release(struct cfg_val *v)
{
	free(v->s);
	list_free(v->list, v->n);
	free(v->source);
	memset(v, 0, sizeof(*v));
}

void gg_config_free(struct gg_config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		val_release(&c->v[i]);
	free(c->file);
	free(c);
}

/* A copy of n strings as a NULL-terminated array. */
static char **list_dup(const char *const *items, int n)
{
	char **l = calloc((size_t)n + 1, sizeof(*l));
	int i;

	for (i = 0; l && i < n; i++) {
		l[i] = gg_cfg_strdup(items[i]);
		if (!l[i]) {
			list_free(l, i);
			return NULL;
		}
	}
	return l;
}

static int set_source(struct cfg_val *v, const char *source)
{
	char *s = gg_cfg_strdup(source);

	if (!s)
		return GG_ENOMEM;
	free(v->source);
	v->source = s;
	return 0;
}

static int set_default(struct cfg_val *v, const struct gg_config_key *k)
{
	int n = 0;

	v->i = k->def_int;
	v->f = k->def_float;
	if (k->type == GG_CFG_STR && !(v->s = gg_cfg_strdup(k->def_str)))
		return GG_ENOMEM;
	if (k->type == GG_CFG_STRLIST || k->type == GG_CFG_ADDRLIST) {
		while (k->def_list && k->def_list[n])
			n++;
		v->list = list_dup(k->def_list, n);
		if (!v->list)
			return GG_ENOMEM;
		v->n = n;
	}
	return set_source(v, "default");
}

int gg_config_defaults(struct gg_config **out)
{
	size_t i, n = gg_config_nkeys();
	struct gg_config *c;
	int rc = 0;

	*out = NULL;
	c = calloc(1, sizeof(*c) + n * sizeof(c->v[0]));
	if (!c)
		return GG_ENOMEM;
	c->n = n;
	for (i = 0; !rc && i < n; i++)
		rc = set_default(&c->v[i], gg_config_key_at(i));
	if (rc) {
		gg_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* The value slot of key when it has the given type (-1: any type). */
static struct cfg_val *slot(const struct gg_config *c, const char *key,
			    int type)
{
	const struct gg_config_key *k = gg_config_key_find(key);

	if (!c || !k || (type >= 0 && (int)k->type != type)) {
		gg_error("config", "key '%s' %s (a bug)", key ? key : "(null)",
			 k ? "read as the wrong type" : "does not exist");
		return NULL;
	}
	return (struct cfg_val *)&c->v[k - gg_config_key_at(0)];
}

const char *gg_config_str(const struct gg_config *c, const char *key)
{
	const struct cfg_val *v = slot(c, key, GG_CFG_STR);

	return v ? v->s : NULL;
}

int64_t gg_config_int(const struct gg_config *c, const char *key)
{
	const struct cfg_val *v = slot(c, key, GG_CFG_INT);

	return v ? v->i : 0;
}

double gg_config_float(const struct gg_config *c, const char *key)
{
	const struct cfg_val *v = slot(c, key, GG_CFG_FLOAT);

	return v ? v->f : 0.0;
}

int gg_config_bool(const struct gg_config *c, const char *key)
{
	const struct cfg_val *v = slot(c, key, GG_CFG_BOOL);

	return v ? (int)v->i : 0;
}

int gg_config_list(const struct gg_config *c, const char *key,
		   const char *const **items)
{
	const struct gg_config_key *k = gg_config_key_find(key);
	const struct cfg_val *v = NULL;

	if (k && (k->type == GG_CFG_STRLIST || k->type == GG_CFG_ADDRLIST))
		v = slot(c, key, -1);
	else
		slot(c, key, 99); /* logs the bug */
	*items = v ? (const char *const *)v->list : NULL;
	return v ? v->n : 0;
}

const char *gg_config_source(const struct gg_config *c, const char *key)
{
	const struct cfg_val *v = slot(c, key, -1);

	return v ? v->source : NULL;
}

const char *gg_config_file(const struct gg_config *c)
{
	return c ? c->file : NULL;
}

int gg_cfg_quote(struct gg_buf *b, const char *s)
{
	int rc = gg_buf_addc(b, '"');

	for (; !rc && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			rc = gg_buf_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			rc = gg_buf_printf(b, "\\u%04x", ch);
		else
			rc = gg_buf_addc(b, ch);
	}
	return rc ? rc : gg_buf_addc(b, '"');
}

/* A float TOML reads back as a float: "0.7", "1.0". */
static int float_text(struct gg_buf *b, double f)
{
	char t[64];

	snprintf(t, sizeof(t), "%.15g", f);
	if (!strpbrk(t, ".eni"))
		return gg_buf_printf(b, "%s.0", t);
	return gg_buf_adds(b, t);
}

int gg_config_value_toml(const struct gg_config *c, const char *key,
			 struct gg_buf *out)
{
	const struct gg_config_key *k = gg_config_key_find(key);
	const struct cfg_val *v = slot(c, key, -1);
	int i, rc = 0;

	if (!v)
		return GG_ENOTFOUND;
	switch (k->type) {
	case GG_CFG_STR:
		return gg_cfg_quote(out, v->s);
	case GG_CFG_INT:
		return gg_buf_printf(out, "%lld", (long long)v->i);
	case GG_CFG_FLOAT:
		return float_text(out, v->f);
	case GG_CFG_BOOL:
		return gg_buf_adds(out, v->i ? "true" : "false");
	default:
		break;
	}
	rc = gg_buf_addc(out, '[');
	for (i = 0; !rc && i < v->n; i++) {
		if (i)
			rc = gg_buf_adds(out, ", ");
		if (!rc)
			rc = gg_cfg_quote(out, v->list[i]);
	}
	return rc ? rc : gg_buf_addc(out, ']');
}

/* ---- checking one value against its key ---- */

/* What the key allows, for "must be ..." messages. */
static void allowed(const struct gg_config_key *k, char *o, size_t n)
{
	switch (k->type) {
	case GG_CFG_INT:
		snprintf(o, n, "an integer from %lld to %lld%s%s%s",
			 (long long)k->min, (long long)k->max,
			 k->unit ? " (" : "", k->unit ? k->unit : "",
			 k->unit ? ")" : "");
		break;
	case GG_CFG_FLOAT:
		snprintf(o, n, "a number from %g to %g", k->fmin, k->fmax);
		break;
	case GG_CFG_BOOL:
		snprintf(o, n, "true or false");
		break;
	case GG_CFG_STR:
		snprintf(o, n, "a string%s of %lld to %lld bytes",
			 k->flags & GG_CFG_F_SLASH ? " starting with /" : "",
			 (long long)k->min, (long long)k->max);
		break;
	case GG_CFG_STRLIST:
	case GG_CFG_ADDRLIST:
		snprintf(o, n, "an array of at most %lld %s", (long long)k->max,
			 k->type == GG_CFG_ADDRLIST ?
				 "multiaddrs (\"/ip4/127.0.0.1/tcp/4001\")" :
				 "strings");
		break;
	}
}

int gg_cfg_bad(struct gg_cfg_ctx *x, const char *where,
		     const struct gg_config_key *k, const char *shown)
{
	char what[160];

	allowed(k, what, sizeof(what));
	gg_cfg_line(x->err, "%s: key '%s' must be %s, not %s", where, k->name,
		 what, shown);
	x->nerr++;
	return GG_ECONFIG;
}

/* TCP is the only transport: /ip4|ip6|dns|dns4|dns6/HOST/tcp/PORT, with
 * an optional /p2p/PEER-ID. */
static int addr_ok(const char *s)
{
	struct gg_multiaddr ma;
	char host[256];
	uint16_t port;
	int family;

	return gg_multiaddr_parse(s, &ma) == 0 &&
	       gg_multiaddr_tcp(&ma, host, sizeof(host), &family, &port, NULL,
				NULL) == 0;
}

/* Control characters have no place in a URL, topic or protocol id. */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int gg_cfg_check_str(struct gg_cfg_ctx *x, const char *where,
		     const struct gg_config_key *k, const char *s, size_t len,
		     const char *shown)
{
	if (len != strlen(s) || has_control(s) || (int64_t)len < k->min ||
	    (int64_t)len > k->max ||
	    ((k->flags & GG_CFG_F_SLASH) && s[0] != '/'))
		return gg_cfg_bad(x, where, k, shown);
	return 0;
}

int gg_cfg_check_item(struct gg_cfg_ctx *x, const char *where,
		      const struct gg_config_key *k, const char *s, size_t len)
{
	struct gg_buf q = GG_BUF_INIT(4 * GG_CFG_MAX_ITEM);
	int rc = 0;

	if (len != strlen(s) || len > GG_CFG_MAX_ITEM ||
	    (k->type == GG_CFG_ADDRLIST && !addr_ok(s))) {
		gg_cfg_quote(&q, s);
		gg_cfg_line(x->err, "%s: key '%s': %s is not a valid %s", where,
			    k->name, gg_buf_cstr(&q),
			    k->type == GG_CFG_ADDRLIST ?
				    "TCP multiaddr (like "
				    "\"/ip4/127.0.0.1/tcp/4001\")" :
				    "string (at most 1024 bytes, no NUL)");
		x->nerr++;
		rc = GG_ECONFIG;
	}
	gg_buf_release(&q);
	return rc;
}

int gg_cfg_check_int(struct gg_cfg_ctx *x, const char *where,
		     const struct gg_config_key *k, int64_t i,
		     const char *shown)
{
	if (k->type == GG_CFG_BOOL && i && k->refuse_true) {
		gg_cfg_line(x->err, "%s: key '%s' = true is refused: %s", where,
			 k->name, k->refuse_true);
		x->nerr++;
		return GG_ECONFIG;
	}
	if (k->type == GG_CFG_INT && (i < k->min || i > k->max))
		return gg_cfg_bad(x, where, k, shown);
	return 0;
}

int gg_cfg_check_float(struct gg_cfg_ctx *x, const char *where,
		       const struct gg_config_key *k, double f,
		       const char *shown)
{
	if (!isfinite(f) || f < k->fmin || f > k->fmax)
		return gg_cfg_bad(x, where, k, shown);
	return 0;
}

/* ---- setting values ---- */

int gg_cfg_store(struct gg_config *c, const struct gg_config_key *k,
		 const struct cfg_val *nv, const char *const *items,
		 const char *source)
{
	struct cfg_val *v = &c->v[k - gg_config_key_at(0)];
	char *s = NULL, **l = NULL;

	if (k->type == GG_CFG_STR && !(s = gg_cfg_strdup(nv->s)))
		return GG_ENOMEM;
	if ((k->type == GG_CFG_STRLIST || k->type == GG_CFG_ADDRLIST) &&
	    !(l = list_dup(items, nv->n)))
		return GG_ENOMEM;
	if (set_source(v, source)) {
		free(s);
		list_free(l, nv->n);
		return GG_ENOMEM;
	}
	if (k->type == GG_CFG_STR) {
		free(v->s);
		v->s = s;
	} else if (l) {
		list_free(v->list, v->n);
		v->list = l;
		v->n = nv->n;
	}
	v->i = nv->i;
	v->f = nv->f;
	return 0;
}

/* A flag or environment value as text, parsed by the key's type. */
static int parse_text(struct gg_cfg_ctx *x, const struct gg_config_key *k,
		      const char *where, const char *value, struct cfg_val *nv)
{
	struct gg_buf q = GG_BUF_INIT(8192);
	char *end = NULL;
	int rc = 0;

	gg_cfg_quote(&q, value);
	errno = 0;
	if (k->type == GG_CFG_INT) {
		nv->i = strtoll(value, &end, 10);
		if (!*value || *end || errno)
			rc = gg_cfg_bad(x, where, k, gg_buf_cstr(&q));
		else
			rc = gg_cfg_check_int(x, where, k, nv->i, value);
	} else if (k->type == GG_CFG_FLOAT) {
		nv->f = strtod(value, &end);
		if (!*value || *end || errno)
			rc = gg_cfg_bad(x, where, k, gg_buf_cstr(&q));
		else
			rc = gg_cfg_check_float(x, where, k, nv->f, value);
	} else if (k->type == GG_CFG_BOOL) {
		if (!strcmp(value, "true") || !strcmp(value, "1"))
			nv->i = 1;
		else if (!strcmp(value, "false") || !strcmp(value, "0"))
			nv->i = 0;
		else
			rc = gg_cfg_bad(x, where, k, gg_buf_cstr(&q));
		if (!rc)
			rc = gg_cfg_check_int(x, where, k, nv->i, value);
	} else {
		nv->s = (char *)value;
		rc = gg_cfg_check_str(x, where, k, value, strlen(value),
			       gg_buf_cstr(&q));
	}
	gg_buf_release(&q);
	return rc;
}

static int set_list(struct gg_config *c, const struct gg_config_key *k,
		    const char *const *items, int n, const char *source,
		    struct gg_cfg_ctx *x)
{
	struct cfg_val nv = { .n = n };
	int i, rc = 0;

	if (n < k->min || n > k->max) {
		char shown[32];

		snprintf(shown, sizeof(shown), "%d items", n);
		return gg_cfg_bad(x, source, k, shown);
	}
	for (i = 0; i < n; i++)
		if (gg_cfg_check_item(x, source, k, items[i], strlen(items[i])))
			rc = GG_ECONFIG;
	if (!rc)
		rc = gg_cfg_store(c, k, &nv, items,
			   source);
	return rc;
}

int gg_config_set_list(struct gg_config *c, const char *key,
		       const char *const *items, int n, const char *source,
		       struct gg_buf *err)
{
	const struct gg_config_key *k = gg_config_key_find(key);
	struct gg_cfg_ctx x = { .err = err };

	if (!k) {
		gg_cfg_line(err, "%s: unknown key '%s'", source, key);
		return GG_ENOTFOUND;
	}
	if (k->type != GG_CFG_STRLIST && k->type != GG_CFG_ADDRLIST) {
		gg_cfg_line(err, "%s: key '%s' is not a list", source, key);
		return GG_ECONFIG;
	}
	return set_list(c, k, items, n < 0 ? 0 : n, source, &x);
}

int gg_config_set(struct gg_config *c, const char *key, const char *value,
		  const char *source, struct gg_buf *err)
{
	const struct gg_config_key *k = gg_config_key_find(key);
	struct gg_cfg_ctx x = { .err = err };
	struct cfg_val nv = { 0 };
	int rc;

	if (!k) {
		gg_cfg_line(err, "%s: unknown key '%s'", source, key);
		return GG_ENOTFOUND;
	}
	if (k->type == GG_CFG_STRLIST || k->type == GG_CFG_ADDRLIST)
		/* one item; "" clears the list */
		return set_list(c, k, &value, *value ? 1 : 0, source, &x);
	rc = parse_text(&x, k, source, value, &nv);
	if (!rc)
		rc = gg_cfg_store(c, k, &nv, NULL,
			   source);
	return rc;
}

