/*
 * fuzz_multiaddr.c - multiaddrs, text and binary.  The input is tried as
 * both.  Whatever is accepted must round-trip: binary -> text -> the same
 * binary, and text -> binary -> text -> the same binary again; the
 * helpers that walk an address must not fail on one we accepted.
 */
#include <stddef.h>
#include <stdint.h>

#include "net/multiaddr.h"
#include "util/error.h"

static void check_valid(const struct gg_multiaddr *ma)
{
	struct gg_multiaddr again, copy;
	struct gg_ma_comp c;
	struct gg_peerid id;
	char text[GG_MULTIADDR_STR_MAX], host[300];
	size_t off = 0;
	uint16_t port;
	int fam, has, rc;

	if (gg_multiaddr_to_str(ma, text, sizeof(text)))
		__builtin_trap();
	if (gg_multiaddr_parse(text, &again) || again.len != ma->len ||
	    memcmp(again.b, ma->b, ma->len))
		__builtin_trap();
	while ((rc = gg_multiaddr_next(ma, &off, &c)) == 1)
		;
	if (rc || off != ma->len)
		__builtin_trap();
	rc = gg_multiaddr_tcp(ma, host, sizeof(host), &fam, &port, &id, &has);
	if (rc && rc != GG_EUNSUPPORTED)
		__builtin_trap();
	copy = *ma;
	if (gg_multiaddr_strip_p2p(&copy, &id, &has))
		__builtin_trap();
	if (!has)
		return;
	/* /p2p/A/p2p/B: after stripping B the address still ends in a
	 * peer ID, and appending is then refused or a no-op by design. */
	again = copy;
	if (gg_multiaddr_strip_p2p(&again, NULL, &has))
		__builtin_trap();
	rc = gg_multiaddr_append_p2p(&copy, &id);
	if (has)
		return;
	if (rc || copy.len != ma->len || memcmp(copy.b, ma->b, ma->len))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gg_multiaddr ma;
	char text[4200];

	if (gg_multiaddr_from_bytes(data, size, &ma) == 0)
		check_valid(&ma);
	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (gg_multiaddr_parse(text, &ma) == 0)
		check_valid(&ma);
	return 0;
}
