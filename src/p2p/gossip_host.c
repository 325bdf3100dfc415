/*
 * gossip_host.c - the gossipsub engine on the libp2p host (see
 * gossip_host.h): who the peers are, the engine's clock and timer, and
 * the lifecycle.  The streams are in gossip_host_stream.c.
 *
 * Peers: every connection is counted per peer; each new one is
 * identified with our own /ipfs/id/1.0.0 request (so the answer is ours
 * to act on, as kad_host does), and a peer listing /meshsub/1.1.0 or
 * /1.0.0 is added to the engine with the remote IP of that connection
 * and whether we dialed it.  A peer that opens a /meshsub stream to us
 * before our identify has answered is added at once: its first RPC
 * carries its subscriptions, which must not be lost.  When its last
 * connection closes it leaves the engine.
 *
 * The IP whitelist of the score parameters is copied here: the engine
 * keeps the pointers it is given.
 */
#include "p2p/gossip_host_impl.h"
#include "p2p/identify.h"
#include "util/error.h"
#include "util/log.h"

/* ---- peers ---- */

struct gh_peer *gh_peer_get(struct gg_gossiphost *gh,
			    const struct gg_peerid *id)
{
	struct gh_peer *p;

	for (p = gh->peers; p; p = p->next)
		if (gg_peerid_eq(&p->id, id))
			return p;
	return NULL;
}

static struct gh_peer *peer_add(struct gg_gossiphost *gh,
				const struct gg_peerid *id)
{
	struct gh_peer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->id = *id;
	p->next = gh->peers;
	gh->peers = p;
	gh->npeers++;
	return p;
}

