/* Stdio through the runtime's reactor (tests/integration/stdio_streams.py drives each mode, with
 * pipes for stdin and stdout): a process waiting to read stdin or to write a full stdout pipe
 * parks instead of holding a worker, can be killed there, and its output arrives whole and in
 * order. Reports go to stderr (a file), the data to stdout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lunatic_check.h"

#define BIG (1024 * 1024)
#define DIED 9

static char big[BIG];

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The byte at `i` of the big block: a pattern whose order a reader can check. */
static char pattern(size_t i) { return (char)('a' + (i * 7 + i / 4096) % 26); }

static void report(const char* text) { (void)!write(2, text, strlen(text)); }

/* Blocks in a read of stdin (the driver's pipe never gets data). */
EXPORT(reader) void reader(int64_t unused) {
  (void)unused;
  char b[16];
  ssize_t n = read(0, b, sizeof b);
  fprintf(stderr, "reader: read returned %zd\n", n); /* never: it is killed first */
}

/* Writes 64 KiB blocks to stdout for ever (the driver never reads it). */
EXPORT(flooder) void flooder(int64_t unused) {
  (void)unused;
  static char block[65536];
  memset(block, 'x', sizeof block);
  for (;;) {
    if (write(1, block, sizeof block) < 0) return;
  }
}

/* Traps at once: the runtime logs a crash report for it on its stderr. */
EXPORT(crasher) void crasher(int64_t unused) {
  (void)unused;
  __builtin_trap();
}

static uint64_t spawn(const char* entry) {
  uint64_t id = 0;
  CHECK(lunatic_spawn_export(0, entry, 0, &id) == 0);
  return id;
}

/* A reader blocked on stdin is killed at once, and the root goes on. */
static int read_killed(void) {
  uint64_t id = spawn("reader");
  lunatic_sleep_ms(100); /* let it park in its read */
  CHECK(lunatic_exists(id));
  lunatic_monitor(DIED, id);
  int64_t start = now_ms();
  lunatic_kill(id);
  int64_t tag = DIED;
  CHECK(lunatic_receive(&tag, 1, 5000) == LUNATIC_MESSAGE_PROCESS_DIED);
  CHECK(!lunatic_exists(id));
  fprintf(stderr, "reader killed in %lld ms\n", (long long)(now_ms() - start));
  return check_result("read_killed");
}

/* The root ends while a reader waits on stdin: the run ends (the reader is killed with it). */
static int read_left(void) {
  spawn("reader");
  lunatic_sleep_ms(50);
  report("root done\n");
  return 0;
}

/* Two processes write to a stdout pipe nobody reads; an unrelated 100 ms sleep still takes
 * about 100 ms (run with --threads 2: each writer blocking a worker would stall everything). */
static int flood(void) {
  spawn("flooder");
  spawn("flooder");
  lunatic_sleep_ms(200); /* the pipe is full and both writers wait */
  int64_t start = now_ms();
  struct timespec ts = {0, 100 * 1000 * 1000};
  nanosleep(&ts, NULL);
  fprintf(stderr, "slept %lld ms\n", (long long)(now_ms() - start));
  return 0;
}

/* `count` processes (argv[2]; 800 by default) trap while the driver reads neither stderr nor
 * (yet) stdout: their crash reports (about 200 KB for 800) fill the stderr pipe, and an
 * unrelated 100 ms sleep still takes about 100 ms (run with --threads 2: a worker writing a
 * report to the stalled pipe would stall). The crashers are linked, so the sleep starts once
 * every one has ended. The result goes to stdout, which the driver reads. */
static int crash_flood(int count) {
  lunatic_die_when_link_dies(0);
  for (int i = 0; i < count; ++i) {
    uint64_t id = 0;
    CHECK(lunatic_spawn_export(1, "crasher", 0, &id) == 0);
  }
  for (int ended = 0; ended < count;) {
    if (lunatic_receive(NULL, 0, LUNATIC_NO_TIMEOUT) == LUNATIC_MESSAGE_LINK_DIED) ++ended;
  }
  int64_t start = now_ms();
  struct timespec ts = {0, 100 * 1000 * 1000};
  nanosleep(&ts, NULL);
  printf("slept %lld ms\n", (long long)(now_ms() - start));
  fflush(stdout);
  return 0;
}

