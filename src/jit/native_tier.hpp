// NativeTier: a module's native code as the engine sees it (engine::CodeTier): starts calls
// as Executions on pooled stacks.
#pragma once

#include <memory>

#include "engine/code_tier.hpp"
#include "engine/compiled_module.hpp"
#include "jit/native_code.hpp"
#include "jit/stack_pool.hpp"

namespace lunatic::jit {

class NativeTier final : public engine::CodeTier, public std::enable_shared_from_this<NativeTier> {
 public:
  explicit NativeTier(std::unique_ptr<NativeCode> code) : code_(std::move(code)) {}

  std::unique_ptr<engine::TierExecution> begin(engine::Thread& thread, engine::Function& fn,
                                               std::span<const engine::Slot> args) const override;
  void adopt(engine::Instance& instance) const override;
  std::unique_ptr<engine::TierExecution> begin_at(
      engine::Thread& thread, engine::Instance& instance, uint32_t defined_index,
      uint32_t safepoint, std::span<const engine::Slot> locals) const override;

  const NativeCode& code() const { return *code_; }
  StackPool& stacks() const { return stacks_; }

 private:
  std::unique_ptr<NativeCode> code_;
  mutable StackPool stacks_;
};

/// The native tier of `module`, or null if it runs in the interpreter.
const NativeTier* native_tier_of(const engine::CompiledModule& module);

/// Compiles `module` (decoded, validated, lowered) to native code and attaches it
/// (CompiledModule::set_native). On failure the module is left to the interpreter and the
/// error says why.
Result<void> attach_native(const engine::CompiledModule& module,
                           const CompileOptions& options = {});

}  // namespace lunatic::jit
