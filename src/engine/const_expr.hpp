// Evaluation of constant expressions (global initialisers, segment offsets, element items)
// during instantiation. Internal to the engine.
#pragma once

#include "common/result.hpp"
#include "engine/store.hpp"
#include "wasm/module.hpp"

namespace lunatic::engine {

/// Evaluates `expr` in `instance`: ref.func reads instance.functions, global.get reads
/// instance.globals (those allocated so far). The result is one Slot (an i32 zero-extended).
/// A validated module always evaluates; anything else (stack underflow, an unknown index, a
/// non-constant instruction) is an Error{Phase::Instantiate}, never a crash.
Result<Slot> eval_const_expr(const wasm::ConstExpr& expr, const Instance& instance);

}  // namespace lunatic::engine
