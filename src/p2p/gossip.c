/*
 * gossip.c - the gossipsub router's lifecycle, peers, topics and the
 * per-peer queues that become RPCs.
 *
 * Every API call works on the engine's state, queues what each peer
 * should get into that peer's two buffers (top-level fields, and the
 * ControlMessage fields) and ends with gs_flush, which turns each queue
 * into one RPC for gossip_io.send_rpc.  A queue about to pass the RPC
 * cap is sent early, so an RPC we send is never one a peer must refuse.
 */
#include "p2p/gossip_impl.h"

#include <sys/random.h>

#include "util/error.h"
#include "util/log.h"

void gossip_config_default(struct gossip_config *c)
{
	memset(c, 0, sizeof(*c));
	c->d = 6;
	c->d_lo = 4;
	c->d_hi = 12;
	c->d_lazy = 6;
	c->d_score = 4;
	c->d_out = 2;
	c->heartbeat_ms = 1000;
	c->fanout_ttl_ms = 60 * 1000;
	c->seen_ttl_ms = 120 * 1000;
	c->prune_backoff_ms = 60 * 1000;
	c->unsub_backoff_ms = 10 * 1000;
	c->iwant_followup_ms = 3000;
	c->mcache_len = 5;
	c->mcache_gossip = 3;
	c->gossip_factor = 0.25;
	c->flood_publish = 1;
	c->max_ihave_length = 5000;
	c->max_ihave_messages = 10;
	c->gossip_retransmission = 3;
	c->max_peers = 1024;
	c->max_topics = 1024;
	c->max_topics_per_peer = 64;
	c->opportunistic_graft_ticks = 60;
	c->opportunistic_graft_peers = 2;
	gossip_rpc_limits_default(&c->rpc);
	gs_score_defaults(&c->score);
}

static int config_ok(const struct gossip_config *c)
{
	const struct gossip_score_params *s = &c->score;

	return c->d_lo >= 0 && c->d_lo <= c->d && c->d <= c->d_hi &&
	       c->d_out >= 0 && (c->d_out < c->d_lo || c->d_out == 0) &&
	       c->d_out <= c->d / 2 && c->d_score >= 0 &&
	       c->d_score <= c->d && c->d_lazy >= 0 && c->heartbeat_ms > 0 &&
	       c->mcache_len >= 1 && c->mcache_gossip >= 0 &&
	       c->mcache_gossip <= c->mcache_len &&
	       c->seen_ttl_ms >= (uint64_t)c->mcache_len * c->heartbeat_ms &&
	       c->rpc.max_rpc >= 1024 && c->rpc.max_rpc <= 16u << 20 &&
	       c->max_peers > 0 && c->max_topics > 0 &&
	       c->max_topics_per_peer > 0 && s->graylist_threshold < 0 &&
	       s->graylist_threshold < s->publish_threshold &&
	       s->publish_threshold <= s->gossip_threshold &&
	       s->gossip_threshold <= 0 && s->decay_ms > 0;
}

uint64_t gs_now(struct gossip *g)
{
	return g->io.now_ms(g->io.ctx);
}

/* xorshift64*: mesh choices need to be unpredictable to peers, not
 * cryptographic. */
uint64_t gs_rand(struct gossip *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ULL;
}

