// MemoryBudget: bytes of host memory a tree of environments may hold, counted with atomics
// along the chain of ancestors; MemoryCharge: what one object (a message, a table, a name)
// holds of a budget, given back when it goes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace lunatic {

/// A limit in bytes and the bytes charged against it here and in every budget below it (a
/// child budget's charges count in all its ancestors too, so a subtree never holds more than
/// its root allows). Thread-safe; lock-free: a charge is one atomic add per level.
class MemoryBudget {
 public:
  /// `parent` (may be null) must outlive this budget.
  explicit MemoryBudget(uint64_t limit, const MemoryBudget* parent = nullptr)
      : limit_(limit), parent_(parent) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  /// Charges `bytes` here and in every ancestor; false (nothing charged) if that would pass
  /// any of their limits. Concurrent charges may see each other's bytes for a moment and
  /// fail near the limit: a budget errs on the side of refusing.
  bool try_charge(uint64_t bytes) const;
  /// Gives back `bytes` charged by try_charge (or force_charge).
  void release(uint64_t bytes) const;
  /// Charges `bytes` whatever the limits say: for host state that must exist (a death notice
  /// to a monitor), which the limit then refuses to the next try_charge.
  void force_charge(uint64_t bytes) const;

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  /// What a charge here may still take (ancestors aside), for the errors that name the limit.
  uint64_t left() const {
    const uint64_t u = used();
    return u < limit_ ? limit_ - u : 0;
  }
  const MemoryBudget* parent() const { return parent_; }

 private:
  uint64_t limit_;
  const MemoryBudget* parent_;
  mutable std::atomic<uint64_t> used_{0};
};

/// Bytes held against a budget by one object; released on destruction. The budget is kept
/// alive by the shared_ptr (an environment's budget may outlive its processes: a message
/// queued for another process keeps charging its sender's environment until it is received
/// or dropped). Not thread-safe: owned by one object, like the bytes it stands for.
class MemoryCharge {
 public:
  MemoryCharge() = default;
  explicit MemoryCharge(std::shared_ptr<const MemoryBudget> budget) : budget_(std::move(budget)) {}
  MemoryCharge(MemoryCharge&& other) noexcept
      : budget_(std::move(other.budget_)), bytes_(other.bytes_) {
    other.bytes_ = 0;
  }
  MemoryCharge& operator=(MemoryCharge&& other) noexcept;
  MemoryCharge(const MemoryCharge&) = delete;
  MemoryCharge& operator=(const MemoryCharge&) = delete;
  ~MemoryCharge() { reset(); }

  /// Holds `total` bytes from now on: charges the difference, or gives it back. False (the
  /// charge unchanged) if the budget refuses the growth. Without a budget, always true.
  bool resize(uint64_t total);
  /// resize(bytes() + more), saturating.
  bool add(uint64_t more) { return resize(bytes_ + more < bytes_ ? UINT64_MAX : bytes_ + more); }
  /// Holds `more` bytes more whatever the budget's limits say (MemoryBudget::force_charge).
  void force_add(uint64_t more);
  /// Gives everything back (the budget stays attached).
  void reset();

  uint64_t bytes() const { return bytes_; }
  const std::shared_ptr<const MemoryBudget>& budget() const { return budget_; }

 private:
  std::shared_ptr<const MemoryBudget> budget_;
  uint64_t bytes_ = 0;
};

}  // namespace lunatic
