// wasi_errno: the exact errno of preview1 calls on missing, dangling, looping and escaping
// paths, rights masks, flag combinations and the order of errors (docs/guest-abi.md, "Errors
// and their order"), one check per case. Part 1 goes through wasi-libc (open, rename, stat...),
// part 2 calls the preview1 functions directly for what libc cannot express (rights, oflags,
// lookupflags). Works in a fresh empty preopened directory argv[1] (e.g. /sandbox) with stdin
// a character device (tests/integration/wasi_errno.sh). Prints "FAIL line N: ..." for each
// failed check, "ok N checks" when all pass; exits with the number of failures.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "wasi_check.h"

/// errno after a libc call that must fail (-1); 0 if it succeeded.
static int fails_with(int result) { return result == -1 ? errno : 0; }

/// errno after an open() that must fail; 0 (and the fd closed) if it succeeded.
static int open_fails_with(int fd) {
  int e = errno;
  if (fd >= 0) {
    close(fd);
    return 0;
  }
  return e;
}

static void make_file(const char* name, const char* content) {
  FILE* f = fopen(at(name), "w");
  CHECK(f != NULL);
  if (f == NULL) return;
  fputs(content, f);
  fclose(f);
}

/// The tree both parts use, below the preopen:
///   file.txt, dir/, nonempty/inner, dir_link -> dir, file_link -> file.txt,
///   dangling -> missing_target, loop -> loop, loop_a <-> loop_b,
///   esc_abs -> /etc/passwd, esc_rel -> ../outside.txt, esc_dir -> ..
static void make_tree(void) {
  make_file("file.txt", "data");
  CHECK(mkdir(at("dir"), 0755) == 0);
  CHECK(mkdir(at("nonempty"), 0755) == 0);
  make_file("nonempty/inner", "x");
  CHECK(symlink("dir", at("dir_link")) == 0);
  CHECK(symlink("file.txt", at("file_link")) == 0);
  CHECK(symlink("missing_target", at("dangling")) == 0);
  CHECK(symlink("loop", at("loop")) == 0);
  CHECK(symlink("loop_b", at("loop_a")) == 0);
  CHECK(symlink("loop_a", at("loop_b")) == 0);
  // Creating links that point outside is allowed: following them is what is refused.
  CHECK(symlink("/etc/passwd", at("esc_abs")) == 0);
  CHECK(symlink("../outside.txt", at("esc_rel")) == 0);
  CHECK(symlink("..", at("esc_dir")) == 0);
}

// ---- Part 1: through wasi-libc -------------------------------------------------------------

