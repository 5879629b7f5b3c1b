// Instantiation of hand-built modules: import matching, globals, segments, exports.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <span>
#include <vector>

#include "common/memory_budget.hpp"
#include "const_parts.hpp"
#include "engine/code.hpp"
#include "engine/compiled_module.hpp"
#include "engine/instance_ops.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"

namespace lunatic::engine {
namespace {

using wasm::ExternKind;
using wasm::Opcode;
using wasm::ValType;

using test::data;
using test::expr;
using test::i32;

wasm::Import import(ExternKind kind, const char* name) {
  wasm::Import imp;
  imp.module = "env";
  imp.name = name;
  imp.kind = kind;
  return imp;
}

std::shared_ptr<const CompiledModule> compiled(wasm::Module m) {
  auto cm = std::make_shared<CompiledModule>();
  cm->code.resize(m.functions.size());  // no lowered code needed: nothing runs here
  cm->wasm = std::move(m);
  return cm;
}

// What Store::instantiate counts for a module without imports: here only its tables.
uint64_t instance_bytes_of(const wasm::Module& m) {
  return m.tables.size() * (2 * sizeof(void*) + sizeof(Table) + 16);
}

class Instantiate : public ::testing::Test {
 protected:
  MemoryPool pool_;
  Store store_{pool_};
  wasm::FuncType i32_to_i32_{{ValType::I32}, {ValType::I32}};
  Function* host_ =
      store_.add_host_function(i32_to_i32_, [](HostCall&) { return HostStatus::Return; });

  // A module importing one of each kind: func (i32)->(i32), table funcref 2.., memory 1..3,
  // global i32 (immutable).
  wasm::Module importing() {
    wasm::Module m;
    m.types.push_back(i32_to_i32_);
    m.imports.push_back(import(ExternKind::Func, "f"));
    wasm::Import t = import(ExternKind::Table, "t");
    t.table = wasm::TableType{ValType::FuncRef, wasm::Limits{2, std::nullopt}};
    m.imports.push_back(t);
    wasm::Import mem = import(ExternKind::Memory, "m");
    mem.memory = wasm::MemoryType{wasm::Limits{1, 3}};
    m.imports.push_back(mem);
    wasm::Import g = import(ExternKind::Global, "g");
    g.global = wasm::GlobalType{ValType::I32, false};
    m.imports.push_back(g);
    m.imported_functions = m.imported_tables = m.imported_memories = m.imported_globals = 1;
    return m;
  }

  struct Provided {
    Table* table;
    Memory* memory;
    Global* global;
    std::vector<Extern> externs;
  };
  Provided provide(wasm::Limits memory_limits = {1, 2}) {
    Provided p;
    p.table = store_.add_table(wasm::TableType{ValType::FuncRef, wasm::Limits{4, std::nullopt}}, 0);
    p.memory = store_.add_memory(wasm::MemoryType{memory_limits}).value();
    p.global = store_.add_global(wasm::GlobalType{ValType::I32, false}, 77);
    p.externs = {{ExternKind::Func, host_},
                 {ExternKind::Table, p.table},
                 {ExternKind::Memory, p.memory},
                 {ExternKind::Global, p.global}};
    return p;
  }

  void expect_incompatible(const wasm::Module& m, std::vector<Extern> externs) {
    auto r = store_.instantiate(compiled(m), externs);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().phase, Phase::Link);
    EXPECT_EQ(r.error().message, "incompatible import type") << r.error().context;
  }
};

TEST_F(Instantiate, EmptyModule) {
  auto r = store_.instantiate(compiled({}), {});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)->start_function(), nullptr);
  EXPECT_FALSE((*r)->find_export("x").has_value());
}

