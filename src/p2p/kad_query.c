/*
 * kad_query.c - the iterative lookup of kad_query.h.
 *
 * Peers live in one array sorted by distance to the target, capped at
 * max_peers (the farthest idle peer is dropped to make room: peers far
 * behind the k closest never matter).  A request goes only to a peer among
 * the k closest not-failed peers of its path, so once those have answered
 * nothing more is sent and the lookup ends.
 */
#include "p2p/kad_query.h"

#include "util/error.h"

struct qpeer {
	struct kad_peer p;
	enum kad_qpeer_state st;
	int path, hop;
	uint64_t sent_ms;
};

struct kad_query {
	struct kad_query_config cfg;
	struct kad_key target;
	struct qpeer *peers; /* sorted, closest first */
	size_t n;
	int inflight[KAD_QUERY_PATHS_MAX];
	int next_path;
	int done, status;
	uint64_t deadline_ms;
	struct kad_query_stats st;
};

void kad_query_config_default(struct kad_query_config *c)
{
	c->alpha = 3;
	c->k = KAD_K;
	c->paths = 1;
	c->timeout_ms = 30000;
	c->rpc_timeout_ms = 10000;
	c->max_peers = 256;
}

int kad_query_new(const struct kad_query_config *c,
		  const struct kad_key *target, uint64_t now_ms,
		  struct kad_query **out)
{
	struct kad_query *q;

	*out = NULL;
	if (c->alpha < 1 || c->alpha > 32 || c->k < 1 || c->paths < 1 ||
	    c->paths > KAD_QUERY_PATHS_MAX || c->max_peers < (size_t)c->k ||
	    c->max_peers > KAD_QUERY_PEERS_MAX)
		return GG_EINVAL;
	if (!(q = calloc(1, sizeof(*q))))
		return GG_ENOMEM;
	if (!(q->peers = calloc(c->max_peers, sizeof(*q->peers)))) {
		free(q);
		return GG_ENOMEM;
	}
	q->cfg = *c;
	q->target = *target;
	q->deadline_ms = now_ms + c->timeout_ms;
	q->st.started_ms = now_ms;
	q->st.hops = -1;
	q->st.max_hop = -1;
	*out = q;
	return 0;
}

void kad_query_free(struct kad_query *q)
{
	if (!q)
		return;
	free(q->peers);
	free(q);
}

const struct kad_key *kad_query_target(const struct kad_query *q)
{
	return &q->target;
}

static struct qpeer *find(const struct kad_query *q,
			  const struct gg_peerid *id)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (gg_peerid_eq(&q->peers[i].p.id, id))
			return &q->peers[i];
	return NULL;
}

/* Make room at the end by dropping the farthest peer not in flight. */
static int make_room(struct kad_query *q, const struct kad_key *k)
{
	size_t i = q->n;

	while (i-- > 0) {
		if (q->peers[i].st == KAD_QP_WAITING)
			continue;
		if (kad_key_closer(&q->target, k, &q->peers[i].p.key) >= 0)
			return GG_ELIMIT; /* the newcomer is the farthest */
		memmove(&q->peers[i], &q->peers[i + 1],
			(q->n - i - 1) * sizeof(*q->peers));
		q->n--;
		return 0;
	}
	return GG_ELIMIT;
}

