// wasi_rights: preview1 as programs that manage rights use it (Rust's std, the public WASI
// test suites): a scratch directory opened from the preopen with narrowed rights, files opened
// read-only, write-only or with no rights at all, rights dropped with fd_fdstat_set_rights,
// truncation and hard links under those rights, fd calls on a directory, renames, trailing
// slashes, symlinks not followed and a deleted directory's fd, each with its exact errno
// (docs/guest-abi.md, "Errors and their order"). Works in a fresh empty preopened directory argv[1]
// (e.g. /sandbox): see tests/integration/wasi_errno.sh. Prints "FAIL line N: ..." per failed check,
// "ok N checks" when all pass; exits with the number of failures.
#include <string.h>
#include <wasi/api.h>

#include "wasi_check.h"

static __wasi_fd_t pre;  // the preopen
static __wasi_fd_t dir;  // "scratch", opened from it with the rights below

/// The rights a scratch directory is opened with, as programs ask for them: every directory
/// right in base; file data rights and a few path rights to hand on, but not creating files
/// or directories, symlinks, readlink or rename.
static const __wasi_rights_t kDirBase =
    __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_CREATE_FILE |
    __WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_REMOVE_DIRECTORY |
    __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_UNLINK_FILE | __WASI_RIGHTS_PATH_LINK_SOURCE |
    __WASI_RIGHTS_PATH_LINK_TARGET | __WASI_RIGHTS_PATH_READLINK |
    __WASI_RIGHTS_PATH_RENAME_SOURCE | __WASI_RIGHTS_PATH_RENAME_TARGET |
    __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE |
    __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES | __WASI_RIGHTS_PATH_SYMLINK;
static const __wasi_rights_t kDirInheriting =
    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_READDIR |
    __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_PATH_LINK_SOURCE |
    __WASI_RIGHTS_PATH_LINK_TARGET | __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_UNLINK_FILE |
    __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC |
    __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |
    __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES;

/// path_open; the errno, and the new fd in *out (which the caller closes).
static __wasi_errno_t open_fd(__wasi_fd_t at, __wasi_lookupflags_t lookup, const char* path,
                              __wasi_oflags_t oflags, __wasi_rights_t base,
                              __wasi_fdflags_t fdflags, __wasi_fd_t* out) {
  return __wasi_path_open(at, lookup, path, oflags, base, base, fdflags, out);
}

/// path_open whose fd, if it opens, is closed at once: the errno.
static __wasi_errno_t try_open(__wasi_fd_t at, __wasi_lookupflags_t lookup, const char* path,
                               __wasi_oflags_t oflags, __wasi_rights_t base) {
  __wasi_fd_t fd = 0;
  __wasi_errno_t e = __wasi_path_open(at, lookup, path, oflags, base, 0, 0, &fd);
  if (e == 0) (void)!__wasi_fd_close(fd);
  return e;
}

/// Creates file `name` below `at` with no rights, as programs "touch" a file.
static void touch(__wasi_fd_t at, const char* name) {
  EXPECT_ERR(try_open(at, 0, name, __WASI_OFLAGS_CREAT, 0), 0);
}

static __wasi_rights_t base_of(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  memset(&st, 0, sizeof st);
  CHECK(__wasi_fd_fdstat_get(fd, &st) == 0);
  return st.fs_rights_base;
}

