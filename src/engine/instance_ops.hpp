// The instructions that act on an instance's entities as a whole (bulk memory, tables,
// call_indirect's checks), with their operands as values: shared by every tier. Each checks
// its whole range first, so an out-of-bounds one traps before writing anything (spec: "if ...
// is larger than the length ..., then trap"). Returning false means: trap with `trap`.
#pragma once

#include <cstdint>

#include "engine/store.hpp"
#include "engine/trap.hpp"

namespace lunatic::engine::instance_ops {

bool memory_fill(const Instance& inst, uint32_t d, uint8_t value, uint32_t n, TrapKind& trap);
bool memory_copy(const Instance& inst, uint32_t d, uint32_t s, uint32_t n, TrapKind& trap);
bool memory_init(const Instance& inst, uint32_t segment, uint32_t d, uint32_t s, uint32_t n,
                 TrapKind& trap);
void data_drop(Instance& inst, uint32_t segment);
bool table_get(const Instance& inst, uint32_t table, uint32_t i, Slot& out, TrapKind& trap);
bool table_set(const Instance& inst, uint32_t table, uint32_t i, Slot value, TrapKind& trap);
/// table.grow: the old size, or -1 (as u32).
uint32_t table_grow(const Instance& inst, uint32_t table, Slot init, uint32_t n);
bool table_fill(const Instance& inst, uint32_t table, uint32_t i, Slot value, uint32_t n,
                TrapKind& trap);
bool table_copy(const Instance& inst, uint32_t dst_table, uint32_t src_table, uint32_t d,
                uint32_t s, uint32_t n, TrapKind& trap);
bool table_init(const Instance& inst, uint32_t segment, uint32_t table, uint32_t d, uint32_t s,
                uint32_t n, TrapKind& trap);
void elem_drop(Instance& inst, uint32_t segment);
/// call_indirect's checks: the function at `table`[i] if its type is `type_index` of the
/// instance's module (structurally, as the spec requires), or null with `trap` set.
Function* indirect_callee(const Instance& inst, uint32_t type_index, uint32_t table, uint32_t i,
                          TrapKind& trap);

}  // namespace lunatic::engine::instance_ops
