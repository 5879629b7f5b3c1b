/* A guest for the observer's integration test (tests/integration/observe.py): a root that
 * keeps a known set of processes alive until it is killed, so the test can compare the
 * observer's JSON with them. Prints one line, "ready ROOT W0 W1 W2 SLEEPER", once all exist:
 *   - three workers linked to the root (tag 1), named "worker-0" .. "worker-2", waiting in a
 *     receive that nothing answers;
 *   - a sleeper in a sandbox (max 5 processes), parked in lunatic::process::sleep_ms;
 *   - a crasher that traps (unreachable) inside crash_inner, for /api/crashes.
 * The root survives its links' deaths (they arrive as messages it never takes). */
#include "lunatic/registry.h"
#include "lunatic_check.h"

#define READY 5
#define NEVER 99

EXPORT(worker) void worker(int64_t root, int64_t index) {
  char name[9] = {'w', 'o', 'r', 'k', 'e', 'r', '-', (char)('0' + index), 0};
  lunatic_registry_put(name, 8, lunatic_process_id());
  lunatic_send_i64((uint64_t)root, READY, index);
  int64_t tag = NEVER;
  lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT);
}

EXPORT(sleeper) void sleeper(int64_t root) {
  lunatic_send_i64((uint64_t)root, READY, 10);
  lunatic_sleep_ms(3600 * 1000);
}

__attribute__((noinline)) EXPORT(crash_inner) void crash_inner(void) { __builtin_trap(); }

EXPORT(crasher) void crasher(int64_t root) {
  (void)root;
  crash_inner();
}

int main(void) {
  uint64_t self = lunatic_process_id();
  uint64_t workers[3] = {0, 0, 0}, sleeper_id = 0, crasher_id = 0;
  lunatic_die_when_link_dies(0);
  for (int64_t i = 0; i < 3; ++i) {
    CHECK(lunatic_spawn_i64s(1, LUNATIC_SELF, LUNATIC_SELF, "worker", &workers[i], 2, (int64_t)self,
                             i) == 0);
  }
  uint64_t sandbox = lunatic_create_config();
  lunatic_allow_namespace(sandbox, "", 0);
  lunatic_config_set_max_processes(sandbox, 5);
  CHECK(lunatic_spawn_i64s(0, (int64_t)sandbox, LUNATIC_SELF, "sleeper", &sleeper_id, 1,
                           (int64_t)self) == 0);
  CHECK(lunatic_spawn_export(0, "crasher", (int64_t)self, &crasher_id) == 0);
  for (int i = 0; i < 4; ++i) {
    int64_t value = 0;
    CHECK(lunatic_receive_i64(READY, 10000, &value) == LUNATIC_MESSAGE_DATA);
  }
  if (check_failures != 0) return check_result("observe_target");
  printf("ready %llu %llu %llu %llu %llu %llu\n", (unsigned long long)self,
         (unsigned long long)workers[0], (unsigned long long)workers[1],
         (unsigned long long)workers[2], (unsigned long long)sleeper_id,
         (unsigned long long)crasher_id);
  fflush(stdout);
  int64_t tag = NEVER;
  lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT); /* until the observer kills it */
  return 0;
}
