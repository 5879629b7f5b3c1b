// StackPool: stacks are reused, the most recent ones warm, the rest given back to the OS in
// batches (their pages read as zero again) and handed out again.
#include "native/stack_pool.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace lunatic::native {
namespace {

TEST(StackPool, ReleasedStacksAreReusedAndPastTheWarmOnesGivenBack) {
  StackPool pool;
  constexpr size_t kCount = StackPool::kWarmStacks + 2 * StackPool::kReturnBatch;
  std::vector<uint8_t*> stacks;
  for (size_t i = 0; i < kCount; ++i) {
    uint8_t* s = pool.acquire();
    ASSERT_NE(s, nullptr);
    s[StackPool::kStackBytes - 1] = 0xAB;  // the top page, as a fiber touches it
    stacks.push_back(s);
  }
  EXPECT_EQ(std::set<uint8_t*>(stacks.begin(), stacks.end()).size(), kCount);
  for (uint8_t* s : stacks) pool.release(s);
  // Every stack was given back in full batches: all but the warm ones read zero again.
  size_t zeroed = 0;
  for (uint8_t* s : stacks) zeroed += s[StackPool::kStackBytes - 1] == 0 ? 1 : 0;
  EXPECT_EQ(zeroed, 2 * StackPool::kReturnBatch);
  // All come back (no new reservation needed), none twice.
  std::set<uint8_t*> again;
  for (size_t i = 0; i < kCount; ++i) again.insert(pool.acquire());
  EXPECT_EQ(again, std::set<uint8_t*>(stacks.begin(), stacks.end()));
  for (uint8_t* s : again) pool.release(s);
}

TEST(StackPool, ABatchOfScatteredStacksIsGivenBackWhole) {
  // Every other stack released: no two of a batch are neighbours, so the batch is as many
  // ranges as stacks, given back together.
  StackPool pool(size_t{64} << 10);
  constexpr size_t kCount = 2 * (StackPool::kWarmStacks + StackPool::kReturnBatch);
  std::vector<uint8_t*> stacks;
  for (size_t i = 0; i < kCount; ++i) {
    uint8_t* s = pool.acquire();
    ASSERT_NE(s, nullptr);
    s[pool.stack_bytes() - 1] = 0xAB;
    s[0] = 0xCD;  // the bottom page too: a range covers the whole stack
    stacks.push_back(s);
  }
  std::vector<uint8_t*> released;
  for (size_t i = 0; i < kCount; i += 2) released.push_back(stacks[i]);
  for (uint8_t* s : released) pool.release(s);
  size_t zeroed = 0;
  for (uint8_t* s : released) {
    const bool top = s[pool.stack_bytes() - 1] == 0, bottom = s[0] == 0;
    EXPECT_EQ(top, bottom);
    zeroed += top ? 1 : 0;
  }
  EXPECT_EQ(zeroed, StackPool::kReturnBatch);
  // The stacks still held keep their bytes.
  for (size_t i = 1; i < kCount; i += 2) {
    EXPECT_EQ(stacks[i][pool.stack_bytes() - 1], 0xAB);
    EXPECT_EQ(stacks[i][0], 0xCD);
  }
  for (size_t i = 1; i < kCount; i += 2) pool.release(stacks[i]);
}

}  // namespace
}  // namespace lunatic::native
