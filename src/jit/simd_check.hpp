// The compiled tier does not translate SIMD: a module that uses v128 anywhere stays in the
// interpreter, which runs it (engine/interpreter_simd.cpp).
#pragma once

#include "common/result.hpp"
#include "wasm/module.hpp"

namespace lunatic::jit {

/// An Error (Phase::Unsupported, context "jit") when `module` uses v128 in a type, an import, a
/// global, a local or an instruction; nothing otherwise.
Result<void> refuse_simd(const wasm::Module& module);

}  // namespace lunatic::jit
