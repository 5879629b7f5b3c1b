// Tables: growable vectors of references (null, Function*, or an embedder's externref value).
#include "engine/store.hpp"

namespace lunatic::engine {

Table::Table(wasm::TableType type, Slot init, uint32_t max_elements_limit)
    : element_(type.element),
      max_(type.limits.max),
      limit_(max_elements_limit < kMaxElements ? max_elements_limit : kMaxElements) {
  // The precondition keeps min within the cap; clamping anyway means a caller's mistake
  // yields a short table rather than an allocation of up to 32 GiB.
  uint32_t size = type.limits.min < limit_ ? type.limits.min : limit_;
  elements_.assign(size, init);
}

wasm::TableType Table::type() const {
  return wasm::TableType{element_, wasm::Limits{size(), max_}};
}

int32_t Table::grow(uint32_t delta, Slot init) {
  uint32_t old_size = size();
  uint64_t new_size = uint64_t{old_size} + delta;
  if (new_size > limit_ || (max_ && new_size > *max_)) return -1;
  elements_.resize(static_cast<size_t>(new_size), init);
  return static_cast<int32_t>(old_size);
}

}  // namespace lunatic::engine
