/*
 * kad_host_peer.c - how peers enter the routing table: every new
 * connection is identified (our own /ipfs/id/1.0.0 request, so the
 * answer is ours to act on), the engine learns whether the peer lists
 * our kad protocol, and a server peer is pinged before it is trusted.
 * Also joining through bootstrap peers.
 *
 * Ping results are not reported from inside the ping callback: the
 * pinger may not be freed there, and the engine is told from the timer
 * (kh_checks_run), which also gives up on a ping after KH_CHECK_MS.
 */
#include "p2p/identify.h"
#include "p2p/kad_host_impl.h"
#include "util/error.h"
#include "util/log.h"

#define KH_CHECK_MS 10000
#define KH_JOIN_MAX 64
#define KH_PUSH_GRACE_MS 3000

/* ---- identify ---- */

struct kid {
	struct gg_kadhost *kh;
	struct gg_peerid peer;
	struct gg_multiaddr remote; /* dialable when outbound */
	int outbound, done;
	struct gg_buf in;
};

static void kid_free(struct kid *d)
{
	gg_buf_release(&d->in);
	free(d);
}

static void kid_ignore(void *arg, struct gg_stream *s, const uint8_t *p,
		       size_t n)
{
}

static const struct gg_stream_cbs kid_drain = { .on_data = kid_ignore };

/* The peer as the engine carries it: the address we reached it on
 * first (its group decides diversity), then what it announced. */
static void kid_peer(struct kid *d, const struct gg_identify_info *info,
		     struct kad_peer *p)
{
	struct gg_multiaddr m;
	int i, had;

	memset(p, 0, sizeof(*p));
	p->id = d->peer;
	kad_key_of_peer(&p->id, &p->key);
	kad_addrbuf_init(&p->addrs);
	m = d->remote;
	if (d->outbound && gg_multiaddr_strip_p2p(&m, NULL, &had) == 0)
		kad_addrbuf_add(&p->addrs, m.b, m.len);
	for (i = 0; i < info->naddrs; i++) {
		m = info->addrs[i];
		if (gg_multiaddr_strip_p2p(&m, NULL, &had) == 0 &&
		    (!d->outbound || m.len != d->remote.len ||
		     memcmp(m.b, d->remote.b, m.len)))
			kad_addrbuf_add(&p->addrs, m.b, m.len); /* full: drop */
	}
}

static void kid_use(struct kid *d, const struct gg_identify_info *info)
{
	struct gg_kadhost *kh = d->kh;
	struct kad_peer p;
	int i, lists = 0;

	if (!gg_peerid_matches_pubkey(&d->peer, info->pubkey,
				      info->pubkey_len)) {
		kh_joins_peer_done(kh, &d->peer);
		return;
	}
	for (i = 0; i < info->nprotos; i++)
		if (!strcmp(info->protos[i], kh->proto))
			lists = 1;
	kid_peer(d, info, &p);
	if (!lists || !p.addrs.n) {
		kad_on_peer_identified(kh->kad, &p, 0);
		kh_sweep_watch(kh, &d->peer);
		/* js announces the protocol a moment later (identify push) */
		kh_joins_peer_later(kh, &d->peer, KH_PUSH_GRACE_MS);
	} else if (kad_on_peer_identified(kh->kad, &p, 1) < 0) {
		kh_joins_peer_done(kh, &d->peer); /* full or diversity */
	}
	kh_kick(kh);
}

/*
 * Our identify request failed.  js-libp2p takes one inbound identify
 * stream per connection and resets ours when the identify service's came
 * first; that one fills the peer store, so the sweep looks soon.
 */
static void kid_failed(struct kid *d)
{
	struct gg_kadhost *kh = d->kh;

	if (kh->closing)
		return;
	kh_joins_peer_later(kh, &d->peer, KH_PUSH_GRACE_MS);
	kh_sweep_watch(kh, &d->peer);
	kh->last_sweep_ms = kh_now(kh) - 800; /* sweep in 200 ms */
}

static void kid_data(void *arg, struct gg_stream *s, const uint8_t *p,
		     size_t n)
{
	struct kid *d = arg;
	struct gg_identify_info info;
	size_t hdr, len;
	int rc;

	rc = gg_buf_add(&d->in, p, n);
	if (rc == 0)
		rc = gg_kadhost_frame(d->in.data, d->in.len, GG_ID_MAX_MSG,
				      &hdr, &len);
	if (rc == 0)
		return;
	d->done = 1;
	if (rc == 1 && !d->kh->closing &&
	    gg_identify_decode(d->in.data + hdr, len, &info) == 0) {
		kid_use(d, &info);
		gg_identify_info_release(&info);
	} else {
		kid_failed(d);
	}
	gg_stream_set_cbs(s, &kid_drain, NULL);
	gg_stream_close_write(s);
	kid_free(d);
}

static void kid_close(void *arg, struct gg_stream *s, int err)
{
	struct kid *d = arg;

	kid_failed(d);
	kid_free(d);
}

