// Recursion unrolled once: a small function's calls of itself inlined one level deep, as gcc
// does at -O2 and LLVM's inliner never does (it leaves recursive call sites alone).
#pragma once

namespace llvm {
class Module;
}

namespace lunatic::jit {

/// Inlines every direct self-call of each small function of `module` once (the copies' own
/// self-calls stay calls). Sound for our IR: a Wasm call's whole contract is explicit in it
/// (the callee's depth, fp and budget are arguments; its limit checks, safepoint, shadow-stack
/// stores and trap paths are its own instructions), so an inlined callee still charges its
/// fuel, counts its frame and reports its site exactly as a called one does.
void inline_self_calls(llvm::Module& module);

}  // namespace lunatic::jit
