/* Helpers of the WASI guests that work in a preopened directory (wasi_fs.c, wasi_errno.c,
 * wasi_rights.c): CHECK records a failed condition with errno, EXPECT_ERR an errno that is not
 * the one expected, at() names a file below `root`, find_preopen finds a preopen by name. */
#ifndef LUNATIC_WASI_CHECK_H
#define LUNATIC_WASI_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

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

/// Checks that `got` (an errno, or a __wasi_errno_t) equals `want`.
#define EXPECT_ERR(got, want)                                                       \
  do {                                                                              \
    int got_ = (int)(got);                                                          \
    int want_ = (int)(want);                                                        \
    ++checks;                                                                       \
    if (got_ != want_) {                                                            \
      printf("FAIL line %d: %s: got %d (%s), want %d (%s)\n", __LINE__, #got, got_, \
             strerror(got_), want_, strerror(want_));                               \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

/// The fd of the preopen named `name` (fd_prestat_dir_name), or -1.
static inline int find_preopen(const char* name) {
  for (__wasi_fd_t fd = 3; fd < 64; ++fd) {
    __wasi_prestat_t p;
    if (__wasi_fd_prestat_get(fd, &p) != 0) continue;
    char buf[256];
    if (p.u.dir.pr_name_len >= sizeof buf) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t*)buf, p.u.dir.pr_name_len) != 0) continue;
    buf[p.u.dir.pr_name_len] = 0;
    if (strcmp(buf, name) == 0) return (int)fd;
  }
  return -1;
}

/* root/name, in one of four rotating buffers (a call may take up to four). */
static inline const char* at(const char* name) {
  static char buf[4][512];
  static int next = 0;
  char* out = buf[next++ % 4];
  snprintf(out, 512, "%s/%s", root, name);
  return out;
}

#endif
