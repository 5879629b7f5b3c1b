// lunatic::registry: well-known names for processes (put / get / remove).
#pragma once

#include "binding/linker.hpp"

namespace lunatic::host::registry {

inline constexpr std::string_view kModuleName = "lunatic::registry";

/// Defines put, get and remove in `linker.ns("lunatic::registry")`.
void define_functions(binding::Linker& linker);

}  // namespace lunatic::host::registry
