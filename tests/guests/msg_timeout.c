/* Receive timeouts: 0 polls, a timeout returns 9027 after about that long, a message that
 * arrives in time (from a timer) ends the wait early; sleep_ms waits. */
#include <time.h>

#include "lunatic/timer.h"
#include "lunatic_check.h"

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

  t0 = now_ms();
  lunatic_sleep_ms(60);
  CHECK(now_ms() - t0 >= 60);
  /* The tag-1 message is still there. */
  CHECK(lunatic_receive_i64(1, 0, &got) == LUNATIC_MESSAGE_DATA && got == 5);
  return check_result("receive timeout");
}