TEST_F(Instantiate, LinksMatchingImports) {
  Provided p = provide();
  auto r = store_.instantiate(compiled(importing()), p.externs);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Instance* inst = *r;
  // The index spaces are views of the instance's block.
  EXPECT_EQ(std::vector<Function*>(inst->functions.begin(), inst->functions.end()),
            std::vector<Function*>{host_});
  EXPECT_EQ(std::vector<Table*>(inst->tables.begin(), inst->tables.end()),
            std::vector<Table*>{p.table});
  EXPECT_EQ(std::vector<Memory*>(inst->memories.begin(), inst->memories.end()),
            std::vector<Memory*>{p.memory});
  EXPECT_EQ(std::vector<Global*>(inst->globals.begin(), inst->globals.end()),
            std::vector<Global*>{p.global});
}

TEST_F(Instantiate, RejectsAWrongNumberOfImports) {
  Provided p = provide();
  p.externs.pop_back();
  auto r = store_.instantiate(compiled(importing()), p.externs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Link);
}

TEST_F(Instantiate, RejectsAWrongKind) {
  Provided p = provide();
  std::swap(p.externs[0], p.externs[3]);
  expect_incompatible(importing(), p.externs);
}

TEST_F(Instantiate, RejectsAFunctionOfAnotherType) {
  Provided p = provide();
  p.externs[0].entity =
      store_.add_host_function(wasm::FuncType{{ValType::I64}, {ValType::I32}}, HostFunction());
  expect_incompatible(importing(), p.externs);
}

TEST_F(Instantiate, AppliesLimitsSubtypingToMemories) {
  // Expected {1, 3}: a memory {1, 3} or {2, 2} fits; {0, 1}, {1, none} and {1, 4} do not.
  for (auto [limits, fits] : std::vector<std::pair<wasm::Limits, bool>>{{{1, 3}, true},
                                                                        {{2, 2}, true},
                                                                        {{0, 1}, false},
                                                                        {{1, std::nullopt}, false},
                                                                        {{1, 4}, false}}) {
    Provided p = provide(limits);
    auto r = store_.instantiate(compiled(importing()), p.externs);
    EXPECT_EQ(r.ok(), fits) << limits.min << " " << limits.max.value_or(0);
    if (!r.ok()) {
      EXPECT_EQ(r.error().message, "incompatible import type");
    }
  }
}

TEST_F(Instantiate, MatchesTablesByCurrentSizeAndElementType) {
  Provided p = provide();
  p.externs[1].entity =
      store_.add_table(wasm::TableType{ValType::FuncRef, wasm::Limits{1, std::nullopt}}, 0);
  expect_incompatible(importing(), p.externs);
  Table* grown =
      store_.add_table(wasm::TableType{ValType::FuncRef, wasm::Limits{1, std::nullopt}}, 0);
  ASSERT_EQ(grown->grow(1, 0), 1);  // now of size 2: it fits
  p.externs[1].entity = grown;
  EXPECT_TRUE(store_.instantiate(compiled(importing()), p.externs).ok());
  p.externs[1].entity =
      store_.add_table(wasm::TableType{ValType::ExternRef, wasm::Limits{4, std::nullopt}}, 0);
  expect_incompatible(importing(), p.externs);
}

TEST_F(Instantiate, RejectsAGlobalOfOtherMutabilityOrType) {
  Provided p = provide();
  p.externs[3].entity = store_.add_global(wasm::GlobalType{ValType::I32, true}, 0);
  expect_incompatible(importing(), p.externs);
  p.externs[3].entity = store_.add_global(wasm::GlobalType{ValType::I64, false}, 0);
  expect_incompatible(importing(), p.externs);
}

