// Instantiation (spec 4.5.4, WebAssembly 2.0): match imports against the module's import types,
// allocate the instance's functions, tables, memories, globals and element segments, then run
// the active element and data segments in order. The start function is the caller's to run.
#include <algorithm>
#include <array>
#include <cstddef>
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

// One charge of the store's budget for what an instance holds of it from the start: its host
// bytes past the uncharged ones, its own tables' initial elements and (where the store
// charges them) its own memories' initial pages. Each was an atomic update of the budget's
// line, shared with every worker's spawns and ends, and of each ancestor's; so is each
// release, which ~Instance makes one too. Where a table or memory is past the store's limits
// or the budget refuses the sum, nothing is charged here and each part is charged as it is
// made (its own error names what was refused). Each part takes its share as it is made
// (take); what none took (an instantiation that failed first) is given back.
class OwnCharge {
 public:
  // `host_bytes`: the instance's InstanceBytes.
  OwnCharge(const StoreLimits& limits, const wasm::Module& m, uint64_t host_bytes) {
    if (limits.budget == nullptr) return;
    uint64_t total = 0;
    for (const wasm::TableType& t : m.tables) {
      if (!limits.table_fits(t.limits.min)) return;
      total += uint64_t{t.limits.min} * sizeof(Slot);
    }
    if (limits.charge_memories) {
      const uint32_t cap = limits.memory_page_cap();
      for (const wasm::MemoryType& t : m.memories) {
        if (t.limits.min > cap) return;
        total += uint64_t{t.limits.min} * wasm::kPageSize;
      }
    }
    // The sums cannot wrap: at most 2^35 bytes a table or memory, and no binary declares
    // 2^29 of them. The host bytes, which could be anything, are checked.
    const uint64_t host = InstanceBytes::charge_for(limits.uncharged_instance_bytes, host_bytes);
    if (host > UINT64_MAX - total) return;
    total += host;
    if (total != 0 && limits.budget->try_charge(total)) {
      budget_ = limits.budget;
      left_ = total;
    }
  }
  OwnCharge(const OwnCharge&) = delete;
  OwnCharge& operator=(const OwnCharge&) = delete;
  ~OwnCharge() {
    if (left_ != 0) budget_->release(left_);
  }

  /// Whether `bytes` of the charge are the caller's to hand to a part (which then charges
  /// nothing itself); false when there is no one charge.
  bool take(uint64_t bytes) {
    if (budget_ == nullptr) return false;
    left_ -= bytes;  // the parts' shares add up to the total by construction
    return true;
  }

 private:
  const MemoryBudget* budget_ = nullptr;
  uint64_t left_ = 0;
};

// Where the parts of an instance go in its block (Store::instantiate): the Instance, its four
// index spaces, the module's functions and the tables, memories and globals it defines.
struct InstanceBlock {
  size_t function_space, table_space, memory_space, global_space;
  size_t functions, tables, memories, globals;
  size_t bytes;  // the whole block
};

