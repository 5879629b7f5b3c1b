// The standard host functions: WASI preview1 and every lunatic::* namespace, in one Linker.
// The `lunatic` command runs every module against it; an embedder starts from it and adds
// namespaces of its own.
#pragma once

#include <memory>

#include "binding/linker.hpp"

namespace lunatic::host {

/// Defines WASI preview1 and every lunatic::* namespace in `linker`.
void define_standard_functions(binding::Linker& linker);

/// A new Linker with the standard functions defined. Add namespaces of your own before handing
/// it to a runtime (RuntimeConfig::linker), which only reads it from then on.
std::shared_ptr<binding::Linker> standard_linker();

}  // namespace lunatic::host
