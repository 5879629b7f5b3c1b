/* Helpers of the WASI guests that work in a preopened directory (wasi_fs.c, wasi_errno.c):
 * CHECK records a failed condition with errno, at() names a file below `root`. */
#ifndef LUNATIC_WASI_CHECK_H
#define LUNATIC_WASI_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
static int checks = 0;
static char root[256]; /* the preopened directory, argv[1] */

#define CHECK(cond)                                                                        \
  do {                                                                                     \
    ++checks;                                                                              \
    if (!(cond)) {                                                                         \
      printf("FAIL line %d: %s (errno %d %s)\n", __LINE__, #cond, errno, strerror(errno)); \
      ++failures;                                                                          \
    }                                                                                      \
  } while (0)

/* root/name, in one of four rotating buffers (a call may take up to four). */
static const char* at(const char* name) {
  static char buf[4][512];
  static int next = 0;
  char* out = buf[next++ % 4];
  snprintf(out, 512, "%s/%s", root, name);
  return out;
}

#endif
