// The Store: owner of every function, table, memory, global and instance of one process, and
// the lookups an instance answers (exports, start function).
#include "engine/store.hpp"

#include <new>

#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"

namespace lunatic::engine {

// A kept block holds a SpareBlock where its Instance was; the Instance fits mimalloc's size
// classes as docs/design.md says ("An instance is one block").
static_assert(sizeof(SpareBlock) <= sizeof(Instance) && alignof(SpareBlock) <= alignof(Instance));
static_assert(sizeof(Instance) <= 152, "Instance grew: check the WAT guest's block size class");

Store::Store(MemoryPool& pool, StoreLimits limits) : pool_(pool), limits_(limits) {}

// The instances go first, newest first (each with the entities it defines), then the
// store's own entities, in reverse order of declaration; memories hand their slots back to
// the pool, which must outlive the store.
// An instance with fewer functions (imported and its own) leaves its block to the allocator:
// writing them costs less than the module's lock at its end and at the next spawn
// (callgrind, --workers 1: the benchmarks' minimal module, one function, took 160
// instructions more per process with its block kept; the WAT guest has 22, the C guest 69,
// an SDK guest 149).
constexpr size_t kReusedFunctions = 32;

Store::~Store() {
  while (newest_ != nullptr) {
    Instance* inst = newest_;
    newest_ = inst->older;
    // The block of a complete instance goes to its module for the next instance, whose spawn
    // then writes none of its functions and defined functions' index entries (86 functions
    // and their entries in an SDK guest: the stores to the fresh block's lines were three
    // quarters of instantiate's time). Not one whose functions native code adopted
    // (NativeTier::adopt rewrites them).
    std::shared_ptr<const CompiledModule> module = std::move(inst->module);
    const bool reusable = module && inst->complete && !inst->adopted_by_native &&
                          inst->block_bytes != 0 && inst->functions.size() >= kReusedFunctions;
    const SpareBlock layout{inst->block_bytes, inst->functions.size(), inst->tables.size(),
                            inst->memories.size(), inst->globals.size()};
    inst->~Instance();
    if (reusable) {
      module->keep_spare_block(new (inst) SpareBlock(layout), layout.bytes);
    } else {
      ::operator delete(inst);  // the instance's block (Store::instantiate)
    }
  }
}

Instance::~Instance() {
  // One release for the instance's host bytes and the tables and memories it defines, as
  // Store::instantiate made one charge for them: each is an atomic update of a line that
  // every spawn and end of the environment's processes updates, on every worker, and of each
  // ancestor's line.
  const MemoryBudget* budget = host_bytes.budget();
  uint64_t bytes = budget != nullptr ? host_bytes.disown_charge() : 0;
  for (size_t i = 0; i < own_memories; ++i) {
    Memory* memory = memories[memories.size() - 1 - i];
    if (budget != nullptr && memory->budget() == budget) bytes += memory->disown_charge();
    memory->~Memory();
  }
  for (size_t i = 0; i < own_tables; ++i) {
    Table* table = tables[tables.size() - 1 - i];
    if (budget != nullptr && table->budget() == budget) bytes += table->disown_charge();
    table->~Table();
  }
  if (bytes != 0) budget->release(bytes);
}

Function* Store::add_host_function(wasm::FuncType type, DirectHostFunction fn) {
  auto entity = std::make_unique<HostEntity>(HostEntity{{}, {}, std::move(type), nullptr});
  entity->entry = HostEntry{fn.entry, fn.context.get(), slot_count(entity->type.params),
                            slot_count(entity->type.results)};
  entity->context = std::move(fn.context);
  entity->function.type = &entity->type;
  entity->function.host = &entity->entry;
  return &host_functions_.emplace_back(std::move(entity))->function;
}

Function* Store::add_host_function(wasm::FuncType type, HostFunction fn) {
  DirectHostFunction direct;
  if (fn) {
    direct.entry = [](const void* context, HostCall& call) {
      return (*static_cast<const HostFunction*>(context))(call);
    };
    direct.context = std::make_shared<const HostFunction>(std::move(fn));
  }
  return add_host_function(std::move(type), std::move(direct));
}

Result<Memory*> Store::add_memory(wasm::MemoryType type) {
  std::unique_ptr<Memory> memory = TRY(Memory::create(
      pool_, type, limits_.max_memory_pages, limits_.charge_memories ? limits_.budget : nullptr));
  return memories_.emplace_back(std::move(memory)).get();
}

Table* Store::make_table(void* where, wasm::TableType type, Slot init, bool charged) {
  if (!limits_.table_fits(type.limits.min)) return nullptr;
  if (limits_.budget != nullptr && !charged &&
      !limits_.budget->try_charge(uint64_t{type.limits.min} * sizeof(Slot))) {
    return nullptr;
  }
  auto* table = new (where) Table(type, init, limits_.max_table_elements, limits_.budget);
  // Shorter than its minimum: the allocation failed (the table gave its charge back).
  if (table->size() < type.limits.min) {
    table->~Table();
    return nullptr;
  }
  return table;
}

Table* Store::add_table(wasm::TableType type, Slot init) {
  void* where = ::operator new(sizeof(Table));
  Table* table = make_table(where, type, init);
  if (table == nullptr) {
    ::operator delete(where);
    return nullptr;
  }
  return tables_.emplace_back(table).get();
}

Global* Store::add_global(wasm::GlobalType type, Slot value) {
  return globals_.emplace_back(std::make_unique<Global>(Global{type, value})).get();
}

bool InstanceBytes::hold(const MemoryBudget* budget, uint64_t uncharged, uint64_t bytes,
                         bool charged) {
  budget_ = budget;
  uncharged_ = uncharged;
  const uint64_t charge = charge_for(uncharged, bytes);
  if (budget != nullptr && !charged && charge != 0 && !budget->try_charge(charge)) return false;
  bytes_ = bytes;
  return true;
}

void InstanceBytes::take(InstanceBytes& from) {
  budget_ = from.budget_;
  uncharged_ = from.uncharged_;
  bytes_ = from.bytes_;
  from.bytes_ = 0;
}

void InstanceBytes::shrink(uint64_t bytes) {
  const uint64_t before = charged();
  bytes_ -= bytes;
  if (budget_ != nullptr && charged() != before) budget_->release(before - charged());
}

const wasm::Module& Instance::wasm() const { return module->wasm; }

std::optional<Extern> Instance::find_export(std::string_view name) const {
  const wasm::Export* e = wasm().find_export(name);
  if (e == nullptr) return std::nullopt;
  // Validation guarantees the index; checking it anyway costs nothing and keeps a bad module
  // from reading past a vector.
  auto pick = [&](const auto& space) -> std::optional<Extern> {
    if (e->index >= space.size()) return std::nullopt;
    return Extern{e->kind, space[e->index]};
  };
  switch (e->kind) {
    case wasm::ExternKind::Func: return pick(functions);
    case wasm::ExternKind::Table: return pick(tables);
    case wasm::ExternKind::Memory: return pick(memories);
    case wasm::ExternKind::Global: return pick(globals);
  }
  return std::nullopt;
}

Function* Instance::start_function() const {
  const std::optional<uint32_t>& start = wasm().start;
  if (!start || *start >= functions.size()) return nullptr;
  return functions[*start];
}

}  // namespace lunatic::engine
