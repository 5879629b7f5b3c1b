// attach_native: LLVM's code for a module, attached as its native tier.
#include "jit/native_tier.hpp"

namespace lunatic::jit {

Result<void> attach_native(const engine::CompiledModule& module, const CompileOptions& options) {
  std::unique_ptr<NativeCode> code = TRY(compile_native(module, options));
  native::attach_code(module, std::move(code));
  return {};
}

}  // namespace lunatic::jit
