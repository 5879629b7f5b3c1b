/* Helpers of the lunatic::* guests: CHECK records a failed condition and the guest exits 1
 * at the end if any failed; error_text turns an error id into a string. */
#ifndef LUNATIC_GUEST_CHECK_H
#define LUNATIC_GUEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lunatic/error.h"
#include "lunatic/message.h"
#include "lunatic/process.h"

static int check_failures = 0;

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      printf("CHECK FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      ++check_failures;                                              \
    }                                                                \
  } while (0)

/* Ends main: prints the verdict and returns the exit code. */
static inline int check_result(const char* what) {
  if (check_failures == 0) {
    printf("ok %s\n", what);
    return 0;
  }
  printf("FAILED %s: %d check(s)\n", what, check_failures);
  return 1;
}

/* The error's message (static buffer, truncated at 1023 bytes); the error is dropped. */
static inline const char* error_text(uint64_t id) {
  static char buffer[1024];
  char* text = lunatic_error_take(id);
  snprintf(buffer, sizeof buffer, "%s", text ? text : "(out of memory)");
  free(text);
  return buffer;
}

#define EXPORT(name) __attribute__((export_name(#name)))

#endif
