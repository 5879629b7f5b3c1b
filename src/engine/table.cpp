// Tables: growable arrays of references (null, Function*, or an embedder's externref value).
// A big table is a mapping of its own, so that its null elements (zero bytes) cost no write.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "engine/store.hpp"

namespace lunatic::engine {
namespace {

// A table of Table::kMappedBytes or more of initial elements is an anonymous mapping of its
// own: its pages are the kernel's zero pages until written, so a table of 10,000,000 null
// elements costs no write and no resident memory at instantiation (malloc'ed, those 80 MB
// were written in one go: 0.25-0.3 s of CPU on the project's VM, page faults included, that
// the spawning worker could not be interrupted in). Below it (16,384 elements) the write is
// short and a mapping per process would cost a syscall and a page each.

size_t mapping_bytes(uint32_t elements) {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t bytes = size_t{elements} * sizeof(Slot);
  return (bytes + page - 1) / page * page;
}

}  // namespace

Table::Table(wasm::TableType type, Slot init, uint32_t max_elements_limit,
             const MemoryBudget* budget)
    : element_(type.element),
      max_(type.limits.max),
      limit_(max_elements_limit < kMaxElements ? max_elements_limit : kMaxElements),
      budget_(budget) {
  // The precondition keeps min within the cap; clamping anyway means a caller's mistake
  // yields a short table rather than an allocation of up to 32 GiB.
  uint32_t size = type.limits.min < limit_ ? type.limits.min : limit_;
  if (size_t{size} * sizeof(Slot) >= kMappedBytes) {
    void* mapped = mmap(nullptr, mapping_bytes(size), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped != MAP_FAILED) {
      // As the memory pool's slots: a write commits its page, not a 2 MiB huge page
      // (advisory; mremap keeps it).
      madvise(mapped, mapping_bytes(size), MADV_NOHUGEPAGE);
      elements_ = static_cast<Slot*>(mapped);
      mapped_ = true;
    }
  }
  // Small, or past the process's mappings (vm.max_map_count): malloc'ed and written.
  if (size != 0 && !mapped_) {
    elements_ = static_cast<Slot*>(std::malloc(size_t{size} * sizeof(Slot)));
    if (elements_ == nullptr) size = 0;  // Store::add_table refuses it (shorter than its min)
  }
  capacity_ = reserved_ = size;
  append(size, init);
  // The caller charged type.limits.min; a clamped table gives the difference back.
  if (budget_ != nullptr && size < type.limits.min) {
    budget_->release(uint64_t{type.limits.min - size} * sizeof(Slot));
  }
}

uint64_t Table::disown_charge() {
  const uint64_t bytes = budget_ != nullptr ? uint64_t{reserved_} * sizeof(Slot) : 0;
  budget_ = nullptr;
  return bytes;
}

Table::~Table() {
  if (budget_ != nullptr) budget_->release(uint64_t{reserved_} * sizeof(Slot));
  if (mapped_) {
    munmap(elements_, mapping_bytes(capacity_));
  } else {
    std::free(elements_);
  }
}

wasm::TableType Table::type() const {
  return wasm::TableType{element_, wasm::Limits{size(), max_}};
}

int32_t Table::grow(uint32_t delta, Slot init) {
  const int32_t old = reserve_growth(delta);
  if (old >= 0) append(delta, init);
  return old;
}

int32_t Table::reserve_growth(uint32_t delta) {
  const uint64_t new_size = uint64_t{size_} + delta;
  const uint64_t cap = max_ && *max_ < limit_ ? *max_ : limit_;
  if (new_size > cap) return -1;
  // Charged before the allocation, so a refused grow allocates nothing. Room a grow cut short
  // by a kill had made stays charged (reserved_), and is not charged twice.
  const uint64_t more = new_size > reserved_ ? (new_size - reserved_) * sizeof(Slot) : 0;
  if (budget_ != nullptr && more != 0 && !budget_->try_charge(more)) return -1;
  if (new_size > capacity_) {
    // Twice the old capacity (within the cap), so a table grown one element at a time is not
    // copied at each grow; realloc of a big block moves its pages by remapping them.
    uint64_t want = std::min<uint64_t>(std::max<uint64_t>(new_size, uint64_t{capacity_} * 2), cap);
    void* grown = resize(static_cast<uint32_t>(want));
    if (grown == nullptr && want > new_size) {
      want = new_size;
      grown = resize(static_cast<uint32_t>(want));
    }
    if (grown == nullptr) {
      if (budget_ != nullptr && more != 0) budget_->release(more);
      return -1;
    }
    elements_ = static_cast<Slot*>(grown);
    capacity_ = static_cast<uint32_t>(want);
  }
  reserved_ = std::max(reserved_, static_cast<uint32_t>(new_size));
  return static_cast<int32_t>(size_);
}

void* Table::resize(uint32_t elements) {
  if (!mapped_) return std::realloc(elements_, size_t{elements} * sizeof(Slot));
  // The kernel moves the pages (no copy); the new ones are zero pages, as the first were.
  void* moved =
      mremap(elements_, mapping_bytes(capacity_), mapping_bytes(elements), MREMAP_MAYMOVE);
  return moved == MAP_FAILED ? nullptr : moved;
}

void Table::append(uint32_t count, Slot init) {
  // A mapping's elements past size_ were never written (tables do not shrink): still zero.
  if (!mapped_ || init != 0) std::fill_n(elements_ + size_, count, init);
  size_ += count;
}

}  // namespace lunatic::engine
