/*
 * kad_server.c - answering other peers' DHT requests.
 *
 * Every request first passes a per-peer token bucket (req_rate per
 * second, req_burst deep), so a peer flooding FIND_NODE gets its stream
 * reset while everybody else is still answered; then the size cap and the
 * strict decoder.  PUT_VALUE stores only values a validator accepts and
 * that are not worse than what we hold, and echoes the request (js checks
 * the echo).  ADD_PROVIDER stores only the entries naming the sender.
 */
#include "p2p/kad_impl.h"

#include "util/error.h"
#include "util/log.h"

/* Take a token from the sender's bucket; 0 when there is none. */
static int rate_ok(struct kad *k, const struct gg_peerid *from, uint64_t now)
{
	struct ratelim *rl = NULL, *oldest = &k->rl[0];
	size_t i;

	for (i = 0; i < KAD_RL_SLOTS; i++) {
		if (k->rl[i].id.len && gg_peerid_eq(&k->rl[i].id, from)) {
			rl = &k->rl[i];
			break;
		}
		if (k->rl[i].last_ms < oldest->last_ms)
			oldest = &k->rl[i];
	}
	if (!rl) { /* a new peer takes the least recently seen slot */
		rl = oldest;
		rl->id = *from;
		rl->tokens = k->cfg.req_burst;
		rl->last_ms = now;
	}
	if (now > rl->last_ms) {
		rl->tokens += k->cfg.req_rate * (double)(now - rl->last_ms) /
			      1000.0;
		if (rl->tokens > k->cfg.req_burst)
			rl->tokens = k->cfg.req_burst;
	}
	rl->last_ms = now;
	if (rl->tokens < 1.0)
		return 0;
	rl->tokens -= 1.0;
	return 1;
}

static int is_sha256_mh(const struct kad_bytes *key)
{
	return key->n == 34 && key->p[0] == 0x12 && key->p[1] == 0x20;
}

/* closerPeers: the k closest verified peers to key, minus the asker;
 * just the peer itself when the key is a peer ID we know. */
static void add_closer(struct kad *k, const struct gg_peerid *from,
		       const struct kad_bytes *key, struct kad_msg *m,
		       struct kad_peer *selfp)
{
	const struct kad_entry *near[KAD_MSG_PEERS_MAX + 1];
	const struct kad_entry *e;
	struct gg_peerid id;
	struct kad_key target;
	size_t i, n;

	if (gg_peerid_from_bytes(key->p, key->n, &id) == 0) {
		if (gg_peerid_eq(&id, &k->self)) {
			selfp->id = k->self;
			selfp->addrs = k->self_addrs;
			kad__view_peer(selfp, &m->closer[m->ncloser++]);
			return;
		}
		e = kad_table_find(k->table, &id);
		if (e && e->state == KAD_PEER_VERIFIED &&
		    !gg_peerid_eq(&id, from)) {
			kad__view_peer(&e->peer, &m->closer[m->ncloser++]);
			return;
		}
	}
	kad_key_of(key->p, key->n, &target);
	n = kad_table_closest(k->table, &target, 1, near,
			      KAD_MSG_PEERS_MAX + 1);
	for (i = 0; i < n && m->ncloser < KAD_MSG_PEERS_MAX &&
		    m->ncloser < (size_t)k->cfg.query.k; i++)
		if (!gg_peerid_eq(&near[i]->peer.id, from))
			kad__view_peer(&near[i]->peer,
				       &m->closer[m->ncloser++]);
}

/* RFC 3339 UTC, as timeReceived. */
static size_t rfc3339(uint64_t ms, char *out, size_t outsz)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	int n;

	if (!gmtime_r(&t, &tm))
		return 0;
	n = snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		     tm.tm_hour, tm.tm_min, tm.tm_sec,
		     (unsigned)(ms % 1000));
	return n > 0 && (size_t)n < outsz ? (size_t)n : 0;
}

static int answer_get_value(struct kad *k, const struct kad_msg *req,
			    struct kad_msg *m, struct gg_buf *val,
			    char *tbuf, size_t tsz)
{
	uint64_t received;
	int r;

	if (req->key.n == 0)
		return GG_EPARSE;
	if (!k->store)
		return 0;
	r = kad_store_get_record(k->store, req->key.p, req->key.n,
				 kad__now(k), val, &received);
	if (r == GG_ENOTFOUND)
		return 0;
	if (r < 0)
		return r;
	m->has_record = 1;
	m->rec_key = req->key;
	m->rec_value.p = val->data;
	m->rec_value.n = val->len;
	m->rec_time.p = (const uint8_t *)tbuf;
	m->rec_time.n = rfc3339(received, tbuf, tsz);
	return 0;
}

