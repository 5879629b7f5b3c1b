/* Force-included (-include) into Lua and SQLite when built for wasm32-wasi: the few POSIX
 * calls and constants that wasi-libc lacks, as no-ops that suit one process with no users,
 * no permissions and no other process to lock against. Benchmarks only. */
#ifndef LUNATIC_BENCH_WASI_COMPAT_H
#define LUNATIC_BENCH_WASI_COMPAT_H
#ifdef __wasi__
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* POSIX record locks: WASI has none, and nothing else opens the files. F_GETLK reports
 * "unlocked", F_SETLK/F_SETLKW succeed; every other command goes to wasi-libc. */
#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif
static inline int lunatic_compat_fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  if (cmd == F_GETLK) {
    ((struct flock*)arg)->l_type = F_UNLCK;
    return 0;
  }
  if (cmd == F_SETLK || cmd == F_SETLKW) return 0;
  return fcntl(fd, cmd, (int)(long)arg);
}
#define fcntl lunatic_compat_fcntl

/* No users or permissions in WASI. */
static inline int lunatic_compat_fchmod(int fd, mode_t mode) {
  (void)fd;
  (void)mode;
  return 0;
}
static inline int lunatic_compat_chmod(const char* path, mode_t mode) {
  (void)path;
  (void)mode;
  return 0;
}
static inline int lunatic_compat_fchown(int fd, uid_t uid, gid_t gid) {
  (void)fd;
  (void)uid;
  (void)gid;
  return 0;
}
static inline uid_t lunatic_compat_geteuid(void) { return 0; }
#define fchmod lunatic_compat_fchmod
#define chmod lunatic_compat_chmod
#define fchown lunatic_compat_fchown
#define geteuid lunatic_compat_geteuid
#endif
#endif
