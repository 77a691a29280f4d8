/*
 * XXH64 from the specification's description: four lane accumulators over
 * 32-byte stripes, then the remaining 8-, 4- and 1-byte pieces, then the
 * avalanche. Inputs are read little-endian whatever the host.
 */
#include <string.h>
#include "xxh64.h"

static const uint64_t P1 = 0x9E3779B185EBCA87ULL;
static const uint64_t P2 = 0xC2B2AE3D27D4EB4FULL;
static const uint64_t P3 = 0x165667B19E3779F9ULL;
static const uint64_t P4 = 0x85EBCA77C2B2AE63ULL;
static const uint64_t P5 = 0x27D4EB2F165667C5ULL;

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* One unaligned load (memcpy compiles to a mov), byte-swapped on a big-endian host. */
static inline uint64_t le64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

static inline uint32_t le32(const unsigned char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap32(v);
#endif
  return v;
}

static inline uint64_t round64(uint64_t acc, uint64_t lane) {
  return rotl(acc + lane * P2, 31) * P1;
}

static inline uint64_t merge(uint64_t acc, uint64_t lane) {
  return (acc ^ round64(0, lane)) * P1 + P4;
}

void xxh64_init(xxh64_state *s, uint64_t seed) {
  s->acc[0] = seed + P1 + P2;
  s->acc[1] = seed + P2;
  s->acc[2] = seed;
  s->acc[3] = seed - P1;
  s->total = 0;
  s->npending = 0;
  s->seed = seed;
}

/* Consumes whole stripes of data; returns how many bytes it took. */
static size_t stripes(uint64_t acc[4], const unsigned char *data, size_t len) {
  uint64_t a = acc[0], b = acc[1], c = acc[2], d = acc[3];
  size_t at = 0;
  for (; at + 32 <= len; at += 32) {
    a = round64(a, le64(data + at));
    b = round64(b, le64(data + at + 8));
    c = round64(c, le64(data + at + 16));
    d = round64(d, le64(data + at + 24));
  }
  acc[0] = a; acc[1] = b; acc[2] = c; acc[3] = d;
  return at;
}

void xxh64_update(xxh64_state *s, const unsigned char *data, size_t len) {
  s->total += len;
  if (s->npending) {
    size_t take = 32 - s->npending;
    if (take > len) take = len;
    memcpy(s->pending + s->npending, data, take);
    s->npending += take;
    data += take;
    len -= take;
    if (s->npending < 32) return;
    stripes(s->acc, s->pending, 32);
    s->npending = 0;
  }
  size_t used = stripes(s->acc, data, len);
  memcpy(s->pending, data + used, len - used);
  s->npending = len - used;
}

uint64_t xxh64_final(const xxh64_state *s) {
  uint64_t h;
  if (s->total >= 32) {
    const uint64_t *v = s->acc;
    h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);
    for (int i = 0; i < 4; i++) h = merge(h, v[i]);
  } else {
    h = s->seed + P5;
  }
  h += s->total;
  const unsigned char *p = s->pending;
  size_t left = s->npending;
  for (; left >= 8; p += 8, left -= 8) h = rotl(h ^ round64(0, le64(p)), 27) * P1 + P4;
  if (left >= 4) {
    h = rotl(h ^ ((uint64_t)le32(p) * P1), 23) * P2 + P3;
    p += 4;
    left -= 4;
  }
  for (; left > 0; p++, left--) h = rotl(h ^ (*p * P5), 11) * P1;
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

void xxh64_bytes(uint64_t h, unsigned char out[8]) {
  for (int i = 7; i >= 0; i--, h >>= 8) out[i] = (unsigned char)h;
}
