/* lunatic::registry: well-known names for processes. Names are UTF-8 of at most
 * LUNATIC_MAX_NAME_BYTES (bad UTF-8 or a longer name traps). A name belongs to the environment
 * of the process that put it: lookups see this environment's names, then its ancestors';
 * put and remove change this environment's only. A name goes when its process ends.
 * See docs/guest-abi.md. */
#ifndef LUNATIC_REGISTRY_H
#define LUNATIC_REGISTRY_H

#include <string.h>

#include "lunatic/import.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LUNATIC_MAX_NAME_BYTES 1024

/* What lunatic_registry_put returns. */
#define LUNATIC_NAME_REGISTERED 0
#define LUNATIC_NAME_NO_PROCESS 1 /* process_id is not alive */
#define LUNATIC_NAME_LIMIT 2      /* a new name, and the environment is at its max_names */

/* Registers `name` for `process_id` in this environment, replacing this environment's earlier
 * registration of it. Returns LUNATIC_NAME_*. */
LUNATIC_IMPORT("lunatic::registry", "put")
int32_t lunatic_registry_put(const char* name, size_t name_len, uint64_t process_id);
/* 0 and the id written to *id if `name` names a live process (in this environment, else the
 * nearest ancestor that has it); else 1. */
LUNATIC_IMPORT("lunatic::registry", "get")
int32_t lunatic_registry_get(const char* name, size_t name_len, uint64_t* id);
/* Removes `name` from this environment (nothing if absent here; an ancestor's stays). */
LUNATIC_IMPORT("lunatic::registry", "remove")
void lunatic_registry_remove(const char* name, size_t name_len);

#ifdef __cplusplus
}
#endif
#endif
