/*
 * kad_host_sweep.c - peers whose protocols changed after we identified
 * them.  js-libp2p registers its DHT protocol after the first identify
 * and announces it with an identify push, which the identify service
 * writes to the peer store; a server may also switch modes, or drop out
 * of our table while staying connected.  Connected peers that are not in
 * the table but list our protocol in the peer store are offered to the
 * engine again, each at most once per KH_RETRY_MS (a peer that fails its
 * ping is not pinged again and again).
 *
 * Looking at every connection every second cost more than anything else
 * an idle node does (a table lookup, so a SHA-256, and a peer-store
 * lookup per connection: half of the CPU of 200 idle nodes).  So the
 * sweep looks each second only at the peers that could have changed: the
 * watch list of connected peers identified without our protocol or whose
 * identify failed.  Everything else is looked at once per KH_RETRY_MS,
 * which is as often as any one peer could be offered anyway.
 */
#include "p2p/kad_host_impl.h"

static int tried_recently(struct gg_kadhost *kh, const struct gg_peerid *id,
			  uint64_t now)
{
	struct ktried *t, *old = &kh->tried[0];
	size_t i;

	for (i = 0; i < KH_TRIED; i++) {
		t = &kh->tried[i];
		if (t->id.len && gg_peerid_eq(&t->id, id)) {
			if (now < t->ms + KH_RETRY_MS)
				return 1;
			t->ms = now;
			return 0;
		}
		if (t->ms < old->ms)
			old = t;
	}
	old->id = *id;
	old->ms = now;
	return 0;
}

static void sweep_one(struct gg_kadhost *kh, const struct gg_peerid *id,
		      uint64_t now)
{
	const struct gg_peer_info *pi;
	struct kad_peer p;
	int i, had;

	if (!gg_peerstore_supports(kh->ps, id, kh->proto) ||
	    !(pi = gg_peerstore_get(kh->ps, id)) || !pi->naddrs ||
	    tried_recently(kh, id, now))
		return;
	memset(&p, 0, sizeof(p));
	p.id = *id;
	kad_key_of_peer(id, &p.key);
	kad_addrbuf_init(&p.addrs);
	for (i = 0; i < pi->naddrs; i++) {
		struct gg_multiaddr m = pi->addrs[i];

		if (gg_multiaddr_strip_p2p(&m, NULL, &had) == 0)
			kad_addrbuf_add(&p.addrs, m.b, m.len);
	}
	kad_on_peer_identified(kh->kad, &p, 1);
}

void kh_sweep_watch(struct gg_kadhost *kh, const struct gg_peerid *id)
{
	struct ktried *old = NULL;
	int i;

	for (i = 0; i < kh->nwatch; i++) {
		if (gg_peerid_eq(&kh->watch[i].id, id))
			return;
		if (!old || kh->watch[i].ms < old->ms)
			old = &kh->watch[i];
	}
	if (kh->nwatch < KH_WATCH)
		old = &kh->watch[kh->nwatch++];
	old->id = *id; /* full: the longest watched gives way */
	old->ms = kh_now(kh);
}

/* The watched peers: offer those now listing us, forget those gone or in
 * the table. */
static void sweep_watched(struct gg_kadhost *kh, uint64_t now)
{
	const struct gg_peerid *id;
	int i = 0;

	while (i < kh->nwatch) {
		id = &kh->watch[i].id;
		if (!gg_host_conn_to(kh->host, id) ||
		    kad_table_find(kad_routing_table(kh->kad), id)) {
			kh->watch[i] = kh->watch[--kh->nwatch];
			continue;
		}
		sweep_one(kh, id, now);
		i++;
	}
}

static void sweep_all(struct gg_kadhost *kh, uint64_t now)
{
	struct gg_conn *conns[KH_SWEEP_CONNS];
	const struct gg_peerid *id;
	int i, n;

	n = gg_host_conns(kh->host, conns, KH_SWEEP_CONNS);
	for (i = 0; i < n; i++) {
		id = gg_conn_remote(conns[i]);
		if (!kad_table_find(kad_routing_table(kh->kad), id))
			sweep_one(kh, id, now);
	}
}

void kh_sweep_conns(struct gg_kadhost *kh)
{
	uint64_t now = kh_now(kh);

	if (!kh->ps || now < kh->last_sweep_ms + 1000)
		return;
	kh->last_sweep_ms = now;
	if (now >= kh->last_full_sweep_ms + KH_RETRY_MS) {
		kh->last_full_sweep_ms = now;
		sweep_all(kh, now);
	}
	sweep_watched(kh, now);
}
