/* A ring of N processes (default 10,000): each receives the token, adds one and passes it on;
 * the root starts it and checks it comes back as N, for several rounds. */
#include "lunatic_check.h"

#define ROUNDS 3

/* Each node: arg = the next process's id. Forwards ROUNDS tokens, then ends. */
EXPORT(node) void node(int64_t next) {
  for (int round = 0; round < ROUNDS; ++round) {
    int64_t token = 0;
    if (lunatic_receive_i64(7, LUNATIC_NO_TIMEOUT, &token) != LUNATIC_MESSAGE_DATA) return;
    lunatic_send_i64((uint64_t)next, 7, token + 1);
  }
}

int main(int argc, char** argv) {
  long count = argc > 1 ? atol(argv[1]) : 10000;
  uint64_t next = lunatic_process_id();
  for (long i = 0; i < count; ++i) {
    uint64_t id = 0;
    if (lunatic_spawn_export(0, "node", (int64_t)next, &id) != 0) {
      printf("spawn %ld failed: %s\n", i, error_text(id));
      return 1;
    }
    next = id;
  }
  for (int round = 0; round < ROUNDS; ++round) {
    lunatic_send_i64(next, 7, 0);
    int64_t token = -1;
    CHECK(lunatic_receive_i64(7, 60000, &token) == LUNATIC_MESSAGE_DATA);
    CHECK(token == count);
    printf("round %d: token %lld\n", round, (long long)token);
  }
  return check_result("ring");
}
