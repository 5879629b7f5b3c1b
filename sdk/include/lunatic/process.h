/* lunatic::process: process ids, spawn, links, monitors, kill, sleep, environment
 * configurations and dynamically loaded modules. See docs/guest-abi.md.
 *
 * Fallible calls return 0 and write a new id through the out-pointer, or return 1 and write an
 * error id (lunatic/error.h). A bad pointer, an unknown id or bad UTF-8 traps. */
#ifndef LUNATIC_PROCESS_H
#define LUNATIC_PROCESS_H

#include <stdarg.h>
#include <string.h>

#include "lunatic/import.h"

#ifdef __cplusplus
extern "C" {
#endif

/* spawn's config_id / module_id meaning "the caller's own". */
#define LUNATIC_SELF (-1)

/* This process's id. */
LUNATIC_IMPORT("lunatic::process", "process_id") uint64_t lunatic_process_id(void);
/* Links this process and `process_id` both ways under `tag`. */
LUNATIC_IMPORT("lunatic::process", "link") void lunatic_link(int64_t tag, uint64_t process_id);
/* Removes the link with `process_id`. */
LUNATIC_IMPORT("lunatic::process", "unlink") void lunatic_unlink(uint64_t process_id);
/* One LUNATIC_MESSAGE_PROCESS_DIED message tagged `tag` when `process_id` ends. */
LUNATIC_IMPORT("lunatic::process", "monitor")
void lunatic_monitor(int64_t tag, uint64_t process_id);
/* Cancels this process's monitors of `process_id`. */
LUNATIC_IMPORT("lunatic::process", "stop_monitoring")
void lunatic_stop_monitoring(uint64_t process_id);
/* Kills `process_id` (nothing if it is not alive). */
LUNATIC_IMPORT("lunatic::process", "kill") void lunatic_kill(uint64_t process_id);
/* 1 if `process_id` is alive, else 0. */
LUNATIC_IMPORT("lunatic::process", "exists") int32_t lunatic_exists(uint64_t process_id);
/* 0: a linked process's failure arrives as a LUNATIC_MESSAGE_LINK_DIED message; else (the
 * default) this process dies with it. */
LUNATIC_IMPORT("lunatic::process", "die_when_link_dies")
void lunatic_die_when_link_dies(int32_t die);
/* Suspends this process for `ms` milliseconds. */
LUNATIC_IMPORT("lunatic::process", "sleep_ms") void lunatic_sleep_ms(uint64_t ms);

/* What lunatic_process_info reports (72 bytes, the layout of docs/guest-abi.md "info"). */
enum {
  LUNATIC_PROCESS_RUNNING = 0,
  LUNATIC_PROCESS_RUNNABLE = 1,
  LUNATIC_PROCESS_RECEIVING = 2, /* parked in receive */
  LUNATIC_PROCESS_SLEEPING = 3,  /* parked until a deadline (sleep_ms) */
  LUNATIC_PROCESS_WAITING_IO = 4,
  LUNATIC_PROCESS_PARKED = 5, /* parked for another reason */
  LUNATIC_PROCESS_EXITED = 6,
};
#define LUNATIC_PROCESS_DIES_WITH_LINKS 1u   /* flags: die_when_link_dies is on */
#define LUNATIC_PROCESS_UNMETERED UINT64_MAX /* fuel_used/fuel_left: no fuel limit */
typedef struct lunatic_process_info {
  uint8_t state; /* LUNATIC_PROCESS_* */
  uint8_t flags;
  uint16_t reserved;
  uint32_t links;
  uint64_t mailbox_messages;
  uint64_t mailbox_bytes;
  uint64_t memory_bytes;
  uint64_t fuel_used;
  uint64_t fuel_left;
  uint64_t slices;
  uint32_t monitored_by;
  uint32_t monitoring;
  int64_t start_time_ms; /* milliseconds since the Unix epoch */
} lunatic_process_info;
#ifdef __cplusplus
static_assert(sizeof(lunatic_process_info) == 72, "the ABI's layout");
#else
_Static_assert(sizeof(lunatic_process_info) == 72, "the ABI's layout");
#endif
/* 0 and `*out` filled, or 1 when `process_id` is not alive in this process's environment or
 * one below it (a supervisor reads its children; a sandbox sees nothing outside). */
LUNATIC_IMPORT("lunatic::process", "info")
int32_t lunatic_process_info_get(uint64_t process_id, lunatic_process_info* out);

/* Compiles module bytes: 0 and a module id, or 1 and an error id (malformed, invalid). */
LUNATIC_IMPORT("lunatic::process", "compile_module")
int32_t lunatic_compile_module(const void* bytes, size_t len, uint64_t* id);
/* Drops a module handle. */
LUNATIC_IMPORT("lunatic::process", "drop_module") void lunatic_drop_module(uint64_t module_id);
/* A new configuration: no limits of its own (clamped to the spawner's), nothing allowed. */
LUNATIC_IMPORT("lunatic::process", "create_config") uint64_t lunatic_create_config(void);
LUNATIC_IMPORT("lunatic::process", "drop_config") void lunatic_drop_config(uint64_t config_id);
/* Max bytes per linear memory (rounded down to 64 KiB pages). */
LUNATIC_IMPORT("lunatic::process", "config_set_max_memory")
void lunatic_config_set_max_memory(uint64_t config_id, uint64_t bytes);
LUNATIC_IMPORT("lunatic::process", "config_get_max_memory")
uint64_t lunatic_config_get_max_memory(uint64_t config_id);
/* Total fuel per process (0: unlimited). */
LUNATIC_IMPORT("lunatic::process", "config_set_max_fuel")
void lunatic_config_set_max_fuel(uint64_t config_id, uint64_t fuel);
LUNATIC_IMPORT("lunatic::process", "config_get_max_fuel")
uint64_t lunatic_config_get_max_fuel(uint64_t config_id);
/* Most live processes in the environment (counting environments made inside it). */
LUNATIC_IMPORT("lunatic::process", "config_set_max_processes")
void lunatic_config_set_max_processes(uint64_t config_id, uint64_t count);
/* Most names registered in the environment (lunatic_registry_put; counting environments made
 * inside it). */
LUNATIC_IMPORT("lunatic::process", "config_set_max_names")
void lunatic_config_set_max_names(uint64_t config_id, uint64_t count);
/* Most resources (sockets, modules, configs, error ids...) one process may hold at once; a
 * process that takes one more is killed. */
LUNATIC_IMPORT("lunatic::process", "config_set_max_resources")
void lunatic_config_set_max_resources(uint64_t config_id, uint64_t count);
/* The host memory, in bytes, all processes of the environment may hold together (memories,
 * tables, queued messages, timers, names, modules); 0: none of its own. Clamped to the
 * spawner's. */
LUNATIC_IMPORT("lunatic::process", "config_set_max_memory_total")
void lunatic_config_set_max_memory_total(uint64_t config_id, uint64_t bytes);
/* Allows host functions whose "module::name" starts with `prefix`. */
LUNATIC_IMPORT("lunatic::process", "allow_namespace")
void lunatic_allow_namespace(uint64_t config_id, const char* prefix, size_t prefix_len);

/* Spawns a process running export `function` of module `module_id` (LUNATIC_SELF: this one)
 * in an environment made from `config_id` (LUNATIC_SELF: this one), linked under `link_tag`
 * unless 0. `params` holds 17-byte records [type][value u128 LE] (0x7F i32, 0x7E i64, 0x7D f32,
 * 0x7C f64). 0 and the process id, or 1 and an error id. */
LUNATIC_IMPORT("lunatic::process", "spawn")
int32_t lunatic_spawn(int64_t link_tag, int64_t config_id, int64_t module_id, const char* function,
                      size_t function_len, const uint8_t* params, size_t params_len, uint64_t* id);

/* Convenience: spawns export `function` with `count` i64 arguments (at most 16) given after
 * it, in module `module_id` and config `config_id`. Returns as lunatic_spawn. */
static inline int32_t lunatic_spawn_i64s(int64_t link_tag, int64_t config_id, int64_t module_id,
                                         const char* function, uint64_t* id, int count, ...) {
  uint8_t params[16 * 17];
  if (count < 0 || count > 16) count = 16;
  memset(params, 0, sizeof params);
  va_list ap;
  va_start(ap, count);
  for (int i = 0; i < count; ++i) {
    int64_t v = va_arg(ap, int64_t);
    params[i * 17] = 0x7E;
    memcpy(&params[i * 17 + 1], &v, sizeof v);
  }
  va_end(ap);
  return lunatic_spawn(link_tag, config_id, module_id, function, strlen(function), params,
                       (size_t)count * 17, id);
}

/* Convenience: spawns this module's export `function` (taking one i64) in this environment. */
static inline int32_t lunatic_spawn_export(int64_t link_tag, const char* function, int64_t arg,
                                           uint64_t* id) {
  return lunatic_spawn_i64s(link_tag, LUNATIC_SELF, LUNATIC_SELF, function, id, 1, arg);
}

#ifdef __cplusplus
}
#endif
#endif
