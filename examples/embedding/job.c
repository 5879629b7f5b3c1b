/* job: the guest that examples/embedding/embed_runtime.cpp runs in its processes. It waits for
 * one job (a number n, in a message with tag 1), computes fib(n) the slow way, and hands the
 * result to its host through the host's own namespace `app`. */
#include <lunatic/message.h>
#include <stdio.h>

/* The embedder's host functions (embed_runtime.cpp defines them). */
LUNATIC_IMPORT("app", "log") void app_log(const char* text, size_t len);
LUNATIC_IMPORT("app", "report") void app_report(int64_t n, int64_t result);

enum { kJobTag = 1 };

/* Exponential on purpose: fib(40) burns through any modest fuel limit. */
static int64_t fib(int64_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
  int64_t n = 0;
  if (lunatic_receive_i64(kJobTag, LUNATIC_NO_TIMEOUT, &n) != LUNATIC_MESSAGE_DATA) return 1;
  char line[64];
  int len = snprintf(line, sizeof line, "computing fib(%lld)", (long long)n);
  app_log(line, (size_t)len);
  app_report(n, fib(n));
  return 0;
}
