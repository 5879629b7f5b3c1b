/* Shared by the benchmark guests: reading the optional size arguments and printing
 * the checksum line that run_interp_bench.py compares across runtimes.
 * Plain C and the C library only, so one source builds natively and for wasm32-wasi. */
#ifndef LUNATIC_BENCH_COMMON_H
#define LUNATIC_BENCH_COMMON_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Returns argv[index] as a positive integer, or `fallback` when absent. Exits on garbage
 * so a typo in the runner cannot silently benchmark the wrong size. */
static inline uint32_t bench_arg(int argc, char** argv, int index, uint32_t fallback) {
  if (argc <= index) return fallback;
  char* end = NULL;
  unsigned long value = strtoul(argv[index], &end, 10);
  if (end == argv[index] || *end != '\0' || value == 0 || value > 0x7fffffffUL) {
    fprintf(stderr, "bad size argument '%s'\n", argv[index]);
    exit(2);
  }
  return (uint32_t)value;
}

/* Allocates `bytes` or exits: the guests have no use for a partial run. */
static inline void* bench_alloc(size_t bytes) {
  void* p = malloc(bytes);
  if (p == NULL) {
    fprintf(stderr, "out of memory allocating %zu bytes\n", bytes);
    exit(3);
  }
  return p;
}

/* Fills a buffer with a fixed xorshift32 stream: same bytes on every runtime. */
static inline void bench_fill(uint8_t* buf, size_t len, uint32_t seed) {
  uint32_t x = seed ? seed : 0x9e3779b9u;
  for (size_t i = 0; i < len; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    buf[i] = (uint8_t)(x >> 24);
  }
}

/* The one line of output; the runner compares it verbatim across runtimes. */
static inline void bench_report(const char* name, uint32_t size, uint32_t reps, uint64_t checksum) {
  printf("%s size=%" PRIu32 " reps=%" PRIu32 " checksum=%016" PRIx64 "\n", name, size, reps,
         checksum);
}

#endif
