// attach_native: LLVM's code for a module (compile_native), attached as its native tier.
#pragma once

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "jit/native_code.hpp"
#include "native/native_tier.hpp"

namespace lunatic::jit {

using native::native_tier_of;
using native::NativeTier;

/// Compiles `module` (decoded, validated, lowered) to native code and attaches it
/// (CompiledModule::set_native), replacing the tier it had (the baseline's: calls running
/// its code move over at their next safepoint slow path, see Execution). On failure the
/// module keeps what it had and the error says why.
Result<void> attach_native(const engine::CompiledModule& module,
                           const CompileOptions& options = {});

}  // namespace lunatic::jit
