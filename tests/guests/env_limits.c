/* Environments: each limit is hit and reported (memory, fuel, max processes, namespaces),
 * children inherit and are clamped to their parent's environment, invalid modules give an
 * error id, and a sandboxed module importing a disallowed function fails to spawn with an
 * error naming it; environments nest at most 64 levels. `env_limits MODE` runs one part
 * (memory, fuel, processes, namespace, inherit, modules, depth), no MODE all of them. */
#include "lunatic_check.h"

#define LINK_TAG 5
#define REPORT_TAG 6
#define DEPTH_TAG 9

/* A module (hand-assembled) that imports lunatic::process::kill and exports
 * run(i64) = kill(arg). */
static const uint8_t kKillerModule[] =
    {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7e,
        0x00, /* type 0: (i64) -> () */
        0x02, 0x19, 0x01, 0x10, 'l',  'u',  'n',  'a',  't',  'i',  'c',  ':',  ':',  'p',
        'r',  'o',  'c',  'e',  's',  's',  0x04, 'k',  'i',  'l',  'l',  0x00, 0x00, /* import
                                                                                         kill: type
                                                                                         0 */
        0x03, 0x02, 0x01, 0x00,                                     /* func 1: type 0 */
        0x07, 0x07, 0x01, 0x03, 'r',  'u',  'n',  0x00, 0x01,       /* export "run" = func 1 */
        0x0a, 0x08, 0x01, 0x06, 0x00, 0x20, 0x00, 0x10, 0x00, 0x0b, /* local.get 0; call 0 */
};

/* Decodes, but fails validation: a () -> () function that leaves an i32 on the stack. */
static const uint8_t kInvalidModule[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00,
    0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b,
};

/* A config allowing every host function, with the given limits (0: none of its own). */
static uint64_t open_config(uint64_t max_memory, uint64_t max_fuel, uint64_t max_processes) {
  uint64_t config = lunatic_create_config();
  lunatic_allow_namespace(config, "", 0);
  if (max_memory) lunatic_config_set_max_memory(config, max_memory);
  if (max_fuel) lunatic_config_set_max_fuel(config, max_fuel);
  if (max_processes) lunatic_config_set_max_processes(config, max_processes);
  return config;
}

/* Children: report to `parent` whether allocating 8 MiB worked (1) or not (0). */
/* The pointer escapes through this global, so the compiler cannot elide the allocation. */
void* volatile keep;

EXPORT(try_allocate) void try_allocate(int64_t parent) {
  keep = malloc(8u << 20);
  lunatic_send_i64((uint64_t)parent, REPORT_TAG, keep != NULL);
}

EXPORT(spin) void spin(int64_t unused) {
  (void)unused;
  volatile int64_t x = 0;
  for (;;) x = x + 1;
}

/* Compiling at run time costs 256 fuel units a byte (before the bytes are even decoded): the
 * killer module's ~60 bytes fit a 1,000,000-unit budget, 64 KiB of zeros do not. Each reports
 * compile_module's result, if it returns. */
static uint8_t big_module[64u << 10];

EXPORT(compile_small) void compile_small(int64_t parent) {
  uint64_t id;
  lunatic_send_i64((uint64_t)parent, REPORT_TAG,
                   lunatic_compile_module(kKillerModule, sizeof kKillerModule, &id));
}

EXPORT(compile_big) void compile_big(int64_t parent) {
  uint64_t id;
  lunatic_send_i64((uint64_t)parent, REPORT_TAG,
                   lunatic_compile_module(big_module, sizeof big_module, &id));
}

EXPORT(wait_forever) void wait_forever(int64_t unused) {
  (void)unused;
  lunatic_receive(NULL, 0, LUNATIC_NO_TIMEOUT);
}

/* Spawned in a 2 MiB environment: asks for more (1 GiB) for one child, inherits for the other;
 * both are clamped, so both allocations fail. Also reports a spawn in a 64 KiB config. */
EXPORT(clamped_parent) void clamped_parent(int64_t root) {
  uint64_t big = open_config(1ull << 30, 0, 0);
  uint64_t id;
  int ok = lunatic_spawn_export(0, "try_allocate", root, &id) == 0;
  ok = ok && lunatic_spawn_i64s(0, (int64_t)big, LUNATIC_SELF, "try_allocate", &id, 1, root) == 0;
  lunatic_send_i64((uint64_t)root, REPORT_TAG + 1, ok);
}

static int64_t report(void) {
  /* -1: no report came. */
  int64_t value = -1;
  int64_t tag = REPORT_TAG;
  if (lunatic_receive(&tag, 1, 10000) != LUNATIC_MESSAGE_DATA) return -1;
  lunatic_read_data(&value, sizeof value);
  return value;
}

