// Out-of-line instructions: bulk memory, tables and call_indirect's checks, their operands
// read from the frame (the semantics are instance_ops.hpp's).
#include "engine/code.hpp"
#include "engine/compiled_module.hpp"
#include "engine/instance_ops.hpp"
#include "engine/interpreter_ops.hpp"

namespace lunatic::engine::ops {
namespace {
uint32_t u32(Slot s) { return static_cast<uint32_t>(s); }
}  // namespace
}  // namespace lunatic::engine::ops

namespace lunatic::engine::ops {

// The operands are decoded here; the semantics are the tier-neutral ones of instance_ops.
bool memory_fill(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                 TrapKind& trap) {
  return instance_ops::memory_fill(inst, u32(fp[pc[1]]), static_cast<uint8_t>(fp[pc[2]]),
                                   u32(fp[pc[3]]), meter, trap);
}

bool memory_copy(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                 TrapKind& trap) {
  return instance_ops::memory_copy(inst, u32(fp[pc[1]]), u32(fp[pc[2]]), u32(fp[pc[3]]), meter,
                                   trap);
}

bool memory_init(Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter, TrapKind& trap) {
  return instance_ops::memory_init(inst, pc[1], u32(fp[pc[2]]), u32(fp[pc[3]]), u32(fp[pc[4]]),
                                   meter, trap);
}

bool table_get(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  return instance_ops::table_get(inst, pc[2], u32(fp[pc[3]]), fp[pc[1]], trap);
}

bool table_set(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  return instance_ops::table_set(inst, pc[1], u32(fp[pc[2]]), fp[pc[3]], trap);
}

bool table_grow(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                TrapKind& trap) {
  uint32_t old = 0;
  const bool ok =
      instance_ops::table_grow(inst, pc[2], fp[pc[3]], u32(fp[pc[4]]), meter, old, trap);
  // Not on a stop: the result's slot may be an operand's, read again when the grow goes on.
  if (ok) fp[pc[1]] = old;
  return ok;
}

bool table_fill(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                TrapKind& trap) {
  return instance_ops::table_fill(inst, pc[1], u32(fp[pc[2]]), fp[pc[3]], u32(fp[pc[4]]), meter,
                                  trap);
}

bool table_copy(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                TrapKind& trap) {
  return instance_ops::table_copy(inst, pc[1], pc[2], u32(fp[pc[3]]), u32(fp[pc[4]]),
                                  u32(fp[pc[5]]), meter, trap);
}

bool table_init(Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter, TrapKind& trap) {
  return instance_ops::table_init(inst, pc[1], pc[2], u32(fp[pc[3]]), u32(fp[pc[4]]),
                                  u32(fp[pc[5]]), meter, trap);
}

// The common case, a function of the same module declared with the very type index, is one
// integer compare (no type pointer needed); otherwise instance_ops's checks.
Function* indirect_callee(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  Table& table = *inst.tables[pc[2]];
  const uint64_t i = u32(fp[pc[3]]);
  if (i < table.size()) {
    auto* f = reinterpret_cast<Function*>(table.data()[i]);
    if (f != nullptr && f->instance != nullptr && f->code != nullptr &&
        f->code->type_index == pc[1] && f->instance->module == inst.module) {
      return f;
    }
  }
  return instance_ops::indirect_callee(inst, pc[1], pc[2], u32(fp[pc[3]]), trap);
}

}  // namespace lunatic::engine::ops
