// MemoryPool: power-of-two slots carved from large MAP_NORESERVE reservations, free lists per
// size class, so that a process costs no mapping of its own (DESIGN.md "No mapping per
// process") and a freshly spawned one reuses the pages of one that just died.
#include "engine/memory_pool.hpp"

#include <sys/mman.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <mutex>
#include <vector>

#include "engine/page_returner.hpp"
#include "engine/written_pages.hpp"

namespace lunatic::engine {
namespace {

constexpr unsigned kMinShift = std::countr_zero(MemoryPool::kMinSlotBytes);
constexpr unsigned kMaxShift = std::countr_zero(MemoryPool::kMaxSlotBytes);
constexpr size_t kClassCount = kMaxShift - kMinShift + 1;

// A reservation holds 64 slots, but at least 1 GiB (so the 64 KiB class gets 16,384 slots per
// mapping) and at most 64 GiB (so the 4 and 8 GiB classes do not claim terabytes of address
// space for memories that are rarely that big).
constexpr uint64_t kSlotsPerReservation = 64;
constexpr uint64_t kMinReservationBytes = uint64_t{1} << 30;
constexpr uint64_t kMaxReservationBytes = uint64_t{64} << 30;

constexpr uint64_t kOsPageBytes = WrittenPages::kPageBytes;

// Warm release (MemoryPool::release): a slot with at most kMaxWarmPages written pages is zeroed
// by hand and keeps them, while all warm slots together hold at most kWarmBudgetBytes. Zeroing
// 64 pages costs ~6 us here; giving them back and faulting them in again for the next process
// costs ~5 us a page on this VM, plus the TLB shootdown.
constexpr uint64_t kMaxWarmPages = 64;
constexpr uint64_t kWarmBudgetBytes = uint64_t{64} << 20;

// Cold release: slots to give back wait in one batch until it holds kBatchSlots slots or
// kBatchBytes bytes, then one process_madvise resets them all (PageReturner).
constexpr size_t kBatchSlots = 64;
constexpr size_t kBatchRanges = 2 * kBatchSlots;
constexpr uint64_t kBatchBytes = uint64_t{64} << 20;

// Moves (MemoryPool::move): a memory with at least kRemapMinPages written pages moves its pages
// with one mremap instead of copying them: copying 256 MiB of written pages took 1.4-1.5 s here
// (a page fault each in the new slot), the mremap 0.05 ms. The moved range becomes a mapping of
// its own (its page offsets no longer line up with the reservation's), so at most kMaxRemapped
// slots hold one at a time (the others copy), and a released one is mapped afresh, which
// merges it back into its reservation: the pool stays a handful of mappings.
constexpr uint64_t kRemapMinPages = 256;
constexpr size_t kMaxRemapped = 256;
// MREMAP_DONTUNMAP (Linux 5.7), declared here because the C library's headers may predate it;
// an older kernel refuses the flag, and the move copies.
constexpr int kMremapDontUnmap = 4;

uint64_t reservation_bytes(uint64_t slot_bytes) {
  uint64_t bytes = slot_bytes * kSlotsPerReservation;
  if (bytes < kMinReservationBytes) bytes = kMinReservationBytes;
  if (bytes > kMaxReservationBytes) bytes = kMaxReservationBytes;
  return bytes < slot_bytes ? slot_bytes : bytes;
}

// One mmap of address space only: MAP_NORESERVE commits nothing, pages are faulted in on first
// touch. Transparent huge pages are refused: with THP "always", one touched byte would commit
// 2 MiB, and memory per process must be what the process touches.
uint8_t* reserve(uint64_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  madvise(p, bytes, MADV_NOHUGEPAGE);  // advisory: a failure changes nothing we rely on
  return static_cast<uint8_t*>(p);
}

size_t class_index(uint64_t slot_bytes) { return std::countr_zero(slot_bytes) - kMinShift; }

bool page_is_zero(const uint8_t* page) {
  uint64_t any = 0;
  for (size_t i = 0; i < kOsPageBytes; i += sizeof(uint64_t)) {
    uint64_t word = 0;
    std::memcpy(&word, page + i, sizeof word);
    any |= word;
  }
  return any == 0;
}

// Copies the pages of [from, to) to `dst`, skipping those that hold only zeros (the pagemap
// fallback reports pages only read, which map the shared zero page): the destination slot is
// zero-filled, and writing a zero page there would commit it for nothing.
void copy_data_pages(const uint8_t* from, const uint8_t* to, uint8_t* dst) {
  for (; from < to; from += kOsPageBytes, dst += kOsPageBytes) {
    if (!page_is_zero(from)) std::memcpy(dst, from, kOsPageBytes);
  }
}

}  // namespace

struct MemoryPool::Impl {
  struct WarmSlot {
    uint8_t* base;
    uint64_t bytes;  ///< zeroed pages it keeps committed (counted in warm_bytes)
  };
  struct SizeClass {
    std::mutex mutex;
    std::vector<WarmSlot> warm;  ///< LIFO: zeroed by hand, pages kept; taken first
    std::vector<uint8_t*> cold;  ///< LIFO: given back, hold no pages
    uint8_t* next = nullptr;     ///< next never-used slot of the newest reservation
    uint64_t unused = 0;         ///< never-used slots left after `next`
    uint64_t total = 0;          ///< slots in all reservations of this class
  };
  struct Reservation {
    uint8_t* base;
    uint64_t bytes;
  };
  /// Slots waiting to be given back, and their ranges to reset.
  struct Batch {
    std::array<iovec, kBatchRanges> ranges;
    size_t range_count = 0;
    std::array<std::pair<uint8_t*, size_t>, kBatchSlots> slots;  ///< base, class index
    size_t slot_count = 0;
    uint64_t bytes = 0;
  };

