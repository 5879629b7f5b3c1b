// MemoryPool: power-of-two slots carved from large MAP_NORESERVE reservations, one free list
// per size class, so that a process costs no mapping of its own (DESIGN.md "No mapping per
// process") and a freshly spawned one reuses the pages of one that just died.
#include "engine/memory_pool.hpp"

#include <sys/mman.h>

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
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
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
  // MADV_DONTNEED on private anonymous memory gives zero pages on the next touch: the slot is
  // zero-filled again without a new mapping. It only fails for arguments we got wrong; then
  // zero by hand, since acquire() promises zeroed slots.
  if (dirty != 0 && madvise(base, dirty, MADV_DONTNEED) != 0) std::memset(base, 0, dirty);

  Impl::SizeClass& c = impl_->classes[std::countr_zero(slot_bytes) - kMinShift];
  std::lock_guard lock(c.mutex);
  c.free.push_back(base);
}

}  // namespace lunatic::engine
