// Partial inlining of recursion: a small recursive function's way out without a call (its
// entry checks, entry safepoint and the test that returns at once) inlined into its self-call
// sites, so the calls that end the recursion cost no native call.
#pragma once

namespace llvm {
class Module;
}

namespace lunatic::jit {

/// For each small function F of `module` that calls itself and can return without a call:
/// F's blocks from the highest point that dominates all of its calls and that a call-free way
/// to a `ret` avoids (the "rest") move into a new internal function F.rest (its live-in values
/// as parameters), F ends there in `return F.rest(...)`, and F, now just the part before, is
/// inlined into the self-calls inside F.rest. Exact for the same reason as inline_self_calls
/// (self_inline.hpp): every check, fuel charge and shadow-stack store is an instruction of the
/// IR, and the transform only copies and moves instructions, in the same order on every path.
void partially_inline_self_calls(llvm::Module& module);

/// Gives every F.rest external linkage, once the optimiser is done with them (it may change an
/// internal function's signature and calling convention), so that the JIT can look them up
/// for perf's map (perf_map.hpp), under F's name.
void expose_rest_functions(llvm::Module& module);

}  // namespace lunatic::jit
