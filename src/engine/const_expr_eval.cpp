// Constant expressions: the few instructions allowed in initialisers (spec 3.3.10), run on a
// tiny fixed-size stack. The extended-const arithmetic (i32/i64 add, sub, mul) is accepted too:
// it costs three lines and the validator decides what a module may use.
#include <array>
#include <cstring>
#include <string>

#include "engine/const_expr.hpp"

namespace lunatic::engine {
namespace {

Error malformed(const wasm::Instr& at, std::string what) {
  return Error(Phase::Instantiate, "invalid constant expression", at.offset, std::move(what));
}

}  // namespace

Result<Slot> eval_const_expr(const wasm::ConstExpr& expr, const Instance& instance, Slot* hi) {
  // The common one-instruction initialisers (every element item of a C or C++ module is a
  // ref.func, every offset an i32.const) without the stack: a spawn evaluates dozens.
  if (expr.instrs.size() == 1 && hi == nullptr) {
    const wasm::Instr& in = expr.instrs.front();
    if (in.op == wasm::Opcode::I32Const) return Slot{in.c & 0xFFFF'FFFFu};
    if (in.op == wasm::Opcode::RefFunc && in.a < instance.functions.size()) {
      return reinterpret_cast<Slot>(instance.functions[in.a]);
    }
  }
  // Valid expressions need one slot per pushed constant; 16 is far more than any initialiser
  // a tool emits, and the check below turns a longer one into an error.
  std::array<Slot, 16> stack{};
  std::array<Slot, 16> high{};  // a v128's bytes 8..15, beside its bytes 0..7 in `stack`
  size_t depth = 0;
  using wasm::Opcode;
  for (const wasm::Instr& in : expr.instrs) {
    Slot pushed = 0;
    Slot pushed_hi = 0;
    switch (in.op) {
      case Opcode::I32Const: pushed = in.c & 0xFFFF'FFFFu; break;
      case Opcode::I64Const:
      case Opcode::F32Const:
      case Opcode::F64Const: pushed = in.c; break;
      case Opcode::RefNull: pushed = 0; break;
      case Opcode::V128Const: {
        const wasm::V128Bytes bytes = wasm::v128_immediate(in);
        std::memcpy(&pushed, bytes.data(), 8);
        std::memcpy(&pushed_hi, bytes.data() + 8, 8);
        break;
      }
      case Opcode::RefFunc:
        if (in.a >= instance.functions.size())
          return malformed(in, "unknown function " + std::to_string(in.a));
        pushed = reinterpret_cast<Slot>(instance.functions[in.a]);
        break;
      case Opcode::GlobalGet:
        if (in.a >= instance.globals.size())
          return malformed(in, "unknown global " + std::to_string(in.a));
        pushed = instance.globals[in.a]->value;
        pushed_hi = instance.globals[in.a]->hi;
        break;
      case Opcode::I32Add:
      case Opcode::I32Sub:
      case Opcode::I32Mul:
      case Opcode::I64Add:
      case Opcode::I64Sub:
      case Opcode::I64Mul: {
        if (depth < 2) return malformed(in, "operand stack underflow");
        Slot rhs = stack[--depth];
        Slot lhs = stack[--depth];
        bool is32 = in.op == Opcode::I32Add || in.op == Opcode::I32Sub || in.op == Opcode::I32Mul;
        if (in.op == Opcode::I32Add || in.op == Opcode::I64Add)
          pushed = lhs + rhs;
        else if (in.op == Opcode::I32Sub || in.op == Opcode::I64Sub)
          pushed = lhs - rhs;
        else
          pushed = lhs * rhs;  // unsigned wrap-around is two's complement wrap-around
        if (is32) pushed &= 0xFFFF'FFFFu;
        break;
      }
      default:
        return malformed(in,
                         std::string("not a constant instruction: ") + wasm::opcode_name(in.op));
    }
    if (depth == stack.size()) return malformed(in, "expression too deep");
    high[depth] = pushed_hi;
    stack[depth++] = pushed;
  }
  if (depth != 1) {
    return Error(Phase::Instantiate, "invalid constant expression", Error::kNoOffset,
                 "leaves " + std::to_string(depth) + " values");
  }
  if (hi != nullptr) *hi = high[0];
  return stack[0];
}

}  // namespace lunatic::engine
