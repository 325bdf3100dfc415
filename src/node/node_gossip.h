/*
 * node_gossip.h - the gossipsub of a node (issue #7): the router on the
 * node's host, subscribed to network.packages_topic, with package-record
 * validation plugged into the router's hook and a "pubsub" status
 * provider for `p2p status`.
 *
 * Validation (DESIGN §5): a message's data must be a package record that
 * passes the /ggen/pkg rules of kad_validate.h for the name it carries
 * (else REJECT: never delivered or forwarded, and the sender is
 * penalised); a valid record whose seq is not above the highest one this
 * node has accepted from the same signer for the same name is stale
 * (IGNORE: dropped without penalty).  The record filter is a standalone
 * object so test and bench programs can reuse the exact rules.
 *
 * Delivery: each accepted record is counted and handed to the hook set
 * with gg_node_gossip_on_record (the catalog import plugs in there); no
 * hook, it is only logged.
 */
#ifndef GG_NODE_NODE_GOSSIP_H
#define GG_NODE_NODE_GOSSIP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "node/node.h"
#include "p2p/gossip_host.h"
#include "p2p/kad_validate.h"

struct gg_config;

/* ---- the package-record filter ---- */

#define GG_PKGREC_SLOTS 4096 /* (signer, name) pairs remembered */

struct gg_pkgrec_filter;

int gg_pkgrec_filter_new(struct gg_pkgrec_filter **out);
void gg_pkgrec_filter_free(struct gg_pkgrec_filter *f);
/*
 * Judge data as a package record: GOSSIP_ACCEPT (valid and newer than
 * what was accepted before; remembered), GOSSIP_REJECT (invalid) or
 * GOSSIP_IGNORE (valid but stale).  info (may be NULL) describes a valid
 * record.  The table is a bounded cache: a forgotten pair accepts again.
 */
enum gossip_verdict gg_pkgrec_filter_check(struct gg_pkgrec_filter *f,
					   const uint8_t *data, size_t len,
					   struct kad_pkg_info *info);
/* The record's own checks without the stale rule: 0 and info, or the
 * GG_E* code of the first failure. */
int gg_pkgrec_check(const uint8_t *data, size_t len,
		    struct kad_pkg_info *info);

/* ---- the node's pubsub ---- */

/* An accepted record (data valid during the call). */
typedef void (*gg_node_record_fn)(void *arg, const uint8_t *data,
				  size_t len, const struct kad_pkg_info *info,
				  const struct gg_peerid *via);

struct gg_node_gossip {
	struct gg_gossiphost *gh;
	struct gg_pkgrec_filter *filter;
	char topic[GOSSIP_TOPIC_MAX + 1];
	uint64_t accepted, invalid, stale;
	gg_node_record_fn on_record;
	void *on_record_arg;
	struct kad_pkg_info last;  /* of the message just validated */
	const uint8_t *last_data;
};

/* Router parameters from the configuration: the IP-colocation whitelist
 * (network.pubsub_ip_whitelist) on top of the defaults. */
void gg_node_gossip_config(const struct gg_config *cfg,
			   struct gg_gossiphost_cfg *gc);
/* Start gossipsub on n, subscribe to network.packages_topic and register
 * the "pubsub" status provider.  0 or GG_E*. */
int gg_node_gossip_start(struct gg_node *n, const struct gg_config *cfg);
/* The hook for accepted records (NULL: log only). */
void gg_node_gossip_on_record(struct gg_node *n, gg_node_record_fn fn,
			      void *arg);
/* Publish a package record on the node's topic (see gossip_publish for
 * the codes; an invalid record is GG_EPERM). */
int gg_node_gossip_publish(struct gg_node *n, const uint8_t *rec,
			   size_t len);
/* The "pubsub" status object: {topics: [{topic, mesh, peers}], peers,
 * received, delivered, forwarded, published, rejected, ignored,
 * duplicate, graylisted, oversized, malformed, invalid_records,
 * stale_records}. */
int gg_node_gossip_status(void *node, json_t *out);

/* For gg_node_release: close before the host goes, free after the loop
 * has drained.  Both accept a node without gossipsub. */
void gg_node_gossip_close(struct gg_node *n);
void gg_node_gossip_free(struct gg_node *n);

#endif
