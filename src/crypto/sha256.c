/*
 * sha256.c - SHA-256 over OpenSSL EVP (see sha256.h).
 *
 * EVP_sha256() dispatches to the SHA-NI / ARMv8 code paths when the CPU
 * has them.  The one-shot path uses EVP_Digest, which sets up and tears
 * down its own context; the streaming path keeps one EVP_MD_CTX.
 */
#include <openssl/evp.h>

#include "crypto/sha256.h"
#include "util/error.h"

struct gg_sha256_ctx {
	EVP_MD_CTX *md;
};

void gg_sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;

	/* EVP_Digest cannot fail for SHA-256 short of memory exhaustion;
	 * leave a recognisable all-zero digest rather than garbage then. */
	if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) || len != 32)
		memset(out, 0, 32);
}

int gg_sha256_init(struct gg_sha256_ctx **c)
{
	struct gg_sha256_ctx *ctx;

	*c = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return GG_ENOMEM;
	ctx->md = EVP_MD_CTX_new();
	if (!ctx->md || !EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL)) {
		gg_sha256_free(ctx);
		return GG_ECRYPTO;
	}
	*c = ctx;
	return 0;
}

void gg_sha256_update(struct gg_sha256_ctx *c, const void *p, size_t n)
{
	if (n)
		EVP_DigestUpdate(c->md, p, n);
}

void gg_sha256_final(struct gg_sha256_ctx *c, uint8_t out[32])
{
	unsigned int len = 0;

	if (!EVP_DigestFinal_ex(c->md, out, &len) || len != 32)
		memset(out, 0, 32);
	gg_sha256_free(c);
}

void gg_sha256_free(struct gg_sha256_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}
