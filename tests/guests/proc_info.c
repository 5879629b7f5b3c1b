/* lunatic::process::info: a supervisor reads its children's state, mailbox, links, monitors
 * and memory; a sandboxed child sees itself and nothing outside its environment. */
#include <time.h>

#include "lunatic_check.h"

#define WAKE_TAG 77
#define OTHER_TAG 5
#define REPORT_TAG 6

/* Waits for a WAKE_TAG message only: other messages stay queued. */
EXPORT(waiter) void waiter(int64_t unused) {
  (void)unused;
  int64_t tag = WAKE_TAG;
  lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT);
}

EXPORT(sleeper) void sleeper(int64_t unused) {
  (void)unused;
  lunatic_sleep_ms(60000);
}

/* Runs in a sandbox: reports whether it can read itself (0) and `outside` (1 expected). */
EXPORT(peek) void peek(int64_t outside) {
  lunatic_process_info info;
  int32_t own = lunatic_process_info_get(lunatic_process_id(), &info);
  int32_t other = lunatic_process_info_get((uint64_t)outside, &info);
  lunatic_send_i64((uint64_t)outside, REPORT_TAG, own * 10 + other);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void check_waiter(void) {
  uint64_t id = 0;
  const int64_t before = now_ms();
  CHECK(lunatic_spawn_export(0, "waiter", 0, &id) == 0);
  lunatic_link(3, id);
  lunatic_monitor(4, id);
  const char payload[100] = {0};
  for (int i = 0; i < 3; ++i)
    CHECK(lunatic_send_bytes(id, OTHER_TAG, payload, sizeof payload) == 0);
  lunatic_process_info info;
  /* It parks in receive soon after it starts; give it a few tries on a loaded machine. */
  for (int i = 0; i < 200; ++i) {
    CHECK(lunatic_process_info_get(id, &info) == 0);
    if (info.state == LUNATIC_PROCESS_RECEIVING) break;
    lunatic_sleep_ms(5);
  }
  CHECK(info.state == LUNATIC_PROCESS_RECEIVING);
  CHECK(info.mailbox_messages == 3);
  CHECK(info.mailbox_bytes == 300);
  CHECK(info.links == 1);
  CHECK(info.monitored_by == 1);
  CHECK(info.monitoring == 0);
  CHECK((info.flags & LUNATIC_PROCESS_DIES_WITH_LINKS) != 0);
  CHECK(info.memory_bytes >= 65536);
  CHECK(info.fuel_used == LUNATIC_PROCESS_UNMETERED); /* the root environment: no fuel limit */
  CHECK(info.start_time_ms >= before - 1000 && info.start_time_ms <= now_ms() + 1000);
  lunatic_unlink(id);
  lunatic_send_i64(id, WAKE_TAG, 0);
  int64_t tag = 4;
  CHECK(lunatic_receive(&tag, 1, 10000) == LUNATIC_MESSAGE_PROCESS_DIED);
  CHECK(lunatic_process_info_get(id, &info) == 1); /* gone */
}

static void check_sleeper_and_self(void) {
  uint64_t id = 0;
  CHECK(lunatic_spawn_export(0, "sleeper", 0, &id) == 0);
  lunatic_process_info info;
  for (int i = 0; i < 200; ++i) {
    CHECK(lunatic_process_info_get(id, &info) == 0);
    if (info.state == LUNATIC_PROCESS_SLEEPING) break;
    lunatic_sleep_ms(5);
  }
  CHECK(info.state == LUNATIC_PROCESS_SLEEPING);
  lunatic_kill(id);
  CHECK(lunatic_process_info_get(lunatic_process_id(), &info) == 0);
  CHECK(info.state == LUNATIC_PROCESS_RUNNING);
  CHECK(info.monitoring == 0);
  CHECK(lunatic_process_info_get(999999999, &info) == 1);
}

static void check_sandbox(void) {
  uint64_t config = lunatic_create_config();
  lunatic_allow_namespace(config, "", 0);
  lunatic_config_set_max_fuel(config, 100000000);
  uint64_t id = 0;
  CHECK(lunatic_spawn_i64s(0, (int64_t)config, LUNATIC_SELF, "peek", &id, 1,
                           (int64_t)lunatic_process_id()) == 0);
  int64_t verdict = -1;
  CHECK(lunatic_receive_i64(REPORT_TAG, 10000, &verdict) == LUNATIC_MESSAGE_DATA);
  CHECK(verdict == 1); /* itself: 0; its parent, outside its environment: 1 */
}

/* The parent sees a metered child's fuel. */
static void check_metered_child(void) {
  uint64_t config = lunatic_create_config();
  lunatic_allow_namespace(config, "", 0);
  lunatic_config_set_max_fuel(config, 100000000);
  uint64_t id = 0;
  CHECK(lunatic_spawn_i64s(0, (int64_t)config, LUNATIC_SELF, "waiter", &id, 1, (int64_t)0) == 0);
  lunatic_process_info info;
  for (int i = 0; i < 200; ++i) {
    CHECK(lunatic_process_info_get(id, &info) == 0);
    if (info.state == LUNATIC_PROCESS_RECEIVING) break;
    lunatic_sleep_ms(5);
  }
  CHECK(info.fuel_used != LUNATIC_PROCESS_UNMETERED && info.fuel_used > 0);
  CHECK(info.fuel_left != LUNATIC_PROCESS_UNMETERED &&
        info.fuel_used + info.fuel_left <= 100000000);
  lunatic_kill(id);
}

int main(void) {
  check_waiter();
  check_sleeper_and_self();
  check_sandbox();
  check_metered_child();
  return check_result("process info");
}
