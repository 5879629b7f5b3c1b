// MemoryPool: linear memories come from large pooled reservations cut into slots of a few size
// classes, never from an mmap per memory (DESIGN.md "No mapping per process"). Released slots
// are reset with madvise(MADV_DONTNEED) and reused, recently freed ones first (warm pages).
#pragma once

#include <cstdint>
#include <memory>

namespace lunatic::engine {

class MemoryPool {
 public:
  MemoryPool();
  ~MemoryPool();
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;

  /// A zero-filled slot able to hold at least `bytes`; its reserved size is written to
  /// `slot_bytes`. Null if no reservation can be made. Thread-safe.
  uint8_t* acquire(uint64_t bytes, uint64_t* slot_bytes);
  /// Returns a slot obtained from acquire(). Thread-safe.
  void release(uint8_t* base, uint64_t slot_bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lunatic::engine
