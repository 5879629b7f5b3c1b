// MemoryPool reuse: a slot handed out again never shows a byte of its previous user's memory,
// whichever way it was reset (kept warm, given back in a batch, left by a memory that grew),
// and endless reuse keeps the resident memory flat.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "../support/resident_memory.hpp"
#include "engine/memory_pool.hpp"

namespace lunatic::engine {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint8_t kSecret = 0x5A;

// The first nonzero byte of [p, p + bytes), or -1.
int64_t first_nonzero(const uint8_t* p, uint64_t bytes) {
  const uint8_t* hit = std::find_if(p, p + bytes, [](uint8_t b) { return b != 0; });
  return hit == p + bytes ? -1 : hit - p;
}

// Writes the secret to every byte of a slot of `bytes`' class, releases it, and returns the
// slot the next acquire of that class gives (the same one: the pool reuses it first).
uint8_t* fill_release_reacquire(MemoryPool& pool, uint64_t bytes, bool give_back) {
  uint64_t slot = 0;
  uint8_t* p = pool.acquire(bytes, &slot);
  EXPECT_NE(p, nullptr);
  std::fill(p, p + slot, kSecret);
  pool.release(p, slot, slot);
  if (give_back) pool.give_back_pending();
  uint8_t* q = pool.acquire(bytes, &slot);
  EXPECT_EQ(q, p) << "the test needs the same slot back";
  return q;
}

TEST(MemoryPoolReuse, AWarmSlotShowsNoByteOfItsLastUser) {
  MemoryPool pool;
  // 64 KiB: 16 pages, all written, within what is kept warm.
  uint8_t* p = fill_release_reacquire(pool, 64 * kKiB, false);
  EXPECT_EQ(first_nonzero(p, 64 * kKiB), -1);
}

TEST(MemoryPoolReuse, ASlotGivenBackShowsNoByteOfItsLastUser) {
  MemoryPool pool;
  // 2 MiB: 512 written pages, past what is kept warm: reset by the batch.
  uint8_t* p = fill_release_reacquire(pool, 2048 * kKiB, true);
  EXPECT_EQ(first_nonzero(p, 2048 * kKiB), -1);
}

TEST(MemoryPoolReuse, SlotsLeftByAGrowingMemoryShowNoByteOfIt) {
  // As Memory::grow does: fill, move to the next class (copy), release the old slot; fill the
  // new one completely and release it. The next user of each class sees zeros only.
  MemoryPool pool;
  uint64_t small_slot = 0, big_slot = 0;
  uint8_t* small = pool.acquire(64 * kKiB, &small_slot);
  std::fill(small, small + small_slot, kSecret);
  uint8_t* big = pool.acquire(4 * 64 * kKiB, &big_slot);
  std::copy(small, small + small_slot, big);
  pool.release(small, small_slot, small_slot);
  std::fill(big, big + big_slot, kSecret);
  pool.release(big, big_slot, big_slot);
  pool.give_back_pending();
  uint64_t slot = 0;
  ASSERT_EQ(pool.acquire(64 * kKiB, &slot), small);
  EXPECT_EQ(first_nonzero(small, slot), -1);
  ASSERT_EQ(pool.acquire(4 * 64 * kKiB, &slot), big);
  EXPECT_EQ(first_nonzero(big, slot), -1);
}

TEST(MemoryPoolReuse, RandomlyWrittenSlotsAlwaysComeBackZeroed) {
  // Each round writes a random set of pages (some runs, some single pages, some bytes past the
  // used size the caller reports as its own) in one of three slots of two classes, releases
  // and takes back, and checks every byte.
  MemoryPool pool;
  std::mt19937 rng(15);
  for (int round = 0; round < 300; ++round) {
    const uint64_t bytes = (round % 3 == 0) ? 512 * kKiB : 128 * kKiB;
    uint64_t slot = 0;
    uint8_t* p = pool.acquire(bytes, &slot);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(first_nonzero(p, slot), -1) << "round " << round;
    const uint64_t pages = slot / 4096;
    const uint64_t writes = rng() % (round % 5 == 0 ? pages : 12);
    for (uint64_t i = 0; i < writes; ++i) p[(rng() % pages) * 4096 + rng() % 4096] = kSecret;
    pool.release(p, slot, slot);
    if (round % 7 == 0) pool.give_back_pending();
  }
  pool.give_back_pending();
  uint64_t slot = 0;
  for (uint64_t bytes : {128 * kKiB, 512 * kKiB}) {
    for (int i = 0; i < 80; ++i) {
      uint8_t* p = pool.acquire(bytes, &slot);
      ASSERT_EQ(first_nonzero(p, slot), -1);
    }
  }
}

TEST(MemoryPoolReuse, SlotsGivenBackFromManyThreadsComeBackZeroed) {
  // Every release here goes to the batch (100 written pages, past the warm limit), from four
  // threads at once: batches fill while another thread's flush runs its system call.
  MemoryPool pool;
  std::atomic<int> dirty_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, &dirty_seen, t] {
      for (int i = 0; i < 150; ++i) {
        uint64_t slot = 0;
        uint8_t* p = pool.acquire(1024 * kKiB, &slot);
        if (p == nullptr) return;
        for (uint64_t page = 0; page < 100; ++page) {
          if (p[page * 4096 + 9] != 0) dirty_seen.fetch_add(1);
          p[page * 4096 + 9] = static_cast<uint8_t>(t + 1);
        }
        pool.release(p, slot, slot);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(dirty_seen.load(), 0);
}

TEST(MemoryPoolReuse, SlotsResetTogetherShowNoByteOfTheirUsersAndSpareTheLiveOnes) {
  // 60 slots of 128 KiB side by side, each written everywhere; every third stays live, the
  // other 40 are released in a row: two batches of 16 are scanned as they fill (one walk over
  // their span, the live slots between them skipped), 8 wait for the next acquire. The live
  // slots keep every byte; each released one comes back holding none of its user's.
  constexpr uint8_t kLive = 0x33;
  MemoryPool pool;
  uint64_t slot = 0;
  std::vector<uint8_t*> live, released;
  for (int i = 0; i < 60; ++i) {
    uint8_t* p = pool.acquire(128 * kKiB, &slot);
    ASSERT_NE(p, nullptr);
    std::fill(p, p + slot, i % 3 == 0 ? kLive : kSecret);
    (i % 3 == 0 ? live : released).push_back(p);
  }
  for (uint8_t* p : released) pool.release(p, slot, slot);
  for (uint8_t* p : live) {
    ASSERT_TRUE(std::all_of(p, p + slot, [](uint8_t b) { return b == kLive; }));
  }
  pool.reset_waiting();
  // 32 written pages each: all kept warm, none given back.
  EXPECT_EQ(pool.warm_bytes(), released.size() * slot);
  std::vector<uint8_t*> again;
  for (size_t i = 0; i < released.size(); ++i) {
    uint8_t* p = pool.acquire(128 * kKiB, &slot);
    ASSERT_NE(std::find(released.begin(), released.end(), p), released.end());
    EXPECT_EQ(first_nonzero(p, slot), -1);
    again.push_back(p);
  }
  for (uint8_t* p : live) {
    EXPECT_TRUE(std::all_of(p, p + slot, [](uint8_t b) { return b == kLive; }));
  }
  // Released again with some pages written, and taken back by acquires that find no warm slot:
  // each acquire scans the slots waiting then.
  for (size_t i = 0; i < again.size(); ++i) {
    for (size_t page = i % 4; page < slot / 4096; page += 3) again[i][page * 4096 + i] = kSecret;
    pool.release(again[i], slot, slot);
  }
  for (size_t i = 0; i < again.size(); ++i) {
    uint8_t* p = pool.acquire(128 * kKiB, &slot);
    ASSERT_NE(std::find(released.begin(), released.end(), p), released.end());
    EXPECT_EQ(first_nonzero(p, slot), -1);
  }
}

TEST(MemoryPoolReuse, SlotsResetTogetherFromManyThreadsComeBackZeroed) {
  // Four threads each keep three small slots live and cycle them: batches of waiting slots
  // are scanned while other threads write their live slots between them.
  MemoryPool pool;
  std::atomic<int> dirty_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, &dirty_seen, t] {
      std::array<std::pair<uint8_t*, uint64_t>, 3> mine{};
      for (int i = 0; i < 600; ++i) {
        auto& [p, slot] = mine[static_cast<size_t>(i) % mine.size()];
        if (p != nullptr) pool.release(p, slot, slot);
        p = pool.acquire(i % 2 == 0 ? 128 * kKiB : 64 * kKiB, &slot);
        if (p == nullptr) return;
        if (first_nonzero(p, slot) != -1) dirty_seen.fetch_add(1);
        const uint64_t pages = slot / 4096;
        for (uint64_t page = static_cast<uint64_t>(i) % 3; page < pages; page += 2) {
          p[page * 4096 + static_cast<uint64_t>(t)] = static_cast<uint8_t>(t + 1);
        }
      }
      for (auto& [p, slot] : mine) pool.release(p, slot, slot);
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(dirty_seen.load(), 0);
}

using ::lunatic::testing::resident_kib;

TEST(MemoryPoolReuse, EndlessReuseKeepsResidentMemoryFlat) {
  // 40,000 acquire-write-release cycles, 64 live slots at a time, writing 2 to 100 pages each
  // (both warm and given-back resets): the resident memory after the first 10,000 does not
  // grow with the rest. Read where a runtime's idle worker would have given the deferred
  // batches back (none is idle here; DeferredBatchesAreBounded checks what waits meanwhile).
  MemoryPool pool;
  auto idle = [&pool] {
    while (pool.give_back_some()) {
    }
  };
  std::mt19937 rng(4);
  std::vector<std::pair<uint8_t*, uint64_t>> live(64, {nullptr, 0});
  long after_warmup = 0;
  for (int i = 0; i < 40'000; ++i) {
    auto& [p, slot] = live[static_cast<size_t>(i) % live.size()];
    if (p != nullptr) pool.release(p, slot, slot);
    p = pool.acquire(512 * kKiB, &slot);
    ASSERT_NE(p, nullptr);
    const uint64_t pages = 2 + rng() % (i % 10 == 0 ? 99 : 20);
    for (uint64_t k = 0; k < pages; ++k) p[k * 4096] = 1;
    if (i == 10'000) {
      idle();
      after_warmup = resident_kib();
    }
  }
  idle();
  const long end = resident_kib();
  ASSERT_GT(after_warmup, 0);
  EXPECT_LT(end - after_warmup, 8 * 1024) << after_warmup << " KiB, then " << end << " KiB";
}

TEST(MemoryPoolReuse, AFullBatchWaitsForAnIdleMomentThenComesBackZeroed) {
  // 1 MiB slots with 100 written pages each (past what is kept warm): 64 of them fill a batch,
  // which waits (its pages committed) until give_back_some(); meanwhile the class hands out
  // fresh slots, never one of them. Given back, they come back zeroed.
  MemoryPool pool;
  std::vector<uint8_t*> released;
  uint64_t slot = 0;
  for (int i = 0; i < 64; ++i) {
    uint8_t* p = pool.acquire(1024 * kKiB, &slot);
    ASSERT_NE(p, nullptr);
    for (uint64_t page = 0; page < 100; ++page) p[page * 4096] = kSecret;
    released.push_back(p);
  }
  EXPECT_FALSE(pool.has_deferred());
  for (uint8_t* p : released) pool.release(p, slot, slot);
  EXPECT_TRUE(pool.has_deferred());
  uint8_t* fresh = pool.acquire(1024 * kKiB, &slot);
  EXPECT_EQ(std::find(released.begin(), released.end(), fresh), released.end());
  EXPECT_TRUE(pool.give_back_some());
  EXPECT_FALSE(pool.has_deferred());
  EXPECT_FALSE(pool.give_back_some());
  for (int i = 0; i < 64; ++i) {
    uint8_t* p = pool.acquire(1024 * kKiB, &slot);
    ASSERT_NE(std::find(released.begin(), released.end(), p), released.end());
    EXPECT_EQ(first_nonzero(p, slot), -1);
  }
}

TEST(MemoryPoolReuse, DeferredBatchesAreBounded) {
  // With nothing giving deferred batches back, releases past the bound give their batches back
  // themselves: 2,000 slots of 1 MiB with 100 written pages each (800 MB written in all) leave
  // at most the bound more resident than before, plus the batch being filled (64 MiB) and
  // some slack. A bound of 0 defers nothing.
  for (const uint64_t bound :
       {uint64_t{0}, MemoryPool::kDefaultMaxDeferredBytes, uint64_t{192} << 20}) {
    MemoryPool pool;
    pool.set_max_deferred_bytes(bound);
    const long before = resident_kib();
    uint64_t slot = 0;
    for (int i = 0; i < 2'000; ++i) {
      uint8_t* p = pool.acquire(1024 * kKiB, &slot);
      ASSERT_NE(p, nullptr);
      for (uint64_t page = 0; page < 100; ++page) p[page * 4096] = kSecret;
      pool.release(p, slot, slot);
    }
    const long grown = resident_kib() - before;
    EXPECT_LT(grown, static_cast<long>(bound >> 10) + 96 * 1024)
        << grown << " KiB more resident, bound " << bound;
    EXPECT_EQ(pool.has_deferred(), bound != 0) << bound;
    pool.give_back_pending();
    EXPECT_FALSE(pool.has_deferred());
    EXPECT_LT(resident_kib() - before, 16 * 1024);
  }
}

}  // namespace
}  // namespace lunatic::engine
