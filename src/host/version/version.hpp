// lunatic::version: the runtime's version, for guests that adapt to it.
#pragma once

#include "binding/linker.hpp"

namespace lunatic::host::version {

inline constexpr std::string_view kModuleName = "lunatic::version";

/// Defines major, minor and patch in `linker.ns("lunatic::version")`.
void define_functions(binding::Linker& linker);

}  // namespace lunatic::host::version
