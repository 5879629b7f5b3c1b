/* A 64-bit multiply-rotate hash over a buffer, four independent lanes over 32-byte
 * stripes (the structure of xxHash64, not its exact output): measures i64 multiply,
 * rotate and unaligned 64-bit loads. Usage: hash [BYTES=16777216] [PASSES=4]. */
#include <string.h>
#include "bench_common.h"

static const uint64_t kPrime1 = 0x9E3779B185EBCA87ull;
static const uint64_t kPrime2 = 0xC2B2AE3D27D4EB4Full;
static const uint64_t kPrime3 = 0x165667B19E3779F9ull;

static inline uint64_t rotl64(uint64_t x, unsigned r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline uint64_t lane_round(uint64_t acc, uint64_t input) {
  acc += input * kPrime2;
  return rotl64(acc, 31) * kPrime1;
}

static uint64_t hash_buffer(const uint8_t* p, uint32_t len, uint64_t seed) {
  uint64_t v1 = seed + kPrime1 + kPrime2, v2 = seed + kPrime2, v3 = seed, v4 = seed - kPrime1;
  uint32_t i = 0;
  for (; i + 32 <= len; i += 32) {
    v1 = lane_round(v1, load64(p + i));
    v2 = lane_round(v2, load64(p + i + 8));
    v3 = lane_round(v3, load64(p + i + 16));
    v4 = lane_round(v4, load64(p + i + 24));
  }
  uint64_t h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
  for (; i < len; ++i) h = rotl64(h ^ (p[i] * kPrime3), 11) * kPrime1;
  h ^= len;
  h ^= h >> 33;
  h *= kPrime2;
  h ^= h >> 29;
  return h;
}

int main(int argc, char** argv) {
  uint32_t n = bench_arg(argc, argv, 1, 16u << 20);
  uint32_t passes = bench_arg(argc, argv, 2, 4);
  uint8_t* buf = bench_alloc(n);
  bench_fill(buf, n, 777);
  uint64_t h = 0;
  for (uint32_t r = 0; r < passes; ++r) h = hash_buffer(buf, n, h);
  free(buf);
  bench_report("hash", n, passes, h);
  return 0;
}
