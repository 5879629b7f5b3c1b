// Linear memories (growth in place, moves between size classes, limits) and tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "../support/resident_memory.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"

namespace lunatic::engine {
namespace {

using wasm::kPageSize;

wasm::MemoryType memory_type(uint32_t min, std::optional<uint32_t> max = std::nullopt) {
  return wasm::MemoryType{wasm::Limits{min, max}};
}

bool all_zero(const uint8_t* p, uint64_t n) {
  return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

TEST(Memory, CreatesZeroFilledPages) {
  MemoryPool pool;
  auto m = Memory::create(pool, memory_type(2, 10));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ((*m)->pages(), 2u);
  EXPECT_EQ((*m)->size_bytes(), 2u * kPageSize);
  EXPECT_TRUE(all_zero((*m)->data(), (*m)->size_bytes()));
  EXPECT_EQ((*m)->type(), memory_type(2, 10));
}

TEST(Memory, EmptyMemoryStillHasABase) {
  MemoryPool pool;
  auto m = Memory::create(pool, memory_type(0));
  ASSERT_TRUE(m.ok());
  EXPECT_NE((*m)->data(), nullptr);
  EXPECT_EQ((*m)->pages(), 0u);
  EXPECT_EQ((*m)->grow(1), 0);
  EXPECT_EQ((*m)->pages(), 1u);
}

TEST(Memory, GrowsInPlaceWithinItsSlot) {
  MemoryPool pool;
  auto m = Memory::create(pool, memory_type(3));  // a 4-page slot
  ASSERT_TRUE(m.ok());
  uint8_t* base = (*m)->data();
  base[0] = 42;
  EXPECT_EQ((*m)->grow(1), 3);
  EXPECT_EQ((*m)->data(), base);
  EXPECT_EQ((*m)->pages(), 4u);
  EXPECT_EQ(base[0], 42);
  EXPECT_TRUE(all_zero(base + 3 * kPageSize, kPageSize));
  EXPECT_EQ((*m)->grow(0), 4);
}

TEST(Memory, MovesToABiggerClassKeepingItsBytes) {
  MemoryPool pool;
  auto m = Memory::create(pool, memory_type(1));
  ASSERT_TRUE(m.ok());
  Memory& mem = **m;
  for (uint32_t i = 0; i < kPageSize; ++i) mem.data()[i] = static_cast<uint8_t>(i * 7);
  uint8_t* old_base = mem.data();
  EXPECT_EQ(mem.grow(4), 1);
  EXPECT_NE(mem.data(), old_base);
  EXPECT_EQ(mem.pages(), 5u);
  for (uint32_t i = 0; i < kPageSize; ++i)
    ASSERT_EQ(mem.data()[i], static_cast<uint8_t>(i * 7)) << i;
  EXPECT_TRUE(all_zero(mem.data() + kPageSize, 4 * kPageSize));
  // The old slot went back to the pool, zeroed.
  uint64_t slot = 0;
  EXPECT_EQ(pool.acquire(1, &slot), old_base);
  EXPECT_TRUE(all_zero(old_base, slot));
}

// Growth without copying (issue 11): a memory grown to 1 GiB in 64 MiB steps without being
// written moves to a bigger slot four times; the moves copy the pages it wrote (they survive)
// and commit none it did not (they read 0, and the resident memory stays small). Copying the
// whole memory at each move committed all of it.
TEST(Memory, MovesCommitOnlyThePagesItWrote) {
  MemoryPool pool;
  auto m = Memory::create(pool, memory_type(1));
  ASSERT_TRUE(m.ok());
  Memory& mem = **m;
  constexpr uint32_t kStep = 1024;  // 64 MiB
  const long before = testing::resident_kib();
  std::vector<uint64_t> written;
  for (uint32_t step = 0; step < 16; ++step) {
    uint8_t* old_base = mem.data();
    ASSERT_EQ(mem.grow(kStep), static_cast<int32_t>(1 + step * kStep));
    if (step == 1 || step == 3 || step == 7 || step == 15) {
      EXPECT_NE(mem.data(), old_base) << step;  // crossed a power of two: moved
    }
    const uint64_t at = (uint64_t{1} + uint64_t{step} * kStep) * kPageSize + step * 4096 + 5;
    mem.data()[at] = static_cast<uint8_t>(step + 1);
    written.push_back(at);
    for (size_t i = 0; i < written.size(); ++i) {
      ASSERT_EQ(mem.data()[written[i]], static_cast<uint8_t>(i + 1)) << "step " << step;
      ASSERT_EQ(mem.data()[written[i] - 1], 0) << "step " << step;
    }
  }
  EXPECT_EQ(mem.size_bytes(), (uint64_t{1} + 16 * kStep) * kPageSize);
  EXPECT_EQ(mem.data()[mem.size_bytes() - 1], 0);
  const long after = testing::resident_kib();
  ASSERT_GT(before, 0);
  EXPECT_LT(after - before, 16 * 1024) << "KiB resident after growing to 1 GiB";
}

TEST(Memory, GrowFailsPastTheTypesMaximum) {
  MemoryPool pool;
  auto m = Memory::create(pool, memory_type(1, 3));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->grow(3), -1);
  EXPECT_EQ((*m)->pages(), 1u);
  EXPECT_EQ((*m)->grow(2), 1);
  EXPECT_EQ((*m)->grow(1), -1);
  EXPECT_EQ((*m)->grow(UINT32_MAX), -1);
}

TEST(Memory, GrowFailsPastTheEmbeddersLimit) {
  MemoryPool pool;
  auto m = Memory::create(pool, memory_type(1), 4);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->grow(4), -1);
  EXPECT_EQ((*m)->grow(3), 1);
  EXPECT_EQ((*m)->grow(1), -1);
  EXPECT_EQ((*m)->type(), memory_type(4));  // the limit is not part of the type
}

TEST(Memory, CreateFailsPastTheEmbeddersLimit) {
  MemoryPool pool;
  auto m = Memory::create(pool, memory_type(5), 4);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().phase, Phase::Instantiate);
}