TEST_F(Instantiate, EvaluatesGlobalInitialisers) {
  wasm::Module m = importing();
  m.types.push_back(wasm::FuncType{});
  m.functions.emplace_back().type_index = 1;  // function 1
  auto global = [&](ValType t, wasm::ConstExpr init) {
    m.globals.push_back(wasm::Global{wasm::GlobalType{t, false}, std::move(init)});
  };
  global(ValType::I32, i32(-5));
  global(ValType::I64, expr(Opcode::I64Const, 0, uint64_t(-6)));
  global(ValType::F32, expr(Opcode::F32Const, 0, 0x3FC00000));
  global(ValType::F64, expr(Opcode::F64Const, 0, 0x3FF8000000000000));
  global(ValType::I32, expr(Opcode::GlobalGet, 0));
  global(ValType::FuncRef, expr(Opcode::RefNull, uint32_t(ValType::FuncRef)));
  global(ValType::FuncRef, expr(Opcode::RefFunc, 0));
  global(ValType::FuncRef, expr(Opcode::RefFunc, 1));
  Provided p = provide();
  auto r = store_.instantiate(compiled(std::move(m)), p.externs);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::span<Global* const> g = (*r)->globals;
  ASSERT_EQ(g.size(), 9u);
  EXPECT_EQ(g[1]->value, 0xFFFF'FFFBu);  // i32 slots are zero-extended
  EXPECT_EQ(Value::i64(-6).bits, g[2]->value);
  EXPECT_EQ(std::bit_cast<float>(uint32_t(g[3]->value)), 1.5f);
  EXPECT_EQ(std::bit_cast<double>(g[4]->value), 1.5);
  EXPECT_EQ(g[5]->value, 77u);
  EXPECT_EQ(g[6]->value, 0u);
  EXPECT_EQ(g[7]->value, reinterpret_cast<Slot>(host_));
  ASSERT_EQ((*r)->functions.size(), 2u);
  Function* defined = (*r)->functions[1];
  EXPECT_EQ(g[8]->value, reinterpret_cast<Slot>(defined));
  EXPECT_EQ(defined->instance, *r);
  EXPECT_EQ(defined->code, (*r)->module->code[0].get());  // the first defined function
  EXPECT_EQ(*defined->type, wasm::FuncType{});
  EXPECT_FALSE(defined->is_host());
}

TEST_F(Instantiate, WritesActiveDataSegmentsAndDropsThem) {
  wasm::Module m;
  m.memories.push_back(wasm::MemoryType{wasm::Limits{1, std::nullopt}});
  m.data.push_back(data(10, "hello"));
  m.data.push_back(data(12, "LP"));  // later segments overwrite earlier ones
  wasm::DataSegment passive = data(0, "passive");
  passive.mode = wasm::SegmentMode::Passive;
  m.data.push_back(passive);
  m.data.push_back(data(65536, ""));  // empty at the very end: in bounds
  auto r = store_.instantiate(compiled(std::move(m)), {});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ((*r)->memories.size(), 1u);
  const uint8_t* mem = (*r)->memories[0]->data();
  EXPECT_EQ(std::memcmp(mem + 10, "heLPo", 5), 0);
  EXPECT_EQ(mem[0], 0);
  ASSERT_NE((*r)->segments, nullptr);
  EXPECT_EQ((*r)->segments->data_dropped, (std::vector<bool>{true, true, false, true}));
}

TEST_F(Instantiate, OutOfBoundsDataKeepsEarlierSegmentsWritten) {
  wasm::Module m = importing();
  m.data.push_back(data(0, "first"));
  m.data.push_back(data(65535, "xy"));  // one byte past the end
  m.data.push_back(data(100, "never"));
  Provided p = provide();
  auto r = store_.instantiate(compiled(std::move(m)), p.externs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Instantiate);
  EXPECT_EQ(r.error().message, "out of bounds memory access");
  EXPECT_EQ(std::memcmp(p.memory->data(), "first", 5), 0);
  EXPECT_EQ(p.memory->data()[65535], 0);
  EXPECT_EQ(p.memory->data()[100], 0);
}

TEST_F(Instantiate, EmptyDataSegmentPastTheEndIsOutOfBounds) {
  wasm::Module m;
  m.memories.push_back(wasm::MemoryType{wasm::Limits{0, std::nullopt}});
  m.data.push_back(data(1, ""));
  auto r = store_.instantiate(compiled(std::move(m)), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "out of bounds memory access");
}

TEST_F(Instantiate, ResolvesElementSegments) {
  wasm::Module m = importing();
  wasm::ElemSegment active;
  active.offset = i32(1);
  active.items = {expr(Opcode::RefFunc, 0), expr(Opcode::RefNull, uint32_t(ValType::FuncRef)),
                  expr(Opcode::RefFunc, 0)};
  m.elements.push_back(active);
  wasm::ElemSegment passive;
  passive.mode = wasm::SegmentMode::Passive;
  passive.items = {expr(Opcode::RefFunc, 0)};
  m.elements.push_back(passive);
  wasm::ElemSegment declarative = passive;
  declarative.mode = wasm::SegmentMode::Declarative;
  m.elements.push_back(declarative);
  Provided p = provide();
  p.table->data()[0] = 99;  // untouched by the segment
  auto r = store_.instantiate(compiled(std::move(m)), p.externs);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Slot f = reinterpret_cast<Slot>(host_);
  EXPECT_EQ(std::vector<Slot>(p.table->data(), p.table->data() + 4),
            (std::vector<Slot>{99, f, 0, f}));
  ASSERT_NE((*r)->segments, nullptr);
  ASSERT_EQ((*r)->segments->elements.size(), 3u);
  EXPECT_TRUE((*r)->segments->elements[0].empty());  // active: dropped after initialisation
  EXPECT_EQ((*r)->segments->elements[1], std::vector<Slot>{f});
  EXPECT_TRUE((*r)->segments->elements[2].empty());  // declarative: dropped
}

TEST_F(Instantiate, OutOfBoundsElementsKeepEarlierSegmentsAndSkipData) {
  wasm::Module m = importing();
  wasm::ElemSegment first;
  first.offset = i32(0);
  first.items = {expr(Opcode::RefFunc, 0)};
  wasm::ElemSegment second = first;
  second.offset = i32(4);  // the table has 4 elements
  m.elements = {first, second};
  m.data.push_back(data(0, "data"));  // data comes after elements: never written
  Provided p = provide();
  auto r = store_.instantiate(compiled(std::move(m)), p.externs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Instantiate);
  EXPECT_EQ(r.error().message, "out of bounds table access");
  EXPECT_EQ(p.table->data()[0], reinterpret_cast<Slot>(host_));
  EXPECT_EQ(p.memory->data()[0], 0);
}

// A compiled module's defined functions come from its prepared array (compile() fills it):
// each instance's Function is that entry with the instance added, after the imported ones.
TEST_F(Instantiate, DefinedFunctionsComeFromTheModulesPreparedArray) {
  wasm::Module m = importing();
  m.types.push_back(wasm::FuncType{{}, {ValType::I64}});
  m.functions.resize(2);
  m.functions[0].type_index = 0;
  m.functions[1].type_index = 1;
  auto cm = std::make_shared<CompiledModule>();
  cm->code.resize(2);
  cm->wasm = std::move(m);
  // Not what the type indices say: the prepared array is what instantiate reads.
  const auto* code = reinterpret_cast<const CompiledFunction*>(&cm->wasm);
  cm->defined = {{&cm->wasm.types[1], code}, {&cm->wasm.types[0], nullptr}};
  Provided p = provide();
  auto r = store_.instantiate(cm, p.externs);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Instance* inst = *r;
  ASSERT_EQ(inst->functions.size(), 3u);
  EXPECT_EQ(inst->functions[0], host_);
  ASSERT_EQ(inst->defined_functions.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const Function& f = inst->defined_functions[i];
    EXPECT_EQ(inst->functions[1 + i], &f);
    EXPECT_EQ(f.type, cm->defined[i].type);
    EXPECT_EQ(f.code, cm->defined[i].code);
    EXPECT_EQ(f.instance, inst);
    EXPECT_EQ(f.host, nullptr);
  }
}

TEST_F(Instantiate, FindsExportsAndTheStartFunction) {
  wasm::Module m = importing();
  m.memories.push_back(wasm::MemoryType{wasm::Limits{0, std::nullopt}});
  m.imported_memories = 1;
  m.exports = {{"f", ExternKind::Func, 0},
               {"t", ExternKind::Table, 0},
               {"own", ExternKind::Memory, 1},
               {"g", ExternKind::Global, 0},
               {"bad", ExternKind::Global, 9}};
  m.start = 0;
  Provided p = provide();
  auto r = store_.instantiate(compiled(std::move(m)), p.externs);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Instance* inst = *r;
  EXPECT_EQ(inst->find_export("f")->func(), host_);
  EXPECT_EQ(inst->find_export("t")->table(), p.table);
  Memory* own = inst->find_export("own")->memory();
  ASSERT_NE(own, nullptr);
  EXPECT_NE(own, p.memory);
  EXPECT_EQ(own, inst->memories[1]);
  EXPECT_EQ(inst->find_export("g")->global(), p.global);
  EXPECT_EQ(inst->find_export("g")->func(), nullptr);  // kind-checked accessors
  EXPECT_FALSE(inst->find_export("bad").has_value());
  EXPECT_FALSE(inst->find_export("nope").has_value());
  EXPECT_EQ(inst->start_function(), host_);
}

TEST_F(Instantiate, AppliesStoreLimitsToDefinedMemoriesAndTables) {
  Store small(pool_, StoreLimits{.max_memory_pages = 2, .max_table_elements = 10});
  wasm::Module mem;
  mem.memories.push_back(wasm::MemoryType{wasm::Limits{3, std::nullopt}});
  EXPECT_EQ(small.instantiate(compiled(mem), {}).error().phase, Phase::Instantiate);
  wasm::Module tab;
  tab.tables.push_back(wasm::TableType{ValType::FuncRef, wasm::Limits{11, std::nullopt}});
  EXPECT_EQ(small.instantiate(compiled(tab), {}).error().phase, Phase::Instantiate);
  mem.memories[0].limits.min = 1;
  auto r = small.instantiate(compiled(mem), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->memories[0]->grow(2), -1);  // the limit stays with the memory
}

// Resident pages of the `bytes` from `p` (mincore), p page-aligned.
size_t resident_pages(const void* p, size_t bytes) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec((bytes + page - 1) / page);
  EXPECT_EQ(mincore(const_cast<void*>(p), bytes, vec.data()), 0);
  size_t n = 0;
  for (unsigned char v : vec) n += v & 1;
  return n;
}

