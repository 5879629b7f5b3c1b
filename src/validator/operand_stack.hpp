// The state of the spec's validation algorithm (appendix "Validation Algorithm"): the operand
// stack of value types and the control stack of frames. Plain vectors kept by the owner across
// functions, so steady-state validation allocates nothing per instruction.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "validator/module_context.hpp"
#include "wasm/opcode.hpp"
#include "wasm/types.hpp"

namespace lunatic::validator {

using TypeSpan = std::span<const wasm::ValType>;

/// One entry of the control stack: a block, loop, if/else, or the function body itself.
struct ControlFrame {
  wasm::Opcode op = wasm::Opcode::Block;
  TypeSpan start;            ///< types on entry (block parameters)
  TypeSpan end;              ///< types on exit (block results)
  uint32_t height = 0;       ///< operand-stack height at entry, below the parameters
  bool unreachable = false;  ///< the rest of the block is dead code: the stack is polymorphic

  /// Types a branch to this label carries: a loop's branch goes back to its start.
  TypeSpan label_types() const { return op == wasm::Opcode::Loop ? start : end; }
};

/// Operand and control stacks. Every check returns false on a type error; the caller turns
/// that into "type mismatch" at the offending instruction.
class OperandStack {
 public:
  void reset() {
    vals_.clear();
    ctrls_.clear();
  }

  void push(wasm::ValType t) { vals_.push_back(t); }
  void push(TypeSpan types) { vals_.insert(vals_.end(), types.begin(), types.end()); }

  /// Pops any value into `out`; kUnknownType at the bottom of an unreachable frame.
  bool pop_any(wasm::ValType& out) {
    const ControlFrame& frame = ctrls_.back();
    if (vals_.size() == frame.height) {
      if (!frame.unreachable) return false;
      out = kUnknownType;
      return true;
    }
    out = vals_.back();
    vals_.pop_back();
    return true;
  }

  /// Pops a value that must match `expect` (either side may be Unknown).
  bool pop(wasm::ValType expect) {
    wasm::ValType actual;
    if (!pop_any(actual)) return false;
    return actual == expect || actual == kUnknownType || expect == kUnknownType;
  }

  /// Pops `types` in reverse order (the last type is on top).
  bool pop(TypeSpan types) {
    for (size_t i = types.size(); i-- > 0;) {
      if (!pop(types[i])) return false;
    }
    return true;
  }

  /// Checks that the top of the stack matches `types` without changing it; equivalent to the
  /// spec's push_vals(pop_vals(types)) when the frame is marked unreachable right after.
  bool peek(TypeSpan types) const {
    const ControlFrame& frame = ctrls_.back();
    size_t pos = vals_.size();
    for (size_t i = types.size(); i-- > 0;) {
      if (pos == frame.height) return frame.unreachable;  // the rest is polymorphic
      const wasm::ValType actual = vals_[--pos];
      if (actual != types[i] && actual != kUnknownType) return false;
    }
    return true;
  }

  void push_ctrl(wasm::Opcode op, TypeSpan start, TypeSpan end) {
    ctrls_.push_back(ControlFrame{op, start, end, uint32_t(vals_.size()), false});
    push(start);
  }

  /// Pops the innermost frame into `out` after checking its results are on the stack, and
  /// nothing else above its height.
  bool pop_ctrl(ControlFrame& out) {
    if (!pop(ctrls_.back().end)) return false;
    if (vals_.size() != ctrls_.back().height) return false;
    out = ctrls_.back();
    ctrls_.pop_back();
    return true;
  }

  /// The rest of the current block is unreachable: drop its operands, make the stack polymorphic.
  void set_unreachable() {
    ControlFrame& frame = ctrls_.back();
    vals_.resize(frame.height);
    frame.unreachable = true;
  }

  size_t depth() const { return ctrls_.size(); }
  /// The frame of label `depth` (0 = innermost). @pre depth < this->depth().
  const ControlFrame& frame(uint32_t depth) const { return ctrls_[ctrls_.size() - 1 - depth]; }
  const ControlFrame& outermost() const { return ctrls_.front(); }

 private:
  std::vector<wasm::ValType> vals_;
  std::vector<ControlFrame> ctrls_;
};

}  // namespace lunatic::validator
