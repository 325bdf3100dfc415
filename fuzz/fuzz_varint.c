/* fuzz_varint.c - decode varints; a decoded value must re-encode to the
 * same bytes (the encoding is unique). */
#include <stddef.h>
#include <stdint.h>

#include "util/varint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t again[GG_VARINT_MAX_LEN];
	uint64_t v;
	int n = gg_varint_decode(data, size, &v);

	if (n > 0) {
		size_t m = gg_varint_encode(v, again);

		if (m != (size_t)n || memcmp(again, data, m))
			__builtin_trap();
	}
	gg_pbvarint_decode(data, size, &v);
	return 0;
}
