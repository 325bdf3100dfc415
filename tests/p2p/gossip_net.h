/*
 * gossip_net.h - many gossipsub nodes in one process on one libuv loop,
 * for the gossip tests and the propagation benchmark
 * (tests/p2p/gossip_tool.c).  Each node is a real host on 127.0.0.1 with
 * identify, ping and the gossipsub glue (gossip_host.h), validating with
 * the node's own package-record filter (node_gossip.h); the nodes talk
 * over real TCP/Noise/yamux connections.  The IP-colocation whitelist
 * holds "127." and the connection limits are raised, since every node
 * shares one address.  Package records for the tests are made here too:
 * their description carries the publisher's clock (uv_hrtime, which is
 * CLOCK_MONOTONIC and so comparable between processes on one machine).
 */
#ifndef GOSSIP_NET_H
#define GOSSIP_NET_H

#include "crypto/envelope.h"
#include "crypto/sha256.h"
#include "node/node.h"
#include "node/node_gossip.h"
#include "p2p/gossip_host.h"
#include "p2p/identify.h"
#include "p2p/ping.h"
#include "util/error.h"
#include "util/log.h"

#define GNET_TOPIC "/ggen/packages/v1"

struct gnet;

struct gnode {
	struct gnet *net;
	int idx;
	struct gg_privkey *key;
	struct gg_host *host;
	struct gg_peerstore *ps;
	struct gg_identify *id;
	struct gg_gossiphost *gh;
	struct gg_pkgrec_filter *filter;
	struct gg_multiaddr addr; /* with /p2p/ID */
	struct gg_peerid pid;
	struct kad_pkg_info last; /* of the message just validated */
	uint64_t delivered, rejected, stale;
};

/* A delivery: the record's info and, from its description, the
 * publisher's clock (0 when absent). */
typedef void (*gnet_deliver_fn)(struct gnet *net, struct gnode *n,
				const struct gossip_message_info *m,
				const struct kad_pkg_info *info,
				uint64_t t0_ns);

struct gnet {
	uv_loop_t loop;
	struct gnode *n;
	int count;
	gnet_deliver_fn on_deliver;
	void *arg;
};

static const char *const gnet_whitelist[] = { "127." };

static uint64_t gnet_ms(void)
{
	return uv_hrtime() / 1000000u;
}

/* ---- records ---- */

static int gnet_record(const struct gg_privkey *k, const char *name,
		       unsigned long seq, struct gg_buf *out)
{
	struct gg_buf json = GG_BUF_INIT(8192);
	uint8_t id[32];
	char hex[65];
	size_t i;
	int rc;

	gg_sha256(name, strlen(name), id);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	rc = gg_buf_printf(&json, "{\"name\":\"%s\",\"version\":\"1.0.%lu\","
			   "\"id\":\"%s\",\"size\":1234,\"published_at\":"
			   "1700000000,\"seq\":%lu,\"description\":\"t0=%llu\","
			   "\"tags\":[\"test\"],\"keywords\":[],"
			   "\"dependencies\":[],\"versions\":[]}", name, seq,
			   hex, seq, (unsigned long long)uv_hrtime());
	if (rc == 0)
		rc = gg_envelope_seal(k, KAD_PKG_DOMAIN,
				      (const uint8_t *)KAD_PKG_PAYLOAD_TYPE,
				      strlen(KAD_PKG_PAYLOAD_TYPE), json.data,
				      json.len, out);
	gg_buf_release(&json);
	return rc;
}

/* The publisher's clock from a record's description ("t0=NS"). */
static uint64_t gnet_t0(const uint8_t *data, size_t len)
{
	static const char tag[] = "\"t0=";
	const uint8_t *p = memmem(data, len, tag, sizeof(tag) - 1);

	if (!p)
		return 0;
	p += sizeof(tag) - 1;
	return strtoull((const char *)p, NULL, 10); /* stops at the quote */
}

