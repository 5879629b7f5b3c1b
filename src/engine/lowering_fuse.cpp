// Superinstructions: lowering looks back at the instruction it just emitted and merges it with
// the one being lowered when the pair is common in hot loops (an i32.add computing an address
// or a loop counter). The merged instruction does all the two did; no label lies between them.
// Also: constant operands as immediates, and dropping the constant slots nothing reads.
#include <algorithm>

#include "engine/lowering_context.hpp"

namespace lunatic::engine {

namespace {

constexpr uint32_t op_word(wasm::Opcode op) { return static_cast<uint32_t>(op); }

// The immediate form of a binary Wasm op, and whether its operands commute. Subtractions run
// as additions of the negated constant.
bool immediate_form(uint32_t op, Op& imm_op, bool& commutative) {
  using wasm::Opcode;
  static constexpr struct {
    Opcode op;
    Op imm;
    bool commutative;
  } kForms[] = {
      {Opcode::I32Add, Op::I32AddImm, true},    {Opcode::I32Sub, Op::I32AddImm, false},
      {Opcode::I32Mul, Op::I32MulImm, true},    {Opcode::I32And, Op::I32AndImm, true},
      {Opcode::I32Or, Op::I32OrImm, true},      {Opcode::I32Xor, Op::I32XorImm, true},
      {Opcode::I32Shl, Op::I32ShlImm, false},   {Opcode::I32ShrS, Op::I32ShrSImm, false},
      {Opcode::I32ShrU, Op::I32ShrUImm, false}, {Opcode::I32Rotl, Op::I32RotlImm, false},
      {Opcode::I64Add, Op::I64AddImm, true},    {Opcode::I64Sub, Op::I64AddImm, false},
      {Opcode::I64Mul, Op::I64MulImm, true},    {Opcode::I64And, Op::I64AndImm, true},
      {Opcode::I64Or, Op::I64OrImm, true},      {Opcode::I64Xor, Op::I64XorImm, true},
      {Opcode::I64Shl, Op::I64ShlImm, false},   {Opcode::I64ShrS, Op::I64ShrSImm, false},
      {Opcode::I64ShrU, Op::I64ShrUImm, false}, {Opcode::I64Rotl, Op::I64RotlImm, false},
  };
  for (const auto& f : kForms) {
    if (op_word(f.op) == op) {
      imm_op = f.imm;
      commutative = f.commutative;
      return true;
    }
  }
  return false;
}

// The v128 load with a memarg, and its fused address form, of each v128 access with a memarg.
struct V128Access {
  Op access;
  Op add_form;
};
constexpr V128Access kV128Accesses[] = {
    {Op::V128Load, Op::V128LoadAdd},
    {Op::V128Load8x8S, Op::V128Load8x8SAdd},
    {Op::V128Load8x8U, Op::V128Load8x8UAdd},
    {Op::V128Load16x4S, Op::V128Load16x4SAdd},
    {Op::V128Load16x4U, Op::V128Load16x4UAdd},
    {Op::V128Load32x2S, Op::V128Load32x2SAdd},
    {Op::V128Load32x2U, Op::V128Load32x2UAdd},
    {Op::V128Load8Splat, Op::V128Load8SplatAdd},
    {Op::V128Load16Splat, Op::V128Load16SplatAdd},
    {Op::V128Load32Splat, Op::V128Load32SplatAdd},
    {Op::V128Load64Splat, Op::V128Load64SplatAdd},
    {Op::V128Load32Zero, Op::V128Load32ZeroAdd},
    {Op::V128Load64Zero, Op::V128Load64ZeroAdd},
    {Op::V128Store, Op::V128StoreAdd},
};

}  // namespace

Op v128_access_add_form(Op access) {
  for (const V128Access& a : kV128Accesses) {
    if (a.access == access) return a.add_form;
  }
  return Op::Unreachable;  // not a v128 access with a memarg: validation rules it out
}

// Emits `a op b` as [op_imm, dst, a, c] when b (or, for commutative ops, a) is a constant that
// fits the 32-bit immediate (sign-extended for i64).
bool Lowerer::emit_with_immediate(Op op, Entry a, Entry b) {
  Op imm_op;
  bool commutative;
  const uint32_t raw = static_cast<uint32_t>(op);
  if (!immediate_form(raw, imm_op, commutative)) return false;
  if (b.kind != Entry::Kind::Const) {
    if (!commutative || a.kind != Entry::Kind::Const) return false;
    std::swap(a, b);
  }
  uint64_t c = const_value(b.slot);
  if (raw == op_word(wasm::Opcode::I32Sub))
    c = static_cast<uint32_t>(0u - static_cast<uint32_t>(c));
  if (raw == op_word(wasm::Opcode::I64Sub)) c = 0 - c;
  if (imm_op >= Op::I64AddImm && static_cast<int64_t>(c) != static_cast<int32_t>(c)) return false;
  emit_result(imm_op, {a.slot, static_cast<uint32_t>(c)});
  return true;
}

// The operands of the i32 add at `pos` ([i32.add dst a b] or [I32AddImm dst a c]) as two
// slots; false if a constant has no slot (never collected).
bool Lowerer::add_operands(uint32_t pos, uint32_t& a, uint32_t& b) const {
  if (code_[pos] == op_word(wasm::Opcode::I32Add)) {
    a = code_[pos + 2];
    b = code_[pos + 3];
    return true;
  }
  if (code_[pos] != static_cast<uint32_t>(Op::I32AddImm)) return false;
  auto it = const_slots_.find(code_[pos + 3]);
  if (it == const_slots_.end()) return false;
  a = code_[pos + 2];
  b = it->second;
  return true;
}

// [BrIf<cmp> a, b, target] on i32 with a constant operand -> [BrIf<cmp>Imm x, c, target].
void Lowerer::use_compare_immediate(uint32_t branch_pos) {
  const uint32_t k = code_[branch_pos] - static_cast<uint32_t>(Op::BrIfI32Eq);
  if (k >= 10) return;
  uint32_t a = code_[branch_pos + 1], b = code_[branch_pos + 2];
  if (!is_const_slot(b)) {
    if (!is_const_slot(a)) return;
    static constexpr uint32_t kSwapped[10] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};
    std::swap(a, b);
    code_[branch_pos] = static_cast<uint32_t>(Op::BrIfI32Eq) + kSwapped[k];
  }
  code_[branch_pos] +=
      static_cast<uint32_t>(Op::BrIfI32EqImm) - static_cast<uint32_t>(Op::BrIfI32Eq);
  code_[branch_pos + 1] = a;
  code_[branch_pos + 2] = static_cast<uint32_t>(const_value(b));
}

