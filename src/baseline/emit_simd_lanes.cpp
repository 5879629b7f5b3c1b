// The lane-wise SIMD instructions the baseline emits inline (emit_simd_inline.cpp has the memory
// and lane accesses): integer arithmetic, compares, shifts, extends, extmul, shuffle and the
// lane masks, each a few SSE instructions on xmm0/xmm1 between the v128 slot pairs. Those whose
// instruction needs SSSE3 or SSE4.1 are inline only when the CPU has it (ModuleState); without it
// they, and every instruction not here, go through the interpreter's step (emit_simd.cpp).
#include <array>
#include <cstring>
#include <vector>

#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using wasm::Opcode;

namespace {

enum class Needs : uint8_t { Sse2, Sse41 };

// A lane-wise binary operation that is one instruction `id` (dst = a, src = b). `swap`: the
// operands the other way round (lt_s is gt_s of b and a); `invert`: the result's bits flipped
// (ne is not eq).
struct Binary {
  x86::Inst::Id id = x86::Inst::kIdNone;
  Needs needs = Needs::Sse2;
  bool swap = false;
  bool invert = false;
};

Binary binary_instruction(Opcode op) {
  namespace I = x86::Inst;
  switch (op) {
    case Opcode::V128And: return {I::kIdPand};
    case Opcode::V128Or: return {I::kIdPor};
    case Opcode::V128Xor: return {I::kIdPxor};
    case Opcode::I8x16Add: return {I::kIdPaddb};
    case Opcode::I16x8Add: return {I::kIdPaddw};
    case Opcode::I32x4Add: return {I::kIdPaddd};
    case Opcode::I64x2Add: return {I::kIdPaddq};
    case Opcode::I8x16Sub: return {I::kIdPsubb};
    case Opcode::I16x8Sub: return {I::kIdPsubw};
    case Opcode::I32x4Sub: return {I::kIdPsubd};
    case Opcode::I64x2Sub: return {I::kIdPsubq};
    case Opcode::I8x16AddSatS: return {I::kIdPaddsb};
    case Opcode::I8x16AddSatU: return {I::kIdPaddusb};
    case Opcode::I16x8AddSatS: return {I::kIdPaddsw};
    case Opcode::I16x8AddSatU: return {I::kIdPaddusw};
    case Opcode::I8x16SubSatS: return {I::kIdPsubsb};
    case Opcode::I8x16SubSatU: return {I::kIdPsubusb};
    case Opcode::I16x8SubSatS: return {I::kIdPsubsw};
    case Opcode::I16x8SubSatU: return {I::kIdPsubusw};
    case Opcode::I8x16MinU: return {I::kIdPminub};
    case Opcode::I8x16MaxU: return {I::kIdPmaxub};
    case Opcode::I16x8MinS: return {I::kIdPminsw};
    case Opcode::I16x8MaxS: return {I::kIdPmaxsw};
    case Opcode::I8x16AvgrU: return {I::kIdPavgb};
    case Opcode::I16x8AvgrU: return {I::kIdPavgw};
    case Opcode::I16x8Mul: return {I::kIdPmullw};
    // Each i32 lane is a[2i]*b[2i] + a[2i+1]*b[2i+1]; the one sum that overflows (all four
    // -32768) wraps to 0x80000000 in both.
    case Opcode::I32x4DotI16x8S: return {I::kIdPmaddwd};
    case Opcode::I8x16NarrowI16x8S: return {I::kIdPacksswb};
    case Opcode::I8x16NarrowI16x8U: return {I::kIdPackuswb};
    case Opcode::I16x8NarrowI32x4S: return {I::kIdPackssdw};
    case Opcode::I8x16Eq: return {I::kIdPcmpeqb};
    case Opcode::I16x8Eq: return {I::kIdPcmpeqw};
    case Opcode::I32x4Eq: return {I::kIdPcmpeqd};
    case Opcode::I8x16Ne: return {I::kIdPcmpeqb, Needs::Sse2, false, true};
    case Opcode::I16x8Ne: return {I::kIdPcmpeqw, Needs::Sse2, false, true};
    case Opcode::I32x4Ne: return {I::kIdPcmpeqd, Needs::Sse2, false, true};
    case Opcode::I8x16GtS: return {I::kIdPcmpgtb};
    case Opcode::I16x8GtS: return {I::kIdPcmpgtw};
    case Opcode::I32x4GtS: return {I::kIdPcmpgtd};
    case Opcode::I8x16LtS: return {I::kIdPcmpgtb, Needs::Sse2, true};
    case Opcode::I16x8LtS: return {I::kIdPcmpgtw, Needs::Sse2, true};
    case Opcode::I32x4LtS: return {I::kIdPcmpgtd, Needs::Sse2, true};
    case Opcode::I8x16LeS: return {I::kIdPcmpgtb, Needs::Sse2, false, true};
    case Opcode::I16x8LeS: return {I::kIdPcmpgtw, Needs::Sse2, false, true};
    case Opcode::I32x4LeS: return {I::kIdPcmpgtd, Needs::Sse2, false, true};
    case Opcode::I8x16GeS: return {I::kIdPcmpgtb, Needs::Sse2, true, true};
    case Opcode::I16x8GeS: return {I::kIdPcmpgtw, Needs::Sse2, true, true};
    case Opcode::I32x4GeS: return {I::kIdPcmpgtd, Needs::Sse2, true, true};
    case Opcode::I32x4Mul: return {I::kIdPmulld, Needs::Sse41};
    case Opcode::I8x16MinS: return {I::kIdPminsb, Needs::Sse41};
    case Opcode::I8x16MaxS: return {I::kIdPmaxsb, Needs::Sse41};
    case Opcode::I16x8MinU: return {I::kIdPminuw, Needs::Sse41};
    case Opcode::I16x8MaxU: return {I::kIdPmaxuw, Needs::Sse41};
    case Opcode::I32x4MinS: return {I::kIdPminsd, Needs::Sse41};
    case Opcode::I32x4MaxS: return {I::kIdPmaxsd, Needs::Sse41};
    case Opcode::I32x4MinU: return {I::kIdPminud, Needs::Sse41};
    case Opcode::I32x4MaxU: return {I::kIdPmaxud, Needs::Sse41};
    case Opcode::I16x8NarrowI32x4U: return {I::kIdPackusdw, Needs::Sse41};
    case Opcode::I64x2Eq: return {I::kIdPcmpeqq, Needs::Sse41};
    case Opcode::I64x2Ne: return {I::kIdPcmpeqq, Needs::Sse41, false, true};
    default: return {};
  }
}

// A shift by a scalar: the instruction (count in an xmm) and the lane width; the count is taken
// modulo the width as Wasm says (the SSE shifts give 0 or all sign bits past it).
struct Shift {
  x86::Inst::Id id = x86::Inst::kIdNone;
  uint32_t lane_bits = 0;
};

Shift shift_instruction(Opcode op) {
  namespace I = x86::Inst;
  switch (op) {
    case Opcode::I16x8Shl: return {I::kIdPsllw, 16};
    case Opcode::I16x8ShrS: return {I::kIdPsraw, 16};
    case Opcode::I16x8ShrU: return {I::kIdPsrlw, 16};
    case Opcode::I32x4Shl: return {I::kIdPslld, 32};
    case Opcode::I32x4ShrS: return {I::kIdPsrad, 32};
    case Opcode::I32x4ShrU: return {I::kIdPsrld, 32};
    case Opcode::I64x2Shl: return {I::kIdPsllq, 64};
    case Opcode::I64x2ShrU: return {I::kIdPsrlq, 64};
    default: return {};
  }
}

// extend_low/high and extmul_low/high: the narrow lanes' bytes, signedness and half, and
// whether the widened lanes of two operands are multiplied; bytes 0: neither.
struct Extend {
  uint32_t bytes = 0;
  bool is_signed = false;
  bool high = false;
  bool multiply = false;
};

Extend extend_of(Opcode op) {
  switch (op) {
#define LUNATIC_WIDEN(Wide, Narrow, bytes)                                      \
  case Opcode::Wide##ExtendLow##Narrow##S: return {bytes, true, false, false};  \
  case Opcode::Wide##ExtendHigh##Narrow##S: return {bytes, true, true, false};  \
  case Opcode::Wide##ExtendLow##Narrow##U: return {bytes, false, false, false}; \
  case Opcode::Wide##ExtendHigh##Narrow##U: return {bytes, false, true, false}; \
  case Opcode::Wide##ExtmulLow##Narrow##S: return {bytes, true, false, true};   \
  case Opcode::Wide##ExtmulHigh##Narrow##S: return {bytes, true, true, true};   \
  case Opcode::Wide##ExtmulLow##Narrow##U: return {bytes, false, false, true};  \
  case Opcode::Wide##ExtmulHigh##Narrow##U: return {bytes, false, true, true};
    LUNATIC_WIDEN(I16x8, I8x16, 1)
    LUNATIC_WIDEN(I32x4, I16x8, 2)
    LUNATIC_WIDEN(I64x2, I32x4, 4)
#undef LUNATIC_WIDEN
    default: return {};
  }
}

bool available(const ModuleState& m, Needs needs) { return needs == Needs::Sse2 || m.has_sse41; }

}  // namespace

