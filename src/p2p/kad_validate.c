/*
 * kad_validate.c - namespace dispatch, and the /ggen/pkg/ package-record
 * validator and selector (DESIGN.md §5).
 *
 * Validation is pure and the same on every node: the envelope's signature
 * (domain "ggen-package-record"), its payload type, the 8 KiB size limit,
 * the JSON schema of the payload (required fields and the types of the
 * optional ones; unknown fields are allowed, for later versions), and
 * that the key names the record's package.  The SemVer syntax check is a
 * small local one: the market layer's semver module sits above p2p.
 */
#include "p2p/kad_validate.h"

#include <ctype.h>
#include <jansson.h>

#include "crypto/envelope.h"
#include "util/error.h"

#define PREFIX_LEN (sizeof(KAD_PKG_PREFIX) - 1)
#define TEXT_MAX 1024 /* any one string field */

static int name_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > KAD_PKG_NAME_MAX)
		return 0;
	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/* One dot-separated identifier list; numeric ones without leading zeros
 * when strict_num.  Returns the characters used, 0 when invalid. */
static size_t ident_list(const char *s, int strict_num)
{
	size_t i = 0, start;

	for (;;) {
		int digits = 1;

		start = i;
		while (isalnum((unsigned char)s[i]) || s[i] == '-') {
			digits &= isdigit((unsigned char)s[i]) != 0;
			i++;
		}
		if (i == start)
			return 0;
		if (strict_num && digits && s[start] == '0' && i - start > 1)
			return 0;
		if (s[i] != '.')
			return i;
		i++;
	}
}

static size_t number(const char *s)
{
	size_t i = 0;

	while (isdigit((unsigned char)s[i]))
		i++;
	if (i == 0 || i > 18 || (s[0] == '0' && i > 1))
		return 0;
	return i;
}

static int semver_ok(const char *s)
{
	size_t i = 0, n;
	int part;

	for (part = 0; part < 3; part++) {
		if (!(n = number(s + i)))
			return 0;
		i += n;
		if (part < 2 && s[i++] != '.')
			return 0;
	}
	if (s[i] == '-') {
		if (!(n = ident_list(s + i + 1, 1)))
			return 0;
		i += 1 + n;
	}
	if (s[i] == '+') {
		if (!(n = ident_list(s + i + 1, 0)))
			return 0;
		i += 1 + n;
	}
	return s[i] == '\0';
}

static int hex64_ok(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return 0;
	return s[64] == '\0';
}

static int uint_field(json_t *o, const char *k, int required, uint64_t *v)
{
	json_t *x = json_object_get(o, k);

	if (!x)
		return !required;
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return 0;
	if (v)
		*v = (uint64_t)json_integer_value(x);
	return 1;
}

static int str_ok(json_t *x)
{
	return json_is_string(x) && json_string_length(x) <= TEXT_MAX;
}

static int str_array_ok(json_t *o, const char *k)
{
	json_t *a = json_object_get(o, k), *x;
	size_t i;

	if (!a)
		return 1;
	if (!json_is_array(a))
		return 0;
	json_array_foreach(a, i, x)
		if (!str_ok(x))
			return 0;
	return 1;
}

/* version, id, size, published_at: the common part of the record and of
 * each versions[] entry. */
static int release_ok(json_t *o)
{
	json_t *v = json_object_get(o, "version"), *id = json_object_get(o, "id");

	return json_is_string(v) && semver_ok(json_string_value(v)) &&
	       json_is_string(id) && hex64_ok(json_string_value(id)) &&
	       uint_field(o, "size", 1, NULL) &&
	       uint_field(o, "published_at", 1, NULL);
}

static int schema_ok(json_t *o, const char *name, size_t nlen,
		     uint64_t *seq)
{
	static const char *const texts[] = { "description", "category",
					     "author", "license" };
	static const char *const lists[] = { "tags", "keywords",
					     "dependencies" };
	json_t *n = json_object_get(o, "name"), *vs, *x;
	size_t i;

	if (!json_is_object(o) || !json_is_string(n) ||
	    json_string_length(n) != nlen ||
	    memcmp(json_string_value(n), name, nlen) ||
	    !release_ok(o) || !uint_field(o, "seq", 1, seq))
		return 0;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if ((x = json_object_get(o, texts[i])) && !str_ok(x))
			return 0;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (!str_array_ok(o, lists[i]))
			return 0;
	if (!(vs = json_object_get(o, "versions")))
		return 1;
	if (!json_is_array(vs))
		return 0;
	json_array_foreach(vs, i, x)
		if (!json_is_object(x) || !release_ok(x))
			return 0;
	return 1;
}