static void preopen_and_scratch(void) {
  // The preopen may do everything a directory can, and hand on every right.
  __wasi_fdstat_t st;
  EXPECT_ERR(__wasi_fd_fdstat_get(pre, &st), 0);
  CHECK((st.fs_rights_base & kDirBase) == kDirBase);
  CHECK((st.fs_rights_inheriting & (kDirBase | kDirInheriting | __WASI_RIGHTS_FD_DATASYNC |
                                    __WASI_RIGHTS_POLL_FD_READWRITE)) ==
        (kDirBase | kDirInheriting | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_POLL_FD_READWRITE));
  // "." opens with the preopen's own rights, with none, as a directory with none or FD_READ;
  // a directory asked for FD_WRITE is ISDIR, as open(2) says.
  __wasi_fd_t fd = 0;
  EXPECT_ERR(__wasi_path_open(pre, 0, ".", 0, st.fs_rights_base, st.fs_rights_inheriting, 0, &fd),
             0);
  (void)!__wasi_fd_close(fd);
  EXPECT_ERR(try_open(pre, 0, ".", 0, 0), 0);
  EXPECT_ERR(try_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, 0), 0);
  EXPECT_ERR(try_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ), 0);
  EXPECT_ERR(try_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY,
                      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE),
             __WASI_ERRNO_ISDIR);
  EXPECT_ERR(__wasi_path_create_directory(pre, "scratch"), 0);
  EXPECT_ERR(__wasi_path_open(pre, 0, "scratch", __WASI_OFLAGS_DIRECTORY, kDirBase, kDirInheriting,
                              0, &dir),
             0);
  CHECK(dir > 2 && base_of(dir) == kDirBase);
}

static void files_and_rights(void) {
  touch(dir, "file");
  EXPECT_ERR(try_open(dir, 0, "missing", 0, 0), __WASI_ERRNO_NOENT);
  // Read-only: reads (0 bytes, it is empty), cannot write: BADF, as POSIX says.
  __wasi_fd_t fd = 0;
  uint8_t buf[8] = "abcdefg";
  __wasi_iovec_t iov = {buf, sizeof buf};
  __wasi_ciovec_t ciov = {buf, 4};
  __wasi_size_t n = 99;
  EXPECT_ERR(open_fd(dir, 0, "file", 0, __WASI_RIGHTS_FD_READ, 0, &fd), 0);
  CHECK(base_of(fd) == __WASI_RIGHTS_FD_READ);
  EXPECT_ERR(__wasi_fd_read(fd, &iov, 1, &n), 0);
  CHECK(n == 0);
  EXPECT_ERR(__wasi_fd_write(fd, &ciov, 1, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_close(fd), 0);
  // Write-only: the reverse.
  EXPECT_ERR(open_fd(dir, 0, "file", 0, __WASI_RIGHTS_FD_WRITE, 0, &fd), 0);
  CHECK(base_of(fd) == __WASI_RIGHTS_FD_WRITE);
  EXPECT_ERR(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_write(fd, &ciov, 1, &n), 0);
  EXPECT_ERR(__wasi_fd_close(fd), 0);
  // Read-write, seek and tell; then both dropped: BADF; asking them back: NOTCAPABLE.
  const __wasi_rights_t rw = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                             __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL;
  EXPECT_ERR(open_fd(dir, 0, "file", 0, rw, 0, &fd), 0);
  __wasi_filesize_t pos = 0;
  EXPECT_ERR(__wasi_fd_read(fd, &iov, 1, &n), 0);
  CHECK(n == 4 && memcmp(buf, "abcd", 4) == 0);
  EXPECT_ERR(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL, 0), 0);
  EXPECT_ERR(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_write(fd, &ciov, 1, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), 0);
  EXPECT_ERR(__wasi_fd_fdstat_set_rights(fd, rw, rw), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_close(fd), 0);
  // A right the directory cannot hand on (PATH_SYMLINK), in base or inheriting: NOTCAPABLE.
  EXPECT_ERR(try_open(dir, 0, "file", 0, __WASI_RIGHTS_PATH_SYMLINK), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_open(dir, 0, "file", 0, 0, __WASI_RIGHTS_PATH_SYMLINK, 0, &fd),
             __WASI_ERRNO_NOTCAPABLE);
  // APPEND and SYNC (FD_SYNC is inheritable here) show in the fd's flags.
  EXPECT_ERR(open_fd(dir, 0, "file", 0, __WASI_RIGHTS_FD_WRITE,
                     __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_SYNC, &fd),
             0);
  __wasi_fdstat_t st;
  EXPECT_ERR(__wasi_fd_fdstat_get(fd, &st), 0);
  CHECK((st.fs_flags & (__WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_SYNC)) ==
        (__WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_SYNC));
  EXPECT_ERR(__wasi_fd_close(fd), 0);
  // DSYNC needs FD_DATASYNC, which this directory cannot hand on.
  EXPECT_ERR(
      __wasi_path_open(dir, 0, "file", 0, __WASI_RIGHTS_FD_WRITE, 0, __WASI_FDFLAGS_DSYNC, &fd),
      __WASI_ERRNO_NOTCAPABLE);
}

