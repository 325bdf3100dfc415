/*
 * kad.c - the DHT engine's frame: lifecycle, the requests in flight,
 * responses and failures coming back from the host, peers reported by
 * identify, and the timer (request timeouts, periodic bootstrap,
 * republishing our provider records, sweeping the store).
 *
 * Completion callbacks are collected: an operation that ends is marked
 * KOP_DONE and reported by flush_done() at the end of the entry point
 * that the host called, so no callback ever runs inside a starter or in
 * the middle of the engine's own loops.
 */
#include "p2p/kad_impl.h"

#include "util/error.h"
#include "util/log.h"

void kad_config_default(struct kad_config *c)
{
	memset(c, 0, sizeof(*c));
	c->server_mode = 1;
	kad_table_config_default(&c->table);
	kad_query_config_default(&c->query);
	kad_msg_limits_default(&c->msg);
	c->get_value_quorum = 1;
	c->req_rate = 20;
	c->req_burst = 40;
	c->bootstrap_ms = 5ULL * 60 * 1000;
	c->republish_ms = KAD_PROVIDER_REPUBLISH_MS;
	c->expire_ms = 3600ULL * 1000;
	c->validators = kad_validators_default(&c->nvalidators);
}

struct kad *kad_new(const struct kad_config *c, const struct gg_peerid *self,
		    const struct kad_io *io, struct kad_store *store)
{
	struct kad *k;

	if (!io->send_request || !io->now_ms || c->get_value_quorum < 1)
		return NULL;
	if (!(k = calloc(1, sizeof(*k))))
		return NULL;
	k->cfg = *c;
	k->io = *io;
	k->self = *self;
	k->store = store;
	k->next_id = 1;
	if (kad_table_new(&c->table, self, &k->table) < 0) {
		free(k);
		return NULL;
	}
	return k;
}

void kad_free(struct kad *k)
{
	struct kop *op, *next;

	if (!k)
		return;
	for (op = k->ops; op; op = next) {
		next = op->next;
		kad__op_free(op);
	}
	kad_table_free(k->table);
	free(k->reqs);
	free(k->prov);
	free(k);
}

struct kad_table *kad_routing_table(struct kad *k)
{
	return k->table;
}

int kad_set_self_addrs(struct kad *k, const struct gg_multiaddr *addrs,
		       size_t n)
{
	size_t i;

	kad_addrbuf_init(&k->self_addrs);
	for (i = 0; i < n; i++)
		if (kad_addrbuf_add(&k->self_addrs, addrs[i].b,
				    addrs[i].len) < 0)
			return GG_ETOOBIG;
	return 0;
}

uint64_t kad__now(struct kad *k)
{
	return k->io.now_ms(k->io.ctx);
}

void kad__view_peer(const struct kad_peer *p, struct kad_msg_peer *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->id = p->id;
	for (i = 0; i < p->addrs.n && out->naddrs < KAD_MSG_ADDRS_MAX; i++)
		if (kad_addrbuf_at(&p->addrs, i, &out->addrs[out->naddrs].p,
				   &out->addrs[out->naddrs].n) == 0)
			out->naddrs++;
}

size_t kad__msg_peers(struct kad *k, const struct kad_msg_peer *in,
		      size_t n, struct kad_peer *out)
{
	size_t i, j, got = 0;

	for (i = 0; i < n; i++) {
		struct kad_peer *p = &out[got];

		if (gg_peerid_eq(&in[i].id, &k->self))
			continue;
		p->id = in[i].id;
		kad_key_of_peer(&p->id, &p->key);
		kad_addrbuf_init(&p->addrs);
		for (j = 0; j < in[i].naddrs; j++)
			kad_addrbuf_add(&p->addrs, in[i].addrs[j].p,
					in[i].addrs[j].n); /* full: skip */
		got++;
	}
	return got;
}

static struct kop *find_op(struct kad *k, uint64_t id)
{
	struct kop *op;

	for (op = k->ops; op; op = op->next)
		if (op->id == id)
			return op;
	return NULL;
}