// x's narrow lanes (low or high half) widened in place; xmm1 is clobbered.
void FunctionCompiler::emit_extend(const x86::Xmm& x, uint32_t bytes, bool is_signed, bool high) {
  namespace I = x86::Inst;
  static constexpr std::array<I::Id, 3> kLow{I::kIdPunpcklbw, I::kIdPunpcklwd, I::kIdPunpckldq};
  static constexpr std::array<I::Id, 3> kHigh{I::kIdPunpckhbw, I::kIdPunpckhwd, I::kIdPunpckhdq};
  const uint32_t k = bytes == 1 ? 0 : bytes == 2 ? 1 : 2;
  const I::Id unpack = high ? kHigh[k] : kLow[k];
  if (!is_signed) {
    a_.pxor(x86::xmm1, x86::xmm1);
    a_.emit(unpack, x, x86::xmm1);
  } else if (bytes == 4) {  // no 64-bit arithmetic shift in SSE2: the sign dwords beside
    a_.movdqa(x86::xmm1, x);
    a_.psrad(x86::xmm1, 31);
    a_.emit(unpack, x, x86::xmm1);
  } else {  // each lane twice, then shifted down with its sign
    a_.emit(unpack, x, x);
    if (bytes == 1) {
      a_.psraw(x, 8);
    } else {
      a_.psrad(x, 16);
    }
  }
}

