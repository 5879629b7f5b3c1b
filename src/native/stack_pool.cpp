// StackPool: chunks of per_chunk_ stacks, one MAP_NORESERVE mapping each.
#include "native/stack_pool.hpp"

#include "engine/page_returner.hpp"
#include "native/fiber.hpp"

#include <sys/mman.h>
#include <sys/uio.h>

#include <algorithm>
#include <vector>

namespace lunatic::native {
namespace {

// One for every pool of the process: its pidfd is the same for all, and a pool per loaded
// module each holding a descriptor would spend one per module. Never destroyed, so a pool
// released during static destruction never uses a closed descriptor.
engine::PageReturner& page_returner() {
  static auto* returner = new engine::PageReturner;
  return *returner;
}

}  // namespace

StackPool::~StackPool() {
  for (auto [base, bytes] : chunks_) munmap(base, bytes);
}

size_t StackPool::reserved() const {
  std::lock_guard lock(mutex_);
  return chunks_.size() * per_chunk_;
}

uint8_t* StackPool::acquire() {
  std::lock_guard lock(mutex_);
  for (auto* list : {&warm_, &dirty_, &cold_}) {
    if (!list->empty()) {
      uint8_t* stack = list->back();
      list->pop_back();
      return stack;
    }
  }
  const size_t bytes = stack_bytes_ * per_chunk_;
  void* chunk = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (chunk == MAP_FAILED) return nullptr;
  chunks_.emplace_back(chunk, bytes);
  auto* base = static_cast<uint8_t*>(chunk);
  // Handed out from the low end; the rest go to the cold list, highest first.
  for (size_t i = per_chunk_; i-- > 1;) cold_.push_back(base + i * stack_bytes_);
  return base;
}

void StackPool::release(uint8_t* stack) {
  Fiber::forget_frames(stack, stack_bytes_);
  std::vector<uint8_t*> batch;
  {
    std::lock_guard lock(mutex_);
    if (warm_.size() < kWarmStacks) {
      warm_.push_back(stack);
      return;
    }
    dirty_.push_back(stack);
    if (dirty_.size() < kReturnBatch) return;
    batch.swap(dirty_);
  }
  // Outside the lock (nobody else holds these stacks): address order, adjacent stacks (of one
  // chunk) in one range, every range in one call where the kernel allows it (one TLB
  // shootdown for the batch: the stacks of processes that died together, as a supervisor's
  // linked children do, are rarely adjacent).
  std::sort(batch.begin(), batch.end());
  std::vector<iovec> ranges;
  for (size_t i = 0; i < batch.size();) {
    size_t run = 1;
    while (i + run < batch.size() && batch[i + run] == batch[i] + run * stack_bytes_) ++run;
    ranges.push_back(iovec{batch[i], run * stack_bytes_});
    i += run;
  }
  page_returner().give_back(ranges.data(), ranges.size());
  std::lock_guard lock(mutex_);
  cold_.insert(cold_.end(), batch.begin(), batch.end());
}

}  // namespace lunatic::native
