/*
 * One digest algorithm for the batch hasher: an EVP_MD of Node's own OpenSSL
 * (the EVP_* symbols the node binary exports; the addon links no libcrypto),
 * or xxh64.c. Each has a context for the whole file and one for a prefix.
 */
#ifndef DRIFTSCAN_DIGESTS_H
#define DRIFTSCAN_DIGESTS_H
#include <stddef.h>
#include <openssl/evp.h>
#include "xxh64.h"

#define XXH64_NAME "xxh64"

typedef struct {
  const EVP_MD *md; /* NULL for xxh64 */
  EVP_MD *fetched;  /* what to free, when md was fetched */
  EVP_MD_CTX *ctx, *pctx;
  xxh64_state xs, pxs;
  size_t width;
} digest;

/* 0, or -1 when OpenSSL does not know `name` (call digest_close either way). */
int digest_open(digest *d, const char *name);
void digest_close(digest *d);
/* prefix: 0 the whole file's context, 1 the prefix's. Each returns 0, or -1 on an OpenSSL error. */
int digest_init(digest *d, int prefix);
int digest_update(digest *d, int prefix, const unsigned char *data, size_t len);
/* Writes d->width bytes. */
int digest_final(digest *d, int prefix, unsigned char *out);
#endif
