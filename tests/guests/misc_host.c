/* The smaller namespaces: registry names, request/reply (send_receive_skip_search), modules
 * moving in messages, version, error ids. */
#include "lunatic/registry.h"
#include "lunatic/version.h"
#include "lunatic_check.h"

#define REQUEST 30
#define REPLY 31

/* Registers itself as "echo", then answers each request with the request's value + 1, tagged
 * REPLY, to the sender. */
EXPORT(echo) void echo(int64_t root) {
  CHECK(lunatic_registry_put("echo", 4, lunatic_process_id()) == LUNATIC_NAME_REGISTERED);
  lunatic_send_i64((uint64_t)root, 1, 0); /* ready */
  for (;;) {
    int64_t value = 0;
    if (lunatic_receive_i64(REQUEST, LUNATIC_NO_TIMEOUT, &value) != LUNATIC_MESSAGE_DATA) return;
    lunatic_send_i64(lunatic_get_process_id(), REPLY, value + 1);
  }
}

/* Takes the module in the message tagged 40 and reports whether resource_kind saw it (and
 * nothing else) and it could compile-free spawn from it: the module is the caller's own (sent
 * by the root). */
EXPORT(module_taker) void module_taker(int64_t root) {
  int64_t tag = 40;
  if (lunatic_receive(&tag, 1, 10000) != LUNATIC_MESSAGE_DATA) return;
  /* resource_kind tells what a take would find, so a forged index need not trap. */
  int kinds_ok = lunatic_resource_kind(0) == LUNATIC_RESOURCE_MODULE &&
                 lunatic_resource_kind(1) == LUNATIC_RESOURCE_NONE &&
                 lunatic_resource_kind(UINT64_MAX) == LUNATIC_RESOURCE_NONE;
  uint64_t module = lunatic_take_module(0);
  kinds_ok = kinds_ok && lunatic_resource_kind(0) == LUNATIC_RESOURCE_NONE; /* taken */
  uint64_t id;
  int ok = kinds_ok && lunatic_spawn_i64s(0, LUNATIC_SELF, (int64_t)module, "run", &id, 1, 0) == 0;
  lunatic_send_i64((uint64_t)root, 41, ok);
}

/* The smallest valid module exporting run(i64). */
static const uint8_t kEmptyRun[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x01, 0x7e, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 'r',
    'u',  'n',  0x00, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
};

int main(void) {
  uint64_t self = lunatic_process_id();
  CHECK(lunatic_version_major() == 0 && lunatic_version_minor() >= 1);

  /* Registry. */
  uint64_t id = 0, found = 0;
  CHECK(lunatic_registry_get("echo", 4, &found) == 1);
  CHECK(lunatic_spawn_export(0, "echo", (int64_t)self, &id) == 0);
  int64_t ready = -1;
  CHECK(lunatic_receive_i64(1, 10000, &ready) == LUNATIC_MESSAGE_DATA);
  CHECK(lunatic_registry_get("echo", 4, &found) == 0 && found == id);

  /* Request/reply: an old message tagged REPLY is skipped, the new reply is taken. */
  lunatic_send_i64(self, REPLY, -5);
  int64_t request = 41;
  lunatic_create_data(REQUEST, 8);
  lunatic_write_data(&request, 8);
  CHECK(lunatic_send_receive_skip_search(found, REPLY, 10000) == LUNATIC_MESSAGE_DATA);
  int64_t answer = 0;
  lunatic_read_data(&answer, 8);
  CHECK(answer == 42);
  CHECK(lunatic_receive_i64(REPLY, 0, &answer) == LUNATIC_MESSAGE_DATA && answer == -5);
  /* A reply that never comes times out. */
  lunatic_create_data(REQUEST + 100, 0);
  CHECK(lunatic_send_receive_skip_search(found, REPLY, 50) == LUNATIC_TIMED_OUT);

  lunatic_registry_remove("echo", 4);
  CHECK(lunatic_registry_get("echo", 4, &found) == 1);
  CHECK(lunatic_registry_put("gone", 4, 999999999) == LUNATIC_NAME_NO_PROCESS);
  CHECK(lunatic_registry_get("gone", 4, &found) == 1);
  lunatic_kill(id);

  /* A module handle travels in a message. */
  uint64_t module;
  CHECK(lunatic_compile_module(kEmptyRun, sizeof kEmptyRun, &module) == 0);
  uint64_t taker;
  CHECK(lunatic_spawn_export(0, "module_taker", (int64_t)self, &taker) == 0);
  lunatic_create_data(40, 0);
  CHECK(lunatic_push_module(module) == 0);
  CHECK(lunatic_send(taker) == 0);
  int64_t ok = 0;
  CHECK(lunatic_receive_i64(41, 10000, &ok) == LUNATIC_MESSAGE_DATA && ok == 1);

  /* Error ids: text, then dropped. */
  uint64_t error;
  CHECK(lunatic_compile_module("x", 1, &error) == 1);
  CHECK(lunatic_error_string_size(error) > 0);
  lunatic_error_drop(error);
  return check_result("misc");
}
