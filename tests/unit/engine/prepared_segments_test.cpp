// An instance's block (Store::instantiate makes an instance and its fixed-size parts in one
// allocation) and the segments compile() prepares: the same contents as evaluating them, and
// the generic path wherever a segment could fail or depends on an import.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/memory_budget.hpp"
#include "const_parts.hpp"
#include "engine/code.hpp"
#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"

namespace lunatic::engine {
namespace {

using wasm::Opcode;
using wasm::ValType;

using test::data;
using test::expr;
using test::i32;

// Two functions, a table of 4 elements, a memory of 1 page and segments of every mode.
wasm::Module segmented() {
  wasm::Module m;
  m.types.push_back(wasm::FuncType{});
  m.functions.resize(2);
  m.tables.push_back(wasm::TableType{ValType::FuncRef, wasm::Limits{4, std::nullopt}});
  m.memories.push_back(wasm::MemoryType{wasm::Limits{1, std::nullopt}});
  wasm::ElemSegment active;
  active.offset = i32(1);
  active.items = {expr(Opcode::RefFunc, 1), expr(Opcode::RefNull, uint32_t(ValType::FuncRef)),
                  expr(Opcode::RefFunc, 0)};
  wasm::ElemSegment over = active;  // a later segment overwrites an earlier one
  over.offset = i32(3);
  over.items = {expr(Opcode::RefFunc, 1)};
  wasm::ElemSegment passive;
  passive.mode = wasm::SegmentMode::Passive;
  passive.items = {expr(Opcode::RefFunc, 0)};
  m.elements = {active, passive, over};
  m.data.push_back(data(10, "hello"));
  m.data.push_back(data(12, "LP"));
  wasm::DataSegment passive_data = data(0, "passive");
  passive_data.mode = wasm::SegmentMode::Passive;
  m.data.push_back(passive_data);
  m.data.push_back(data(65536, ""));  // empty at the very end: in bounds
  return m;
}

std::shared_ptr<const CompiledModule> compiled(wasm::Module m, bool prepare) {
  auto cm = std::make_shared<CompiledModule>();
  cm->code.resize(m.functions.size());  // no lowered code needed: nothing runs here
  cm->wasm = std::move(m);
  if (prepare) cm->segments = prepare_segments(cm->wasm);
  return cm;
}

TEST(PreparedSegments, ReadyForAModuleWithItsOwnTableAndMemory) {
  const wasm::Module m = segmented();
  const PreparedSegments p = prepare_segments(m);
  ASSERT_TRUE(p.ready);
  ASSERT_EQ(p.elements.size(), 2u);  // the active ones
  EXPECT_EQ(p.elements[0].offset, 1u);
  EXPECT_EQ(p.elements[0].functions, (std::vector<uint32_t>{1, PreparedSegments::kNull, 0}));
  ASSERT_EQ(p.data.size(), 2u);  // the empty one left out
  EXPECT_EQ(p.data[1].offset, 12u);
  EXPECT_EQ(p.data[1].bytes.data(), m.data[1].bytes.data());
}

TEST(PreparedSegments, InstantiatesAsEvaluatingTheSegmentsDoes) {
  MemoryPool pool;
  Store store(pool);
  for (const bool prepare : {false, true}) {
    auto r = store.instantiate(compiled(segmented(), prepare), {});
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    const Instance& inst = **r;
    const Slot f0 = reinterpret_cast<Slot>(inst.functions[0]);
    const Slot f1 = reinterpret_cast<Slot>(inst.functions[1]);
    const Slot* table = inst.tables[0]->data();
    EXPECT_EQ(std::vector<Slot>(table, table + 4), (std::vector<Slot>{0, f1, 0, f1}))
        << "prepared: " << prepare;
    const uint8_t* mem = inst.memories[0]->data();
    EXPECT_EQ(std::memcmp(mem + 10, "heLPo", 5), 0);
    EXPECT_EQ(mem[0], 0);
    ASSERT_NE(inst.segments, nullptr);
    EXPECT_EQ(inst.segments->data_dropped, (std::vector<bool>{true, true, false, true}));
    ASSERT_EQ(inst.segments->elements.size(), 3u);
    EXPECT_EQ(inst.segments->elements[1], std::vector<Slot>{f0});
    EXPECT_TRUE(inst.segments->elements[0].empty());
  }
}

TEST(PreparedSegments, NotReadyWhereASegmentCouldFailOrDependsOnAnImport) {
  wasm::Module from_global = segmented();
  from_global.data[0].offset = expr(Opcode::GlobalGet, 0);
  EXPECT_FALSE(prepare_segments(from_global).ready);

  wasm::Module past_memory = segmented();
  past_memory.data.push_back(data(65535, "xy"));
  EXPECT_FALSE(prepare_segments(past_memory).ready);

  wasm::Module past_table = segmented();
  past_table.elements[2].offset = i32(4);
  EXPECT_FALSE(prepare_segments(past_table).ready);

  wasm::Module imported_memory = segmented();
  wasm::Import mem;
  mem.kind = wasm::ExternKind::Memory;
  mem.memory = wasm::MemoryType{wasm::Limits{1, std::nullopt}};
  imported_memory.imports.push_back(mem);
  imported_memory.imported_memories = 1;
  EXPECT_FALSE(prepare_segments(imported_memory).ready);

  // Not prepared, the segment fails at instantiation as before, the ones before it written.
  MemoryPool pool;
  Store store(pool);
  auto r = store.instantiate(compiled(past_memory, true), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "out of bounds memory access");
}

TEST(InstanceBlock, AFailedInstantiationGivesBackWhatItMade) {
  MemoryPool pool;
  MemoryBudget budget(uint64_t{1} << 20);
  {
    Store store(pool, StoreLimits{wasm::kMaxPages, 10'000'000, &budget});
    wasm::Module m = segmented();
    m.memories.push_back(wasm::MemoryType{wasm::Limits{64, std::nullopt}});  // past the budget
    auto r = store.instantiate(compiled(std::move(m), true), {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(budget.used(), 0u);  // the table, the first memory: held until the store goes
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(InstanceBlock, InstancesOfOneStoreShareWhatTheyExport) {
  MemoryPool pool;
  MemoryBudget budget(uint64_t{16} << 20);
  {
    Store store(pool, StoreLimits{wasm::kMaxPages, 10'000'000, &budget});
    wasm::Module exporter = segmented();
    exporter.exports = {{"m", wasm::ExternKind::Memory, 0}, {"t", wasm::ExternKind::Table, 0}};
    auto a = store.instantiate(compiled(std::move(exporter), true), {});
    ASSERT_TRUE(a.ok()) << a.error().to_string();
    wasm::Module importer;
    wasm::Import mem;
    mem.kind = wasm::ExternKind::Memory;
    mem.memory = wasm::MemoryType{wasm::Limits{1, std::nullopt}};
    wasm::Import tab;
    tab.kind = wasm::ExternKind::Table;
    tab.table = wasm::TableType{ValType::FuncRef, wasm::Limits{4, std::nullopt}};
    importer.imports = {mem, tab};
    importer.imported_memories = importer.imported_tables = 1;
    importer.data.push_back(data(0, "shared"));
    const std::vector<Extern> externs{*(*a)->find_export("m"), *(*a)->find_export("t")};
    auto b = store.instantiate(compiled(std::move(importer), true), externs);
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    EXPECT_EQ((*b)->memories[0], (*a)->memories[0]);
    EXPECT_EQ(std::memcmp((*a)->memories[0]->data(), "shared", 6), 0);
    EXPECT_EQ((*b)->tables[0], (*a)->tables[0]);
    EXPECT_EQ((*b)->own_memories, 0u);  // a's, destroyed by a
    EXPECT_EQ((*a)->own_memories, 1u);
    EXPECT_EQ((*b)->segments, nullptr);  // no passive segment
  }
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace lunatic::engine