// Constant slots that no instruction reads are dropped, and the slots above them (the operand
// stack) move down: smaller frames, less to copy at each call.
void Lowerer::compact_constants() {
  const uint32_t count = static_cast<uint32_t>(constants_.size());
  std::vector<uint32_t> new_slot(count, UINT32_MAX);
  if (count == 0) return;
  auto for_each_slot_operand = [&](auto&& visit) {
    for (size_t i = 0; i < code_.size(); i += instruction_words(&code_[i])) {
      const OpShape& shape = op_shape(static_cast<Op>(code_[i]));
      for (uint32_t w = 1; w < shape.words; ++w) {
        if (shape.slots & (1u << w)) visit(code_[i + w]);
      }
    }
  };
  for_each_slot_operand([&](uint32_t slot) {
    if (!is_const_slot(slot)) return;
    const uint32_t k = slot - local_total_;
    new_slot[k] = 0;
    if (const_pair_[k]) new_slot[k + 1] = 0;  // a v128 constant keeps both of its slots
  });
  std::vector<Slot> kept;
  for (uint32_t k = 0; k < count; ++k) {
    if (new_slot[k] == UINT32_MAX) continue;
    new_slot[k] = local_total_ + static_cast<uint32_t>(kept.size());
    kept.push_back(constants_[k]);
  }
  const uint32_t removed = count - static_cast<uint32_t>(kept.size());
  if (removed == 0) return;
  for_each_slot_operand([&](uint32_t& slot) {
    if (is_const_slot(slot))
      slot = new_slot[slot - local_total_];
    else if (slot >= stack_base_)
      slot -= removed;
  });
  std::vector<bool> pairs;
  for (uint32_t k = 0; k < count; ++k) {
    if (new_slot[k] != UINT32_MAX) pairs.push_back(const_pair_[k]);
  }
  const_pair_ = std::move(pairs);
  constants_ = std::move(kept);
  stack_base_ -= removed;
}

