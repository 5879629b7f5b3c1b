// The out-of-line SIMD step: the dispatch loop's handler for the SIMD instructions it does not
// inline (interpreter_simd_ops.hpp), one switch over all of them.
#include "engine/interpreter_simd_ops.hpp"

namespace lunatic::engine::ops {

const uint32_t* execute_simd(Slot* fp, const uint32_t* pc, MemoryView mem, TrapKind& trap) {
  return simd_step(static_cast<Op>(pc[0]), fp, pc, mem, trap) ? pc : nullptr;
}

}  // namespace lunatic::engine::ops
