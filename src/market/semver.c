/*
 * semver.c - SemVer 2.0 parsing and precedence, cargo-style requirements
 * and dependency strings.
 *
 * Parsing goes through a small cursor over the text; every number is
 * checked for leading zeros and overflow, every identifier for its
 * alphabet, and the whole text for length (GG_SEMVER_MAX), so the fixed
 * buffers of struct gg_semver can never overflow.  Matching follows the
 * rules of cargo's semver crate comparator by comparator (see semver.h for
 * the one deliberate difference: a bare version is exact).
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "market/manifest.h"
#include "market/semver.h"
#include "util/error.h"

struct cur {
	const char *p;
	const char *end;
};

static int cur_peek(const struct cur *c)
{
	return c->p < c->end ? (unsigned char)*c->p : -1;
}

static void set_why(const char **why, const char *msg)
{
	if (why)
		*why = msg;
}

/* A decimal number without leading zeros; fails on overflow. */
static int parse_num(struct cur *c, uint64_t *out, const char **why)
{
	const char *start = c->p;
	uint64_t v = 0;

	while (c->p < c->end && isdigit((unsigned char)*c->p)) {
		unsigned d = (unsigned)(*c->p - '0');

		if (v > (UINT64_MAX - d) / 10) {
			set_why(why, "version number too large");
			return GG_EPARSE;
		}
		v = v * 10 + d;
		c->p++;
	}
	if (c->p == start) {
		set_why(why, "not MAJOR.MINOR.PATCH");
		return GG_EPARSE;
	}
	if (*start == '0' && c->p - start > 1) {
		set_why(why, "leading zero in a version number");
		return GG_EPARSE;
	}
	*out = v;
	return 0;
}

static int ident_char(int ch)
{
	return ch >= 0 && (isalnum(ch) || ch == '-');
}

/*
 * Dot-separated identifiers (pre-release when pre, else build metadata),
 * copied into out.  Numeric pre-release identifiers may not have leading
 * zeros; no identifier may be empty.
 */
static int parse_idents(struct cur *c, int pre, char *out, size_t outsz,
			const char **why)
{
	const char *start = c->p;

	for (;;) {
		const char *id = c->p;
		int numeric = 1;

		while (ident_char(cur_peek(c))) {
			if (!isdigit((unsigned char)*c->p))
				numeric = 0;
			c->p++;
		}
		if (c->p == id) {
			set_why(why, pre ? "empty pre-release identifier" :
					   "empty build identifier");
			return GG_EPARSE;
		}
		if (pre && numeric && *id == '0' && c->p - id > 1) {
			set_why(why, "leading zero in a pre-release number");
			return GG_EPARSE;
		}
		if (cur_peek(c) != '.')
			break;
		c->p++;
	}
	if ((size_t)(c->p - start) >= outsz) {
		set_why(why, "version too long");
		return GG_EPARSE;
	}
	memcpy(out, start, (size_t)(c->p - start));
	out[c->p - start] = 0;
	return 0;
}

/* "-pre" and "+build" after the numbers, if present. */
static int parse_tail(struct cur *c, char *pre, char *build,
		      const char **why)
{
	int rc = 0;

	pre[0] = build[0] = 0;
	if (cur_peek(c) == '-') {
		c->p++;
		rc = parse_idents(c, 1, pre, GG_SEMVER_MAX, why);
	}
	if (!rc && cur_peek(c) == '+') {
		c->p++;
		rc = parse_idents(c, 0, build, GG_SEMVER_MAX, why);
	}
	return rc;
}

static int parse_dot_num(struct cur *c, uint64_t *out, const char **why)
{
	if (cur_peek(c) != '.') {
		set_why(why, "not MAJOR.MINOR.PATCH");
		return GG_EPARSE;
	}
	c->p++;
	return parse_num(c, out, why);
}