static const struct gg_stream_cbs kid_cbs = {
	.on_data = kid_data,
	.on_close = kid_close,
};

static void kid_opened(void *arg, struct gg_stream *s, int err)
{
	struct kid *d = arg;

	if (err || d->kh->closing) {
		if (s)
			gg_stream_reset(s);
		kid_failed(d);
		kid_free(d);
		return;
	}
	gg_stream_set_cbs(s, &kid_cbs, d);
}

void kh_on_conn(void *arg, struct gg_conn *c, enum gg_conn_event ev,
		int err)
{
	static const char *const protos[] = { GG_ID_PROTO };
	struct gg_kadhost *kh = arg;
	struct kid *d;

	if (ev != GG_CONN_UP || kh->closing)
		return;
	if (!(d = calloc(1, sizeof(*d)))) {
		kh_sweep_watch(kh, gg_conn_remote(c)); /* the sweep tries */
		return;
	}
	d->kh = kh;
	d->peer = *gg_conn_remote(c);
	d->remote = *gg_conn_remote_addr(c);
	d->outbound = !gg_conn_inbound(c);
	gg_buf_init(&d->in, GG_ID_MAX_MSG + 16);
	if (gg_stream_open(c, protos, 1, kid_opened, d) < 0) {
		kh_sweep_watch(kh, &d->peer);
		kid_free(d);
	}
}

/* ---- ping checks ---- */

static void on_pong(void *arg, int err, uint64_t rtt_ns)
{
	struct kcheck *kc = arg;

	kc->done = 1;
	kc->ok = err == 0;
	kh_kick(kc->kh);
}

void kh_check_peer(void *ctx, const struct kad_peer *p)
{
	struct gg_kadhost *kh = ctx;
	struct gg_conn *c = gg_host_conn_to(kh->host, &p->id);
	struct kcheck *kc;

	if (!(kc = calloc(1, sizeof(*kc))))
		return; /* stays pending; a full bucket evicts it first */
	kc->kh = kh;
	kc->peer = p->id;
	kc->started_ms = kh_now(kh);
	kh->st.pings++;
	kc->next = kh->checks;
	kh->checks = kc;
	if (!c || gg_ping_new(c, on_pong, kc, &kc->ping) < 0 ||
	    gg_ping_send(kc->ping) < 0)
		kc->done = 1; /* reported by the timer */
	kh_kick(kh);
}

void kh_checks_run(struct gg_kadhost *kh)
{
	struct kcheck **pp = &kh->checks, *kc;
	uint64_t now = kh_now(kh);

	while ((kc = *pp)) {
		if (!kc->done && now < kc->started_ms + KH_CHECK_MS) {
			pp = &kc->next;
			continue;
		}
		*pp = kc->next;
		gg_ping_free(kc->ping);
		kad_peer_checked(kh->kad, &kc->peer, kc->done && kc->ok);
		kh_joins_peer_done(kh, &kc->peer);
		free(kc);
	}
}

/* ---- joining ---- */

struct kjoin_dial {
	struct kjoin *j;
	char text[GG_MULTIADDR_STR_MAX];
};

static void join_free_maybe(struct kjoin *j)
{
	if (j->finished && j->ndialing == 0) {
		free(j->wait);
		free(j->until);
		free(j);
	}
}

static void join_unlink(struct kjoin *j)
{
	struct kjoin **pp;

	for (pp = &j->kh->joins; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			return;
		}
}

static void join_end(struct kjoin *j, int status)
{
	size_t n = gg_kadhost_table_size(j->kh);

	join_unlink(j);
	j->finished = 1;
	if (j->cb)
		j->cb(j->arg, status, n);
	join_free_maybe(j);
}

static void join_wait_add(struct kjoin *j, const struct gg_peerid *id)
{
	int i;

	for (i = 0; i < j->nwait; i++)
		if (gg_peerid_eq(&j->wait[i], id))
			return;
	if (j->nwait < KH_JOIN_MAX) {
		j->until[j->nwait] = 0;
		j->wait[j->nwait++] = *id;
	}
}

void kh_joins_peer_done(struct gg_kadhost *kh, const struct gg_peerid *id)
{
	struct kjoin *j;
	int i;

	for (j = kh->joins; j; j = j->next)
		for (i = 0; i < j->nwait; i++)
			if (gg_peerid_eq(&j->wait[i], id)) {
				j->nwait--;
				j->wait[i] = j->wait[j->nwait];
				j->until[i] = j->until[j->nwait];
				break;
			}
}

void kh_joins_peer_later(struct gg_kadhost *kh, const struct gg_peerid *id,
			 uint64_t ms)
{
	struct kjoin *j;
	int i;

	for (j = kh->joins; j; j = j->next)
		for (i = 0; i < j->nwait; i++)
			if (gg_peerid_eq(&j->wait[i], id) && !j->until[i])
				j->until[i] = kh_now(kh) + ms;
}

