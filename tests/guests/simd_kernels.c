// Two loops clang vectorizes with -msimd128: an integer dot product and a byte scan (count a
// byte, find the first of another). Built with and without -msimd128, the output must agree.
#include <stdint.h>
#include <stdio.h>

enum { kCount = 1 << 16 };

static int16_t xs[kCount], ys[kCount];
static uint8_t text[kCount];

/// Sum of x[i] * y[i] in 64 bits (the products of i16 fit in i32).
static int64_t dot(const int16_t* x, const int16_t* y, int n) {
  int64_t sum = 0;
  for (int i = 0; i < n; ++i) sum += (int32_t)x[i] * (int32_t)y[i];
  return sum;
}

static int count_byte(const uint8_t* p, int n, uint8_t wanted) {
  int count = 0;
  for (int i = 0; i < n; ++i) count += p[i] == wanted;
  return count;
}

static int first_byte(const uint8_t* p, int n, uint8_t wanted) {
  for (int i = 0; i < n; ++i) {
    if (p[i] == wanted) return i;
  }
  return -1;
}

int main(void) {
  uint32_t seed = 12345;
  for (int i = 0; i < kCount; ++i) {
    seed = seed * 1103515245u + 12345u;
    xs[i] = (int16_t)(seed >> 16);
    ys[i] = (int16_t)(seed >> 8);
    text[i] = (uint8_t)('a' + (seed >> 24) % 26);
  }
  text[kCount - 3] = '#';
  int64_t total = 0;
  int found = 0, first = 0;
  for (int round = 0; round < 8; ++round) {
    total += dot(xs + round, ys, kCount - 8);
    found += count_byte(text + round, kCount - 8, (uint8_t)('a' + round));
    first = first_byte(text, kCount, '#');
  }
  printf("dot %lld count %d first %d\n", (long long)total, found, first);
  return 0;
}