  std::array<SizeClass, kClassCount> classes;
  std::mutex reservations_mutex;
  std::vector<Reservation> reservations;
  WrittenPages written;
  PageReturner returner;
  std::atomic<uint64_t> warm_bytes{0};
  std::mutex batch_mutex;
  Batch batch;
  std::mutex remapped_mutex;
  std::vector<uint8_t*> remapped;  ///< slots holding a remapped range, at most kMaxRemapped
  std::atomic<size_t> remapped_count{0};

  // Registers `slot` as holding a remapped range; false when kMaxRemapped slots do already.
  bool add_remapped(uint8_t* slot) {
    std::lock_guard lock(remapped_mutex);
    if (remapped.size() >= kMaxRemapped) return false;
    if (remapped.capacity() == 0) remapped.reserve(kMaxRemapped);
    remapped.push_back(slot);
    remapped_count.store(remapped.size(), std::memory_order_relaxed);
    return true;
  }

  // Unregisters `slot`; false if it holds no remapped range (the common case costs one load).
  bool remove_remapped(uint8_t* slot) {
    if (remapped_count.load(std::memory_order_relaxed) == 0) return false;
    std::lock_guard lock(remapped_mutex);
    auto it = std::find(remapped.begin(), remapped.end(), slot);
    if (it == remapped.end()) return false;
    *it = remapped.back();
    remapped.pop_back();
    remapped_count.store(remapped.size(), std::memory_order_relaxed);
    return true;
  }

  // Maps fresh zero pages over a slot that held a remapped range, in one step (no hole another
  // thread's mmap could take): same flags and page offsets as its reservation, so the kernel
  // merges the slot back into it. False (nothing changed) if the kernel refuses.
  static bool remap_fresh(uint8_t* base, uint64_t bytes) {
    void* p = mmap(base, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED) return false;
    madvise(base, bytes, MADV_NOHUGEPAGE);
    return true;
  }

  // True if [base, end) holds at least kRemapMinPages pages with data (an early stop).
  bool worth_remapping(uint8_t* base, uint8_t* end) const {
    uint64_t pages = 0;
    WrittenPages::Result runs;
    for (uint8_t* at = base; at < end && pages < kRemapMinPages;) {
      uint8_t* resume = nullptr;
      if (!written.next_runs(at, end, runs, resume)) return true;  // unknown: do not copy it all
      pages += runs.pages;
      at = resume;
    }
    return pages >= kRemapMinPages;
  }

  // Makes a new reservation for class `c` (called with its mutex held). If the full-size one
  // cannot be had (address-space limit), a reservation of a single slot may still fit.
  bool refill(SizeClass& c, uint64_t slot_bytes) {
    uint64_t bytes = reservation_bytes(slot_bytes);
    uint8_t* base = reserve(bytes);
    if (base == nullptr && bytes > slot_bytes) {
      bytes = slot_bytes;
      base = reserve(bytes);
    }
    if (base == nullptr) return false;
    {
      std::lock_guard lock(reservations_mutex);
      reservations.push_back({base, bytes});
    }
    c.next = base;
    c.unused = bytes / slot_bytes;
    c.total += c.unused;
    // Room for every slot of the class on either list, so release() never allocates.
    c.warm.reserve(c.total);
    c.cold.reserve(c.total);
    return true;
  }

