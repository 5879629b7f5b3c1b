// attach_native: LLVM's code for a module, attached as its native tier.
#include "jit/native_tier.hpp"

namespace lunatic::jit {

Result<void> attach_native(const engine::CompiledModule& module, const CompileOptions& options) {
  std::unique_ptr<NativeCode> code = TRY(compile_native(module, options));
  std::shared_ptr<const engine::CodeTier> previous = module.native();
  auto tier = std::make_shared<NativeTier>(std::move(code), previous);
  module.set_native(tier);
  // Published after the module holds the new tier: whoever follows the link finds it alive.
  if (const auto* replaced = dynamic_cast<const NativeTier*>(previous.get())) {
    replaced->set_successor(tier.get());
  }
  return {};
}

}  // namespace lunatic::jit
