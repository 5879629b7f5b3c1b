// The names LLVM's code and the runtime agree on: each defined function's typed, slot and OSR
// entry (what the translator defines, what a loader looks up), and the symbols compiled code
// may reference by name, with their addresses in this process.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "wasm/module.hpp"

namespace lunatic::codecache {

/// Name of the typed function of function index `func_index`: "wf<index>".
std::string typed_name(uint32_t func_index);
/// Name of its slot entry: "we<index>".
std::string entry_name(uint32_t func_index);
/// Name of its OSR entry: "wo<index>" (NativeCode::OsrEntry).
std::string osr_name(uint32_t func_index);
/// Whether `name` is that of a wg<index> or wgo<index>: where a typed function or an OSR
/// variant goes when its prologue's checks fail (a trap or the move to the big stack, not a
/// Wasm call).
bool is_checks_failed_name(std::string_view name);

/// The perf map's label of symbol `symbol` ("wf<F>", "wgo<F>", "wf<F>.rest"...): "wasm[wf] "
/// and F's name from the name section, plus ".rest" for a split-off rest.
std::string perf_label(const std::string& symbol, const wasm::Module& wasm);

/// The address of a symbol compiled code may reference by name: a runtime helper of abi.hpp
/// ("lunatic_jit_trap", ...), or a libc/libm function LLVM may call on its own (memcpy, fmod,
/// ceil...). 0 for any other name.
uint64_t runtime_symbol(std::string_view name);

}  // namespace lunatic::codecache
