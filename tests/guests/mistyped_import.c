// mistyped_import: imports lunatic::process::kill with the wrong signature (i32 instead of
// i64): `inspect` reports the mismatch and `run` fails to link, naming both types.
#include <stdint.h>

__attribute__((import_module("lunatic::process"), import_name("kill"))) void kill_wrong(int32_t);

int main(int argc, char** argv) {
  (void)argv;
  kill_wrong(argc);
  return 0;
}
