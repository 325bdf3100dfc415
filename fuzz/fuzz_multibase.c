/* fuzz_multibase.c - multibase strings of any prefix. */
#include <stddef.h>
#include <stdint.h>

#include "util/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[GG_BASE_MAX_IN + 2];
	uint8_t bin[GG_BASE_MAX_IN];

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	gg_multibase_decode(text, bin, sizeof(bin));
	return 0;
}
