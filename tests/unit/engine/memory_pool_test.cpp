// MemoryPool: size classes, zeroed and warm reuse (a few touched pages zeroed by hand, more
// given back), and the promise that slots share mappings.
#include "engine/memory_pool.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace lunatic::engine {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kGiB = uint64_t{1} << 30;

size_t mapping_count() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  size_t n = 0;
  while (std::getline(maps, line)) ++n;
  return n;
}

// How many lines of /proc/self/maps cover a byte of [lo, hi): 1 for a slot inside one
// reservation's mapping (unaffected by the mappings other allocators, such as ASan's, make).
size_t mappings_over(const uint8_t* lo, const uint8_t* hi) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  size_t n = 0;
  while (std::getline(maps, line)) {
    const uintptr_t start = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    const uintptr_t end = std::stoull(line.substr(line.find('-') + 1), nullptr, 16);
    if (start < reinterpret_cast<uintptr_t>(hi) && end > reinterpret_cast<uintptr_t>(lo)) ++n;
  }
  return n;
}

TEST(MemoryPool, RoundsUpToPowerOfTwoClasses) {
  MemoryPool pool;
  struct Case {
    uint64_t bytes, slot;
  } cases[] = {{0, 64 * kKiB},
               {1, 64 * kKiB},
               {64 * kKiB, 64 * kKiB},
               {64 * kKiB + 1, 128 * kKiB},
               {3 * 64 * kKiB, 256 * kKiB},
               {4 * kGiB, 4 * kGiB},
               {4 * kGiB + 1, 8 * kGiB}};
  for (const Case& c : cases) {
    uint64_t slot = 0;
    uint8_t* p = pool.acquire(c.bytes, &slot);
    ASSERT_NE(p, nullptr) << c.bytes;
    EXPECT_EQ(slot, c.slot) << c.bytes;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 4096, 0u);
    pool.release(p, slot, 0);
  }
}

TEST(MemoryPool, RefusesMoreThanTheLargestClass) {
  MemoryPool pool;
  uint64_t slot = 0;
  EXPECT_EQ(pool.acquire(MemoryPool::kMaxSlotBytes + 1, &slot), nullptr);
}

TEST(MemoryPool, ReusesTheMostRecentlyReleasedSlotFirst) {
  MemoryPool pool;
  uint64_t slot = 0;
  uint8_t* a = pool.acquire(1, &slot);
  uint8_t* b = pool.acquire(1, &slot);
  ASSERT_NE(a, b);
  pool.release(a, slot, 0);
  pool.release(b, slot, 0);
  EXPECT_EQ(pool.acquire(1, &slot), b);
  EXPECT_EQ(pool.acquire(1, &slot), a);
}

TEST(MemoryPool, ReusedSlotIsZeroFilled) {
  MemoryPool pool;
  uint64_t slot = 0;
  uint8_t* p = pool.acquire(256 * kKiB, &slot);
  ASSERT_NE(p, nullptr);
  std::fill(p, p + 100 * kKiB, uint8_t{0xAB});
  pool.release(p, slot, 100 * kKiB);  // rounds the used range up to whole OS pages
  uint8_t* q = pool.acquire(256 * kKiB, &slot);
  ASSERT_EQ(q, p);
  EXPECT_TRUE(std::all_of(q, q + slot, [](uint8_t b) { return b == 0; }));
}

TEST(MemoryPool, ReleaseWithoutUsedBytesZeroesTheWholeSlot) {
  MemoryPool pool;
  uint64_t slot = 0;
  uint8_t* p = pool.acquire(1, &slot);
  p[slot - 1] = 7;
  pool.release(p, slot);
  ASSERT_EQ(pool.acquire(1, &slot), p);
  EXPECT_EQ(p[slot - 1], 0);
}

// Which of the `pages` OS pages from `p` are resident (mincore).
std::vector<bool> resident_pages(uint8_t* p, size_t pages) {
  std::vector<unsigned char> vec(pages);
  EXPECT_EQ(mincore(p, pages * 4096, vec.data()), 0);
  std::vector<bool> out(pages);
  for (size_t i = 0; i < pages; ++i) out[i] = (vec[i] & 1) != 0;
  return out;
}

TEST(MemoryPool, AFewTouchedPagesAreZeroedByHandAndStayWarm) {
  MemoryPool pool;
  uint64_t slot = 0;
  uint8_t* p = pool.acquire(64 * kKiB, &slot);
  ASSERT_NE(p, nullptr);
  p[0] = 1;
  std::fill(p + 5 * 4096, p + 6 * 4096, uint8_t{0xCD});
  pool.release(p, slot, 64 * kKiB);
  ASSERT_EQ(pool.acquire(64 * kKiB, &slot), p);
  std::vector<bool> resident = resident_pages(p, 16);
  EXPECT_TRUE(resident[0]);
  EXPECT_TRUE(resident[5]);
  EXPECT_FALSE(resident[1]);  // an untouched page is not committed by the reset
  EXPECT_TRUE(std::all_of(p, p + slot, [](uint8_t b) { return b == 0; }));
}

