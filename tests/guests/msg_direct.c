/* send_data and receive_data, the one-call message functions: bytes arrive whole and in order
 * whether the receiver already waits (the sender copies them straight into its buffer) or not
 * (they wait in the message); a buffer too small loses nothing; signals are not copied; the
 * message being built is left alone; timeouts write nothing. */
#include "lunatic_check.h"

#define BIG (256 * 1024)

static unsigned char pattern(size_t i, int seed) { return (unsigned char)(i * 31 + seed); }

static void fill(unsigned char* b, size_t n, int seed) {
  for (size_t i = 0; i < n; ++i) b[i] = pattern(i, seed);
}

static int same(const unsigned char* b, size_t n, int seed) {
  for (size_t i = 0; i < n; ++i) {
    if (b[i] != pattern(i, seed)) return 0;
  }
  return 1;
}

/* Echoes messages of tag 3 (up to BIG bytes) back to the root with tag 4, until an empty one;
 * it waits in receive_data before each arrives, so the root's sends take the direct path. */
EXPORT(echo) void echo(int64_t root) {
  unsigned char* buf = malloc(BIG);
  int64_t tag = 3;
  uint64_t size = 1;
  while (size != 0) {
    if (lunatic_receive_data(&tag, 1, LUNATIC_NO_TIMEOUT, buf, BIG, &size) != 0) break;
    lunatic_send_data((uint64_t)root, 4, buf, (size_t)size);
  }
  free(buf);
}

/* Waits in receive_data with a 16-byte buffer, then reports what it got (tag 6): the size
 * receive_data wrote, and whether read_data gives the whole (too large) message. */
EXPORT(small_receiver) void small_receiver(int64_t root) {
  unsigned char small[16];
  int64_t tag = 5;
  uint64_t size = 0;
  int ok = lunatic_receive_data(&tag, 1, 10000, small, sizeof small, &size) == 0;
  unsigned char* all = malloc(BIG);
  ok = ok && lunatic_data_size() == size && lunatic_read_data(all, BIG) == (int32_t)size &&
       same(all, (size_t)size, 9);
  free(all);
  int64_t report[2] = {(int64_t)size, ok};
  lunatic_send_data((uint64_t)root, 6, report, sizeof report);
}

