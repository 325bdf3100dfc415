/* fuzz_kad_msg.c - decode Kademlia messages; whatever decodes must encode
 * and decode again to the same message (what the decoder keeps is
 * exactly what the encoder writes). */
#include <stddef.h>
#include <stdint.h>

#include "p2p/kad_msg.h"
#include "util/buf.h"

static int same_bytes(const struct kad_bytes *a, const struct kad_bytes *b)
{
	return a->n == b->n && (a->n == 0 || !memcmp(a->p, b->p, a->n));
}

static int same_peers(const struct kad_msg_peer *a,
		      const struct kad_msg_peer *b, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!gg_peerid_eq(&a[i].id, &b[i].id) ||
		    a[i].naddrs != b[i].naddrs || a[i].conn != b[i].conn)
			return 0;
		for (j = 0; j < a[i].naddrs; j++)
			if (!same_bytes(&a[i].addrs[j], &b[i].addrs[j]))
				return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kad_msg m, again;
	struct gg_buf b = GG_BUF_INIT(1 << 20);

	if (kad_msg_decode(data, size, NULL, &m) != 0)
		return 0;
	if (kad_msg_encode(&m, &b) != 0)
		__builtin_trap();
	if (kad_msg_decode(b.data, b.len, NULL, &again) != 0)
		__builtin_trap();
	if (again.type != m.type || !same_bytes(&again.key, &m.key) ||
	    again.has_record != m.has_record ||
	    !same_bytes(&again.rec_value, &m.rec_value) ||
	    !same_bytes(&again.rec_key, &m.rec_key) ||
	    again.ncloser != m.ncloser || again.nproviders != m.nproviders ||
	    !same_peers(again.closer, m.closer, m.ncloser) ||
	    !same_peers(again.providers, m.providers, m.nproviders))
		__builtin_trap();
	gg_buf_release(&b);
	return 0;
}
