// Out-of-line instructions: bulk memory, tables and call_indirect's checks. Every bulk operation
// checks its whole range first, so an out-of-bounds one traps before writing anything (spec:
// "if ... is larger than the length ..., then trap").
#include <algorithm>
#include <cstring>

#include "engine/code.hpp"
#include "engine/compiled_module.hpp"
#include "engine/interpreter_ops.hpp"

namespace lunatic::engine::ops {
namespace {

uint64_t u32(Slot s) { return static_cast<uint32_t>(s); }

// True if [start, start + n) lies within `length`; 64-bit sums of 32-bit values cannot wrap.
bool in_bounds(uint64_t start, uint64_t n, uint64_t length) { return start + n <= length; }

}  // namespace

bool memory_fill(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  const MemoryView mem = memory_view(&inst);
  const uint64_t d = u32(fp[pc[1]]), n = u32(fp[pc[3]]);
  if (!in_bounds(d, n, mem.size)) return trap = TrapKind::MemoryOutOfBounds, false;
  std::memset(mem.base + d, static_cast<uint8_t>(fp[pc[2]]), n);
  return true;
}

bool memory_copy(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  const MemoryView mem = memory_view(&inst);
  const uint64_t d = u32(fp[pc[1]]), s = u32(fp[pc[2]]), n = u32(fp[pc[3]]);
  if (!in_bounds(d, n, mem.size) || !in_bounds(s, n, mem.size)) {
    return trap = TrapKind::MemoryOutOfBounds, false;
  }
  std::memmove(mem.base + d, mem.base + s, n);  // the ranges may overlap
  return true;
}

bool memory_init(Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  const MemoryView mem = memory_view(&inst);
  const uint32_t segment = pc[1];
  const auto& data = inst.module->wasm.data;
  const bool dropped = segment >= inst.data_dropped.size() || inst.data_dropped[segment];
  const uint64_t length = dropped || segment >= data.size() ? 0 : data[segment].bytes.size();
  const uint64_t d = u32(fp[pc[2]]), s = u32(fp[pc[3]]), n = u32(fp[pc[4]]);
  if (!in_bounds(s, n, length) || !in_bounds(d, n, mem.size)) {
    return trap = TrapKind::MemoryOutOfBounds, false;
  }
  if (n > 0) std::memcpy(mem.base + d, data[segment].bytes.data() + s, n);
  return true;
}

bool table_get(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  Table& table = *inst.tables[pc[2]];
  const uint64_t i = u32(fp[pc[3]]);
  if (i >= table.size()) return trap = TrapKind::TableOutOfBounds, false;
  fp[pc[1]] = table.data()[i];
  return true;
}

bool table_set(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  Table& table = *inst.tables[pc[1]];
  const uint64_t i = u32(fp[pc[2]]);
  if (i >= table.size()) return trap = TrapKind::TableOutOfBounds, false;
  table.data()[i] = fp[pc[3]];
  return true;
}

void table_grow(const Instance& inst, Slot* fp, const uint32_t* pc) {
  Table& table = *inst.tables[pc[2]];
  fp[pc[1]] = static_cast<uint32_t>(table.grow(static_cast<uint32_t>(fp[pc[4]]), fp[pc[3]]));
}

bool table_fill(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  Table& table = *inst.tables[pc[1]];
  const uint64_t i = u32(fp[pc[2]]), n = u32(fp[pc[4]]);
  if (!in_bounds(i, n, table.size())) return trap = TrapKind::TableOutOfBounds, false;
  std::fill_n(table.data() + i, n, fp[pc[3]]);
  return true;
}

bool table_copy(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  Table& dst = *inst.tables[pc[1]];
  Table& src = *inst.tables[pc[2]];
  const uint64_t d = u32(fp[pc[3]]), s = u32(fp[pc[4]]), n = u32(fp[pc[5]]);
  if (!in_bounds(d, n, dst.size()) || !in_bounds(s, n, src.size())) {
    return trap = TrapKind::TableOutOfBounds, false;
  }
  if (n > 0) std::memmove(dst.data() + d, src.data() + s, n * sizeof(Slot));
  return true;
}

bool table_init(Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  const uint32_t segment = pc[1];
  Table& table = *inst.tables[pc[2]];
  static const std::vector<Slot> kEmpty;
  const std::vector<Slot>& elems = segment < inst.elements.size() ? inst.elements[segment] : kEmpty;
  const uint64_t d = u32(fp[pc[3]]), s = u32(fp[pc[4]]), n = u32(fp[pc[5]]);
  if (!in_bounds(s, n, elems.size()) || !in_bounds(d, n, table.size())) {
    return trap = TrapKind::TableOutOfBounds, false;
  }
  if (n > 0) std::copy_n(elems.data() + s, n, table.data() + d);
  return true;
}

// The common case, a function of the same module declared with the very type index, is one
// integer compare; otherwise the types are compared structurally, as the spec requires.
Function* indirect_callee(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap) {
  Table& table = *inst.tables[pc[2]];
  const uint64_t i = u32(fp[pc[3]]);
  if (i >= table.size()) return trap = TrapKind::UndefinedElement, nullptr;
  auto* f = reinterpret_cast<Function*>(table.data()[i]);
  if (f == nullptr) return trap = TrapKind::UninitializedElement, nullptr;
  const uint32_t type_index = pc[1];
  if (f->instance != nullptr && f->code != nullptr && f->code->type_index == type_index &&
      f->instance->module == inst.module) {
    return f;
  }
  if (*f->type != inst.module->wasm.types[type_index]) {
    return trap = TrapKind::IndirectCallTypeMismatch, nullptr;
  }
  return f;
}

}  // namespace lunatic::engine::ops
