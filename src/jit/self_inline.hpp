// Recursion unrolled once: a small function's calls of itself inlined one level deep, as gcc
// does at -O2 and LLVM's inliner never does (it leaves recursive call sites alone).
#pragma once

#include <cstddef>

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace lunatic::jit {

/// Inlines every direct self-call of each small function of `module` once (the copies' own
/// self-calls stay calls). Sound for our IR: a Wasm call's whole contract is explicit in it
/// (the callee's depth, fp and budget are arguments; its limit checks, safepoint, shadow-stack
/// stores and trap paths are its own instructions), so an inlined callee still charges its
/// fuel, counts its frame and reports its site exactly as a called one does.
void inline_self_calls(llvm::Module& module);

/// Above this many IR instructions a function's body is not duplicated (here, and by
/// partial_inline.cpp): the copy would cost more in compile time and code size than the saved
/// call does.
inline constexpr unsigned kMaxInlinedInstructions = 400;

/// The function attribute inline_calls_of gives a caller it inlined calls into (native_code.cpp
/// unswitches their loops).
inline constexpr const char* kInlinedFrames = "lunatic-inlined-frames";

/// Inlines every direct call of `callee` that is in `caller` now (the calls the inlining copies
/// in stay calls); the number inlined.
size_t inline_calls_of(llvm::Function& callee, llvm::Function& caller);

}  // namespace lunatic::jit
