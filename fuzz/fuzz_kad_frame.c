/* fuzz_kad_frame.c - the uvarint framing of DHT streams
 * (gg_kadhost_frame): walk the input frame by frame as the stream reader
 * does, with a small cap so both refusals are reached; every frame found
 * must lie inside the input, and each whole frame is handed to the
 * message decoder as the server would. */
#include <stddef.h>
#include <stdint.h>

#include "p2p/kad_host.h"
#include "p2p/kad_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, hdr, len, max = size ? data[0] * 64u + 1 : 1;
	struct kad_msg m;
	int rc;

	while (off < size) {
		rc = gg_kadhost_frame(data + off, size - off, max, &hdr, &len);
		if (rc <= 0)
			break;
		if (hdr + len > size - off || len > max)
			__builtin_trap();
		kad_msg_decode(data + off + hdr, len, NULL, &m);
		off += hdr + len;
	}
	return 0;
}
