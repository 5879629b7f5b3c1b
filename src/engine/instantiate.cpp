// Instantiation (spec 4.5.4, WebAssembly 2.0): match imports against the module's import types,
// allocate the instance's functions, tables, memories, globals and element segments, then run
// the active element and data segments in order. The start function is the caller's to run.
#include <algorithm>
#include <new>
#include <string>

#include "common/memory_budget.hpp"
#include "engine/compiled_module.hpp"
#include "engine/const_expr.hpp"
#include "engine/store.hpp"

namespace lunatic::engine {
namespace {

// Limits subtyping (spec 4.5.1 "Limits"): {min n1, max m1?} matches {min n2, max m2?} when
// n1 >= n2 and, if m2 is present, m1 is present and m1 <= m2.
bool limits_match(const wasm::Limits& actual, const wasm::Limits& expected) {
  if (actual.min < expected.min) return false;
  if (!expected.max) return true;
  return actual.max && *actual.max <= *expected.max;
}

Error incompatible(const wasm::Import& import, const std::string& why) {
  return Error(Phase::Link, "incompatible import type", Error::kNoOffset,
               "import \"" + import.module + "\" \"" + import.name + "\": " + why);
}

Result<void> check_import(const wasm::Module& m, const wasm::Import& import, const Extern& ext) {
  if (ext.entity == nullptr) return incompatible(import, "no entity given");
  if (ext.kind != import.kind) {
    return incompatible(import, std::string("expected a ") + wasm::extern_kind_name(import.kind) +
                                    ", got a " + wasm::extern_kind_name(ext.kind));
  }
  switch (import.kind) {
    case wasm::ExternKind::Func: {
      if (import.func_type >= m.types.size()) return incompatible(import, "unknown type");
      const wasm::FuncType& expected = m.types[import.func_type];
      const wasm::FuncType& actual = *ext.func()->type;
      if (actual != expected) {
        return incompatible(import,
                            "expected " + expected.to_string() + ", got " + actual.to_string());
      }
      return {};
    }
    case wasm::ExternKind::Table: {
      wasm::TableType actual = ext.table()->type();
      if (actual.element != import.table.element ||
          !limits_match(actual.limits, import.table.limits)) {
        return incompatible(import, "table type or limits do not match");
      }
      return {};
    }
    case wasm::ExternKind::Memory:
      if (!limits_match(ext.memory()->type().limits, import.memory.limits)) {
        return incompatible(import, "memory limits do not match");
      }
      return {};
    case wasm::ExternKind::Global:
      if (ext.global()->type != import.global)
        return incompatible(import, "global type or mutability differ");
      return {};
  }
  return incompatible(import, "unknown kind");
}

uint64_t expr_offset(const wasm::ConstExpr& expr) {
  return expr.instrs.empty() ? Error::kNoOffset : expr.instrs.front().offset;
}

// The host memory an instance of `m` holds in proportion to the module (InstanceBytes), all
// of it allocated below: what a hostile module could multiply by its spawns, uncharged (a
// binary of 1 MB declares ~300,000 functions, ~200,000 globals or a passive segment of
// ~1,000,000 references: 12, 11 and 8 MB of host memory per instance).
uint64_t instance_bytes(const wasm::Module& m, size_t imports) {
  constexpr uint64_t kEntry = sizeof(void*);  // in the instance's index space, and the store's
  constexpr uint64_t kObject = 16;            // the allocator's own, per object allocated alone
  uint64_t bytes = imports * kEntry + m.functions.size() * (kEntry + sizeof(Function)) +
                   m.tables.size() * (2 * kEntry + sizeof(Table) + kObject) +
                   m.memories.size() * (2 * kEntry + sizeof(Memory) + kObject) +
                   m.globals.size() * (2 * kEntry + sizeof(Global) + kObject) +
                   m.elements.size() * sizeof(std::vector<Slot>) + (m.data.size() + 7) / 8;
  for (const wasm::ElemSegment& seg : m.elements) {
    if (seg.mode == wasm::SegmentMode::Passive) bytes += seg.items.size() * sizeof(Slot);
  }
  return bytes;
}

}  // namespace

Result<Instance*> Store::instantiate(std::shared_ptr<const CompiledModule> module,
                                     std::span<const Extern> imports, bool imports_checked) {
  if (!module) return Error(Phase::Usage, "instantiate: no module");
  const wasm::Module& m = module->wasm;
  if (imports.size() != m.imports.size()) {
    return Error(Phase::Link, "unknown import", Error::kNoOffset,
                 "the module has " + std::to_string(m.imports.size()) + " imports, " +
                     std::to_string(imports.size()) + " given");
  }
  if (module->code.size() != m.functions.size()) {
    return Error(Phase::Usage, "instantiate: module is not compiled (code missing)");
  }
  for (size_t i = 0; !imports_checked && i < imports.size(); ++i) {
    TRY(check_import(m, m.imports[i], imports[i]));
  }

  // The instance joins the store before anything can fail: once a segment has written one of
  // its functions into an imported table, that function must outlive a failed instantiation.
  Instance* inst = instances_.emplace_back(std::make_unique<Instance>()).get();
  inst->module = std::move(module);
  // Charged before anything it counts is allocated; the store's budget refuses it as it
  // refuses a table, and the refusal names the limit the same way.
  if (const uint64_t bytes = instance_bytes(m, imports.size());
      !inst->host_bytes.hold(limits_.budget, limits_.uncharged_instance_bytes, bytes)) {
    // What the budget refused: the bytes past those the embedder's own charge covers.
    const uint64_t refused = bytes - std::min(bytes, limits_.uncharged_instance_bytes);
    return Error(Phase::Instantiate, "instance exceeds the environment's max_memory_total",
                 Error::kNoOffset,
                 std::to_string(refused) +
                     " bytes of host state requested (functions, globals, tables' entries, "
                     "element segments), " +
                     std::to_string(limits_.budget->left()) + " bytes left");
  }
  // One allocation for the whole function index space (imports first), written through a
  // pointer: growing it import by import reallocated it several times per spawn, and a
  // push_back per function was most of the instructions of this function.
  const size_t defined = m.functions.size();
  inst->functions.resize(imports.size() + defined);
  Function** index = inst->functions.data();
  size_t count = 0;
  for (const Extern& ext : imports) {
    switch (ext.kind) {
      case wasm::ExternKind::Func: index[count++] = ext.func(); break;
      case wasm::ExternKind::Table: inst->tables.push_back(ext.table()); break;
      case wasm::ExternKind::Memory: inst->memories.push_back(ext.memory()); break;
      case wasm::ExternKind::Global: inst->globals.push_back(ext.global()); break;
    }
  }

  inst->globals.reserve(inst->globals.size() + m.globals.size());
  // The module's functions in one allocation (a spawn makes one Store per process), owned by
  // the instance (so by the store) before any of them is filled in. Each is constructed once
  // with its fields: the block is fresh memory, often last touched by another worker, and a
  // pass that zeroed it first cost as much as the pass that fills it.
  if (defined != 0) {
    inst->defined_functions.reset(
        static_cast<Function*>(::operator new(defined * sizeof(Function))));
  }
  Function* block = inst->defined_functions.get();
  const wasm::Function* declared = m.functions.data();
  const wasm::FuncType* types = m.types.data();
  const size_t type_count = m.types.size();
  const std::unique_ptr<CompiledFunction>* code = inst->module->code.data();  // outlives inst
  for (size_t i = 0; i < defined; ++i) {
    const uint32_t type_index = declared[i].type_index;
    if (type_index >= type_count) {
      // The rest of the block is raw storage: fill it so nothing reads an unset Function.
      for (size_t j = i; j < defined; ++j) new (&block[j]) Function{};
      inst->functions.resize(count);
      return Error(Phase::Instantiate, "unknown type", declared[i].body_offset);
    }
    index[count++] = new (&block[i]) Function{&types[type_index], inst, code[i].get()};
  }
  inst->functions.resize(count);  // less the imports of other kinds

  for (const wasm::TableType& type : m.tables) {
    Table* table = add_table(type, 0);
    if (table == nullptr && type.limits.min <= limits_.max_table_elements &&
        type.limits.min <= Table::kMaxElements) {
      return Error(Phase::Instantiate, "table size exceeds the environment's max_memory_total",
                   Error::kNoOffset,
                   std::to_string(type.limits.min) + " elements requested, " +
                       std::to_string(limits_.budget->left()) + " bytes left");
    }
    if (table == nullptr) {
      return Error(Phase::Instantiate, "table size exceeds the limit", Error::kNoOffset,
                   std::to_string(type.limits.min) + " elements requested, limit " +
                       std::to_string(limits_.max_table_elements));
    }
    inst->tables.push_back(table);
  }
  for (const wasm::MemoryType& type : m.memories) inst->memories.push_back(TRY(add_memory(type)));
  // Defined globals are appended one by one, so an initialiser sees the imported globals (all
  // that 2.0 allows) and, harmlessly, the defined ones before it.
  for (const wasm::Global& g : m.globals) {
    Slot hi = 0;
    Slot value = TRY(eval_const_expr(g.init, *inst, &hi));
    inst->globals.push_back(add_global(g.type, value));
    inst->globals.back()->hi = hi;
  }

  inst->elements.resize(m.elements.size());
  const bool any_passive_data =
      std::any_of(m.data.begin(), m.data.end(),
                  [](const wasm::DataSegment& d) { return d.mode == wasm::SegmentMode::Passive; });
  if (any_passive_data) inst->data_dropped.assign(m.data.size(), false);

  // Element segments, in order. Passive ones are kept for table.init; active ones are
  // table.init then elem.drop and declarative ones are dropped, so neither is kept: an active
  // segment's references go straight into the table (no vector per segment per spawn), its
  // bounds checked before any element is written, as table.init does. Evaluating the items
  // as they are written, rather than all segments' first, is the same for a validated module:
  // they have no effects and cannot fail.
  for (size_t i = 0; i < m.elements.size(); ++i) {
    const wasm::ElemSegment& seg = m.elements[i];
    if (seg.mode == wasm::SegmentMode::Passive) {
      std::vector<Slot>& items = inst->elements[i];
      items.reserve(seg.items.size());
      for (const wasm::ConstExpr& item : seg.items)
        items.push_back(TRY(eval_const_expr(item, *inst)));
      continue;
    }
    if (seg.mode != wasm::SegmentMode::Active) continue;
    if (seg.table_index >= inst->tables.size()) {
      return Error(Phase::Instantiate, "unknown table", expr_offset(seg.offset),
                   "element segment " + std::to_string(i));
    }
    Table* table = inst->tables[seg.table_index];
    uint64_t offset = TRY(eval_const_expr(seg.offset, *inst)) & 0xFFFF'FFFFu;
    if (offset + seg.items.size() > table->size()) {
      return Error(Phase::Instantiate, "out of bounds table access", expr_offset(seg.offset),
                   "element segment " + std::to_string(i));
    }
    Slot* out = table->data() + offset;
    for (const wasm::ConstExpr& item : seg.items) *out++ = TRY(eval_const_expr(item, *inst));
  }

  // Active data segments, in order: memory.init, then data.drop.
  for (size_t i = 0; i < m.data.size(); ++i) {
    const wasm::DataSegment& seg = m.data[i];
    if (seg.mode != wasm::SegmentMode::Active) continue;
    if (seg.memory_index >= inst->memories.size()) {
      return Error(Phase::Instantiate, "unknown memory", expr_offset(seg.offset),
                   "data segment " + std::to_string(i));
    }
    Memory* memory = inst->memories[seg.memory_index];
    uint64_t offset = TRY(eval_const_expr(seg.offset, *inst)) & 0xFFFF'FFFFu;
    if (offset + seg.bytes.size() > memory->size_bytes()) {
      return Error(Phase::Instantiate, "out of bounds memory access", expr_offset(seg.offset),
                   "data segment " + std::to_string(i));
    }
    // Copying touches exactly the pages the segment covers, nothing more (DESIGN.md "Page
    // faults dominate spawn").
    if (!seg.bytes.empty()) std::copy(seg.bytes.begin(), seg.bytes.end(), memory->data() + offset);
    if (!inst->data_dropped.empty()) inst->data_dropped[i] = true;
  }
  return inst;
}

}  // namespace lunatic::engine
