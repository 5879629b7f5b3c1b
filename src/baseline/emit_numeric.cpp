// Numeric instructions: the integer ones inline on the register cache (add, sub, mul, bit
// operations, shifts, rotates, comparisons, fused with a following br_if/if, wrap/extend,
// sign extensions, division with its traps, and bit counts where the CPU has
// lzcnt/tzcnt/popcnt), float arithmetic and comparisons inline (SSE; sign bits and the
// conversions that cannot trap: emit_float_bits.cpp), the rest (min/max, rounding,
// truncations) as calls of thunks.cpp's functions, which share the interpreter's semantics.
#include <utility>

#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using wasm::Opcode;

namespace {

enum class Alu : uint8_t { Add, Sub, Mul, And, Or, Xor };
enum class Shift : uint8_t { Shl, ShrS, ShrU, Rotl, Rotr };

}  // namespace

// Binary operations take their lhs's register (or a fresh one) and the rhs as a register, a
// slot or an immediate; results are registers of the cache (value_stack.cpp).
bool FunctionCompiler::translate_integer_inline(Opcode op) {
  const wasm::OpcodeInfo& info = wasm::opcode_info(op);
  const bool wide = static_cast<wasm::Operand>(info.in1) == wasm::Operand::i64;
  const uint32_t bytes = wide ? 8 : 4;
  auto sized = [&](const x86::Gp& r) { return wide ? x86::Gp(r.r64()) : x86::Gp(r.r32()); };
  auto alu = [&](Alu kind) {
    static constexpr x86::Inst::Id kIds[] = {x86::Inst::kIdAdd,  x86::Inst::kIdSub,
                                             x86::Inst::kIdImul, x86::Inst::kIdAnd,
                                             x86::Inst::kIdOr,   x86::Inst::kIdXor};
    const bool commutative = kind != Alu::Sub;
    const Val* lhs = &val(1);
    const Val* rhs = &val(0);
    // The result goes to an operand's register if one has one (its own, or a copy's).
    auto in_a_register = [&](const Val& v) {
      return v.kind == Val::Kind::Reg ||
             (v.kind == Val::Kind::Local && !local_register(v.local).isValid() &&
              copy_register(v.local).isValid());
    };
    if (commutative && !in_a_register(*lhs) && in_a_register(*rhs)) std::swap(lhs, rhs);
    // Computed in the register local the next instruction sets: loading the lhs there must not
    // overwrite a rhs that reads that local (swapped to the lhs, or not done).
    x86::Gp target = result_local(2);
    if (target.isValid()) {
      auto is_target = [&](const Val& v) {
        return v.kind == Val::Kind::Local && local_register(v.local) == target;
      };
      if (is_target(*rhs) && !is_target(*lhs)) {
        if (commutative) {
          std::swap(lhs, rhs);
        } else {
          target = x86::Gp();
        }
      }
    }
    if (!target.isValid() && (kind == Alu::Add || kind == Alu::Sub) &&
        lea_sum(*lhs, *rhs, kind == Alu::Sub, wide)) {
      return true;
    }
    if (target.isValid()) load(*lhs, target);
    const x86::Gp dst = target.isValid() ? target : result_reg(*lhs, true);
    // rax: rcx may hold memory_base (base_in_rcx_).
    asmjit::Operand src = operand(*rhs, bytes, x86::rax);
    if (kind == Alu::Mul && src.isImm()) {  // imul has no two-operand immediate form
      a_.imul(sized(dst), sized(dst), src.as<asmjit::Imm>());
    } else {
      a_.emit(kIds[static_cast<int>(kind)], sized(dst), src);
    }
    pop_vals(2);
    push_reg(dst);
    return true;
  };
  auto shifted = [&](Shift kind) {
    static constexpr x86::Inst::Id kIds[] = {x86::Inst::kIdShl, x86::Inst::kIdSar,
                                             x86::Inst::kIdShr, x86::Inst::kIdRol,
                                             x86::Inst::kIdRor};
    const Val& lhs = val(1);
    const Val& count = val(0);
    // In the register local the next instruction sets, unless the count reads it.
    x86::Gp target = result_local(2);
    if (target.isValid() && count.kind == Val::Kind::Local &&
        local_register(count.local) == target) {
      target = x86::Gp();
    }
    if (target.isValid()) load(lhs, target);
    const x86::Gp dst = target.isValid() ? target : result_reg(lhs, true);
    // The hardware takes the count modulo the width, as Wasm does.
    if (count.kind == Val::Kind::Const) {
      a_.emit(kIds[static_cast<int>(kind)], sized(dst), asmjit::Imm(count.bits & (wide ? 63 : 31)));
    } else {
      load(count, x86::rcx);
      a_.emit(kIds[static_cast<int>(kind)], sized(dst), x86::cl);
    }
    pop_vals(2);
    push_reg(dst);
    return true;
  };
  auto compare = [&](x86::CondCode cc, bool eqz) {
    // Left to the branch, or to a scalar select (cmov on the flags); a select of v128s takes
    // its condition as a value.
    const uint32_t operands = eqz ? 1 : 2;
    if (next_op_ == Opcode::BrIf || next_op_ == Opcode::If ||
        ((next_op_ == Opcode::Select || next_op_ == Opcode::SelectT) && sp_ >= operands + 2 &&
         !val(operands).v128)) {
      fused_ = Fused{true, wide, eqz, cc};
      return true;
    }
    emit_compare(wide, eqz);
    pop_vals(eqz ? 1 : 2);
    const x86::Gp dst = alloc();  // spilling only moves: the flags survive
    a_.set(cc, x86::gpb(dst.id()));
    a_.movzx(dst.r32(), x86::gpb(dst.id()));
    push_reg(dst);
    return true;
  };
  auto unary = [&](auto emit) { return unary_in_place(emit, result_local(1)); };
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
    case Opcode::I64Eq: return compare(x86::CondCode::kEqual, false);
    case Opcode::I32Ne:
    case Opcode::I64Ne: return compare(x86::CondCode::kNotEqual, false);
    case Opcode::I32LtS:
    case Opcode::I64LtS: return compare(x86::CondCode::kSignedLT, false);
    case Opcode::I32LtU:
    case Opcode::I64LtU: return compare(x86::CondCode::kUnsignedLT, false);
    case Opcode::I32GtS:
    case Opcode::I64GtS: return compare(x86::CondCode::kSignedGT, false);
    case Opcode::I32GtU:
    case Opcode::I64GtU: return compare(x86::CondCode::kUnsignedGT, false);
    case Opcode::I32LeS:
    case Opcode::I64LeS: return compare(x86::CondCode::kSignedLE, false);
    case Opcode::I32LeU:
    case Opcode::I64LeU: return compare(x86::CondCode::kUnsignedLE, false);
    case Opcode::I32GeS:
    case Opcode::I64GeS: return compare(x86::CondCode::kSignedGE, false);
    case Opcode::I32GeU:
    case Opcode::I64GeU: return compare(x86::CondCode::kUnsignedGE, false);
    case Opcode::I32Eqz:
    case Opcode::I64Eqz: return compare(x86::CondCode::kEqual, true);
    case Opcode::I32WrapI64:
    case Opcode::I64ExtendI32U: return unary([&](const x86::Gp& r) { a_.mov(r.r32(), r.r32()); });
    case Opcode::I64ExtendI32S: return unary([&](const x86::Gp& r) { a_.movsxd(r, r.r32()); });
    case Opcode::I32Extend8S:
    case Opcode::I64Extend8S:
      return unary([&](const x86::Gp& r) { a_.movsx(sized(r), x86::gpb(r.id())); });
    case Opcode::I32Extend16S:
    case Opcode::I64Extend16S:
      return unary([&](const x86::Gp& r) { a_.movsx(sized(r), x86::gpw(r.id())); });
    case Opcode::I64Extend32S: return unary([&](const x86::Gp& r) { a_.movsxd(r, r.r32()); });
    case Opcode::I32DivS:
    case Opcode::I64DivS:
    case Opcode::I32DivU:
    case Opcode::I64DivU:
    case Opcode::I32RemS:
    case Opcode::I64RemS:
    case Opcode::I32RemU:
    case Opcode::I64RemU: emit_division(op, wide); return true;
    case Opcode::I32Clz:
    case Opcode::I64Clz:
    case Opcode::I32Ctz:
    case Opcode::I64Ctz:
    case Opcode::I32Popcnt:
    case Opcode::I64Popcnt: return translate_bit_count(op, wide);
    case Opcode::I32ReinterpretF32:
    case Opcode::I64ReinterpretF64:
    case Opcode::F32ReinterpretI32:
    case Opcode::F64ReinterpretI64: return true;  // the same Slot bits
    default: return false;
  }
}