int gg_semver_parse(const char *s, struct gg_semver *out, const char **why)
{
	struct cur c;
	int rc;

	if (!s || strlen(s) >= GG_SEMVER_MAX) {
		set_why(why, s ? "version too long" : "no version");
		return GG_EPARSE;
	}
	c.p = s;
	c.end = s + strlen(s);
	rc = parse_num(&c, &out->major, why);
	if (!rc)
		rc = parse_dot_num(&c, &out->minor, why);
	if (!rc)
		rc = parse_dot_num(&c, &out->patch, why);
	if (!rc)
		rc = parse_tail(&c, out->pre, out->build, why);
	if (!rc && c.p != c.end) {
		set_why(why, "unexpected character after the version");
		rc = GG_EPARSE;
	}
	return rc;
}

int gg_semver_valid(const char *s)
{
	struct gg_semver v;

	return gg_semver_parse(s, &v, NULL) == 0;
}

int gg_semver_to_str(const struct gg_semver *v, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%llu.%llu.%llu%s%s%s%s",
			 (unsigned long long)v->major,
			 (unsigned long long)v->minor,
			 (unsigned long long)v->patch, v->pre[0] ? "-" : "",
			 v->pre, v->build[0] ? "+" : "", v->build);

	if (n < 0 || (size_t)n >= outsz)
		return GG_ETOOBIG;
	return n;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int all_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

/* One pre-release identifier against another (SemVer §11.4). */
static int cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
	int da = all_digits(a, an), db = all_digits(b, bn);
	int r;

	if (da && db) {
		/* no leading zeros, so the longer number is larger */
		if (an != bn)
			return an < bn ? -1 : 1;
		return memcmp(a, b, an);
	}
	if (da != db)
		return da ? -1 : 1;
	r = memcmp(a, b, an < bn ? an : bn);
	if (r)
		return r;
	return cmp_u64(an, bn);
}

/* Pre-release strings; "" (a release) sorts above every pre-release. */
static int cmp_pre(const char *a, const char *b)
{
	if (!*a || !*b)
		return !*a - !*b;
	for (;;) {
		size_t an = strcspn(a, "."), bn = strcspn(b, ".");
		int r = cmp_ident(a, an, b, bn);

		if (r)
			return r < 0 ? -1 : 1;
		a += an;
		b += bn;
		if (!*a || !*b)
			return !*b - !*a;
		a++;
		b++;
	}
}

int gg_semver_cmp(const struct gg_semver *a, const struct gg_semver *b)
{
	int r = cmp_u64(a->major, b->major);

	if (!r)
		r = cmp_u64(a->minor, b->minor);
	if (!r)
		r = cmp_u64(a->patch, b->patch);
	if (!r)
		r = cmp_pre(a->pre, b->pre);
	return r;
}

/* ---- requirements ---- */

static int is_wild(int ch)
{
	return ch == '*' || ch == 'x' || ch == 'X';
}

static void skip_space(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static enum gg_req_op parse_op(struct cur *c, int *explicit_op)
{
	static const struct {
		const char *text;
		enum gg_req_op op;
	} ops[] = { { ">=", GG_REQ_GREATER_EQ }, { "<=", GG_REQ_LESS_EQ },
		    { ">", GG_REQ_GREATER },	 { "<", GG_REQ_LESS },
		    { "=", GG_REQ_EXACT },	 { "~", GG_REQ_TILDE },
		    { "^", GG_REQ_CARET } };
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if ((size_t)(c->end - c->p) >= n &&
		    !memcmp(c->p, ops[i].text, n)) {
			c->p += n;
			*explicit_op = 1;
			return ops[i].op;
		}
	}
	*explicit_op = 0;
	return GG_REQ_EXACT;
}

/*
 * MINOR or PATCH after a '.': a number, or a wildcard that ends the
 * version.  *have is set when a number was read, *wild for a wildcard.
 */
static int parse_part(struct cur *c, uint64_t *v, int *have, int *wild,
		      const char **why)
{
	if (cur_peek(c) != '.')
		return 0;
	c->p++;
	if (is_wild(cur_peek(c))) {
		c->p++;
		*wild = 1;
		return 0;
	}
	*have = 1;
	return parse_num(c, v, why);
}

/* The version of one comparator: MAJOR[.MINOR[.PATCH]][-pre][+build],
 * each of MINOR and PATCH possibly a trailing wildcard. */