/* 1 MiB in one write (16 times a pipe's buffer: written in parts, one count), then 2000
 * numbered lines, one write each. */
static int big_output(void) {
  for (size_t i = 0; i < BIG; ++i) big[i] = pattern(i);
  ssize_t n = write(1, big, BIG);
  fprintf(stderr, "big write returned %zd\n", n);
  char line[32];
  for (int i = 0; i < 2000; ++i) {
    int len = snprintf(line, sizeof line, "line %d\n", i);
    if (write(1, line, (size_t)len) != len) fprintf(stderr, "short line %d\n", i);
  }
  report("done\n");
  return 0;
}

/* With O_NONBLOCK (fd_fdstat_set_flags) a write to a full pipe writes what fits, then fails
 * with EAGAIN; cleared, the rest is written whole. */
static int nonblock_write(void) {
  for (size_t i = 0; i < BIG; ++i) big[i] = pattern(i);
  CHECK(fcntl(1, F_SETFL, O_NONBLOCK) == 0);
  CHECK((fcntl(1, F_GETFL) & O_NONBLOCK) != 0);
  ssize_t first = write(1, big, BIG);
  CHECK(first > 0 && first < BIG);
  ssize_t again = write(1, big + first, BIG - (size_t)first);
  int again_errno = errno;
  CHECK(again == -1 && again_errno == EAGAIN);
  fprintf(stderr, "nonblock: first write %s, then %s\n",
          first > 0 && first < BIG ? "partial" : "not partial",
          again == -1 && again_errno == EAGAIN ? "EAGAIN" : "no EAGAIN");
  CHECK(fcntl(1, F_SETFL, 0) == 0);
  CHECK((fcntl(1, F_GETFL) & O_NONBLOCK) == 0);
  ssize_t rest = write(1, big + first, BIG - (size_t)first);
  CHECK(rest == BIG - first);
  fprintf(stderr, "%s\n", check_failures == 0 ? "ok nonblock_write" : "FAILED nonblock_write");
  return check_failures == 0 ? 0 : 1;
}

/* Stdin: EAGAIN with O_NONBLOCK and nothing there; poll with a timeout times out; a blocking
 * read and a poll wait for the driver's data; then end of file. */
static int stdin_waits(void) {
  char b[64];
  CHECK(fcntl(0, F_SETFL, O_NONBLOCK) == 0);
  errno = 0;
  CHECK(read(0, b, sizeof b) == -1 && errno == EAGAIN);
  CHECK(fcntl(0, F_SETFL, 0) == 0);
  struct pollfd p = {0, POLLIN, 0};
  CHECK(poll(&p, 1, 100) == 0); /* nothing yet: the timeout */
  report("waiting\n");          /* the driver writes "hello" once it sees this */
  ssize_t n = read(0, b, sizeof b);
  CHECK(n == 5 && memcmp(b, "hello", 5) == 0);
  report("got hello\n"); /* the driver sends "world" 200 ms after this */
  p.revents = 0;
  CHECK(poll(&p, 1, 10000) == 1 && (p.revents & POLLIN) != 0); /* "world", sent after 200 ms */
  n = read(0, b, sizeof b);
  CHECK(n == 5 && memcmp(b, "world", 5) == 0);
  CHECK(read(0, b, sizeof b) == 0); /* the driver closed its end */
  fprintf(stderr, "%s\n", check_failures == 0 ? "ok stdin_waits" : "FAILED stdin_waits");
  return check_failures == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "read_killed") == 0) return read_killed();
  if (strcmp(mode, "read_left") == 0) return read_left();
  if (strcmp(mode, "flood") == 0) return flood();
  if (strcmp(mode, "crash_flood") == 0) return crash_flood(argc > 2 ? atoi(argv[2]) : 800);
  if (strcmp(mode, "big") == 0) return big_output();
  if (strcmp(mode, "nonblock_write") == 0) return nonblock_write();
  if (strcmp(mode, "stdin_waits") == 0) return stdin_waits();
  fprintf(stderr, "unknown mode '%s'\n", mode);
  return 2;
}
