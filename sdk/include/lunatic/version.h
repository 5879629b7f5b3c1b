/* lunatic::version: the version of the runtime the guest runs on. See docs/guest-abi.md. */
#ifndef LUNATIC_VERSION_H
#define LUNATIC_VERSION_H

#include "lunatic/import.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Major version of the runtime. */
LUNATIC_IMPORT("lunatic::version", "major") int32_t lunatic_version_major(void);
/* Minor version of the runtime. */
LUNATIC_IMPORT("lunatic::version", "minor") int32_t lunatic_version_minor(void);
/* Patch version of the runtime. */
LUNATIC_IMPORT("lunatic::version", "patch") int32_t lunatic_version_patch(void);

#ifdef __cplusplus
}
#endif
#endif
