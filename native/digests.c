/* See digests.h. */
#include <string.h>
#include "digests.h"

/* Resolves `name` as node:crypto would: the provider's algorithm, else the legacy name table. */
int digest_open(digest *d, const char *name) {
  memset(d, 0, sizeof *d);
  if (strcmp(name, XXH64_NAME) == 0) {
    d->width = 8;
    return 0;
  }
  d->fetched = EVP_MD_fetch(NULL, name, NULL);
  d->md = d->fetched ? d->fetched : EVP_get_digestbyname(name);
  if (!d->md) return -1;
  int size = EVP_MD_get_size(d->md);
  d->ctx = EVP_MD_CTX_new();
  d->pctx = EVP_MD_CTX_new();
  if (size <= 0 || size > EVP_MAX_MD_SIZE || !d->ctx || !d->pctx) return -1;
  d->width = (size_t)size;
  return 0;
}

void digest_close(digest *d) {
  if (d->ctx) EVP_MD_CTX_free(d->ctx);
  if (d->pctx) EVP_MD_CTX_free(d->pctx);
  if (d->fetched) EVP_MD_free(d->fetched);
}

int digest_init(digest *d, int prefix) {
  if (!d->md) {
    xxh64_init(prefix ? &d->pxs : &d->xs, 0);
    return 0;
  }
  return EVP_DigestInit_ex(prefix ? d->pctx : d->ctx, d->md, NULL) == 1 ? 0 : -1;
}

int digest_update(digest *d, int prefix, const unsigned char *data, size_t len) {
  if (!d->md) {
    xxh64_update(prefix ? &d->pxs : &d->xs, data, len);
    return 0;
  }
  return EVP_DigestUpdate(prefix ? d->pctx : d->ctx, data, len) == 1 ? 0 : -1;
}

int digest_final(digest *d, int prefix, unsigned char *out) {
  if (!d->md) {
    xxh64_bytes(xxh64_final(prefix ? &d->pxs : &d->xs), out);
    return 0;
  }
  unsigned int len = 0;
  return EVP_DigestFinal_ex(prefix ? d->pctx : d->ctx, out, &len) == 1 && len == d->width ? 0 : -1;
}
