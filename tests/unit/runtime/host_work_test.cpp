// HostWork on its own: jobs run off the caller's thread, the queue refuses past its bounds,
// a cancelled job never runs, and destruction drops what waits and waits for what runs.
#include "runtime/host_work.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
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

TEST(HostWork, RunsJobsOnItsThreadsAndCountsThemUntilTheyEnd) {
  Gate gate;
  std::atomic<int> runs{0};
  HostWork work;
  ASSERT_GE(work.threads(), 1u);
  ASSERT_LE(work.threads(), 2u);
  ASSERT_TRUE(work.submit(std::make_shared<GatedJob>(gate, runs), 10));
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
    ASSERT_TRUE(work->submit(jobs.back(), 1));
  }
  gate.wait_for_entered(static_cast<int>(threads));
  for (size_t i = 0; i < HostWork::kMaxQueued; ++i) {
    jobs.push_back(std::make_shared<GatedJob>(gate, runs));
    ASSERT_TRUE(work->submit(jobs.back(), 1)) << i;
  }
  EXPECT_FALSE(work->submit(std::make_shared<GatedJob>(gate, runs), 1));
  EXPECT_EQ(work->pending(), threads + HostWork::kMaxQueued);
  // A cancelled job leaves the queue at once; a running one cannot be cancelled.
  work->cancel(jobs.back().get());
  work->cancel(jobs.front().get());
  EXPECT_EQ(work->pending(), threads + HostWork::kMaxQueued - 1);
  ASSERT_TRUE(work->submit(std::make_shared<GatedJob>(gate, runs), 1));
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

TEST(HostWork, BoundsTheBytesWaitingButLetsOneHeavyJobIn) {
  Gate gate;
  std::atomic<int> runs{0};
  HostWork work;
  for (unsigned i = 0; i < work.threads(); ++i) {
    ASSERT_TRUE(work.submit(std::make_shared<GatedJob>(gate, runs), 1));
  }
  gate.wait_for_entered(static_cast<int>(work.threads()));
  // Nothing waits: a job heavier than the bound alone is let in, then nothing more.
  ASSERT_TRUE(work.submit(std::make_shared<GatedJob>(gate, runs), HostWork::kMaxQueuedBytes + 1));
  EXPECT_FALSE(work.submit(std::make_shared<GatedJob>(gate, runs), 1));
  gate.release();
}

}  // namespace
}  // namespace lunatic::runtime