// If `address` is the result of the i32.add emitted last (and nothing else reads it: it is an
// operand-stack home, read once), removes that add and returns its operands.
bool Lowerer::take_address_add(Entry address, uint32_t& a, uint32_t& b) {
  if (!last_patchable_ || address.kind != Entry::Kind::Home || last_add_pos_ != last_pos_ ||
      code_[last_pos_ + 1] != address.slot || label_pos_ > last_pos_ ||
      !add_operands(last_pos_, a, b)) {
    return false;
  }
  // The merged instruction traps as the access: it takes the access's offset.
  drop_last_instruction();
  return true;
}

void Lowerer::drop_last_instruction() {
  code_.resize(last_pos_);
  if (!offsets_.empty() && offsets_.back().first == last_pos_) offsets_.pop_back();
  if (last_add_pos_ == last_pos_) last_add_pos_ = UINT32_MAX;
  last_patchable_ = false;
}

// `branch_pos` holds a fused [BrIf<cmp> a, b, target] on i32; if the instruction just before it
// is an i32.add whose result it compares, the two become [AddBrIf<cmp> dst, x, y, c, target].
// Returns the word of the merged instruction that holds the target, or 0 if nothing merged.
uint32_t Lowerer::fuse_add_into_branch(uint32_t branch_pos) {
  const uint32_t add = last_add_pos_;
  uint32_t x, y;
  if (add == UINT32_MAX || add + 4 != branch_pos || label_pos_ > add || !add_operands(add, x, y)) {
    return 0;
  }
  const uint32_t k = code_[branch_pos] - static_cast<uint32_t>(Op::BrIfI32Eq);
  if (k >= 10) return 0;  // not an i32 compare
  const uint32_t dst = code_[add + 1];
  uint32_t cmp = k, other;
  if (code_[branch_pos + 1] == dst) {
    other = code_[branch_pos + 2];
  } else if (code_[branch_pos + 2] == dst) {
    // c <cmp> dst is dst <swapped cmp> c: eq, ne, lt_s<->gt_s, lt_u<->gt_u, le_s<->ge_s, ...
    static constexpr uint32_t kSwapped[10] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};
    cmp = kSwapped[k];
    other = code_[branch_pos + 1];
  } else {
    return 0;
  }
  code_[add] = static_cast<uint32_t>(Op::AddBrIfI32Eq) + cmp;
  code_[add + 2] = x;
  code_[add + 3] = y;
  code_[add + 4] = other;
  code_.resize(add + 6);
  if (!offsets_.empty() && offsets_.back().first > add) offsets_.pop_back();
  last_add_pos_ = UINT32_MAX;
  return add + 5;
}

// `x ^ (x << k)` or `x ^ (x >> k)` (unsigned): if the shift by a constant was emitted last, only
// this xor reads its result (an operand-stack home) and the xor's other operand is the value
// the shift read, the two become [I32XorShlImm dst, x, k] (and the i64 and shr_u forms).
bool Lowerer::fuse_xor_shift(Op op, Entry a, Entry b) {
  const bool is64 = op == static_cast<Op>(wasm::Opcode::I64Xor);
  if ((!is64 && op != static_cast<Op>(wasm::Opcode::I32Xor)) || !last_patchable_ ||
      label_pos_ > last_pos_) {
    return false;
  }
  Op fused;
  switch (static_cast<Op>(code_[last_pos_])) {
    case Op::I32ShlImm: fused = Op::I32XorShlImm; break;
    case Op::I32ShrUImm: fused = Op::I32XorShrUImm; break;
    case Op::I64ShlImm: fused = Op::I64XorShlImm; break;
    case Op::I64ShrUImm: fused = Op::I64XorShrUImm; break;
    default: return false;
  }
  if ((fused >= Op::I64XorShlImm) != is64) return false;
  const uint32_t dst = code_[last_pos_ + 1], x = code_[last_pos_ + 2], k = code_[last_pos_ + 3];
  if (a.kind != Entry::Kind::Home || a.slot != dst) std::swap(a, b);
  if (a.kind != Entry::Kind::Home || a.slot != dst || b.slot != x || dst == x) return false;
  drop_last_instruction();  // the shift goes; the xor takes its place
  emit_result(fused, {x, k});
  return true;
}

