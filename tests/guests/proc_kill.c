/* kill of a process blocked in receive: it dies at once (a monitor reports it, exists is 0),
 * and kill of an unknown id does nothing. Also killing a busy (spinning) process. */
#include "lunatic_check.h"

EXPORT(blocked) void blocked(int64_t unused) {
  (void)unused;
  lunatic_receive(NULL, 0, LUNATIC_NO_TIMEOUT);
  lunatic_send_i64(0, 0, 0);
}

EXPORT(spin) void spin(int64_t unused) {
  (void)unused;
  volatile int64_t x = 0;
  for (;;) x = x + 1;
}

static void kill_and_check(const char* entry) {
  uint64_t id = 0;
  CHECK(lunatic_spawn_export(0, entry, 0, &id) == 0);
  lunatic_sleep_ms(20); /* let it block (or spin) */
  CHECK(lunatic_exists(id));
  lunatic_monitor(9, id);
  lunatic_kill(id);
  int64_t tag = 9;
  CHECK(lunatic_receive(&tag, 1, 10000) == LUNATIC_MESSAGE_PROCESS_DIED);
  CHECK(lunatic_get_process_id() == id);
  CHECK(!lunatic_exists(id));
}

int main(void) {
  kill_and_check("blocked");
  kill_and_check("spin");
  lunatic_kill(999999999);
  return check_result("kill");
}
