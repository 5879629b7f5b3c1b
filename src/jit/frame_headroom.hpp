// One headroom check for the frames our inlining put into a function: the deepest frame's
// depth, slots and stack pointer checked once at its entry, and a copy of the function without
// the inlined frames' limit checks run when that check passes.
#pragma once

namespace llvm {
class Function;
}  // namespace llvm

namespace lunatic::jit {

/// The metadata kind the translator puts on a prologue's limit check, the condition
/// `(depth > max_depth) | (fp + frame_size > max_slots) | (rsp < stack_limit)` (translate.cpp).
inline constexpr const char* kFrameCheckMetadata = "lunatic.frame_check";

/// In `f` (IR after our inlining, before the -O2 pipeline): when at least two of its limit
/// checks count their depth and slot end up from the same two arguments of `f` by constants
/// (the frames a recursion's inlining stacked in one native frame), `f` first checks the largest
/// depth and slot end among them and the stack pointer, and when no limit is reached runs a
/// copy of itself in which those checks are false (inlined back into `f` by the pipeline).
/// Exact: each of those checks implies the headroom check (the same stack pointer, a depth or
/// slot end at most the largest; an i32 sum that wraps was past every limit), so where the
/// headroom check passes none of them could have failed; where it fails, `f` runs as before and
/// each frame traps or moves to the big stack at its own call. Whether `f` was changed.
bool version_on_headroom(llvm::Function& f);

}  // namespace lunatic::jit
