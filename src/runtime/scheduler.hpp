// Scheduler: N worker threads, a run queue per worker, idle workers steal, and sleep on a
// condition variable when there is no work anywhere (after a bounded spin: spin_for_work).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/fuel_meter.hpp"

namespace lunatic::runtime {

class Process;
class Runtime;

/// A lone process's next slice in place (Process::extend_slice), after one of `ended` units:
/// twice as long, up to engine::kKillPollInterval (past it each slice would pay the kill poll's
/// slow path anyway), never shorter than the one that ended. So a process alone on its worker
/// stops to ask ~10 times less often; one that arrives on that worker meanwhile waits at most
/// the slice in progress (~2^20 units: ~1 ms interpreted, less compiled), unless an idle
/// worker steals it sooner. Each run of a process starts again at RuntimeConfig::slice_fuel.
constexpr uint64_t lone_slice(uint64_t ended) {
  constexpr auto longest = static_cast<uint64_t>(engine::kKillPollInterval);
  return ended >= longest / 2 ? std::max(ended, longest) : 2 * ended;
}

/// Each run queue is a mutex-protected deque: simple and correct, and at 2-8 workers its lock
/// is rarely contended (the owner pushes and pops at the front/back, thieves take from the
/// front). A lock-free Chase-Lev deque is the known next step if profiles show the lock.
///
/// Queues hold raw Process*: a queued process is alive (it dies only on a worker that took it
/// from a queue) and the Registry owns it until then.
class Scheduler {
 public:
  /// `workers` threads (at least 1), each running slices of `slice_fuel` fuel units.
  Scheduler(Runtime& runtime, unsigned workers, uint64_t slice_fuel);
  /// Stops and joins the workers (see stop()).
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// Queues a process that the caller moved to the Queued state. From a worker it goes to
  /// the back of that worker's queue, else round-robin.
  void enqueue(Process* process);
  /// enqueue() of a process woken by a message or a signal. From a worker it becomes that
  /// worker's `runnext`: the process it runs next, before its queue, so that a process that
  /// wakes another and then waits (ping-pong, a ring, request/reply) hands over on its own
  /// core, with no cross-core hand-off and no idle worker to wake. Other workers take a
  /// runnext only once it has waited kRunnextGrace; a worker takes at most kRunnextStreak
  /// runnexts in a row before its queue's front, so a ping-pong pair cannot starve the queue.
  void enqueue_woken(Process* process);
  /// Lets the workers finish their current slice and exit; queued processes stay queued.
  /// @pre no process is alive, or the caller accepts that they will not run again.
  void stop();

  unsigned workers() const { return static_cast<unsigned>(queues_.size()); }

  /// Process::extend_slice: whether the current worker's run queue is empty while the runtime
  /// is not stopping (false off the workers), so the process running there goes on with a new
  /// slice in place; and when so, counts the `slices` that ended (as Scheduler::run counts one
  /// it ran). One look-up of the worker for both: a lone process asks at every slice's end.
  static bool extend_slice_here(uint64_t slices);
  /// Whether `process` is one of the last few processes the current worker ran (false off
  /// the workers): its lines are likely still in this core's caches, so a wake-up from here
  /// need not prefetch them (Process::prefetch_resume; ping-pong, request/reply).
  static bool ran_recently(const Process* process);

  /// Counters of events that happen on workers (and, rarely, on other threads). Each worker
  /// counts in its own cache line with a plain load and store; other threads share one
  /// atomic per counter.
  enum class Counter : uint8_t { Messages, Spawns, Crashes, Kills, kCount };
  void count(Counter counter);
  /// The total of `counter` over the workers and the other threads.
  uint64_t total(Counter counter) const;
  /// Per worker: time spent running processes, and slices run.
  struct WorkerTimes {
    uint64_t busy_ns = 0;
    uint64_t slices = 0;
  };
  std::vector<WorkerTimes> worker_times() const;
  /// When the workers started.
  std::chrono::steady_clock::time_point started() const { return started_; }

