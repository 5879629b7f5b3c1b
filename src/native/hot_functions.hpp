// HotFunctions: which functions of a module running baseline code are hot, found for free at the
// safepoints' slow paths (one in ~32 a sample weighted by the time since the last one), and the
// LLVM code compiled for them one batch at a time (auto tier: function-level tier-up).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "native/native_code.hpp"

namespace lunatic::native {

class HotFunctions {
 public:
  /// For a module of `count` defined functions; counts nothing until watch().
  explicit HotFunctions(uint32_t count);
  HotFunctions(const HotFunctions&) = delete;
  HotFunctions& operator=(const HotFunctions&) = delete;

  /// Starts counting: function i is hot once the samples taken in it stand for
  /// `thresholds[i]` ticks of the time stamp counter; `on_hot` is told, from the thread that took
  /// the sample (a worker, on a fiber: it must only queue work), when a function becomes hot. Once.
  /// `initial` (empty, or one per function): the ticks function i starts from (what earlier
  /// runs sampled in it, the code cache's hot profile); one at or past its threshold is hot at
  /// once (on_hot is told before this returns).
  /// @pre thresholds.size() == count
  void watch(std::vector<uint64_t> thresholds, std::function<void()> on_hot,
             const std::vector<uint64_t>& initial = {});
  /// on_hot is not called any more once this returns (its owner is going away). Thread-safe.
  void unwatch();
  /// Whether watch() started the counting (and unwatch() has not ended it).
  bool watching() const { return watching_.load(std::memory_order_relaxed); }
  /// A read of the clock in defined function i (at a safepoint's slow path, or where the guest
  /// leaves for the runtime), `ticks` after the previous read (the whole interval counts for i:
  /// a time-weighted sample; Execution::read_sample). Lock-free unless i becomes hot.
  /// A load and a store, not a locked add (~9 ns on these VMs, at millions of slow paths a
  /// second): two workers sampling the same function at the same moment may lose one of their
  /// samples, an error far below the estimates the thresholds are; a crossing either sees is
  /// told (became_hot is idempotent: take_hot takes what is hot).
  void sample(uint32_t defined_index, uint64_t ticks) {
    if (!watching_.load(std::memory_order_acquire) || defined_index >= count_) return;
    const uint64_t before = ticks_[defined_index].load(std::memory_order_relaxed);
    ticks_[defined_index].store(before + ticks, std::memory_order_relaxed);
    const uint64_t threshold = thresholds_[defined_index];
    if (before < threshold && before + ticks >= threshold) became_hot();
  }
  /// The functions that are hot and have neither LLVM code nor a compile under way, in index
  /// order; marks them under way (the caller compiles them, then install() or refuse()).
  std::vector<uint32_t> take_hot();
  /// Publishes `partial`'s functions (those with a slot entry and not installed yet): their OSR
  /// entries (code_of) and their slot entries in `baseline`'s slot table, so every next call of
  /// one runs LLVM's code; keeps `partial` alive as long as this object. Also for code from the
  /// code cache at a run's start: those functions are never taken by take_hot(). Thread-safe.
  void install(const NativeCode& baseline, std::unique_ptr<NativeCode> partial);
  /// LLVM could not compile these (or an earlier run's compile of them never arrived, the
  /// hot profile): never asked again.
  void refuse(const std::vector<uint32_t>& defined);
  /// The LLVM code that holds function i (its OSR entry), or null. Lock-free.
  const NativeCode* code_of(uint32_t defined_index) const {
    return defined_index < count_ ? code_[defined_index].load(std::memory_order_acquire) : nullptr;
  }
  /// The ticks sampled in function i so far.
  uint64_t ticks_of(uint32_t defined_index) const {
    return defined_index < count_ ? ticks_[defined_index].load(std::memory_order_relaxed) : 0;
  }
  /// The ticks at which function i is hot (watch()'s thresholds; 0 before watch()).
  uint64_t threshold_of(uint32_t defined_index) const {
    return watching_.load(std::memory_order_acquire) && defined_index < count_
               ? thresholds_[defined_index]
               : 0;
  }
  /// Whether a batch took function i (compiling, installed or refused): no batch takes it again.
  bool taken(uint32_t defined_index) const {
    return defined_index < count_ &&
           state_[defined_index].load(std::memory_order_acquire) != kBaseline;
  }
  /// Functions installed so far.
  uint32_t installed() const { return installed_.load(std::memory_order_relaxed); }
  /// Bumped (release) after each change a baseline frame's loop header must see: LLVM code
  /// installed (install), a successor tier (NativeTier::set_successor, note_change). A frame
  /// that found nothing newer for its function at one value need not look again while it
  /// holds (Execution::safepoint_or_osr reads it with acquire).
  const std::atomic<uint32_t>& generation() const { return generation_; }
  void note_change() { generation_.fetch_add(1, std::memory_order_release); }

 private:
  enum State : uint8_t { kBaseline, kCompiling, kInstalled, kRefused };
  void became_hot();

  const uint32_t count_;
  std::atomic<bool> watching_{false};
  std::vector<uint64_t> thresholds_;                ///< set once, before watching_
  std::unique_ptr<std::atomic<uint64_t>[]> ticks_;  ///< ticks sampled, by function
  std::unique_ptr<std::atomic<uint8_t>[]> state_;
  std::unique_ptr<std::atomic<const NativeCode*>[]> code_;
  std::atomic<uint32_t> installed_{0};
  std::atomic<uint32_t> generation_{0};
  std::mutex mutex_;  ///< on_hot_, owned_
  std::function<void()> on_hot_;
  std::vector<std::unique_ptr<NativeCode>> owned_;
};

}  // namespace lunatic::native
