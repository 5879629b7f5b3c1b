// MemoryBudget: a fetch_add per level and an undo when a level is past its limit; cheaper
// than a compare-exchange loop on a counter that many threads charge at once.
#include "common/memory_budget.hpp"

namespace lunatic {

bool MemoryBudget::try_charge(uint64_t bytes) const {
  for (const MemoryBudget* b = this; b != nullptr; b = b->parent_) {
    // A request bigger than the limit would wrap the counter: refuse it before adding.
    const bool fits = bytes <= b->limit_ &&
                      b->used_.fetch_add(bytes, std::memory_order_relaxed) <= b->limit_ - bytes;
    if (!fits) {
      if (bytes <= b->limit_) b->used_.fetch_sub(bytes, std::memory_order_relaxed);
      for (const MemoryBudget* u = this; u != b; u = u->parent_) {
        u->used_.fetch_sub(bytes, std::memory_order_relaxed);
      }
      return false;
    }
  }
  return true;
}

void MemoryBudget::release(uint64_t bytes) const {
  for (const MemoryBudget* b = this; b != nullptr; b = b->parent_) {
    b->used_.fetch_sub(bytes, std::memory_order_relaxed);
  }
}

void MemoryBudget::force_charge(uint64_t bytes) const {
  for (const MemoryBudget* b = this; b != nullptr; b = b->parent_) {
    b->used_.fetch_add(bytes, std::memory_order_relaxed);
  }
}

MemoryCharge& MemoryCharge::operator=(MemoryCharge&& other) noexcept {
  if (this != &other) {
    reset();
    budget_ = std::move(other.budget_);
    bytes_ = other.bytes_;
    other.bytes_ = 0;
  }
  return *this;
}

bool MemoryCharge::resize(uint64_t total) {
  if (budget_ == nullptr) {
    bytes_ = total;
    return true;
  }
  if (total > bytes_) {
    if (!budget_->try_charge(total - bytes_)) return false;
  } else if (total < bytes_) {
    budget_->release(bytes_ - total);
  }
  bytes_ = total;
  return true;
}

void MemoryCharge::force_add(uint64_t more) {
  if (budget_ != nullptr) budget_->force_charge(more);
  bytes_ += more;
}

void MemoryCharge::reset() {
  if (budget_ != nullptr && bytes_ != 0) budget_->release(bytes_);
  bytes_ = 0;
}

}  // namespace lunatic
