// StackPool: native stacks for compiled code, cut from large pooled reservations (no mapping
// and no guard page per process: compiled code checks the stack limit in its prologue).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace lunatic::jit {

class StackPool {
 public:
  /// Bytes of one stack: room for the shadow stack at its low end, the deepest Wasm call
  /// chain the depth limit allows, and the host code it calls. Pages are committed only when
  /// touched.
  static constexpr size_t kStackBytes = size_t{8} << 20;

  StackPool() = default;
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  /// The low end of a free stack of kStackBytes, or null if no reservation can be made.
  /// Thread-safe.
  uint8_t* acquire();
  /// Gives a stack back. The most recently used ones are kept as they are (their touched pages
  /// stay committed, so the next process takes no page fault); past kWarmStacks, the pages go
  /// back to the OS kReturnBatch stacks at a time, neighbours in one madvise: each call costs
  /// a TLB shootdown on every CPU (measured: 15% of 100,000 compiled processes' lives when it
  /// was one call per stack). Thread-safe.
  void release(uint8_t* stack);

  static constexpr size_t kStacksPerChunk = 64;
  static constexpr size_t kWarmStacks = 64;
  static constexpr size_t kReturnBatch = 128;

 private:
  std::mutex mutex_;
  std::vector<uint8_t*> warm_;   ///< released with their pages, reused first (LIFO)
  std::vector<uint8_t*> dirty_;  ///< past kWarmStacks, pages not yet given back
  std::vector<uint8_t*> cold_;   ///< released and given back to the OS
  std::vector<std::pair<void*, size_t>> chunks_;
};

}  // namespace lunatic::jit
