/*
 * peerstore.c - the bounded in-memory peer store of peerstore.h.
 *
 * A flat array searched linearly: a node keeps a few hundred peers at
 * most, and identify updates them once per connection, so simplicity
 * wins over a hash table here.
 */
#include "p2p/peerstore.h"
#include "util/error.h"

struct gg_peerstore {
	struct gg_peer_info *peers;
	size_t n, max;
	uint64_t clock;
};

int gg_peerstore_new(size_t max_peers, struct gg_peerstore **out)
{
	struct gg_peerstore *ps;

	*out = NULL;
	if (!max_peers)
		return GG_EINVAL;
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return GG_ENOMEM;
	ps->peers = calloc(max_peers, sizeof(*ps->peers));
	if (!ps->peers) {
		free(ps);
		return GG_ENOMEM;
	}
	ps->max = max_peers;
	*out = ps;
	return 0;
}

static void protos_clear(struct gg_peer_info *p)
{
	int i;

	for (i = 0; i < p->nprotos; i++)
		free(p->protos[i]);
	p->nprotos = 0;
}

void gg_peerstore_free(struct gg_peerstore *ps)
{
	size_t i;

	if (!ps)
		return;
	for (i = 0; i < ps->n; i++)
		protos_clear(&ps->peers[i]);
	free(ps->peers);
	free(ps);
}

static struct gg_peer_info *find(const struct gg_peerstore *ps,
				 const struct gg_peerid *id)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (gg_peerid_eq(&ps->peers[i].id, id))
			return &ps->peers[i];
	return NULL;
}

const struct gg_peer_info *gg_peerstore_get(const struct gg_peerstore *ps,
					    const struct gg_peerid *id)
{
	return find(ps, id);
}

size_t gg_peerstore_count(const struct gg_peerstore *ps)
{
	return ps->n;
}

/* The entry for id, made (evicting the stalest) when missing. */
static struct gg_peer_info *upsert(struct gg_peerstore *ps,
				   const struct gg_peerid *id)
{
	struct gg_peer_info *p = find(ps, id);
	size_t i, old = 0;

	if (!p && ps->n < ps->max) {
		p = &ps->peers[ps->n++];
	} else if (!p) {
		for (i = 1; i < ps->n; i++)
			if (ps->peers[i].updated < ps->peers[old].updated)
				old = i;
		p = &ps->peers[old];
		protos_clear(p);
	}
	if (!gg_peerid_eq(&p->id, id)) {
		memset(p, 0, sizeof(*p));
		p->id = *id;
	}
	p->updated = ++ps->clock;
	return p;
}

static int same_addr(const struct gg_multiaddr *a,
		     const struct gg_multiaddr *b)
{
	return a->len == b->len && !memcmp(a->b, b->b, a->len);
}

int gg_peerstore_add_addrs(struct gg_peerstore *ps,
			   const struct gg_peerid *id,
			   const struct gg_multiaddr *addrs, int n)
{
	struct gg_peer_info *p = upsert(ps, id);
	struct gg_multiaddr a;
	struct gg_peerid dummy;
	int i, j, had, dup;

	for (i = 0; i < n; i++) {
		a = addrs[i];
		if (gg_multiaddr_strip_p2p(&a, &dummy, &had))
			continue;
		for (dup = 0, j = 0; j < p->naddrs && !dup; j++)
			dup = same_addr(&p->addrs[j], &a);
		if (dup)
			continue;
		if (p->naddrs == GG_PS_MAX_ADDRS) {
			memmove(p->addrs, p->addrs + 1,
				sizeof(p->addrs[0]) * (GG_PS_MAX_ADDRS - 1));
			p->naddrs--;
		}
		p->addrs[p->naddrs++] = a;
	}
	return 0;
}

int gg_peerstore_set_protocols(struct gg_peerstore *ps,
			       const struct gg_peerid *id,
			       const char *const *protos, int n)
{
	struct gg_peer_info *p = upsert(ps, id);
	int i;

	protos_clear(p);
	for (i = 0; i < n && p->nprotos < GG_PS_MAX_PROTOS; i++) {
		if (strlen(protos[i]) >= GG_PS_MAX_PROTO_LEN)
			continue;
		p->protos[p->nprotos] = strdup(protos[i]);
		if (!p->protos[p->nprotos])
			return GG_ENOMEM;
		p->nprotos++;
	}
	return 0;
}

int gg_peerstore_set_agent(struct gg_peerstore *ps,
			   const struct gg_peerid *id, const char *agent,
			   const char *proto_version)
{
	struct gg_peer_info *p = upsert(ps, id);

	if (agent)
		snprintf(p->agent, sizeof(p->agent), "%s", agent);
	if (proto_version)
		snprintf(p->proto_version, sizeof(p->proto_version), "%s",
			 proto_version);
	return 0;
}

int gg_peerstore_supports(const struct gg_peerstore *ps,
			  const struct gg_peerid *id, const char *proto)
{
	const struct gg_peer_info *p = find(ps, id);
	int i;

	for (i = 0; p && i < p->nprotos; i++)
		if (!strcmp(p->protos[i], proto))
			return 1;
	return 0;
}
