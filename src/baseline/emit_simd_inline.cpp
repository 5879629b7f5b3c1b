// The SIMD instructions the loops clang vectorizes run most, inline with SSE2 on the v128 slot
// pairs (no call, no spill of the register cache): v128.load and v128.store (bounds-checked as
// the scalar accesses, memory_address), the bitwise ones, integer lane add and sub, 32- and
// 64-bit splats and every extract_lane (a load of the lane from the slot pair). Each is the
// single SSE instruction GCC makes of simd.hpp's vector-extension helper, so the lanes are
// those of the interpreter's step; everything else goes through it (emit_simd.cpp).
#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using wasm::Opcode;

namespace {

// The SSE2 instruction of a lane-wise binary operation on two v128s, or kIdNone.
x86::Inst::Id binary_instruction(Opcode op) {
  switch (op) {
    case Opcode::V128And: return x86::Inst::kIdPand;
    case Opcode::V128Or: return x86::Inst::kIdPor;
    case Opcode::V128Xor: return x86::Inst::kIdPxor;
    case Opcode::I8x16Add: return x86::Inst::kIdPaddb;
    case Opcode::I16x8Add: return x86::Inst::kIdPaddw;
    case Opcode::I32x4Add: return x86::Inst::kIdPaddd;
    case Opcode::I64x2Add: return x86::Inst::kIdPaddq;
    case Opcode::I8x16Sub: return x86::Inst::kIdPsubb;
    case Opcode::I16x8Sub: return x86::Inst::kIdPsubw;
    case Opcode::I32x4Sub: return x86::Inst::kIdPsubd;
    case Opcode::I64x2Sub: return x86::Inst::kIdPsubq;
    default: return x86::Inst::kIdNone;
  }
}

}  // namespace

bool FunctionCompiler::translate_simd_inline(const wasm::Instr& in) {
  const Opcode op = in.op;
  if (const x86::Inst::Id id = binary_instruction(op); id != x86::Inst::kIdNone) {
    a_.movdqu(x86::xmm0, top(3).cloneResized(16));
    a_.movdqu(x86::xmm1, top(1).cloneResized(16));
    a_.emit(id, x86::xmm0, x86::xmm1);
    a_.movdqu(top(3).cloneResized(16), x86::xmm0);
    pop_vals(2);
    return true;
  }
  switch (op) {
    case Opcode::V128Andnot:  // a & ~b: pandn computes ~dst & src
      a_.movdqu(x86::xmm0, top(1).cloneResized(16));
      a_.movdqu(x86::xmm1, top(3).cloneResized(16));
      a_.pandn(x86::xmm0, x86::xmm1);
      a_.movdqu(top(3).cloneResized(16), x86::xmm0);
      pop_vals(2);
      return true;
    case Opcode::V128Not:
      a_.pcmpeqb(x86::xmm1, x86::xmm1);
      a_.movdqu(x86::xmm0, top(1).cloneResized(16));
      a_.pxor(x86::xmm0, x86::xmm1);
      a_.movdqu(top(1).cloneResized(16), x86::xmm0);
      return true;
    case Opcode::V128Load: {
      const auto [index, disp] = memory_address(0, in.b, 16);
      a_.movdqu(x86::xmm0, x86::ptr(x86::rcx, index, 0, disp, 16));
      pop_vals(1);
      const uint32_t h = sp_;
      push_v128();
      a_.movdqu(stack_at(h).cloneResized(16), x86::xmm0);
      return true;
    }
    case Opcode::V128Store: {
      const auto [index, disp] = memory_address(2, in.b, 16);
      a_.movdqu(x86::xmm0, top(1).cloneResized(16));
      a_.movdqu(x86::ptr(x86::rcx, index, 0, disp, 16), x86::xmm0);
      pop_vals(3);
      return true;
    }
    case Opcode::I32x4Splat:
    case Opcode::F32x4Splat:
    case Opcode::I64x2Splat:
    case Opcode::F64x2Splat: {
      const x86::Gp x = in_reg(val(0), x86::rax);
      if (op == Opcode::I32x4Splat || op == Opcode::F32x4Splat) {
        a_.movd(x86::xmm0, x.r32());
        a_.pshufd(x86::xmm0, x86::xmm0, 0);
      } else {
        a_.movq(x86::xmm0, x);
        a_.punpcklqdq(x86::xmm0, x86::xmm0);
      }
      pop_vals(1);
      const uint32_t h = sp_;
      push_v128();
      a_.movdqu(stack_at(h).cloneResized(16), x86::xmm0);
      return true;
    }
    default: break;
  }
  // extract_lane: the lane read from the slot pair, extended to its scalar's slot bits.
  const wasm::OpcodeInfo& info = wasm::opcode_info(op);
  if (info.immediate != wasm::Immediate::Lane || info.in2 != wasm::Operand::none) return false;
  const uint32_t bytes = info.access_bytes;
  const x86::Mem lane =
      top(1).cloneAdjusted(static_cast<int64_t>(in.a) * bytes).cloneResized(bytes);
  const x86::Gp dst = alloc();
  switch (op) {
    case Opcode::I8x16ExtractLaneS:
    case Opcode::I16x8ExtractLaneS: a_.movsx(dst.r32(), lane); break;
    case Opcode::I8x16ExtractLaneU:
    case Opcode::I16x8ExtractLaneU: a_.movzx(dst.r32(), lane); break;
    default:
      if (bytes == 8) {
        a_.mov(dst, lane);
      } else {
        a_.mov(dst.r32(), lane);
      }
  }
  pop_vals(2);
  push_reg(dst);
  return true;
}

}  // namespace lunatic::baseline
