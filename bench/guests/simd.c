/* Two loops clang vectorizes with -msimd128: an i16 dot product (i32x4.dot_i16x8_s or
 * extend + multiply) and a byte scan (i8x16.eq and a lane count). Built for wasm32-wasi
 * with and without -msimd128, it measures the interpreter's SIMD against its scalar code.
 * Usage: simd [ELEMENTS=1048576] [REPS=64]; the checksum mixes both results. */
#include "bench_common.h"

/* Sum of a[i] * b[i]: the products of i16 fit in i32, the sum of a million does too. */
static int32_t dot(const int16_t* a, const int16_t* b, uint32_t n) {
  int32_t sum = 0;
  for (uint32_t i = 0; i < n; ++i) sum += (int32_t)a[i] * (int32_t)b[i];
  return sum;
}

/* How many bytes of p equal `wanted`. */
static uint32_t count_byte(const uint8_t* p, uint32_t n, uint8_t wanted) {
  uint32_t count = 0;
  for (uint32_t i = 0; i < n; ++i) count += p[i] == wanted;
  return count;
}

int main(int argc, char** argv) {
  uint32_t n = bench_arg(argc, argv, 1, 1u << 20);
  uint32_t reps = bench_arg(argc, argv, 2, 64);
  int16_t* a = bench_alloc(n * sizeof(int16_t));
  int16_t* b = bench_alloc(n * sizeof(int16_t));
  uint8_t* text = bench_alloc(n);
  bench_fill((uint8_t*)a, n * sizeof(int16_t), 1);
  bench_fill((uint8_t*)b, n * sizeof(int16_t), 2);
  bench_fill(text, n, 3);
  uint64_t checksum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    checksum = checksum * 31 + (uint32_t)dot(a + (r & 7), b, n - 8);
    checksum = checksum * 31 + count_byte(text + (r & 7), n - 8, (uint8_t)r);
  }
  free(a);
  free(b);
  free(text);
  bench_report("simd", n, reps, checksum);
  return 0;
}