// extmul: the products of the widened lanes. i16x8 from i8: both widened, pmullw; i32x4 from i16:
// pmullw's low halves beside pmulh(u)w's high ones; i64x2 from i32: the lanes moved to the even
// dwords, pmul(u)dq (the signed one is SSE4.1).
bool FunctionCompiler::emit_extmul(uint32_t bytes, bool is_signed, bool high) {
  const Extend e{bytes, is_signed, high, true};
  if (e.bytes == 4 && e.is_signed && !m_.has_sse41) return false;
  a_.movdqu(x86::xmm0, v128_at(3));
  a_.movdqu(x86::xmm2, v128_at(1));
  if (e.bytes == 1) {
    emit_extend(x86::xmm0, 1, e.is_signed, e.high);
    emit_extend(x86::xmm2, 1, e.is_signed, e.high);
    a_.pmullw(x86::xmm0, x86::xmm2);
  } else if (e.bytes == 2) {
    a_.movdqa(x86::xmm1, x86::xmm0);
    a_.pmullw(x86::xmm0, x86::xmm2);
    if (e.is_signed) {
      a_.pmulhw(x86::xmm1, x86::xmm2);
    } else {
      a_.pmulhuw(x86::xmm1, x86::xmm2);
    }
    if (e.high) {
      a_.punpckhwd(x86::xmm0, x86::xmm1);
    } else {
      a_.punpcklwd(x86::xmm0, x86::xmm1);
    }
  } else {
    const uint32_t order = e.high ? 0xFA : 0x50;  // lanes 2,2,3,3 or 0,0,1,1
    a_.pshufd(x86::xmm0, x86::xmm0, order);
    a_.pshufd(x86::xmm2, x86::xmm2, order);
    if (e.is_signed) {
      a_.pmuldq(x86::xmm0, x86::xmm2);
    } else {
      a_.pmuludq(x86::xmm0, x86::xmm2);
    }
  }
  a_.movdqu(v128_at(3), x86::xmm0);
  pop_vals(2);
  return true;
}

