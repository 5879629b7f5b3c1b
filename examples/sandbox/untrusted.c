/* untrusted: a module the sandbox example loads as untrusted code. Each export misbehaves in
 * one way (hogs memory, spins forever, spawns without end, hoards resources); it imports
 * lunatic::process, so
 * it could kill or spawn anything if its environment let it. Its results go to `parent` as
 * messages tagged 1: an i64. */
#include <stdio.h>
#include <stdlib.h>

#include "lunatic/message.h"
#include "lunatic/process.h"

#define EXPORT(name) __attribute__((export_name(#name)))

/* The pointer escapes through this global, so the allocation cannot be optimized away. */
void* volatile keep;

EXPORT(idle) void idle(void) { lunatic_receive(NULL, 0, LUNATIC_NO_TIMEOUT); }

/* Allocates `mib` MiB and reports 1 if it got them, 0 if malloc failed. */
EXPORT(hog_memory) void hog_memory(int64_t parent, int32_t mib) {
  keep = malloc((size_t)mib << 20);
  lunatic_send_i64((uint64_t)parent, 1, keep != NULL);
}

/* Never returns: only the fuel limit (or a kill) stops it. */
EXPORT(spin) void spin(void) {
  volatile int64_t x = 0;
  for (;;) x = x + 1;
}

/* Spawns idle copies of itself until refused, reports how many it got, then idles too. */
EXPORT(fork_bomb) void fork_bomb(int64_t parent) {
  int64_t count = 0;
  uint64_t id;
  while (count < 1000 && lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "idle", &id, 0) == 0) {
    ++count;
  }
  lunatic_send_i64((uint64_t)parent, 1, count);
  idle();
}

/* Holds ever more resources (here configurations: sockets or modules would do the same). */
EXPORT(hoard) void hoard(void) {
  for (;;) (void)lunatic_create_config();
}

/* Kills any process it is told about. */
EXPORT(kill_process) void kill_process(int64_t victim) { lunatic_kill((uint64_t)victim); }

int main(void) {
  printf("untrusted.wasm: load me with the sandbox example\n");
  return 0;
}
