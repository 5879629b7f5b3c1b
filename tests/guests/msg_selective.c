/* Selective receive: messages tagged 1, 2, 3 sent to oneself are taken out of order by tag
 * while the others keep their order; the received message's bytes, tag, sender and size are
 * read back; a list of tags matches any of them. */
#include "lunatic_check.h"

int main(void) {
  uint64_t self = lunatic_process_id();
  for (int64_t tag = 1; tag <= 3; ++tag) CHECK(lunatic_send_i64(self, tag, tag * 100) == 0);
  CHECK(lunatic_send_bytes(self, 1, "second one", 10) == 0);

  int64_t value = 0;
  CHECK(lunatic_receive_i64(3, 0, &value) == LUNATIC_MESSAGE_DATA);
  CHECK(value == 300);
  CHECK(lunatic_get_tag() == 3);
  CHECK(lunatic_get_process_id() == self);
  CHECK(lunatic_data_size() == 8);

  /* Tag 1 twice: oldest first, and the tag-2 message stays queued. */
  CHECK(lunatic_receive_i64(1, 0, &value) == LUNATIC_MESSAGE_DATA);
  CHECK(value == 100);
  int64_t one = 1;
  CHECK(lunatic_receive(&one, 1, 0) == LUNATIC_MESSAGE_DATA);
  char text[32] = {0};
  CHECK(lunatic_read_data(text, 4) == 4);
  CHECK(lunatic_read_data(text + 4, sizeof text - 4) == 6);
  CHECK(strcmp(text, "second one") == 0);
  CHECK(lunatic_read_data(text, 4) == 0);
  lunatic_seek_data(7);
  CHECK(lunatic_read_data(text, 3) == 3 && memcmp(text, "one", 3) == 0);

  /* A list of tags: 9 is absent, 2 matches. */
  int64_t tags[2] = {9, 2};
  CHECK(lunatic_receive(tags, 2, 0) == LUNATIC_MESSAGE_DATA);
  CHECK(lunatic_get_tag() == 2);
  /* Nothing is left. */
  CHECK(lunatic_receive(NULL, 0, 0) == LUNATIC_TIMED_OUT);

  /* Order of the rest is kept: 5 messages, take the tag-20 one, then any: 0, 1, 3, 4. */
  for (int64_t i = 0; i < 5; ++i) lunatic_send_i64(self, i == 2 ? 20 : 10, i);
  CHECK(lunatic_receive_i64(20, 0, &value) == LUNATIC_MESSAGE_DATA && value == 2);
  int64_t expected[4] = {0, 1, 3, 4};
  for (int i = 0; i < 4; ++i) {
    CHECK(lunatic_receive_i64(0, 0, &value) == LUNATIC_MESSAGE_DATA);
    CHECK(value == expected[i]);
  }
  /* Sending to a process that does not exist: 1, nothing delivered. */
  CHECK(lunatic_send_i64(999999999, 1, 1) == 1);
  return check_result("selective receive");
}