static void gnet_hex(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < outsz; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* ---- nodes ---- */

static enum gossip_verdict gnode_validate(void *app,
					  const struct gossip_message_info *m)
{
	struct gnode *t = app;
	enum gossip_verdict v;

	v = gg_pkgrec_filter_check(t->filter, m->data, m->len, &t->last);
	t->rejected += v == GOSSIP_REJECT;
	t->stale += v == GOSSIP_IGNORE;
	return v;
}

static void gnode_deliver(void *app, const struct gossip_message_info *m)
{
	struct gnode *t = app;

	t->delivered++;
	if (t->net->on_deliver)
		t->net->on_deliver(t->net, t, m, &t->last,
				   gnet_t0(m->data, m->len));
}

static int gnode_host(struct gnode *t, uv_loop_t *loop)
{
	struct gg_host_cfg hc;
	struct gg_multiaddr ma, out[4];
	int rc;

	memset(&hc, 0, sizeof(hc));
	hc.loop = loop;
	hc.key = t->key;
	hc.max_peers = 2000;
	hc.max_peers_per_ip = 2000;
	if ((rc = gg_host_new(&hc, &t->host)) ||
	    (rc = gg_peerstore_new(1024, &t->ps)) ||
	    (rc = gg_identify_new(t->host, t->ps, &t->id)) ||
	    (rc = gg_ping_serve(t->host)))
		return rc;
	gg_multiaddr_parse("/ip4/127.0.0.1/tcp/0", &ma);
	if ((rc = gg_host_listen(t->host, &ma)))
		return rc;
	if (gg_host_listen_addrs(t->host, out, 4) < 1)
		return GG_EINTERNAL;
	t->pid = *gg_host_id(t->host);
	t->addr = out[0];
	return gg_multiaddr_append_p2p(&t->addr, &t->pid);
}

static int gnode_init(struct gnet *net, struct gnode *t, int idx)
{
	struct gg_gossiphost_cfg gc;
	int rc;

	memset(t, 0, sizeof(*t));
	t->net = net;
	t->idx = idx;
	if ((rc = gg_privkey_generate(&t->key)) ||
	    (rc = gnode_host(t, &net->loop)) ||
	    (rc = gg_pkgrec_filter_new(&t->filter)))
		return rc;
	gg_gossiphost_cfg_default(&gc, t->host);
	gc.gossip.score.ip_whitelist = gnet_whitelist;
	gc.gossip.score.nip_whitelist = 1;
	gc.gossip.max_peers = 2000;
	gc.app = t;
	gc.validate = gnode_validate;
	gc.deliver = gnode_deliver;
	if ((rc = gg_gossiphost_new(&gc, &t->gh)))
		return rc;
	return gg_gossiphost_subscribe(t->gh, GNET_TOPIC);
}

static void gnet_free(struct gnet *net)
{
	int i;

	for (i = 0; i < net->count; i++) {
		gg_gossiphost_close(net->n[i].gh);
		gg_host_free(net->n[i].host);
	}
	uv_run(&net->loop, UV_RUN_DEFAULT);
	for (i = 0; i < net->count; i++) {
		struct gnode *t = &net->n[i];

		gg_gossiphost_free(t->gh);
		gg_pkgrec_filter_free(t->filter);
		gg_identify_free(t->id);
		gg_peerstore_free(t->ps);
		gg_privkey_free(t->key);
	}
	uv_loop_close(&net->loop);
	free(net->n);
}

static int gnet_init(struct gnet *net, int n)
{
	int i, rc;

	memset(net, 0, sizeof(*net));
	if (uv_loop_init(&net->loop) ||
	    !(net->n = calloc((size_t)n, sizeof(*net->n))))
		return GG_ENOMEM;
	for (i = 0; i < n; i++) {
		if ((rc = gnode_init(net, &net->n[i], i)))
			return rc;
		net->count++;
	}
	return 0;
}

/* Turn the loop for ms milliseconds. */
static void gnet_spin(struct gnet *net, uint64_t ms)
{
	struct gg_op op = { 0, 0 };

	gg_run(&net->loop, &op, ms);
}

static void gnet_dialed(void *arg, struct gg_conn *c, int err,
			const struct gg_peerid *remote)
{
	int *pending = arg;

	if (err)
		gg_warn("gossip_tool", "dial failed: %s", gg_strerror(err));
	(*pending)--;
}

/* Node i dials ma; the result is only logged. */
static int gnet_dial(struct gnet *net, int i, const struct gg_multiaddr *ma,
		     int *pending)
{
	int rc = gg_host_dial(net->n[i].host, ma, 10000, gnet_dialed,
			      pending, NULL);

	if (rc == 0)
		(*pending)++;
	return rc;
}

/* Topic peers and mesh size of node i. */
static void gnet_topic(struct gnet *net, int i, size_t *peers, size_t *mesh)
{
	struct gossip *g = gg_gossiphost_engine(net->n[i].gh);
	struct gossip_topic_info ti;
	size_t k;

	*peers = *mesh = 0;
	for (k = 0; k < gossip_topic_count(g); k++)
		if (gossip_topic_info(g, k, &ti) == 0 &&
		    !strcmp(ti.topic, GNET_TOPIC)) {
			*peers = ti.peers;
			*mesh = ti.mesh;
		}
}

#endif
