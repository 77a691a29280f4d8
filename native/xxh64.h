/* XXH64 (xxHash's 64-bit hash), written from the public specification
 * (github.com/Cyan4973/xxHash, doc/xxhash_spec.md): one-shot and streaming. */
#ifndef DRIFTSCAN_XXH64_H
#define DRIFTSCAN_XXH64_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t acc[4];
  uint64_t total;
  unsigned char pending[32];
  size_t npending;
  uint64_t seed;
} xxh64_state;

void xxh64_init(xxh64_state *s, uint64_t seed);
void xxh64_update(xxh64_state *s, const unsigned char *data, size_t len);
uint64_t xxh64_final(const xxh64_state *s);
/* The canonical form xxhsum prints: big-endian bytes. */
void xxh64_bytes(uint64_t h, unsigned char out[8]);
#endif
