/* Spawns N processes (default 100,000) that each send their argument back, and joins them by
 * receiving every reply: all must arrive, each once. */
#include "lunatic_check.h"

static uint64_t parent;

EXPORT(child) void child(int64_t n) {
  /* A spawned process starts with fresh memory: the parent's id comes in the argument. */
  lunatic_send_i64((uint64_t)(n >> 20), 1, n & 0xFFFFF);
}

int main(int argc, char** argv) {
  long count = argc > 1 ? atol(argv[1]) : 100000;
  parent = lunatic_process_id();
  CHECK(parent != 0);
  CHECK(parent < (1u << 20) * 1024ull);
  unsigned char* seen = calloc((size_t)count, 1);
  long received = 0;
  for (long i = 0; i < count; ++i) {
    uint64_t id = 0;
    int32_t status = lunatic_spawn_export(0, "child", (int64_t)((parent << 20) | (uint64_t)i), &id);
    if (status != 0) {
      printf("spawn %ld failed: %s\n", i, error_text(id));
      CHECK(status == 0);
      break;
    }
  }
  for (long i = 0; i < count; ++i) {
    int64_t value = -1;
    int32_t kind = lunatic_receive_i64(1, 10000, &value);
    if (kind != LUNATIC_MESSAGE_DATA) {
      printf("receive %ld returned %d\n", i, kind);
      CHECK(kind == LUNATIC_MESSAGE_DATA);
      break;
    }
    if (value >= 0 && value < count && !seen[value]) {
      seen[value] = 1;
      ++received;
    }
  }
  CHECK(received == count);
  printf("joined %ld processes\n", received);
  return check_result("spawn_join");
}
