/*
 * toml_tree.c - the value tree behind toml.h: allocation, tables, arrays,
 * freeing, and the public read-only accessors.
 *
 * A table is an array of key/value entries in insertion order (what
 * toml_key_at walks) threaded with an AVL tree over the same entries (what
 * lookups walk). The tree keeps a document of a million keys in one table
 * at O(log n) per duplicate check, with no hash seed to guess.
 */
#include <stdlib.h>
#include <string.h>

#include "toml_impl.h"

/* ---- values ------------------------------------------------------------- */

struct toml_value *tv_new(enum toml_type t, int line, int col)
{
	struct toml_value *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->type = t;
	v->line = line;
	v->col = col;
	return v;
}

/* Copy n bytes (which may include NULs) and terminate them. */
int tv_set_str(struct toml_value *v, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return -1;
	p = malloc(n + 1);
	if (!p)
		return -1;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	v->u.s.p = p;
	v->u.s.len = n;
	return 0;
}

int tv_push(struct toml_value *arr, struct toml_value *val)
{
	if (arr->u.arr.len == arr->u.arr.cap) {
		size_t cap = arr->u.arr.cap ? arr->u.arr.cap * 2 : 4;
		struct toml_value **v;

		if (cap > SIZE_MAX / sizeof(*v))
			return -1;
		v = realloc(arr->u.arr.v, cap * sizeof(*v));
		if (!v)
			return -1;
		arr->u.arr.v = v;
		arr->u.arr.cap = cap;
	}
	arr->u.arr.v[arr->u.arr.len++] = val;
	return 0;
}

void tv_free(struct toml_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case TOML_ARRAY:
		for (i = 0; i < v->u.arr.len; i++)
			tv_free(v->u.arr.v[i]);
		free(v->u.arr.v);
		break;
	case TOML_TABLE:
		for (i = 0; i < v->u.tab.len; i++) {
			free(v->u.tab.kv[i].key);
			tv_free(v->u.tab.kv[i].val);
		}
		free(v->u.tab.kv);
		break;
	case TOML_STRING:
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		free(v->u.s.p);
		break;
	default:
		break;
	}
	free(v);
}

void toml_free(struct toml_value *root)
{
	tv_free(root);
}

/* ---- tables: entries in order, AVL tree for lookup ---------------------- */

static int key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

static int kv_height(const struct toml_kv *kv, uint32_t n)
{
	return n ? kv[n - 1].height : 0;
}

static void kv_update(struct toml_kv *kv, uint32_t n)
{
	int l = kv_height(kv, kv[n - 1].left);
	int r = kv_height(kv, kv[n - 1].right);

	kv[n - 1].height = 1 + (l > r ? l : r);
}

static uint32_t rotate_right(struct toml_kv *kv, uint32_t n)
{
	uint32_t l = kv[n - 1].left;

	kv[n - 1].left = kv[l - 1].right;
	kv[l - 1].right = n;
	kv_update(kv, n);
	kv_update(kv, l);
	return l;
}

static uint32_t rotate_left(struct toml_kv *kv, uint32_t n)
{
	uint32_t r = kv[n - 1].right;

	kv[n - 1].right = kv[r - 1].left;
	kv[r - 1].left = n;
	kv_update(kv, n);
	kv_update(kv, r);
	return r;
}

static uint32_t rebalance(struct toml_kv *kv, uint32_t n)
{
	struct toml_kv *x = &kv[n - 1];
	int bal;

	kv_update(kv, n);
	bal = kv_height(kv, x->left) - kv_height(kv, x->right);
	if (bal > 1) {
		const struct toml_kv *l = &kv[x->left - 1];

		if (kv_height(kv, l->left) < kv_height(kv, l->right))
			x->left = rotate_left(kv, x->left);
		return rotate_right(kv, n);
	}
	if (bal < -1) {
		const struct toml_kv *r = &kv[x->right - 1];

		if (kv_height(kv, r->right) < kv_height(kv, r->left))
			x->right = rotate_right(kv, x->right);
		return rotate_left(kv, n);
	}
	return n;
}

