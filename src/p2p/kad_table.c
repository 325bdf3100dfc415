/*
 * kad_table.c - k-buckets indexed by the common prefix length with our own
 * key, with pending/verified peers and per-network diversity limits.
 *
 * One bucket per prefix length (0..255) rather than the paper's lazily
 * split tree: the result is the same set of peers and the index is one
 * count of leading equal bits.  Tables stay small (a few hundred peers),
 * so closest-N and the diversity counts simply scan.
 */
#include "p2p/kad_table.h"

#include "crypto/sha256.h"
#include "util/error.h"

#define REFRESH_CPL_MAX 15 /* a refresh key for cpl c costs ~2^(c+1) hashes */

struct bucket {
	struct kad_entry *e; /* k slots, allocated on first use */
	size_t n;
	uint64_t refreshed_ms;
};

struct kad_table {
	struct kad_table_config cfg;
	struct gg_peerid self;
	struct kad_key selfkey;
	struct bucket b[KAD_KEY_BITS];
	size_t count;
};

void kad_key_of(const uint8_t *p, size_t n, struct kad_key *out)
{
	gg_sha256(p, n, out->b);
}

void kad_key_of_peer(const struct gg_peerid *id, struct kad_key *out)
{
	gg_sha256(id->b, id->len, out->b);
}

int kad_key_closer(const struct kad_key *target, const struct kad_key *a,
		   const struct kad_key *b)
{
	size_t i;

	for (i = 0; i < sizeof(target->b); i++) {
		uint8_t da = a->b[i] ^ target->b[i];
		uint8_t db = b->b[i] ^ target->b[i];

		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

int kad_key_cpl(const struct kad_key *a, const struct kad_key *b)
{
	size_t i;

	for (i = 0; i < sizeof(a->b); i++) {
		uint8_t x = a->b[i] ^ b->b[i];

		if (x)
			return (int)(i * 8) + __builtin_clz(x) - 24;
	}
	return KAD_KEY_BITS;
}

/* Address buffers. */

void kad_addrbuf_init(struct kad_addrbuf *ab)
{
	ab->len = 0;
	ab->n = 0;
}

int kad_addrbuf_add(struct kad_addrbuf *ab, const uint8_t *p, size_t n)
{
	if (n == 0 || n > 255 || ab->n == 255 ||
	    (size_t)ab->len + 1 + n > sizeof(ab->b))
		return GG_ETOOBIG;
	ab->b[ab->len] = (uint8_t)n;
	memcpy(ab->b + ab->len + 1, p, n);
	ab->len = (uint16_t)(ab->len + 1 + n);
	ab->n++;
	return 0;
}

int kad_addrbuf_at(const struct kad_addrbuf *ab, size_t i,
		   const uint8_t **p, size_t *n)
{
	size_t off = 0, j;

	for (j = 0; j < ab->n && off < ab->len; j++) {
		size_t len = ab->b[off];

		if (off + 1 + len > ab->len)
			break;
		if (j == i) {
			*p = ab->b + off + 1;
			*n = len;
			return 0;
		}
		off += 1 + len;
	}
	return GG_ENOTFOUND;
}

size_t kad_addrbuf_get(const struct kad_addrbuf *ab, struct gg_multiaddr *out,
		       size_t max)
{
	const uint8_t *p;
	size_t i, n, got = 0;

	for (i = 0; i < ab->n && got < max; i++) {
		if (kad_addrbuf_at(ab, i, &p, &n) < 0)
			break;
		if (gg_multiaddr_from_bytes(p, n, &out[got]) == 0)
			got++;
	}
	return got;
}

/* The network a peer's first IP address is in: /24 or /48. */
static int peer_group(const struct kad_peer *p, uint8_t group[7])
{
	struct gg_multiaddr ma;
	struct gg_ma_comp c;
	const uint8_t *a;
	size_t i, n, off;

	for (i = 0; i < p->addrs.n; i++) {
		if (kad_addrbuf_at(&p->addrs, i, &a, &n) < 0 ||
		    gg_multiaddr_from_bytes(a, n, &ma) < 0)
			continue;
		off = 0;
		if (gg_multiaddr_next(&ma, &off, &c) != 1)
			continue;
		memset(group, 0, 7);
		if (c.code == GG_MA_IP4 && c.len == 4) {
			group[0] = 4;
			memcpy(group + 1, c.val, 3);
			return 1;
		}
		if (c.code == GG_MA_IP6 && c.len == 16) {
			group[0] = 6;
			memcpy(group + 1, c.val, 6);
			return 1;
		}
	}
	return 0;
}

void kad_table_config_default(struct kad_table_config *c)
{
	c->k = KAD_K;
	c->max_per_group_bucket = 2;
	c->max_per_group_table = 3;
	c->max_fails = 2;
	c->refresh_ms = 10ULL * 60 * 1000;
}

int kad_table_new(const struct kad_table_config *c,
		  const struct gg_peerid *self, struct kad_table **out)
{
	struct kad_table *t;

	*out = NULL;
	if (c->k < 1 || c->k > KAD_K * 4 || c->max_fails < 1)
		return GG_EINVAL;
	if (!(t = calloc(1, sizeof(*t))))
		return GG_ENOMEM;
	t->cfg = *c;
	t->self = *self;
	kad_key_of_peer(self, &t->selfkey);
	*out = t;
	return 0;
}

void kad_table_free(struct kad_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < KAD_KEY_BITS; i++)
		free(t->b[i].e);
	free(t);
}

const struct kad_key *kad_table_self(const struct kad_table *t)
{
	return &t->selfkey;
}

static struct bucket *bucket_of(struct kad_table *t, const struct kad_key *k)
{
	int cpl = kad_key_cpl(&t->selfkey, k);

	return &t->b[cpl >= KAD_KEY_BITS ? KAD_KEY_BITS - 1 : cpl];
}

static struct kad_entry *find(const struct kad_table *t,
			      const struct gg_peerid *id, struct bucket **bp)
{
	struct kad_key k;
	struct bucket *b;
	size_t i;

	kad_key_of_peer(id, &k);
	b = bucket_of((struct kad_table *)t, &k);
	if (bp)
		*bp = b;
	for (i = 0; i < b->n; i++)
		if (gg_peerid_eq(&b->e[i].peer.id, id))
			return &b->e[i];
	return NULL;
}

static size_t group_count(const struct bucket *b, const uint8_t g[7])
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++)
		if (b->e[i].has_group && !memcmp(b->e[i].group, g, 7))
			n++;
	return n;
}