TEST(MemoryPool, ManyTouchedPagesAreGivenBackToTheSystem) {
  MemoryPool pool;
  uint64_t slot = 0;
  uint8_t* p = pool.acquire(1024 * kKiB, &slot);
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 100; ++i) p[i * 4096 + 7] = 9;  // past the 64 pages kept warm
  pool.release(p, slot, 1024 * kKiB);
  EXPECT_EQ(pool.warm_bytes(), 0u);
  // It waits in the batch (not handed out) until the batch is given back.
  uint64_t other_slot = 0;
  uint8_t* other = pool.acquire(1024 * kKiB, &other_slot);
  EXPECT_NE(other, p);
  pool.give_back_pending();
  ASSERT_EQ(pool.acquire(1024 * kKiB, &slot), p);
  std::vector<bool> resident = resident_pages(p, 256);
  EXPECT_EQ(std::count(resident.begin(), resident.end(), true), 0);
  EXPECT_TRUE(std::all_of(p, p + slot, [](uint8_t b) { return b == 0; }));
}

TEST(MemoryPool, MoveCopiesThePagesWithDataAndCommitsNoOther) {
  MemoryPool pool;
  uint64_t slot = 0;
  uint8_t* p = pool.acquire(4 * 1024 * kKiB, &slot);
  ASSERT_NE(p, nullptr);
  const size_t pages = slot / 4096;
  p[0] = 1;
  std::fill(p + 10 * 4096, p + 13 * 4096, uint8_t{0x5A});  // a run of three pages
  p[500 * 4096 + 4095] = 2;
  uint64_t sum = 0;  // pages only read: no data, nothing to copy
  for (size_t i = 600; i < 700; ++i) sum += static_cast<volatile uint8_t*>(p)[i * 4096];
  EXPECT_EQ(sum, 0u);
  uint64_t new_slot = 0;
  uint8_t* q = pool.move(p, slot, slot, slot + 1, &new_slot);
  ASSERT_NE(q, nullptr);
  ASSERT_NE(q, p);
  EXPECT_EQ(new_slot, 2 * slot);
  EXPECT_EQ(q[0], 1);
  EXPECT_TRUE(std::all_of(q + 10 * 4096, q + 13 * 4096, [](uint8_t b) { return b == 0x5A; }));
  EXPECT_EQ(q[500 * 4096 + 4095], 2);
  std::vector<bool> resident = resident_pages(q, new_slot / 4096);
  EXPECT_EQ(std::count(resident.begin(), resident.end(), true), 5);
  EXPECT_TRUE(resident[0] && resident[10] && resident[12] && resident[500]);
  size_t nonzero = 0;
  for (uint64_t i = 0; i < new_slot; ++i) nonzero += q[i] != 0;
  EXPECT_EQ(nonzero, 2 + 3 * 4096u);
  // The old slot went back to the pool: reused, it shows none of the bytes.
  pool.give_back_pending();
  ASSERT_EQ(pool.acquire(slot, &slot), p);
  EXPECT_TRUE(std::all_of(p, p + pages * 4096, [](uint8_t b) { return b == 0; }));
  pool.release(q, new_slot);
}

