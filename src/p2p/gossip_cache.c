/*
 * gossip_cache.c - the seen cache, the message cache and IWANT
 * promises of the gossipsub router.
 *
 * One hash table of struct gs_msg, keyed by message ID with a per-engine
 * random seed (so nobody can aim IDs at one bucket), holds every ID seen
 * within seen_ttl.  A FIFO of the same entries in arrival order makes
 * expiry a walk from the head.  The mcache is a ring of mcache_len
 * windows of pointers into the table; an entry keeps its encoded message
 * only while a window holds it.  gossip_new makes sure seen_ttl outlasts
 * the windows, so expiry never frees a cached entry.
 */
#include "p2p/gossip_impl.h"

#include "util/error.h"

static uint64_t id_hash(const struct gossip *g, const uint8_t *id, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ g->hash_seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= id[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

int gs_cache_init(struct gossip *g)
{
	g->nbuckets = 1024;
	g->buckets = calloc(g->nbuckets, sizeof(*g->buckets));
	g->win = calloc((size_t)g->c.mcache_len, sizeof(*g->win));
	g->prom = calloc(GS_PROMISES_MAX, sizeof(*g->prom));
	if (!g->buckets || !g->win || !g->prom)
		return GG_ENOMEM;
	return 0;
}

static void msg_free(struct gs_msg *m)
{
	free(m->raw);
	free(m->tx);
	free(m);
}

void gs_cache_release(struct gossip *g)
{
	struct gs_msg *m, *next;
	int i;

	for (m = g->seen_head; m; m = next) {
		next = m->qnext;
		msg_free(m);
	}
	for (i = 0; g->win && i < g->c.mcache_len; i++)
		free(g->win[i].m);
	free(g->win);
	free(g->buckets);
	free(g->prom);
}

struct gs_msg *gs_msg_find(const struct gossip *g, const uint8_t *id,
			   size_t idlen)
{
	struct gs_msg *m;

	m = g->buckets[id_hash(g, id, idlen) & (g->nbuckets - 1)];
	for (; m; m = m->hnext)
		if (m->idlen == idlen && !memcmp(m->id, id, idlen))
			return m;
	return NULL;
}

/* Double the table when it is full; failure just keeps chains longer. */
static void grow(struct gossip *g)
{
	size_t n = g->nbuckets * 2, i;
	struct gs_msg **b, *m, *next;

	if (g->nmsgs < g->nbuckets || !(b = calloc(n, sizeof(*b))))
		return;
	for (i = 0; i < g->nbuckets; i++) {
		for (m = g->buckets[i]; m; m = next) {
			size_t k = id_hash(g, m->id, m->idlen) & (n - 1);

			next = m->hnext;
			m->hnext = b[k];
			b[k] = m;
		}
	}
	free(g->buckets);
	g->buckets = b;
	g->nbuckets = n;
}

struct gs_msg *gs_msg_add(struct gossip *g, const uint8_t *id, size_t idlen,
			  int topic, int status, uint64_t now)
{
	struct gs_msg *m;
	size_t k;

	if (idlen == 0 || idlen > GOSSIP_ID_MAX || !(m = calloc(1, sizeof(*m))))
		return NULL;
	grow(g);
	memcpy(m->id, id, idlen);
	m->idlen = (uint8_t)idlen;
	m->topic = topic;
	m->status = (uint8_t)status;
	m->seen_ms = now;
	k = id_hash(g, id, idlen) & (g->nbuckets - 1);
	m->hnext = g->buckets[k];
	g->buckets[k] = m;
	if (g->seen_tail)
		g->seen_tail->qnext = m;
	else
		g->seen_head = m;
	g->seen_tail = m;
	g->nmsgs++;
	return m;
}

static void unhash(struct gossip *g, struct gs_msg *m)
{
	struct gs_msg **pp;

	pp = &g->buckets[id_hash(g, m->id, m->idlen) & (g->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == m) {
			*pp = m->hnext;
			return;
		}
	}
}

void gs_seen_expire(struct gossip *g, uint64_t now)
{
	struct gs_msg *m;

	while ((m = g->seen_head) && !m->cached &&
	       m->seen_ms + g->c.seen_ttl_ms <= now) {
		g->seen_head = m->qnext;
		if (!g->seen_head)
			g->seen_tail = NULL;
		unhash(g, m);
		g->nmsgs--;
		msg_free(m);
	}
}

int gs_mcache_put(struct gossip *g, struct gs_msg *m, const uint8_t *raw,
		  size_t n)
{
	struct gs_window *w = &g->win[g->win_cur];

	if (m->cached)
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct gs_msg **a = realloc(w->m, cap * sizeof(*a));

		if (!a)
			return GG_ENOMEM;
		w->m = a;
		w->cap = cap;
	}
	if (!(m->raw = malloc(n ? n : 1)))
		return GG_ENOMEM;
	memcpy(m->raw, raw, n);
	m->rawlen = n;
	m->cached = 1;
	w->m[w->n++] = m;
	return 0;
}

void gs_mcache_shift(struct gossip *g)
{
	struct gs_window *w;
	size_t i;

	g->win_cur = (g->win_cur + 1) % g->c.mcache_len;
	w = &g->win[g->win_cur];
	for (i = 0; i < w->n; i++) {
		struct gs_msg *m = w->m[i];

		free(m->raw);
		free(m->tx);
		m->raw = NULL;
		m->tx = NULL;
		m->rawlen = m->ntx = 0;
		m->cached = 0;
	}
	w->n = 0;
}

size_t gs_mcache_ids(struct gossip *g, int topic, struct gossip_bytes *ids,
		     size_t max)
{
	size_t n = 0, i;
	int k, wi;

	for (k = 0; k < g->c.mcache_gossip && k < g->c.mcache_len; k++) {
		wi = (g->win_cur - k + g->c.mcache_len) % g->c.mcache_len;
		for (i = 0; i < g->win[wi].n && n < max; i++) {
			struct gs_msg *m = g->win[wi].m[i];

			if (m->topic != topic || m->status != GS_VALID)
				continue;
			ids[n].p = m->id;
			ids[n].n = m->idlen;
			n++;
		}
	}
	return n;
}

uint32_t gs_tx_count(struct gossip *g, struct gs_msg *m, uint64_t peer)
{
	struct gs_tx *a;
	size_t i;

	for (i = 0; i < m->ntx; i++)
		if (m->tx[i].peer == peer)
			return ++m->tx[i].count;
	if (m->ntx >= g->c.max_peers ||
	    !(a = realloc(m->tx, (m->ntx + 1) * sizeof(*a))))
		return UINT32_MAX; /* refuse rather than track unboundedly */
	m->tx = a;
	m->tx[m->ntx].peer = peer;
	m->tx[m->ntx].count = 1;
	return m->tx[m->ntx++].count;
}

void gs_promise_add(struct gossip *g, uint64_t peer, const uint8_t *id,
		    size_t idlen, uint64_t deadline)
{
	struct gs_promise *pr;

	if (g->nprom >= GS_PROMISES_MAX || idlen > GOSSIP_ID_MAX)
		return;
	pr = &g->prom[g->nprom++];
	pr->peer = peer;
	pr->deadline = deadline;
	pr->idlen = (uint8_t)idlen;
	memcpy(pr->id, id, idlen);
}

void gs_promise_fulfil(struct gossip *g, const uint8_t *id, size_t idlen)
{
	size_t i = 0;

	while (i < g->nprom) {
		struct gs_promise *pr = &g->prom[i];

		if (pr->idlen == idlen && !memcmp(pr->id, id, idlen))
			*pr = g->prom[--g->nprom];
		else
			i++;
	}
}

/* A broken promise (the IWANTed message never came) costs the peer that
 * advertised it one P7 point. */
void gs_promise_expire(struct gossip *g, uint64_t now)
{
	size_t i = 0;

	while (i < g->nprom) {
		struct gs_promise *pr = &g->prom[i];
		struct gs_peer *p;

		if (pr->deadline > now) {
			i++;
			continue;
		}
		if ((p = gs_peer_by_serial(g, pr->peer)))
			gs_score_penalty(p, 1);
		*pr = g->prom[--g->nprom];
	}
}
