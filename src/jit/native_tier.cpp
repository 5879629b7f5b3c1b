// NativeTier: starting calls of compiled code, and attaching native code to a module.
#include "jit/native_tier.hpp"

#include "jit/execution.hpp"

namespace lunatic::jit {

std::unique_ptr<engine::TierExecution> NativeTier::begin(engine::Thread& thread,
                                                         engine::Function& fn,
                                                         std::span<const engine::Slot> args) const {
  return std::make_unique<Execution>(shared_from_this(), thread, fn, args);
}

const NativeTier* native_tier_of(const engine::CompiledModule& module) {
  return dynamic_cast<const NativeTier*>(module.native().get());
}

Result<void> attach_native(const engine::CompiledModule& module, const CompileOptions& options) {
  std::unique_ptr<NativeCode> code = TRY(compile_native(module, options));
  module.set_native(std::make_shared<NativeTier>(std::move(code)));
  return {};
}

}  // namespace lunatic::jit
