// StackPool: chunks of per_chunk_ stacks, one MAP_NORESERVE mapping each.
#include "native/stack_pool.hpp"

#include "native/fiber.hpp"

#include <sys/mman.h>

#include <algorithm>

namespace lunatic::native {

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
  // chunk) in one call.
  std::sort(batch.begin(), batch.end());
  for (size_t i = 0; i < batch.size();) {
    size_t run = 1;
    while (i + run < batch.size() && batch[i + run] == batch[i] + run * stack_bytes_) ++run;
    madvise(batch[i], run * stack_bytes_, MADV_DONTNEED);
    i += run;
  }
  std::lock_guard lock(mutex_);
  cold_.insert(cold_.end(), batch.begin(), batch.end());
}

}  // namespace lunatic::native