static int insert(struct kad_query *q, const struct kad_peer *p, int path,
		  int hop)
{
	struct kad_key k;
	size_t lo = 0, hi;
	int r;

	if (find(q, &p->id))
		return GG_EEXISTS;
	kad_key_of_peer(&p->id, &k);
	if (q->n == q->cfg.max_peers && (r = make_room(q, &k)) < 0)
		return r;
	hi = q->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (kad_key_closer(&q->target, &q->peers[mid].p.key, &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&q->peers[lo + 1], &q->peers[lo],
		(q->n - lo) * sizeof(*q->peers));
	memset(&q->peers[lo], 0, sizeof(*q->peers));
	q->peers[lo].p = *p;
	q->peers[lo].p.key = k;
	q->peers[lo].st = KAD_QP_HEARD;
	q->peers[lo].path = path;
	q->peers[lo].hop = hop;
	q->n++;
	return 0;
}

int kad_query_seed(struct kad_query *q, const struct kad_peer *p)
{
	int r = insert(q, p, q->next_path, 0);

	if (r == 0)
		q->next_path = (q->next_path + 1) % q->cfg.paths;
	return r;
}

/*
 * For one path: the closest HEARD peer among its k closest not-failed
 * peers (NULL if none), and whether that path is finished (its k closest
 * all answered, or nothing is left to ask or wait for).
 */
static struct qpeer *path_scan(struct kad_query *q, int path, int *finished)
{
	struct qpeer *cand = NULL;
	size_t i;
	int seen = 0, pending = 0;

	for (i = 0; i < q->n && seen < q->cfg.k; i++) {
		struct qpeer *e = &q->peers[i];

		if (e->path != path || e->st == KAD_QP_FAILED)
			continue;
		seen++;
		if (e->st == KAD_QP_HEARD && !cand)
			cand = e;
		if (e->st != KAD_QP_OK)
			pending++;
	}
	*finished = pending == 0;
	return cand;
}

static void finish(struct kad_query *q, int status, uint64_t now_ms)
{
	size_t i;

	if (q->done)
		return;
	q->done = 1;
	q->status = status;
	q->st.ended_ms = now_ms;
	for (i = 0; i < q->n; i++) {
		if (q->peers[i].st != KAD_QP_OK)
			continue;
		if (q->st.hops < 0)
			q->st.hops = q->peers[i].hop + 1;
		if (q->peers[i].hop + 1 > q->st.max_hop)
			q->st.max_hop = q->peers[i].hop + 1;
	}
}

int kad_query_next(struct kad_query *q, uint64_t now_ms,
		   const struct kad_peer **peer)
{
	struct qpeer *c;
	int path, all_done = 1, finished;

	*peer = NULL;
	if (q->done)
		return KAD_QSTEP_DONE;
	for (path = 0; path < q->cfg.paths; path++) {
		c = path_scan(q, path, &finished);
		all_done &= finished;
		if (c && q->inflight[path] < q->cfg.alpha) {
			c->st = KAD_QP_WAITING;
			c->sent_ms = now_ms;
			q->inflight[path]++;
			q->st.requests++;
			*peer = &c->p;
			return KAD_QSTEP_SEND;
		}
	}
	if (all_done) {
		finish(q, 0, now_ms);
		return KAD_QSTEP_DONE;
	}
	return KAD_QSTEP_WAIT;
}

int kad_query_on_response(struct kad_query *q, const struct gg_peerid *from,
			  const struct kad_peer *closer, size_t n,
			  uint64_t now_ms)
{
	struct qpeer *e = find(q, from);
	int path, hop;
	size_t i;

	(void)now_ms;
	if (!e || e->st != KAD_QP_WAITING)
		return GG_ENOTFOUND;
	e->st = KAD_QP_OK;
	q->inflight[e->path]--;
	q->st.responses++;
	path = e->path; /* e moves as peers are inserted */
	hop = e->hop + 1;
	if (q->done)
		return 0;
	for (i = 0; i < n; i++)
		insert(q, &closer[i], path, hop); /* known or too far: fine */
	return 0;
}

int kad_query_on_failure(struct kad_query *q, const struct gg_peerid *from,
			 uint64_t now_ms)
{
	struct qpeer *e = find(q, from);

	(void)now_ms;
	if (!e || e->st != KAD_QP_WAITING)
		return GG_ENOTFOUND;
	e->st = KAD_QP_FAILED;
	q->inflight[e->path]--;
	q->st.failures++;
	return 0;
}

size_t kad_query_tick(struct kad_query *q, uint64_t now_ms,
		      struct gg_peerid *expired, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < q->n; i++) {
		struct qpeer *e = &q->peers[i];

		if (e->st != KAD_QP_WAITING ||
		    now_ms < e->sent_ms + q->cfg.rpc_timeout_ms)
			continue;
		e->st = KAD_QP_FAILED;
		q->inflight[e->path]--;
		q->st.timeouts++;
		if (expired && n < max)
			expired[n] = e->p.id;
		n++;
	}
	if (!q->done && now_ms >= q->deadline_ms)
		finish(q, GG_ETIMEOUT, now_ms);
	return n < max ? n : max;
}

uint64_t kad_query_deadline(const struct kad_query *q)
{
	uint64_t d = q->deadline_ms;
	size_t i;

	if (q->done)
		return UINT64_MAX;
	for (i = 0; i < q->n; i++)
		if (q->peers[i].st == KAD_QP_WAITING &&
		    q->peers[i].sent_ms + q->cfg.rpc_timeout_ms < d)
			d = q->peers[i].sent_ms + q->cfg.rpc_timeout_ms;
	return d;
}

void kad_query_finish(struct kad_query *q, int status, uint64_t now_ms)
{
	finish(q, status, now_ms);
}

int kad_query_done(const struct kad_query *q, int *status)
{
	if (q->done && status)
		*status = q->status;
	return q->done;
}

size_t kad_query_result(const struct kad_query *q,
			const struct kad_peer **out, size_t n)
{
	size_t i, got = 0;

	for (i = 0; i < q->n && got < n; i++)
		if (q->peers[i].st == KAD_QP_OK)
			out[got++] = &q->peers[i].p;
	return got;
}

int kad_query_peer_state(const struct kad_query *q,
			 const struct gg_peerid *id)
{
	const struct qpeer *e = find(q, id);

	return e ? (int)e->st : -1;
}

const struct kad_query_stats *kad_query_stats(const struct kad_query *q)
{
	return &q->st;
}