TEST(Memory, CanGrowToFourGiB) {
  MemoryPool pool;
  auto m = Memory::create(pool, memory_type(1));
  ASSERT_TRUE(m.ok());
  (*m)->data()[5] = 9;
  EXPECT_EQ((*m)->grow(wasm::kMaxPages - 1), 1);
  EXPECT_EQ((*m)->size_bytes(), uint64_t{4} << 30);
  EXPECT_EQ((*m)->data()[5], 9);
  (*m)->data()[(*m)->size_bytes() - 1] = 1;  // the last byte is addressable
  EXPECT_EQ((*m)->grow(1), -1);
}

TEST(Memory, StoreAppliesItsPageLimit) {
  MemoryPool pool;
  Store store(pool, StoreLimits{.max_memory_pages = 2});
  auto m = store.add_memory(memory_type(1));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->grow(2), -1);
  EXPECT_EQ((*m)->grow(1), 1);
  EXPECT_FALSE(store.add_memory(memory_type(3)).ok());
}

TEST(Table, StartsFilledAndGrows) {
  Table t(wasm::TableType{wasm::ValType::FuncRef, wasm::Limits{2, 5}}, 0);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.element_type(), wasm::ValType::FuncRef);
  EXPECT_EQ(t.data()[0], 0u);
  EXPECT_EQ(t.grow(2, 0x1234), 2);
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(t.data()[1], 0u);
  EXPECT_EQ(t.data()[3], 0x1234u);
  EXPECT_EQ(t.grow(2, 0), -1);
  EXPECT_EQ(t.grow(1, 0), 4);
  EXPECT_EQ(t.grow(0, 0), 5);
  EXPECT_EQ(t.type(), (wasm::TableType{wasm::ValType::FuncRef, wasm::Limits{5, 5}}));
}

TEST(Table, GrowStopsAtTheCap) {
  Table t(wasm::TableType{wasm::ValType::ExternRef, wasm::Limits{0, std::nullopt}}, 0, 10);
  EXPECT_EQ(t.grow(11, 0), -1);
  EXPECT_EQ(t.grow(10, 0), 0);
  EXPECT_EQ(t.grow(1, 0), -1);
  EXPECT_EQ(Table(wasm::TableType{}, 0).grow(UINT32_MAX, 0), -1);
}

TEST(Table, StoreRefusesTablesPastItsLimit) {
  MemoryPool pool;
  Store store(pool, StoreLimits{.max_table_elements = 100});
  EXPECT_EQ(
      store.add_table(wasm::TableType{wasm::ValType::FuncRef, wasm::Limits{101, std::nullopt}}, 0),
      nullptr);
  Table* t =
      store.add_table(wasm::TableType{wasm::ValType::FuncRef, wasm::Limits{100, std::nullopt}}, 0);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->grow(1, 0), -1);
}

}  // namespace
}  // namespace lunatic::engine
