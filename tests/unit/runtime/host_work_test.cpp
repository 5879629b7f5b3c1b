// HostWork on its own: jobs run off the caller's thread, the queue refuses past its bounds
// (each owner's and the whole queue's), owners take turns, a cancelled job never runs, and
// destruction drops what waits and waits for what runs.
#include "runtime/host_work.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace lunatic::runtime {
namespace {

/// Counts its runs; blocks in run() until the gate opens.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int entered = 0;

  void wait_until_open() {
    std::unique_lock lock(mutex);
    ++entered;
    changed.notify_all();
    changed.wait(lock, [&] { return open; });
  }
  void wait_for_entered(int n) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return entered >= n; });
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    changed.notify_all();
  }
};

struct GatedJob final : HostJob {
  GatedJob(Gate& g, std::atomic<int>& r) : gate(g), runs(r) {}
  void run() override {
    gate.wait_until_open();
    runs.fetch_add(1);
  }
  Gate& gate;
  std::atomic<int>& runs;
};

// Gives each of the pool's threads a job (owner 0) that waits at the gate, and waits until all
// have started: what is submitted next stays queued until the gate opens.
bool occupy_every_thread(HostWork& work, Gate& gate, std::atomic<int>& runs) {
  for (unsigned i = 0; i < work.threads(); ++i) {
    if (!work.submit(std::make_shared<GatedJob>(gate, runs), 1, 0)) return false;
  }
  gate.wait_for_entered(static_cast<int>(work.threads()));
  return true;
}

TEST(HostWork, RunsJobsOnItsThreadsAndCountsThemUntilTheyEnd) {
  Gate gate;
  std::atomic<int> runs{0};
  HostWork work;
  ASSERT_GE(work.threads(), 1u);
  ASSERT_LE(work.threads(), 2u);
  ASSERT_TRUE(work.submit(std::make_shared<GatedJob>(gate, runs), 10, 1));
  gate.wait_for_entered(1);
  EXPECT_EQ(work.pending(), 1u);
  gate.release();
  for (int i = 0; i < 5000 && work.pending() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(work.pending(), 0u);
  EXPECT_EQ(runs.load(), 1);
}

TEST(HostWork, RefusesPastTheQueuesBoundsAndCancelledJobsNeverRun) {
  Gate gate;
  std::atomic<int> runs{0};
  std::vector<std::shared_ptr<HostJob>> jobs;
  std::optional<HostWork> work(std::in_place);
  const unsigned threads = work->threads();
  // Occupy every thread, then fill the queue.
  for (unsigned i = 0; i < threads; ++i) {
    jobs.push_back(std::make_shared<GatedJob>(gate, runs));
    ASSERT_TRUE(work->submit(jobs.back(), 1, 0));
  }
  gate.wait_for_entered(static_cast<int>(threads));
  // Owners 1, 2, ... each fill their share, until the whole queue is full.
  for (size_t i = 0; i < HostWork::kMaxQueued; ++i) {
    jobs.push_back(std::make_shared<GatedJob>(gate, runs));
    ASSERT_TRUE(work->submit(jobs.back(), 1, 1 + i / HostWork::kMaxQueuedPerOwner)) << i;
  }
  EXPECT_FALSE(work->submit(std::make_shared<GatedJob>(gate, runs), 1, 1000));
  EXPECT_EQ(work->pending(), threads + HostWork::kMaxQueued);
  // A cancelled job leaves the queue at once; a running one cannot be cancelled.
  work->cancel(jobs.back().get());
  work->cancel(jobs.front().get());
  EXPECT_EQ(work->pending(), threads + HostWork::kMaxQueued - 1);
  ASSERT_TRUE(work->submit(std::make_shared<GatedJob>(gate, runs), 1, 1000));
  // Destroyed with its queue full: the running jobs end once the gate opens, the rest never
  // run.
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    gate.release();
  });
  work.reset();
  opener.join();
  EXPECT_EQ(runs.load(), static_cast<int>(threads));
  for (size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(jobs[i].use_count(), 1) << i;  // the pool kept no reference
  }
}

TEST(HostWork, BoundsEachOwnersBytesButLetsOneHeavyJobIn) {
  Gate gate;
  std::atomic<int> runs{0};
  HostWork work;
  ASSERT_TRUE(occupy_every_thread(work, gate, runs));
  // Owner 1 has nothing waiting: a job heavier than its share alone is let in, then nothing
  // more of owner 1's; it counts as one share in the whole queue, so others still get in.
  ASSERT_TRUE(
      work.submit(std::make_shared<GatedJob>(gate, runs), HostWork::kMaxQueuedBytes + 1, 1));
  EXPECT_FALSE(work.submit(std::make_shared<GatedJob>(gate, runs), 1, 1));
  EXPECT_TRUE(work.submit(std::make_shared<GatedJob>(gate, runs), 1, 2));
  // Owner 2's share is its bytes as well as its jobs.
  EXPECT_TRUE(work.submit(std::make_shared<GatedJob>(gate, runs),
                          HostWork::kMaxQueuedBytesPerOwner - 1, 2));
  EXPECT_FALSE(work.submit(std::make_shared<GatedJob>(gate, runs), 1, 2));
  gate.release();
}

TEST(HostWork, AFloodingOwnerNeitherRefusesNorDelaysAnothers) {
  Gate gate;
  std::atomic<int> runs{0};
  HostWork work;
  ASSERT_TRUE(occupy_every_thread(work, gate, runs));
  // Owner 1 floods until refused (its share: kMaxQueuedPerOwner jobs); owner 2's job gets in.
  std::mutex mutex;
  std::vector<uint64_t> order;
  struct Recorded final : HostJob {
    Recorded(std::mutex& m, std::vector<uint64_t>& o, uint64_t w) : mutex(m), order(o), who(w) {}
    void run() override {
      if (who == 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::lock_guard lock(mutex);
      order.push_back(who);
    }
    std::mutex& mutex;
    std::vector<uint64_t>& order;
    uint64_t who;
  };
  size_t flood = 0;
  while (work.submit(std::make_shared<Recorded>(mutex, order, 1), 1, 1)) ++flood;
  EXPECT_EQ(flood, HostWork::kMaxQueuedPerOwner);
  ASSERT_TRUE(work.submit(std::make_shared<Recorded>(mutex, order, 2), 1, 2));
  // Turns: owner 2's job is taken second, after owner 1's oldest, not after all of them. With
  // two threads the other may finish a few of owner 1's (1 ms each) before it records: the
  // bound allows 15 of them, where taking the oldest job first would put it at 64.
  gate.release();
  for (int i = 0; i < 5000 && work.pending() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(order.size(), flood + 1);
  const auto at = std::find(order.begin(), order.end(), 2u) - order.begin();
  EXPECT_LE(at, 15);
}

}  // namespace
}  // namespace lunatic::runtime
