/* ABI misuse traps: `abi_misuse MODE` makes one mistake, and must die with a trap naming it. */
#include <stdio.h>
#include <string.h>

#include "lunatic/error.h"
#include "lunatic/message.h"
#include "lunatic/process.h"
#include "lunatic/registry.h"

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  uint64_t id;
  if (strcmp(mode, "unknown_error") == 0) lunatic_error_drop(12345);
  if (strcmp(mode, "no_message") == 0) lunatic_send(lunatic_process_id());
  if (strcmp(mode, "nothing_received") == 0) lunatic_get_tag();
  if (strcmp(mode, "bad_pointer") == 0) lunatic_compile_module((void*)0xFFFFFFF0, 64, &id);
  if (strcmp(mode, "bad_info_pointer") == 0) {
    lunatic_process_info_get(lunatic_process_id(), (lunatic_process_info*)0xFFFFFFC0);
  }
  if (strcmp(mode, "bad_utf8") == 0) lunatic_spawn(0, -1, -1, "\xff\xfe", 2, NULL, 0, &id);
  if (strcmp(mode, "bad_params") == 0) {
    static const uint8_t params[5] = {0x7E, 0, 0, 0, 0};
    lunatic_spawn(0, -1, -1, "main", 4, params, sizeof params, &id);
  }
  if (strcmp(mode, "many_params") == 0) {
    static uint8_t many[1001 * 17];
    for (size_t at = 0; at < sizeof many; at += 17) many[at] = 0x7E;
    lunatic_spawn(0, -1, -1, "main", 4, many, sizeof many, &id);
  }
  if (strcmp(mode, "unknown_config") == 0) lunatic_config_set_max_fuel(777, 1);
  if (strcmp(mode, "unknown_module") == 0) {
    lunatic_spawn(0, -1, 777, "main", 4, NULL, 0, &id);
  }
  if (strcmp(mode, "long_name") == 0) {
    static char name[LUNATIC_MAX_NAME_BYTES + 1];
    memset(name, 'a', sizeof name);
    lunatic_registry_put(name, sizeof name, lunatic_process_id());
  }
  /* send_data and receive_data: ranges outside memory, huge lengths. Each call below must
   * trap before it sends or receives anything. */
  static int64_t value = 1;
  if (strcmp(mode, "send_data_bad_pointer") == 0) {
    lunatic_send_data(lunatic_process_id(), 1, (void*)0xFFFFFFF0, 64);
  }
  if (strcmp(mode, "send_data_huge_length") == 0) {
    lunatic_send_data(lunatic_process_id(), 1, &value, 0xFFFFFFFFu);
  }
  if (strcmp(mode, "receive_data_bad_buffer") == 0) {
    uint64_t size;
    lunatic_send_i64(lunatic_process_id(), 1, 5);
    lunatic_receive_data(NULL, 0, 0, (void*)0xFFFFFF00, 0x1000, &size);
  }
  if (strcmp(mode, "receive_data_bad_size") == 0) {
    lunatic_send_i64(lunatic_process_id(), 1, 5);
    lunatic_receive_data(NULL, 0, 0, &value, sizeof value, (uint64_t*)0xFFFFFFFC);
  }
  if (strcmp(mode, "receive_data_bad_tags") == 0) {
    uint64_t size;
    lunatic_receive_data((const int64_t*)16, 0x20000000, 0, &value, sizeof value, &size);
  }
  printf("no trap\n");
  return 0;
}
