// One SIMD instruction run on a frame of slots: how a native tier that keeps v128 values in
// slot pairs (the baseline) applies the interpreter's own lane semantics instead of a copy.
#pragma once

#include <cstdint>

#include "engine/trap.hpp"
#include "engine/value.hpp"

namespace lunatic::engine {

/// Runs the SIMD instruction `code`, laid out as the lowered code's (code.hpp: the Wasm opcode,
/// then slot operands relative to `fp`, a v128 naming its first slot, then immediates), on
/// the linear memory [memory_base, memory_base + memory_size). Returns false with `trap` set
/// when it traps (only the memory accesses do: out of bounds). @pre the instruction validated
/// (lane indices in range) and its slots inside the frame.
bool run_simd(Slot* fp, const uint32_t* code, uint8_t* memory_base, uint64_t memory_size,
              TrapKind& trap);

}  // namespace lunatic::engine
