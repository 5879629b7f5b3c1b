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
#include <chrono>
#include <cstring>
#include <deque>
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

// Batched scans (MemoryPool::release): a slot whose used range is at most kMaxWarmPages pages
// waits, with the other slots of its class released since, until kScanBatch of them wait or an
// acquire finds no warm slot; then the written pages of all of them are found with one
// PAGEMAP_SCAN over their span (~2 us a system call on this VM, whatever the range), the live
// slots between them skipped. A span reaches at most kMaxScanSpanSlots slots: a batch spread
// further is scanned in several spans. Waiting slots hold at most kScanBatch x 256 KiB per
// class (the 64, 128 and 256 KiB classes: 7 MiB in all).
constexpr size_t kScanBatch = 16;
constexpr uint64_t kMaxBatchedBytes = kMaxWarmPages * WrittenPages::kPageBytes;
constexpr uint64_t kMaxScanSpanSlots = 64;

// Cold release: slots to give back wait in one batch until it holds kBatchSlots slots or
// kBatchBytes bytes, then one process_madvise resets them all (PageReturner).
constexpr size_t kBatchSlots = 64;
constexpr size_t kBatchRanges = 2 * kBatchSlots;
constexpr uint64_t kBatchBytes = uint64_t{64} << 20;

// Deferred give-back (MemoryPool::give_back_some): a full batch waits, committed, until a
// worker with nothing to run gives it back, so that a burst of deaths (100,000 processes
// killed over their links) does not pay its system calls while there is work to do. At most
// kMaxDeferredBatches batches and max_deferred_bytes of their pages wait (pages no budget
// counts: the embedder sizes it to its memory, set_max_deferred_bytes); past that a full batch
// is given back at once, as before. A batch waits at most kMaxDeferredAge while no worker is
// idle: then the release that fills the next batch gives back the oldest, so a runtime that is
// never idle holds no more than about a second of ended processes' pages. A class that would
// need a new reservation gives the waiting batches back first (acquire), so address space grows
// no more than without the wait.
constexpr size_t kMaxDeferredBatches = 1024;
constexpr auto kMaxDeferredAge = std::chrono::seconds(1);

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
  /// A released slot waiting for the batch's scan: its first `dirty` bytes may hold data.
  struct Waiting {
    uint8_t* base;
    uint64_t dirty;
  };
  struct ScanBatch {
    std::array<Waiting, kScanBatch> slots;  ///< in release order
    size_t count = 0;
  };
  /// What a batch's walk found in one of its slots: the pages with data, unless `known` fell.
  struct Found {
    WrittenPages::Result pages;
    bool known = true;
  };
  struct SizeClass {
    std::mutex mutex;
    ScanBatch waiting;           ///< released, not reset yet: never handed out
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
    std::chrono::steady_clock::time_point deferred_at{};  ///< when it began to wait
  };

  std::array<SizeClass, kClassCount> classes;
  std::mutex reservations_mutex;
  std::vector<Reservation> reservations;
  WrittenPages written;
  PageReturner returner;
  std::atomic<uint64_t> warm_bytes{0};
  std::mutex batch_mutex;
  Batch batch;
  /// Full batches waiting for give_back_some(), oldest first (under batch_mutex).
  std::deque<std::unique_ptr<Batch>> deferred;
  std::vector<std::unique_ptr<Batch>> spare;  ///< empty ones to reuse (under batch_mutex)
  uint64_t deferred_bytes = 0;                ///< their bytes (under batch_mutex)
  uint64_t max_deferred_bytes = kDefaultMaxDeferredBytes;  ///< under batch_mutex
  std::atomic<size_t> deferred_count{0};  ///< deferred.size(), read without the lock
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

  /// Slots reset by settle() that join their class's lists: a batch's slots join them under
  /// one lock (a lock per slot was a tenth of spawn_join's profile, its line moving between
  /// the worker that releases and the one that acquires).
  struct Settled {
    std::array<WarmSlot, kScanBatch> warm;
    size_t warm_count = 0;
    std::array<uint8_t*, kScanBatch> cold;
    size_t cold_count = 0;

    void join(SizeClass& c) const {
      if (warm_count == 0 && cold_count == 0) return;
      std::lock_guard lock(c.mutex);
      c.warm.insert(c.warm.end(), warm.begin(), warm.begin() + warm_count);
      c.cold.insert(c.cold.end(), cold.begin(), cold.begin() + cold_count);
    }
  };

  // Resets a released slot of class `index` whose first `dirty` bytes may hold data, `found`
  // the pages with data among them when `known` (at most kMaxWarmPages): zeroed by hand and
  // kept warm within the budget (added to `out`), clean (added to `out` as cold), else given
  // back in the batch.
  void settle(size_t index, uint8_t* base, uint64_t dirty, bool known,
              const WrittenPages::Result& found, Settled& out) {
    if (known && found.pages == 0) {
      out.cold[out.cold_count++] = base;
      return;
    }
    const uint64_t written_bytes = found.pages * kOsPageBytes;
    if (known && take_warm_budget(written_bytes)) {
      // Zeroed by hand and kept: the next process in the slot (often of the same module,
      // which touches the same pages) takes no page fault, and this release makes no system
      // call beyond the scan. Still correct if the kernel swaps a page out meanwhile: the
      // write brings it back, zeroed.
      for (size_t i = 0; i < found.count; ++i) {
        std::memset(found.runs[i].start, 0,
                    static_cast<size_t>(found.runs[i].end - found.runs[i].start));
      }
      out.warm[out.warm_count++] = {base, written_bytes};
      return;
    }
    // Given back, in a batch. MADV_DONTNEED on private anonymous memory gives zero pages on
    // the next touch: the slot is zero-filled again without a new mapping.
    std::array<iovec, WrittenPages::kMaxRuns> ranges;
    size_t count = 0;
    if (known) {
      for (size_t i = 0; i < found.count; ++i) {
        ranges[count++] = {found.runs[i].start,
                           static_cast<size_t>(found.runs[i].end - found.runs[i].start)};
      }
    } else {
      ranges[count++] = {base, static_cast<size_t>(dirty)};
    }
    defer(base, index, ranges.data(), count, known ? written_bytes : dirty);
  }

  // Scans the slots of `batch` (class `index`, taken out of its class) and settles each. Their
  // written pages come from one walk per span of at most kMaxScanSpanSlots slots: the runs of
  // the live slots between them are skipped, those of a waiting slot clipped to its used range.
  // A slot with more than kMaxRuns runs or kMaxWarmPages pages is given back whole; if the walk
  // fails, each slot is scanned alone.
  void reset_batch(size_t index, const ScanBatch& batch) {
    const uint64_t slot_bytes = kMinSlotBytes << index;
    std::array<Found, kScanBatch> found;
    std::array<size_t, kScanBatch> order;  // indices into batch.slots by address
    for (size_t i = 0; i < batch.count; ++i) order[i] = i;
    std::sort(order.begin(), order.begin() + batch.count,
              [&](size_t a, size_t b) { return batch.slots[a].base < batch.slots[b].base; });
    WrittenPages::SpanRuns runs;
    for (size_t first = 0; first < batch.count;) {
      size_t last = first + 1;  // the span: order[first..last)
      while (last < batch.count &&
             static_cast<uint64_t>(batch.slots[order[last]].base - batch.slots[order[first]].base) <
                 kMaxScanSpanSlots * slot_bytes) {
        ++last;
      }
      const Waiting& tail = batch.slots[order[last - 1]];
      uint8_t* at = batch.slots[order[first]].base;
      uint8_t* const end = tail.base + tail.dirty;
      size_t slot = first;  // the first slot of the span a run may still reach
      while (at < end) {
        size_t count = 0;
        uint8_t* resume = nullptr;
        if (!written.next_span_runs(at, end, runs, count, resume)) {
          for (size_t i = first; i < last; ++i) {
            const Waiting& w = batch.slots[order[i]];
            found[order[i]].known =
                written.scan(w.base, w.dirty, kMaxWarmPages, found[order[i]].pages);
          }
          break;
        }
        for (size_t r = 0; r < count; ++r) {
          while (slot < last &&
                 batch.slots[order[slot]].base + batch.slots[order[slot]].dirty <= runs[r].start) {
            ++slot;
          }
          for (size_t i = slot; i < last && batch.slots[order[i]].base < runs[r].end; ++i) {
            const Waiting& w = batch.slots[order[i]];
            uint8_t* from = std::max(runs[r].start, w.base);
            uint8_t* to = std::min(runs[r].end, w.base + w.dirty);
            if (from < to) add_run(found[order[i]], from, to);
          }
        }
        at = resume;
      }
      first = last;
    }
    Settled settled;
    for (size_t i = 0; i < batch.count; ++i) {
      const Waiting& w = batch.slots[i];
      settle(index, w.base, w.dirty, found[i].known, found[i].pages, settled);
    }
    settled.join(classes[index]);
  }

  // Adds [from, to) to what a batch's walk found in one slot; past kMaxRuns runs or
  // kMaxWarmPages pages the slot is unknown (given back whole).
  static void add_run(Found& f, uint8_t* from, uint8_t* to) {
    if (!f.known) return;
    WrittenPages::Result& p = f.pages;
    if (p.count == WrittenPages::kMaxRuns) {
      f.known = false;
      return;
    }
    p.runs[p.count++] = {from, to};
    p.pages += static_cast<uint64_t>(to - from) / kOsPageBytes;
    if (p.pages > kMaxWarmPages) f.known = false;
  }

  // Takes the waiting slots of class `c` out (called with its mutex held).
  static ScanBatch take_waiting(SizeClass& c) {
    ScanBatch taken = c.waiting;
    c.waiting.count = 0;
    return taken;
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
    if (batch.slot_count == kBatchSlots || batch.bytes >= kBatchBytes) {
      if (!defer_batch_locked()) {
        flush_locked(lock);
      } else if (std::chrono::steady_clock::now() - deferred.front()->deferred_at >=
                 kMaxDeferredAge) {
        lock.unlock();
        give_back_deferred();  // the oldest: it waited long enough for an idle worker
        lock.lock();
      }
    }
  }

  // Moves the full batch to the deferred ones (called with batch_mutex held); false if they
  // are at their bound (the caller gives it back now).
  bool defer_batch_locked() {
    if (deferred.size() >= kMaxDeferredBatches ||
        deferred_bytes + batch.bytes > max_deferred_bytes) {
      return false;
    }
    std::unique_ptr<Batch> held;
    if (!spare.empty()) {
      held = std::move(spare.back());
      spare.pop_back();
    } else {
      held = std::make_unique<Batch>();
    }
    *held = batch;
    held->deferred_at = std::chrono::steady_clock::now();
    deferred_bytes += batch.bytes;
    deferred.push_back(std::move(held));
    deferred_count.store(deferred.size(), std::memory_order_relaxed);
    batch.range_count = 0;
    batch.slot_count = 0;
    batch.bytes = 0;
    return true;
  }

  // Gives back the oldest deferred batch (its slots go to their cold lists); false if none
  // waits. The system call runs without the lock.
  bool give_back_deferred() {
    if (deferred_count.load(std::memory_order_relaxed) == 0) return false;
    std::unique_lock lock(batch_mutex);
    if (deferred.empty()) return false;
    std::unique_ptr<Batch> taken = std::move(deferred.front());
    deferred.pop_front();
    deferred_count.store(deferred.size(), std::memory_order_relaxed);
    deferred_bytes -= taken->bytes;
    lock.unlock();
    give_back_batch(*taken);
    lock.lock();
    spare.push_back(std::move(taken));
    return true;
  }

  // MADV_DONTNEED over a batch's ranges, then its slots join their cold lists.
  void give_back_batch(const Batch& taken) {
    returner.give_back(taken.ranges.data(), taken.range_count);
    for (size_t i = 0; i < taken.slot_count; ++i) {
      SizeClass& c = classes[taken.slots[i].second];
      std::lock_guard class_lock(c.mutex);
      c.cold.push_back(taken.slots[i].first);
    }
  }

  // Gives back every slot of the batch and puts them on their cold lists. Takes the batch out
  // under the lock, so other releases go on queueing while the system call runs.
  void flush_locked(std::unique_lock<std::mutex>& lock) {
    Batch taken = batch;
    batch.range_count = 0;
    batch.slot_count = 0;
    batch.bytes = 0;
    lock.unlock();
    give_back_batch(taken);
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

  std::unique_lock lock(c.mutex);
  if (c.warm.empty() && c.waiting.count != 0) {
    // The slots waiting for their scan become warm (or cold) ones now, one system call for
    // them all. Scanned without the lock: other threads may take or release slots meanwhile.
    const Impl::ScanBatch taken = Impl::take_waiting(c);
    lock.unlock();
    impl_->reset_batch(class_index(size), taken);
    lock.lock();
  }
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
    // the cost the batch is there to spread. A fresh slot costs address space only; before a
    // new reservation, the deferred batches are given back (their slots may be of this class).
    if (c.unused == 0 && impl_->deferred_count.load(std::memory_order_relaxed) != 0) {
      lock.unlock();
      while (impl_->give_back_deferred()) {
      }
      return acquire(bytes, slot_bytes);
    }
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

  if (dirty == 0) {
    std::lock_guard lock(c.mutex);
    c.cold.push_back(base);
    return;
  }
  if (dirty <= kMaxBatchedBytes && impl_->written.uses_ioctl()) {
    std::unique_lock lock(c.mutex);
    c.waiting.slots[c.waiting.count++] = {base, dirty};
    if (c.waiting.count < kScanBatch) return;
    const Impl::ScanBatch taken = Impl::take_waiting(c);
    lock.unlock();
    impl_->reset_batch(index, taken);
    return;
  }
  // The written pages, from the page tables: a page never written holds no data (it has no
  // page, or maps the shared zero page) and needs nothing.
  WrittenPages::Result written;
  const bool known = impl_->written.scan(base, dirty, kMaxWarmPages, written);
  Impl::Settled settled;
  impl_->settle(index, base, dirty, known, written, settled);
  settled.join(c);
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

void MemoryPool::reset_waiting() {
  for (size_t index = 0; index < kClassCount; ++index) {
    Impl::SizeClass& c = impl_->classes[index];
    std::unique_lock lock(c.mutex);
    if (c.waiting.count == 0) continue;
    const Impl::ScanBatch taken = Impl::take_waiting(c);
    lock.unlock();
    impl_->reset_batch(index, taken);
  }
}

void MemoryPool::give_back_pending() {
  reset_waiting();
  while (impl_->give_back_deferred()) {
  }
  std::unique_lock lock(impl_->batch_mutex);
  if (impl_->batch.slot_count != 0) impl_->flush_locked(lock);
}

bool MemoryPool::give_back_some() { return impl_->give_back_deferred(); }

void MemoryPool::set_max_deferred_bytes(uint64_t bytes) {
  std::lock_guard lock(impl_->batch_mutex);
  impl_->max_deferred_bytes = bytes;
}

bool MemoryPool::has_deferred() const {
  return impl_->deferred_count.load(std::memory_order_relaxed) != 0;
}

uint64_t MemoryPool::warm_bytes() const {
  return impl_->warm_bytes.load(std::memory_order_relaxed);
}

}  // namespace lunatic::engine
