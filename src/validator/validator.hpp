// The validator: checks a decoded module against the type system of WebAssembly 2.0 (spec
// section 3), with the spec's messages ("type mismatch", "unknown function 3", ...).
#pragma once

#include "common/result.hpp"
#include "wasm/module.hpp"

namespace lunatic::validator {

/// Validates the whole module: types, imports, function bodies (operand-stack type checking),
/// tables, memories, globals, constant expressions, exports, start, segments.
Result<void> validate(const wasm::Module& module);

}  // namespace lunatic::validator