static int parse_comp_version(struct cur *c, struct gg_req_comp *k,
			      int *wild, const char **why)
{
	char build[GG_SEMVER_MAX];
	int rc, wild2 = 0;

	rc = parse_num(c, &k->major, why);
	if (!rc)
		rc = parse_part(c, &k->minor, &k->has_minor, wild, why);
	if (!rc && k->has_minor)
		rc = parse_part(c, &k->patch, &k->has_patch, &wild2, why);
	if (rc)
		return rc;
	*wild |= wild2;
	if (*wild && cur_peek(c) == '.') {
		set_why(why, "nothing may follow a wildcard");
		return GG_EPARSE;
	}
	if (!*wild && (cur_peek(c) == '-' || cur_peek(c) == '+')) {
		if (cur_peek(c) == '-' && !k->has_patch) {
			set_why(why, "a pre-release needs MAJOR.MINOR.PATCH");
			return GG_EPARSE;
		}
		rc = parse_tail(c, k->pre, build, why);
	}
	return rc;
}

/* One comparator from c up to the end of c (a comma was cut off). */
static int parse_comp(struct cur *c, struct gg_req_comp *k, const char **why)
{
	int explicit_op, wild = 0, rc;

	memset(k, 0, sizeof(*k));
	skip_space(c);
	k->op = parse_op(c, &explicit_op);
	skip_space(c);
	if (c->p == c->end) {
		set_why(why, "empty comparator");
		return GG_EPARSE;
	}
	rc = parse_comp_version(c, k, &wild, why);
	if (rc)
		return rc;
	skip_space(c);
	if (c->p != c->end) {
		set_why(why, "unexpected character in a requirement");
		return GG_EPARSE;
	}
	if (wild && explicit_op && k->op != GG_REQ_EXACT) {
		set_why(why, "a wildcard cannot follow an operator");
		return GG_EPARSE;
	}
	if (wild)
		k->op = GG_REQ_WILDCARD;
	return 0;
}

static int is_star(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end - p == 1 && is_wild((unsigned char)*p);
}

