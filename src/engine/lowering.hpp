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

}  // namespace lunatic::engine