TEST_F(Instantiate, ABigTableIsNotWrittenUntilUsed) {
  // 9,000,000 null elements, 72 MB: charged in full, but no page of it is resident after
  // instantiation (its nulls are the kernel's zero pages); a write commits its page only.
  MemoryBudget budget(uint64_t{1} << 30);
  Store store(pool_, StoreLimits{.budget = &budget});
  wasm::Module m;
  m.tables.push_back(wasm::TableType{ValType::FuncRef, wasm::Limits{9'000'000, std::nullopt}});
  auto r = store.instantiate(compiled(m), {});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Table& t = *(*r)->tables[0];
  ASSERT_EQ(t.size(), 9'000'000u);
  ASSERT_TRUE(t.mapped());
  const uint64_t own = (*r)->host_bytes.charged();  // the Table object and its entries
  EXPECT_GT(own, 0u);
  EXPECT_EQ(budget.used(), uint64_t{9'000'000} * sizeof(Slot) + own);
  EXPECT_EQ(resident_pages(t.data(), size_t{t.size()} * sizeof(Slot)), 0u);
  t.data()[5'000'000] = 7;
  EXPECT_EQ(resident_pages(t.data(), size_t{t.size()} * sizeof(Slot)), 1u);
  // A grow by nulls moves the mapping (no copy) and writes nothing either.
  ASSERT_EQ(t.grow(1'000'000, 0), 9'000'000);
  EXPECT_EQ(resident_pages(t.data(), size_t{t.size()} * sizeof(Slot)), 1u);
  EXPECT_EQ(budget.used(), uint64_t{10'000'000} * sizeof(Slot) + own);
  EXPECT_EQ(t.data()[5'000'000], 7u);
  EXPECT_EQ(t.data()[4'999'999], 0u);
  EXPECT_EQ(t.data()[9'999'999], 0u);
  // Other references are written.
  EXPECT_EQ(t.grow(1, 0x55), -1);  // at the 10,000,000-element cap
  Table other(wasm::TableType{ValType::FuncRef, wasm::Limits{20'000, std::nullopt}}, 0);
  ASSERT_TRUE(other.mapped());
  ASSERT_EQ(other.grow(2, 0x55), 20'000);
  EXPECT_EQ(other.data()[20'001], 0x55u);
  EXPECT_EQ(other.data()[19'999], 0u);
}

TEST_F(Instantiate, TheBudgetStillRefusesABigTable) {
  MemoryBudget budget(uint64_t{64} << 20);
  Store store(pool_, StoreLimits{.budget = &budget});
  wasm::Module m;
  m.tables.push_back(wasm::TableType{ValType::FuncRef, wasm::Limits{10'000'000, std::nullopt}});
  auto r = store.instantiate(compiled(m), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Instantiate);
  EXPECT_EQ(r.error().message, "table size exceeds the environment's max_memory_total");
  // Only the failed instance's own state (it stays in the store, as the spec wants).
  const uint64_t own = instance_bytes_of(m);
  EXPECT_EQ(budget.used(), own);
  m.tables[0].limits.min = 8'000'000;  // 64,000,000 bytes: fits
  auto fits = store.instantiate(compiled(m), {});
  ASSERT_TRUE(fits.ok()) << fits.error().to_string();
  EXPECT_EQ(budget.used(), uint64_t{64'000'000} + 2 * own);
}

// A passive segment of `n` null references.
wasm::ElemSegment passive_nulls(uint32_t n) {
  wasm::ElemSegment seg;
  seg.mode = wasm::SegmentMode::Passive;
  seg.items.assign(n, expr(Opcode::RefNull, uint32_t(ValType::FuncRef)));
  return seg;
}

TEST_F(Instantiate, PassiveElementSegmentsAreChargedUntilDropped) {
  // Every instance keeps its passive segments' references (8 bytes each) for table.init.
  MemoryBudget budget(uint64_t{64} << 20);
  wasm::Module m;
  m.elements = {passive_nulls(100'000), passive_nulls(50'000)};
  auto module = compiled(std::move(m));
  {
    Store store(pool_, StoreLimits{.budget = &budget});
    Instance* inst = store.instantiate(module, {}).value();
    const uint64_t own = inst->host_bytes.bytes();
    EXPECT_EQ(own, 150'000 * sizeof(Slot) + 2 * sizeof(std::vector<Slot>));
    EXPECT_EQ(inst->host_bytes.charged(), own);
    EXPECT_EQ(budget.used(), own);
    instance_ops::elem_drop(*inst, 0);
    EXPECT_EQ(budget.used(), own - 100'000 * sizeof(Slot));
    instance_ops::elem_drop(*inst, 0);  // dropped twice: nothing more
    EXPECT_EQ(budget.used(), own - 100'000 * sizeof(Slot));
    Instance* second = store.instantiate(module, {}).value();  // a second instance pays again
    EXPECT_EQ(budget.used(), 2 * own - 100'000 * sizeof(Slot));
    EXPECT_EQ(second->segments->elements[1].size(), 50'000u);
  }
  EXPECT_EQ(budget.used(), 0u);  // the rest went with the instances
}

TEST_F(Instantiate, PassiveElementSegmentsPastTheBudgetFailInstantiation) {
  // 1 MB of references, where the budget holds 512 KiB: refused before any is written.
  MemoryBudget budget(512 << 10);
  Store store(pool_, StoreLimits{.budget = &budget});
  wasm::Module big;
  big.elements = {passive_nulls(125'000)};
  auto r = store.instantiate(compiled(std::move(big)), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Instantiate);
  EXPECT_EQ(r.error().message, "instance exceeds the environment's max_memory_total");
  EXPECT_NE(r.error().context.find("1000024 bytes of host state requested"), std::string::npos)
      << r.error().context;
  EXPECT_NE(r.error().context.find("524288 bytes left"), std::string::npos) << r.error().context;
  EXPECT_EQ(budget.used(), 0u);
  wasm::Module small;
  small.elements = {passive_nulls(50'000)};  // 400 KB: fits
  auto fits = store.instantiate(compiled(std::move(small)), {});
  ASSERT_TRUE(fits.ok()) << fits.error().to_string();
  EXPECT_EQ((*fits)->segments->elements[0].size(), 50'000u);
  EXPECT_EQ(budget.used(), (*fits)->host_bytes.bytes());
}

TEST_F(Instantiate, AnEmbeddersAllowanceLeavesSmallInstancesUncharged) {
  // The runtime's flat charge per process covers a small instance (uncharged_instance_bytes);
  // past it, the excess is charged and given back as the instance shrinks.
  MemoryBudget budget(uint64_t{64} << 20);
  wasm::Module m;
  m.elements = {passive_nulls(1'000), passive_nulls(100)};
  Store store(pool_, StoreLimits{.budget = &budget, .uncharged_instance_bytes = 4096});
  Instance* inst = store.instantiate(compiled(std::move(m)), {}).value();
  const uint64_t own = inst->host_bytes.bytes();
  EXPECT_EQ(own, 1'100 * sizeof(Slot) + 2 * sizeof(std::vector<Slot>));
  EXPECT_EQ(budget.used(), own - 4096);
  instance_ops::elem_drop(*inst, 0);  // below the allowance now: nothing charged
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(inst->host_bytes.bytes(), own - 1'000 * sizeof(Slot));
  instance_ops::elem_drop(*inst, 1);
  EXPECT_EQ(budget.used(), 0u);
}

TEST_F(Instantiate, FunctionsAndGlobalsCountInTheInstancesBytes) {
  // A module that declares many functions or globals costs host memory in every instance.
  MemoryBudget budget(64 << 10);
  Store store(pool_, StoreLimits{.budget = &budget});
  wasm::Module m;
  m.types.push_back(wasm::FuncType{});
  m.functions.assign(2'000, wasm::Function{});  // 2,000 x 40 bytes: past 64 KiB
  auto r = store.instantiate(compiled(m), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "instance exceeds the environment's max_memory_total");
  m.functions.resize(1'000);
  auto fits = store.instantiate(compiled(m), {});
  ASSERT_TRUE(fits.ok()) << fits.error().to_string();
  EXPECT_EQ(budget.used(), 1'000 * (sizeof(Function) + sizeof(Function*)));
  wasm::Module globals;
  globals.globals.assign(5'000, wasm::Global{wasm::GlobalType{ValType::I32, false}, i32(0)});
  EXPECT_FALSE(store.instantiate(compiled(std::move(globals)), {}).ok());
}

// A module with 100 functions, a table of 1,000 elements and a memory of 2 pages.
wasm::Module with_every_part() {
  wasm::Module m;
  m.types.push_back(wasm::FuncType{});
  m.functions.assign(100, wasm::Function{});
  m.tables.push_back(wasm::TableType{ValType::FuncRef, wasm::Limits{1'000, std::nullopt}});
  m.memories.push_back(wasm::MemoryType{wasm::Limits{2, std::nullopt}});
  return m;
}

TEST_F(Instantiate, OneChargeForAnInstanceCountsEachPartAndAllGoBack) {
  // The instance's host bytes (past the embedder's allowance), its table's and its memory's
  // initial sizes are charged in one update; each part still holds its share (growth is
  // charged on top), and everything goes back with the instance, in every ancestor too.
  MemoryBudget root(uint64_t{64} << 20);
  MemoryBudget budget(uint64_t{32} << 20, &root);
  {
    Store store(pool_, StoreLimits{.budget = &budget, .uncharged_instance_bytes = 1'000});
    Instance* inst = store.instantiate(compiled(with_every_part()), {}).value();
    const uint64_t own = inst->host_bytes.bytes();
    ASSERT_GT(own, 1'000u);
    const uint64_t parts = (own - 1'000) + 1'000 * sizeof(Slot) + 2 * wasm::kPageSize;
    EXPECT_EQ(budget.used(), parts);
    EXPECT_EQ(root.used(), parts);
    ASSERT_EQ(inst->tables[0]->grow(10, 0), 1'000);
    ASSERT_EQ(inst->memories[0]->grow(1), 2);
    EXPECT_EQ(root.used(), parts + 10 * sizeof(Slot) + wasm::kPageSize);
    // A second instance charges again, the same way.
    ASSERT_TRUE(store.instantiate(compiled(with_every_part()), {}).ok());
    EXPECT_EQ(root.used(), 2 * parts + 10 * sizeof(Slot) + wasm::kPageSize);
  }
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(root.used(), 0u);
}

TEST_F(Instantiate, AFailedInstantiationGivesBackTheShareOfPartsNeverMade) {
  // The one charge covers the table and memory before they exist: an instantiation that fails
  // first gives their share back, and keeps only what the failed instance holds.
  MemoryBudget budget(uint64_t{32} << 20);
  wasm::Module bad = with_every_part();
  bad.functions[50].type_index = 7;  // no such type: fails before the table is made
  uint64_t own = 0;
  {
    Store store(pool_, StoreLimits{.budget = &budget});
    auto r = store.instantiate(compiled(bad), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "unknown type");
    Store good(pool_);
    own = good.instantiate(compiled(with_every_part()), {}).value()->host_bytes.bytes();
    EXPECT_EQ(budget.used(), own);  // the failed instance stays in its store, and its bytes
  }
  EXPECT_GT(own, 0u);
  EXPECT_EQ(budget.used(), 0u);
}

TEST_F(Instantiate, WhereTheOneChargeIsRefusedThePartRefusedIsNamed) {
  // Room for the host bytes and the table, not the memory: the sum is refused, then each part
  // is charged as it is made and the memory's own error says what was refused.
  Store probe(pool_);
  const uint64_t own =
      probe.instantiate(compiled(with_every_part()), {}).value()->host_bytes.bytes();
  MemoryBudget budget(own + 1'000 * sizeof(Slot) + wasm::kPageSize);
  {
    Store store(pool_, StoreLimits{.budget = &budget});
    auto r = store.instantiate(compiled(with_every_part()), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "memory size exceeds the environment's max_memory_total");
    EXPECT_EQ(budget.used(), own + 1'000 * sizeof(Slot));  // the made table stays with it
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST_F(Instantiate, RejectsMalformedConstantExpressions) {
  wasm::Module m;
  m.globals.push_back(wasm::Global{wasm::GlobalType{ValType::I32, false}, wasm::ConstExpr{}});
  EXPECT_FALSE(store_.instantiate(compiled(m), {}).ok());
  m.globals[0].init = expr(Opcode::GlobalGet, 5);
  EXPECT_FALSE(store_.instantiate(compiled(m), {}).ok());
  m.globals[0].init = expr(Opcode::Nop);
  EXPECT_FALSE(store_.instantiate(compiled(m), {}).ok());
  m.globals[0].init = i32(1);
  m.globals[0].init.instrs.push_back(i32(2).instrs[0]);
  m.globals[0].init.instrs.push_back(expr(Opcode::I32Add).instrs[0]);
  auto r = store_.instantiate(compiled(m), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->globals[0]->value, 3u);
}

}  // namespace
}  // namespace lunatic::engine
