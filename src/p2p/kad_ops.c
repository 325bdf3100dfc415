/*
 * kad_ops.c - the DHT operations on top of the lookup state machine.
 *
 * FIND_NODE, GET_VALUE and GET_PROVIDERS are one lookup each, sending the
 * request of their kind; GET_VALUE ends as soon as the quorum of valid
 * values is in (1 by default), GET_PROVIDERS as soon as enough providers
 * are known.  PUT_VALUE and ADD_PROVIDER look up the k closest peers with
 * FIND_NODE and then send them the record; bootstrap is a self lookup
 * followed by one lookup per stale bucket, one after the other.
 */
#include "p2p/kad_impl.h"

#include <openssl/rand.h>

#include "util/error.h"
#include "util/log.h"

#define REFRESH_TRIES (1u << 22)

struct kop *kad__op_new(struct kad *k, enum kad_op op, const uint8_t *key,
			size_t klen, kad_done_fn done, void *arg)
{
	struct kop *o;

	if (klen > KAD_MSG_KEY_MAX || !(o = calloc(1, sizeof(*o))))
		return NULL;
	o->id = k->next_id++;
	o->op = op;
	o->phase = KOP_LOOKUP;
	memcpy(o->key, key, klen);
	o->klen = klen;
	o->done = done;
	o->arg = arg;
	o->stats.hops = -1;
	o->stats.max_hop = -1;
	o->next = k->ops;
	k->ops = o;
	return o;
}

void kad__op_free(struct kop *op)
{
	if (!op)
		return;
	kad_query_free(op->q);
	free(op->value);
	free(op->peers);
	free(op);
}

static void op_end(struct kop *op, int status)
{
	op->phase = KOP_DONE;
	op->status = status;
	kad_query_free(op->q);
	op->q = NULL;
}

/* A fresh lookup for key, seeded with our closest verified peers. */
static int start_query(struct kad *k, struct kop *op, const uint8_t *key,
		       size_t klen)
{
	const struct kad_entry *near[KAD_K * 4];
	struct kad_key target;
	size_t i, n;
	int r;

	kad_query_free(op->q);
	op->q = NULL;
	kad_key_of(key, klen, &target);
	if ((r = kad_query_new(&k->cfg.query, &target, kad__now(k),
			       &op->q)) < 0)
		return r;
	n = kad_table_closest(k->table, &target, 1, near,
			      (size_t)k->cfg.query.k);
	for (i = 0; i < n; i++)
		kad_query_seed(op->q, &near[i]->peer);
	return 0;
}

static int encode_request(struct kop *op, struct gg_buf *b)
{
	struct kad_msg *m = malloc(sizeof(*m));
	int r;

	if (!m)
		return GG_ENOMEM;
	kad_msg_init(m, op->qtype);
	m->key.p = op->key;
	m->key.n = op->klen;
	r = kad_msg_encode(m, b);
	free(m);
	return r;
}

static void lookup_done(struct kad *k, struct kop *op);

void kad__op_drive(struct kad *k, struct kop *op)
{
	struct gg_buf b = GG_BUF_INIT(KAD_MSG_MAX_DEFAULT);
	const struct kad_peer *p;
	struct kad_peer to;
	int step;

	if (op->phase == KOP_SEND && op->pending == 0)
		op_end(op, op->stored ? 0 : GG_ENOTFOUND);
	if (op->phase != KOP_LOOKUP || !op->q)
		return;
	if (encode_request(op, &b) < 0) {
		op_end(op, GG_ENOMEM);
		goto out;
	}
	while ((step = kad_query_next(op->q, kad__now(k), &p)) ==
	       KAD_QSTEP_SEND) {
		to = *p;
		kad__send(k, op, &to, op->qtype, 1, b.data, b.len, 1);
	}
	if (step == KAD_QSTEP_DONE)
		lookup_done(k, op);
out:
	gg_buf_release(&b);
}

static int copy_result(struct kad *k, struct kop *op)
{
	const struct kad_peer *res[KAD_K * 4];
	size_t i, n = kad_query_result(op->q, res, (size_t)k->cfg.query.k);

	free(op->peers);
	op->npeers = 0;
	if (n == 0)
		return 0;
	if (!(op->peers = calloc(n, sizeof(*op->peers))))
		return GG_ENOMEM;
	for (i = 0; i < n; i++)
		op->peers[i] = *res[i];
	op->npeers = n;
	return 0;
}

