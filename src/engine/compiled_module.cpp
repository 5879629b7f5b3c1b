// CompiledModule's lifetime: defined here, where CompiledFunction is a complete type, so that
// code holding a CompiledModule never needs the interpreter's code format.
#include "engine/compiled_module.hpp"

#include "engine/code.hpp"  // CompiledFunction, complete

#include <algorithm>

namespace lunatic::engine {

CompiledModule::CompiledModule() = default;
CompiledModule::~CompiledModule() {
  for (void* block : spare_blocks_) ::operator delete(block);
}

void* CompiledModule::take_spare_block() const {
  // No lock while there is none (most modules: spawned once, or never ended).
  if (spare_count_.load(std::memory_order_relaxed) == 0) return nullptr;
  std::lock_guard lock(spare_mutex_);
  if (spare_blocks_.empty()) return nullptr;
  void* block = spare_blocks_.back();
  spare_blocks_.pop_back();
  spare_count_.store(spare_blocks_.size(), std::memory_order_relaxed);
  return block;
}

void CompiledModule::keep_spare_block(void* block, size_t bytes) const {
  const size_t most = std::min(kSpareBlockBytes, binary_bytes * kSpareBytesPerBinaryByte);
  // Full: no lock (a burst of ends after a burst of spawns fills it, and the rest of the
  // burst's ends would each take the lock only to free their block).
  if ((spare_count_.load(std::memory_order_relaxed) + 1) * bytes > most) {
    ::operator delete(block);
    return;
  }
  {
    std::lock_guard lock(spare_mutex_);
    if ((spare_blocks_.size() + 1) * bytes <= most) {
      spare_blocks_.push_back(block);
      spare_count_.store(spare_blocks_.size(), std::memory_order_relaxed);
      return;
    }
  }
  ::operator delete(block);
}

}  // namespace lunatic::engine