 private:
  /// On a worker of this scheduler: its run queue and runnext are empty, and it is not
  /// stopping (run, extend_slice_here).
  bool alone_here() const;
  struct alignas(64) Queue {
    std::mutex mutex;
    std::deque<Process*> processes;  ///< under the mutex
    /// processes.size(), written under the mutex, read without it (a hint, as queued_)
    std::atomic<size_t> length{0};
    /// The process this worker runs next (enqueue_woken). Not under the mutex: the owner
    /// worker sets it and takes it with an exchange, another worker takes it with a
    /// compare-exchange, so a message's hand-over on one worker takes no lock (ping-pong, a
    /// ring: two lock pairs a message less). Whoever swaps it out owns the process's queue
    /// entry; set with release, taken with acquire, so the waker's writes come first.
    std::atomic<Process*> runnext{nullptr};
    unsigned runnext_streak = 0;  ///< runnexts taken in a row (the owner worker's)
    /// Which runnext is set: the number of the setting (runnext_sets), 0 for none. Lets
    /// spinning workers see without the lock that the same runnext is still waiting; the waker
    /// writes a counter, not a clock reading (the clock is read by idle thieves only). Set by
    /// the owner after `runnext`, cleared by whoever takes the runnext (a thief only if it
    /// still holds the number it saw).
    std::atomic<uint64_t> runnext_id{0};
    uint64_t runnext_sets = 0;  ///< runnexts set so far (the owner worker's)
    /// The owner worker's sightings of other workers' runnexts, by worker index: which one it
    /// saw and when it first did (ns since started_). Touched by the owner worker alone.
    struct Sighting {
      uint64_t id = 0;
      int64_t since = 0;
    };
    std::vector<Sighting> sightings;

    /// Writes `length` after a change of the queue. @pre the mutex is held
    void publish_length() { length.store(processes.size(), std::memory_order_relaxed); }
  };
  /// One worker's counters, written by it alone, read by introspection.
  struct alignas(64) WorkerStats {
    std::array<std::atomic<uint64_t>, static_cast<size_t>(Counter::kCount)> counts{};
    std::atomic<uint64_t> slices{0};
    /// The worker's idle time in one word, so that a reader never sees half an update:
    /// while busy, the nanoseconds it has been idle (>= 0); while idle since t (ns since
    /// started_), that total minus t minus 1 (< 0): the idle time at `now` is then the word
    /// plus 1 plus now.
    std::atomic<int64_t> idle_clock{0};
  };
  void work(unsigned index);
  Process* next(unsigned index);
  Process* pop_local(unsigned index);
  Process* steal(unsigned thief);
  /// A runnext of another worker that `thief` has seen waiting for kRunnextGrace, seen
  /// without locks. @pre called by worker `thief` (it updates that worker's sightings)
  bool stealable_runnext(unsigned thief) const;
  int64_t now_ns() const;
  void run(Process* process);

  Runtime& runtime_;
  uint64_t slice_fuel_;
  std::vector<std::unique_ptr<Queue>> queues_;
  std::vector<std::unique_ptr<WorkerStats>> stats_;
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Counter::kCount)> other_counts_{};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::vector<std::thread> threads_;
  std::atomic<unsigned> round_robin_{0};

  // Idle workers sleep here; enqueue notifies when someone sleeps and nobody spins.
  std::mutex idle_mutex_;
  std::condition_variable idle_;
  std::atomic<int> sleepers_{0};
  /// Workers in spin_for_work. A process queued while one spins wakes no sleeper: the spinner
  /// finds it (the futex wake-up and the sleeper's context switch saved); a spinner that
  /// finds work while more is queued wakes a sleeper for the rest (work()). Changed
  /// and read sequentially consistent, as queued_ in enqueue (see work()).
  std::atomic<int> spinners_{0};
  /// Notifies a sleeper if one sleeps and no worker spins.
  void wake_sleeper();
  /// Processes in all queues, runnexts not counted (a hint for spinning workers, exact under
  /// the queue locks).
  std::atomic<size_t> queued_{0};
  /// Waits up to kSpin from `from` for queued_ to become non-zero before sleeping; true if
  /// it did.
  bool spin_for_work(std::chrono::steady_clock::time_point from) const;
  /// With nothing to run: gives the pool's deferred batches of ended processes' pages back
  /// (MemoryPool::give_back_some) until none is left or work is queued.
  void give_back_memory();
  std::atomic<bool> stopping_{false};
};

}  // namespace lunatic::runtime
