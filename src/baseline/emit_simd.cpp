// v128 values and the SIMD instructions. The register cache holds scalars only: a v128 lives in
// its two frame slots (bytes 0..7, then 8..15, as in the lowered code and the slot arrays of
// calls), moved whole with SSE. Each SIMD instruction other than v128.const and the inline
// ones (emit_simd_inline.cpp, emit_simd_lanes.cpp) is a call of
// simd_instruction with its words in the lowered code's layout (engine/code.hpp), naming this
// frame's slots: it runs the interpreter's own step (engine/simd_step.hpp), so both tiers
// compute the very same lanes, and the memory accesses check bounds and trap as its do.
#include <cstring>

#include "baseline/function_compiler.hpp"
#include "engine/code.hpp"
#include "engine/simd_step.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using native::Context;
using wasm::Opcode;

namespace {

// Runs the instruction `code` on the frame `fp`; its site is stored when it can trap.
void simd_instruction(Context* ctx, engine::Slot* fp, const uint32_t* code) {
  engine::TrapKind trap{};
  if (!engine::run_simd(fp, code, ctx->memory_base, ctx->memory_size, trap)) {
    native::lunatic_jit_trap(ctx, static_cast<uint32_t>(trap));
  }
}

uint32_t operand_slots(wasm::Operand o) {
  if (o == wasm::Operand::none) return 0;
  return o == wasm::Operand::v128 ? 2 : 1;
}

}  // namespace

void FunctionCompiler::push_v128() {
  Val v;
  v.v128 = true;
  push_val(v);
  push_val(v);
}

asmjit::Label FunctionCompiler::simd_words(std::vector<uint32_t> words) {
  asmjit::Label label = a_.newLabel();
  simd_words_.emplace_back(label, std::move(words));
  return label;
}

// local.get copies the pair into the new entry's slots before the next instruction (an entry
// never refers to a v128 local past it), so local.set and local.tee need not look for such
// entries; a lane-wise binary operation right after it reads the local itself.
void FunctionCompiler::translate_v128_local(const wasm::Instr& in) {
  const x86::Mem local = local_home(in.a).cloneResized(16);
  if (in.op == Opcode::LocalGet) {
    push_v128();
    pending_v128_local_ = in.a;
    return;
  }
  store_top_v128(local);
  if (in.op == Opcode::LocalSet) pop_vals(2);
}

void FunctionCompiler::materialize_v128_local() {
  a_.movdqu(x86::xmm0, local_home(*pending_v128_local_).cloneResized(16));
  a_.movdqu(v128_at(1), x86::xmm0);
  pending_v128_local_.reset();
  top_in_xmm0_ = true;
}

// select of v128s (the condition on top, then val2's and val1's slot pairs): val1's slots
// become val2 when the condition is 0.
void FunctionCompiler::emit_v128_select() {
  load(val(0), x86::rax);
  asmjit::Label keep = a_.newLabel();
  a_.test(x86::eax, x86::eax);
  a_.jnz(keep);
  a_.movdqu(x86::xmm0, v128_at(2));
  a_.movdqu(v128_at(4), x86::xmm0);
  a_.bind(keep);
  pop_vals(3);
}

// A v128 global: Global::value, then Global::hi right after it (jit/abi.cpp checks).
void FunctionCompiler::translate_v128_global(const wasm::Instr& in) {
  a_.mov(x86::rax, ctx_field(offsetof(Context, globals)));
  a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(in.a * 8)));
  const x86::Mem value =
      x86::xmmword_ptr(x86::rax, static_cast<int32_t>(native::global_value_offset()));
  if (in.op == Opcode::GlobalGet) {
    a_.movdqu(x86::xmm0, value);
    push_v128(x86::xmm0);
    return;
  }
  store_top_v128(value);
  pop_vals(2);
}

// The words follow lowering_simd.cpp's layouts: [op, dst (if a result), operands (first slot of
// each), immediates].
Result<bool> FunctionCompiler::translate_simd(const wasm::Instr& in) {
  const wasm::OpcodeInfo& info = wasm::opcode_info(in.op);
  if (info.prefix != 0xFD) return false;
  if (in.op == Opcode::V128Const) {  // one 16-byte store, so the next 16-byte load forwards it
    const wasm::V128Bytes bytes = wasm::v128_immediate(in);
    std::vector<uint32_t> words(4);
    std::memcpy(words.data(), bytes.data(), 16);
    if (words == std::vector<uint32_t>(4, 0)) {
      a_.pxor(x86::xmm0, x86::xmm0);
    } else {
      a_.movdqu(x86::xmm0, x86::xmmword_ptr(simd_words(std::move(words))));
    }
    push_v128(x86::xmm0);
    return true;
  }
  if (translate_simd_inline(in)) return true;
  const bool bitselect = in.op == Opcode::V128Bitselect;
  std::vector<uint32_t> widths;  // of the operands, first to last
  if (bitselect) {
    widths = {2, 2, 2};
  } else {
    for (const wasm::Operand o : {info.in1, info.in2}) {
      if (o == wasm::Operand::special) return baseline_error("unexpected SIMD operand", in.offset);
      if (o != wasm::Operand::none) widths.push_back(operand_slots(o));
    }
  }
  uint32_t operands = 0;
  for (const uint32_t w : widths) operands += w;
  if (operands > sp_) return baseline_error("SIMD operands missing", in.offset);
  const uint32_t base = sp_ - operands;
  const uint32_t out = bitselect ? 2 : operand_slots(info.out);
  // The helper reads every operand from its slots and clobbers the cache registers.
  spill_all();
  std::vector<uint32_t> words{static_cast<uint32_t>(static_cast<engine::Op>(in.op))};
  if (out != 0) words.push_back(local_count_ + base);
  uint32_t at = base;
  for (const uint32_t w : widths) {
    words.push_back(local_count_ + at);
    at += w;
  }
  const bool memory =
      info.immediate == wasm::Immediate::MemArg || info.immediate == wasm::Immediate::MemArgLane;
  switch (info.immediate) {
    case wasm::Immediate::MemArg: words.push_back(in.b); break;
    case wasm::Immediate::MemArgLane:
      words.push_back(in.b);
      words.push_back(static_cast<uint32_t>(in.c));
      break;
    case wasm::Immediate::Lane: words.push_back(in.a); break;
    case wasm::Immediate::Shuffle:  // the 16 lane bytes as packed in the Instr: c, a, b
      words.push_back(static_cast<uint32_t>(in.c));
      words.push_back(static_cast<uint32_t>(in.c >> 32));
      words.push_back(in.a);
      words.push_back(in.b);
      break;
    default: break;
  }
  if (memory) store_site();  // the out-of-bounds trap reports this instruction
  const asmjit::Label code = simd_words(std::move(words));
  a_.mov(x86::rdi, x86::rbx);
  a_.lea(x86::rsi, slot(0));  // the frame's slots, as the helper indexes them
  a_.lea(x86::rdx, x86::ptr(code));
  call_address(reinterpret_cast<const void*>(&simd_instruction));
  pop_vals(operands);
  if (out == 2) {
    push_v128();
  } else if (out == 1) {
    push_val(Val{});
  }
  return true;
}

}  // namespace lunatic::baseline
