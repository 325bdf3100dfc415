/* fuzz_mss.c - feed arbitrary bytes to a multistream-select listener and
 * a dialer, split at a point chosen by the first byte; whatever happens,
 * the engine must stay within its caps and a done engine must name one of
 * its own protocols. */
#include <stddef.h>
#include <stdint.h>

#include "p2p/mss.h"

static const char *const protos[] = { "/noise", "/yamux/1.0.0", "/a" };

static void run(enum gg_mss_role role, const uint8_t *p, size_t n,
		size_t cut)
{
	struct gg_mss m;
	int rc;

	if (role == GG_MSS_DIALER)
		rc = gg_mss_init_dialer(&m, protos, 3);
	else
		rc = gg_mss_init_listener(&m, protos, 3);
	if (rc)
		__builtin_trap();
	rc = gg_mss_feed(&m, p, cut);
	if (rc >= 0)
		rc = gg_mss_feed(&m, p + cut, n - cut);
	if (rc == 1) {
		const char *sel = gg_mss_selected(&m);
		size_t lo;

		if (sel != protos[0] && sel != protos[1] && sel != protos[2])
			__builtin_trap();
		gg_mss_leftover(&m, &lo);
		if (lo > n)
			__builtin_trap();
	}
	if (m.out.len > GG_MSS_MAX_OUT)
		__builtin_trap();
	gg_mss_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut;

	if (size < 1)
		return 0;
	cut = data[0] % size;
	run(GG_MSS_LISTENER, data + 1, size - 1, cut);
	run(GG_MSS_DIALER, data + 1, size - 1, cut);
	return 0;
}