static void peer_free(struct gg_gossiphost *gh, struct gh_peer *p)
{
	struct gh_peer **pp;

	for (pp = &gh->peers; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	gh->npeers--;
	gh_peer_streams_drop(gh, p);
	free(p);
}

void gh_peer_speaks(struct gg_gossiphost *gh, struct gh_peer *p,
		    struct gg_conn *c, const char *proto)
{
	char ip[GOSSIP_IP_MAX], name[GG_PEERID_STR_MAX];
	enum gossip_proto v = strcmp(proto, GOSSIP_PROTO_V10) ? GOSSIP_V11
							      : GOSSIP_V10;
	uint16_t port;
	int fam, rc;

	if (p->added || gh->closing)
		return;
	if (gg_multiaddr_tcp(gg_conn_remote_addr(c), ip, sizeof(ip), &fam,
			     &port, NULL, NULL) < 0)
		ip[0] = '\0';
	rc = gossip_add_peer(gh->g, &p->id, ip[0] ? ip : NULL,
			     !gg_conn_inbound(c), v);
	if (rc == 0 || rc == GG_EEXISTS) {
		p->added = 1;
		return;
	}
	gg_peerid_to_str(&p->id, name, sizeof(name));
	gg_info(GH_LOG, "peer %s not added: %s", name, gg_strerror(rc));
}

/* ---- identify ---- */

struct gh_id {
	struct gg_gossiphost *gh;
	struct gg_peerid peer;
	struct gg_buf in;
};

static void gid_free(struct gh_id *d)
{
	gg_buf_release(&d->in);
	free(d);
}

static void gid_ignore(void *arg, struct gg_stream *s, const uint8_t *p,
		       size_t n)
{
}

static const struct gg_stream_cbs gid_drain = { .on_data = gid_ignore };

static void gid_use(struct gh_id *d, struct gg_conn *c,
		    const struct gg_identify_info *info)
{
	struct gh_peer *p = gh_peer_get(d->gh, &d->peer);
	const char *proto = NULL;
	int i;

	if (!p || !gg_peerid_matches_pubkey(&d->peer, info->pubkey,
					    info->pubkey_len))
		return;
	for (i = 0; i < info->nprotos; i++)
		if (!strcmp(info->protos[i], GOSSIP_PROTO_V11))
			proto = GOSSIP_PROTO_V11;
		else if (!proto && !strcmp(info->protos[i], GOSSIP_PROTO_V10))
			proto = GOSSIP_PROTO_V10;
	if (proto)
		gh_peer_speaks(d->gh, p, c, proto);
}

static void gid_data(void *arg, struct gg_stream *s, const uint8_t *p,
		     size_t n)
{
	struct gh_id *d = arg;
	struct gg_identify_info info;
	size_t hdr, len;
	int rc;

	rc = gg_buf_add(&d->in, p, n);
	if (rc == 0)
		rc = gg_gossiphost_frame(d->in.data, d->in.len, GG_ID_MAX_MSG,
					 &hdr, &len);
	if (rc == 0 || (rc == 1 && hdr + len > d->in.len))
		return;
	if (rc == 1 && !d->gh->closing &&
	    gg_identify_decode(d->in.data + hdr, len, &info) == 0) {
		gid_use(d, gg_stream_conn(s), &info);
		gg_identify_info_release(&info);
	}
	gg_stream_set_cbs(s, &gid_drain, NULL);
	gg_stream_close_write(s);
	gid_free(d);
}

static void gid_close(void *arg, struct gg_stream *s, int err)
{
	gid_free(arg);
}

static const struct gg_stream_cbs gid_cbs = {
	.on_data = gid_data,
	.on_close = gid_close,
};

static void gid_opened(void *arg, struct gg_stream *s, int err)
{
	struct gh_id *d = arg;

	if (err || d->gh->closing) {
		if (s)
			gg_stream_reset(s);
		gid_free(d);
		return;
	}
	gg_stream_set_cbs(s, &gid_cbs, d);
}

static void identify_conn(struct gg_gossiphost *gh, struct gg_conn *c)
{
	static const char *const protos[] = { GG_ID_PROTO };
	struct gh_id *d = calloc(1, sizeof(*d));

	if (!d)
		return;
	d->gh = gh;
	d->peer = *gg_conn_remote(c);
	gg_buf_init(&d->in, GG_ID_MAX_MSG + 16);
	if (gg_stream_open(c, protos, 1, gid_opened, d) < 0)
		gid_free(d);
}

static void on_conn(void *arg, struct gg_conn *c, enum gg_conn_event ev,
		    int err)
{
	struct gg_gossiphost *gh = arg;
	const struct gg_peerid *id = gg_conn_remote(c);
	struct gh_peer *p;

	if (gh->closing)
		return;
	p = gh_peer_get(gh, id);
	if (ev == GG_CONN_UP) {
		if (!p && !(p = peer_add(gh, id)))
			return;
		p->nconns++;
		identify_conn(gh, c);
		return;
	}
	if (!p || --p->nconns > 0)
		return;
	if (p->added)
		gossip_remove_peer(gh->g, &p->id);
	peer_free(gh, p);
}

/* ---- the engine's clock and timer ---- */

static uint64_t io_now(void *ctx)
{
	return uv_hrtime() / 1000000u;
}

static void io_deliver(void *ctx, const struct gossip_message_info *m)
{
	struct gg_gossiphost *gh = ctx;

	if (gh->c.deliver)
		gh->c.deliver(gh->c.app, m);
}

static enum gossip_verdict io_validate(void *ctx,
				       const struct gossip_message_info *m)
{
	struct gg_gossiphost *gh = ctx;

	return gh->c.validate ? gh->c.validate(gh->c.app, m) : GOSSIP_ACCEPT;
}

static void on_timer(uv_timer_t *t)
{
	struct gg_gossiphost *gh = t->data;
	uint64_t next;

	if (gh->closing)
		return;
	next = gossip_tick(gh->g);
	uv_timer_start(&gh->timer, on_timer, next ? next : 1, 0);
}

/* ---- lifecycle ---- */

void gg_gossiphost_cfg_default(struct gg_gossiphost_cfg *c,
			       struct gg_host *h)
{
	memset(c, 0, sizeof(*c));
	c->host = h;
	gossip_config_default(&c->gossip);
	c->max_queued = GG_GOSSIPHOST_DEF_QUEUE;
	c->max_inbound = GG_GOSSIPHOST_DEF_INBOUND;
}

/* Copy the IP whitelist into gh (the engine keeps the pointers). */
static int own_whitelist(struct gg_gossiphost *gh)
{
	struct gossip_score_params *sp = &gh->c.gossip.score;
	size_t i;

	if (sp->nip_whitelist > GH_WHITELIST_MAX)
		return GG_EINVAL;
	for (i = 0; i < sp->nip_whitelist; i++)
		if (!(gh->wl[i] = strdup(sp->ip_whitelist[i])))
			return GG_ENOMEM;
	sp->ip_whitelist = (const char *const *)gh->wl;
	return 0;
}

static int engine_new(struct gg_gossiphost *gh)
{
	struct gossip_io io;

	memset(&io, 0, sizeof(io));
	io.ctx = gh;
	io.send_rpc = gh_send_rpc;
	io.deliver = io_deliver;
	io.validate = io_validate;
	io.now_ms = io_now;
	gh->g = gossip_new(&gh->c.gossip, gg_host_id(gh->h),
			   gg_host_key(gh->h), &io);
	if (!gh->g)
		return GG_EINVAL;
	gg_buf_init(&gh->frame, gossip_max_rpc(gh->g) + 16);
	return 0;
}

/* Handlers, then the connection listener (which cannot be taken back,
 * so it comes last). */
static int register_host(struct gg_gossiphost *gh)
{
	int rc = gg_host_handle(gh->h, GOSSIP_PROTO_V11, gh_on_stream, gh);

	if (rc == 0)
		rc = gg_host_handle(gh->h, GOSSIP_PROTO_V10, gh_on_stream, gh);
	if (rc == 0)
		rc = gg_host_notify(gh->h, on_conn, gh);
	if (rc < 0) {
		gg_host_unhandle(gh->h, GOSSIP_PROTO_V11);
		gg_host_unhandle(gh->h, GOSSIP_PROTO_V10);
	}
	return rc;
}

int gg_gossiphost_new(const struct gg_gossiphost_cfg *c,
		      struct gg_gossiphost **out)
{
	struct gg_gossiphost *gh;
	int rc = GG_ENOMEM;

	*out = NULL;
	if (!(gh = calloc(1, sizeof(*gh))))
		return rc;
	gh->c = *c;
	gh->h = c->host;
	gh->loop = gg_host_loop(c->host);
	if (!gh->c.max_queued)
		gh->c.max_queued = GG_GOSSIPHOST_DEF_QUEUE;
	if (gh->c.max_inbound <= 0)
		gh->c.max_inbound = GG_GOSSIPHOST_DEF_INBOUND;
	if ((rc = own_whitelist(gh)) < 0 || (rc = engine_new(gh)) < 0 ||
	    (rc = register_host(gh)) < 0) {
		gg_warn(GH_LOG, "cannot start gossipsub: %s",
			gg_strerror(rc));
		gg_gossiphost_free(gh);
		return rc;
	}
	uv_timer_init(gh->loop, &gh->timer);
	gh->timer.data = gh;
	gh->timer_live = 1;
	uv_timer_start(&gh->timer, on_timer, c->gossip.heartbeat_ms, 0);
	*out = gh;
	return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct gg_gossiphost *gh = h->data;

	gh->timer_live = 0;
}

void gg_gossiphost_close(struct gg_gossiphost *gh)
{
	struct gh_peer *p;

	if (!gh || gh->closing)
		return;
	gh->closing = 1;
	gg_host_unhandle(gh->h, GOSSIP_PROTO_V11);
	gg_host_unhandle(gh->h, GOSSIP_PROTO_V10);
	if (gh->timer_live) {
		uv_timer_stop(&gh->timer);
		uv_close((uv_handle_t *)&gh->timer, on_timer_closed);
	}
	for (p = gh->peers; p; p = p->next)
		gh_peer_streams_drop(gh, p);
}

void gg_gossiphost_free(struct gg_gossiphost *gh)
{
	size_t i;

	if (!gh)
		return;
	while (gh->peers)
		peer_free(gh, gh->peers);
	gossip_free(gh->g);
	gg_buf_release(&gh->frame);
	for (i = 0; i < GH_WHITELIST_MAX; i++)
		free(gh->wl[i]);
	free(gh);
}

/* ---- the engine's operations ---- */

struct gossip *gg_gossiphost_engine(struct gg_gossiphost *gh)
{
	return gh->g;
}

int gg_gossiphost_subscribe(struct gg_gossiphost *gh, const char *topic)
{
	return gh->closing ? GG_ECANCELED : gossip_subscribe(gh->g, topic);
}

int gg_gossiphost_unsubscribe(struct gg_gossiphost *gh, const char *topic)
{
	return gh->closing ? GG_ECANCELED : gossip_unsubscribe(gh->g, topic);
}

int gg_gossiphost_publish(struct gg_gossiphost *gh, const char *topic,
			  const uint8_t *data, size_t len, uint8_t *id,
			  size_t *idlen)
{
	if (gh->closing)
		return GG_ECANCELED;
	return gossip_publish(gh->g, topic, data, len, id, idlen);
}

void gg_gossiphost_stats(const struct gg_gossiphost *gh,
			 struct gg_gossiphost_stats *out)
{
	const struct gh_peer *p;

	*out = gh->st;
	out->peers = 0;
	for (p = gh->peers; p; p = p->next)
		out->peers += p->added ? 1 : 0;
}
