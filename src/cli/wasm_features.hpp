// The `-W`/`--wasm` option: which WebAssembly proposals a module may use, spelled as wasmtime
// spells them (`-W simd=n,bulk-memory=n`).
#pragma once

#include <string_view>

#include "common/result.hpp"
#include "wasm/features.hpp"

namespace lunatic::cli {

/// Applies one value of `-W`: comma-separated `NAME` (on), `NAME=y|yes|true` (on) or
/// `NAME=n|no|false` (off), NAME a feature of wasm/features.def ("simd", "bulk-memory", ...).
/// Later settings override earlier ones. Errors (Phase::Usage) name the bad part and list the
/// features.
Result<void> apply_wasm_option(std::string_view value, wasm::Features& features);

}  // namespace lunatic::cli
