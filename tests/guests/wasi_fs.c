// wasi_fs: exercises WASI through wasi-libc as an ordinary C program would (stdio, dirent,
// stat, directories, links, time, randomness, environment), inside the preopened directory
// argv[1] (e.g. /sandbox). Prints "FAIL <what>" for each failed check and "ok" when all pass;
// exits with the number of failures. tests/integration/wasi_fs.sh prepares the directory.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "wasi_check.h"

static void test_stdio(void) {
  FILE* f = fopen(at("hello.txt"), "w");
  CHECK(f != NULL);
  if (f == NULL) return;
  CHECK(fprintf(f, "hello %d\n", 42) == 9);
  CHECK(fwrite("second line\n", 1, 12, f) == 12);
  CHECK(fclose(f) == 0);

  f = fopen(at("hello.txt"), "r");
  CHECK(f != NULL);
  if (f == NULL) return;
  char buf[64] = {0};
  CHECK(fread(buf, 1, sizeof buf, f) == 21);
  CHECK(strcmp(buf, "hello 42\nsecond line\n") == 0);
  CHECK(fseek(f, 6, SEEK_SET) == 0);
  CHECK(ftell(f) == 6);
  int n = 0;
  CHECK(fscanf(f, "%d", &n) == 1 && n == 42);
  CHECK(fclose(f) == 0);

  f = fopen(at("hello.txt"), "a");
  CHECK(f != NULL && fputs("third\n", f) >= 0 && fclose(f) == 0);
  struct stat st;
  CHECK(stat(at("hello.txt"), &st) == 0 && st.st_size == 27 && S_ISREG(st.st_mode));

  // Writing through a read-only fd fails with EBADF, as in POSIX.
  int fd = open(at("hello.txt"), O_RDONLY);
  CHECK(fd >= 0);
  errno = 0;
  CHECK(write(fd, "x", 1) == -1 && errno == EBADF);
  char c = 0;
  CHECK(pread(fd, &c, 1, 6) == 1 && c == '4');
  CHECK(close(fd) == 0);
  errno = 0;
  CHECK(close(fd) == -1 && errno == EBADF);

  fd = open(at("sized.bin"), O_RDWR | O_CREAT | O_EXCL, 0644);
  CHECK(fd >= 0);
  CHECK(pwrite(fd, "abc", 3, 100) == 3);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 103);
  CHECK(ftruncate(fd, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 10);
  CHECK(posix_fallocate(fd, 0, 4096) == 0 && fstat(fd, &st) == 0 && st.st_size == 4096);
  CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
  CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0);
  struct timespec times[2] = {{1000000000, 0}, {1234567890, 500}};
  CHECK(futimens(fd, times) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 1234567890 &&
        st.st_mtim.tv_nsec == 500);
  struct pollfd p = {fd, POLLIN | POLLOUT, 0};
  CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN) && (p.revents & POLLOUT));
  CHECK(close(fd) == 0);
  errno = 0;
  CHECK(open(at("sized.bin"), O_RDWR | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST);
  CHECK(open(at("missing.txt"), O_RDONLY) == -1 && errno == ENOENT);
}

