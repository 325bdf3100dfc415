/* fuzz_gossip_rpc.c - decode pubsub RPCs; whatever decodes must encode
 * (from the fields, not the raw views) and decode again to the same
 * RPC, and message verification must never crash on what it gets. */
#include <stddef.h>
#include <stdint.h>

#include "p2p/gossip_rpc.h"
#include "util/buf.h"

static int same(const struct gossip_bytes *a, const struct gossip_bytes *b)
{
	return a->n == b->n && (a->n == 0 || !memcmp(a->p, b->p, a->n));
}

static int same_msg(const struct gossip_msg *a, const struct gossip_msg *b)
{
	return a->has == b->has && same(&a->from, &b->from) &&
	       same(&a->data, &b->data) && same(&a->seqno, &b->seqno) &&
	       same(&a->topic, &b->topic) &&
	       same(&a->signature, &b->signature) && same(&a->key, &b->key);
}

/* An ID list compares by its own IDs: the shared ids[] array holds the
 * lists in wire order, which the encoder (field order) may change. */
static int same_list(const struct gossip_rpc *ra, const struct gossip_idlist *a,
		     const struct gossip_rpc *rb, const struct gossip_idlist *b)
{
	size_t i;

	if (a->n != b->n || !same(&a->topic, &b->topic))
		return 0;
	for (i = 0; i < a->n; i++)
		if (!same(&ra->ids[a->first + i], &rb->ids[b->first + i]))
			return 0;
	return 1;
}

static int same_rpc(const struct gossip_rpc *a, const struct gossip_rpc *b)
{
	size_t i;

	if (a->nsubs != b->nsubs || a->nmsgs != b->nmsgs ||
	    a->nihave != b->nihave || a->niwant != b->niwant ||
	    a->ngraft != b->ngraft || a->nprune != b->nprune ||
	    a->nidontwant != b->nidontwant || a->nids != b->nids)
		return 0;
	for (i = 0; i < a->nsubs; i++)
		if (a->subs[i].subscribe != b->subs[i].subscribe ||
		    !same(&a->subs[i].topic, &b->subs[i].topic))
			return 0;
	for (i = 0; i < a->nmsgs; i++)
		if (!same_msg(&a->msgs[i], &b->msgs[i]))
			return 0;
	for (i = 0; i < a->nihave; i++)
		if (!same_list(a, &a->ihave[i], b, &b->ihave[i]))
			return 0;
	for (i = 0; i < a->niwant; i++)
		if (!same_list(a, &a->iwant[i], b, &b->iwant[i]))
			return 0;
	for (i = 0; i < a->nidontwant; i++)
		if (!same_list(a, &a->idontwant[i], b, &b->idontwant[i]))
			return 0;
	for (i = 0; i < a->nprune; i++)
		if (a->prune[i].backoff != b->prune[i].backoff ||
		    a->prune[i].has_backoff != b->prune[i].has_backoff)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gossip_rpc *r, *again;
	struct gg_buf b = GG_BUF_INIT(4u << 20);
	struct gg_peerid author;
	size_t i;

	if (!r) {
		r = gossip_rpc_new();
		again = gossip_rpc_new();
	}
	if (gossip_rpc_decode(data, size, NULL, r) != 0)
		return 0;
	for (i = 0; i < r->nmsgs; i++) {
		(void)gossip_msg_verify(&r->msgs[i], &author);
		r->msgs[i].raw.p = NULL;
	}
	if (gossip_rpc_encode(r, &b) != 0)
		__builtin_trap();
	if (gossip_rpc_decode(b.data, b.len, NULL, again) != 0)
		__builtin_trap();
	if (!same_rpc(r, again))
		__builtin_trap();
	gg_buf_release(&b);
	return 0;
}
