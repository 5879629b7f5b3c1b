/* WASI waits on the scheduler (run with --threads 1): a process sleeping in libc (nanosleep,
 * usleep, sleep, clock_nanosleep: all poll_oneoff) parks instead of holding the one worker, so
 * the others keep running; sched_yield lets the other processes of the worker run first. */
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "lunatic_check.h"

#define READY 1
#define PING 2
#define PONG 3
#define DIED 4
#define SLEPT 5
#define STEP 6

static int64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Tells the root it is about to sleep, then sleeps for an hour. */
EXPORT(long_sleeper) void long_sleeper(int64_t root) {
  lunatic_send_i64((uint64_t)root, READY, 0);
  struct timespec hour = {3600, 0};
  nanosleep(&hour, NULL);
  lunatic_send_i64((uint64_t)root, READY, 1); /* never: it is killed first */
}

/* Answers one ping with its value + 1. */
EXPORT(ponger) void ponger(int64_t root) {
  int64_t v = 0;
  if (lunatic_receive_i64(PING, LUNATIC_NO_TIMEOUT, &v) == LUNATIC_MESSAGE_DATA) {
    lunatic_send_i64((uint64_t)root, PONG, v + 1);
  }
}

/* While one process sleeps for an hour, the root and a third process run on the only worker:
 * the sleeper takes a message, the third answers a ping, and the root kills the sleeper. */
static int sleep_kill(void) {
  uint64_t self = lunatic_process_id();
  uint64_t sleeper = 0, other = 0;
  CHECK(lunatic_spawn_export(0, "long_sleeper", (int64_t)self, &sleeper) == 0);
  lunatic_monitor(DIED, sleeper);
  int64_t v = -1;
  CHECK(lunatic_receive_i64(READY, 10000, &v) == LUNATIC_MESSAGE_DATA && v == 0);
  CHECK(lunatic_send_i64(sleeper, PING, 5) == 0);
  CHECK(lunatic_spawn_export(0, "ponger", (int64_t)self, &other) == 0);
  CHECK(lunatic_send_i64(other, PING, 41) == 0);
  CHECK(lunatic_receive_i64(PONG, 10000, &v) == LUNATIC_MESSAGE_DATA && v == 42);
  CHECK(lunatic_exists(sleeper));
  lunatic_kill(sleeper);
  int64_t tag = DIED;
  CHECK(lunatic_receive(&tag, 1, 10000) == LUNATIC_MESSAGE_PROCESS_DIED);
  CHECK(lunatic_get_process_id() == sleeper);
  CHECK(!lunatic_exists(sleeper));
  CHECK(lunatic_receive_i64(READY, 0, &v) == LUNATIC_TIMED_OUT); /* it never woke up */
  return check_result("sleep_kill");
}

/* Sleeps one second in one of five ways and reports 1 if the call succeeded and at least that
 * long passed on the clock it slept on. */
EXPORT(sleeper) void sleeper(int64_t root, int64_t how) {
  const int64_t second = 1000000000;
  clockid_t clock = how % 5 == 4 ? CLOCK_REALTIME : CLOCK_MONOTONIC;
  int64_t t0 = now_ns(clock);
  int r = -1;
  switch (how % 5) {
    case 0: {
      struct timespec d = {1, 0};
      r = nanosleep(&d, NULL);
      break;
    }
    case 1: r = usleep(1000000); break;
    case 2: r = (int)sleep(1); break;
    case 3:
    case 4: {
      struct timespec at;
      clock_gettime(clock, &at);
      at.tv_sec += 1;
      t0 = (int64_t)(at.tv_sec - 1) * second + at.tv_nsec;
      r = clock_nanosleep(clock, TIMER_ABSTIME, &at, NULL);
      break;
    }
  }
  int64_t slept = now_ns(clock) - t0;
  lunatic_send_i64((uint64_t)root, SLEPT, r == 0 && slept >= second ? 1 : 0);
}

/* `count` processes sleep one second each at the same time: on one worker, sleeps that held it
 * would take `count` seconds in a row. */
static int many_sleepers(int count) {
  uint64_t self = lunatic_process_id();
  for (int i = 0; i < count; ++i) {
    uint64_t id = 0;
    CHECK(lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "sleeper", &id, 2, (int64_t)self,
                             (int64_t)i) == 0);
  }
  int ok = 0;
  for (int i = 0; i < count; ++i) {
    int64_t v = 0;
    CHECK(lunatic_receive_i64(SLEPT, 30000, &v) == LUNATIC_MESSAGE_DATA);
    ok += v == 1;
  }
  CHECK(ok == count);
  printf("%d processes slept\n", ok);
  return check_result("many_sleepers");
}

