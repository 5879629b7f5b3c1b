// lunatic::timer: deliver the message being built after a delay (send_after), or not
// (cancel_timer).
#pragma once

#include "binding/linker.hpp"

namespace lunatic::host::timer {

inline constexpr std::string_view kModuleName = "lunatic::timer";

/// Defines send_after and cancel_timer in `linker.ns("lunatic::timer")`.
void define_functions(binding::Linker& linker);

}  // namespace lunatic::host::timer
