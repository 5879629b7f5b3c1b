// Linear memory: a pooled slot that the memory grows in, moving to a slot of a bigger size
// class when it outgrows its own (DESIGN.md "Linear memory").
//
// Slot policy: a memory starts in the smallest slot that holds its initial size (64 KiB at
// least), not one sized for its maximum. Most memories never grow, or grow a little, and a
// slot sized for a 4 GiB maximum would cost a 4 GiB reservation per process. Classes are
// powers of two, so a memory that keeps growing moves at most log2(max / initial) times, and
// a move copies only the pages the memory wrote (at most twice its final written bytes in
// total), never commits one it did not. The slot is never bigger than the memory can
// become: the smallest class holding the initial size is never bigger than the smallest class
// holding the maximum.
#include <algorithm>
#include <new>
#include <string>

#include "engine/memory_pool.hpp"
#include "engine/store.hpp"

namespace lunatic::engine {

Result<std::unique_ptr<Memory>> Memory::create(MemoryPool& pool, wasm::MemoryType type,
                                               uint32_t max_pages_limit,
                                               const MemoryBudget* budget) {
  void* where = ::operator new(sizeof(Memory));
  Result<Memory*> memory = create_at(where, pool, type, max_pages_limit, budget);
  if (!memory.ok()) {
    ::operator delete(where);
    return std::move(memory).error();
  }
  return std::unique_ptr<Memory>(*memory);
}

Result<Memory*> Memory::create_at(void* where, MemoryPool& pool, wasm::MemoryType type,
                                  uint32_t max_pages_limit, const MemoryBudget* budget,
                                  bool charged) {
  uint32_t limit = max_pages_limit < wasm::kMaxPages ? max_pages_limit : wasm::kMaxPages;
  uint32_t initial = type.limits.min;
  const uint64_t initial_bytes = uint64_t{initial} * wasm::kPageSize;
  if (initial > limit) {
    if (budget != nullptr && charged) budget->release(initial_bytes);
    return Error(Phase::Instantiate, "memory size exceeds the limit", Error::kNoOffset,
                 std::to_string(initial) + " pages requested, limit " + std::to_string(limit));
  }
  if (budget != nullptr && !charged && !budget->try_charge(initial_bytes)) {
    return Error(Phase::Instantiate, "memory size exceeds the environment's max_memory_total",
                 Error::kNoOffset,
                 std::to_string(initial) + " pages requested, " + std::to_string(budget->left()) +
                     " bytes left");
  }
  uint64_t slot_bytes = 0;
  uint8_t* data = pool.acquire(initial_bytes, &slot_bytes);
  if (data == nullptr) {
    if (budget != nullptr) budget->release(initial_bytes);
    return Error(Phase::Instantiate, "cannot reserve address space for a memory", Error::kNoOffset,
                 std::to_string(initial) + " pages");
  }
  Memory* memory = new (where) Memory(pool);
  memory->budget_ = budget;
  memory->max_ = type.limits.max;
  memory->limit_ = limit;
  memory->data_ = data;
  memory->slot_bytes_ = slot_bytes;
  memory->pages_ = initial;
  return memory;
}

uint64_t Memory::disown_charge() {
  const uint64_t bytes = budget_ != nullptr && data_ != nullptr ? size_bytes() : 0;
  budget_ = nullptr;
  return bytes;
}

Memory::~Memory() {
  if (data_ != nullptr) pool_.release(data_, slot_bytes_, size_bytes());
  if (data_ != nullptr && budget_ != nullptr) budget_->release(size_bytes());
}

wasm::MemoryType Memory::type() const { return wasm::MemoryType{wasm::Limits{pages_, max_}}; }

int32_t Memory::grow(uint32_t delta_pages) {
  uint32_t old_pages = pages_;
  uint64_t new_pages = uint64_t{old_pages} + delta_pages;
  if (new_pages > limit_ || (max_ && new_pages > *max_)) return -1;
  uint64_t new_bytes = new_pages * wasm::kPageSize;
  const uint64_t delta_bytes = uint64_t{delta_pages} * wasm::kPageSize;
  if (budget_ != nullptr && !budget_->try_charge(delta_bytes)) return -1;
  if (new_bytes > slot_bytes_) {
    uint64_t new_slot_bytes = 0;
    // Only the pages the memory wrote are copied (MemoryPool::move): the rest of both slots
    // is zero, and copying it would commit pages nobody asked for.
    uint8_t* moved = pool_.move(data_, slot_bytes_, size_bytes(), new_bytes, &new_slot_bytes);
    if (moved == nullptr) {
      if (budget_ != nullptr) budget_->release(delta_bytes);
      return -1;
    }
    data_ = moved;
    slot_bytes_ = new_slot_bytes;
  }
  // New pages need no zeroing: the slot came zero-filled and nothing past pages_ was written.
  pages_ = static_cast<uint32_t>(new_pages);
  return static_cast<int32_t>(old_pages);
}

}  // namespace lunatic::engine