void gs_shuffle(struct gossip *g, struct gs_peer **a, size_t n)
{
	size_t i, j;
	struct gs_peer *t;

	for (i = n; i > 1; i--) {
		j = (size_t)(gs_rand(g) % i);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

static void seed(struct gossip *g)
{
	uint64_t s[3] = { 0, 0, 0 };

	if (g->io.random)
		g->io.random(g->io.ctx, (uint8_t *)s, sizeof(s));
	else if (getrandom(s, sizeof(s), 0) != (ssize_t)sizeof(s))
		s[0] = (uint64_t)(uintptr_t)g ^ gs_now(g);
	g->rng = s[0] | 1;
	g->hash_seed = s[1];
	/* Random start, as js does, so a restart never reuses seqnos; the
	 * top bit stays clear so it never wraps. */
	g->seqno = s[2] >> 1;
}

struct gossip *gossip_new(const struct gossip_config *c,
			  const struct gg_peerid *self,
			  const struct gg_privkey *key,
			  const struct gossip_io *io)
{
	struct gossip *g = NULL;

	if (!config_ok(c) || !io->send_rpc || !io->now_ms || !key)
		return NULL;
	if (!(g = calloc(1, sizeof(*g))))
		return NULL;
	g->c = *c;
	g->io = *io;
	g->self = *self;
	g->key = key;
	g->next_serial = 1;
	g->peers = calloc(c->max_peers, sizeof(*g->peers));
	g->topics = calloc(c->max_topics, sizeof(*g->topics));
	g->rpc = gossip_rpc_new();
	gg_buf_init(&g->out, c->rpc.max_rpc + 64);
	if (!g->peers || !g->topics || !g->rpc || gs_cache_init(g) < 0) {
		gossip_free(g);
		return NULL;
	}
	seed(g);
	g->next_hb = gs_now(g) + c->heartbeat_ms;
	g->next_decay = gs_now(g) + c->score.decay_ms;
	return g;
}

static void peer_free(struct gs_peer *p)
{
	gg_buf_release(&p->body);
	gg_buf_release(&p->ctl);
	free(p->t);
	free(p);
}

void gossip_free(struct gossip *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->npeers; i++)
		peer_free(g->peers[i]);
	for (i = 0; i < g->ntopics; i++) {
		free(g->topics[i]->name);
		free(g->topics[i]);
	}
	gs_cache_release(g);
	free(g->peers);
	free(g->topics);
	gossip_rpc_free(g->rpc);
	gg_buf_release(&g->out);
	free(g);
}

size_t gossip_max_rpc(const struct gossip *g)
{
	return g->c.rpc.max_rpc;
}

struct gs_peer *gs_peer_find(const struct gossip *g,
			     const struct gg_peerid *id)
{
	size_t i;

	for (i = 0; i < g->npeers; i++)
		if (gg_peerid_eq(&g->peers[i]->id, id))
			return g->peers[i];
	return NULL;
}

struct gs_peer *gs_peer_by_serial(const struct gossip *g, uint64_t serial)
{
	size_t i;

	for (i = 0; i < g->npeers; i++)
		if (g->peers[i]->serial == serial)
			return g->peers[i];
	return NULL;
}

int gs_topic_find(const struct gossip *g, const uint8_t *name, size_t len)
{
	size_t i;

	for (i = 0; i < g->ntopics; i++)
		if (g->topics[i]->len == len &&
		    !memcmp(g->topics[i]->name, name, len))
			return (int)i;
	return GG_ENOTFOUND;
}

int gs_topic_get(struct gossip *g, const uint8_t *name, size_t len)
{
	struct gs_topic *t;
	int i = gs_topic_find(g, name, len);

	if (i >= 0)
		return i;
	if (len == 0 || len > GOSSIP_TOPIC_MAX || memchr(name, 0, len))
		return GG_EINVAL;
	if (g->ntopics >= g->c.max_topics)
		return GG_ELIMIT;
	if (!(t = calloc(1, sizeof(*t))) || !(t->name = malloc(len + 1))) {
		free(t);
		return GG_ENOMEM;
	}
	memcpy(t->name, name, len);
	t->name[len] = 0;
	t->len = len;
	t->sp = g->c.score.topic;
	g->topics[g->ntopics] = t;
	return (int)g->ntopics++;
}

struct gossip_bytes gs_topic_bytes(const struct gossip *g, int topic)
{
	struct gossip_bytes b = { (const uint8_t *)g->topics[topic]->name,
				  g->topics[topic]->len };
	return b;
}

struct gs_ptopic *gs_ptopic(struct gs_peer *p, int topic)
{
	size_t i;

	for (i = 0; i < p->nt; i++)
		if (p->t[i].topic == topic)
			return &p->t[i];
	return NULL;
}

struct gs_ptopic *gs_ptopic_get(struct gossip *g, struct gs_peer *p,
				int topic)
{
	struct gs_ptopic *pt = gs_ptopic(p, topic);

	if (pt || p->nt >= g->c.max_topics_per_peer)
		return pt;
	if (p->nt == p->capt) {
		size_t cap = p->capt ? p->capt * 2 : 4;
		struct gs_ptopic *a = realloc(p->t, cap * sizeof(*a));

		if (!a)
			return NULL;
		p->t = a;
		p->capt = cap;
	}
	pt = &p->t[p->nt++];
	memset(pt, 0, sizeof(*pt));
	pt->topic = topic;
	return pt;
}

int gossip_add_peer(struct gossip *g, const struct gg_peerid *id,
		    const char *ip, int outbound, enum gossip_proto proto)
{
	struct gs_peer *p;
	size_t i;

	if (gs_peer_find(g, id))
		return GG_EEXISTS;
	if (g->npeers >= g->c.max_peers)
		return GG_ELIMIT;
	if (!(p = calloc(1, sizeof(*p))))
		return GG_ENOMEM;
	p->id = *id;
	p->serial = g->next_serial++;
	p->outbound = outbound;
	p->proto = proto;
	if (ip && snprintf(p->ip, sizeof(p->ip), "%s", ip) >=
		  (int)sizeof(p->ip))
		p->ip[0] = 0;
	g->peers[g->npeers++] = p;
	gs_coloc_update(g, p->ip);
	/* Hello: our subscriptions. */
	for (i = 0; i < g->ntopics; i++)
		if (g->topics[i]->subscribed)
			gs_send_sub(g, p, (int)i, 1);
	gs_flush(g);
	return 0;
}

int gossip_remove_peer(struct gossip *g, const struct gg_peerid *id)
{
	char ip[GOSSIP_IP_MAX];
	size_t i;

	for (i = 0; i < g->npeers; i++)
		if (gg_peerid_eq(&g->peers[i]->id, id))
			break;
	if (i == g->npeers)
		return GG_ENOTFOUND;
	memcpy(ip, g->peers[i]->ip, sizeof(ip));
	peer_free(g->peers[i]);
	g->peers[i] = g->peers[--g->npeers];
	gs_coloc_update(g, ip);
	return 0;
}

void gossip_on_oversized(struct gossip *g, const struct gg_peerid *from,
			 size_t len)
{
	struct gs_peer *p = gs_peer_find(g, from);

	g->st.oversized++;
	if (p)
		gs_score_penalty(p, 1);
	gg_debug(GS_LOG, "refused an RPC of %zu bytes", len);
}

int gossip_on_rpc(struct gossip *g, const struct gg_peerid *from,
		  const uint8_t *rpc, size_t len)
{
	struct gs_peer *p = gs_peer_find(g, from);
	int r;

	if (!p)
		return GG_ENOTFOUND;
	g->st.rpcs_in++;
	if (len > g->c.rpc.max_rpc) {
		gossip_on_oversized(g, from, len);
		return GG_ETOOBIG;
	}
	if (gs_score(g, p) < g->c.score.graylist_threshold) {
		g->st.graylisted++;
		return GG_EBANNED;
	}
	if ((r = gossip_rpc_decode(rpc, len, &g->c.rpc, g->rpc)) < 0) {
		g->st.malformed++;
		gs_score_penalty(p, 1);
		return r;
	}
	gs_handle_subs(g, p, g->rpc);
	gs_handle_msgs(g, p, g->rpc);
	gs_handle_control(g, p, g->rpc);
	gs_flush(g);
	return 0;
}

static int topic_of(struct gossip *g, const char *topic, int create)
{
	size_t n = topic ? strlen(topic) : 0;

	if (n == 0 || n > GOSSIP_TOPIC_MAX)
		return GG_EINVAL;
	return create ? gs_topic_get(g, (const uint8_t *)topic, n)
		      : gs_topic_find(g, (const uint8_t *)topic, n);
}

/* JOIN: fanout peers first, then any subscribed peers, up to D. */
static void join(struct gossip *g, int ti, uint64_t now)
{
	struct gs_ptopic *pt;
	size_t i, n = 0;

	for (i = 0; i < g->npeers && n < (size_t)g->c.d; i++) {
		pt = gs_ptopic(g->peers[i], ti);
		if (pt && pt->in_fanout && pt->subscribed &&
		    gs_score(g, g->peers[i]) >= 0) {
			gs_graft(g, g->peers[i], pt, now);
			n++;
		}
	}
	for (i = 0; i < g->npeers; i++) {
		pt = gs_ptopic(g->peers[i], ti);
		if (pt)
			pt->in_fanout = 0;
	}
	g->topics[ti]->has_fanout = 0;
	/* The heartbeat tops the mesh up from the other peers. */
}

int gossip_subscribe(struct gossip *g, const char *topic)
{
	int ti = topic_of(g, topic, 1);
	size_t i;

	if (ti < 0)
		return ti;
	if (g->topics[ti]->subscribed)
		return 0;
	g->topics[ti]->subscribed = 1;
	for (i = 0; i < g->npeers; i++)
		gs_send_sub(g, g->peers[i], ti, 1);
	join(g, ti, gs_now(g));
	gs_mesh_fill(g, ti, gs_now(g));
	gs_flush(g);
	return 0;
}

int gossip_unsubscribe(struct gossip *g, const char *topic)
{
	int ti = topic_of(g, topic, 0);
	struct gs_ptopic *pt;
	size_t i;

	if (ti < 0 || !g->topics[ti]->subscribed)
		return ti < 0 && ti != GG_ENOTFOUND ? ti : 0;
	g->topics[ti]->subscribed = 0;
	for (i = 0; i < g->npeers; i++) {
		gs_send_sub(g, g->peers[i], ti, 0);
		pt = gs_ptopic(g->peers[i], ti);
		if (pt && pt->in_mesh)
			gs_mesh_leave(g, g->peers[i], pt,
				      g->c.unsub_backoff_ms, 1);
	}
	gs_flush(g);
	return 0;
}

uint64_t gossip_tick(struct gossip *g)
{
	uint64_t now = gs_now(g);

	if (now >= g->next_hb) {
		gs_heartbeat(g, now);
		g->next_hb += g->c.heartbeat_ms;
		if (g->next_hb <= now)
			g->next_hb = now + g->c.heartbeat_ms;
	}
	return g->next_hb - now;
}

void gossip_get_stats(const struct gossip *g, struct gossip_stats *s)
{
	size_t i;

	*s = g->st;
	s->peers = g->npeers;
	s->topics = g->ntopics;
	s->subscribed = 0;
	for (i = 0; i < g->ntopics; i++)
		s->subscribed += g->topics[i]->subscribed ? 1 : 0;
}

size_t gossip_topic_count(const struct gossip *g)
{
	return g->ntopics;
}

int gossip_topic_info(const struct gossip *g, size_t i,
		      struct gossip_topic_info *out)
{
	const struct gs_ptopic *pt;
	size_t k;

	if (i >= g->ntopics)
		return GG_ENOTFOUND;
	memset(out, 0, sizeof(*out));
	out->topic = g->topics[i]->name;
	out->subscribed = g->topics[i]->subscribed;
	out->fanout = g->topics[i]->has_fanout;
	for (k = 0; k < g->npeers; k++) {
		pt = gs_ptopic(g->peers[k], (int)i);
		out->mesh += pt && pt->in_mesh;
		out->peers += pt && pt->subscribed;
	}
	return 0;
}

int gossip_in_mesh(const struct gossip *g, const char *topic,
		   const struct gg_peerid *id)
{
	struct gs_peer *p = gs_peer_find(g, id);
	const struct gs_ptopic *pt;
	int ti;

	if (!p || !topic)
		return 0;
	ti = gs_topic_find(g, (const uint8_t *)topic, strlen(topic));
	pt = ti >= 0 ? gs_ptopic(p, ti) : NULL;
	return pt && pt->in_mesh;
}