/* Reports `steps` numbered steps to the root, yielding after each. */
EXPORT(yielder) void yielder(int64_t root, int64_t who, int64_t steps) {
  for (int64_t i = 0; i < steps; ++i) {
    lunatic_send_i64((uint64_t)root, STEP, who * 1000 + i);
    CHECK(sched_yield() == 0);
  }
}

/* Two yielders on one worker: each step of one is followed by a step of the other. Without a
 * real yield, one would report all its steps within one slice. */
static int yield_interleave(void) {
  const int steps = 50;
  uint64_t self = lunatic_process_id();
  uint64_t id = 0;
  CHECK(lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "yielder", &id, 3, (int64_t)self,
                           (int64_t)1, (int64_t)steps) == 0);
  CHECK(lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "yielder", &id, 3, (int64_t)self,
                           (int64_t)2, (int64_t)steps) == 0);
  int done[3] = {0, 0, 0};
  int64_t last_who = 0;
  int alternations = 0;
  for (int i = 0; i < 2 * steps; ++i) {
    int64_t v = -1;
    CHECK(lunatic_receive_i64(STEP, 10000, &v) == LUNATIC_MESSAGE_DATA);
    int64_t who = v / 1000, step = v % 1000;
    if (who != 1 && who != 2) {
      CHECK(!"unexpected step");
      break;
    }
    CHECK(step == done[who]); /* each in its own order */
    ++done[who];
    /* At every point neither is more than one step ahead of the other. */
    CHECK(done[1] - done[2] <= 1 && done[2] - done[1] <= 1);
    alternations += who != last_who;
    last_who = who;
  }
  CHECK(done[1] == steps && done[2] == steps);
  CHECK(alternations == 2 * steps);
  return check_result("yield_interleave");
}

/* poll_oneoff directly: a ready fd returns at once beside an hour-long clock; CPU-time clocks
 * as before (a relative wait is a duration, an absolute deadline NOTSUP); an absolute
 * monotonic deadline parks until it is reached. */
static int poll_cases(void) {
  __wasi_subscription_t subs[2];
  __wasi_event_t events[2];
  __wasi_size_t n = 0;
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 1;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 3600ull * 1000000000ull;
  subs[1].userdata = 2;
  subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  subs[1].u.u.fd_write.file_descriptor = 1;
  CHECK(__wasi_poll_oneoff(subs, events, 2, &n) == 0);
  CHECK(n == 1 && events[0].userdata == 2 && events[0].error == 0);

  subs[0].u.u.clock.id = __WASI_CLOCKID_PROCESS_CPUTIME_ID;
  subs[0].u.u.clock.timeout = 10000000; /* 10 ms */
  int64_t t0 = now_ns(CLOCK_MONOTONIC);
  CHECK(__wasi_poll_oneoff(subs, events, 1, &n) == 0);
  CHECK(n == 1 && events[0].userdata == 1 && events[0].error == 0);
  CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 10000000);

  subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  subs[0].u.u.clock.timeout = 1;
  CHECK(__wasi_poll_oneoff(subs, events, 1, &n) == 0);
  CHECK(n == 1 && events[0].error == __WASI_ERRNO_NOTSUP);

  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  int64_t deadline = now_ns(CLOCK_MONOTONIC) + 20000000; /* in 20 ms */
  subs[0].u.u.clock.timeout = (uint64_t)deadline;
  CHECK(__wasi_poll_oneoff(subs, events, 1, &n) == 0);
  CHECK(n == 1 && events[0].userdata == 1 && events[0].error == 0);
  CHECK(now_ns(CLOCK_MONOTONIC) >= deadline);
  return check_result("poll");
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "sleep_kill") == 0) return sleep_kill();
  if (strcmp(mode, "many_sleepers") == 0) return many_sleepers(argc > 2 ? atoi(argv[2]) : 100);
  if (strcmp(mode, "yield_interleave") == 0) return yield_interleave();
  if (strcmp(mode, "poll") == 0) return poll_cases();
  printf("usage: wasi_waits.wasm sleep_kill | many_sleepers [N] | yield_interleave | poll\n");
  return 2;
}
