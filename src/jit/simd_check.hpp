// The baseline tier does not compile SIMD (the LLVM tier does, translate_simd*.cpp): it refuses
// a module that uses v128 anywhere before compiling any of it, and the module runs in the
// interpreter (or, under `auto`, in the interpreter until LLVM's code is ready).
#pragma once

#include "common/result.hpp"
#include "wasm/module.hpp"

namespace lunatic::jit {

/// An Error (Phase::Unsupported, context "baseline") when `module` uses v128 in a type, an import,
/// a global, a local or an instruction; nothing otherwise.
Result<void> refuse_simd(const wasm::Module& module);

}  // namespace lunatic::jit
