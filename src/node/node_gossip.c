/*
 * node_gossip.c - the node's gossipsub (see node_gossip.h): the
 * package-record filter behind the router's validation hook, start-up
 * from the configuration, the delivery hook and the "pubsub" status.
 *
 * A record on gossip carries no DHT key, so its name is read from the
 * opened envelope first and the record is then judged by exactly the
 * rules a DHT server applies to the key /ggen/pkg/<name>
 * (kad_pkg_validate).  The stale rule keeps, per (signer, name), the
 * highest seq accepted, in a direct-mapped table of SHA-256 digests: a
 * bounded cache in which a collision only forgets an older pair.
 */
#include "config/config.h"
#include "crypto/envelope.h"
#include "crypto/sha256.h"
#include "node/control.h"
#include "node/node_gossip.h"
#include "util/error.h"
#include "util/log.h"

#define NG_LOG "pubsub"
#define NG_WHITELIST_MAX 16

/* ---- the package-record filter ---- */

struct pkgrec_slot {
	uint8_t key[32]; /* SHA-256(signer ‖ 0 ‖ name) */
	uint64_t seq;
	int used;
};

struct gg_pkgrec_filter {
	struct pkgrec_slot slot[GG_PKGREC_SLOTS];
};

int gg_pkgrec_filter_new(struct gg_pkgrec_filter **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : GG_ENOMEM;
}

void gg_pkgrec_filter_free(struct gg_pkgrec_filter *f)
{
	free(f);
}

/* The name the record's payload claims, as the DHT key of that name. */
static int record_key(const uint8_t *data, size_t len, char *key,
		      size_t keysz)
{
	struct gg_envelope env;
	json_t *doc;
	const char *name;
	int rc, n;

	rc = gg_envelope_open(data, len, KAD_PKG_RECORD_MAX, KAD_PKG_DOMAIN,
			      &env);
	if (rc < 0)
		return rc;
	doc = json_loadb((const char *)env.payload, env.payload_len,
			 JSON_REJECT_DUPLICATES, NULL);
	name = json_string_value(json_object_get(doc, "name"));
	rc = GG_EPARSE;
	if (name && strlen(name) <= KAD_PKG_NAME_MAX) {
		n = snprintf(key, keysz, "%s%s", KAD_PKG_PREFIX, name);
		rc = n > 0 && (size_t)n < keysz ? n : GG_ETOOBIG;
	}
	json_decref(doc);
	gg_envelope_release(&env);
	return rc;
}

/*
 * A guess at the key without opening the envelope: the JSON payload lies
 * verbatim in the record, and outside string values (where a quote is
 * escaped) `"name":"` starts a member.  kad_pkg_validate checks the name
 * against the payload anyway, so a wrong guess (a nested "name") only
 * costs the slow path; a right one saves a signature check.
 */
static int guess_key(const uint8_t *data, size_t len, char *key,
		     size_t keysz)
{
	static const char tag[] = "\"name\":\"";
	const uint8_t *p = memmem(data, len, tag, sizeof(tag) - 1), *q;
	size_t n;

	if (!p)
		return GG_ENOTFOUND;
	p += sizeof(tag) - 1;
	q = memchr(p, '"', len - (size_t)(p - data));
	n = q ? (size_t)(q - p) : 0;
	if (!n || n > KAD_PKG_NAME_MAX)
		return GG_ENOTFOUND;
	memcpy(key, KAD_PKG_PREFIX, sizeof(KAD_PKG_PREFIX) - 1);
	memcpy(key + sizeof(KAD_PKG_PREFIX) - 1, p, n);
	n += sizeof(KAD_PKG_PREFIX) - 1;
	return n < keysz ? (int)n : GG_ETOOBIG;
}

int gg_pkgrec_check(const uint8_t *data, size_t len,
		    struct kad_pkg_info *info)
{
	char key[sizeof(KAD_PKG_PREFIX) + KAD_PKG_NAME_MAX + 1];
	int klen;