static void req_remove(struct kad *k, size_t i)
{
	k->reqs[i] = k->reqs[--k->nreqs];
}

static int req_find(struct kad *k, uint64_t id, struct kreq *out)
{
	size_t i;

	for (i = 0; i < k->nreqs; i++)
		if (k->reqs[i].id == id) {
			*out = k->reqs[i];
			req_remove(k, i);
			return 0;
		}
	return GG_ENOTFOUND;
}

int kad__send(struct kad *k, struct kop *op, const struct kad_peer *to,
	      enum kad_msg_type type, int lookup, const uint8_t *msg,
	      size_t len, int want_reply)
{
	struct kreq *rq;
	uint64_t id = k->next_id++;
	int r;

	if (!want_reply)
		return k->io.send_request(k->io.ctx, id, to, msg, len, 0);
	if (k->nreqs == k->reqcap) {
		size_t cap = k->reqcap ? k->reqcap * 2 : 32;
		struct kreq *n = realloc(k->reqs, cap * sizeof(*n));

		if (!n)
			return GG_ENOMEM;
		k->reqs = n;
		k->reqcap = cap;
	}
	rq = &k->reqs[k->nreqs++];
	rq->id = id;
	rq->op = op->id;
	rq->to = *to;
	rq->type = type;
	rq->lookup = lookup;
	rq->sent_ms = kad__now(k);
	r = k->io.send_request(k->io.ctx, id, to, msg, len, 1);
	if (r < 0) {
		struct kreq copy;

		if (req_find(k, id, &copy) == 0)
			kad__op_failure(k, op, &copy);
	}
	return r;
}

/* Report finished operations; a callback may start or cancel others. */
static void flush_done(struct kad *k)
{
	struct kop **pp, *op;
	struct kad_result r;

again:
	for (pp = &k->ops; (op = *pp); pp = &op->next) {
		if (op->phase != KOP_DONE)
			continue;
		*pp = op->next;
		memset(&r, 0, sizeof(r));
		r.op = op->op;
		r.status = op->status;
		r.peers = op->peers;
		r.npeers = op->npeers;
		r.value = op->value;
		r.value_len = op->vlen;
		r.stored = op->stored;
		r.stats = op->stats;
		if (op->done)
			op->done(op->arg, &r);
		kad__op_free(op);
		goto again;
	}
}

static void failed(struct kad *k, const struct kreq *rq)
{
	struct kop *op = find_op(k, rq->op);

	kad_table_fail(k->table, &rq->to.id);
	if (!op)
		return;
	kad__op_failure(k, op, rq);
	kad__op_drive(k, op);
}

int kad_on_response(struct kad *k, uint64_t req, const uint8_t *msg,
		    size_t len)
{
	struct kad_msg *m;
	struct kreq rq;
	struct kop *op;
	int r;

	if (req_find(k, req, &rq) < 0)
		return GG_ENOTFOUND; /* timed out or cancelled */
	if (!(m = malloc(sizeof(*m))))
		return GG_ENOMEM;
	r = kad_msg_decode(msg, len, &k->cfg.msg, m);
	if (r == 0 && m->type != rq.type)
		r = GG_EPROTO;
	if (r < 0) {
		gg_debug("kad", "bad %s response: %s",
			 kad_msg_type_name(rq.type), gg_strerror(r));
		failed(k, &rq);
		goto out;
	}
	/* A kad answer shows the peer is a server and alive. */
	kad_table_add(k->table, &rq.to, kad__now(k));
	kad_table_verify(k->table, &rq.to.id, kad__now(k));
	if ((op = find_op(k, rq.op))) {
		kad__op_response(k, op, &rq, m, msg, len);
		kad__op_drive(k, op);
	}
out:
	free(m);
	flush_done(k);
	return r;
}

void kad_on_failure(struct kad *k, uint64_t req, int err)
{
	struct kreq rq;

	(void)err;
	if (req_find(k, req, &rq) < 0)
		return;
	failed(k, &rq);
	flush_done(k);
}

