// HostWork: CPU-heavy host work a guest asked for (compiling a module it loads at run time), run
// on a few threads of its own while the asking process parks, so that it never holds a worker
// (DESIGN.md "Host calls that wait").
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace lunatic::runtime {

/// One piece of work handed off by a host call. run() is called once, on a pool thread, unless
/// the job was cancelled or the pool stopped first. The job tells its process itself (a
/// Process::wake through a weak reference) when it is done; the parked call then finds the
/// result in the job, which it shares with the pool.
class HostJob {
 public:
  HostJob() = default;
  HostJob(const HostJob&) = delete;
  HostJob& operator=(const HostJob&) = delete;
  virtual ~HostJob() = default;
  virtual void run() = 0;
};

/// Thread-safe. Bounded, so that a flood of host calls cannot grow host memory or threads
/// without limit, and shared fairly, so that one sandbox's flood cannot refuse or delay the
/// others' work. Each job has an owner (a number; compile_module's is the id of a top-level
/// environment, or of one of its children, for everything below it). At most threads() jobs
/// run at once (half the cores, 1 or 2). Waiting jobs are bounded per owner
/// (kMaxQueuedPerOwner jobs weighing kMaxQueuedBytesPerOwner together; one heavier job is let
/// in when the owner has none waiting) and in all (kMaxQueued jobs, kMaxQueuedBytes, a job
/// counting at most kMaxQueuedBytesPerOwner there), and owners take turns: the threads take
/// the oldest job of each owner with jobs waiting in rotation, not the oldest job. A parked
/// process has at most one job, so an owner's count is reached only by that many of its
/// processes at once. submit() refuses past the bounds, and the host call fails with an error
/// the guest can handle. Threads start with the first job.
class HostWork {
 public:
  static constexpr size_t kMaxQueued = 1024;
  static constexpr uint64_t kMaxQueuedBytes = uint64_t{256} << 20;
  static constexpr size_t kMaxQueuedPerOwner = 64;
  static constexpr uint64_t kMaxQueuedBytesPerOwner = uint64_t{32} << 20;

  HostWork();
  /// Drops the queued jobs without running them and waits for the ones running (they cannot
  /// be interrupted; their processes are gone by then).
  ~HostWork();
  HostWork(const HostWork&) = delete;
  HostWork& operator=(const HostWork&) = delete;

  /// Queues `job` for `owner`, weighing `bytes` (the host memory it holds while it waits);
  /// false if the owner's share or the whole queue is full.
  bool submit(std::shared_ptr<HostJob> job, uint64_t bytes, uint64_t owner);
  /// Drops `job` if it still waits (its process was killed and will never take the result): it
  /// then never runs and its memory goes now. A job already running runs to its end.
  void cancel(const HostJob* job);
  /// Jobs waiting or running.
  size_t pending() const;
  /// Jobs running.
  size_t running() const;
  unsigned threads() const { return threads_wanted_; }

 private:
  struct Queued {
    std::shared_ptr<HostJob> job;
    uint64_t bytes = 0;
  };
  /// An owner with jobs waiting (erased when it has none).
  struct Owner {
    std::deque<Queued> jobs;
    uint64_t bytes = 0;
  };
  static uint64_t counted(uint64_t bytes) { return std::min(bytes, kMaxQueuedBytesPerOwner); }
  void loop();

  const unsigned threads_wanted_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<uint64_t, Owner> owners_;
  std::deque<uint64_t> turns_;  ///< the owners in owners_, the next to be served first
  size_t queued_ = 0;
  uint64_t queued_bytes_ = 0;  ///< counted() of each waiting job
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace lunatic::runtime