/* Refuse a peer whose network already has its share. */
static int diversity_ok(const struct kad_table *t, const struct bucket *b,
			const uint8_t g[7])
{
	size_t i, total = 0;

	if (t->cfg.max_per_group_bucket > 0 &&
	    group_count(b, g) >= (size_t)t->cfg.max_per_group_bucket)
		return 0;
	if (t->cfg.max_per_group_table <= 0)
		return 1;
	for (i = 0; i < KAD_KEY_BITS; i++)
		total += group_count(&t->b[i], g);
	return total < (size_t)t->cfg.max_per_group_table;
}

/* A slot in a full bucket: the worst pending or failing peer. */
static struct kad_entry *victim(struct bucket *b)
{
	struct kad_entry *v = NULL;
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct kad_entry *e = &b->e[i];

		if (e->state == KAD_PEER_VERIFIED && e->fails == 0)
			continue;
		if (!v || e->fails > v->fails ||
		    (e->state == KAD_PEER_PENDING &&
		     v->state == KAD_PEER_VERIFIED))
			v = e;
	}
	return v;
}

static void refresh_entry(struct kad_entry *e, const struct kad_peer *p)
{
	if (p->addrs.n > 0)
		e->peer.addrs = p->addrs;
}

int kad_table_add(struct kad_table *t, const struct kad_peer *p,
		  uint64_t now_ms)
{
	struct kad_entry *e, ne;
	struct bucket *b;

	if (gg_peerid_eq(&p->id, &t->self))
		return GG_EINVAL;
	if ((e = find(t, &p->id, &b))) {
		refresh_entry(e, p);
		return GG_EEXISTS;
	}
	memset(&ne, 0, sizeof(ne));
	ne.peer = *p;
	kad_key_of_peer(&p->id, &ne.peer.key);
	ne.state = KAD_PEER_PENDING;
	ne.added_ms = now_ms;
	ne.has_group = (uint8_t)peer_group(p, ne.group);
	if (ne.has_group && !diversity_ok(t, b, ne.group))
		return GG_ELIMIT;
	if (!b->e && !(b->e = calloc((size_t)t->cfg.k, sizeof(*b->e))))
		return GG_ENOMEM;
	if (b->n < (size_t)t->cfg.k) {
		b->e[b->n++] = ne;
		t->count++;
		return 0;
	}
	if (!(e = victim(b)))
		return GG_ELIMIT;
	*e = ne;
	return 0;
}