static int answer_put_value(struct kad *k, const struct gg_peerid *from,
			    const struct kad_msg *req)
{
	struct gg_buf old = GG_BUF_INIT(1 << 20);
	struct kad_bytes vals[2];
	size_t best = 1;
	int r;

	if (!k->store)
		return GG_EUNSUPPORTED;
	if (!req->has_record || req->key.n == 0 ||
	    req->rec_key.n != req->key.n ||
	    memcmp(req->rec_key.p, req->key.p, req->key.n))
		return GG_EPARSE;
	r = kad_record_validate(k->cfg.validators, k->cfg.nvalidators,
				req->key.p, req->key.n, req->rec_value.p,
				req->rec_value.n);
	if (r < 0)
		return r;
	r = kad_store_get_record(k->store, req->key.p, req->key.n,
				 kad__now(k), &old, NULL);
	if (r == 0) {
		vals[0].p = old.data;
		vals[0].n = old.len;
		vals[1] = req->rec_value;
		r = kad_record_select(k->cfg.validators, k->cfg.nvalidators,
				      req->key.p, req->key.n, vals, 2, &best);
		if (r == 0 && best == 0 && (old.len != req->rec_value.n ||
		    memcmp(old.data, req->rec_value.p, old.len)))
			r = GG_EEXISTS; /* we hold a better record */
	} else if (r == GG_ENOTFOUND) {
		r = 0;
	}
	if (r == 0)
		r = kad_store_put_record(k->store, req->key.p, req->key.n,
					 req->rec_value.p, req->rec_value.n,
					 from, kad__now(k));
	gg_buf_release(&old);
	return r;
}

static int answer_add_provider(struct kad *k, const struct gg_peerid *from,
			       const struct kad_msg *req)
{
	struct kad_peer p;
	size_t i, j;
	int r;

	if (!k->store)
		return GG_EUNSUPPORTED;
	if (!is_sha256_mh(&req->key))
		return GG_EPARSE;
	for (i = 0; i < req->nproviders; i++) {
		const struct kad_msg_peer *mp = &req->providers[i];

		if (!gg_peerid_eq(&mp->id, from))
			continue; /* only the sender may name itself */
		memset(&p, 0, sizeof(p));
		p.id = mp->id;
		kad_key_of_peer(&p.id, &p.key);
		for (j = 0; j < mp->naddrs; j++)
			kad_addrbuf_add(&p.addrs, mp->addrs[j].p,
					mp->addrs[j].n);
		r = kad_store_add_provider(k->store, req->key.p, req->key.n,
					   &p, kad__now(k));
		if (r < 0)
			return r;
		break;
	}
	return 0;
}

static int answer_get_providers(struct kad *k, const struct kad_msg *req,
				struct kad_msg *m, struct kad_peer *provs)
{
	int i, n;

	if (!is_sha256_mh(&req->key))
		return GG_EPARSE;
	if (!k->store)
		return 0;
	n = kad_store_get_providers(k->store, req->key.p, req->key.n,
				    kad__now(k), provs, KAD_MSG_PEERS_MAX);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		kad__view_peer(&provs[i], &m->providers[m->nproviders++]);
	return 0;
}

struct answer {
	struct kad_msg req, resp;
	struct kad_peer provs[KAD_MSG_PEERS_MAX];
	struct kad_peer selfp;
	char tbuf[KAD_MSG_TIME_MAX];
};

static int answer(struct kad *k, const struct gg_peerid *from,
		  struct answer *a, const uint8_t *msg, size_t len,
		  struct gg_buf *val, struct gg_buf *reply)
{
	const struct kad_msg *req = &a->req;
	int r = 0;

	kad_msg_init(&a->resp, req->type);
	a->resp.key = req->key;
	switch (req->type) {
	case KAD_PING:
		break;
	case KAD_FIND_NODE:
		break;
	case KAD_GET_VALUE:
		r = answer_get_value(k, req, &a->resp, val, a->tbuf,
				     sizeof(a->tbuf));
		break;
	case KAD_PUT_VALUE:
		if ((r = answer_put_value(k, from, req)) == 0)
			return gg_buf_add(reply, msg, len); /* the echo */
		return r;
	case KAD_ADD_PROVIDER:
		return answer_add_provider(k, from, req); /* no reply */
	case KAD_GET_PROVIDERS:
		r = answer_get_providers(k, req, &a->resp, a->provs);
		break;
	}
	if (r < 0)
		return r;
	if (req->type != KAD_PING)
		add_closer(k, from, &req->key, &a->resp, &a->selfp);
	return kad_msg_encode(&a->resp, reply);
}

int kad_on_request(struct kad *k, const struct gg_peerid *from,
		   const uint8_t *msg, size_t len, struct gg_buf *reply)
{
	struct gg_buf val = GG_BUF_INIT(1 << 20);
	struct answer *a = NULL;
	int r;

	if (!k->cfg.server_mode)
		return GG_EUNSUPPORTED;
	if (!rate_ok(k, from, kad__now(k))) {
		gg_debug("kad", "rate limited a request");
		return GG_EAGAIN;
	}
	if (len > k->cfg.msg.max_msg)
		return GG_ETOOBIG;
	if (!(a = malloc(sizeof(*a))))
		return GG_ENOMEM;
	r = kad_msg_decode(msg, len, &k->cfg.msg, &a->req);
	if (r == 0)
		r = answer(k, from, a, msg, len, &val, reply);
	if (r < 0)
		gg_debug("kad", "refused a %s request: %s",
			 kad_msg_type_name(a->req.type), gg_strerror(r));
	gg_buf_release(&val);
	free(a);
	return r;
}
