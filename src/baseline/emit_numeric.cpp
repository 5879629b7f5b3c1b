// Numeric instructions: the common integer ones inline (add, sub, mul, bit operations, shifts,
// rotates, comparisons, wrap/extend, and bit counts where the CPU has lzcnt/tzcnt/popcnt),
// float arithmetic and comparisons inline (SSE), the rest (min/max, rounding, sign bits,
// conversions, division) as
// calls of thunks.cpp's functions, which share the interpreter's semantics.
#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using wasm::Opcode;

namespace {

enum class Alu : uint8_t { Add, Sub, Mul, And, Or, Xor };
enum class Shift : uint8_t { Shl, ShrS, ShrU, Rotl, Rotr };

}  // namespace

bool FunctionCompiler::translate_integer_inline(Opcode op) {
  const wasm::OpcodeInfo& info = wasm::opcode_info(op);
  const bool wide = static_cast<wasm::Operand>(info.in1) == wasm::Operand::i64;
  const x86::Gp a = wide ? x86::Gp(x86::rax) : x86::Gp(x86::eax);
  auto operand = [&](uint32_t from_top) {
    x86::Mem mem = top(from_top);
    mem.setSize(wide ? 8 : 4);
    return mem;
  };
  auto alu = [&](Alu kind) {
    a_.mov(a, operand(1));
    switch (kind) {
      case Alu::Add: a_.add(a, operand(0)); break;
      case Alu::Sub: a_.sub(a, operand(0)); break;
      case Alu::Mul: a_.imul(a, operand(0)); break;
      case Alu::And: a_.and_(a, operand(0)); break;
      case Alu::Or: a_.or_(a, operand(0)); break;
      case Alu::Xor: a_.xor_(a, operand(0)); break;
    }
    a_.mov(top(1), x86::rax);  // a 32-bit result is zero-extended in rax
    --sp_;
    return true;
  };
  auto shifted = [&](Shift kind) {
    a_.mov(a, operand(1));
    x86::Mem count = top(0);
    count.setSize(4);
    a_.mov(x86::ecx, count);
    switch (kind) {  // the hardware takes the count modulo the width, as Wasm does
      case Shift::Shl: a_.shl(a, x86::cl); break;
      case Shift::ShrS: a_.sar(a, x86::cl); break;
      case Shift::ShrU: a_.shr(a, x86::cl); break;
      case Shift::Rotl: a_.rol(a, x86::cl); break;
      case Shift::Rotr: a_.ror(a, x86::cl); break;
    }
    a_.mov(top(1), x86::rax);
    --sp_;
    return true;
  };
  auto compare = [&](x86::CondCode cc) {
    a_.mov(a, operand(1));
    a_.cmp(a, operand(0));
    a_.set(cc, x86::al);
    a_.movzx(x86::eax, x86::al);
    a_.mov(top(1), x86::rax);
    --sp_;
    return true;
  };
  switch (op) {
    case Opcode::I32Add:
    case Opcode::I64Add: return alu(Alu::Add);
    case Opcode::I32Sub:
    case Opcode::I64Sub: return alu(Alu::Sub);
    case Opcode::I32Mul:
    case Opcode::I64Mul: return alu(Alu::Mul);
    case Opcode::I32And:
    case Opcode::I64And: return alu(Alu::And);
    case Opcode::I32Or:
    case Opcode::I64Or: return alu(Alu::Or);
    case Opcode::I32Xor:
    case Opcode::I64Xor: return alu(Alu::Xor);
    case Opcode::I32Shl:
    case Opcode::I64Shl: return shifted(Shift::Shl);
    case Opcode::I32ShrS:
    case Opcode::I64ShrS: return shifted(Shift::ShrS);
    case Opcode::I32ShrU:
    case Opcode::I64ShrU: return shifted(Shift::ShrU);
    case Opcode::I32Rotl:
    case Opcode::I64Rotl: return shifted(Shift::Rotl);
    case Opcode::I32Rotr:
    case Opcode::I64Rotr: return shifted(Shift::Rotr);
    case Opcode::I32Eq:
    case Opcode::I64Eq: return compare(x86::CondCode::kEqual);
    case Opcode::I32Ne:
    case Opcode::I64Ne: return compare(x86::CondCode::kNotEqual);
    case Opcode::I32LtS:
    case Opcode::I64LtS: return compare(x86::CondCode::kSignedLT);
    case Opcode::I32LtU:
    case Opcode::I64LtU: return compare(x86::CondCode::kUnsignedLT);
    case Opcode::I32GtS:
    case Opcode::I64GtS: return compare(x86::CondCode::kSignedGT);
    case Opcode::I32GtU:
    case Opcode::I64GtU: return compare(x86::CondCode::kUnsignedGT);
    case Opcode::I32LeS:
    case Opcode::I64LeS: return compare(x86::CondCode::kSignedLE);
    case Opcode::I32LeU:
    case Opcode::I64LeU: return compare(x86::CondCode::kUnsignedLE);
    case Opcode::I32GeS:
    case Opcode::I64GeS: return compare(x86::CondCode::kSignedGE);
    case Opcode::I32GeU:
    case Opcode::I64GeU: return compare(x86::CondCode::kUnsignedGE);
    case Opcode::I32Eqz:
    case Opcode::I64Eqz:
      a_.cmp(operand(0), 0);
      a_.sete(x86::al);
      a_.movzx(x86::eax, x86::al);
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::I32WrapI64:
    case Opcode::I64ExtendI32U:
      a_.mov(x86::eax, top(0).cloneResized(4));
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::I64ExtendI32S:
      a_.movsxd(x86::rax, top(0).cloneResized(4));
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::I32Clz:
    case Opcode::I64Clz:
      if (!m_.has_lzcnt) return false;
      a_.lzcnt(a, operand(0));
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::I32Ctz:
    case Opcode::I64Ctz:
      if (!m_.has_bmi1) return false;
      a_.tzcnt(a, operand(0));
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::I32Popcnt:
    case Opcode::I64Popcnt:
      if (!m_.has_popcnt) return false;
      a_.popcnt(a, operand(0));
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::I32ReinterpretF32:
    case Opcode::I64ReinterpretF64:
    case Opcode::F32ReinterpretI32:
    case Opcode::F64ReinterpretI64: return true;  // the same Slot bits
    default: return false;
  }
}