static void libc_open(void) {
  EXPECT_ERR(open_fails_with(open(at("missing"), O_RDONLY)), ENOENT);
  EXPECT_ERR(open_fails_with(open(at("dangling"), O_RDONLY)), ENOENT);
  EXPECT_ERR(open_fails_with(open(at("dangling"), O_RDONLY | O_NOFOLLOW)), ELOOP);
  EXPECT_ERR(open_fails_with(open(at("loop"), O_RDONLY)), ELOOP);
  EXPECT_ERR(open_fails_with(open(at("loop_a"), O_RDONLY)), ELOOP);
  EXPECT_ERR(open_fails_with(open(at("file_link"), O_RDONLY | O_NOFOLLOW)), ELOOP);
  EXPECT_ERR(open_fails_with(open(at("dir_link"), O_RDONLY | O_DIRECTORY | O_NOFOLLOW)), ENOTDIR);
  EXPECT_ERR(open_fails_with(open(at("esc_abs"), O_RDONLY)), ENOTCAPABLE);
  EXPECT_ERR(open_fails_with(open(at("esc_rel"), O_RDONLY)), ENOTCAPABLE);
  EXPECT_ERR(open_fails_with(open(at("esc_dir/outside.txt"), O_RDONLY)), ENOTCAPABLE);
  EXPECT_ERR(open_fails_with(open(at("dir/../../outside.txt"), O_RDONLY)), ENOTCAPABLE);
  EXPECT_ERR(open_fails_with(open(at("file.txt/"), O_RDONLY)), ENOTDIR);
  EXPECT_ERR(open_fails_with(open(at("file.txt/x"), O_RDONLY)), ENOTDIR);
  EXPECT_ERR(open_fails_with(open(at("file.txt"), O_RDONLY | O_DIRECTORY)), ENOTDIR);
  EXPECT_ERR(open_fails_with(open(at("dir"), O_WRONLY)), EISDIR);
  EXPECT_ERR(open_fails_with(open(at("dir"), O_RDWR)), EISDIR);
  EXPECT_ERR(open_fails_with(open(at("file.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644)), EEXIST);
  EXPECT_ERR(open_fails_with(open(at("no_dir/new"), O_WRONLY | O_CREAT, 0644)), ENOENT);
  // A directory with O_NONBLOCK, the directory and a link to it.
  int fd = open(at("dir"), O_RDONLY | O_DIRECTORY | O_NONBLOCK);
  CHECK(fd >= 0);
  if (fd >= 0) close(fd);
  fd = open(at("dir_link"), O_RDONLY | O_DIRECTORY);
  CHECK(fd >= 0);
  if (fd >= 0) close(fd);
  DIR* d = opendir(at("dir_link"));
  CHECK(d != NULL);
  if (d != NULL) closedir(d);
}

static void libc_names(void) {
  EXPECT_ERR(fails_with(rename(at("missing"), at("x"))), ENOENT);
  EXPECT_ERR(fails_with(rename(at("file.txt"), at("no_dir/x"))), ENOENT);
  EXPECT_ERR(fails_with(rename(at("file.txt"), at("dangling/x"))), ENOENT);
  EXPECT_ERR(fails_with(rename(at("file.txt"), at("loop/x"))), ELOOP);
  EXPECT_ERR(fails_with(rename(at("file.txt"), at("esc_dir/stolen.txt"))), ENOTCAPABLE);
  EXPECT_ERR(fails_with(rename(at("dir"), at("nonempty"))), ENOTEMPTY);
  EXPECT_ERR(fails_with(rename(at("file.txt"), at("dir"))), EISDIR);
  // Renaming onto a missing name works, and the old name is then missing.
  make_file("ren_src", "r");
  CHECK(rename(at("ren_src"), at("ren_dst")) == 0);
  EXPECT_ERR(open_fails_with(open(at("ren_src"), O_RDONLY)), ENOENT);
  CHECK(unlink(at("ren_dst")) == 0);

  EXPECT_ERR(fails_with(unlink(at("missing"))), ENOENT);
  EXPECT_ERR(fails_with(unlink(at("dir"))), EISDIR);
  EXPECT_ERR(fails_with(unlink(at("dir/"))), EISDIR);
  EXPECT_ERR(fails_with(unlink(at("file.txt/"))), ENOTDIR);
  EXPECT_ERR(fails_with(unlink(at("loop/x"))), ELOOP);
  EXPECT_ERR(fails_with(unlink(at("esc_dir/outside.txt"))), ENOTCAPABLE);
  EXPECT_ERR(fails_with(rmdir(at("missing"))), ENOENT);
  EXPECT_ERR(fails_with(rmdir(at("file.txt"))), ENOTDIR);
  EXPECT_ERR(fails_with(rmdir(at("nonempty"))), ENOTEMPTY);
  EXPECT_ERR(fails_with(rmdir(at("dangling/x"))), ENOENT);
  EXPECT_ERR(fails_with(mkdir(at("dir"), 0755)), EEXIST);
  EXPECT_ERR(fails_with(mkdir(at("no_dir/x"), 0755)), ENOENT);
  EXPECT_ERR(fails_with(symlink("x", at("file.txt"))), EEXIST);
  EXPECT_ERR(fails_with(symlink("x", at("no_dir/l"))), ENOENT);
  EXPECT_ERR(fails_with(link(at("missing"), at("new_link"))), ENOENT);
  EXPECT_ERR(fails_with(link(at("file.txt"), at("dir_link"))), EEXIST);
}

static void libc_stat(void) {
  struct stat st;
  EXPECT_ERR(fails_with(stat(at("missing"), &st)), ENOENT);
  EXPECT_ERR(fails_with(stat(at("dangling"), &st)), ENOENT);
  CHECK(lstat(at("dangling"), &st) == 0 && S_ISLNK(st.st_mode));
  EXPECT_ERR(fails_with(stat(at("loop"), &st)), ELOOP);
  CHECK(lstat(at("loop"), &st) == 0 && S_ISLNK(st.st_mode));
  EXPECT_ERR(fails_with(stat(at("esc_abs"), &st)), ENOTCAPABLE);
  CHECK(lstat(at("esc_abs"), &st) == 0 && S_ISLNK(st.st_mode));
  EXPECT_ERR(fails_with(stat(at("file.txt/"), &st)), ENOTDIR);
  CHECK(stat(at("dir_link"), &st) == 0 && S_ISDIR(st.st_mode));
  char buf[64];
  EXPECT_ERR(fails_with((int)readlink(at("file.txt"), buf, sizeof buf)), EINVAL);
  EXPECT_ERR(fails_with((int)readlink(at("missing"), buf, sizeof buf)), ENOENT);
  ssize_t n = readlink(at("dangling"), buf, sizeof buf);
  CHECK(n == 14 && memcmp(buf, "missing_target", 14) == 0);
  n = readlink(at("esc_abs"), buf, sizeof buf);
  CHECK(n == 11 && memcmp(buf, "/etc/passwd", 11) == 0);
}

static void libc_deleted_file(void) {
  // An fd outlives its name: it still reads, writes and stats (nlink 0), and the name can be
  // created again beside it.
  int fd = open(at("doomed"), O_RDWR | O_CREAT | O_EXCL, 0644);
  CHECK(fd >= 0);
  if (fd < 0) return;
  CHECK(write(fd, "abc", 3) == 3);
  CHECK(unlink(at("doomed")) == 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 3);
  char c = 0;
  CHECK(pread(fd, &c, 1, 1) == 1 && c == 'b');
  CHECK(write(fd, "d", 1) == 1);
  EXPECT_ERR(open_fails_with(open(at("doomed"), O_RDONLY)), ENOENT);
  int again = open(at("doomed"), O_RDWR | O_CREAT | O_EXCL, 0644);
  CHECK(again >= 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 4);  // the old file, not the new one
  if (again >= 0) close(again);
  CHECK(close(fd) == 0);
  CHECK(unlink(at("doomed")) == 0);
}

// ---- Part 2: the preview1 functions called directly ----------------------------------------

static __wasi_fd_t pre;  // the preopen

/// path_open below `dir`; the new fd in *out (closed by the caller) or the errno.
static __wasi_errno_t open_raw(__wasi_fd_t dir, __wasi_lookupflags_t lookup, const char* path,
                               __wasi_oflags_t oflags, __wasi_rights_t base,
                               __wasi_rights_t inheriting, __wasi_fdflags_t fdflags,
                               __wasi_fd_t* out) {
  return __wasi_path_open(dir, lookup, path, oflags, base, inheriting, fdflags, out);
}

/// path_open that must fail: returns its errno (closing an fd if it did not fail).
static __wasi_errno_t open_err(__wasi_fd_t dir, __wasi_lookupflags_t lookup, const char* path,
                               __wasi_oflags_t oflags, __wasi_rights_t base,
                               __wasi_rights_t inheriting, __wasi_fdflags_t fdflags) {
  __wasi_fd_t fd = 0;
  __wasi_errno_t e = open_raw(dir, lookup, path, oflags, base, inheriting, fdflags, &fd);
  if (e == 0) (void)!__wasi_fd_close(fd);  // an fd from an open that should have failed
  return e;
}

static const __wasi_lookupflags_t kFollow = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;

static void raw_open_paths(void) {
  // With no rights (a stat-only handle) as with read rights, the same answers.
  const __wasi_rights_t rights[2] = {0, __WASI_RIGHTS_FD_READ};
  for (int i = 0; i < 2; ++i) {
    __wasi_rights_t r = rights[i];
    EXPECT_ERR(open_err(pre, 0, "missing", 0, r, 0, 0), __WASI_ERRNO_NOENT);
    EXPECT_ERR(open_err(pre, kFollow, "missing", 0, r, 0, 0), __WASI_ERRNO_NOENT);
    EXPECT_ERR(open_err(pre, 0, "dangling", 0, r, 0, 0), __WASI_ERRNO_LOOP);
    EXPECT_ERR(open_err(pre, kFollow, "dangling", 0, r, 0, 0), __WASI_ERRNO_NOENT);
    EXPECT_ERR(open_err(pre, 0, "dangling", __WASI_OFLAGS_DIRECTORY, r, 0, 0), __WASI_ERRNO_NOTDIR);
    EXPECT_ERR(open_err(pre, 0, "loop", 0, r, 0, 0), __WASI_ERRNO_LOOP);
    EXPECT_ERR(open_err(pre, kFollow, "loop", 0, r, 0, 0), __WASI_ERRNO_LOOP);
    EXPECT_ERR(open_err(pre, kFollow, "loop_a/x", 0, r, 0, 0), __WASI_ERRNO_LOOP);
    EXPECT_ERR(open_err(pre, 0, "file_link", 0, r, 0, 0), __WASI_ERRNO_LOOP);
    EXPECT_ERR(open_err(pre, 0, "dir_link", __WASI_OFLAGS_DIRECTORY, r, 0, 0), __WASI_ERRNO_NOTDIR);
    EXPECT_ERR(open_err(pre, kFollow, "dir_link", __WASI_OFLAGS_DIRECTORY, r, 0, 0), 0);
    EXPECT_ERR(open_err(pre, kFollow, "/file.txt", 0, r, 0, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERR(open_err(pre, kFollow, "../outside.txt", 0, r, 0, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERR(open_err(pre, kFollow, "dir/../..", 0, r, 0, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERR(open_err(pre, kFollow, "esc_abs", 0, r, 0, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERR(open_err(pre, kFollow, "esc_rel", 0, r, 0, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERR(open_err(pre, kFollow, "esc_dir/x", 0, r, 0, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERR(open_err(pre, 0, "file.txt/", 0, r, 0, 0), __WASI_ERRNO_NOTDIR);
    EXPECT_ERR(open_err(pre, 0, "file.txt", __WASI_OFLAGS_DIRECTORY, r, 0, 0), __WASI_ERRNO_NOTDIR);
    EXPECT_ERR(open_err(pre, 0, "", 0, r, 0, 0), __WASI_ERRNO_NOENT);
    EXPECT_ERR(open_err(pre, 0, "dir/./../dir//", 0, r, 0, 0), 0);
    EXPECT_ERR(open_err(pre, 0, ".", 0, r, 0, __WASI_FDFLAGS_NONBLOCK), 0);
  }
  // (A NUL inside a path, INVAL, cannot be passed through api.h, which takes C strings: the
  // unit tests pass one.)
}

static void raw_open_rights(void) {
  // A file opened with no rights: it opens, has none, cannot read (BADF, as POSIX for an fd
  // not open for reading), but can be stat'ed through its directory.
  __wasi_fd_t fd = 0;
  EXPECT_ERR(open_raw(pre, 0, "file.txt", 0, 0, 0, 0, &fd), 0);
  __wasi_fdstat_t st;
  CHECK(__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_rights_base == 0 &&
        st.fs_rights_inheriting == 0 && st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  uint8_t byte = 0;
  __wasi_iovec_t iov = {&byte, 1};
  __wasi_size_t n = 0;
  EXPECT_ERR(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &(__wasi_filesize_t){0}),
             __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_close(fd), 0);

  // A directory opened with DIRECTORY and read+write rights: ISDIR; read only: fine.
  EXPECT_ERR(open_err(pre, 0, ".", __WASI_OFLAGS_DIRECTORY,
                      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0),
             __WASI_ERRNO_ISDIR);
  EXPECT_ERR(open_err(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0, 0), 0);
  EXPECT_ERR(open_err(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, 0, 0, 0), 0);

  // A directory asked for file rights keeps only directory rights (the witx allows dropping
  // rights that do not apply to the type), so it cannot seek.
  EXPECT_ERR(open_raw(pre, 0, "dir", __WASI_OFLAGS_DIRECTORY,
                      __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_READDIR, 0, 0, &fd),
             0);
  CHECK(__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_rights_base == __WASI_RIGHTS_FD_READDIR &&
        st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  __wasi_filesize_t pos = 0;
  EXPECT_ERR(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_seek(fd, 0, __WASI_WHENCE_END, &pos), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_pread(fd, &iov, 1, 0, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_close(fd), 0);
  // The preopen itself: the same.
  EXPECT_ERR(__wasi_fd_seek(pre, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_tell(pre, &pos), __WASI_ERRNO_NOTCAPABLE);
  // stdin is a character device here: a stream, SPIPE as lseek(2) says.
  EXPECT_ERR(__wasi_fd_seek(0, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_SPIPE);
  EXPECT_ERR(__wasi_fd_tell(0, &pos), __WASI_ERRNO_SPIPE);
  EXPECT_ERR(__wasi_fd_pread(0, &iov, 1, 0, &n), __WASI_ERRNO_SPIPE);

  // FD_SEEK implies FD_TELL.
  EXPECT_ERR(
      open_raw(pre, 0, "file.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, 0, &fd), 0);
  EXPECT_ERR(__wasi_fd_tell(fd, &pos), 0);
  EXPECT_ERR(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos), 0);
  EXPECT_ERR(__wasi_fd_close(fd), 0);

  // A subdirectory that may hand on only FD_READ | FD_SEEK, and lacks PATH_CREATE_FILE,
  // PATH_FILESTAT_SET_SIZE.
  __wasi_fd_t sub = 0;
  EXPECT_ERR(open_raw(pre, 0, "nonempty", __WASI_OFLAGS_DIRECTORY,
                      __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR,
                      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, &sub),
             0);
  CHECK(__wasi_fd_fdstat_get(sub, &st) == 0 &&
        st.fs_rights_base == (__WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR) &&
        st.fs_rights_inheriting == (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK));
  EXPECT_ERR(open_err(sub, 0, "inner", 0, __WASI_RIGHTS_FD_READ, 0, 0), 0);
  EXPECT_ERR(open_err(sub, 0, "inner", 0, __WASI_RIGHTS_FD_WRITE, 0, 0), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(open_err(sub, 0, "inner", 0, __WASI_RIGHTS_FD_READ, __WASI_RIGHTS_FD_WRITE, 0),
             __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(open_err(sub, 0, "new", __WASI_OFLAGS_CREAT, 0, 0, 0), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(open_err(sub, 0, "inner", __WASI_OFLAGS_TRUNC, 0, 0, 0), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(open_err(sub, 0, "inner", 0, __WASI_RIGHTS_FD_READ, 0, __WASI_FDFLAGS_DSYNC),
             __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(open_err(sub, 0, "inner", 0, __WASI_RIGHTS_FD_READ, 0, __WASI_FDFLAGS_SYNC),
             __WASI_ERRNO_NOTCAPABLE);
  // Rights before path: a missing name in a directory without the right is NOTCAPABLE.
  EXPECT_ERR(open_err(sub, 0, "missing", 0, __WASI_RIGHTS_FD_WRITE, 0, 0), __WASI_ERRNO_NOTCAPABLE);
  // Without PATH_OPEN nothing opens, and dropping rights holds.
  EXPECT_ERR(__wasi_fd_fdstat_set_rights(sub, __WASI_RIGHTS_FD_READDIR, 0), 0);
  EXPECT_ERR(open_err(sub, 0, "inner", 0, 0, 0, 0), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(
      __wasi_fd_fdstat_set_rights(sub, __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN, 0),
      __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_close(sub), 0);
}

static void raw_open_flags(void) {
  // DIRECTORY with CREAT, EXCL or TRUNC: INVAL (wasmtime's answer), before the path.
  EXPECT_ERR(open_err(pre, 0, "dir", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_CREAT, 0, 0, 0),
             __WASI_ERRNO_INVAL);
  EXPECT_ERR(open_err(pre, 0, "missing", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_EXCL, 0, 0, 0),
             __WASI_ERRNO_INVAL);
  EXPECT_ERR(open_err(pre, 0, "dir", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_TRUNC, 0, 0, 0),
             __WASI_ERRNO_INVAL);
  // Bits outside each flag set: INVAL, before anything else (even a closed fd).
  EXPECT_ERR(open_err(pre, 0, "file.txt", 1 << 4, 0, 0, 0), __WASI_ERRNO_INVAL);
  EXPECT_ERR(open_err(pre, 0, "file.txt", 0, 0, 0, 1 << 5), __WASI_ERRNO_INVAL);
  EXPECT_ERR(open_err(pre, 2, "file.txt", 0, 0, 0, 0), __WASI_ERRNO_INVAL);
  EXPECT_ERR(open_err(pre, 0, "file.txt", 0, 1ull << 40, 0, 0), __WASI_ERRNO_INVAL);
  EXPECT_ERR(open_err(pre, 0, "file.txt", 0, 0, 1ull << 30, 0), __WASI_ERRNO_INVAL);
  EXPECT_ERR(open_err(999, 0, "file.txt", 1 << 4, 0, 0, 0), __WASI_ERRNO_INVAL);
  // CREAT | EXCL on an existing name; TRUNC with no rights truncates.
  EXPECT_ERR(open_err(pre, 0, "file.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, 0, 0),
             __WASI_ERRNO_EXIST);
  make_file("trunc_me", "12345");
  EXPECT_ERR(open_err(pre, 0, "trunc_me", __WASI_OFLAGS_TRUNC, 0, 0, 0), 0);
  struct stat s;
  CHECK(stat(at("trunc_me"), &s) == 0 && s.st_size == 0);
  // CREAT with no rights creates; the name then opens with no rights (what Rust's std and the
  // WASI test suite do to "touch" a file), and again after unlink and re-create.
  for (int round = 0; round < 2; ++round) {
    EXPECT_ERR(open_err(pre, 0, "touched", __WASI_OFLAGS_CREAT, 0, 0, 0), 0);
    EXPECT_ERR(open_err(pre, 0, "touched", 0, 0, 0, 0), 0);
    EXPECT_ERR(__wasi_path_unlink_file(pre, "touched"), 0);
  }
  EXPECT_ERR(open_err(pre, 0, "touched", 0, 0, 0, 0), __WASI_ERRNO_NOENT);
  // The same for a directory: created, opened with no rights, removed, created again.
  for (int round = 0; round < 2; ++round) {
    EXPECT_ERR(__wasi_path_create_directory(pre, "made"), 0);
    EXPECT_ERR(open_err(pre, 0, "made", __WASI_OFLAGS_DIRECTORY, 0, 0, 0), 0);
    EXPECT_ERR(__wasi_path_remove_directory(pre, "made"), 0);
  }
  EXPECT_ERR(open_err(pre, 0, "made", __WASI_OFLAGS_DIRECTORY, 0, 0, 0), __WASI_ERRNO_NOENT);
  // APPEND and NONBLOCK on a stat-only handle mean nothing, but are allowed.
  EXPECT_ERR(open_err(pre, 0, "file.txt", 0, 0, 0, __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_NONBLOCK),
             0);
}

static void raw_order(void) {
  __wasi_fd_t file = 0;
  EXPECT_ERR(open_raw(pre, 0, "file.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &file), 0);
  // BADF before anything about the path; NOTDIR for an fd that is not a directory.
  EXPECT_ERR(open_err(999, 0, "missing", __WASI_OFLAGS_CREAT, 0, 0, 0), __WASI_ERRNO_BADF);
  EXPECT_ERR(open_err(file, 0, "x", __WASI_OFLAGS_CREAT, 0, 0, 0), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(open_err(1, 0, "x", 0, 0, 0, 0), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(__wasi_path_rename(pre, "missing", 999, "x"), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_path_rename(999, "missing", pre, "x"), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_path_rename(pre, "missing", file, "x"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(__wasi_path_link(pre, 0, "missing", 999, "x"), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_path_link(pre, 2, "file.txt", pre, "x"), __WASI_ERRNO_INVAL);
  EXPECT_ERR(__wasi_path_create_directory(file, "x"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(__wasi_path_unlink_file(999, "x"), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_path_symlink("t", 999, "missing/x"), __WASI_ERRNO_BADF);
  __wasi_filestat_t fst;
  EXPECT_ERR(__wasi_path_filestat_get(pre, 2, "file.txt", &fst), __WASI_ERRNO_INVAL);
  EXPECT_ERR(__wasi_path_filestat_get(file, 0, "x", &fst), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(__wasi_path_filestat_set_times(pre, 0, "file.txt", 0, 0,
                                            __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
             __WASI_ERRNO_INVAL);
  EXPECT_ERR(__wasi_path_filestat_set_times(pre, 0, "file.txt", 0, 0, 1 << 4), __WASI_ERRNO_INVAL);
  EXPECT_ERR(__wasi_fd_filestat_set_times(999, 0, 0, 1 << 4), __WASI_ERRNO_INVAL);
  EXPECT_ERR(__wasi_fd_fdstat_set_flags(999, 1 << 5), __WASI_ERRNO_INVAL);
  EXPECT_ERR(__wasi_fd_fdstat_set_rights(file, 1ull << 35, 0), __WASI_ERRNO_INVAL);
  __wasi_filesize_t pos = 0;
  EXPECT_ERR(__wasi_fd_seek(999, 0, 7, &pos), __WASI_ERRNO_INVAL);  // whence, decoded first
  EXPECT_ERR(__wasi_fd_seek(999, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);
  uint8_t byte = 0;
  __wasi_iovec_t iov = {&byte, 1};
  __wasi_size_t n = 0;
  EXPECT_ERR(__wasi_fd_pread(999, &iov, 1, ~0ull, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_pread(file, &iov, 1, ~0ull, &n), __WASI_ERRNO_NOTCAPABLE);  // no FD_SEEK
  EXPECT_ERR(__wasi_fd_allocate(999, ~0ull, 1), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_close(file), 0);
}

static void raw_names(void) {
  __wasi_filestat_t fst;
  EXPECT_ERR(__wasi_path_filestat_get(pre, 0, "esc_abs", &fst), 0);
  CHECK(fst.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  EXPECT_ERR(__wasi_path_filestat_get(pre, kFollow, "esc_abs", &fst), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_filestat_get(pre, kFollow, "dangling", &fst), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_filestat_get(pre, kFollow, "loop", &fst), __WASI_ERRNO_LOOP);
  EXPECT_ERR(__wasi_path_filestat_get(pre, 0, "loop_a/x", &fst), __WASI_ERRNO_LOOP);
  EXPECT_ERR(__wasi_path_filestat_get(pre, 0, "../x", &fst), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_filestat_get(pre, 0, "missing", &fst), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_filestat_set_times(pre, kFollow, "dangling", 0, 0, 0), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_filestat_set_times(pre, kFollow, "esc_rel", 0, 0, 0),
             __WASI_ERRNO_NOTCAPABLE);
  uint8_t buf[32];
  __wasi_size_t used = 0;
  EXPECT_ERR(__wasi_path_readlink(pre, "file.txt", buf, sizeof buf, &used), __WASI_ERRNO_INVAL);
  EXPECT_ERR(__wasi_path_readlink(pre, "missing", buf, sizeof buf, &used), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_readlink(pre, "esc_dir/x", buf, sizeof buf, &used),
             __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_readlink(pre, "loop", buf, 4, &used), 0);
  CHECK(used == 4 && memcmp(buf, "loop", 4) == 0);
  EXPECT_ERR(__wasi_path_unlink_file(pre, "../x"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_unlink_file(pre, "/file.txt"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_remove_directory(pre, "loop/x"), __WASI_ERRNO_LOOP);
  EXPECT_ERR(__wasi_path_remove_directory(pre, "esc_dir/x"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_create_directory(pre, "dangling/x"), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_symlink("t", pre, "missing/x"), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_symlink("t", pre, "loop/x"), __WASI_ERRNO_LOOP);
  EXPECT_ERR(__wasi_path_rename(pre, "missing", pre, "x"), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_rename(pre, "file.txt", pre, "missing/x"), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_rename(pre, "file.txt", pre, "../x"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_rename(pre, "esc_dir/x", pre, "y"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_link(pre, kFollow, "dangling", pre, "x"), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_link(pre, kFollow, "esc_abs", pre, "x"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_link(pre, 0, "file.txt", pre, "esc_dir/x"), __WASI_ERRNO_NOTCAPABLE);
  // A rename, then the old name is missing and the new one opens (with no rights, too).
  EXPECT_ERR(__wasi_path_create_directory(pre, "source"), 0);
  EXPECT_ERR(__wasi_path_rename(pre, "source", pre, "target"), 0);
  EXPECT_ERR(open_err(pre, 0, "source", __WASI_OFLAGS_DIRECTORY, 0, 0, 0), __WASI_ERRNO_NOENT);
  EXPECT_ERR(open_err(pre, 0, "target", __WASI_OFLAGS_DIRECTORY, 0, 0, 0), 0);
  EXPECT_ERR(__wasi_path_remove_directory(pre, "target"), 0);
}

int main(int argc, char** argv) {
  if (argc < 2 || strlen(argv[1]) >= sizeof root) {
    printf("usage: wasi_errno PREOPEN\n");
    return 100;
  }
  snprintf(root, sizeof root, "%s", argv[1]);
  int fd = find_preopen(root);
  if (fd < 0) {
    printf("FAIL: no preopen named %s\n", root);
    return 100;
  }
  pre = (__wasi_fd_t)fd;
  make_tree();
  libc_open();
  libc_names();
  libc_stat();
  libc_deleted_file();
  raw_open_paths();
  raw_open_rights();
  raw_open_flags();
  raw_order();
  raw_names();
  if (failures == 0) printf("ok %d checks\n", checks);
  fflush(stdout);
  return failures;
}
