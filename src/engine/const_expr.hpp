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
/// A v128 result's bytes 8..15 go to `*hi` (when given; the Slot returned holds bytes 0..7).
Result<Slot> eval_const_expr(const wasm::ConstExpr& expr, const Instance& instance,
                             Slot* hi = nullptr);

}  // namespace lunatic::engine
