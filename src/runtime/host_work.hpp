// HostWork: CPU-heavy host work a guest asked for (compiling a module it loads at run time), run
// on a few threads of its own while the asking process parks, so that it never holds a worker
// (DESIGN.md "Host calls that wait").
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
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
/// without limit: at most threads() jobs run at once (half the cores, 1 or 2), and at most
/// kMaxQueued jobs weighing kMaxQueuedBytes together wait. A parked process has at most one
/// job, so the count is reached only by that many processes at once; one job heavier than
/// kMaxQueuedBytes is let in when nothing waits. submit() refuses past that, and the host call
/// fails with an error the guest can handle. Threads start with the first job.
class HostWork {
 public:
  static constexpr size_t kMaxQueued = 1024;
  static constexpr uint64_t kMaxQueuedBytes = uint64_t{256} << 20;

  HostWork();
  /// Drops the queued jobs without running them and waits for the ones running (they cannot
  /// be interrupted; their processes are gone by then).
  ~HostWork();
  HostWork(const HostWork&) = delete;
  HostWork& operator=(const HostWork&) = delete;

  /// Queues `job`, weighing `bytes` (the host memory it holds while it waits); false if the
  /// queue is full.
  bool submit(std::shared_ptr<HostJob> job, uint64_t bytes);
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
  void loop();

  const unsigned threads_wanted_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Queued> queue_;
  uint64_t queued_bytes_ = 0;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace lunatic::runtime
