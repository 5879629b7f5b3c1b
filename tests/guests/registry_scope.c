/* lunatic::registry from the guest's side: a process in a sandbox (a child environment) cannot
 * re-point a name its parent registered, only shadow it for its own environment; a name goes
 * when its process ends; a sandbox's max_names refuses new names. */
#include "lunatic/registry.h"
#include "lunatic_check.h"

#define REPORT 7
#define DIED 8

static int has_name(const char* name, uint64_t* id) {
  return lunatic_registry_get(name, strlen(name), id) == 0;
}

/* In the sandbox: tries to take over "db", reports what it sees, removes "db" (its own
 * registration only) and reports again. Reports: put's result, the id "db" names here, the
 * id after remove. */
EXPORT(hijacker) void hijacker(int64_t root) {
  uint64_t self = lunatic_process_id(), found = 0;
  lunatic_send_i64((uint64_t)root, REPORT, lunatic_registry_put("db", 2, self));
  lunatic_send_i64((uint64_t)root, REPORT, has_name("db", &found) ? (int64_t)found : -1);
  lunatic_registry_remove("db", 2);
  lunatic_registry_remove("db", 2); /* the parent's "db" is not this environment's to remove */
  lunatic_send_i64((uint64_t)root, REPORT, has_name("db", &found) ? (int64_t)found : -1);
}

/* Registers `n` names of its own ("n<first>", "n<first+1>"...), reporting each put's result,
 * then waits for any message and ends. */
EXPORT(namer) void namer(int64_t root, int64_t n, int64_t first) {
  uint64_t self = lunatic_process_id();
  for (int64_t i = 0; i < n; ++i) {
    char name[8] = {'n', (char)('0' + first + i), 0};
    lunatic_send_i64((uint64_t)root, REPORT, lunatic_registry_put(name, 2, self));
  }
  lunatic_receive(NULL, 0, LUNATIC_NO_TIMEOUT);
}

static int64_t report(void) {
  int64_t value = -100;
  CHECK(lunatic_receive_i64(REPORT, 10000, &value) == LUNATIC_MESSAGE_DATA);
  return value;
}

/* Kills `id` and waits until it has ended. */
static void kill_and_wait(uint64_t id) {
  lunatic_monitor(DIED, id);
  lunatic_kill(id);
  int64_t tag = DIED;
  CHECK(lunatic_receive(&tag, 1, 10000) == LUNATIC_MESSAGE_PROCESS_DIED);
}

int main(void) {
  uint64_t self = lunatic_process_id(), found = 0, child = 0;
  CHECK(lunatic_registry_put("db", 2, self) == LUNATIC_NAME_REGISTERED);
  CHECK(lunatic_registry_put("x", 1, 999999999) == LUNATIC_NAME_NO_PROCESS);

  /* The sandbox shadows "db" for itself; the root's "db" is untouched. */
  uint64_t sandbox = lunatic_create_config();
  lunatic_allow_namespace(sandbox, "", 0);
  CHECK(lunatic_spawn_i64s(0, (int64_t)sandbox, LUNATIC_SELF, "hijacker", &child, 1,
                           (int64_t)self) == 0);
  CHECK(report() == LUNATIC_NAME_REGISTERED);
  CHECK(report() == (int64_t)child);
  CHECK(report() == (int64_t)self); /* its own gone, the parent's seen again */
  CHECK(has_name("db", &found) && found == self);

  /* A name dies with its process: not only "not found", its slot under max_names is free. */
  uint64_t limited = lunatic_create_config();
  lunatic_allow_namespace(limited, "", 0);
  lunatic_config_set_max_names(limited, 2);
  uint64_t first = 0, second = 0;
  CHECK(lunatic_spawn_i64s(0, (int64_t)limited, LUNATIC_SELF, "namer", &first, 3, (int64_t)self,
                           (int64_t)3, (int64_t)0) == 0);
  CHECK(report() == LUNATIC_NAME_REGISTERED);
  CHECK(report() == LUNATIC_NAME_REGISTERED);
  CHECK(report() == LUNATIC_NAME_LIMIT); /* a third new name */
  CHECK(!has_name("n0", &found));        /* the sandbox's names do not leak up */
  kill_and_wait(first);
  /* The same environment (same config): both slots are free again, for other names. */
  CHECK(lunatic_spawn_i64s(0, (int64_t)limited, LUNATIC_SELF, "namer", &second, 3, (int64_t)self,
                           (int64_t)2, (int64_t)5) == 0);
  CHECK(report() == LUNATIC_NAME_REGISTERED);
  CHECK(report() == LUNATIC_NAME_REGISTERED);
  kill_and_wait(second);

  /* The root's own name goes with a process that ends, too. */
  CHECK(lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "namer", &child, 3, (int64_t)self,
                           (int64_t)1, (int64_t)0) == 0);
  CHECK(report() == LUNATIC_NAME_REGISTERED);
  CHECK(has_name("n0", &found) && found == child);
  kill_and_wait(child);
  CHECK(!has_name("n0", &found));
  return check_result("registry scope");
}
