// Constant expressions (spec 3.3.10): global initialisers, segment offsets and element items.
#pragma once

#include "validator/module_context.hpp"

namespace lunatic::validator {

/// Checks that `expr` is constant and leaves exactly one value of type `expected`.
/// `global.get` may name only imported, immutable globals (WebAssembly 2.0).
/// `where` is the offset reported when the expression is empty.
Result<void> check_const_expr(const ModuleContext& ctx, const wasm::ConstExpr& expr,
                              wasm::ValType expected, uint64_t where = Error::kNoOffset);

}  // namespace lunatic::validator