static void check_memory(uint64_t self) {
  /* The root is unlimited here; a child in a 2 MiB environment cannot get 8 MiB. */
  uint64_t id;
  CHECK(lunatic_spawn_export(0, "try_allocate", (int64_t)self, &id) == 0);
  CHECK(report() == 1);
  uint64_t small = open_config(2u << 20, 0, 0);
  CHECK(lunatic_config_get_max_memory(small) == (2u << 20));
  CHECK(lunatic_spawn_i64s(0, (int64_t)small, LUNATIC_SELF, "try_allocate", &id, 1, self) == 0);
  CHECK(report() == 0);
  /* Below the module's initial memory: the spawn itself fails, with a reason. */
  uint64_t tiny = open_config(64u << 10, 0, 0);
  CHECK(lunatic_spawn_i64s(0, (int64_t)tiny, LUNATIC_SELF, "try_allocate", &id, 1, self) == 1);
  const char* text = error_text(id);
  printf("tiny memory: %s\n", text);
  CHECK(strstr(text, "memory") != NULL);
}

static void check_fuel(void) {
  uint64_t config = open_config(0, 100000, 0);
  CHECK(lunatic_config_get_max_fuel(config) == 100000);
  uint64_t id;
  CHECK(lunatic_spawn_i64s(LINK_TAG, (int64_t)config, LUNATIC_SELF, "spin", &id, 1, 0) == 0);
  int64_t tag = LINK_TAG;
  CHECK(lunatic_receive(&tag, 1, 20000) == LUNATIC_MESSAGE_LINK_DIED);
  CHECK(lunatic_get_process_id() == id);
  /* Compiling is charged: a small module fits the budget, 64 KiB runs out of fuel (the child
   * dies before it can report). */
  uint64_t budget = open_config(0, 1000000, 0);
  uint64_t self = lunatic_process_id();
  CHECK(lunatic_spawn_i64s(0, (int64_t)budget, LUNATIC_SELF, "compile_small", &id, 1,
                           (int64_t)self) == 0);
  CHECK(report() == 0);
  CHECK(lunatic_spawn_i64s(LINK_TAG, (int64_t)budget, LUNATIC_SELF, "compile_big", &id, 1,
                           (int64_t)self) == 0);
  int64_t tags[2] = {LINK_TAG, REPORT_TAG};
  CHECK(lunatic_receive(tags, 2, 20000) == LUNATIC_MESSAGE_LINK_DIED);
  CHECK(lunatic_get_process_id() == id);
}

static void check_processes(void) {
  uint64_t config = open_config(0, 0, 3);
  uint64_t ids[3];
  for (int i = 0; i < 3; ++i) {
    CHECK(lunatic_spawn_i64s(0, (int64_t)config, LUNATIC_SELF, "wait_forever", &ids[i], 1, 0) == 0);
  }
  uint64_t id;
  CHECK(lunatic_spawn_i64s(0, (int64_t)config, LUNATIC_SELF, "wait_forever", &id, 1, 0) == 1);
  const char* text = error_text(id);
  printf("fourth process: %s\n", text);
  CHECK(strstr(text, "too many processes") != NULL);
  /* A slot comes free when a process ends. */
  lunatic_monitor(8, ids[0]);
  lunatic_kill(ids[0]);
  int64_t tag = 8;
  CHECK(lunatic_receive(&tag, 1, 10000) == LUNATIC_MESSAGE_PROCESS_DIED);
  CHECK(lunatic_spawn_i64s(0, (int64_t)config, LUNATIC_SELF, "wait_forever", &id, 1, 0) == 0);
  lunatic_kill(id);
  lunatic_kill(ids[1]);
  lunatic_kill(ids[2]);
}

/* Runs `depth` environments below the root's and spawns the next level in a new environment
 * inside its own; the level whose spawn is refused prints the error and reports its depth. */
EXPORT(nest) void nest(int64_t root, int64_t depth) {
  uint64_t config = open_config(0, 0, 0);
  uint64_t id;
  if (lunatic_spawn_i64s(0, (int64_t)config, LUNATIC_SELF, "nest", &id, 2, root, depth + 1) == 0) {
    return;
  }
  printf("depth %lld refused: %s\n", (long long)(depth + 1), error_text(id));
  fflush(stdout);
  lunatic_send_i64((uint64_t)root, DEPTH_TAG, depth);
}

