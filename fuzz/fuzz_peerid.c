/*
 * fuzz_peerid.c - peer IDs from text (base58 multihash or CID) and from
 * binary multihashes.  An accepted ID prints and re-parses to itself in
 * both text forms.
 */
#include <stddef.h>
#include <stdint.h>

#include "crypto/peerid.h"

static void check(const struct gg_peerid *id)
{
	struct gg_peerid again;
	char text[GG_PEERID_STR_MAX];

	if (gg_peerid_to_str(id, text, sizeof(text)) ||
	    gg_peerid_parse(text, &again) || !gg_peerid_eq(id, &again))
		__builtin_trap();
	if (gg_peerid_to_cid(id, text, sizeof(text)) ||
	    gg_peerid_parse(text, &again) || !gg_peerid_eq(id, &again))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gg_peerid id;
	char text[300];

	if (gg_peerid_from_bytes(data, size, &id) == 0)
		check(&id);
	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (gg_peerid_parse(text, &id) == 0)
		check(&id);
	return 0;
}
