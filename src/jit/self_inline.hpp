// Recursion unrolled: a small function's calls of itself inlined, twice over (four levels of it
// in one native frame), as gcc does at -O2 and LLVM's inliner never does (it leaves recursive
// call sites alone).
#pragma once

#include <cstddef>

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace lunatic::jit {

/// Inlines every direct self-call of each small function of `module`, kSelfInlineRounds times:
/// each round inlines the function as it is then into the self-calls it has then (the copies'
/// own self-calls stay calls), so two rounds make four levels. Sound for our IR: a Wasm call's
/// whole contract is explicit in it (the callee's depth, fp and budget are arguments; its limit
/// checks, safepoint, shadow-stack stores and trap paths are its own instructions), so an inlined
/// callee still charges its fuel, counts its frame and reports its site exactly as a called one
/// does.
void inline_self_calls(llvm::Module& module);

/// Above this many IR instructions a function's body is not duplicated (here, and by
/// partial_inline.cpp): the copy would cost more in compile time and code size than the saved
/// call does.
inline constexpr unsigned kMaxInlinedInstructions = 400;

/// Two: with the inlined frames' checks out of their loops (native_code.cpp unswitches them),
/// fib 37 runs 10% faster with four levels per native frame than with two; a third round
/// changes nothing (the function is past kMaxInlinedInstructions by then, or nearly).
inline constexpr unsigned kSelfInlineRounds = 2;

/// The function attribute inline_calls_of gives a caller it inlined calls into (native_code.cpp
/// unswitches their loops).
inline constexpr const char* kInlinedFrames = "lunatic-inlined-frames";

/// Inlines every direct call of `callee` that is in `caller` now (the calls the inlining copies
/// in stay calls); the number inlined.
size_t inline_calls_of(llvm::Function& callee, llvm::Function& caller);

}  // namespace lunatic::jit