// f32/f64 add, sub, mul, div, sqrt and comparisons as SSE instructions: the ones the compiler
// emits for the interpreter's `a + b` (numeric.hpp), so the results are the same.
bool FunctionCompiler::translate_float_inline(Opcode op) {
  const wasm::OpcodeInfo& info = wasm::opcode_info(op);
  const bool is_f64 = static_cast<wasm::Operand>(info.in1) == wasm::Operand::f64;
  auto operand = [&](uint32_t from_top) { return top(from_top).cloneResized(is_f64 ? 8 : 4); };
  auto load = [&](const x86::Xmm& reg, uint32_t from_top) {
    if (is_f64) {
      a_.movsd(reg, operand(from_top));
    } else {
      a_.movss(reg, operand(from_top));
    }
  };
  auto arithmetic = [&](auto emit_sd, auto emit_ss) {
    load(x86::xmm0, 1);
    if (is_f64) {
      emit_sd(operand(0));
    } else {
      emit_ss(operand(0));
    }
    a_.movq(x86::rax, x86::xmm0);
    if (!is_f64) a_.mov(x86::eax, x86::eax);  // the f32 bits, zero-extended
    a_.mov(top(1), x86::rax);
    --sp_;
    return true;
  };
  // Unordered operands set ZF, PF and CF: `above` and `above or equal` are false for NaNs.
  auto compare = [&](bool swap, x86::CondCode cc) {
    load(x86::xmm0, swap ? 0 : 1);
    load(x86::xmm1, swap ? 1 : 0);
    if (is_f64) {
      a_.ucomisd(x86::xmm0, x86::xmm1);
    } else {
      a_.ucomiss(x86::xmm0, x86::xmm1);
    }
    a_.set(cc, x86::al);
    if (cc == x86::CondCode::kEqual) {
      a_.setnp(x86::cl);
      a_.and_(x86::al, x86::cl);
    } else if (cc == x86::CondCode::kNotEqual) {
      a_.setp(x86::cl);
      a_.or_(x86::al, x86::cl);
    }
    a_.movzx(x86::eax, x86::al);
    a_.mov(top(1), x86::rax);
    --sp_;
    return true;
  };
  switch (op) {
    case Opcode::F32Add:
    case Opcode::F64Add:
      return arithmetic([&](const x86::Mem& m) { a_.addsd(x86::xmm0, m); },
                        [&](const x86::Mem& m) { a_.addss(x86::xmm0, m); });
    case Opcode::F32Sub:
    case Opcode::F64Sub:
      return arithmetic([&](const x86::Mem& m) { a_.subsd(x86::xmm0, m); },
                        [&](const x86::Mem& m) { a_.subss(x86::xmm0, m); });
    case Opcode::F32Mul:
    case Opcode::F64Mul:
      return arithmetic([&](const x86::Mem& m) { a_.mulsd(x86::xmm0, m); },
                        [&](const x86::Mem& m) { a_.mulss(x86::xmm0, m); });
    case Opcode::F32Div:
    case Opcode::F64Div:
      return arithmetic([&](const x86::Mem& m) { a_.divsd(x86::xmm0, m); },
                        [&](const x86::Mem& m) { a_.divss(x86::xmm0, m); });
    case Opcode::F32Sqrt:
    case Opcode::F64Sqrt:
      if (is_f64) {
        a_.sqrtsd(x86::xmm0, operand(0));
      } else {
        a_.sqrtss(x86::xmm0, operand(0));
      }
      a_.movq(x86::rax, x86::xmm0);
      if (!is_f64) a_.mov(x86::eax, x86::eax);
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::F32Eq:
    case Opcode::F64Eq: return compare(false, x86::CondCode::kEqual);
    case Opcode::F32Ne:
    case Opcode::F64Ne: return compare(false, x86::CondCode::kNotEqual);
    case Opcode::F32Lt:
    case Opcode::F64Lt: return compare(true, x86::CondCode::kUnsignedGT);
    case Opcode::F32Gt:
    case Opcode::F64Gt: return compare(false, x86::CondCode::kUnsignedGT);
    case Opcode::F32Le:
    case Opcode::F64Le: return compare(true, x86::CondCode::kUnsignedGE);
    case Opcode::F32Ge:
    case Opcode::F64Ge: return compare(false, x86::CondCode::kUnsignedGE);
    default: return false;
  }
}

Result<bool> FunctionCompiler::translate_numeric(const wasm::Instr& in) {
  if (translate_integer_inline(in.op) || translate_float_inline(in.op)) return true;
  const Thunk thunk = numeric_thunk(in.op);
  if (thunk.fn == nullptr) return false;
  const wasm::OpcodeInfo& info = wasm::opcode_info(in.op);
  const bool binary = static_cast<wasm::Operand>(info.in2) != wasm::Operand::none;
  if (thunk.traps) store_site();
  a_.mov(x86::rdi, x86::rbx);
  if (binary) {
    a_.mov(x86::rsi, top(1));
    a_.mov(x86::rdx, top(0));
    --sp_;
  } else {
    a_.mov(x86::rsi, top(0));
  }
  call_address(thunk.fn);
  a_.mov(top(0), x86::rax);
  return true;
}

}  // namespace lunatic::baseline
