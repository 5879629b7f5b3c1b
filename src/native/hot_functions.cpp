// HotFunctions: the hot set, and publishing the LLVM code compiled for it.
#include "native/hot_functions.hpp"

#include <algorithm>

namespace lunatic::native {

HotFunctions::HotFunctions(uint32_t count)
    : count_(count),
      ticks_(new std::atomic<uint64_t>[count]),
      state_(new std::atomic<uint8_t>[count]),
      code_(new std::atomic<const NativeCode*>[count]) {
  for (uint32_t i = 0; i < count; ++i) {
    ticks_[i].store(0, std::memory_order_relaxed);
    state_[i].store(kBaseline, std::memory_order_relaxed);
    code_[i].store(nullptr, std::memory_order_relaxed);
  }
}

void HotFunctions::watch(std::vector<uint64_t> thresholds, std::function<void()> on_hot,
                         const std::vector<uint64_t>& initial) {
  bool hot = false;
  {
    std::lock_guard lock(mutex_);
    if (watching_.load(std::memory_order_relaxed) || thresholds.size() != count_) return;
    if (initial.size() == count_) {
      for (uint32_t i = 0; i < count_; ++i) {
        ticks_[i].store(initial[i], std::memory_order_relaxed);
        hot = hot || initial[i] >= thresholds[i];
      }
    }
    thresholds_ = std::move(thresholds);
    on_hot_ = std::move(on_hot);
    watching_.store(true, std::memory_order_release);
  }
  // Hot before its first sample: one job for all of them (a later sample that crosses a
  // threshold from below queues its own).
  if (hot) became_hot();
}

void HotFunctions::unwatch() {
  std::lock_guard lock(mutex_);
  on_hot_ = nullptr;
}

void HotFunctions::became_hot() {
  std::lock_guard lock(mutex_);
  if (on_hot_) on_hot_();
}

std::vector<uint32_t> HotFunctions::take_hot() {
  std::vector<uint32_t> hot;
  if (!watching_.load(std::memory_order_acquire)) return hot;
  for (uint32_t i = 0; i < count_; ++i) {
    if (ticks_[i].load(std::memory_order_relaxed) < thresholds_[i]) continue;
    uint8_t expected = kBaseline;
    if (state_[i].compare_exchange_strong(expected, kCompiling)) hot.push_back(i);
  }
  return hot;
}

void HotFunctions::install(const NativeCode& baseline, std::unique_ptr<NativeCode> partial) {
  const NativeCode& code = *partial;
  {
    std::lock_guard lock(mutex_);
    owned_.push_back(std::move(partial));
  }
  const uint32_t n = std::min(count_, code.function_count());
  for (uint32_t i = 0; i < n; ++i) {
    const NativeCode::SlotEntry entry = code.entry(i);
    // A function installed already (from the code cache, then compiled by a batch that had
    // taken it before) keeps its code: one publish each.
    if (entry == nullptr || state_[i].load(std::memory_order_acquire) == kInstalled) continue;
    // The OSR entry first: a frame that finds the slot entry published may also move its loop.
    code_[i].store(&code, std::memory_order_release);
    baseline.publish_entry(i, entry);
    state_[i].store(kInstalled, std::memory_order_release);
    installed_.fetch_add(1, std::memory_order_relaxed);
  }
  note_change();  // after the OSR entries: a frame that sees the new value sees them
}

void HotFunctions::refuse(const std::vector<uint32_t>& defined) {
  for (uint32_t i : defined) {
    if (i < count_) state_[i].store(kRefused, std::memory_order_release);
  }
}

}  // namespace lunatic::native
