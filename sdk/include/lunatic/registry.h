/* lunatic::registry: well-known names for processes. Names are UTF-8 (bad UTF-8 traps).
 * See docs/guest-abi.md. */
#ifndef LUNATIC_REGISTRY_H
#define LUNATIC_REGISTRY_H

#include <string.h>

#include "lunatic/import.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Registers `name` for `process_id`, replacing an earlier registration. */
LUNATIC_IMPORT("lunatic::registry", "put")
void lunatic_registry_put(const char* name, size_t name_len, uint64_t process_id);
/* 0 and the id written to *id if `name` names a live process; else 1. */
LUNATIC_IMPORT("lunatic::registry", "get")
int32_t lunatic_registry_get(const char* name, size_t name_len, uint64_t* id);
/* Removes `name` (nothing if absent). */
LUNATIC_IMPORT("lunatic::registry", "remove")
void lunatic_registry_remove(const char* name, size_t name_len);

#ifdef __cplusplus
}
#endif
#endif
