// Lowering: a validated function body -> the compact internal code the interpreter runs
// (immediates decoded, branch targets and stack heights resolved).
#pragma once

#include <memory>

#include "common/result.hpp"
#include "wasm/module.hpp"

namespace lunatic::engine {

struct CompiledFunction;  // defined by the interpreter's code format (code.hpp)

/// Lowers defined function `defined_index` of a validated module.
Result<std::unique_ptr<CompiledFunction>> lower(const wasm::Module& module, uint32_t defined_index);
/// Function `defined_index` of a validated module as compile() makes it: its index, type and
/// slot counts, not lowered (`lowered` false).
std::unique_ptr<CompiledFunction> unlowered_function(const wasm::Module& module,
                                                     uint32_t defined_index);
/// Lowers `out`, made by unlowered_function, in place: writes its code and frame fields, never
/// the ones unlowered_function wrote (others may read them meanwhile) nor `lowered` (the
/// caller publishes).
Result<void> lower_into(const wasm::Module& module, uint32_t defined_index, CompiledFunction& out);

}  // namespace lunatic::engine
