/* lunatic::error: the text behind the error ids that fallible calls write (status 1).
 * Unknown ids trap. See docs/guest-abi.md. */
#ifndef LUNATIC_ERROR_H
#define LUNATIC_ERROR_H

#include <stdlib.h>

#include "lunatic/import.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Byte length of the error's message (UTF-8, no NUL). */
LUNATIC_IMPORT("lunatic::error", "string_size") int32_t lunatic_error_string_size(uint64_t id);
/* Writes the message (string_size bytes, no NUL) at `out`. */
LUNATIC_IMPORT("lunatic::error", "to_string") void lunatic_error_to_string(uint64_t id, char* out);
/* Forgets the error. */
LUNATIC_IMPORT("lunatic::error", "drop") void lunatic_error_drop(uint64_t id);

/* Convenience: the message as a NUL-terminated malloc'ed string (free it), and the error
 * dropped. NULL if out of memory (the error is dropped all the same). */
static inline char* lunatic_error_take(uint64_t id) {
  int32_t size = lunatic_error_string_size(id);
  char* text = (char*)malloc((size_t)size + 1);
  if (text != NULL) {
    lunatic_error_to_string(id, text);
    text[size] = '\0';
  }
  lunatic_error_drop(id);
  return text;
}

#ifdef __cplusplus
}
#endif
#endif
