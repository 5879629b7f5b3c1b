/* Recursive Fibonacci: measures call/return and small-integer arithmetic.
 * Usage: fib [N=37] [REPS=1]; the checksum is the sum of fib(N) over REPS runs. */
#include "bench_common.h"

/* Kept recursive on purpose (both calls real): the benchmark is the call path. */
static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

/* The volatile keeps the compiler from hoisting fib(n) out of the repeat loop. */
static volatile uint32_t g_n;

int main(int argc, char** argv) {
  uint32_t n = bench_arg(argc, argv, 1, 37);
  uint32_t reps = bench_arg(argc, argv, 2, 1);
  uint64_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    g_n = n;
    sum += fib(g_n);
  }
  bench_report("fib", n, reps, sum);
  return 0;
}
