/* Dense double-precision matrix multiply C = A * B (i-k-j order): measures f64 loads,
 * multiplies and adds. Usage: matmul [N=256] [REPS=3]. The checksum hashes the bit
 * patterns of C, so any runtime that rounds differently from IEEE 754 is caught. */
#include <string.h>
#include "bench_common.h"

static void matmul(const double* a, const double* b, double* c, uint32_t n) {
  memset(c, 0, sizeof(double) * n * n);
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t k = 0; k < n; ++k) {
      double aik = a[i * n + k];
      for (uint32_t j = 0; j < n; ++j) c[i * n + j] += aik * b[k * n + j];
    }
  }
}

static uint64_t hash_doubles(const double* v, size_t count, uint64_t h) {
  for (size_t i = 0; i < count; ++i) {
    uint64_t bits;
    memcpy(&bits, &v[i], sizeof bits);
    h = (h ^ bits) * 0x100000001b3ull;
  }
  return h;
}

int main(int argc, char** argv) {
  uint32_t n = bench_arg(argc, argv, 1, 256);
  uint32_t reps = bench_arg(argc, argv, 2, 3);
  if (n > 4096) {
    fprintf(stderr, "N too large\n");
    return 2;
  }
  size_t count = (size_t)n * n;
  double* a = bench_alloc(sizeof(double) * count);
  double* b = bench_alloc(sizeof(double) * count);
  double* c = bench_alloc(sizeof(double) * count);
  /* Small exact values (multiples of 1/8), so the products are well defined everywhere. */
  for (size_t i = 0; i < count; ++i) {
    a[i] = (double)((i * 7) % 17) * 0.125 - 1.0;
    b[i] = (double)((i * 13) % 23) * 0.25 - 2.5;
  }
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint32_t r = 0; r < reps; ++r) {
    a[r % count] += 0.5; /* each repetition multiplies a slightly different matrix */
    matmul(a, b, c, n);
    h = hash_doubles(c, count, h);
  }
  free(a);
  free(b);
  free(c);
  bench_report("matmul", n, reps, h);
  return 0;
}
