/*
 * key_impl.h - helpers shared by the files of src/crypto (not an API for
 * other modules).
 */
#ifndef GG_CRYPTO_KEY_IMPL_H
#define GG_CRYPTO_KEY_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"

/* Write the canonical key protobuf (PublicKey and PrivateKey share the
 * layout) for type and data into out; its length, or 0 when it does not
 * fit. */
size_t gg_key_encode(enum gg_key_type type, const uint8_t *data, size_t n,
		     uint8_t *out, size_t outsz);

#endif
