// NativeTier: a module's native code as the engine sees it (engine::CodeTier): starts calls
// as Executions on pooled stacks.
#pragma once

#include <atomic>
#include <memory>

#include "engine/code_tier.hpp"
#include "engine/compiled_module.hpp"
#include "native/hot_functions.hpp"
#include "native/native_code.hpp"
#include "native/stack_pool.hpp"

namespace lunatic::native {

class NativeTier final : public engine::CodeTier {
 public:
  /// Small segments per reservation: 64 MiB of address space at a time.
  static constexpr size_t kSegmentsPerChunk = 512;
  /// `previous`: the tier this one replaces on its module (the baseline's, when LLVM's code
  /// arrives), kept alive as long as this one: frames of its code may still be running.
  explicit NativeTier(std::unique_ptr<NativeCode> code,
                      std::shared_ptr<const engine::CodeTier> previous = nullptr)
      : code_(std::move(code)), previous_(std::move(previous)) {
    if (!code_->optimized()) hot_ = std::make_unique<HotFunctions>(code_->function_count());
  }

  std::unique_ptr<engine::TierExecution> begin(engine::Thread& thread, engine::Function& fn,
                                               std::span<const engine::Slot> args) const override;
  void adopt(engine::Instance& instance) const override;
  std::unique_ptr<engine::TierExecution> begin_at(
      engine::Thread& thread, engine::Instance& instance, uint32_t defined_index,
      uint32_t safepoint, std::span<const engine::Slot> locals) const override;

  const NativeCode& code() const { return *code_; }
  /// The 16 MiB stacks an Execution moves to when its small segment runs out (execution_stack.cpp).
  StackPool& stacks() const { return stacks_; }
  /// The small segments every Execution starts on, dense so that many share a page-table page.
  StackPool& segments() const { return segments_; }
  /// The tier that replaced this one on its module (null: none yet). Executions poll it at
  /// safepoints' slow paths to move their calls over; it lives as long as the module.
  const NativeTier* successor() const { return successor_.load(std::memory_order_acquire); }
  /// The baseline's code only (null for LLVM's): its hot functions, which the auto tier moves
  /// to LLVM one batch at a time (their slot entries published in this code's table).
  HotFunctions* hot() const { return hot_.get(); }
  /// The newest tier of the chain that starts here.
  const NativeTier* newest() const;
  /// Links `next` (already its module's tier) as this one's successor. Once.
  void set_successor(const NativeTier* next) const {
    successor_.store(next, std::memory_order_release);
    if (hot_ != nullptr) hot_->note_change();  // after the link (HotFunctions::generation)
  }

 private:
  std::unique_ptr<NativeCode> code_;
  std::shared_ptr<const engine::CodeTier> previous_;
  mutable std::atomic<const NativeTier*> successor_{nullptr};
  mutable StackPool stacks_;
  mutable StackPool segments_{StackPool::kSegmentBytes, kSegmentsPerChunk};
  std::unique_ptr<HotFunctions> hot_;
};

/// Attaches `code` as the native tier of `module`, replacing the tier it had (kept alive by the
/// new one, and linked to it as its successor: running calls move over at safepoints).
void attach_code(const engine::CompiledModule& module, std::unique_ptr<NativeCode> code);

/// The native tier of `module`, or null if it runs in the interpreter.
const NativeTier* native_tier_of(const engine::CompiledModule& module);

}  // namespace lunatic::native