int kad_pkg_validate(const uint8_t *key, size_t klen, const uint8_t *val,
		     size_t vlen, struct kad_pkg_info *info)
{
	static const char ptype[] = KAD_PKG_PAYLOAD_TYPE;
	struct gg_envelope env;
	json_t *doc = NULL;
	const char *name;
	uint64_t seq = 0;
	size_t nlen;
	int r;

	if (klen <= PREFIX_LEN || memcmp(key, KAD_PKG_PREFIX, PREFIX_LEN))
		return GG_EINVAL;
	name = (const char *)key + PREFIX_LEN;
	nlen = klen - PREFIX_LEN;
	if (!name_ok(name, nlen))
		return GG_EINVAL;
	if (vlen > KAD_PKG_RECORD_MAX)
		return GG_ETOOBIG;
	if ((r = gg_envelope_open(val, vlen, KAD_PKG_RECORD_MAX,
				  KAD_PKG_DOMAIN, &env)) < 0)
		return r;
	r = GG_EPARSE;
	if (env.payload_type_len != sizeof(ptype) - 1 ||
	    memcmp(env.payload_type, ptype, sizeof(ptype) - 1))
		goto out;
	doc = json_loadb((const char *)env.payload, env.payload_len,
			 JSON_REJECT_DUPLICATES, NULL);
	if (!doc || !schema_ok(doc, name, nlen, &seq))
		goto out;
	if (info) {
		info->signer = env.signer;
		memcpy(info->name, name, nlen);
		info->name[nlen] = '\0';
		info->seq = seq;
	}
	r = 0;
out:
	json_decref(doc);
	gg_envelope_release(&env);
	return r;
}

int kad_pkg_select(const uint8_t *key, size_t klen,
		   const struct kad_bytes *vals, size_t n)
{
	struct kad_pkg_info best, cur;
	size_t i, bi = 0;
	int r;

	if (n == 0)
		return GG_EINVAL;
	if ((r = kad_pkg_validate(key, klen, vals[0].p, vals[0].n, &best)) < 0)
		return r;
	for (i = 1; i < n; i++) {
		if (kad_pkg_validate(key, klen, vals[i].p, vals[i].n,
				     &cur) < 0)
			continue;
		if (gg_peerid_eq(&cur.signer, &best.signer) &&
		    cur.seq > best.seq) {
			best = cur;
			bi = i;
		}
	}
	return (int)bi;
}

static int pkg_validate_cb(void *arg, const uint8_t *key, size_t klen,
			   const uint8_t *val, size_t vlen)
{
	(void)arg;
	return kad_pkg_validate(key, klen, val, vlen, NULL);
}

static int pkg_select_cb(void *arg, const uint8_t *key, size_t klen,
			 const struct kad_bytes *vals, size_t n)
{
	(void)arg;
	return kad_pkg_select(key, klen, vals, n);
}

static const struct kad_validator builtin[] = {
	{ KAD_PKG_PREFIX, pkg_validate_cb, pkg_select_cb, NULL },
};

const struct kad_validator *kad_validators_default(size_t *n)
{
	*n = sizeof(builtin) / sizeof(builtin[0]);
	return builtin;
}

static const struct kad_validator *owner(const struct kad_validator *v,
					 size_t nv, const uint8_t *key,
					 size_t klen)
{
	size_t i, pl;

	for (i = 0; i < nv; i++) {
		pl = strlen(v[i].prefix);
		if (klen >= pl && !memcmp(key, v[i].prefix, pl))
			return &v[i];
	}
	return NULL;
}

int kad_record_validate(const struct kad_validator *v, size_t nv,
			const uint8_t *key, size_t klen, const uint8_t *val,
			size_t vlen)
{
	const struct kad_validator *o = owner(v, nv, key, klen);

	if (!o)
		return GG_EUNSUPPORTED;
	return o->validate(o->arg, key, klen, val, vlen);
}

int kad_record_select(const struct kad_validator *v, size_t nv,
		      const uint8_t *key, size_t klen,
		      const struct kad_bytes *vals, size_t n, size_t *best)
{
	const struct kad_validator *o = owner(v, nv, key, klen);
	int r;

	if (!o)
		return GG_EUNSUPPORTED;
	if (n == 0)
		return GG_EINVAL;
	if ((r = o->select(o->arg, key, klen, vals, n)) < 0)
		return r;
	if ((size_t)r >= n)
		return GG_EINTERNAL;
	*best = (size_t)r;
	return 0;
}
