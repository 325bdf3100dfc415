/* fuzz_gossip_frame.c - what the gossipsub glue and the node do with a
 * peer's bytes before the router sees them: split a stream into
 * uvarint-framed RPCs (gg_gossiphost_frame, with a small cap so the
 * too-big path is reached), and judge each frame's body as a package
 * record (gg_pkgrec_filter_check, whose name guess scans raw bytes).
 * Frames must lie inside the input; a verdict must be one of three. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "node/node_gossip.h"
#include "p2p/gossip_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct gg_pkgrec_filter *f = NULL;
	size_t off = 0, hdr, len;
	enum gossip_verdict v;
	int rc;

	if (gg_pkgrec_filter_new(&f) < 0)
		return 0;
	while (off < n) {
		rc = gg_gossiphost_frame(p + off, n - off, 9000, &hdr, &len);
		if (rc != 1)
			break;
		assert(hdr >= 1 && hdr <= 9 && len <= 9000);
		if (hdr + len > n - off)
			break;
		v = gg_pkgrec_filter_check(f, p + off + hdr, len, NULL);
		assert(v == GOSSIP_ACCEPT || v == GOSSIP_REJECT ||
		       v == GOSSIP_IGNORE);
		off += hdr + len;
	}
	gg_pkgrec_filter_free(f);
	return 0;
}
