// Lowering of the fixed-width SIMD instructions: v128 values take two slots (code.hpp), so
// their results are homes of width 2 and v128.const becomes a pair of constant slots. The
// instructions keep their Wasm opcodes; immediates (offsets, lanes, shuffle bytes) follow the
// slot operands.
#include <cstring>

#include "engine/lowering_context.hpp"

namespace lunatic::engine {

using wasm::Opcode;

std::pair<uint64_t, uint64_t> Lowerer::v128_slots(const wasm::Instr& in) {
  const wasm::V128Bytes bytes = wasm::v128_immediate(in);
  uint64_t lo, hi;
  std::memcpy(&lo, bytes.data(), 8);
  std::memcpy(&hi, bytes.data() + 8, 8);
  return {lo, hi};
}

void Lowerer::add_constant128(const wasm::Instr& in) {
  const auto [lo, hi] = v128_slots(in);
  const uint32_t slot = local_total_ + static_cast<uint32_t>(constants_.size());
  if (const128_slots_.emplace(std::pair{lo, hi}, slot).second) {
    constants_.push_back(lo);
    constants_.push_back(hi);
    const_pair_.push_back(true);
    const_pair_.push_back(false);
  }
}

void Lowerer::push_const128(const wasm::Instr& in) {
  auto it = const128_slots_.find(v128_slots(in));
  if (it == const128_slots_.end()) {
    broken_ = true;
    push_home(2);
    return;
  }
  const uint32_t h = home(height());
  stack_.push_back({Entry::Kind::Const, 2, it->second, h});
  max_height_ = std::max(max_height_, h + 2 - stack_base_);
}

void Lowerer::lower_simd(const wasm::Instr& in) {
  const wasm::OpcodeInfo& info = wasm::opcode_info(in.op);
  const auto op = static_cast<Op>(in.op);
  const uint32_t width = info.out == wasm::Operand::v128 ? 2 : 1;
  switch (in.op) {
    case Opcode::V128Const: push_const128(in); return;
    case Opcode::V128Bitselect: {
      const Entry c = pop(), b = pop(), a = pop();
      emit_result(op, {a.slot, b.slot, c.slot}, 2);
      return;
    }
    case Opcode::I8x16Shuffle: {
      // The 16 lane bytes as packed in the Instr (wasm::v128_immediate): c, then a, then b.
      const Entry b = pop(), a = pop();
      emit_result(op,
                  {a.slot, b.slot, static_cast<uint32_t>(in.c), static_cast<uint32_t>(in.c >> 32),
                   in.a, in.b},
                  2);
      return;
    }
    default: break;
  }
  switch (info.immediate) {
    case wasm::Immediate::MemArg: {
      // An address computed by the i32.add just before becomes part of the access.
      const Op fused = v128_access_add_form(op);
      uint32_t a, b;
      if (info.out != wasm::Operand::none) {
        const Entry addr = pop();
        if (take_address_add(addr, a, b))
          emit_result(fused, {a, b, in.b}, width);
        else
          emit_result(op, {addr.slot, in.b}, width);
      } else {
        const Entry v = pop(), addr = pop();
        if (take_address_add(addr, a, b))
          emit(fused, {a, b, v.slot, in.b});
        else
          emit(op, {addr.slot, v.slot, in.b});
      }
      return;
    }
    case wasm::Immediate::MemArgLane: {
      const Entry v = pop(), addr = pop();
      const auto lane = static_cast<uint32_t>(in.c);
      if (info.out != wasm::Operand::none)
        emit_result(op, {addr.slot, v.slot, in.b, lane}, width);
      else
        emit(op, {addr.slot, v.slot, in.b, lane});
      return;
    }
    case wasm::Immediate::Lane:
      if (info.in2 != wasm::Operand::none) {
        const Entry x = pop(), a = pop();
        emit_result(op, {a.slot, x.slot, in.a}, width);
      } else {
        emit_result(op, {pop().slot, in.a}, width);
      }
      return;
    default: break;
  }
  if (info.in2 != wasm::Operand::none) {
    const Entry b = pop(), a = pop();
    if (!fuse_into_lane_add(op, a, b)) emit_result(op, {a.slot, b.slot}, width);
  } else if (!fuse_load_into_splat(op)) {
    emit_result(op, {pop().slot}, width);
  }
}

}  // namespace lunatic::engine
