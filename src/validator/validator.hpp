// The validator: checks a decoded module against the type system of WebAssembly 2.0 (spec
// section 3), with the spec's messages ("type mismatch", "unknown function 3", ...).
#pragma once

#include "common/result.hpp"
#include "wasm/features.hpp"
#include "wasm/module.hpp"

namespace lunatic::validator {

/// Validates the whole module: types, imports, function bodies (operand-stack type checking),
/// tables, memories, globals, constant expressions, exports, start, segments. The module-level
/// rules of disabled proposals apply too: one table at most without reference-types, no import
/// or export of a mutable global without mutable-globals (the decoder, given the same
/// `features`, has already refused their instructions, types and encodings).
Result<void> validate(const wasm::Module& module, const wasm::Features& features = {});

}  // namespace lunatic::validator