	if (len > KAD_PKG_RECORD_MAX)
		return GG_ETOOBIG;
	klen = guess_key(data, len, key, sizeof(key));
	if (klen > 0 && kad_pkg_validate((const uint8_t *)key, (size_t)klen,
					 data, len, info) == 0)
		return 0;
	klen = record_key(data, len, key, sizeof(key));
	if (klen < 0)
		return klen;
	return kad_pkg_validate((const uint8_t *)key, (size_t)klen, data,
				len, info);
}

enum gossip_verdict gg_pkgrec_filter_check(struct gg_pkgrec_filter *f,
					   const uint8_t *data, size_t len,
					   struct kad_pkg_info *info)
{
	struct kad_pkg_info tmp, *in = info ? info : &tmp;
	struct gg_sha256_ctx *h;
	struct pkgrec_slot *s;
	uint8_t key[32];

	if (gg_pkgrec_check(data, len, in) < 0)
		return GOSSIP_REJECT;
	if (gg_sha256_init(&h) < 0)
		return GOSSIP_IGNORE;
	gg_sha256_update(h, in->signer.b, in->signer.len);
	gg_sha256_update(h, "", 1);
	gg_sha256_update(h, in->name, strlen(in->name));
	gg_sha256_final(h, key);
	s = &f->slot[((uint32_t)key[0] << 8 | key[1]) % GG_PKGREC_SLOTS];
	if (s->used && !memcmp(s->key, key, 32) && in->seq <= s->seq)
		return GOSSIP_IGNORE;
	memcpy(s->key, key, 32);
	s->seq = in->seq;
	s->used = 1;
	return GOSSIP_ACCEPT;
}

/* ---- the router's hooks ---- */

static enum gossip_verdict ng_validate(void *arg,
				       const struct gossip_message_info *m)
{
	struct gg_node_gossip *ng = arg;
	enum gossip_verdict v;

	v = gg_pkgrec_filter_check(ng->filter, m->data, m->len, &ng->last);
	ng->last_data = v == GOSSIP_ACCEPT ? m->data : NULL;
	if (v == GOSSIP_REJECT)
		ng->invalid++;
	else if (v == GOSSIP_IGNORE)
		ng->stale++;
	return v;
}

static void ng_deliver(void *arg, const struct gossip_message_info *m)
{
	struct gg_node_gossip *ng = arg;
	struct kad_pkg_info info;
	char who[GG_PEERID_STR_MAX];

	ng->accepted++;
	/* the router validates a message right before delivering it */
	if (ng->last_data == m->data)
		info = ng->last;
	else if (gg_pkgrec_check(m->data, m->len, &info) < 0)
		return;
	ng->last_data = NULL;
	if (ng->on_record) {
		ng->on_record(ng->on_record_arg, m->data, m->len, &info,
			      m->via);
		return;
	}
	gg_peerid_to_str(&info.signer, who, sizeof(who));
	gg_info(NG_LOG, "package record %s seq %llu from %s", info.name,
		(unsigned long long)info.seq, who);
}

/* ---- start, status, release ---- */

void gg_node_gossip_config(const struct gg_config *cfg,
			   struct gg_gossiphost_cfg *gc)
{
	const char *const *wl;
	int n = gg_config_list(cfg, "network.pubsub_ip_whitelist", &wl);

	gc->gossip.score.ip_whitelist = wl;
	gc->gossip.score.nip_whitelist = n > NG_WHITELIST_MAX
						 ? NG_WHITELIST_MAX
						 : (size_t)(n > 0 ? n : 0);
}

static int ng_new(struct gg_node *n, const struct gg_config *cfg,
		  struct gg_node_gossip *ng)
{
	struct gg_gossiphost_cfg gc;
	int rc;

	snprintf(ng->topic, sizeof(ng->topic), "%s",
		 gg_config_str(cfg, "network.packages_topic"));
	if ((rc = gg_pkgrec_filter_new(&ng->filter)) < 0)
		return rc;
	gg_gossiphost_cfg_default(&gc, n->host);
	gg_node_gossip_config(cfg, &gc);
	gc.app = ng;
	gc.validate = ng_validate;
	gc.deliver = ng_deliver;
	if ((rc = gg_gossiphost_new(&gc, &ng->gh)) < 0)
		return rc;
	return gg_gossiphost_subscribe(ng->gh, ng->topic);
}

