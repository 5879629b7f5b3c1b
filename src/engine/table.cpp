// Tables: growable vectors of references (null, Function*, or an embedder's externref value).
#include "engine/store.hpp"

namespace lunatic::engine {

Table::Table(wasm::TableType type, Slot init, uint32_t max_elements_limit,
             const MemoryBudget* budget)
    : element_(type.element),
      max_(type.limits.max),
      limit_(max_elements_limit < kMaxElements ? max_elements_limit : kMaxElements),
      budget_(budget) {
  // The precondition keeps min within the cap; clamping anyway means a caller's mistake
  // yields a short table rather than an allocation of up to 32 GiB.
  uint32_t size = type.limits.min < limit_ ? type.limits.min : limit_;
  elements_.assign(size, init);
  // The caller charged type.limits.min; a clamped table gives the difference back.
  if (budget_ != nullptr && size < type.limits.min) {
    budget_->release(uint64_t{type.limits.min - size} * sizeof(Slot));
  }
}

Table::~Table() {
  if (budget_ != nullptr) budget_->release(uint64_t{size()} * sizeof(Slot));
}

wasm::TableType Table::type() const {
  return wasm::TableType{element_, wasm::Limits{size(), max_}};
}

int32_t Table::grow(uint32_t delta, Slot init) {
  uint32_t old_size = size();
  uint64_t new_size = uint64_t{old_size} + delta;
  if (new_size > limit_ || (max_ && new_size > *max_)) return -1;
  if (budget_ != nullptr && !budget_->try_charge(uint64_t{delta} * sizeof(Slot))) return -1;
  elements_.resize(static_cast<size_t>(new_size), init);
  return static_cast<int32_t>(old_size);
}

}  // namespace lunatic::engine
