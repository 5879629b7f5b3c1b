// Two safepoints in a row charged with one check: in the loops our inlining made, a loop
// header's safepoint is followed by the inlined callee's entry safepoint with nothing between
// them that could trap or leave (the unswitched copy has no limit checks there).
#pragma once

namespace llvm {
class Function;
}  // namespace llvm

namespace lunatic::jit {

/// In `f` (optimised IR, a function with inlined frames: self_inline.hpp kInlinedFrames), for
/// each safepoint whose fast path is one straight block without calls ending in a second
/// safepoint: when budget >= c1 + c2, both are charged at once (budget - c1 - c2) and the
/// second's check is skipped; else the two run as before, one by one. Exact: the merged fast
/// path is taken only where both original fast paths would be, and runs the same instructions
/// (a safepoint's fast path only subtracts; the budget is an SSA value, never read from
/// memory there). The number of pairs merged.
unsigned merge_adjacent_safepoints(llvm::Function& f);

}  // namespace lunatic::jit