static int compare_names(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

static void test_directories(void) {
  CHECK(mkdir(at("d"), 0755) == 0);
  errno = 0;
  CHECK(mkdir(at("d"), 0755) == -1 && errno == EEXIST);
  // Enough entries with long names that readdir needs several fd_readdir calls (cookies,
  // partial entries at the end of a buffer).
  enum { kFiles = 150 };
  for (int i = 0; i < kFiles; ++i) {
    char name[128];
    snprintf(name, sizeof name, "d/file-with-a-rather-long-name-to-fill-buffers-%03d", i);
    FILE* f = fopen(at(name), "w");
    CHECK(f != NULL);
    if (f != NULL) fclose(f);
  }
  DIR* dir = opendir(at("d"));
  CHECK(dir != NULL);
  if (dir == NULL) return;
  char* names[kFiles + 8];
  int count = 0;
  int dots = 0;
  struct dirent* de;
  while ((de = readdir(dir)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
      ++dots;
      continue;
    }
    if (count < kFiles + 8) names[count++] = strdup(de->d_name);
    CHECK(de->d_type == DT_REG);
  }
  CHECK(dots == 2);
  CHECK(count == kFiles);
  qsort(names, (size_t)count, sizeof names[0], compare_names);
  for (int i = 0; i < count; ++i) {
    char want[128];
    snprintf(want, sizeof want, "file-with-a-rather-long-name-to-fill-buffers-%03d", i);
    CHECK(strcmp(names[i], want) == 0);
    free(names[i]);
  }
  rewinddir(dir);
  int again = 0;
  while (readdir(dir) != NULL) ++again;
  CHECK(again == kFiles + 2);
  CHECK(closedir(dir) == 0);

  errno = 0;
  CHECK(rmdir(at("d")) == -1 && errno == ENOTEMPTY);
  for (int i = 0; i < kFiles; ++i) {
    char name[128];
    snprintf(name, sizeof name, "d/file-with-a-rather-long-name-to-fill-buffers-%03d", i);
    CHECK(unlink(at(name)) == 0);
  }
  CHECK(rename(at("sized.bin"), at("d/moved.bin")) == 0);
  struct stat st;
  CHECK(stat(at("d/moved.bin"), &st) == 0 && st.st_size == 4096);
  CHECK(stat(at("sized.bin"), &st) == -1 && errno == ENOENT);
  CHECK(unlink(at("d/moved.bin")) == 0);
  CHECK(rmdir(at("d")) == 0);
  CHECK(stat(at("d"), &st) == -1 && errno == ENOENT);
  errno = 0;
  CHECK(unlink(at("hello.txt/x")) == -1 && errno == ENOTDIR);
}

static void test_links(void) {
  CHECK(symlink("hello.txt", at("link")) == 0);
  char buf[64] = {0};
  CHECK(readlink(at("link"), buf, sizeof buf) == 9 && memcmp(buf, "hello.txt", 9) == 0);
  struct stat st, lst;
  CHECK(stat(at("link"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 27);
  CHECK(lstat(at("link"), &lst) == 0 && S_ISLNK(lst.st_mode));
  FILE* f = fopen(at("link"), "r");
  CHECK(f != NULL && fgetc(f) == 'h' && fclose(f) == 0);
  CHECK(link(at("hello.txt"), at("hard")) == 0);
  CHECK(stat(at("hello.txt"), &st) == 0 && st.st_nlink == 2);
  CHECK(unlink(at("hard")) == 0 && unlink(at("link")) == 0);
  CHECK(stat(at("hello.txt"), &st) == 0 && st.st_nlink == 1);
}

// Every way out of the preopen is refused; the host placed outside.txt next to it, and the
// symlinks esc_abs (absolute target) and esc_rel (../outside.txt) inside it.
static void test_escapes(void) {
  const char* escapes[] = {"../outside.txt", "d2/../../outside.txt", "esc_abs",
                           "esc_rel",        "esc_dir/outside.txt",  "guest_esc"};
  CHECK(mkdir(at("d2"), 0755) == 0);
  CHECK(symlink("../outside.txt", at("guest_esc")) == 0);  // creating one is allowed
  for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; ++i) {
    errno = 0;
    int fd = open(at(escapes[i]), O_RDONLY);
    if (fd >= 0 || errno != ENOTCAPABLE) {
      printf("FAIL escape %s: fd %d errno %d\n", escapes[i], fd, errno);
      ++failures;
    }
    struct stat st;
    errno = 0;
    CHECK(stat(at(escapes[i]), &st) == -1 && errno == ENOTCAPABLE);
  }
  // Not following the final link is fine: it names the link, which is inside.
  struct stat st;
  CHECK(lstat(at("esc_abs"), &st) == 0 && S_ISLNK(st.st_mode));
  // Writing or creating through an escape is refused too.
  errno = 0;
  CHECK(open(at("esc_rel"), O_WRONLY | O_TRUNC) == -1 && errno == ENOTCAPABLE);
  CHECK(mkdir(at("../made_outside"), 0755) == -1 && errno == ENOTCAPABLE);
  CHECK(rename(at("hello.txt"), at("../stolen.txt")) == -1 && errno == ENOTCAPABLE);
  CHECK(unlink(at("d2/../../outside.txt")) == -1 && errno == ENOTCAPABLE);
  // `..` that stays inside is fine.
  FILE* f = fopen(at("d2/../hello.txt"), "r");
  CHECK(f != NULL);
  if (f != NULL) fclose(f);
  // A symlink loop.
  CHECK(symlink("loop_b", at("loop_a")) == 0 && symlink("loop_a", at("loop_b")) == 0);
  errno = 0;
  CHECK(open(at("loop_a"), O_RDONLY) == -1 && errno == ELOOP);
  // The raw calls: absolute paths and `..` against the preopen fd (3).
  __wasi_fd_t fd = 0;
  CHECK(__wasi_path_open(3, 0, "/etc/passwd", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd) ==
        __WASI_ERRNO_NOTCAPABLE);
  CHECK(__wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "..", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                         &fd) == __WASI_ERRNO_NOTCAPABLE);
  __wasi_filestat_t fst;
  CHECK(__wasi_path_filestat_get(3, 0, "d2/..", &fst) == 0 &&
        fst.filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(__wasi_path_filestat_get(3, 0, "..", &fst) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(rmdir(at("d2")) == 0);
}

static void test_fds(void) {
  // fd numbers are reused lowest-first, and a closed fd's file is never reachable again.
  int a = open(at("hello.txt"), O_RDONLY);
  int b = open(at("hello.txt"), O_RDONLY);
  CHECK(a >= 0 && b == a + 1);
  CHECK(close(a) == 0);
  int c = open(at("hello.txt"), O_RDONLY);
  CHECK(c == a);
  CHECK(__wasi_fd_renumber((__wasi_fd_t)b, (__wasi_fd_t)c) == 0);
  char ch = 0;
  errno = 0;
  CHECK(read(b, &ch, 1) == -1 && errno == EBADF);
  CHECK(read(c, &ch, 1) == 1 && ch == 'h');
  CHECK(close(c) == 0);
  __wasi_fdstat_t st;
  CHECK(__wasi_fd_fdstat_get(3, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  // Rights narrow and never widen.
  int d = open(at("hello.txt"), O_RDONLY);
  CHECK(__wasi_fd_fdstat_set_rights((__wasi_fd_t)d, __WASI_RIGHTS_FD_READ, 0) == 0);
  CHECK(__wasi_fd_fdstat_set_rights((__wasi_fd_t)d, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK,
                                    0) == __WASI_ERRNO_NOTCAPABLE);
  __wasi_filesize_t pos = 0;
  CHECK(__wasi_fd_seek((__wasi_fd_t)d, 1, __WASI_WHENCE_SET, &pos) == __WASI_ERRNO_NOTCAPABLE);
  CHECK(close(d) == 0);
  // Sockets do not exist yet.
  CHECK(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR) == __WASI_ERRNO_NOTSOCK);
  CHECK(__wasi_sock_shutdown(99, __WASI_SDFLAGS_WR) == __WASI_ERRNO_BADF);
}

static void test_time_random_env(int argc, char** argv) {
  CHECK(time(NULL) > 1577836800);  // after 2020-01-01
  struct timespec t1, t2, cpu, res;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
  struct timespec nap = {0, 20 * 1000 * 1000};
  CHECK(nanosleep(&nap, NULL) == 0);  // poll_oneoff with a clock subscription
  CHECK(clock_gettime(CLOCK_MONOTONIC, &t2) == 0);
  long long elapsed = (t2.tv_sec - t1.tv_sec) * 1000000000LL + (t2.tv_nsec - t1.tv_nsec);
  CHECK(elapsed >= 20 * 1000 * 1000);
  CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0);
  CHECK(clock_getres(CLOCK_REALTIME, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
  unsigned char a[32] = {0}, b[32] = {0};
  // wasi-libc has getentropy (its getrandom is compiled out): random_get underneath.
  CHECK(getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0);
  CHECK(memcmp(a, b, sizeof a) != 0);
  const char* greeting = getenv("GREETING");
  CHECK(greeting != NULL && strcmp(greeting, "hello world") == 0);
  CHECK(getenv("HOME") == NULL);  // only what --env passes
  CHECK(argc == 3 && strcmp(argv[2], "second arg") == 0);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    printf("usage: wasi_fs GUEST_DIR\n");
    return 100;
  }
  snprintf(root, sizeof root, "%s", argv[1]);
  test_stdio();
  test_directories();
  test_links();
  test_escapes();
  test_fds();
  test_time_random_env(argc, argv);
  if (failures == 0) printf("ok\n");
  return failures;
}
