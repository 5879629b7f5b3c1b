// MemoryPool: linear memories come from large pooled reservations cut into slots of a few size
// classes, never from an mmap per memory (DESIGN.md "No mapping per process"). Released slots
// are reset (their written pages zeroed by hand and kept warm, else given back with
// MADV_DONTNEED in batches) and reused, warm and recently freed ones first.
#pragma once

#include <cstdint>
#include <memory>

namespace lunatic::engine {

/// Must outlive every Memory (and Store) that uses it: its destructor unmaps the reservations.
class MemoryPool {
 public:
  MemoryPool();
  ~MemoryPool();
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;

  /// A zero-filled slot able to hold at least `bytes`; its reserved size is written to
  /// `slot_bytes`. Null if no reservation can be made. Thread-safe.
  uint8_t* acquire(uint64_t bytes, uint64_t* slot_bytes);
  /// Returns a slot obtained from acquire(). Only its first `used_bytes` (the bytes that may
  /// have been written; default: all of it) are reset, so a big, mostly untouched slot costs
  /// no more to release than what was used. The written pages are found in the page tables
  /// (WrittenPages); if there are at most 64 (256 KiB) and the warm slots' pages stay within
  /// a pool-wide budget (64 MiB), they are zeroed by hand and stay committed for the next
  /// user of the slot (no page fault, no system call but the scan). Otherwise the slot waits
  /// in a batch of slots to be given back (MADV_DONTNEED) together, and is reused after
  /// that. A slot used up to 256 KiB is not scanned at once: it waits with the others of its
  /// size class released since (at most 16), and one scan finds the written pages of them
  /// all, when the batch is full or when acquire() finds no warm slot of the class. No slot
  /// is handed out before its reset. Thread-safe.
  void release(uint8_t* base, uint64_t slot_bytes, uint64_t used_bytes = UINT64_MAX);

  /// Moves a memory to a slot able to hold `bytes`: the first `used_bytes` of its slot are
  /// carried over, and the pages it never wrote stay uncommitted in the new slot as they were
  /// in the old. Many written pages (1 MiB or more) move with one mremap (the page tables
  /// move, not the bytes; at most 256 such slots at a time, each a mapping of its own until
  /// released); else only the pages that hold data are copied (found in the page tables,
  /// pages of zeros skipped). Then the old slot is released as release() does. Returns the
  /// new slot (its size in `new_slot_bytes`), or null, the old slot untouched. Thread-safe.
  uint8_t* move(uint8_t* base, uint64_t slot_bytes, uint64_t used_bytes, uint64_t bytes,
                uint64_t* new_slot_bytes);

  /// Scans and resets the slots waiting for their batch's scan now (they become warm, cold or
  /// wait to be given back, as release() says). Thread-safe.
  void reset_waiting();

  /// Gives back the slots waiting in the batch now (else the batch is reset when full), so
  /// that acquire() may hand them out again; resets the slots waiting for a scan first.
  /// Thread-safe.
  void give_back_pending();

  /// A full batch of slots to give back waits (committed; at most 1,024 batches and
  /// set_max_deferred_bytes() of pages in all, and about a second while nothing gives it back)
  /// for an idle moment instead
  /// of being given back by the release that filled it: this gives back the oldest (one
  /// system call); false if none waits. The runtime's workers call it when they have nothing
  /// to run. Thread-safe.
  bool give_back_some();
  /// True if a batch waits for give_back_some() (a relaxed load: a hint). Thread-safe.
  bool has_deferred() const;
  /// How many bytes of pages the waiting batches may hold: resident memory no budget counts,
  /// so an embedder sizes it to what it has (the runtime: RuntimeConfig::pool_deferred_bytes;
  /// 0: every full batch is given back at once). Default kDefaultMaxDeferredBytes.
  /// Thread-safe.
  void set_max_deferred_bytes(uint64_t bytes);
  static constexpr uint64_t kDefaultMaxDeferredBytes = uint64_t{64} << 20;

  /// Bytes held by released slots kept warm (zeroed, committed). For tests and statistics.
  uint64_t warm_bytes() const;

  /// Smallest and largest slot sizes: slots are powers of two in between. The largest holds
  /// a 4 GiB memory with room to spare.
  static constexpr uint64_t kMinSlotBytes = uint64_t{1} << 16;
  static constexpr uint64_t kMaxSlotBytes = uint64_t{1} << 33;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lunatic::engine