/* Insert entry `item` (index + 1) below node n; returns the new subtree
 * root. Recursion depth is the tree height, under 50 for any real size. */
static uint32_t avl_insert(struct toml_kv *kv, uint32_t n, uint32_t item)
{
	struct toml_kv *x, *it = &kv[item - 1];

	if (!n)
		return item;
	x = &kv[n - 1];
	if (key_cmp(it->key, it->klen, x->key, x->klen) < 0)
		x->left = avl_insert(kv, x->left, item);
	else
		x->right = avl_insert(kv, x->right, item);
	return rebalance(kv, n);
}

struct toml_value *tv_find(const struct toml_value *tab, const char *key,
			   size_t klen)
{
	const struct toml_kv *kv = tab->u.tab.kv;
	uint32_t n = tab->u.tab.root;

	while (n) {
		int c = key_cmp(key, klen, kv[n - 1].key, kv[n - 1].klen);

		if (!c)
			return kv[n - 1].val;
		n = c < 0 ? kv[n - 1].left : kv[n - 1].right;
	}
	return NULL;
}

static int tab_grow(struct toml_value *tab)
{
	size_t cap = tab->u.tab.cap ? tab->u.tab.cap * 2 : 4;
	struct toml_kv *kv;

	if (cap >= UINT32_MAX || cap > SIZE_MAX / sizeof(*kv))
		return -1;
	kv = realloc(tab->u.tab.kv, cap * sizeof(*kv));
	if (!kv)
		return -1;
	tab->u.tab.kv = kv;
	tab->u.tab.cap = cap;
	return 0;
}

/* Add key (copied) -> val. The caller has checked the key is new. On
 * success the table owns val; on failure (-1, out of memory) the caller
 * still does. */
int tv_insert(struct toml_value *tab, const char *key, size_t klen,
	      struct toml_value *val)
{
	struct toml_kv *e;
	char *k;

	if (tab->u.tab.len == tab->u.tab.cap && tab_grow(tab))
		return -1;
	if (klen == SIZE_MAX || !(k = malloc(klen + 1)))
		return -1;
	if (klen)
		memcpy(k, key, klen);
	k[klen] = '\0';
	e = &tab->u.tab.kv[tab->u.tab.len++];
	e->key = k;
	e->klen = klen;
	e->val = val;
	e->left = e->right = 0;
	e->height = 1;
	tab->u.tab.root = avl_insert(tab->u.tab.kv, tab->u.tab.root,
				     (uint32_t)tab->u.tab.len);
	return 0;
}

/* ---- public accessors --------------------------------------------------- */

enum toml_type toml_type(const struct toml_value *v)
{
	return v ? v->type : TOML_NONE;
}

const char *toml_type_name(enum toml_type t)
{
	static const char *const names[] = {
		[TOML_NONE] = "none",
		[TOML_STRING] = "string",
		[TOML_INTEGER] = "integer",
		[TOML_FLOAT] = "float",
		[TOML_BOOL] = "bool",
		[TOML_DATETIME] = "datetime",
		[TOML_DATETIME_LOCAL] = "datetime-local",
		[TOML_DATE_LOCAL] = "date-local",
		[TOML_TIME_LOCAL] = "time-local",
		[TOML_ARRAY] = "array",
		[TOML_TABLE] = "table",
	};

	if ((unsigned)t >= sizeof(names) / sizeof(names[0]))
		return "none";
	return names[t];
}

int toml_line(const struct toml_value *v)
{
	return v ? v->line : 0;
}

int toml_col(const struct toml_value *v)
{
	return v ? v->col : 0;
}

size_t toml_len(const struct toml_value *v)
{
	if (!v)
		return 0;
	if (v->type == TOML_ARRAY)
		return v->u.arr.len;
	if (v->type == TOML_TABLE)
		return v->u.tab.len;
	return 0;
}

const struct toml_value *toml_at(const struct toml_value *v, size_t i)
{
	if (i >= toml_len(v))
		return NULL;
	if (v->type == TOML_ARRAY)
		return v->u.arr.v[i];
	return v->u.tab.kv[i].val;
}