int kad_on_peer_identified(struct kad *k, const struct kad_peer *p,
			   int supports_kad)
{
	int r;

	if (!supports_kad) {
		kad_table_remove(k->table, &p->id);
		return 0;
	}
	r = kad_table_add(k->table, p, kad__now(k));
	if (r < 0 && r != GG_EEXISTS)
		return r;
	if (r == GG_EEXISTS &&
	    kad_table_find(k->table, &p->id)->state == KAD_PEER_VERIFIED)
		return 0;
	if (k->io.check_peer)
		k->io.check_peer(k->io.ctx, p);
	else
		kad_table_verify(k->table, &p->id, kad__now(k));
	return 0;
}

void kad_peer_checked(struct kad *k, const struct gg_peerid *id, int ok)
{
	if (ok)
		kad_table_verify(k->table, id, kad__now(k));
	else
		kad_table_remove(k->table, id);
}

int kad_add_verified(struct kad *k, const struct kad_peer *p)
{
	int r = kad_table_add(k->table, p, kad__now(k));

	if (r < 0 && r != GG_EEXISTS)
		return r;
	return kad_table_verify(k->table, &p->id, kad__now(k));
}

static void expire_reqs(struct kad *k, uint64_t now)
{
	size_t i = 0;

	while (i < k->nreqs) {
		struct kreq rq = k->reqs[i];

		if (now < rq.sent_ms + k->cfg.query.rpc_timeout_ms) {
			i++;
			continue;
		}
		req_remove(k, i);
		failed(k, &rq);
	}
}

static void periodic(struct kad *k, uint64_t now)
{
	size_t i;

	if (k->bootstrapped && k->cfg.bootstrap_ms &&
	    now - k->last_bootstrap_ms >= k->cfg.bootstrap_ms)
		kad_bootstrap(k, NULL, NULL, NULL);
	for (i = 0; i < k->nprov; i++)
		if (now - k->prov[i].last_ms >= k->cfg.republish_ms)
			kad_add_provider(k, k->prov[i].key, 34, NULL, NULL,
					 NULL); /* updates last_ms */
	if (k->store && now - k->last_expire_ms >= k->cfg.expire_ms) {
		k->last_expire_ms = now;
		kad_store_expire(k->store, now);
	}
}

static uint64_t next_wake(struct kad *k, uint64_t now)
{
	uint64_t t = now + k->cfg.expire_ms;
	struct kop *op;
	size_t i;

	for (i = 0; i < k->nreqs; i++)
		if (k->reqs[i].sent_ms + k->cfg.query.rpc_timeout_ms < t)
			t = k->reqs[i].sent_ms + k->cfg.query.rpc_timeout_ms;
	for (op = k->ops; op; op = op->next)
		if (op->q && kad_query_deadline(op->q) < t)
			t = kad_query_deadline(op->q);
	if (k->bootstrapped && k->last_bootstrap_ms + k->cfg.bootstrap_ms < t)
		t = k->last_bootstrap_ms + k->cfg.bootstrap_ms;
	return t > now ? t - now : 1;
}

uint64_t kad_tick(struct kad *k)
{
	uint64_t now = kad__now(k);
	struct kop *op;

	expire_reqs(k, now);
	for (op = k->ops; op; op = op->next)
		kad__op_tick(k, op, now);
	periodic(k, now);
	flush_done(k);
	return next_wake(k, now);
}

int kad_cancel(struct kad *k, uint64_t qid)
{
	struct kop **pp, *op;
	size_t i = 0;

	for (pp = &k->ops; (op = *pp); pp = &op->next)
		if (op->id == qid)
			break;
	if (!op)
		return GG_ENOTFOUND;
	*pp = op->next;
	kad__op_free(op);
	while (i < k->nreqs) /* late answers are then ignored */
		if (k->reqs[i].op == qid)
			req_remove(k, i);
		else
			i++;
	return 0;
}
