/* Spawns N processes (argv[1]) that each wait in receive for a message that never comes, then
 * sleeps so their resident memory can be read from outside; the runtime ends them all when this
 * root process returns. */
#include <stdio.h>
#include <stdlib.h>

#include "lunatic/message.h"
#include "lunatic/process.h"

__attribute__((export_name("idle"))) void idle(int64_t unused) {
  (void)unused;
  int64_t value;
  lunatic_receive_i64(1, UINT64_MAX, &value);
}

int main(int argc, char** argv) {
  long count = argc > 1 ? atol(argv[1]) : 100000;
  for (long i = 0; i < count; ++i) {
    uint64_t id;
    if (lunatic_spawn_export(0, "idle", 0, &id) != 0) {
      printf("spawn %ld failed\n", i);
      return 1;
    }
  }
  lunatic_sleep_ms(3000);
  printf("spawned %ld idle processes\n", count);
  return 0;
}