int gg_semver_req_parse(const char *s, struct gg_semver_req *out,
			const char **why)
{
	const char *p, *end;
	size_t len = s ? strlen(s) : 0;

	memset(out, 0, sizeof(*out));
	if (len >= GG_REQ_MAX_TEXT) {
		set_why(why, "requirement too long");
		return GG_EPARSE;
	}
	if (!len || is_star(s, s + len))
		return 0;
	for (p = s, end = s + len; p <= end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		struct cur c = { p, comma ? comma : end };
		int rc;

		if (is_star(c.p, c.end)) {
			set_why(why, "'*' must be the only comparator");
			return GG_EPARSE;
		}
		if (out->n == GG_REQ_MAX_COMPS) {
			set_why(why, "too many comparators");
			return GG_EPARSE;
		}
		rc = parse_comp(&c, &out->c[out->n], why);
		if (rc)
			return rc;
		out->n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static int match_exact(const struct gg_req_comp *k, const struct gg_semver *v)
{
	if (v->major != k->major)
		return 0;
	if (k->has_minor && v->minor != k->minor)
		return 0;
	if (k->has_patch && v->patch != k->patch)
		return 0;
	return cmp_pre(v->pre, k->pre) == 0;
}

/* v > k (sign 1) or v < k (sign -1), partial versions as in cargo. */
static int match_order(const struct gg_req_comp *k, const struct gg_semver *v,
		       int sign)
{
	if (v->major != k->major)
		return cmp_u64(v->major, k->major) == sign;
	if (!k->has_minor)
		return 0;
	if (v->minor != k->minor)
		return cmp_u64(v->minor, k->minor) == sign;
	if (!k->has_patch)
		return 0;
	if (v->patch != k->patch)
		return cmp_u64(v->patch, k->patch) == sign;
	return cmp_pre(v->pre, k->pre) == sign;
}

static int match_tilde(const struct gg_req_comp *k, const struct gg_semver *v)
{
	if (v->major != k->major)
		return 0;
	if (k->has_minor && v->minor != k->minor)
		return 0;
	if (k->has_patch && v->patch != k->patch)
		return v->patch > k->patch;
	return cmp_pre(v->pre, k->pre) >= 0;
}

static int match_caret(const struct gg_req_comp *k, const struct gg_semver *v)
{
	if (v->major != k->major)
		return 0;
	if (!k->has_minor)
		return 1;
	if (!k->has_patch)
		return k->major > 0 ? v->minor >= k->minor
				    : v->minor == k->minor;
	if (k->major > 0) {
		if (v->minor != k->minor)
			return v->minor > k->minor;
		if (v->patch != k->patch)
			return v->patch > k->patch;
	} else if (k->minor > 0) {
		if (v->minor != k->minor)
			return 0;
		if (v->patch != k->patch)
			return v->patch > k->patch;
	} else if (v->minor != k->minor || v->patch != k->patch) {
		return 0;
	}
	return cmp_pre(v->pre, k->pre) >= 0;
}

static int match_comp(const struct gg_req_comp *k, const struct gg_semver *v)
{
	switch (k->op) {
	case GG_REQ_EXACT:
	case GG_REQ_WILDCARD:
		return match_exact(k, v);
	case GG_REQ_GREATER:
		return match_order(k, v, 1);
	case GG_REQ_GREATER_EQ:
		return match_exact(k, v) || match_order(k, v, 1);
	case GG_REQ_LESS:
		return match_order(k, v, -1);
	case GG_REQ_LESS_EQ:
		return match_exact(k, v) || match_order(k, v, -1);
	case GG_REQ_TILDE:
		return match_tilde(k, v);
	case GG_REQ_CARET:
		return match_caret(k, v);
	}
	return 0;
}

/* cargo's rule: a pre-release is only considered when a comparator
 * names the same MAJOR.MINOR.PATCH with a pre-release. */
static int pre_allowed(const struct gg_req_comp *k, const struct gg_semver *v)
{
	return k->major == v->major && k->has_minor &&
	       k->minor == v->minor && k->has_patch &&
	       k->patch == v->patch && k->pre[0];
}

int gg_semver_req_matches(const struct gg_semver_req *req,
			  const struct gg_semver *v)
{
	int i;

	for (i = 0; i < req->n; i++)
		if (!match_comp(&req->c[i], v))
			return 0;
	if (!v->pre[0])
		return 1;
	for (i = 0; i < req->n; i++)
		if (pre_allowed(&req->c[i], v))
			return 1;
	return 0;
}

int gg_semver_pick(const char *const *versions, size_t n,
		   const struct gg_semver_req *req)
{
	struct gg_semver best, v;
	int best_i = GG_ENOTFOUND;
	size_t i;

	for (i = 0; i < n && i < INT32_MAX; i++) {
		if (!versions[i] || gg_semver_parse(versions[i], &v, NULL))
			continue;
		if (req ? !gg_semver_req_matches(req, &v) : v.pre[0] != 0)
			continue;
		if (best_i < 0 || gg_semver_cmp(&v, &best) > 0) {
			best = v;
			best_i = (int)i;
		}
	}
	return best_i;
}

int gg_dep_parse(const char *s, struct gg_dep *out, const char **why)
{
	const char *at = s ? strchr(s, '@') : NULL;
	size_t nlen = at ? (size_t)(at - s) : (s ? strlen(s) : 0);

	memset(out, 0, sizeof(*out));
	if (!s || nlen == 0 || nlen > GG_PKG_NAME_MAX) {
		set_why(why, "the name must be 1 to 64 characters");
		return GG_EPARSE;
	}
	memcpy(out->name, s, nlen);
	out->name[nlen] = 0;
	if (!gg_pkg_name_valid(out->name)) {
		set_why(why, "the name must match [a-z0-9][a-z0-9_-]{0,63}");
		return GG_EPARSE;
	}
	if (!at)
		return 0;
	if (!at[1] || strlen(at + 1) >= sizeof(out->req_text)) {
		set_why(why, at[1] ? "requirement too long"
				   : "empty requirement after '@'");
		return GG_EPARSE;
	}
	memcpy(out->req_text, at + 1, strlen(at + 1) + 1);
	out->has_req = 1;
	return gg_semver_req_parse(out->req_text, &out->req, why);
}
