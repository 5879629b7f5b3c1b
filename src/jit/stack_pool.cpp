// StackPool: chunks of kStacksPerChunk stacks, one MAP_NORESERVE mapping each.
#include "jit/stack_pool.hpp"

#include <sys/mman.h>

namespace lunatic::jit {

StackPool::~StackPool() {
  for (auto [base, bytes] : chunks_) munmap(base, bytes);
}

uint8_t* StackPool::acquire() {
  std::lock_guard lock(mutex_);
  for (auto* list : {&warm_, &cold_}) {
    if (!list->empty()) {
      uint8_t* stack = list->back();
      list->pop_back();
      return stack;
    }
  }
  const size_t bytes = kStackBytes * kStacksPerChunk;
  void* chunk = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (chunk == MAP_FAILED) return nullptr;
  chunks_.emplace_back(chunk, bytes);
  auto* base = static_cast<uint8_t*>(chunk);
  // Handed out from the low end; the rest go to the cold list, highest first.
  for (size_t i = kStacksPerChunk; i-- > 1;) cold_.push_back(base + i * kStackBytes);
  return base;
}

void StackPool::release(uint8_t* stack) {
  std::lock_guard lock(mutex_);
  if (warm_.size() < kWarmStacks) {
    warm_.push_back(stack);
    return;
  }
  madvise(stack, kStackBytes, MADV_DONTNEED);
  cold_.push_back(stack);
}

}  // namespace lunatic::jit