int gg_node_gossip_start(struct gg_node *n, const struct gg_config *cfg)
{
	struct gg_node_gossip *ng;
	int rc;

	if (n->gossip)
		return GG_EEXISTS;
	if (!(ng = calloc(1, sizeof(*ng))))
		return GG_ENOMEM;
	n->gossip = ng; /* from here on, release cleans up */
	rc = ng_new(n, cfg, ng);
	if (rc == 0)
		rc = gg_node_add_status(n, "pubsub", gg_node_gossip_status, n);
	if (rc < 0)
		gg_warn(NG_LOG, "cannot start gossipsub: %s", gg_strerror(rc));
	else
		gg_info(NG_LOG, "subscribed to %s", ng->topic);
	return rc;
}

void gg_node_gossip_on_record(struct gg_node *n, gg_node_record_fn fn,
			      void *arg)
{
	if (n->gossip) {
		n->gossip->on_record = fn;
		n->gossip->on_record_arg = arg;
	}
}

int gg_node_gossip_publish(struct gg_node *n, const uint8_t *rec,
			   size_t len)
{
	struct gg_node_gossip *ng = n->gossip;

	if (!ng || !ng->gh)
		return GG_EINVAL;
	return gg_gossiphost_publish(ng->gh, ng->topic, rec, len, NULL, NULL);
}

static json_t *topics_json(struct gossip *g)
{
	struct gossip_topic_info ti;
	json_t *arr = json_array(), *t;
	size_t i, k = gossip_topic_count(g);

	for (i = 0; arr && i < k; i++) {
		if (gossip_topic_info(g, i, &ti) < 0 || !(t = json_object()))
			continue;
		json_object_set_new(t, "topic", json_string(ti.topic));
		json_object_set_new(t, "subscribed", json_boolean(ti.subscribed));
		json_object_set_new(t, "mesh", json_integer((json_int_t)ti.mesh));
		json_object_set_new(t, "peers",
				    json_integer((json_int_t)ti.peers));
		json_array_append_new(arr, t);
	}
	return arr;
}

static void put_u(json_t *o, const char *k, uint64_t v)
{
	json_object_set_new(o, k, json_integer((json_int_t)v));
}

int gg_node_gossip_status(void *node, json_t *out)
{
	struct gg_node *n = node;
	struct gg_node_gossip *ng = n->gossip;
	struct gossip_stats st;
	struct gossip *g;

	if (!ng || !ng->gh)
		return GG_EINVAL;
	g = gg_gossiphost_engine(ng->gh);
	gossip_get_stats(g, &st);
	json_object_set_new(out, "topics", topics_json(g));
	put_u(out, "peers", st.peers);
	put_u(out, "received", st.received);
	put_u(out, "delivered", st.delivered);
	put_u(out, "forwarded", st.forwarded);
	put_u(out, "published", st.published);
	put_u(out, "rejected", st.rejected);
	put_u(out, "ignored", st.ignored);
	put_u(out, "duplicate", st.duplicate);
	put_u(out, "graylisted", st.graylisted);
	put_u(out, "oversized", st.oversized);
	put_u(out, "malformed", st.malformed);
	put_u(out, "invalid_records", ng->invalid);
	put_u(out, "stale_records", ng->stale);
	return 0;
}

void gg_node_gossip_close(struct gg_node *n)
{
	if (n->gossip)
		gg_gossiphost_close(n->gossip->gh);
}

void gg_node_gossip_free(struct gg_node *n)
{
	struct gg_node_gossip *ng = n->gossip;

	if (!ng)
		return;
	gg_gossiphost_free(ng->gh);
	gg_pkgrec_filter_free(ng->filter);
	free(ng);
	n->gossip = NULL;
}
