// lunatic::networking: DNS lookups, TCP listeners and streams, UDP sockets. Calls that wait
// park the process on the runtime's I/O reactor (or resolver) and never block a worker.
#pragma once

#include "binding/linker.hpp"

namespace lunatic::host::networking {

inline constexpr std::string_view kModuleName = "lunatic::networking";

/// Defines every lunatic::networking function in `linker.ns("lunatic::networking")`.
void define_functions(binding::Linker& linker);

}  // namespace lunatic::host::networking