static void send_round(struct kad *k, struct kop *op)
{
	struct gg_buf b = GG_BUF_INIT(KAD_MSG_MAX_DEFAULT);
	struct kad_msg *m = calloc(1, sizeof(*m));
	struct kad_peer self;
	size_t i;
	int put = op->op == KAD_OP_PUT_VALUE, r;

	op->phase = KOP_SEND;
	if (!m)
		goto out;
	kad_msg_init(m, put ? KAD_PUT_VALUE : KAD_ADD_PROVIDER);
	m->key.p = op->key;
	m->key.n = op->klen;
	if (put) {
		m->has_record = 1;
		m->rec_key = m->key;
		m->rec_value.p = op->value;
		m->rec_value.n = op->vlen;
	} else {
		memset(&self, 0, sizeof(self));
		self.id = k->self;
		self.addrs = k->self_addrs;
		kad__view_peer(&self, &m->providers[0]);
		m->nproviders = 1;
	}
	if (kad_msg_encode(m, &b) < 0)
		goto out;
	for (i = 0; i < op->npeers; i++) {
		if (put)
			op->pending++;
		r = kad__send(k, op, &op->peers[i], m->type, 0, b.data, b.len,
			      put);
		if (!put && r == 0)
			op->stored++;
	}
out:
	free(m);
	gg_buf_release(&b);
	if (op->pending == 0)
		op_end(op, op->stored ? 0 : GG_ENOTFOUND);
}

static int refresh_key(struct kad *k, int cpl, uint8_t key[34])
{
	struct kad_key h;
	uint32_t i;

	key[0] = 0x12;
	key[1] = 0x20;
	if (k->io.random)
		k->io.random(k->io.ctx, key + 2, 32);
	else if (RAND_bytes(key + 2, 32) != 1)
		return GG_ECRYPTO;
	for (i = 0; i < REFRESH_TRIES; i++) {
		memcpy(key + 2, &i, sizeof(i));
		kad_key_of(key, 34, &h);
		if (kad_key_cpl(kad_table_self(k->table), &h) == cpl)
			return 0;
	}
	return GG_ELIMIT;
}

/* Bootstrap: the next stale bucket's lookup, or the end. */
static void bootstrap_next(struct kad *k, struct kop *op)
{
	uint8_t key[34];

	while (op->nrefresh > 0) {
		int cpl = op->refresh[--op->nrefresh];

		if (refresh_key(k, cpl, key) < 0 ||
		    start_query(k, op, key, sizeof(key)) < 0)
			continue;
		kad__op_drive(k, op);
		return;
	}
	op_end(op, kad_table_size(k->table, 1) ? 0 : GG_ENOTFOUND);
}

static void lookup_done(struct kad *k, struct kop *op)
{
	const struct kad_query_stats *st = kad_query_stats(op->q);
	int status = 0, cpl;

	kad_query_done(op->q, &status);
	cpl = kad_key_cpl(kad_table_self(k->table), kad_query_target(op->q));
	kad_table_touch_bucket(k->table, cpl, kad__now(k));
	if (op->stats.hops < 0 || op->op != KAD_OP_BOOTSTRAP)
		op->stats = *st;
	switch (op->op) {
	case KAD_OP_FIND_NODE:
		copy_result(k, op);
		op_end(op, op->npeers ? status : GG_ENOTFOUND);
		break;
	case KAD_OP_GET_VALUE:
		op_end(op, op->value ? 0 : status ? status : GG_ENOTFOUND);
		break;
	case KAD_OP_GET_PROVIDERS:
		op_end(op, op->npeers ? 0 : status ? status : GG_ENOTFOUND);
		break;
	case KAD_OP_PUT_VALUE:
	case KAD_OP_ADD_PROVIDER:
		copy_result(k, op);
		kad_query_free(op->q);
		op->q = NULL;
		send_round(k, op);
		break;
	case KAD_OP_BOOTSTRAP:
		if (op->nrefresh == 0 && !op->stored) {
			op->stored = 1; /* marks: stale list taken */
			op->nrefresh = kad_table_stale(k->table, kad__now(k),
						       op->refresh,
						       KAD_REFRESH_MAX);
		}
		bootstrap_next(k, op);
		break;
	}
}

/* A GET_VALUE answer: keep the best valid value. */
static void consider_value(struct kad *k, struct kop *op, const uint8_t *v,
			   size_t n)
{
	struct kad_bytes vals[2];
	size_t best;
	uint8_t *copy;

	if (kad_record_validate(k->cfg.validators, k->cfg.nvalidators,
				op->key, op->klen, v, n) < 0)
		return;
	op->nvalid++;
	if (op->value && op->vlen == n && !memcmp(op->value, v, n))
		return;
	if (op->value) {
		vals[0].p = op->value;
		vals[0].n = op->vlen;
		vals[1].p = v;
		vals[1].n = n;
		if (kad_record_select(k->cfg.validators, k->cfg.nvalidators,
				      op->key, op->klen, vals, 2, &best) < 0 ||
		    best != 1)
			return;
	}
	if (!(copy = malloc(n ? n : 1)))
		return;
	memcpy(copy, v, n);
	free(op->value);
	op->value = copy;
	op->vlen = n;
}

