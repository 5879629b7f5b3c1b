// StackPool: native stacks (or stack segments) for compiled code, cut from large pooled
// reservations (no mapping and no guard page per process: compiled code checks the stack limit
// in its prologue).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace lunatic::native {

class StackPool {
 public:
  /// Bytes of one stack: room for the shadow stack at its top, the deepest Wasm call chain
  /// the interpreter's default limits allow, and the host code it calls. Pages are committed
  /// only when touched; a stack is address space until then. The chain: a baseline frame
  /// takes 8 bytes per slot of its interpreter frame plus about 64 (saved registers, return
  /// address), so 1M slots (8 MiB) and 10,000 frames fit with room to spare, and exhaustion
  /// comes from the same limit, at the same call, as in the interpreter (native/abi.hpp
  /// frame_fp). The stack-pointer check stays as the backstop for bigger LLVM frames.
  static constexpr size_t kStackBytes = size_t{16} << 20;
  /// Bytes of the small segment every Execution starts on (execution_stack.cpp): 64 KiB of
  /// native stack, 32 KiB of shadow stack for the depths that fit, 32 KiB below the limit for
  /// the runtime helpers. Sixteen share a page-table page (2 MiB), where a 16 MiB stack needs
  /// one of its own: an idle process's page tables cost 0.25 KiB instead of 4.
  static constexpr size_t kSegmentBytes = size_t{128} << 10;

  /// A pool of stacks of `stack_bytes` (a multiple of the page size), reserved
  /// `per_chunk` at a time, adjacent.
  explicit StackPool(size_t stack_bytes = kStackBytes, size_t per_chunk = kStacksPerChunk)
      : stack_bytes_(stack_bytes), per_chunk_(per_chunk) {}
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  size_t stack_bytes() const { return stack_bytes_; }
  /// How many stacks were cut from reservations so far (in use or not). Thread-safe.
  size_t reserved() const;
  /// The low end of a free stack of stack_bytes(), or null if no reservation can be made.
  /// Thread-safe.
  uint8_t* acquire();
  /// Gives a stack back. The most recently used ones are kept as they are (their touched pages
  /// stay committed, so the next process takes no page fault); past kWarmStacks, the pages go
  /// back to the OS kReturnBatch stacks at a time, all in one process_madvise where the kernel
  /// allows it (engine::PageReturner): each call costs a TLB shootdown on every CPU (measured:
  /// 15% of 100,000 compiled processes' lives when it was one call per stack, and 4-5x the
  /// kill rows' time when it was one call per run of neighbours, scattered once stacks were
  /// reused). Thread-safe.
  void release(uint8_t* stack);

  static constexpr size_t kStacksPerChunk = 64;
  static constexpr size_t kWarmStacks = 64;
  static constexpr size_t kReturnBatch = 128;

 private:
  const size_t stack_bytes_;
  const size_t per_chunk_;
  mutable std::mutex mutex_;
  std::vector<uint8_t*> warm_;   ///< released with their pages, reused first (LIFO)
  std::vector<uint8_t*> dirty_;  ///< past kWarmStacks, pages not yet given back
  std::vector<uint8_t*> cold_;   ///< released and given back to the OS
  std::vector<std::pair<void*, size_t>> chunks_;
};

}  // namespace lunatic::native
