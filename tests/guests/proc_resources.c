/* Processes holding every kind of resource are killed while they wait: module and config
 * handles, messages with a module (queued, received, being built, and riding a pending timer),
 * a registered name, monitors, links, a linked child, a parked sleep. Under the ASan build,
 * LeakSanitizer fails the run if anything they held is not freed. */
#include <stdio.h>
#include <time.h>

#include "lunatic/registry.h"
#include "lunatic/timer.h"
#include "lunatic_check.h"

#define READY 1
#define DIED 2
#define LINK 3
#define QUEUED 4
#define RECEIVED 5

/* The smallest valid module exporting run(i64). */
static const uint8_t kEmptyRun[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x01, 0x7e, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 'r',
    'u',  'n',  0x00, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
};

static uint64_t new_module(void) {
  uint64_t module = 0;
  CHECK(lunatic_compile_module(kEmptyRun, sizeof kEmptyRun, &module) == 0);
  return module;
}

/* A message tagged `tag` carrying a new module, being built. */
static void build_message_with_module(int64_t tag) {
  lunatic_create_data(tag, 8);
  int64_t v = tag;
  lunatic_write_data(&v, sizeof v);
  lunatic_push_module(new_module());
}

EXPORT(waiter) void waiter(int64_t unused) {
  (void)unused;
  lunatic_receive(NULL, 0, LUNATIC_NO_TIMEOUT);
}

/* Takes one of each resource, tells the root, then waits (in receive, or in a one-hour
 * nanosleep for odd `index`) until it is killed. */
EXPORT(holder) void holder(int64_t root, int64_t index) {
  uint64_t self = lunatic_process_id();
  new_module();
  uint64_t config = lunatic_create_config();
  lunatic_config_set_max_memory(config, 1 << 20);
  lunatic_allow_namespace(config, "lunatic::message", 16);
  char name[32];
  int len = snprintf(name, sizeof name, "holder-%lld", (long long)index);
  lunatic_registry_put(name, (size_t)len, self);
  lunatic_monitor(DIED, (uint64_t)root);
  lunatic_link(LINK, (uint64_t)root);
  uint64_t child = 0;
  CHECK(lunatic_spawn_export(LINK, "waiter", 0, &child) == 0); /* dies with its holder */

  build_message_with_module(QUEUED);
  lunatic_send_after(self, 3600 * 1000); /* pending for an hour */
  build_message_with_module(QUEUED);
  lunatic_send(self); /* stays queued: nobody receives tag QUEUED */
  build_message_with_module(RECEIVED);
  lunatic_send(self);
  int64_t tag = RECEIVED;
  CHECK(lunatic_receive(&tag, 1, 10000) == LUNATIC_MESSAGE_DATA); /* its module not taken */
  build_message_with_module(99);                                  /* never sent */

  lunatic_send_i64((uint64_t)root, READY, index);
  if (index % 2 == 1) {
    struct timespec hour = {3600, 0};
    nanosleep(&hour, NULL);
  }
  tag = 99;
  lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT);
}

int main(int argc, char** argv) {
  int count = argc > 1 ? atoi(argv[1]) : 100;
  uint64_t self = lunatic_process_id();
  lunatic_die_when_link_dies(0); /* the holders' deaths arrive as messages */
  uint64_t* ids = calloc((size_t)count, sizeof *ids);
  CHECK(ids != NULL);
  if (ids == NULL) return check_result("resources");
  for (int i = 0; i < count; ++i) {
    CHECK(lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "holder", &ids[i], 2, (int64_t)self,
                             (int64_t)i) == 0);
    lunatic_monitor(DIED, ids[i]);
  }
  for (int i = 0; i < count; ++i) {
    int64_t v = -1;
    CHECK(lunatic_receive_i64(READY, 30000, &v) == LUNATIC_MESSAGE_DATA);
  }
  for (int i = 0; i < count; ++i) lunatic_kill(ids[i]);
  int died = 0;
  for (int i = 0; i < count; ++i) {
    int64_t tag = DIED;
    died += lunatic_receive(&tag, 1, 30000) == LUNATIC_MESSAGE_PROCESS_DIED;
  }
  CHECK(died == count);
  for (int i = 0; i < count; ++i) CHECK(!lunatic_exists(ids[i]));
  free(ids);
  printf("%d holders killed\n", died);
  return check_result("resources");
}
