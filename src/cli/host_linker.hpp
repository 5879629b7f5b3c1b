// The host functions this runtime offers its guests: every namespace, in one Linker that `run`
// hands to the runtime and `inspect` resolves a module's imports against.
#pragma once

#include <memory>

#include "binding/linker.hpp"

namespace lunatic::cli {

/// A Linker with WASI preview1 and every lunatic::* namespace defined (each process's
/// environment then filters what it may import).
std::shared_ptr<const binding::Linker> make_host_linker();

}  // namespace lunatic::cli
