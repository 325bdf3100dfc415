/*
 * kad_net.h - many DHT nodes in one process on one libuv loop, for the
 * scale test (tests/p2p/kad_tool.c) and the lookup benchmark
 * (bench/kad_lookup.c).  Each node is a real host on 127.0.0.1 with
 * identify, ping and the kad glue, its store in an in-memory SQLite
 * database; they talk over real TCP/Noise/yamux connections.  The
 * diversity limits are off and the connection limits raised, since every
 * node shares one IP address.
 */
#ifndef KAD_NET_H
#define KAD_NET_H

#include <sqlite3.h>

#include "crypto/sha256.h"
#include "node/node.h"
#include "p2p/identify.h"
#include "p2p/kad_host.h"
#include "p2p/ping.h"
#include "util/error.h"

struct tnode {
	struct gg_privkey *key;
	struct gg_host *host;
	struct gg_peerstore *ps;
	struct gg_identify *id;
	sqlite3 *db;
	struct gg_kadhost *kh;
	struct gg_multiaddr addr; /* with /p2p/ID */
	struct gg_peerid pid;
};

struct tnet {
	uv_loop_t loop;
	struct tnode *n;
	int count;
	int pending; /* operations not finished */
};

static inline uint64_t tnet_ms(void)
{
	return uv_hrtime() / 1000000u;
}

static inline int tnode_init(struct tnode *t, uv_loop_t *loop, double rate)
{
	struct gg_host_cfg hc;
	struct gg_kadhost_cfg kc;
	struct gg_multiaddr ma, out[4];
	int rc;

	memset(t, 0, sizeof(*t));
	memset(&hc, 0, sizeof(hc));
	if ((rc = gg_privkey_generate(&t->key)))
		return rc;
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
	gg_multiaddr_append_p2p(&t->addr, &t->pid);
	if (sqlite3_open(":memory:", &t->db) != SQLITE_OK)
		return GG_EDB;
	gg_kadhost_cfg_default(&kc, t->host, t->ps);
	kc.kad.table.max_per_group_bucket = 0;
	kc.kad.table.max_per_group_table = 0;
	kc.kad.req_rate = rate;
	kc.kad.req_burst = 2 * rate;
	kc.db = t->db;
	kc.dial_timeout_ms = 15000; /* one busy loop serves every node */
	return gg_kadhost_new(&kc, &t->kh);
}

static inline void tnet_free(struct tnet *net)
{
	int i;

	for (i = 0; i < net->count; i++) {
		gg_kadhost_close(net->n[i].kh);
		gg_host_free(net->n[i].host);
	}
	uv_run(&net->loop, UV_RUN_DEFAULT);
	for (i = 0; i < net->count; i++) {
		struct tnode *t = &net->n[i];

		gg_kadhost_free(t->kh);
		sqlite3_close(t->db);
		gg_identify_free(t->id);
		gg_peerstore_free(t->ps);
		gg_privkey_free(t->key);
	}
	uv_loop_close(&net->loop);
	free(net->n);
}

static inline void tnet_joined(void *arg, int status, size_t table)
{
	struct tnet *net = arg;

	net->pending--;
}

/* Wait until net->pending is 0 or timeout_ms; 0 or GG_ETIMEOUT. */
static inline int tnet_wait(struct tnet *net, uint64_t timeout_ms)
{
	uint64_t end = tnet_ms() + timeout_ms;

	while (net->pending > 0 && tnet_ms() < end) {
		struct gg_op op = { 0, 0 };

		gg_run(&net->loop, &op, 50);
	}
	return net->pending > 0 ? GG_ETIMEOUT : 0;
}

/* n nodes; each joins through node 0, then everybody bootstraps once
 * more so the tables fill in.  0 or GG_E*. */
static inline int tnet_start(struct tnet *net, int n, double rate,
		      uint64_t timeout_ms)
{
	int i, rc;

	memset(net, 0, sizeof(*net));
	if (uv_loop_init(&net->loop) ||
	    !(net->n = calloc((size_t)n, sizeof(*net->n))))
		return GG_ENOMEM;
	for (i = 0; i < n; i++) {
		if ((rc = tnode_init(&net->n[i], &net->loop, rate)))
			return rc;
		net->count++;
	}
	for (i = 1; i < n; i++) {
		net->pending++;
		gg_kadhost_join(net->n[i].kh, &net->n[0].addr, 1, 20000,
				tnet_joined, net);
		if (i % 8 == 0 && (rc = tnet_wait(net, timeout_ms)))
			return rc;
	}
	if ((rc = tnet_wait(net, timeout_ms)))
		return rc;
	for (i = 0; i < n; i++) {
		net->pending++;
		gg_kadhost_join(net->n[i].kh, NULL, 0, 10000, tnet_joined,
				net);
	}
	return tnet_wait(net, timeout_ms);
}

/* The provider key of node i: the multihash of SHA-256("kad-net:" i). */
static inline void tnet_key(int i, uint8_t key[34])
{
	char s[32];
	int n = snprintf(s, sizeof(s), "kad-net:%d", i);

	key[0] = 0x12;
	key[1] = 0x20;
	gg_sha256(s, (size_t)n, key + 2);
}

#endif
