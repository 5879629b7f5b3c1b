/* lunatic::timer: send the message being built after a delay. See docs/guest-abi.md. */
#ifndef LUNATIC_TIMER_H
#define LUNATIC_TIMER_H

#include "lunatic/import.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Takes the message being built (lunatic_create_data...) and sends it to `process_id` after
 * `delay_ms`. Returns the timer id. Traps if no message was created. */
LUNATIC_IMPORT("lunatic::timer", "send_after")
int64_t lunatic_send_after(uint64_t process_id, uint64_t delay_ms);
/* 1 if the timer had not fired (its message is dropped), else 0 (fired, cancelled before, or
 * not a timer of this process). */
LUNATIC_IMPORT("lunatic::timer", "cancel_timer") int32_t lunatic_cancel_timer(uint64_t timer_id);

#ifdef __cplusplus
}
#endif
#endif
