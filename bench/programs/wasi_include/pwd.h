/* <pwd.h> for wasm32-wasi, which has no users: the sqlite3 shell looks up the home directory
 * with getpwuid(getuid()); here there is none (it then reads $HOME). Benchmarks only. */
#ifndef LUNATIC_BENCH_PWD_H
#define LUNATIC_BENCH_PWD_H
#include <sys/types.h>

struct passwd {
  char* pw_name;
  char* pw_passwd;
  uid_t pw_uid;
  gid_t pw_gid;
  char* pw_gecos;
  char* pw_dir;
  char* pw_shell;
};

static inline struct passwd* getpwuid(uid_t uid) {
  (void)uid;
  return 0;
}
static inline uid_t getuid(void) { return 0; }
#endif