int kad_table_verify(struct kad_table *t, const struct gg_peerid *id,
		     uint64_t now_ms)
{
	struct kad_entry *e = find(t, id, NULL);

	if (!e)
		return GG_ENOTFOUND;
	e->state = KAD_PEER_VERIFIED;
	e->seen_ms = now_ms;
	e->fails = 0;
	return 0;
}

int kad_table_remove(struct kad_table *t, const struct gg_peerid *id)
{
	struct bucket *b;
	struct kad_entry *e = find(t, id, &b);
	size_t i;

	if (!e)
		return GG_ENOTFOUND;
	i = (size_t)(e - b->e);
	memmove(&b->e[i], &b->e[i + 1], (b->n - i - 1) * sizeof(*e));
	b->n--;
	t->count--;
	return 0;
}

int kad_table_fail(struct kad_table *t, const struct gg_peerid *id)
{
	struct kad_entry *e = find(t, id, NULL);

	if (!e)
		return GG_ENOTFOUND;
	if (++e->fails < t->cfg.max_fails)
		return 0;
	kad_table_remove(t, id);
	return 1;
}

const struct kad_entry *kad_table_find(const struct kad_table *t,
				       const struct gg_peerid *id)
{
	return find(t, id, NULL);
}

size_t kad_table_size(const struct kad_table *t, int verified_only)
{
	size_t i, j, n = 0;

	if (!verified_only)
		return t->count;
	for (i = 0; i < KAD_KEY_BITS; i++)
		for (j = 0; j < t->b[i].n; j++)
			n += t->b[i].e[j].state == KAD_PEER_VERIFIED;
	return n;
}

/* Insert e into the sorted top-n list out[0..*have). */
static void keep_closest(const struct kad_key *target,
			 const struct kad_entry *e,
			 const struct kad_entry **out, size_t n, size_t *have)
{
	size_t i = *have;

	if (i == n) {
		if (kad_key_closer(target, &e->peer.key,
				   &out[n - 1]->peer.key) >= 0)
			return;
		i = n - 1;
	} else {
		(*have)++;
	}
	while (i > 0 &&
	       kad_key_closer(target, &e->peer.key, &out[i - 1]->peer.key) < 0) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = e;
}

size_t kad_table_closest(const struct kad_table *t,
			 const struct kad_key *target, int verified_only,
			 const struct kad_entry **out, size_t n)
{
	size_t i, j, have = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < KAD_KEY_BITS; i++)
		for (j = 0; j < t->b[i].n; j++) {
			const struct kad_entry *e = &t->b[i].e[j];

			if (!verified_only || e->state == KAD_PEER_VERIFIED)
				keep_closest(target, e, out, n, &have);
		}
	return have;
}

void kad_table_touch_bucket(struct kad_table *t, int cpl, uint64_t now_ms)
{
	if (cpl >= 0 && cpl < KAD_KEY_BITS)
		t->b[cpl].refreshed_ms = now_ms;
}

size_t kad_table_stale(const struct kad_table *t, uint64_t now_ms,
		       int *cpls, size_t max)
{
	int i, deepest = -1;
	size_t n = 0;

	for (i = 0; i < KAD_KEY_BITS; i++)
		if (t->b[i].n)
			deepest = i;
	if (deepest + 1 < REFRESH_CPL_MAX)
		deepest = deepest + 1;
	else
		deepest = REFRESH_CPL_MAX;
	for (i = 0; i <= deepest && n < max; i++)
		if (t->b[i].refreshed_ms == 0 ||
		    now_ms - t->b[i].refreshed_ms >= t->cfg.refresh_ms)
			cpls[n++] = i;
	return n;
}

int kad_table_each(const struct kad_table *t,
		   int (*fn)(void *arg, const struct kad_entry *e), void *arg)
{
	size_t i, j;
	int r;

	for (i = 0; i < KAD_KEY_BITS; i++)
		for (j = 0; j < t->b[i].n; j++)
			if ((r = fn(arg, &t->b[i].e[j])))
				return r;
	return 0;
}