  // Takes `bytes` of the warm budget; false (nothing taken) if it would pass the budget.
  bool take_warm_budget(uint64_t bytes) {
    if (warm_bytes.fetch_add(bytes, std::memory_order_relaxed) + bytes <= kWarmBudgetBytes) {
      return true;
    }
    warm_bytes.fetch_sub(bytes, std::memory_order_relaxed);
    return false;
  }

  // Queues a slot to be given back over `ranges`; resets the batch when it is full.
  void defer(uint8_t* base, size_t index, const iovec* ranges, size_t count, uint64_t bytes) {
    std::unique_lock lock(batch_mutex);
    // A loop: the flush lets go of the lock during its system call, and other releases may
    // fill the batch again meanwhile.
    while (batch.range_count + count > kBatchRanges) flush_locked(lock);
    for (size_t i = 0; i < count; ++i) batch.ranges[batch.range_count++] = ranges[i];
    batch.slots[batch.slot_count++] = {base, index};
    batch.bytes += bytes;
    if (batch.slot_count == kBatchSlots || batch.bytes >= kBatchBytes) flush_locked(lock);
  }

  // Gives back every slot of the batch and puts them on their cold lists. Takes the batch out
  // under the lock, so other releases go on queueing while the system call runs.
  void flush_locked(std::unique_lock<std::mutex>& lock) {
    Batch taken = batch;
    batch.range_count = 0;
    batch.slot_count = 0;
    batch.bytes = 0;
    lock.unlock();
    returner.give_back(taken.ranges.data(), taken.range_count);
    for (size_t i = 0; i < taken.slot_count; ++i) {
      SizeClass& c = classes[taken.slots[i].second];
      std::lock_guard class_lock(c.mutex);
      c.cold.push_back(taken.slots[i].first);
    }
    lock.lock();
  }
};

MemoryPool::MemoryPool() : impl_(std::make_unique<Impl>()) {}

MemoryPool::~MemoryPool() {
  for (const Impl::Reservation& r : impl_->reservations) munmap(r.base, r.bytes);
}

uint8_t* MemoryPool::acquire(uint64_t bytes, uint64_t* slot_bytes) {
  if (bytes > kMaxSlotBytes) return nullptr;
  uint64_t size = bytes <= kMinSlotBytes ? kMinSlotBytes : std::bit_ceil(bytes);
  Impl::SizeClass& c = impl_->classes[class_index(size)];

  std::lock_guard lock(c.mutex);
  uint8_t* slot = nullptr;
  if (!c.warm.empty()) {
    slot = c.warm.back().base;
    impl_->warm_bytes.fetch_sub(c.warm.back().bytes, std::memory_order_relaxed);
    c.warm.pop_back();
  } else if (!c.cold.empty()) {
    slot = c.cold.back();
    c.cold.pop_back();
  } else {
    // Slots waiting in the batch are not taken back early: that would reset them one by one,
    // the cost the batch is there to spread. A fresh slot costs address space only.
    if (c.unused == 0 && !impl_->refill(c, size)) return nullptr;
    slot = c.next;
    c.next += size;
    --c.unused;
  }
  if (slot_bytes != nullptr) *slot_bytes = size;
  return slot;
}

void MemoryPool::release(uint8_t* base, uint64_t slot_bytes, uint64_t used_bytes) {
  if (base == nullptr || !std::has_single_bit(slot_bytes) || slot_bytes < kMinSlotBytes ||
      slot_bytes > kMaxSlotBytes) {
    return;  // not a slot of ours: dropping it leaks address space but never corrupts a slot
  }
  const size_t index = class_index(slot_bytes);
  Impl::SizeClass& c = impl_->classes[index];
  if (impl_->remove_remapped(base) && Impl::remap_fresh(base, slot_bytes)) {
    std::lock_guard lock(c.mutex);
    c.cold.push_back(base);
    return;
  }
  uint64_t dirty = used_bytes < slot_bytes ? used_bytes : slot_bytes;
  dirty = (dirty + kOsPageBytes - 1) & ~(kOsPageBytes - 1);

  // The written pages, from the page tables: a page never written holds no data (it has no
  // page, or maps the shared zero page) and needs nothing.
  WrittenPages::Result written;
  const bool known = dirty != 0 && impl_->written.scan(base, dirty, kMaxWarmPages, written);
  if (dirty == 0 || (known && written.pages == 0)) {
    std::lock_guard lock(c.mutex);
    c.cold.push_back(base);
    return;
  }
  const uint64_t written_bytes = written.pages * kOsPageBytes;
  if (known && impl_->take_warm_budget(written_bytes)) {
    // Zeroed by hand and kept: the next process in the slot (often of the same module, which
    // touches the same pages) takes no page fault, and this release makes no system call
    // beyond the scan. Still correct if the kernel swaps a page out meanwhile: the write
    // brings it back, zeroed.
    for (size_t i = 0; i < written.count; ++i) {
      std::memset(written.runs[i].start, 0,
                  static_cast<size_t>(written.runs[i].end - written.runs[i].start));
    }
    std::lock_guard lock(c.mutex);
    c.warm.push_back({base, written_bytes});
    return;
  }
  // Given back, in a batch. MADV_DONTNEED on private anonymous memory gives zero pages on the
  // next touch: the slot is zero-filled again without a new mapping.
  std::array<iovec, WrittenPages::kMaxRuns> ranges;
  size_t count = 0;
  if (known) {
    for (size_t i = 0; i < written.count; ++i) {
      ranges[count++] = {written.runs[i].start,
                         static_cast<size_t>(written.runs[i].end - written.runs[i].start)};
    }
  } else {
    ranges[count++] = {base, static_cast<size_t>(dirty)};
  }
  impl_->defer(base, index, ranges.data(), count, known ? written_bytes : dirty);
}

uint8_t* MemoryPool::move(uint8_t* base, uint64_t slot_bytes, uint64_t used_bytes, uint64_t bytes,
                          uint64_t* new_slot_bytes) {
  uint8_t* moved = acquire(bytes, new_slot_bytes);
  if (moved == nullptr) return nullptr;
  uint64_t used = used_bytes < slot_bytes ? used_bytes : slot_bytes;
  used = (used + kOsPageBytes - 1) & ~(kOsPageBytes - 1);
  if (used != 0 && impl_->worth_remapping(base, base + used) && impl_->add_remapped(moved)) {
    // The page tables move, not the bytes; the old range stays mapped, empty (zero-filled on
    // touch), so the old slot needs no reset. Fails where the range spans mappings on kernels
    // that do not move several at once (a remapped memory that grew on): then it copies.
    void* to = mremap(base, used, used, MREMAP_MAYMOVE | MREMAP_FIXED | kMremapDontUnmap, moved);
    if (to == moved) {
      // A slot that held a remapped range is mapped afresh (merged back into its reservation;
      // if the kernel refuses, it stays a mapping of its own, still empty and correct).
      if (impl_->remove_remapped(base)) Impl::remap_fresh(base, slot_bytes);
      Impl::SizeClass& c = impl_->classes[class_index(slot_bytes)];
      std::lock_guard lock(c.mutex);
      c.cold.push_back(base);
      return moved;
    }
    impl_->remove_remapped(moved);
  }
  // Only the pages with data are copied, run by run as the page tables list them: copying
  // the whole memory would commit every page of the new slot, touched or not (a memory grown
  // to 4 GiB without being written took 4 GB), and fault each one in (~5 us a page here).
  uint8_t* at = base;
  uint8_t* const end = base + used;
  WrittenPages::Result written;
  while (at < end) {
    uint8_t* resume = nullptr;
    if (!impl_->written.next_runs(at, end, written, resume)) {
      copy_data_pages(at, end, moved + (at - base));  // no page tables to read: read it all
      break;
    }
    for (size_t i = 0; i < written.count; ++i) {
      copy_data_pages(written.runs[i].start, written.runs[i].end,
                      moved + (written.runs[i].start - base));
    }
    at = resume;
  }
  release(base, slot_bytes, used_bytes);
  return moved;
}

void MemoryPool::give_back_pending() {
  std::unique_lock lock(impl_->batch_mutex);
  if (impl_->batch.slot_count != 0) impl_->flush_locked(lock);
}

uint64_t MemoryPool::warm_bytes() const {
  return impl_->warm_bytes.load(std::memory_order_relaxed);
}

}  // namespace lunatic::engine
