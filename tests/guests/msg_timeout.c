/* Receive timeouts: 0 polls, a timeout returns 9027 after about that long, a message that
 * arrives in time (from a timer) ends the wait early; sleep_ms waits; a process cannot cancel
 * another's timer; timers that fired are gone. */
#include <time.h>

#include "lunatic/timer.h"
#include "lunatic_check.h"

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Tries to cancel the timer whose id it receives (tag 50) and reports the result (tag 51). */
EXPORT(canceller) void canceller(int64_t root) {
  int64_t timer = 0;
  if (lunatic_receive_i64(50, 10000, &timer) != LUNATIC_MESSAGE_DATA) return;
  lunatic_send_i64((uint64_t)root, 51, lunatic_cancel_timer((uint64_t)timer));
}

int main(void) {
  int64_t tag = 42;
  long long t0 = now_ms();
  CHECK(lunatic_receive(&tag, 1, 0) == LUNATIC_TIMED_OUT);
  CHECK(now_ms() - t0 < 50);

  t0 = now_ms();
  CHECK(lunatic_receive(&tag, 1, 100) == LUNATIC_TIMED_OUT);
  long long waited = now_ms() - t0;
  printf("timed out after %lld ms\n", waited);
  CHECK(waited >= 100 && waited < 2000);

  /* A message of another tag does not end the wait. */
  uint64_t self = lunatic_process_id();
  lunatic_send_i64(self, 1, 5);
  t0 = now_ms();
  CHECK(lunatic_receive(&tag, 1, 50) == LUNATIC_TIMED_OUT);
  CHECK(now_ms() - t0 >= 50);

  /* A timer's message arrives within a longer timeout. */
  lunatic_create_data(tag, 8);
  int64_t v = 77;
  lunatic_write_data(&v, sizeof v);
  lunatic_send_after(self, 50);
  t0 = now_ms();
  int64_t got = 0;
  CHECK(lunatic_receive_i64(tag, 5000, &got) == LUNATIC_MESSAGE_DATA);
  waited = now_ms() - t0;
  CHECK(got == 77);
  CHECK(waited >= 40 && waited < 2000);

  /* A cancelled timer never delivers. */
  lunatic_create_data(43, 0);
  int64_t timer = lunatic_send_after(self, 30);
  CHECK(lunatic_cancel_timer((uint64_t)timer) == 1);
  CHECK(lunatic_cancel_timer((uint64_t)timer) == 0);
  int64_t tag43 = 43;
  CHECK(lunatic_receive(&tag43, 1, 100) == LUNATIC_TIMED_OUT);

  /* Another process cannot cancel this one's timer (pending for an hour): only its owner. */
  uint64_t other = 0;
  CHECK(lunatic_spawn_export(0, "canceller", (int64_t)self, &other) == 0);
  lunatic_create_data(44, 0);
  timer = lunatic_send_after(self, 3600 * 1000);
  lunatic_send_i64(other, 50, timer);
  int64_t cancelled = -1;
  CHECK(lunatic_receive_i64(51, 10000, &cancelled) == LUNATIC_MESSAGE_DATA && cancelled == 0);
  CHECK(lunatic_cancel_timer((uint64_t)timer) == 1);

  /* Many timers that fire leave nothing behind: none can be cancelled after it fired. */
  int64_t first = 0, last = 0;
  for (int i = 0; i < 1000; ++i) {
    lunatic_create_data(45, 0);
    last = lunatic_send_after(self, 0);
    if (i == 0) first = last;
  }
  int64_t tag45 = 45;
  int arrived = 0;
  for (int i = 0; i < 1000; ++i)
    arrived += lunatic_receive(&tag45, 1, 10000) == LUNATIC_MESSAGE_DATA;
  CHECK(arrived == 1000);
  CHECK(lunatic_cancel_timer((uint64_t)first) == 0 && lunatic_cancel_timer((uint64_t)last) == 0);

  t0 = now_ms();
  lunatic_sleep_ms(60);
  CHECK(now_ms() - t0 >= 60);
  /* The tag-1 message is still there. */
  CHECK(lunatic_receive_i64(1, 0, &got) == LUNATIC_MESSAGE_DATA && got == 5);
  return check_result("receive timeout");
}
