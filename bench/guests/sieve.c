/* Sieve of Eratosthenes over a byte array: measures loads/stores and tight loops.
 * Usage: sieve [BYTES=16777216] [REPS=1]; the checksum mixes the prime count and the
 * index of the largest prime below BYTES. */
#include <string.h>
#include "bench_common.h"

static uint32_t sieve(uint8_t* composite, uint32_t n, uint32_t* largest) {
  memset(composite, 0, n);
  uint32_t count = 0;
  for (uint32_t i = 2; i < n; ++i) {
    if (composite[i]) continue;
    ++count;
    *largest = i;
    /* i*i fits: i < 2^31 and the loop only runs while i*i < n. */
    if ((uint64_t)i * i >= n) continue;
    for (uint32_t j = i * i; j < n; j += i) composite[j] = 1;
  }
  return count;
}

int main(int argc, char** argv) {
  uint32_t n = bench_arg(argc, argv, 1, 16u << 20);
  uint32_t reps = bench_arg(argc, argv, 2, 1);
  uint8_t* composite = bench_alloc(n);
  uint64_t checksum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    uint32_t largest = 0;
    uint32_t count = sieve(composite, n, &largest);
    checksum = checksum * 1000003u + ((uint64_t)count << 32 | largest);
  }
  free(composite);
  bench_report("sieve", n, reps, checksum);
  return 0;
}
