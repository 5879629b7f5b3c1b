// Superinstructions: lowering looks back at the instruction it just emitted and merges it with
// the one being lowered when the pair is common in hot loops (an i32.add computing an address
// or a loop counter). The merged instruction does all the two did; no label lies between them.
#include "engine/lowering_context.hpp"

namespace lunatic::engine {

// If `address` is the result of the i32.add emitted last (and nothing else reads it: it is an
// operand-stack home, read once), removes that add and returns its operands.
bool Lowerer::take_address_add(Entry address, uint32_t& a, uint32_t& b) {
  if (!last_patchable_ || address.kind != Entry::Kind::Home || last_add_pos_ != last_pos_ ||
      code_[last_pos_] != static_cast<uint32_t>(Op(wasm::Opcode::I32Add)) ||
      code_[last_pos_ + 1] != address.slot || label_pos_ > last_pos_) {
    return false;
  }
  a = code_[last_pos_ + 2];
  b = code_[last_pos_ + 3];
  code_.resize(last_pos_);
  // The merged instruction traps as the access: it takes the access's offset.
  if (!offsets_.empty() && offsets_.back().first == last_pos_) offsets_.pop_back();
  last_patchable_ = false;
  last_add_pos_ = UINT32_MAX;
  return true;
}

// `branch_pos` holds a fused [BrIf<cmp> a, b, target] on i32; if the instruction just before it
// is an i32.add whose result it compares, the two become [AddBrIf<cmp> dst, x, y, c, target].
// Returns the word of the merged instruction that holds the target, or 0 if nothing merged.
uint32_t Lowerer::fuse_add_into_branch(uint32_t branch_pos) {
  const uint32_t add = last_add_pos_;
  if (add == UINT32_MAX || add + 4 != branch_pos || label_pos_ > add ||
      code_[add] != static_cast<uint32_t>(Op(wasm::Opcode::I32Add))) {
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
  code_[add + 4] = other;
  code_.resize(add + 6);
  if (!offsets_.empty() && offsets_.back().first > add) offsets_.pop_back();
  last_add_pos_ = UINT32_MAX;
  return add + 5;
}

}  // namespace lunatic::engine