// A scalar load whose value only a splat of the same width reads (`i32.load` then
// `i32x4.splat`: clang's broadcast from memory) is the v128 load_splat of that width: the same
// bytes read, the same bounds check and trap, one instruction. The load emitted last is
// rewritten in place (its I32LoadAdd form into the fused form of the load_splat).
bool Lowerer::fuse_load_into_splat(Op splat) {
  uint32_t lane_bytes;
  switch (splat) {
    case static_cast<Op>(wasm::Opcode::I8x16Splat): lane_bytes = 1; break;
    case static_cast<Op>(wasm::Opcode::I16x8Splat): lane_bytes = 2; break;
    case static_cast<Op>(wasm::Opcode::I32x4Splat):
    case static_cast<Op>(wasm::Opcode::F32x4Splat): lane_bytes = 4; break;
    case static_cast<Op>(wasm::Opcode::I64x2Splat):
    case static_cast<Op>(wasm::Opcode::F64x2Splat): lane_bytes = 8; break;
    default: return false;
  }
  if (!last_patchable_ || label_pos_ > last_pos_ || stack_.empty()) return false;
  const Entry top = stack_.back();
  if (top.kind != Entry::Kind::Home || top.width != 1 || code_[last_pos_ + 1] != top.slot)
    return false;
  uint32_t raw = code_[last_pos_];
  const bool add_form = raw >= static_cast<uint32_t>(Op::I32LoadAdd) &&
                        raw <= static_cast<uint32_t>(Op::I64Load32UAdd);
  if (add_form) {
    raw += static_cast<uint32_t>(Op::I32Load) - static_cast<uint32_t>(Op::I32LoadAdd);
  } else if (raw < static_cast<uint32_t>(Op::I32Load) ||
             raw > static_cast<uint32_t>(Op::I64Load32U)) {
    return false;
  }
  // The splat's operand type (i32, i64, f32, f64) is the load's: validation matched them, so
  // equal widths mean the load read exactly the lane's bytes.
  if (wasm::opcode_info(static_cast<wasm::Opcode>(raw)).access_bytes != lane_bytes) return false;
  static constexpr Op kSplatLoads[9] = {Op::Unreachable, Op::V128Load8Splat,  Op::V128Load16Splat,
                                        Op::Unreachable, Op::V128Load32Splat, Op::Unreachable,
                                        Op::Unreachable, Op::Unreachable,     Op::V128Load64Splat};
  const Op load_splat = kSplatLoads[lane_bytes];
  pop();
  if (push_home(2) != top.slot) {  // the same stack position: the same home, now two wide
    broken_ = true;
    return true;
  }
  code_[last_pos_] =
      static_cast<uint32_t>(add_form ? v128_access_add_form(load_splat) : load_splat);
  return true;
}

// `i32x4.add` of the result of the i32x4.mul, i32x4.dot_i16x8_s or v128.and emitted last
// (products or masked lanes summed up, as vectorized dot products and counts do): if only the
// add reads that result, the two become [I32x4MulAdd dst, x, y, c], dst = (x * y) + c. The add's
// other operand is another stack entry, so it never overlaps the dropped result's slots.
bool Lowerer::fuse_into_lane_add(Op op, Entry a, Entry b) {
  if (op != static_cast<Op>(wasm::Opcode::I32x4Add) || !last_patchable_ || label_pos_ > last_pos_)
    return false;
  Op fused;
  switch (static_cast<Op>(code_[last_pos_])) {
    case static_cast<Op>(wasm::Opcode::I32x4Mul): fused = Op::I32x4MulAdd; break;
    case static_cast<Op>(wasm::Opcode::I32x4DotI16x8S): fused = Op::I32x4DotAdd; break;
    case static_cast<Op>(wasm::Opcode::V128And): fused = Op::I32x4AndAdd; break;
    default: return false;
  }
  const uint32_t dst = code_[last_pos_ + 1], x = code_[last_pos_ + 2], y = code_[last_pos_ + 3];
  if (a.kind != Entry::Kind::Home || a.slot != dst) std::swap(a, b);
  if (a.kind != Entry::Kind::Home || a.slot != dst) return false;
  drop_last_instruction();
  emit_result(fused, {x, y, b.slot}, 2);
  return true;
}

}  // namespace lunatic::engine