// i8x16.shuffle with SSSE3: each operand's bytes picked by pshufb (an index with bit 7 set gives
// 0), the two halves or-ed; an operand no lane reads is not touched.
void FunctionCompiler::emit_shuffle(const wasm::Instr& in) {
  const std::array<uint32_t, 4> words{static_cast<uint32_t>(in.c),
                                      static_cast<uint32_t>(in.c >> 32), in.a, in.b};
  std::array<uint8_t, 16> lanes{};
  std::memcpy(lanes.data(), words.data(), 16);
  std::array<uint8_t, 16> from_a{};
  std::array<uint8_t, 16> from_b{};
  bool uses_a = false;
  bool uses_b = false;
  for (size_t i = 0; i < 16; ++i) {
    const bool in_a = lanes[i] < 16;
    from_a[i] = in_a ? lanes[i] : 0x80;
    from_b[i] = in_a ? 0x80 : static_cast<uint8_t>(lanes[i] - 16);
    uses_a |= in_a;
    uses_b |= !in_a;
  }
  auto picked = [&](const x86::Xmm& x, const x86::Mem& operand, const std::array<uint8_t, 16>& m) {
    std::vector<uint32_t> mask(4);
    std::memcpy(mask.data(), m.data(), 16);
    a_.movdqu(x, operand);
    a_.movdqu(x86::xmm2, x86::xmmword_ptr(simd_words(std::move(mask))));
    a_.pshufb(x, x86::xmm2);
  };
  if (uses_a) picked(x86::xmm0, v128_at(3), from_a);
  if (uses_b) picked(uses_a ? x86::xmm1 : x86::xmm0, v128_at(1), from_b);
  if (uses_a && uses_b) a_.por(x86::xmm0, x86::xmm1);
  a_.movdqu(v128_at(3), x86::xmm0);
  pop_vals(2);
}

// The lane masks: bitmask (each lane's top bit), any_true (a byte not 0), all_true (no lane 0).
bool FunctionCompiler::emit_lane_mask(Opcode op) {
  namespace I = x86::Inst;
  I::Id compare = I::kIdNone;  // all_true: the lanes equal to 0
  switch (op) {
    case Opcode::I8x16AllTrue: compare = I::kIdPcmpeqb; break;
    case Opcode::I16x8AllTrue: compare = I::kIdPcmpeqw; break;
    case Opcode::I32x4AllTrue: compare = I::kIdPcmpeqd; break;
    case Opcode::I64x2AllTrue:
      if (!m_.has_sse41) return false;
      compare = I::kIdPcmpeqq;
      break;
    case Opcode::V128AnyTrue:
    case Opcode::I8x16Bitmask:
    case Opcode::I16x8Bitmask:
    case Opcode::I32x4Bitmask:
    case Opcode::I64x2Bitmask: break;
    default: return false;
  }
  const x86::Gp dst = alloc();
  a_.movdqu(x86::xmm0, v128_at(1));
  switch (op) {
    case Opcode::I8x16Bitmask: a_.pmovmskb(dst.r32(), x86::xmm0); break;
    case Opcode::I16x8Bitmask:  // packsswb keeps each lane's sign
      a_.packsswb(x86::xmm0, x86::xmm0);
      a_.pmovmskb(dst.r32(), x86::xmm0);
      a_.movzx(dst.r32(), dst.r8());
      break;
    case Opcode::I32x4Bitmask: a_.movmskps(dst.r32(), x86::xmm0); break;
    case Opcode::I64x2Bitmask: a_.movmskpd(dst.r32(), x86::xmm0); break;
    default:
      a_.pxor(x86::xmm1, x86::xmm1);
      a_.emit(compare == I::kIdNone ? I::kIdPcmpeqb : compare, x86::xmm0, x86::xmm1);
      a_.pmovmskb(x86::ecx, x86::xmm0);
      a_.xor_(dst.r32(), dst.r32());
      if (compare == I::kIdNone) {  // any_true: not every byte 0
        a_.cmp(x86::ecx, 0xFFFF);
        a_.setne(dst.r8());
      } else {
        a_.test(x86::ecx, x86::ecx);
        a_.sete(dst.r8());
      }
  }
  pop_vals(2);
  push_reg(dst);
  return true;
}

bool FunctionCompiler::folds_v128_local(Opcode op) const {
  const Binary b = binary_instruction(op);
  return b.id != x86::Inst::kIdNone && available(m_, b.needs);
}