static void add_providers(struct kad *k, struct kop *op,
			  const struct kad_peer *p, size_t n)
{
	size_t i, j;

	for (i = 0; i < n && op->npeers < op->want; i++) {
		for (j = 0; j < op->npeers; j++)
			if (gg_peerid_eq(&op->peers[j].id, &p[i].id))
				break;
		if (j == op->npeers)
			op->peers[op->npeers++] = p[i];
	}
	(void)k;
}

void kad__op_response(struct kad *k, struct kop *op, const struct kreq *rq,
		      const struct kad_msg *m, const uint8_t *raw,
		      size_t rawlen)
{
	struct kad_peer *peers;
	size_t n;
	uint64_t now = kad__now(k);

	(void)raw;
	(void)rawlen;
	if (!rq->lookup) { /* PUT_VALUE: the server echoes the record */
		if (m->has_record && m->rec_value.n == op->vlen &&
		    !memcmp(m->rec_value.p, op->value, op->vlen))
			op->stored++;
		if (op->pending)
			op->pending--;
		return;
	}
	if (op->phase != KOP_LOOKUP || !op->q)
		return;
	/* not cleared: kad__msg_peers fills every entry it counts */
	if (!(peers = malloc(KAD_MSG_PEERS_MAX * sizeof(*peers))))
		return;
	if (op->op == KAD_OP_GET_VALUE && m->has_record &&
	    (m->rec_key.n == 0 || (m->rec_key.n == op->klen &&
				   !memcmp(m->rec_key.p, op->key, op->klen))))
		consider_value(k, op, m->rec_value.p, m->rec_value.n);
	if (op->op == KAD_OP_GET_PROVIDERS) {
		n = kad__msg_peers(k, m->providers, m->nproviders, peers);
		add_providers(k, op, peers, n);
	}
	n = kad__msg_peers(k, m->closer, m->ncloser, peers);
	kad_query_on_response(op->q, &rq->to.id, peers, n, now);
	free(peers);
	if ((op->op == KAD_OP_GET_VALUE &&
	     op->nvalid >= (size_t)k->cfg.get_value_quorum) ||
	    (op->op == KAD_OP_GET_PROVIDERS && op->npeers >= op->want))
		kad_query_finish(op->q, 0, now);
}

void kad__op_failure(struct kad *k, struct kop *op, const struct kreq *rq)
{
	if (!rq->lookup) {
		if (op->pending)
			op->pending--;
		return;
	}
	if (op->q)
		kad_query_on_failure(op->q, &rq->to.id, kad__now(k));
}

void kad__op_tick(struct kad *k, struct kop *op, uint64_t now)
{
	if (op->phase == KOP_LOOKUP && op->q)
		kad_query_tick(op->q, now, NULL, 0);
	kad__op_drive(k, op);
}

int kad__op_start(struct kad *k, struct kop *op)
{
	int r;

	switch (op->op) {
	case KAD_OP_GET_VALUE:
		op->qtype = KAD_GET_VALUE;
		break;
	case KAD_OP_GET_PROVIDERS:
		op->qtype = KAD_GET_PROVIDERS;
		break;
	default:
		op->qtype = KAD_FIND_NODE;
	}
	if ((r = start_query(k, op, op->key, op->klen)) < 0)
		return r;
	kad__op_drive(k, op);
	return 0;
}

/* Starters: none of them reports completion itself (see kad.c). */

static int begin(struct kad *k, enum kad_op kind, const uint8_t *key,
		 size_t klen, kad_done_fn done, void *arg, uint64_t *qid,
		 struct kop **out)
{
	struct kop *op;

	if (klen == 0 || klen > KAD_MSG_KEY_MAX)
		return GG_EINVAL;
	if (!(op = kad__op_new(k, kind, key, klen, done, arg)))
		return GG_ENOMEM;
	if (qid)
		*qid = op->id;
	*out = op;
	return 0;
}

/* A failed start: unlink silently (no callback). */
static int abandon(struct kad *k, struct kop *op, int r)
{
	kad_cancel(k, op->id);
	return r;
}

int kad_find_node(struct kad *k, const uint8_t *key, size_t klen,
		  kad_done_fn done, void *arg, uint64_t *qid)
{
	struct kop *op;
	int r;

	if ((r = begin(k, KAD_OP_FIND_NODE, key, klen, done, arg, qid,
		       &op)) < 0)
		return r;
	if ((r = kad__op_start(k, op)) < 0)
		return abandon(k, op, r);
	return 0;
}

