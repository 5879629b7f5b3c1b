// The SIMD instructions the baseline emits inline on the v128 slot pairs (no call, no spill of
// the register cache): here the memory accesses (v128.load and store, the extending, splatting
// and zero-filling loads, bounds-checked as the scalar accesses, memory_address), the splats and
// the lane reads and writes (a load or store of the lane in the slot pair); the lane-wise
// arithmetic is emit_simd_lanes.cpp's. Each computes the lanes of the interpreter's step
// (engine/simd_step.hpp); everything else goes through it (emit_simd.cpp).
#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using wasm::Opcode;

void FunctionCompiler::push_v128(const x86::Xmm& value) {
  const uint32_t h = sp_;
  push_v128();
  a_.movdqu(stack_at(h).cloneResized(16), value);
  left_top_in_xmm0_ = value == x86::xmm0;
}

void FunctionCompiler::store_top_v128(const x86::Mem& dst) {
  a_.movdqu(x86::xmm0, v128_at(1));
  a_.movdqu(dst.cloneResized(16), x86::xmm0);
}

void FunctionCompiler::emit_splat(uint32_t bytes) {
  switch (bytes) {
    case 1: a_.punpcklbw(x86::xmm0, x86::xmm0); [[fallthrough]];  // the byte in both halves
    case 2:
      a_.pshuflw(x86::xmm0, x86::xmm0, 0);
      a_.pshufd(x86::xmm0, x86::xmm0, 0);
      break;
    case 4: a_.pshufd(x86::xmm0, x86::xmm0, 0); break;
    default: a_.punpcklqdq(x86::xmm0, x86::xmm0);
  }
}

bool FunctionCompiler::translate_simd_memory(const wasm::Instr& in) {
  const Opcode op = in.op;
  const wasm::OpcodeInfo& info = wasm::opcode_info(op);
  if (op == Opcode::V128Store) {
    const auto [index, disp] = memory_address(2, in.b, 16);
    a_.movdqu(x86::xmm0, v128_at(1));
    a_.movdqu(x86::ptr(x86::rcx, index, 0, disp, 16), x86::xmm0);
    pop_vals(3);
    return true;
  }
  if (info.immediate != wasm::Immediate::MemArg || info.out != wasm::Operand::v128) return false;
  const uint32_t bytes = info.access_bytes;
  const auto [index, disp] = memory_address(0, in.b, bytes);
  const x86::Mem at = x86::ptr(x86::rcx, index, 0, disp, bytes);
  switch (op) {
    case Opcode::V128Load: a_.movdqu(x86::xmm0, at); break;
    case Opcode::V128Load8x8S:
    case Opcode::V128Load8x8U:
    case Opcode::V128Load16x4S:
    case Opcode::V128Load16x4U:
    case Opcode::V128Load32x2S:
    case Opcode::V128Load32x2U: {
      const bool is_signed =
          op == Opcode::V128Load8x8S || op == Opcode::V128Load16x4S || op == Opcode::V128Load32x2S;
      const uint32_t lane = op == Opcode::V128Load8x8S || op == Opcode::V128Load8x8U     ? 1
                            : op == Opcode::V128Load16x4S || op == Opcode::V128Load16x4U ? 2
                                                                                         : 4;
      a_.movq(x86::xmm0, at);
      emit_extend(x86::xmm0, lane, is_signed, false);
      break;
    }
    case Opcode::V128Load8Splat:
    case Opcode::V128Load16Splat:
      a_.movzx(x86::eax, at);
      a_.movd(x86::xmm0, x86::eax);
      emit_splat(bytes);
      break;
    case Opcode::V128Load32Splat:
    case Opcode::V128Load64Splat:
    case Opcode::V128Load32Zero:
    case Opcode::V128Load64Zero:  // movd and movq zero the rest of the register
      if (bytes == 4) {
        a_.movd(x86::xmm0, at);
      } else {
        a_.movq(x86::xmm0, at);
      }
      if (op == Opcode::V128Load32Splat || op == Opcode::V128Load64Splat) emit_splat(bytes);
      break;
    default: return false;
  }
  pop_vals(1);
  push_v128(x86::xmm0);
  return true;
}

bool FunctionCompiler::translate_simd_inline(const wasm::Instr& in) {
  const Opcode op = in.op;
  const wasm::OpcodeInfo& info = wasm::opcode_info(op);
  if (info.immediate == wasm::Immediate::MemArg) return translate_simd_memory(in);
  if (info.immediate == wasm::Immediate::None && info.in2 == wasm::Operand::none &&
      info.in1 != wasm::Operand::v128 && info.out == wasm::Operand::v128) {  // a splat
    const x86::Gp x = in_reg(val(0), x86::rax);
    if (info.in1 == wasm::Operand::i64 || info.in1 == wasm::Operand::f64) {
      a_.movq(x86::xmm0, x);
      emit_splat(8);
    } else {
      a_.movd(x86::xmm0, x.r32());
      emit_splat(op == Opcode::I8x16Splat ? 1 : op == Opcode::I16x8Splat ? 2 : 4);
    }
    pop_vals(1);
    push_v128(x86::xmm0);
    return true;
  }
  if (info.immediate != wasm::Immediate::Lane) return translate_simd_lanewise(in);
  const uint32_t bytes = info.access_bytes;
  if (info.in2 != wasm::Operand::none) {  // replace_lane: the scalar stored over the lane
    const x86::Gp x = in_reg(val(0), x86::rax);
    const x86::Mem lane =
        top(2).cloneAdjusted(static_cast<int64_t>(in.a) * bytes).cloneResized(bytes);
    switch (bytes) {
      case 1: a_.mov(lane, x.r8()); break;
      case 2: a_.mov(lane, x.r16()); break;
      case 4: a_.mov(lane, x.r32()); break;
      default: a_.mov(lane, x);
    }
    pop_vals(1);
    return true;
  }
  // extract_lane: the lane read from the slot pair, extended to its scalar's slot bits.
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
