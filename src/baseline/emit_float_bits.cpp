// Float instructions on the register cache (a float is a Slot in a general register: f32 bits
// zero-extended): abs, neg and copysign as the bit operations the spec defines them as, and
// the conversions that cannot trap and that the hardware does in one instruction, the ones
// the interpreter's C++ casts compile to (engine/numeric.hpp: convert, promote, demote), so
// both tiers give the same bits. Trapping and saturating truncations, min/max and rounding
// still call thunks.cpp.
#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using wasm::Opcode;

bool FunctionCompiler::translate_float_bits(Opcode op) {
  auto bits = [&](auto emit) { return unary_in_place(emit); };  // in place on the bits
  // The operand through xmm0 (`emit` converts it there), the result into a fresh register.
  auto convert = [&](auto emit, bool f64_result) {
    emit(in_reg(val(0), x86::rax));
    pop_vals(1);
    const x86::Gp dst = alloc();  // spilling uses rax at most: xmm0 survives
    if (f64_result) {
      a_.movq(dst, x86::xmm0);
    } else {
      a_.movd(dst.r32(), x86::xmm0);  // zero-extends
    }
    push_reg(dst);
    return true;
  };
  switch (op) {
    case Opcode::F32Abs: return bits([&](const x86::Gp& r) { a_.and_(r.r32(), 0x7FFF'FFFF); });
    case Opcode::F32Neg:
      return bits([&](const x86::Gp& r) { a_.xor_(r.r32(), static_cast<int32_t>(0x8000'0000u)); });
    case Opcode::F64Abs: return bits([&](const x86::Gp& r) { a_.btr(r, 63); });
    case Opcode::F64Neg: return bits([&](const x86::Gp& r) { a_.btc(r, 63); });
    case Opcode::F32Copysign:
    case Opcode::F64Copysign: {
      const bool wide = op == Opcode::F64Copysign;
      load(val(0), x86::rcx);  // the sign's source
      pop_vals(1);
      return bits([&](const x86::Gp& r) {
        if (wide) {
          a_.btr(r, 63);
          a_.shr(x86::rcx, 63);
          a_.shl(x86::rcx, 63);
          a_.or_(r, x86::rcx);
        } else {
          a_.and_(r.r32(), 0x7FFF'FFFF);
          a_.and_(x86::ecx, static_cast<int32_t>(0x8000'0000u));
          a_.or_(r.r32(), x86::ecx);
        }
      });
    }
    // xorps first: cvtsi2s* writes only the low lane (no dependency on xmm0's last value).
    // An i32's Slot is zero-extended, so its 64-bit form is its unsigned value.
    case Opcode::F32ConvertI32S:
    case Opcode::F64ConvertI32S:
    case Opcode::F32ConvertI32U:
    case Opcode::F64ConvertI32U:
    case Opcode::F32ConvertI64S:
    case Opcode::F64ConvertI64S: {
      const bool to_f64 = op == Opcode::F64ConvertI32S || op == Opcode::F64ConvertI32U ||
                          op == Opcode::F64ConvertI64S;
      const bool narrow = op == Opcode::F32ConvertI32S || op == Opcode::F64ConvertI32S;
      return convert(
          [&](const x86::Gp& src) {
            const x86::Gp s = narrow ? x86::Gp(src.r32()) : x86::Gp(src.r64());
            a_.xorps(x86::xmm0, x86::xmm0);
            if (to_f64) {
              a_.cvtsi2sd(x86::xmm0, s);
            } else {
              a_.cvtsi2ss(x86::xmm0, s);
            }
          },
          to_f64);
    }
    case Opcode::F64PromoteF32:
      return convert(
          [&](const x86::Gp& src) {
            a_.movd(x86::xmm0, src.r32());
            a_.cvtss2sd(x86::xmm0, x86::xmm0);
          },
          true);
    case Opcode::F32DemoteF64:
      return convert(
          [&](const x86::Gp& src) {
            a_.movq(x86::xmm0, src.r64());
            a_.cvtsd2ss(x86::xmm0, x86::xmm0);
          },
          false);
    default: return false;
  }
}

}  // namespace lunatic::baseline