static void check_depth(uint64_t self) {
  uint64_t config = open_config(0, 0, 0);
  uint64_t id;
  CHECK(lunatic_spawn_i64s(0, (int64_t)config, LUNATIC_SELF, "nest", &id, 2, (int64_t)self,
                           (int64_t)1) == 0);
  int64_t deepest = -1;
  CHECK(lunatic_receive_i64(DEPTH_TAG, 30000, &deepest) == LUNATIC_MESSAGE_DATA);
  printf("deepest environment with a process: %lld\n", (long long)deepest);
  CHECK(deepest == 64);
}

static void check_namespace(void) {
  /* Only WASI allowed: this module imports lunatic::* too, so it cannot be spawned there. */
  uint64_t config = lunatic_create_config();
  lunatic_allow_namespace(config, "wasi_snapshot_preview1::", 24);
  uint64_t id;
  CHECK(lunatic_spawn_i64s(0, (int64_t)config, LUNATIC_SELF, "wait_forever", &id, 1, 0) == 1);
  const char* text = error_text(id);
  printf("wasi only: %s\n", text);
  CHECK(strstr(text, "lunatic::") != NULL && strstr(text, "is not allowed") != NULL);
}

static void check_inherit(uint64_t self) {
  uint64_t config = open_config(2u << 20, 0, 0);
  uint64_t id;
  CHECK(lunatic_spawn_i64s(0, (int64_t)config, LUNATIC_SELF, "clamped_parent", &id, 1, self) == 0);
  CHECK(report() == 0);
  CHECK(report() == 0);
  int64_t tag = REPORT_TAG + 1, ok = 0;
  CHECK(lunatic_receive_i64(tag, 10000, &ok) == LUNATIC_MESSAGE_DATA && ok == 1);
}

static void check_modules(void) {
  uint64_t id;
  CHECK(lunatic_compile_module("not wasm", 8, &id) == 1);
  const char* text = error_text(id);
  printf("garbage: %s\n", text);
  CHECK(strstr(text, "magic") != NULL || strstr(text, "decode") != NULL);
  CHECK(lunatic_compile_module(kInvalidModule, sizeof kInvalidModule, &id) == 1);
  text = error_text(id);
  printf("invalid: %s\n", text);
  CHECK(strstr(text, "type mismatch") != NULL || strstr(text, "valid") != NULL);

  uint64_t module;
  CHECK(lunatic_compile_module(kKillerModule, sizeof kKillerModule, &module) == 0);
  /* A sandbox allowing lunatic::message only: the killer's import is refused, by name. */
  uint64_t sandbox = lunatic_create_config();
  lunatic_allow_namespace(sandbox, "lunatic::message::", 18);
  uint64_t victim;
  CHECK(lunatic_spawn_export(0, "wait_forever", 0, &victim) == 0);
  CHECK(lunatic_spawn_i64s(0, (int64_t)sandbox, (int64_t)module, "run", &id, 1, victim) == 1);
  text = error_text(id);
  printf("sandbox: %s\n", text);
  CHECK(strstr(text, "lunatic::process::kill") != NULL);
  CHECK(lunatic_exists(victim));
  /* Allowing exactly that function lets it run: it kills the victim. */
  lunatic_allow_namespace(sandbox, "lunatic::process::kill", 22);
  lunatic_monitor(9, victim);
  CHECK(lunatic_spawn_i64s(0, (int64_t)sandbox, (int64_t)module, "run", &id, 1, victim) == 0);
  int64_t tag = 9;
  CHECK(lunatic_receive(&tag, 1, 10000) == LUNATIC_MESSAGE_PROCESS_DIED);
  CHECK(!lunatic_exists(victim));
  /* No such export: an error, not a trap. */
  CHECK(lunatic_spawn_i64s(0, (int64_t)sandbox, (int64_t)module, "nope", &id, 1, 0) == 1);
  printf("no export: %s\n", error_text(id));
  lunatic_drop_module(module);
  lunatic_drop_config(sandbox);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "all";
  int all = strcmp(mode, "all") == 0;
  uint64_t self = lunatic_process_id();
  lunatic_die_when_link_dies(0);
  if (all || strcmp(mode, "memory") == 0) check_memory(self);
  if (all || strcmp(mode, "fuel") == 0) check_fuel();
  if (all || strcmp(mode, "processes") == 0) check_processes();
  if (all || strcmp(mode, "namespace") == 0) check_namespace();
  if (all || strcmp(mode, "inherit") == 0) check_inherit(self);
  if (all || strcmp(mode, "modules") == 0) check_modules();
  if (all || strcmp(mode, "depth") == 0) check_depth(self);
  return check_result(mode);
}
