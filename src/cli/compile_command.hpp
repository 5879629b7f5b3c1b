// `lunatic compile`: compile a module's native code ahead of a run, into the code cache.
#pragma once

#include <string>

#include "wasm/features.hpp"

namespace lunatic::cli {

/// Compiles `file` as `run --tier compiled` and `run --tier auto` would (the latter with OSR
/// entries) and stores both in the code cache (codecache::ObjectCache). Prints one line per entry:
/// "FILE: compiled N functions in S s (cache entry PATH, SIZE bytes)". Returns 0, or prints
/// the error and returns 1 (a malformed module as `lunatic validate` reports it). `opt_level`:
/// LLVM's -O level (LUNATIC_JIT_OPT, as `run` reads it); `features`: the proposals the module
/// may use (-W).
int compile_module(const std::string& file, unsigned opt_level,
                   const wasm::Features& features = {});

}  // namespace lunatic::cli