bool FunctionCompiler::translate_simd_lanewise(const wasm::Instr& in) {
  const Opcode op = in.op;
  if (folds_v128_local(op)) {
    const Binary b = binary_instruction(op);
    // The second operand: the slot pair, or the local a local.get just named.
    const x86::Mem second =
        pending_v128_local_ ? local_home(*pending_v128_local_).cloneResized(16) : v128_at(1);
    const bool pending = pending_v128_local_.has_value();
    pending_v128_local_.reset();
    if (top_in_xmm0_ && !pending) {  // the last instruction's result: no reload of its slots
      if (!b.swap) a_.movdqa(x86::xmm1, x86::xmm0);
      a_.movdqu(b.swap ? x86::xmm1 : x86::xmm0, v128_at(3));
    } else {
      a_.movdqu(x86::xmm0, b.swap ? second : v128_at(3));
      a_.movdqu(x86::xmm1, b.swap ? v128_at(3) : second);
    }
    a_.emit(b.id, x86::xmm0, x86::xmm1);
    if (b.invert) {
      a_.pcmpeqb(x86::xmm1, x86::xmm1);
      a_.pxor(x86::xmm0, x86::xmm1);
    }
    a_.movdqu(v128_at(3), x86::xmm0);
    pop_vals(2);
    left_top_in_xmm0_ = true;
    return true;
  }
  if (const Shift s = shift_instruction(op); s.id != x86::Inst::kIdNone) {
    const x86::Gp count = in_reg(val(0), x86::rax);
    a_.mov(x86::eax, count.r32());
    a_.and_(x86::eax, s.lane_bits - 1);
    a_.movd(x86::xmm1, x86::eax);
    a_.movdqu(x86::xmm0, v128_at(2));
    a_.emit(s.id, x86::xmm0, x86::xmm1);
    a_.movdqu(v128_at(2), x86::xmm0);
    pop_vals(1);
    return true;
  }
  if (const Extend e = extend_of(op); e.multiply) {
    return emit_extmul(e.bytes, e.is_signed, e.high);
  } else if (e.bytes != 0) {
    a_.movdqu(x86::xmm0, v128_at(1));
    emit_extend(x86::xmm0, e.bytes, e.is_signed, e.high);
    a_.movdqu(v128_at(1), x86::xmm0);
    return true;
  }
  switch (op) {
    case Opcode::V128Andnot:  // a & ~b: pandn computes ~dst & src
      a_.movdqu(x86::xmm0, v128_at(1));
      a_.movdqu(x86::xmm1, v128_at(3));
      a_.pandn(x86::xmm0, x86::xmm1);
      a_.movdqu(v128_at(3), x86::xmm0);
      pop_vals(2);
      return true;
    case Opcode::V128Not:
      a_.pcmpeqb(x86::xmm1, x86::xmm1);
      a_.movdqu(x86::xmm0, v128_at(1));
      a_.pxor(x86::xmm0, x86::xmm1);
      a_.movdqu(v128_at(1), x86::xmm0);
      return true;
    case Opcode::I8x16Neg:
    case Opcode::I16x8Neg:
    case Opcode::I32x4Neg:
    case Opcode::I64x2Neg: {  // 0 - a
      static constexpr std::array<x86::Inst::Id, 4> kSub{x86::Inst::kIdPsubb, x86::Inst::kIdPsubw,
                                                         x86::Inst::kIdPsubd, x86::Inst::kIdPsubq};
      const size_t k = op == Opcode::I8x16Neg   ? 0
                       : op == Opcode::I16x8Neg ? 1
                       : op == Opcode::I32x4Neg ? 2
                                                : 3;
      a_.pxor(x86::xmm0, x86::xmm0);
      a_.movdqu(x86::xmm1, v128_at(1));  // legacy SSE memory operands must be aligned
      a_.emit(kSub[k], x86::xmm0, x86::xmm1);
      a_.movdqu(v128_at(1), x86::xmm0);
      return true;
    }
    case Opcode::I8x16Shuffle:
      if (!m_.has_ssse3) return false;
      emit_shuffle(in);
      return true;
    default: return emit_lane_mask(op);
  }
}

}  // namespace lunatic::baseline