const char *toml_key_at(const struct toml_value *table, size_t i)
{
	if (toml_type(table) != TOML_TABLE || i >= table->u.tab.len)
		return NULL;
	return table->u.tab.kv[i].key;
}

size_t toml_key_len(const struct toml_value *table, size_t i)
{
	if (toml_type(table) != TOML_TABLE || i >= table->u.tab.len)
		return 0;
	return table->u.tab.kv[i].klen;
}

const struct toml_value *toml_get(const struct toml_value *table,
				  const char *key)
{
	if (toml_type(table) != TOML_TABLE || !key)
		return NULL;
	return tv_find(table, key, strlen(key));
}

const struct toml_value *toml_path(const struct toml_value *root,
				   const char *dotted)
{
	const struct toml_value *v = root;
	const char *s = dotted;

	if (!dotted)
		return NULL;
	for (;;) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);

		if (toml_type(v) != TOML_TABLE)
			return NULL;
		v = tv_find(v, s, n);
		if (!v || !dot)
			return v;
		s = dot + 1;
	}
}

const char *toml_str(const struct toml_value *v)
{
	return toml_type(v) == TOML_STRING ? v->u.s.p : NULL;
}

size_t toml_str_len(const struct toml_value *v)
{
	return toml_type(v) == TOML_STRING ? v->u.s.len : 0;
}

int64_t toml_int(const struct toml_value *v)
{
	return toml_type(v) == TOML_INTEGER ? v->u.i : 0;
}

double toml_float(const struct toml_value *v)
{
	return toml_type(v) == TOML_FLOAT ? v->u.f : 0.0;
}

int toml_bool(const struct toml_value *v)
{
	return toml_type(v) == TOML_BOOL ? v->u.b : 0;
}

const char *toml_datetime_text(const struct toml_value *v)
{
	switch (toml_type(v)) {
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		return v->u.s.p;
	default:
		return NULL;
	}
}

/* Find key and check its type: the common part of the toml_get_* family. */
static int get_typed(const struct toml_value *table, const char *key,
		     enum toml_type t, const struct toml_value **vp)
{
	const struct toml_value *v = toml_get(table, key);

	if (!v)
		return TOML_MISSING;
	if (v->type != t)
		return TOML_WRONG_TYPE;
	*vp = v;
	return TOML_OK;
}

int toml_get_str(const struct toml_value *table, const char *key,
		 const char **out)
{
	const struct toml_value *v;
	int rc = get_typed(table, key, TOML_STRING, &v);

	if (rc == TOML_OK)
		*out = v->u.s.p;
	return rc;
}

int toml_get_int(const struct toml_value *table, const char *key,
		 int64_t *out)
{
	const struct toml_value *v;
	int rc = get_typed(table, key, TOML_INTEGER, &v);

	if (rc == TOML_OK)
		*out = v->u.i;
	return rc;
}

int toml_get_float(const struct toml_value *table, const char *key,
		   double *out)
{
	const struct toml_value *v;
	int rc = get_typed(table, key, TOML_FLOAT, &v);

	if (rc == TOML_OK) {
		*out = v->u.f;
	} else if (rc == TOML_WRONG_TYPE && get_typed(table, key, TOML_INTEGER,
						      &v) == TOML_OK) {
		*out = (double)v->u.i;
		rc = TOML_OK;
	}
	return rc;
}

int toml_get_bool(const struct toml_value *table, const char *key, int *out)
{
	const struct toml_value *v;
	int rc = get_typed(table, key, TOML_BOOL, &v);

	if (rc == TOML_OK)
		*out = v->u.b;
	return rc;
}

int toml_get_table(const struct toml_value *table, const char *key,
		   const struct toml_value **out)
{
	return get_typed(table, key, TOML_TABLE, out);
}

int toml_get_array(const struct toml_value *table, const char *key,
		   const struct toml_value **out)
{
	return get_typed(table, key, TOML_ARRAY, out);
}