static void join_dialed(void *arg, struct gg_conn *c, int err,
			const struct gg_peerid *remote)
{
	struct kjoin_dial *jd = arg;
	struct kjoin *j = jd->j;
	const struct kad_entry *e;

	j->ndialing--;
	if (j->finished || j->kh->closing) {
		free(jd);
		join_free_maybe(j);
		return;
	}
	if (c) {
		gg_info("node", "connected to bootstrap peer %s", jd->text);
		e = kad_table_find(kad_routing_table(j->kh->kad),
				   gg_conn_remote(c));
		if (!e || e->state != KAD_PEER_VERIFIED)
			join_wait_add(j, gg_conn_remote(c));
	} else {
		gg_warn("node", "bootstrap peer %s: %s", jd->text,
			gg_strerror(err));
		if (!j->first_err)
			j->first_err = err;
	}
	free(jd);
	kh_kick(j->kh);
}

static void join_booted(void *arg, const struct kad_result *r)
{
	struct kjoin *j = arg;

	if (j->kh->persist)
		gg_kadhost_save(j->kh);
	join_end(j, gg_kadhost_table_size(j->kh) ? 0 : GG_ENOTFOUND);
}

/* Drop waits for peers that made it into the table or ran out of time. */
static void join_prune(struct kjoin *j, uint64_t now)
{
	const struct kad_entry *e;
	int i = 0;

	while (i < j->nwait) {
		e = kad_table_find(kad_routing_table(j->kh->kad), &j->wait[i]);
		if ((e && e->state == KAD_PEER_VERIFIED) ||
		    (j->until[i] && now >= j->until[i])) {
			j->nwait--;
			j->wait[i] = j->wait[j->nwait];
			j->until[i] = j->until[j->nwait];
		} else {
			i++;
		}
	}
}

void kh_joins_run(struct gg_kadhost *kh)
{
	struct kjoin *j, *next;
	uint64_t now = kh_now(kh);

	for (j = kh->joins; j; j = next) {
		next = j->next;
		if (j->booting || j->ndialing)
			continue;
		join_prune(j, now);
		if (j->nwait && now < j->deadline_ms)
			continue;
		if (!gg_kadhost_table_size(kh)) {
			join_end(j, j->first_err ? j->first_err
						 : GG_ENOTFOUND);
			continue;
		}
		j->booting = 1;
		if (kad_bootstrap(kh->kad, join_booted, j, NULL) < 0)
			join_end(j, GG_ENOMEM);
	}
}

static void join_self_addrs(struct gg_kadhost *kh)
{
	struct gg_multiaddr ma[GG_HOST_MAX_LISTEN];
	int n = gg_host_listen_addrs(kh->host, ma, GG_HOST_MAX_LISTEN);

	if (n > 0)
		kad_set_self_addrs(kh->kad, ma, (size_t)n);
}

static void join_dial(struct kjoin *j, const struct gg_multiaddr *ma)
{
	struct kjoin_dial *jd = calloc(1, sizeof(*jd));
	int rc;

	if (!jd)
		return;
	jd->j = j;
	gg_multiaddr_to_str(ma, jd->text, sizeof(jd->text));
	rc = gg_host_dial(j->kh->host, ma, j->kh->dial_timeout_ms,
			  join_dialed, jd, NULL);
	if (rc < 0) {
		gg_warn("node", "bootstrap peer %s: %s", jd->text,
			gg_strerror(rc));
		if (!j->first_err)
			j->first_err = rc;
		free(jd);
		return;
	}
	j->ndialing++;
}

int gg_kadhost_join(struct gg_kadhost *kh, const struct gg_multiaddr *addrs,
		    int n, uint64_t timeout_ms, gg_kadhost_join_cb cb,
		    void *arg)
{
	struct kjoin *j;
	int i;

	if (kh->closing)
		return GG_ECANCELED;
	if (!(j = calloc(1, sizeof(*j))) ||
	    !(j->wait = calloc(KH_JOIN_MAX, sizeof(*j->wait))) ||
	    !(j->until = calloc(KH_JOIN_MAX, sizeof(*j->until)))) {
		if (j)
			free(j->wait);
		free(j);
		return GG_ENOMEM;
	}
	j->kh = kh;
	j->cb = cb;
	j->arg = arg;
	j->deadline_ms = kh_now(kh) + timeout_ms;
	join_self_addrs(kh);
	for (i = 0; i < n; i++)
		join_dial(j, &addrs[i]);
	j->next = kh->joins;
	kh->joins = j;
	kh_kick(kh);
	return 0;
}

void kh_peers_close(struct gg_kadhost *kh)
{
	struct kcheck *kc, *cnext;
	struct kjoin *j;

	for (kc = kh->checks; kc; kc = cnext) {
		cnext = kc->next;
		gg_ping_free(kc->ping);
		free(kc);
	}
	kh->checks = NULL;
	while ((j = kh->joins))
		join_end(j, GG_ECANCELED);
}