// A memory with many written pages moves them with mremap: the bytes arrive, the old slot is
// empty for its next user, and once the moved memory is released its mapping merges back into
// the reservation (no mapping per process left behind).
TEST(MemoryPool, MoveRemapsManyWrittenPagesAndLeavesNoMappingBehind) {
  MemoryPool pool;
  uint64_t slot = 0;
  uint8_t* p = pool.acquire(4 * 1024 * kKiB, &slot);
  ASSERT_NE(p, nullptr);
  for (uint64_t i = 0; i < slot - 4096; ++i) p[i] = static_cast<uint8_t>(i * 13 + 1);
  uint64_t new_slot = 0;
  uint8_t* q = pool.move(p, slot, slot - 4096, slot + 1, &new_slot);
  ASSERT_NE(q, nullptr);
  for (uint64_t i = 0; i < slot - 4096; ++i) {
    ASSERT_EQ(q[i], static_cast<uint8_t>(i * 13 + 1)) << i;
  }
  EXPECT_TRUE(std::all_of(q + slot - 4096, q + new_slot, [](uint8_t b) { return b == 0; }));
  // Written on past the remapped range (which is a mapping of its own now), so the range to
  // move spans two mappings: moved again all the same (by the kernel, or copied), released.
  const uint64_t used = slot + 1024 * kKiB;
  for (uint64_t i = slot - 4096; i < used; ++i) q[i] = static_cast<uint8_t>(i * 13 + 1);
  uint64_t third_slot = 0;
  uint8_t* r = pool.move(q, new_slot, used, new_slot + 1, &third_slot);
  ASSERT_NE(r, nullptr);
  for (uint64_t i = 0; i < used; ++i) ASSERT_EQ(r[i], static_cast<uint8_t>(i * 13 + 1)) << i;
  EXPECT_TRUE(std::all_of(r + used, r + third_slot, [](uint8_t b) { return b == 0; }));
  pool.release(r, third_slot);
  EXPECT_EQ(mappings_over(p, p + slot), 1u);
  EXPECT_EQ(mappings_over(q, q + new_slot), 1u);
  EXPECT_EQ(mappings_over(r, r + third_slot), 1u);
  // Every slot the memory held comes back empty.
  pool.give_back_pending();
  for (uint64_t size : {slot, new_slot, third_slot}) {
    uint64_t got = 0;
    uint8_t* s = pool.acquire(size, &got);
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(s == p || s == q || s == r);
    EXPECT_TRUE(std::all_of(s, s + got, [](uint8_t b) { return b == 0; })) << size;
  }
}

TEST(MemoryPool, PagesOnlyReadAreNotCommittedByTheReset) {
  MemoryPool pool;
  uint64_t slot = 0;
  uint8_t* p = pool.acquire(64 * kKiB, &slot);
  ASSERT_NE(p, nullptr);
  uint64_t sum = 0;
  for (uint64_t i = 0; i < slot; i += 4096) sum += static_cast<volatile uint8_t*>(p)[i];
  EXPECT_EQ(sum, 0u);
  p[3 * 4096] = 1;
  pool.release(p, slot, slot);
  pool.reset_waiting();  // a small slot waits for its batch's scan
  // Only the written page is kept warm where the kernel tells the zero page apart (the
  // PAGEMAP_SCAN ioctl); the pagemap fallback keeps every page that was mapped.
  EXPECT_GE(pool.warm_bytes(), 4096u);
  EXPECT_LE(pool.warm_bytes(), slot);
  ASSERT_EQ(pool.acquire(64 * kKiB, &slot), p);
  EXPECT_EQ(pool.warm_bytes(), 0u);
  EXPECT_TRUE(std::all_of(p, p + slot, [](uint8_t b) { return b == 0; }));
}

TEST(MemoryPool, ManySlotsShareFewMappings) {
  // An mmap per slot would add 10,000 lines to /proc/self/maps. The slack allows for the pool's
  // own bookkeeping and for allocators (ASan's) that map their own arenas.
  constexpr size_t kSlack = 8;
  MemoryPool pool;
  std::vector<uint8_t*> slots;
  slots.reserve(10'000);
  uint64_t slot = 0;
  size_t before = mapping_count();
  for (int i = 0; i < 10'000; ++i) {
    uint8_t* p = pool.acquire(64 * kKiB, &slot);
    ASSERT_NE(p, nullptr);
    p[i % 4096] = 1;  // touching a page must not split anything either
    slots.push_back(p);
  }
  size_t after = mapping_count();
  EXPECT_LE(after, before + kSlack) << "before " << before << ", after " << after;
  for (uint8_t* p : slots) pool.release(p, slot, 4096);  // madvise splits nothing
  EXPECT_LE(mapping_count(), after);
  EXPECT_EQ(std::set<uint8_t*>(slots.begin(), slots.end()).size(), slots.size());
}

TEST(MemoryPool, IsThreadSafe) {
  MemoryPool pool;
  constexpr int kThreads = 4;
  constexpr int kRounds = 2'000;
  std::vector<std::vector<uint8_t*>> held(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&pool, &held, t] {
      uint64_t slot = 0;
      for (int i = 0; i < kRounds; ++i) {
        uint8_t* p = pool.acquire(1 + (i % 3) * 64 * kKiB, &slot);
        if (p == nullptr) return;
        if (p[0] != 0) return;  // a slot handed out twice would show the other thread's mark
        p[0] = static_cast<uint8_t>(t + 1);
        if (i % 2 == 0) {
          pool.release(p, slot, 1);
        } else {
          held[t].push_back(p);
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::set<uint8_t*> all;
  size_t total = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(held[t].size(), size_t{kRounds / 2}) << "thread " << t << " saw a foreign mark";
    total += held[t].size();
    for (uint8_t* p : held[t]) {
      EXPECT_EQ(p[0], t + 1);
      all.insert(p);
    }
  }
  EXPECT_EQ(all.size(), total);
}

}  // namespace
}  // namespace lunatic::engine
