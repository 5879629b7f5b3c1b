// The baseline tier: a single-pass compiler from validated Wasm to x86-64 (asmjit), built to
// compile 10-100x faster than LLVM at O2 and to keep every guarantee of the interpreter (fuel
// at the same safepoints, the same traps, bounds-checked memory, kill/yield, backtraces). Its
// code runs through jit::NativeTier and jit::Execution as the LLVM tier's does.
#pragma once

#include <memory>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "jit/native_code.hpp"

namespace lunatic::baseline {

/// Compiles every defined function of `module` (decoded, validated, lowered). A construct the
/// baseline does not handle (SIMD, an instruction not implemented yet) is an Error
/// (Phase::Unsupported, context "baseline"): the caller leaves the module to the interpreter.
/// Thread-safe.
Result<std::unique_ptr<jit::NativeCode>> compile_baseline(const engine::CompiledModule& module);

/// Compiles `module` with the baseline and attaches the code (CompiledModule::set_native). On
/// failure the module is left to the interpreter and the error says why.
Result<void> attach_baseline(const engine::CompiledModule& module);

}  // namespace lunatic::baseline
