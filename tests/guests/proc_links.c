/* Links: a failure propagates both ways (child -> parent, parent -> child), arrives as a
 * message after die_when_link_dies(0), and a normal exit does not propagate. Monitors see
 * every death. Signals carry why the process died (lunatic_signal_reason). */
#include <string.h>

#include "lunatic_check.h"

#define MONITOR_TAG 50

EXPORT(crash) void crash(int64_t unused) {
  (void)unused;
  __builtin_trap();
}

EXPORT(finish) void finish(int64_t unused) { (void)unused; }

EXPORT(wait_forever) void wait_forever(int64_t unused) {
  (void)unused;
  int64_t tag = 12345;
  lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT);
}

/* Waits for the go (so that its parent monitors it first: a monitor set after the death would
 * see "noproc"), spawns a linked crashing child, then waits: the child's failure kills it. */
EXPORT(middle_dies_with_child) void middle_dies_with_child(int64_t unused) {
  (void)unused;
  int64_t go = 0;
  lunatic_receive_i64(62, LUNATIC_NO_TIMEOUT, &go);
  uint64_t id;
  lunatic_spawn_export(1, "crash", 0, &id);
  wait_forever(0);
  lunatic_send_i64(0, 0, 0); /* not reached */
}

/* Spawns a linked waiting child, tells `root` its id, waits for the go and crashes: the child
 * must die with it. */
EXPORT(middle_crashes) void middle_crashes(int64_t root) {
  uint64_t id;
  lunatic_spawn_export(2, "wait_forever", 0, &id);
  lunatic_send_i64((uint64_t)root, 60, (int64_t)id);
  int64_t go = 0;
  lunatic_receive_i64(61, LUNATIC_NO_TIMEOUT, &go);
  __builtin_trap();
}

/* Waits for a ProcessDied message about `id`. */
static int died(uint64_t id) {
  int64_t tag = MONITOR_TAG;
  int32_t kind = lunatic_receive(&tag, 1, 10000);
  return kind == LUNATIC_MESSAGE_PROCESS_DIED && lunatic_get_process_id() == id;
}

int main(void) {
  uint64_t self = lunatic_process_id();
  uint64_t id = 0;

  /* child -> parent: the middle process dies because its linked child crashed. */
  CHECK(lunatic_spawn_export(0, "middle_dies_with_child", 0, &id) == 0);
  lunatic_monitor(MONITOR_TAG, id);
  lunatic_send_i64(id, 62, 1);
  CHECK(died(id));
  CHECK(!lunatic_exists(id));
  char reason[LUNATIC_SIGNAL_REASON_MAX + 1];
  lunatic_signal_reason(reason, sizeof reason);
  CHECK(strncmp(reason, "killed: linked process ", 23) == 0);
  CHECK(!lunatic_reason_is_normal(reason));

  /* parent -> child: the middle crashes, its waiting linked child dies. */
  uint64_t middle = 0;
  CHECK(lunatic_spawn_export(0, "middle_crashes", (int64_t)self, &middle) == 0);
  int64_t child = 0;
  CHECK(lunatic_receive_i64(60, 10000, &child) == LUNATIC_MESSAGE_DATA);
  lunatic_monitor(MONITOR_TAG, (uint64_t)child);
  CHECK(lunatic_exists((uint64_t)child));
  lunatic_send_i64(middle, 61, 1);
  CHECK(died((uint64_t)child));

  /* trap as a message: this process survives its linked child's crash. */
  lunatic_die_when_link_dies(0);
  CHECK(lunatic_spawn_export(77, "crash", 0, &id) == 0);
  int64_t link_tag = 77;
  CHECK(lunatic_receive(&link_tag, 1, 10000) == LUNATIC_MESSAGE_LINK_DIED);
  CHECK(lunatic_get_tag() == 77);
  CHECK(lunatic_get_process_id() == id);
  CHECK(lunatic_signal_reason(reason, sizeof reason) == 17);
  CHECK(strcmp(reason, "trap: unreachable") == 0);
  char small[6];
  CHECK(lunatic_signal_reason(small, sizeof small) == 17); /* cut, NUL-terminated */
  CHECK(strcmp(small, "trap:") == 0);

  /* A normal exit does not propagate: no link-died message, but the monitor sees it. */
  CHECK(lunatic_spawn_export(78, "finish", 0, &id) == 0);
  lunatic_monitor(MONITOR_TAG, id);
  CHECK(died(id));
  int64_t tag78 = 78;
  CHECK(lunatic_receive(&tag78, 1, 100) == LUNATIC_TIMED_OUT);

  /* unlink: the crash of an unlinked child is not reported. */
  CHECK(lunatic_spawn_export(79, "wait_forever", 0, &id) == 0);
  lunatic_unlink(id);
  lunatic_kill(id);
  int64_t tag79 = 79;
  CHECK(lunatic_receive(&tag79, 1, 100) == LUNATIC_TIMED_OUT);

  /* Linking to a process that does not exist: link died at once. */
  lunatic_link(80, 999999999);
  int64_t tag80 = 80;
  CHECK(lunatic_receive(&tag80, 1, 1000) == LUNATIC_MESSAGE_LINK_DIED);
  lunatic_signal_reason(reason, sizeof reason);
  CHECK(strcmp(reason, "noproc") == 0);

  /* A normal end, as a monitor sees it. */
  CHECK(lunatic_spawn_export(0, "wait_forever", 0, &id) == 0);
  lunatic_monitor(MONITOR_TAG, id);
  lunatic_send_i64(id, 12345, 0);
  CHECK(died(id));
  lunatic_signal_reason(reason, sizeof reason);
  CHECK(strcmp(reason, "normal") == 0 && lunatic_reason_is_normal(reason));
  return check_result("links");
}
