// lunatic::message: build a message in the per-process scratch slot, send it, receive
// selectively by tag with a timeout, read the received message, request/reply.
#pragma once

#include "binding/linker.hpp"

namespace lunatic::host::message {

inline constexpr std::string_view kModuleName = "lunatic::message";

/// Defines every lunatic::message function in `linker.ns("lunatic::message")`.
void define_functions(binding::Linker& linker);

}  // namespace lunatic::host::message