int main(void) {
  const uint64_t self = lunatic_process_id();
  unsigned char* out = malloc(BIG);
  unsigned char* in = malloc(BIG);
  int64_t tag = 1;
  uint64_t size = 0;

  /* Queued first, then received: copied from the message; not kept afterwards. */
  fill(out, 1000, 1);
  CHECK(lunatic_send_data(self, 1, out, 1000) == 0);
  CHECK(lunatic_receive_data(&tag, 1, 0, in, BIG, &size) == LUNATIC_MESSAGE_DATA);
  CHECK(size == 1000 && same(in, 1000, 1));
  CHECK(lunatic_data_size() == 1000 && lunatic_get_tag() == 1);
  CHECK(lunatic_get_process_id() == self);
  CHECK(lunatic_read_data(in, BIG) == 0);

  /* Selective: a message of another tag stays queued, in order. */
  lunatic_send_i64(self, 2, 22);
  lunatic_send_i64(self, 1, 11);
  int64_t v = 0;
  CHECK(lunatic_receive_i64(1, 0, &v) == LUNATIC_MESSAGE_DATA && v == 11);
  CHECK(lunatic_receive_i64(2, 0, &v) == LUNATIC_MESSAGE_DATA && v == 22);

  /* A timeout writes nothing. */
  size = 12345;
  CHECK(lunatic_receive_data(&tag, 1, 10, in, BIG, &size) == LUNATIC_TIMED_OUT);
  CHECK(size == 12345);

  /* Empty messages, and a null buffer of capacity 0. */
  CHECK(lunatic_send_data(self, 1, NULL, 0) == 0);
  CHECK(lunatic_receive_data(&tag, 1, 0, NULL, 0, &size) == LUNATIC_MESSAGE_DATA && size == 0);

  /* Too small: the size is written, nothing is lost, read_data gives it all. */
  fill(out, 5000, 2);
  lunatic_send_data(self, 1, out, 5000);
  memset(in, 0, 100);
  CHECK(lunatic_receive_data(&tag, 1, 0, in, 100, &size) == LUNATIC_MESSAGE_DATA);
  CHECK(size == 5000 && in[0] == 0);
  CHECK(lunatic_read_data(in, BIG) == 5000 && same(in, 5000, 2));

  /* The message being built is left alone by send_data. */
  lunatic_create_data(1, 8);
  int64_t built = 77;
  lunatic_write_data(&built, sizeof built);
  lunatic_send_i64(self, 1, 66);
  CHECK(lunatic_send(self) == 0);
  CHECK(lunatic_receive_i64(1, 0, &v) == LUNATIC_MESSAGE_DATA && v == 66);
  CHECK(lunatic_receive_i64(1, 0, &v) == LUNATIC_MESSAGE_DATA && v == 77);

  /* A received message's node carries this process's next message (Process::recycle): none
   * of the old message's bytes reach the new one's receiver. A queued 3000-byte message is
   * received (its bytes kept in it), replaced by the next received one, and its node then
   * carries an empty message. */
  fill(out, 3000, 3);
  lunatic_send_data(self, 7, out, 3000);
  int64_t tag7 = 7, tag8 = 8;
  CHECK(lunatic_receive(&tag7, 1, 0) == LUNATIC_MESSAGE_DATA && lunatic_data_size() == 3000);
  CHECK(lunatic_send_data(self, 8, NULL, 0) == 0);
  CHECK(lunatic_receive(&tag8, 1, 0) == LUNATIC_MESSAGE_DATA && lunatic_data_size() == 0);
  for (int i = 0; i < 2; ++i) {
    lunatic_create_data(8, 0);
    CHECK(lunatic_send(self) == 0);
    CHECK(lunatic_receive(&tag8, 1, 0) == LUNATIC_MESSAGE_DATA && lunatic_get_tag() == 8);
    CHECK(lunatic_data_size() == 0 && lunatic_read_data(in, BIG) == 0);
    CHECK(lunatic_get_process_id() == self && lunatic_resource_kind(0) == LUNATIC_RESOURCE_NONE);
  }

  /* No such process. */
  CHECK(lunatic_send_data(0x7fffffff, 1, out, 8) == 1);

  /* The direct path: the echo waits in receive_data each time a message comes; sizes from 1
   * byte to BIG, each with its own bytes, come back whole. */
  uint64_t echo_id = 0;
  CHECK(lunatic_spawn_export(0, "echo", (int64_t)self, &echo_id) == 0);
  int64_t back = 4;
  for (size_t n = 1, round = 0; n <= BIG; n *= 4, ++round) {
    fill(out, n, (int)round);
    lunatic_sleep_ms(2); /* let the echo park in receive_data first */
    CHECK(lunatic_send_data(echo_id, 3, out, n) == 0);
    memset(in, 0, n);
    CHECK(lunatic_receive_data(&back, 1, 10000, in, BIG, &size) == LUNATIC_MESSAGE_DATA);
    CHECK(size == n && same(in, n, (int)round));
  }
  /* Many in flight at once: some take the direct path, some wait queued; order is kept. */
  for (int i = 0; i < 200; ++i) {
    int64_t k = i;
    lunatic_send_data(echo_id, 3, &k, sizeof k);
  }
  for (int i = 0; i < 200; ++i) {
    CHECK(lunatic_receive_i64(4, 10000, &v) == LUNATIC_MESSAGE_DATA && v == i);
  }

  /* A signal is not copied: its reason is read as after lunatic_receive. */
  lunatic_monitor(9, echo_id);
  lunatic_send_data(echo_id, 3, NULL, 0);
  CHECK(lunatic_receive_data(&back, 1, 10000, in, BIG, &size) == LUNATIC_MESSAGE_DATA);
  CHECK(size == 0);
  int64_t monitor_tag = 9;
  memset(in, 0, 16);
  CHECK(lunatic_receive_data(&monitor_tag, 1, 10000, in, BIG, &size) ==
        LUNATIC_MESSAGE_PROCESS_DIED);
  char reason[LUNATIC_SIGNAL_REASON_MAX + 1];
  CHECK(size == 6 && in[0] == 0);
  CHECK(lunatic_signal_reason(reason, sizeof reason) == 6 && strcmp(reason, "normal") == 0);

  /* A receiver waiting with a buffer too small for the message: it is queued whole. */
  uint64_t small_id = 0;
  CHECK(lunatic_spawn_export(0, "small_receiver", (int64_t)self, &small_id) == 0);
  lunatic_sleep_ms(5);
  fill(out, 3000, 9);
  lunatic_send_data(small_id, 5, out, 3000);
  int64_t report[2] = {0, 0};
  int64_t report_tag = 6;
  CHECK(lunatic_receive_data(&report_tag, 1, 10000, report, sizeof report, &size) == 0);
  CHECK(size == sizeof report && report[0] == 3000 && report[1] == 1);

  free(out);
  free(in);
  return check_result("direct messages");
}