// lhs + rhs (or lhs - a constant) into a fresh register with one lea, when lhs is a register
// local (result_reg would move it into the fresh register first) and rhs a constant, a register
// local or a cache register (not a copy: alloc may give that register out). lea computes modulo
// 2^64, and its 32-bit form keeps the low half: i32 arithmetic, zero-extended as a Slot.
bool FunctionCompiler::lea_sum(const Val& lhs, const Val& rhs, bool sub, bool wide) {
  if (lhs.kind != Val::Kind::Local) return false;
  const x86::Gp base = local_register(lhs.local);
  if (!base.isValid()) return false;
  x86::Mem sum;
  if (rhs.kind == Val::Kind::Const) {
    int64_t disp = 0;
    if (wide) {
      disp = static_cast<int64_t>(rhs.bits);
      if (sub) {
        if (rhs.bits == uint64_t{1} << 63) return false;
        disp = -disp;
      }
      if (disp != static_cast<int32_t>(disp)) return false;
    } else {  // any i32: its negation modulo 2^32 is one too
      const uint32_t bits = static_cast<uint32_t>(rhs.bits);
      disp = static_cast<int32_t>(sub ? 0u - bits : bits);
    }
    sum = x86::ptr(base, static_cast<int32_t>(disp));
  } else if (sub) {
    return false;
  } else if (rhs.kind == Val::Kind::Reg) {
    sum = x86::ptr(base, x86::gpq(rhs.reg));
  } else if (rhs.kind == Val::Kind::Local && local_register(rhs.local).isValid()) {
    sum = x86::ptr(base, local_register(rhs.local));
  } else {
    return false;
  }
  const x86::Gp dst = alloc();
  if (wide) {
    a_.lea(dst, sum);
  } else {
    a_.lea(dst.r32(), sum);
  }
  pop_vals(2);
  push_reg(dst);
  return true;
}

