// lunatic::error: the text of the error ids that fallible lunatic::* calls write.
#pragma once

#include "binding/linker.hpp"

namespace lunatic::host::error {

inline constexpr std::string_view kModuleName = "lunatic::error";

/// Defines string_size, to_string and drop in `linker.ns("lunatic::error")`.
void define_functions(binding::Linker& linker);

}  // namespace lunatic::host::error
