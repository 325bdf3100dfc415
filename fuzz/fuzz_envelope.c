/*
 * fuzz_envelope.c - signed envelopes from untrusted bytes, opened under a
 * fixed domain.  Random bytes must never verify; an opened envelope's
 * fields must lie inside what the decoder owns and its signer ID must
 * match its key.
 */
#include <stddef.h>
#include <stdint.h>

#include "crypto/envelope.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gg_envelope env;
	volatile uint8_t sink = 0;
	size_t i;

	if (gg_envelope_open(data, size, 16384, "ggen-fuzz", &env))
		return 0;
	/* Only the seed corpus can get here (it holds real envelopes). */
	if (!gg_peerid_matches_pubkey(&env.signer, env.pubkey,
				      env.pubkey_len))
		__builtin_trap();
	for (i = 0; i < env.payload_len; i++)
		sink ^= env.payload[i];
	for (i = 0; i < env.payload_type_len; i++)
		sink ^= env.payload_type[i];
	(void)sink;
	gg_envelope_release(&env);
	return 0;
}
