// The out-of-line SIMD step: the dispatch loop's handler for the SIMD instructions it does not
// inline (interpreter_simd_ops.hpp), one switch over all of them; run_simd, the same switch
// for the baseline tier.
#include "engine/interpreter_simd_ops.hpp"
#include "engine/simd_step.hpp"

namespace lunatic::engine {

namespace ops {

const uint32_t* execute_simd(Slot* fp, const uint32_t* pc, MemoryView mem, TrapKind& trap) {
  return simd_step(static_cast<Op>(pc[0]), fp, pc, mem, trap) ? pc : nullptr;
}

}  // namespace ops

bool run_simd(Slot* fp, const uint32_t* code, uint8_t* memory_base, uint64_t memory_size,
              TrapKind& trap) {
  return ops::execute_simd(fp, code, ops::MemoryView{memory_base, memory_size}, trap) != nullptr;
}

}  // namespace lunatic::engine
