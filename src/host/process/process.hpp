// lunatic::process: identity, links, monitors, kill, sleep; environment configurations and
// dynamically loaded modules; spawn.
#pragma once

#include "binding/linker.hpp"

namespace lunatic::host::process {

inline constexpr std::string_view kModuleName = "lunatic::process";

/// Defines every lunatic::process function in `linker.ns("lunatic::process")`.
void define_functions(binding::Linker& linker);

}  // namespace lunatic::host::process
