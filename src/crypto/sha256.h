/*
 * sha256.h - SHA-256 through OpenSSL's EVP interface.
 *
 * EVP picks the CPU's SHA extensions when they exist, so this is as fast
 * as SHA-256 gets on this machine.  The one-shot form covers most uses;
 * the streaming context is for archives and other data that arrives in
 * pieces.  gg_sha256_final also frees the context.
 */
#ifndef GG_CRYPTO_SHA256_H
#define GG_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define GG_SHA256_LEN 32

void gg_sha256(const void *p, size_t n, uint8_t out[32]);

struct gg_sha256_ctx;
/* 0 or GG_ENOMEM / GG_ECRYPTO. */
int gg_sha256_init(struct gg_sha256_ctx **c);
void gg_sha256_update(struct gg_sha256_ctx *c, const void *p, size_t n);
/* Writes the digest and frees c. */
void gg_sha256_final(struct gg_sha256_ctx *c, uint8_t out[32]);
/* Frees c without a digest (error paths); accepts NULL. */
void gg_sha256_free(struct gg_sha256_ctx *c);

#endif