int kad_get_value(struct kad *k, const uint8_t *key, size_t klen,
		  kad_done_fn done, void *arg, uint64_t *qid)
{
	struct gg_buf v = GG_BUF_INIT(1 << 20);
	struct kop *op;
	int r;

	if ((r = begin(k, KAD_OP_GET_VALUE, key, klen, done, arg, qid,
		       &op)) < 0)
		return r;
	if (k->store && kad_store_get_record(k->store, key, klen, kad__now(k),
					     &v, NULL) == 0)
		consider_value(k, op, v.data, v.len); /* counts as one */
	gg_buf_release(&v);
	if (op->nvalid >= (size_t)k->cfg.get_value_quorum) {
		op_end(op, 0);
		return 0;
	}
	if ((r = kad__op_start(k, op)) < 0)
		return abandon(k, op, r);
	return 0;
}

int kad_put_value(struct kad *k, const uint8_t *key, size_t klen,
		  const uint8_t *val, size_t vlen, kad_done_fn done,
		  void *arg, uint64_t *qid)
{
	struct kop *op;
	int r;

	r = kad_record_validate(k->cfg.validators, k->cfg.nvalidators, key,
				klen, val, vlen);
	if (r < 0)
		return r;
	if (vlen == 0 || vlen > k->cfg.msg.max_msg)
		return GG_ETOOBIG;
	if ((r = begin(k, KAD_OP_PUT_VALUE, key, klen, done, arg, qid,
		       &op)) < 0)
		return r;
	if (!(op->value = malloc(vlen)))
		return abandon(k, op, GG_ENOMEM);
	memcpy(op->value, val, vlen);
	op->vlen = vlen;
	if (k->store)
		kad_store_put_record(k->store, key, klen, val, vlen, &k->self,
				     kad__now(k));
	if ((r = kad__op_start(k, op)) < 0)
		return abandon(k, op, r);
	return 0;
}

/* Remember a key we provide, for republishing. */
static void remember_provided(struct kad *k, const uint8_t *key)
{
	struct provided *n;
	size_t i;

	for (i = 0; i < k->nprov; i++)
		if (!memcmp(k->prov[i].key, key, 34)) {
			k->prov[i].last_ms = kad__now(k);
			return;
		}
	if (k->nprov >= KAD_PROVIDED_MAX ||
	    !(n = realloc(k->prov, (k->nprov + 1) * sizeof(*n))))
		return;
	k->prov = n;
	memcpy(n[k->nprov].key, key, 34);
	n[k->nprov++].last_ms = kad__now(k);
}

int kad_add_provider(struct kad *k, const uint8_t *key, size_t klen,
		     kad_done_fn done, void *arg, uint64_t *qid)
{
	struct kad_peer self;
	struct kop *op;
	int r;

	if (klen != 34 || key[0] != 0x12 || key[1] != 0x20)
		return GG_EINVAL;
	if ((r = begin(k, KAD_OP_ADD_PROVIDER, key, klen, done, arg, qid,
		       &op)) < 0)
		return r;
	remember_provided(k, key);
	if (k->store) {
		memset(&self, 0, sizeof(self));
		self.id = k->self;
		self.addrs = k->self_addrs;
		kad_store_add_provider(k->store, key, klen, &self,
				       kad__now(k));
	}
	if ((r = kad__op_start(k, op)) < 0)
		return abandon(k, op, r);
	return 0;
}

int kad_get_providers(struct kad *k, const uint8_t *key, size_t klen,
		      size_t want, kad_done_fn done, void *arg,
		      uint64_t *qid)
{
	struct kop *op;
	int n, r;

	if (klen != 34 || key[0] != 0x12 || key[1] != 0x20)
		return GG_EINVAL;
	if (want == 0 || want > KAD_QUERY_PEERS_MAX)
		want = want ? KAD_QUERY_PEERS_MAX : (size_t)k->cfg.query.k;
	if ((r = begin(k, KAD_OP_GET_PROVIDERS, key, klen, done, arg, qid,
		       &op)) < 0)
		return r;
	op->want = want;
	if (!(op->peers = calloc(want, sizeof(*op->peers))))
		return abandon(k, op, GG_ENOMEM);
	if (k->store) {
		n = kad_store_get_providers(k->store, key, klen, kad__now(k),
					    op->peers, want);
		op->npeers = n > 0 ? (size_t)n : 0;
	}
	if (op->npeers >= want) {
		op_end(op, 0);
		return 0;
	}
	if ((r = kad__op_start(k, op)) < 0)
		return abandon(k, op, r);
	return 0;
}

int kad_bootstrap(struct kad *k, kad_done_fn done, void *arg, uint64_t *qid)
{
	struct kop *op;
	int r;

	if ((r = begin(k, KAD_OP_BOOTSTRAP, k->self.b, k->self.len, done, arg,
		       qid, &op)) < 0)
		return r;
	k->bootstrapped = 1;
	k->last_bootstrap_ms = kad__now(k);
	if ((r = kad__op_start(k, op)) < 0)
		return abandon(k, op, r);
	return 0;
}
