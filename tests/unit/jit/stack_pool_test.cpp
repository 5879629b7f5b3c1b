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

}  // namespace
}  // namespace lunatic::native
