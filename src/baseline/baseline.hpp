// The baseline tier: a single-pass compiler from validated Wasm to x86-64 (asmjit), built to
// compile 10-100x faster than LLVM at O2 and to keep every guarantee of the interpreter (fuel
// at the same safepoints, the same traps, bounds-checked memory, kill/yield, backtraces). Its
// code runs through native::NativeTier and native::Execution as the LLVM tier's does.
#pragma once

#include <memory>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "native/native_code.hpp"

namespace lunatic::baseline {

/// How much of a module compile_baseline compiles before it returns.
enum class Compile : uint8_t {
  /// Nothing: each function is compiled on its first call, by the thread that calls it
  /// (one compile per function and module, whoever calls; the code is shared by every
  /// instance). A failure then traps that call (lazy_code.cpp).
  OnFirstCall,
  /// Every function (tests, fuzzers): a function the compiler refuses is an Error.
  Now,
};

/// The baseline's code of `module` (decoded, validated, lowered), every slot entry a stub
/// that compiles its function on the first call (or every function compiled, Compile::Now).
/// What the baseline does not handle (SIMD, a function too large, no lowered code) is an
/// Error (Phase::Unsupported, context "baseline"): the caller leaves the module to the
/// interpreter. Thread-safe.
Result<std::unique_ptr<native::NativeCode>> compile_baseline(const engine::CompiledModule& module,
                                                             Compile when = Compile::OnFirstCall);

/// compile_baseline, then attaches the code (CompiledModule::set_native). On failure the
/// module is left to the interpreter and the error says why.
Result<void> attach_baseline(const engine::CompiledModule& module,
                             Compile when = Compile::OnFirstCall);

/// Functions compiled on their first call in this OS process, and the time those compiles
/// took, wall and CPU (every module's; for the debug log).
struct LazyTotals {
  uint64_t functions = 0;
  double seconds = 0;
  double cpu_seconds = 0;
};
LazyTotals lazy_totals();

}  // namespace lunatic::baseline
