// The instructions that act on an instance's entities as a whole (bulk memory, tables,
// call_indirect's checks), with their operands as values: shared by every tier. Each checks
// its whole range first, so an out-of-bounds one traps before writing anything (spec: "if ...
// is larger than the length ..., then trap"). Returning false means: trap with `trap`.
// Those that write a range charge its size to the running tier's meter (fuel_meter.hpp) after
// their bounds check and before writing: an out-of-bounds one costs nothing extra, and one the
// fuel left cannot pay traps with "out of fuel" having written nothing. They then write in pieces
// of kBulkPieceBytes and take a pending kill between pieces (trap Killed, the pieces before it
// written: the process ends, nobody sees the half-done write), so a kill does not wait for a
// whole 4 GiB fill. A used-up slice ends between pieces too (fuel_meter.hpp, FuelMeter::pause):
// compiled code pauses in place; for the interpreter the instruction returns false with
// meter.stopped_at set (no trap), and its next run with meter.resume_at = stopped_at goes on
// from there, its operands as before, charging no fuel again.
#pragma once

#include <cstdint>

#include "engine/fuel_meter.hpp"
#include "engine/store.hpp"
#include "engine/trap.hpp"

namespace lunatic::engine::instance_ops {

bool memory_fill(const Instance& inst, uint32_t d, uint8_t value, uint32_t n, FuelMeter& meter,
                 TrapKind& trap);
bool memory_copy(const Instance& inst, uint32_t d, uint32_t s, uint32_t n, FuelMeter& meter,
                 TrapKind& trap);
bool memory_init(const Instance& inst, uint32_t segment, uint32_t d, uint32_t s, uint32_t n,
                 FuelMeter& meter, TrapKind& trap);
void data_drop(Instance& inst, uint32_t segment);
bool table_get(const Instance& inst, uint32_t table, uint32_t i, Slot& out, TrapKind& trap);
bool table_set(const Instance& inst, uint32_t table, uint32_t i, Slot value, TrapKind& trap);
/// table.grow: `old` = the old size, or -1 (as u32) when the table refuses the room
/// (Table::reserve_growth: its limits, the memory budget, charged before the allocation). A
/// grow that can succeed charges the elements it will write before writing them (false, out
/// of fuel, when the fuel left cannot pay: the table keeps its size), then writes them in
/// pieces as the other bulk instructions.
bool table_grow(const Instance& inst, uint32_t table, Slot init, uint32_t n, FuelMeter& meter,
                uint32_t& old, TrapKind& trap);
bool table_fill(const Instance& inst, uint32_t table, uint32_t i, Slot value, uint32_t n,
                FuelMeter& meter, TrapKind& trap);
bool table_copy(const Instance& inst, uint32_t dst_table, uint32_t src_table, uint32_t d,
                uint32_t s, uint32_t n, FuelMeter& meter, TrapKind& trap);
bool table_init(const Instance& inst, uint32_t segment, uint32_t table, uint32_t d, uint32_t s,
                uint32_t n, FuelMeter& meter, TrapKind& trap);
void elem_drop(Instance& inst, uint32_t segment);
/// call_indirect's checks: the function at `table`[i] if its type is `type_index` of the
/// instance's module (structurally, as the spec requires), or null with `trap` set.
Function* indirect_callee(const Instance& inst, uint32_t type_index, uint32_t table, uint32_t i,
                          TrapKind& trap);

}  // namespace lunatic::engine::instance_ops
