/*
 * node_kad.h - the Kademlia DHT of a node (issue #6): the engine on the
 * node's host, configured from the [network] and [performance] keys,
 * with its record store and routing table in $GGEN_HOME/ggen.db (or in
 * memory for a short-lived node), joined through the bootstrap peers.
 */
#ifndef GG_NODE_NODE_KAD_H
#define GG_NODE_NODE_KAD_H

#include <stdint.h>
#include <jansson.h>
#include <uv.h>

#include "node/node.h"
#include "p2p/kad_host.h"

struct gg_config;

/* Where versions before ggen.db held the DHT kept it, in $GGEN_HOME;
 * imported into ggen.db once, then removed (node_kad_db.c). */
#define GG_KAD_LEGACY_FILE "kad.db"
/*
 * How long a DHT write on the node's event loop waits for another
 * process's lock on ggen.db (a search refreshing the index, an install).
 * Short, because the whole node (streams, control socket) waits with it;
 * a write that gives up is refused (records, providers) or retried at the
 * next save (the routing table).  Milliseconds.
 */
#define GG_KAD_DB_BUSY_MS 200
/* At close nothing else is served: the last save may wait longer. */
#define GG_KAD_DB_CLOSE_BUSY_MS 2000
/* The routing table is saved after each join, at close, and this often
 * (so a node killed hard restarts warm too).  Milliseconds. */
#define GG_KAD_SAVE_MS (5 * 60 * 1000)

/* The node's DHT, as hung on struct gg_node. */
struct gg_node_kad {
	struct gg_kadhost *kh;
	struct sqlite3 *db;
	uv_timer_t save;
	int save_live; /* the timer is initialised and not yet closed */
};

/* Map the configuration onto the engine's: dht_server_mode, dht_alpha,
 * dht_query_timeout, requests_per_second_per_peer and the subnet
 * diversity limits. */
void gg_node_kad_config(const struct gg_config *cfg, struct kad_config *kc);

/*
 * Open the DHT's database: home/ggen.db (WAL, the kad_* tables created
 * if missing, user_version untouched, busy timeout GG_KAD_DB_BUSY_MS once
 * open), importing a home/kad.db left by an older ggen; NULL home: an
 * empty database in memory.  0 or GG_E*.
 */
int gg_node_kad_db_open(const char *home, struct sqlite3 **out);

/*
 * Start the DHT on n.  home: keep the store and the routing table in
 * home/ggen.db (a warm restart loads the table); NULL: in memory, nothing
 * kept.  client forces client mode (short-lived diagnostic nodes must not
 * enter other peers' tables).  0 or GG_E*.
 */
int gg_node_kad_start(struct gg_node *n, const struct gg_config *cfg,
		      const char *home, int client);
/* Join through network.bootstrap_nodes (or the table alone when there
 * are none); cb as gg_kadhost_join's.  GG_EINVAL when the DHT is not
 * started. */
int gg_node_kad_join(struct gg_node *n, const struct gg_config *cfg,
		     uint64_t timeout_ms, gg_kadhost_join_cb cb, void *arg);
/* Join and wait (gg_run); returns the join's status, *table its size. */
int gg_node_kad_join_wait(struct gg_node *n, const struct gg_config *cfg,
			  uint64_t timeout_ms, size_t *table);
/* The engine, or NULL when the DHT is not started. */
struct kad *gg_node_kad(struct gg_node *n);
/* After starting an operation on the engine: re-arm its timer. */
void gg_node_kad_kick(struct gg_node *n);

/* Peers a routing-table listing shows at most: the daemon's answer must
 * stay under the control protocol's line limit. */
#define GG_NODE_KAD_LIST_MAX 512
/* A peer as the DHT verbs show it, by the daemon or a short-lived node:
 * {"peer_id":ID,"addrs":"ADDR ADDR ..."}. */
json_t *gg_node_kad_peer_json(const struct kad_peer *p);
/* {"table_size":table,"peers":[...]}: the verified peers of n's routing
 * table, at most GG_NODE_KAD_LIST_MAX. */
json_t *gg_node_kad_table_json(struct gg_node *n, size_t table);

/* For gg_node_release: close before the host goes, free after the loop
 * has drained.  Both accept a node without DHT. */
void gg_node_kad_close(struct gg_node *n);
void gg_node_kad_free(struct gg_node *n);

#endif