bool FunctionCompiler::translate_bit_count(Opcode op, bool wide) {
  x86::Inst::Id id = x86::Inst::kIdNone;
  switch (op) {
    case Opcode::I32Clz:
    case Opcode::I64Clz:
      if (m_.has_lzcnt) id = x86::Inst::kIdLzcnt;
      break;
    case Opcode::I32Ctz:
    case Opcode::I64Ctz:
      if (m_.has_bmi1) id = x86::Inst::kIdTzcnt;
      break;
    default:
      if (m_.has_popcnt) id = x86::Inst::kIdPopcnt;
      break;
  }
  if (id == x86::Inst::kIdNone) return false;
  const Val& v = val(0);
  const x86::Gp dst = v.kind == Val::Kind::Reg ? x86::gpq(v.reg) : alloc();
  asmjit::Operand src = operand(v, wide ? 8 : 4, x86::rax, true);
  if (src.isImm()) {
    load(v, x86::rax);
    src = wide ? x86::Gp(x86::rax) : x86::Gp(x86::eax);
  }
  a_.emit(id, wide ? x86::Gp(dst.r64()) : x86::Gp(dst.r32()), src);
  pop_vals(1);
  push_reg(dst);
  return true;
}

// Division and remainder inline, with the interpreter's traps (engine/numeric.hpp): divide by
// zero, div_s of INT_MIN by -1 overflows, rem_s by -1 is 0. rax:rdx and rcx are the scratch.
void FunctionCompiler::emit_division(Opcode op, bool wide) {
  const bool is_signed = op == Opcode::I32DivS || op == Opcode::I64DivS || op == Opcode::I32RemS ||
                         op == Opcode::I64RemS;
  const bool is_rem = op == Opcode::I32RemS || op == Opcode::I64RemS || op == Opcode::I32RemU ||
                      op == Opcode::I64RemU;
  const Val& divisor = val(0);
  const uint64_t mask = wide ? ~uint64_t{0} : 0xFFFF'FFFFu;
  const bool known = divisor.kind == Val::Kind::Const;
  const uint64_t d = divisor.bits & mask;
  const x86::Gp rcx = wide ? x86::Gp(x86::rcx) : x86::Gp(x86::ecx);
  load(divisor, x86::rcx);
  if (!known || d == 0) {
    a_.test(rcx, rcx);
    a_.jz(trap_label(engine::TrapKind::IntegerDivideByZero));
  }
  load(val(1), x86::rax);
  asmjit::Label done = a_.newLabel();
  if (is_signed) {
    if (!known || d == mask) {  // the divisor may be -1
      asmjit::Label ordinary = a_.newLabel();
      a_.cmp(rcx, -1);
      a_.jne(ordinary);
      if (is_rem) {
        a_.xor_(x86::edx, x86::edx);
        a_.jmp(done);
      } else {
        if (wide) {
          a_.mov(x86::rdx, uint64_t{1} << 63);
          a_.cmp(x86::rax, x86::rdx);
        } else {
          a_.cmp(x86::eax, INT32_MIN);
        }
        a_.je(trap_label(engine::TrapKind::IntegerOverflow));
      }
      a_.bind(ordinary);
    }
    if (wide) {
      a_.cqo();
    } else {
      a_.cdq();
    }
    a_.idiv(rcx);
  } else {
    a_.xor_(x86::edx, x86::edx);
    a_.div(rcx);
  }
  a_.bind(done);
  pop_vals(2);
  const x86::Gp dst = alloc();
  a_.mov(dst, is_rem ? x86::rdx : x86::rax);  // 32-bit results are zero-extended
  push_reg(dst);
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

bool FunctionCompiler::is_float_inline(Opcode op) {
  switch (op) {
    case Opcode::F32Add:
    case Opcode::F64Add:
    case Opcode::F32Sub:
    case Opcode::F64Sub:
    case Opcode::F32Mul:
    case Opcode::F64Mul:
    case Opcode::F32Div:
    case Opcode::F64Div:
    case Opcode::F32Sqrt:
    case Opcode::F64Sqrt:
    case Opcode::F32Eq:
    case Opcode::F64Eq:
    case Opcode::F32Ne:
    case Opcode::F64Ne:
    case Opcode::F32Lt:
    case Opcode::F64Lt:
    case Opcode::F32Gt:
    case Opcode::F64Gt:
    case Opcode::F32Le:
    case Opcode::F64Le:
    case Opcode::F32Ge:
    case Opcode::F64Ge: return true;
    default: return false;
  }
}

// Integer operations work on the register cache; float ones on their operands' slots (they
// use only rax, rcx, xmm0 and xmm1, so the rest of the cache stays); thunks are calls, which
// need the whole stack in its slots.
Result<bool> FunctionCompiler::translate_numeric(const wasm::Instr& in) {
  if (translate_integer_inline(in.op) || translate_float_bits(in.op)) return true;
  if (is_float_inline(in.op)) {
    flush_top(2);
    return translate_float_inline(in.op);
  }
  const Thunk thunk = numeric_thunk(in.op);
  if (thunk.fn == nullptr) return false;
  spill_all();
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
