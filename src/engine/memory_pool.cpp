// MemoryPool: power-of-two slots carved from large MAP_NORESERVE reservations, one free list
// per size class, so that a process costs no mapping of its own (DESIGN.md "No mapping per
// process") and a freshly spawned one reuses the pages of one that just died.
#include "engine/memory_pool.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cstring>
#include <mutex>
#include <vector>

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

constexpr uint64_t kOsPageBytes = 4096;

// Warm release: a slot whose used bytes span at most kWarmScanPages OS pages, of which at most
// kMaxWarmPages are resident, is zeroed by hand and keeps those pages (see reset_warm).
constexpr uint64_t kWarmScanPages = 512;
constexpr uint64_t kMaxWarmPages = 4;

// /proc/PID/pagemap, one 64-bit entry per page (Documentation/admin-guide/mm/pagemap.rst).
constexpr uint64_t kPagePresent = uint64_t{1} << 63;
constexpr uint64_t kPageSwapped = uint64_t{1} << 62;  // any swap-type entry (also migration)

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

}  // namespace

struct MemoryPool::Impl {
  struct SizeClass {
    std::mutex mutex;
    std::vector<uint8_t*> free;  ///< LIFO: the most recently released (warmest) slot is last
    uint8_t* next = nullptr;     ///< next never-used slot of the newest reservation
    uint64_t unused = 0;         ///< never-used slots left after `next`
    uint64_t total = 0;          ///< slots in all reservations of this class
  };
  struct Reservation {
    uint8_t* base;
    uint64_t bytes;
  };

  std::array<SizeClass, kClassCount> classes;
  std::mutex reservations_mutex;
  std::vector<Reservation> reservations;
  /// /proc/self/pagemap, or -1 (not readable: every release is an madvise).
  int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

  // Zeroes the first `bytes` of a released slot by hand when only a few of its pages are
  // resident, and keeps them: the next process in the slot (often of the same module, which
  // touches the same pages) gets warm pages instead of a page fault each (~2 us here), and
  // the release needs no madvise, whose TLB shootdown interrupts the other workers. A page
  // neither present nor swapped has no page at all and reads as zero, so only present pages
  // are written. False (nothing done) when the slot is too big, has too many resident pages
  // or has any page swapped out (or moving): then madvise resets it.
  bool reset_warm(uint8_t* base, uint64_t bytes) const {
    const uint64_t pages = bytes / kOsPageBytes;
    if (pagemap < 0 || pages > kWarmScanPages) return false;
    std::array<uint64_t, kWarmScanPages> entries;
    const auto offset = static_cast<off_t>(reinterpret_cast<uintptr_t>(base) / kOsPageBytes * 8);
    const auto want = static_cast<ssize_t>(pages * sizeof(uint64_t));
    if (pread(pagemap, entries.data(), static_cast<size_t>(want), offset) != want) return false;
    uint64_t resident = 0;
    for (uint64_t i = 0; i < pages; ++i) {
      if ((entries[i] & kPageSwapped) != 0) return false;
      if ((entries[i] & kPagePresent) != 0) ++resident;
    }
    if (resident > kMaxWarmPages) return false;
    // Still correct if the kernel swaps a page out meanwhile: the write brings it back, zeroed.
    for (uint64_t i = 0; i < pages; ++i) {
      if ((entries[i] & kPagePresent) != 0) std::memset(base + i * kOsPageBytes, 0, kOsPageBytes);
    }
    return true;
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
    // Room for every slot of the class on the free list, so release() never allocates.
    c.free.reserve(c.total);
    return true;
  }
};

MemoryPool::MemoryPool() : impl_(std::make_unique<Impl>()) {}

MemoryPool::~MemoryPool() {
  for (const Impl::Reservation& r : impl_->reservations) munmap(r.base, r.bytes);
  if (impl_->pagemap >= 0) close(impl_->pagemap);
}

uint8_t* MemoryPool::acquire(uint64_t bytes, uint64_t* slot_bytes) {
  if (bytes > kMaxSlotBytes) return nullptr;
  uint64_t size = bytes <= kMinSlotBytes ? kMinSlotBytes : std::bit_ceil(bytes);
  Impl::SizeClass& c = impl_->classes[std::countr_zero(size) - kMinShift];

  std::lock_guard lock(c.mutex);
  uint8_t* slot = nullptr;
  if (!c.free.empty()) {
    slot = c.free.back();
    c.free.pop_back();
  } else {
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
  uint64_t dirty = used_bytes < slot_bytes ? used_bytes : slot_bytes;
  dirty = (dirty + kOsPageBytes - 1) & ~(kOsPageBytes - 1);
  // A small slot is zeroed by hand and stays warm (Impl::reset_warm). Otherwise
  // MADV_DONTNEED on private anonymous memory gives zero pages on the next touch: the slot is
  // zero-filled again without a new mapping. It only fails for arguments we got wrong; then
  // zero by hand, since acquire() promises zeroed slots.
  if (dirty != 0 && !impl_->reset_warm(base, dirty) && madvise(base, dirty, MADV_DONTNEED) != 0) {
    std::memset(base, 0, dirty);
  }

  Impl::SizeClass& c = impl_->classes[std::countr_zero(slot_bytes) - kMinShift];
  std::lock_guard lock(c.mutex);
  c.free.push_back(base);
}

}  // namespace lunatic::engine