// `spaces`: the sizes of the function, table, memory and global index spaces.
InstanceBlock instance_block(const std::array<size_t, 4>& spaces, const wasm::Module& m) {
  size_t end = sizeof(Instance);
  auto place = [&end](size_t count, size_t size, size_t align) {
    const size_t at = (end + align - 1) / align * align;
    end = at + count * size;
    return at;
  };
  InstanceBlock b{};
  b.function_space = place(spaces[0], sizeof(Function*), alignof(Function*));
  b.table_space = place(spaces[1], sizeof(Table*), alignof(Table*));
  b.memory_space = place(spaces[2], sizeof(Memory*), alignof(Memory*));
  b.global_space = place(spaces[3], sizeof(Global*), alignof(Global*));
  b.functions = place(m.functions.size(), sizeof(Function), alignof(Function));
  b.tables = place(m.tables.size(), sizeof(Table), alignof(Table));
  b.memories = place(m.memories.size(), sizeof(Memory), alignof(Memory));
  b.globals = place(m.globals.size(), sizeof(Global), alignof(Global));
  b.bytes = end;
  return b;
}
static_assert(alignof(Instance) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__ &&
              alignof(Table) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__ &&
              alignof(Memory) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__ &&
              alignof(Global) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

// The active segments as compile() prepared them: nothing to evaluate, nothing out of bounds
// (the module's own table and memory have their initial sizes), so nothing can fail. The
// references are read from the instance's function index space, just written.
void apply(const PreparedSegments& prepared, Instance& inst) {
  Function* const* functions = inst.functions.data();
  for (const PreparedSegments::Elements& seg : prepared.elements) {
    Slot* out = inst.tables[seg.table]->data() + seg.offset;
    for (const uint32_t f : seg.functions) {
      *out++ = f == PreparedSegments::kNull ? Slot{0} : reinterpret_cast<Slot>(functions[f]);
    }
  }
  for (const PreparedSegments::Data& seg : prepared.data) {
    // Copying touches exactly the pages the segment covers, nothing more (DESIGN.md "Page
    // faults dominate spawn").
    std::copy(seg.bytes.begin(), seg.bytes.end(), inst.memories[0]->data() + seg.offset);
  }
  const std::vector<wasm::DataSegment>& data = inst.wasm().data;
  if (!inst.segments) return;
  std::vector<bool>& dropped = inst.segments->data_dropped;
  for (size_t i = 0; i < dropped.size(); ++i) {
    if (data[i].mode == wasm::SegmentMode::Active) dropped[i] = true;
  }
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

  // The budget is charged once for the instance's host bytes and the initial sizes of the
  // tables and memories it defines, when all of them fit (OwnCharge); else each is charged
  // as it is made, and the one the budget refuses fails the instantiation with its own error.
  const uint64_t bytes = instance_bytes(m, imports.size());
  OwnCharge own(limits_, m, bytes);
  // Charged before anything it counts is allocated; the store's budget refuses it as it
  // refuses a table, and the refusal names the limit the same way.
  InstanceBytes charge;
  if (!charge.hold(limits_.budget, limits_.uncharged_instance_bytes, bytes,
                   own.take(InstanceBytes::charge_for(limits_.uncharged_instance_bytes, bytes)))) {
    // What the budget refused: the bytes past those the embedder's own charge covers.
    const uint64_t refused = bytes - std::min(bytes, limits_.uncharged_instance_bytes);
    return Error(Phase::Instantiate, "instance exceeds the environment's max_memory_total",
                 Error::kNoOffset,
                 std::to_string(refused) +
                     " bytes of host state requested (functions, globals, tables' entries, "
                     "element segments), " +
                     std::to_string(limits_.budget->left()) + " bytes left");
  }
  // Vouched-for imports have the kinds of the module's imports, which the module counted
  // (the decoder did): a spawn of an SDK guest counted its 63 imports again. Others are
  // counted in locals, not an array indexed by kind: an increment through memory per import
  // was a chain of store-to-load forwards, an eighth of this function's time.
  size_t imported_tables = m.imported_tables, imported_memories = m.imported_memories,
         imported_globals = m.imported_globals;
  if (!imports_checked) {
    imported_tables = imported_memories = imported_globals = 0;
    for (const Extern& ext : imports) {
      imported_tables += ext.kind == wasm::ExternKind::Table;
      imported_memories += ext.kind == wasm::ExternKind::Memory;
      imported_globals += ext.kind == wasm::ExternKind::Global;
    }
  }
  const size_t imported_functions =
      imports.size() - imported_tables - imported_memories - imported_globals;
  const size_t defined = m.functions.size();
  const InstanceBlock at =
      instance_block({imported_functions + defined, imported_tables + m.tables.size(),
                      imported_memories + m.memories.size(), imported_globals + m.globals.size()},
                     m);
  // The block of an instance of this module that went, if it was cut for this layout: its
  // functions and defined functions' index entries hold what this one would write (the same
  // module, the same block), so they are not written again (Store::~Store).
  const SpareBlock layout{at.bytes, imported_functions + defined, imported_tables + m.tables.size(),
                          imported_memories + m.memories.size(),
                          imported_globals + m.globals.size()};
  auto* block = static_cast<std::byte*>(module->take_spare_block());
  const bool reused = block != nullptr && *reinterpret_cast<const SpareBlock*>(block) == layout;
  if (block != nullptr && !reused) ::operator delete(block);
  if (!reused) block = static_cast<std::byte*>(::operator new(at.bytes));
  // The instance joins the store before anything can fail: once a segment has written one of
  // its functions into an imported table, that function must outlive a failed instantiation.
  auto* inst = new (block) Instance();
  inst->block_bytes = at.bytes <= UINT32_MAX ? static_cast<uint32_t>(at.bytes) : 0;
  inst->older = newest_;
  newest_ = inst;
  inst->module = std::move(module);
  inst->host_bytes.take(charge);
  auto* function_space = reinterpret_cast<Function**>(block + at.function_space);
  auto* table_space = reinterpret_cast<Table**>(block + at.table_space);
  auto* memory_space = reinterpret_cast<Memory**>(block + at.memory_space);
  auto* global_space = reinterpret_cast<Global**>(block + at.global_space);
  // Each index space is written through a pointer and grows as it is filled (its span
  // counts what was made): a push_back per entry was most of the instructions here.
  size_t functions = 0, tables = 0, memories = 0, globals = 0;
  if (imported_functions == imports.size() && reused) {
    // A reused block mostly holds these already (the same resolution): read, not written, its
    // lines stay shared with the worker that ran the instance before.
    for (const Extern& ext : imports) {
      Function* const f = ext.func();
      if (function_space[functions] != f) function_space[functions] = f;
      ++functions;
    }
  } else if (imported_functions == imports.size()) {
    // Only functions (an SDK guest's 63 imports): no switch per import.
    for (const Extern& ext : imports) function_space[functions++] = ext.func();
  } else {
    for (const Extern& ext : imports) {
      switch (ext.kind) {
        case wasm::ExternKind::Func: function_space[functions++] = ext.func(); break;
        case wasm::ExternKind::Table: table_space[tables++] = ext.table(); break;
        case wasm::ExternKind::Memory: memory_space[memories++] = ext.memory(); break;
        case wasm::ExternKind::Global: global_space[globals++] = ext.global(); break;
      }
    }
  }
  inst->tables = {table_space, tables};
  inst->memories = {memory_space, memories};
  inst->globals = {global_space, globals};

  // Each of the module's functions is constructed once with its fields: the block is fresh
  // memory, often last touched by another worker, and a pass that zeroed it first cost as
  // much as the pass that fills it.
  auto* own_functions = reinterpret_cast<Function*>(block + at.functions);
  if (reused) {
    functions += defined;  // made by the instance that left the block, as below
  } else if (const std::vector<DefinedFunction>& prepared = inst->module->defined;
             prepared.size() == defined) {
    // Through restrict pointers: otherwise each store could have changed what the next
    // iteration reads (the module's array, `inst`), which it then loaded again.
    const DefinedFunction* __restrict from = prepared.data();  // the module's: outlives inst
    Function* __restrict to = own_functions;
    Function** __restrict space = function_space + functions;
    for (size_t i = 0; i < defined; ++i) {
      space[i] = new (&to[i]) Function{from[i].type, inst, from[i].code};
    }
    functions += defined;
  }
  // A module built by hand: the types checked, as nothing validated it.
  const wasm::Function* declared = m.functions.data();
  const std::unique_ptr<CompiledFunction>* code = inst->module->code.data();  // outlives inst
  for (size_t i = functions - imported_functions; i < defined; ++i) {
    const uint32_t type_index = declared[i].type_index;
    if (type_index >= m.types.size()) {
      inst->functions = {function_space, functions};
      inst->defined_functions = {own_functions, i};
      return Error(Phase::Instantiate, "unknown type", declared[i].body_offset);
    }
    function_space[functions++] =
        new (&own_functions[i]) Function{&m.types[type_index], inst, code[i].get()};
  }
  inst->functions = {function_space, functions};
  inst->defined_functions = {own_functions, defined};

  auto* own_tables = reinterpret_cast<Table*>(block + at.tables);
  for (size_t i = 0; i < m.tables.size(); ++i) {
    const wasm::TableType& type = m.tables[i];
    Table* table =
        make_table(&own_tables[i], type, 0, own.take(uint64_t{type.limits.min} * sizeof(Slot)));
    if (table == nullptr && limits_.table_fits(type.limits.min)) {
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
    inst->own_tables = static_cast<uint32_t>(i + 1);
    table_space[tables++] = table;
    inst->tables = {table_space, tables};
  }
  auto* own_memories = reinterpret_cast<Memory*>(block + at.memories);
  for (size_t i = 0; i < m.memories.size(); ++i) {
    const bool charged =
        limits_.charge_memories && own.take(uint64_t{m.memories[i].limits.min} * wasm::kPageSize);
    memory_space[memories++] =
        TRY(Memory::create_at(&own_memories[i], pool_, m.memories[i], limits_.max_memory_pages,
                              limits_.charge_memories ? limits_.budget : nullptr, charged));
    inst->own_memories = static_cast<uint32_t>(i + 1);
    inst->memories = {memory_space, memories};
  }
  // Defined globals are appended one by one, so an initialiser sees the imported globals (all
  // that 2.0 allows) and, harmlessly, the defined ones before it.
  auto* own_globals = reinterpret_cast<Global*>(block + at.globals);
  for (size_t i = 0; i < m.globals.size(); ++i) {
    Slot hi = 0;
    Slot value = TRY(eval_const_expr(m.globals[i].init, *inst, &hi));
    global_space[globals++] = new (&own_globals[i]) Global{m.globals[i].type, value, hi};
    inst->globals = {global_space, globals};
  }

  const bool any_passive_elements =
      std::any_of(m.elements.begin(), m.elements.end(),
                  [](const wasm::ElemSegment& e) { return e.mode == wasm::SegmentMode::Passive; });
  const bool any_passive_data =
      std::any_of(m.data.begin(), m.data.end(),
                  [](const wasm::DataSegment& d) { return d.mode == wasm::SegmentMode::Passive; });
  if (any_passive_elements || any_passive_data)
    inst->segments = std::make_unique<Instance::Segments>();
  if (any_passive_elements) inst->segments->elements.resize(m.elements.size());
  if (any_passive_data) inst->segments->data_dropped.assign(m.data.size(), false);

  // Element segments, in order. Passive ones are kept for table.init; active ones are
  // table.init then elem.drop and declarative ones are dropped, so neither is kept: an active
  // segment's references go straight into the table (no vector per segment per spawn), its
  // bounds checked before any element is written, as table.init does. Evaluating the items
  // as they are written, rather than all segments' first, is the same for a validated module:
  // they have no effects and cannot fail.
  const PreparedSegments& prepared = inst->module->segments;
  for (size_t i = 0; i < m.elements.size(); ++i) {
    const wasm::ElemSegment& seg = m.elements[i];
    if (seg.mode == wasm::SegmentMode::Passive) {
      std::vector<Slot>& items = inst->segments->elements[i];
      items.reserve(seg.items.size());
      for (const wasm::ConstExpr& item : seg.items)
        items.push_back(TRY(eval_const_expr(item, *inst)));
      continue;
    }
    if (seg.mode != wasm::SegmentMode::Active || prepared.ready) continue;
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

  if (prepared.ready) {
    apply(prepared, *inst);
    inst->complete = true;
    return inst;
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
    if (inst->segments && !inst->segments->data_dropped.empty()) {
      inst->segments->data_dropped[i] = true;
    }
  }
  inst->complete = true;
  return inst;
}

}  // namespace lunatic::engine
