/* fuzz_base58.c - decode base58 text; whatever decodes must encode back
 * to the same text. */
#include <stddef.h>
#include <stdint.h>

#include "util/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t bin[GG_BASE_MAX_IN];
	char text[GG_BASE_MAX_IN * 2];
	int n = gg_base58_decode((const char *)data, size, bin, sizeof(bin));

	if (n >= 0) {
		int m = gg_base58_encode(bin, (size_t)n, text, sizeof(text));

		if (m != (int)size || memcmp(text, data, size))
			__builtin_trap();
	}
	return 0;
}