static void truncation(void) {
  // TRUNC needs PATH_FILESTAT_SET_SIZE on the directory, not FD_FILESTAT_SET_SIZE.
  touch(dir, "trunc");
  EXPECT_ERR(try_open(dir, 0, "trunc", __WASI_OFLAGS_TRUNC, 0), 0);
  EXPECT_ERR(__wasi_fd_fdstat_set_rights(dir, kDirBase,
                                         kDirInheriting & ~__WASI_RIGHTS_FD_FILESTAT_SET_SIZE),
             0);
  EXPECT_ERR(try_open(dir, 0, "trunc", __WASI_OFLAGS_TRUNC, 0), 0);
  EXPECT_ERR(__wasi_fd_fdstat_set_rights(dir, kDirBase & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
                                         kDirInheriting & ~__WASI_RIGHTS_FD_FILESTAT_SET_SIZE),
             0);
  CHECK((base_of(dir) & __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE) == 0);
  EXPECT_ERR(try_open(dir, 0, "trunc", __WASI_OFLAGS_TRUNC, 0), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_path_unlink_file(dir, "trunc"), 0);
}

static void hard_links(void) {
  const __wasi_rights_t r = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_GET |
                            __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_OPEN;
  __wasi_fd_t a = 0, b = 0;
  EXPECT_ERR(open_fd(dir, 0, "file", 0, r, 0, &a), 0);
  EXPECT_ERR(__wasi_path_link(dir, 0, "file", dir, "link"), 0);
  EXPECT_ERR(open_fd(dir, 0, "link", 0, r, 0, &b), 0);
  __wasi_filestat_t sa, sb;
  EXPECT_ERR(__wasi_fd_filestat_get(a, &sa), 0);
  EXPECT_ERR(__wasi_fd_filestat_get(b, &sb), 0);
  CHECK(sa.ino == sb.ino && sa.nlink == 2 && sb.nlink == 2);
  CHECK(base_of(a) == base_of(b));  // a file keeps its file rights of those asked: the same
  (void)!__wasi_fd_close(a);
  (void)!__wasi_fd_close(b);
  EXPECT_ERR(__wasi_path_link(dir, 0, "file", dir, "link"), __WASI_ERRNO_EXIST);
  EXPECT_ERR(__wasi_path_link(dir, 0, "file", dir, "file"), __WASI_ERRNO_EXIST);
  EXPECT_ERR(__wasi_path_link(dir, 0, "file", dir, "link/"), __WASI_ERRNO_EXIST);
  EXPECT_ERR(__wasi_path_link(dir, 0, "file", dir, "new/"), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_create_directory(dir, "sub"), 0);
  EXPECT_ERR(__wasi_path_link(dir, 0, "file", dir, "sub"), __WASI_ERRNO_EXIST);
  EXPECT_ERR(__wasi_path_link(dir, 0, "sub", dir, "sub_link"), __WASI_ERRNO_PERM);
  // Without SYMLINK_FOLLOW a symlink itself is linked, dangling or looping.
  EXPECT_ERR(__wasi_path_symlink("target", dir, "dangling"), 0);
  EXPECT_ERR(__wasi_path_link(dir, 0, "dangling", dir, "dangling2"), 0);
  EXPECT_ERR(__wasi_path_link(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling", dir, "x"),
             __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_link(dir, 0, "file", dir, "dangling"), __WASI_ERRNO_EXIST);
  EXPECT_ERR(__wasi_path_symlink("self", dir, "self"), 0);
  EXPECT_ERR(__wasi_path_link(dir, 0, "self", dir, "self2"), 0);
  const char* gone[] = {"link", "dangling", "dangling2", "self", "self2"};
  for (size_t i = 0; i < sizeof gone / sizeof *gone; ++i) {
    EXPECT_ERR(__wasi_path_unlink_file(dir, gone[i]), 0);
  }
  EXPECT_ERR(__wasi_path_remove_directory(dir, "sub"), 0);
}

static void directory_fd_calls(void) {
  uint8_t buf[8];
  __wasi_iovec_t iov = {buf, sizeof buf};
  __wasi_ciovec_t ciov = {buf, sizeof buf};
  __wasi_size_t n = 0;
  __wasi_filesize_t pos = 0;
  __wasi_filestat_t fst;
  EXPECT_ERR(__wasi_fd_filestat_get(dir, &fst), 0);
  CHECK(fst.filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT_ERR(__wasi_fd_read(dir, &iov, 1, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_pread(dir, &iov, 1, 0, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_write(dir, &ciov, 1, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_pwrite(dir, &ciov, 1, 0, &n), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_seek(dir, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_seek(dir, 0, __WASI_WHENCE_END, &pos), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_tell(dir, &pos), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_allocate(dir, 0, 1), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(__wasi_fd_filestat_set_size(dir, 0), __WASI_ERRNO_NOTCAPABLE);
  // A directory asked for FD_SEEK does not get it.
  __wasi_fd_t sub = 0;
  EXPECT_ERR(__wasi_path_create_directory(dir, "seekdir"), 0);
  EXPECT_ERR(open_fd(dir, 0, "seekdir", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_SEEK, 0, &sub),
             0);
  CHECK((base_of(sub) & __WASI_RIGHTS_FD_SEEK) == 0);
  EXPECT_ERR(__wasi_fd_seek(sub, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_NOTCAPABLE);
  (void)!__wasi_fd_close(sub);
  EXPECT_ERR(__wasi_path_remove_directory(dir, "seekdir"), 0);
  // fd_prestat_dir_name: a buffer too small is NAMETOOLONG, a bigger one is fine.
  char name[64];
  EXPECT_ERR(__wasi_fd_prestat_dir_name(pre, (uint8_t*)name, 0), __WASI_ERRNO_NAMETOOLONG);
  EXPECT_ERR(__wasi_fd_prestat_dir_name(pre, (uint8_t*)name, sizeof name), 0);
}

static void renames(void) {
  EXPECT_ERR(__wasi_path_create_directory(dir, "source"), 0);
  EXPECT_ERR(__wasi_path_rename(dir, "source", dir, "target"), 0);
  EXPECT_ERR(try_open(dir, 0, "source", __WASI_OFLAGS_DIRECTORY, 0), __WASI_ERRNO_NOENT);
  EXPECT_ERR(try_open(dir, 0, "target", __WASI_OFLAGS_DIRECTORY, 0), 0);
  // Onto an empty directory: replaced; onto a non-empty one: NOTEMPTY; onto a file: NOTDIR.
  EXPECT_ERR(__wasi_path_create_directory(dir, "source"), 0);
  EXPECT_ERR(__wasi_path_rename(dir, "source", dir, "target"), 0);
  EXPECT_ERR(__wasi_path_create_directory(dir, "source"), 0);
  touch(dir, "target/file");
  EXPECT_ERR(__wasi_path_rename(dir, "source", dir, "target"), __WASI_ERRNO_NOTEMPTY);
  EXPECT_ERR(__wasi_path_rename(dir, "source", dir, "target/file"), __WASI_ERRNO_NOTDIR);
  // Trailing slashes on directories are fine, on either side.
  EXPECT_ERR(__wasi_path_rename(dir, "source/", dir, "moved"), 0);
  EXPECT_ERR(__wasi_path_rename(dir, "moved", dir, "source/"), 0);
  EXPECT_ERR(__wasi_path_rename(dir, "source/", dir, "moved/"), 0);
  EXPECT_ERR(__wasi_path_remove_directory(dir, "moved"), 0);
  EXPECT_ERR(__wasi_path_unlink_file(dir, "target/file"), 0);
  // Files: onto a missing name, onto a file (replaced), onto a directory (ISDIR).
  touch(dir, "a");
  EXPECT_ERR(__wasi_path_rename(dir, "a", dir, "b"), 0);
  EXPECT_ERR(try_open(dir, 0, "a", 0, 0), __WASI_ERRNO_NOENT);
  EXPECT_ERR(try_open(dir, 0, "b", 0, 0), 0);
  touch(dir, "a");
  EXPECT_ERR(__wasi_path_rename(dir, "a", dir, "b"), 0);
  touch(dir, "a");
  EXPECT_ERR(__wasi_path_rename(dir, "a", dir, "target"), __WASI_ERRNO_ISDIR);
  EXPECT_ERR(__wasi_path_rename(dir, "a", dir, "b/"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(__wasi_path_unlink_file(dir, "a"), 0);
  EXPECT_ERR(__wasi_path_unlink_file(dir, "b"), 0);
  EXPECT_ERR(__wasi_path_remove_directory(dir, "target"), 0);
}

static void trailing_slashes_and_symlinks(void) {
  EXPECT_ERR(__wasi_path_create_directory(dir, "d"), 0);
  EXPECT_ERR(__wasi_path_unlink_file(dir, "d"), __WASI_ERRNO_ISDIR);
  EXPECT_ERR(__wasi_path_unlink_file(dir, "d/"), __WASI_ERRNO_ISDIR);
  EXPECT_ERR(__wasi_path_remove_directory(dir, "d/"), 0);
  touch(dir, "f");
  EXPECT_ERR(__wasi_path_unlink_file(dir, "f/"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(__wasi_path_remove_directory(dir, "f"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(__wasi_path_remove_directory(dir, "f/"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(__wasi_path_symlink("source", dir, "target/"), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_symlink("source", dir, "f"), __WASI_ERRNO_EXIST);
  EXPECT_ERR(__wasi_path_symlink("source", dir, "f/"), __WASI_ERRNO_EXIST);
  EXPECT_ERR(__wasi_path_create_directory(dir, "d"), 0);
  EXPECT_ERR(__wasi_path_symlink("source", dir, "d/"), __WASI_ERRNO_EXIST);
  // Paths that wander: inside is fine, above the directory or absolute is NOTCAPABLE.
  EXPECT_ERR(__wasi_path_create_directory(dir, "d/nested"), 0);
  touch(dir, "d/nested/file");
  EXPECT_ERR(try_open(dir, 0, "d/.//nested/../../d/nested/../nested///./file", 0, 0), 0);
  EXPECT_ERR(try_open(dir, 0, "d/nested/file/", 0, 0), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(try_open(dir, 0, "d/nested/file///", 0, 0), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(try_open(dir, 0, "d/nested///", 0, 0), 0);
  EXPECT_ERR(try_open(dir, 0, "/d/nested/file", 0, 0), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERR(try_open(dir, 0, "d/nested/../../../scratch/d/nested/file", 0, 0),
             __WASI_ERRNO_NOTCAPABLE);
  // A symlink to a directory, then to a file, opened without and with SYMLINK_FOLLOW.
  const __wasi_lookupflags_t follow = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
  EXPECT_ERR(__wasi_path_symlink("d", dir, "sym"), 0);
  EXPECT_ERR(try_open(dir, 0, "sym", __WASI_OFLAGS_DIRECTORY, 0), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(try_open(dir, 0, "sym", 0, 0), __WASI_ERRNO_LOOP);
  EXPECT_ERR(try_open(dir, follow, "sym", __WASI_OFLAGS_DIRECTORY, 0), 0);
  EXPECT_ERR(__wasi_path_unlink_file(dir, "sym"), 0);
  EXPECT_ERR(__wasi_path_symlink("f", dir, "sym"), 0);
  EXPECT_ERR(try_open(dir, 0, "sym", __WASI_OFLAGS_DIRECTORY, 0), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(try_open(dir, 0, "sym", 0, 0), __WASI_ERRNO_LOOP);
  EXPECT_ERR(try_open(dir, follow, "sym", __WASI_OFLAGS_DIRECTORY, 0), __WASI_ERRNO_NOTDIR);
  EXPECT_ERR(try_open(dir, follow, "sym", 0, __WASI_RIGHTS_FD_READ), 0);
  // A link out of the preopen may be made, not followed (the host checks it is still there).
  EXPECT_ERR(__wasi_path_symlink("/etc/passwd", pre, "esc_abs"), 0);
  EXPECT_ERR(__wasi_path_symlink("../esc_abs", dir, "esc"), 0);
  EXPECT_ERR(try_open(dir, follow, "esc", 0, __WASI_RIGHTS_FD_READ), __WASI_ERRNO_NOTCAPABLE);
  const char* gone[] = {"sym", "esc", "f", "d/nested/file"};
  for (size_t i = 0; i < sizeof gone / sizeof *gone; ++i) {
    EXPECT_ERR(__wasi_path_unlink_file(dir, gone[i]), 0);
  }
  EXPECT_ERR(__wasi_path_remove_directory(dir, "d/nested"), 0);
  EXPECT_ERR(__wasi_path_remove_directory(dir, "d"), 0);
}

static void deleted_directory(void) {
  // A directory fd outlives its directory's name: "." still opens and stats; nothing can be
  // created in it (open(2) and mkdir(2) answer NOENT there).
  __wasi_fd_t gone = 0;
  EXPECT_ERR(__wasi_path_create_directory(dir, "gone"), 0);
  // (From the preopen: the scratch directory may not hand on PATH_CREATE_*.)
  EXPECT_ERR(__wasi_path_open(pre, 0, "scratch/gone", __WASI_OFLAGS_DIRECTORY, kDirBase,
                              kDirInheriting, 0, &gone),
             0);
  EXPECT_ERR(__wasi_path_remove_directory(dir, "gone"), 0);
  __wasi_filestat_t fst;
  EXPECT_ERR(__wasi_fd_filestat_get(gone, &fst), 0);
  CHECK(fst.filetype == __WASI_FILETYPE_DIRECTORY && fst.nlink == 0);
  EXPECT_ERR(try_open(gone, 0, ".", __WASI_OFLAGS_DIRECTORY, 0), 0);
  EXPECT_ERR(try_open(gone, 0, "x", __WASI_OFLAGS_CREAT, 0), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_create_directory(gone, "y"), __WASI_ERRNO_NOENT);
  EXPECT_ERR(try_open(gone, 0, "missing", 0, 0), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_fd_close(gone), 0);
  EXPECT_ERR(try_open(dir, 0, "gone", __WASI_OFLAGS_DIRECTORY, 0), __WASI_ERRNO_NOENT);
  EXPECT_ERR(__wasi_path_create_directory(dir, "gone"), 0);
  EXPECT_ERR(__wasi_path_remove_directory(dir, "gone"), 0);
}

static void close_preopen(void) {
  // Closing the preopen leaves what was opened from it open.
  EXPECT_ERR(__wasi_fd_close(pre), 0);
  __wasi_fdstat_t st;
  EXPECT_ERR(__wasi_fd_fdstat_get(pre, &st), __WASI_ERRNO_BADF);
  EXPECT_ERR(__wasi_fd_fdstat_get(dir, &st), 0);
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT_ERR(__wasi_path_unlink_file(dir, "file"), 0);
}

int main(int argc, char** argv) {
  if (argc < 2 || strlen(argv[1]) >= sizeof root) {
    printf("usage: wasi_rights PREOPEN\n");
    return 100;
  }
  snprintf(root, sizeof root, "%s", argv[1]);
  int fd = find_preopen(root);
  if (fd < 0) {
    printf("FAIL: no preopen named %s\n", root);
    return 100;
  }
  pre = (__wasi_fd_t)fd;
  preopen_and_scratch();
  files_and_rights();
  hard_links();
  directory_fd_calls();
  renames();
  trailing_slashes_and_symlinks();
  deleted_directory();
  truncation();  // narrows the scratch directory's rights: last
  close_preopen();
  if (failures == 0) printf("ok %d checks\n", checks);
  fflush(stdout);
  return failures;
}
