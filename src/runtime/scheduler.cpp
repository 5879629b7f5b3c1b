// Scheduler: the worker loop (take a process, run a slice, act on how it ended), the run
// queues, stealing, and sleeping when there is no work.
#include "runtime/scheduler.hpp"

#include <chrono>
#include <thread>

#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::runtime {

namespace {
// The worker the current OS thread is, if it is one: wakes from a worker queue locally.
thread_local const Scheduler* tl_scheduler = nullptr;
thread_local unsigned tl_worker = 0;

// How long an idle worker polls for work before it sleeps. Spawns and sends come every few
// microseconds in a busy system; without the spin nearly each of them paid a futex wake-up
// and a context switch (measured: ~25% of spawn time). Bounded, so an idle runtime sleeps.
constexpr auto kSpin = std::chrono::microseconds(50);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
}  // namespace

Scheduler::Scheduler(Runtime& runtime, unsigned workers, uint64_t slice_fuel)
    : runtime_(runtime), slice_fuel_(slice_fuel) {
  if (workers == 0) workers = 1;
  for (unsigned i = 0; i < workers; ++i) queues_.push_back(std::make_unique<Queue>());
  for (unsigned i = 0; i < workers; ++i) stats_.push_back(std::make_unique<WorkerStats>());
  threads_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this, i] { work(i); });
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::stop() {
  {
    std::lock_guard lock(idle_mutex_);
    stopping_.store(true);
  }
  idle_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void Scheduler::enqueue(Process* process) {
  const unsigned index = tl_scheduler == this
                             ? tl_worker
                             : round_robin_.fetch_add(1, std::memory_order_relaxed) % workers();
  {
    Queue& q = *queues_[index];
    std::lock_guard lock(q.mutex);
    q.processes.push_back(process);
    q.length.store(q.processes.size(), std::memory_order_relaxed);
    queued_.fetch_add(1, std::memory_order_relaxed);
  }
  // Pairs with the sleeper's increment-then-recheck in work(): either the sleeper sees this
  // process when it re-checks the queues, or this load sees the sleeper and notifies it.
  if (sleepers_.load() > 0) {
    std::lock_guard lock(idle_mutex_);
    idle_.notify_one();
  }
}

Process* Scheduler::pop_local(unsigned index) {
  Queue& q = *queues_[index];
  std::lock_guard lock(q.mutex);
  if (q.processes.empty()) return nullptr;
  Process* p = q.processes.front();
  q.processes.pop_front();
  q.length.store(q.processes.size(), std::memory_order_relaxed);
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return p;
}

Process* Scheduler::steal(unsigned thief) {
  const unsigned n = workers();
  for (unsigned k = 1; k < n; ++k) {
    Queue& q = *queues_[(thief + k) % n];
    std::lock_guard lock(q.mutex);
    if (q.processes.empty()) continue;
    Process* p = q.processes.front();
    q.processes.pop_front();
    q.length.store(q.processes.size(), std::memory_order_relaxed);
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return p;
  }
  return nullptr;
}

Process* Scheduler::next(unsigned index) {
  if (Process* p = pop_local(index)) return p;
  return steal(index);
}

bool Scheduler::nothing_else_queued(void* /*context*/) {
  const Scheduler* self = tl_scheduler;
  return self != nullptr && !self->stopping_.load(std::memory_order_relaxed) &&
         self->queues_[tl_worker]->length.load(std::memory_order_relaxed) == 0;
}

void Scheduler::count_extended_slice() {
  if (const Scheduler* self = tl_scheduler) {
    std::atomic<uint64_t>& slices = self->stats_[tl_worker]->slices;
    slices.store(slices.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
}

void Scheduler::work(unsigned index) {
  tl_scheduler = this;
  tl_worker = index;
  WorkerStats& stats = *stats_[index];
  // Idle time is measured, busy time derived: the clock is read only when the worker runs
  // out of work (spin_for_work reads it anyway), never per slice.
  auto since_start = [this] {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - started_)
                                     .count());
  };
  while (!stopping_.load(std::memory_order_relaxed)) {
    if (Process* p = next(index)) {
      run(p);
      continue;
    }
    const uint64_t idle_from = since_start();
    stats.idle_since.store(idle_from + 1);
    Process* p = nullptr;
    if (!spin_for_work()) {
      std::unique_lock lock(idle_mutex_);
      sleepers_.fetch_add(1);
      p = stopping_.load() ? nullptr : next(index);
      if (p == nullptr && !stopping_.load()) idle_.wait(lock);
      sleepers_.fetch_sub(1);
    }
    const uint64_t idle = since_start() - idle_from;
    // A sequence lock, so worker_times() never sees the period both ended and in progress.
    // Sequentially consistent (no fences: TSan does not model them); on the idle path only.
    const uint64_t version = stats.version.load(std::memory_order_relaxed);
    stats.version.store(version + 1);
    stats.idle_ns.store(stats.idle_ns.load(std::memory_order_relaxed) + idle);
    stats.idle_since.store(0);
    stats.version.store(version + 2);
    if (p != nullptr) run(p);
  }
  tl_scheduler = nullptr;
}

void Scheduler::count(Counter counter) {
  const auto at = static_cast<size_t>(counter);
  if (tl_scheduler == this) {
    std::atomic<uint64_t>& n = stats_[tl_worker]->counts[at];
    n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  } else {
    other_counts_[at].fetch_add(1, std::memory_order_relaxed);
  }
}

uint64_t Scheduler::total(Counter counter) const {
  const auto at = static_cast<size_t>(counter);
  uint64_t n = other_counts_[at].load(std::memory_order_relaxed);
  for (const auto& stats : stats_) n += stats->counts[at].load(std::memory_order_relaxed);
  return n;
}

std::vector<Scheduler::WorkerTimes> Scheduler::worker_times() const {
  const uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                 std::chrono::steady_clock::now() - started_)
                                                 .count());
  std::vector<WorkerTimes> times;
  for (const auto& stats : stats_) {
    uint64_t idle = 0;
    // A consistent pair (idle_ns, idle_since), read under the worker's sequence lock. Bounded
    // retries: an idle period ends in a few instructions.
    for (int attempt = 0; attempt < 64; ++attempt) {
      const uint64_t before = stats->version.load();
      const uint64_t since = stats->idle_since.load();
      idle = stats->idle_ns.load();
      const uint64_t after = stats->version.load();
      if (since != 0 && since - 1 <= now) idle += now - (since - 1);
      if (before == after && before % 2 == 0) break;
    }
    times.push_back(
        WorkerTimes{now > idle ? now - idle : 0, stats->slices.load(std::memory_order_relaxed)});
  }
  return times;
}

bool Scheduler::spin_for_work() const {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (queued_.load(std::memory_order_relaxed) != 0) return true;
      if (stopping_.load(std::memory_order_relaxed)) return false;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // On a machine with more runnable threads than cores, let the thread that will queue
    // the work (often on this core) run.
    std::this_thread::yield();
  }
}

void Scheduler::run(Process* process) {
  std::atomic<uint64_t>& slices = stats_[tl_worker]->slices;
  for (;;) {
    process->state_.store(Process::kRunning, std::memory_order_release);
    const Process::SliceEnd end = process->run_slice(slice_fuel_);
    process->record_slice();
    slices.store(slices.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    switch (end) {
      case Process::SliceEnd::Yielded: {
        // Alone on this worker: keep running it without a trip through the queue.
        if (nothing_else_queued(nullptr)) continue;
        process->state_.store(Process::kQueued, std::memory_order_release);
        enqueue(process);
        return;
      }
      case Process::SliceEnd::Parked:
        if (process->park_or_requeue()) enqueue(process);
        return;
      case Process::SliceEnd::Exited: runtime_.finish(*process); return;
    }
  }
}

}  // namespace lunatic::runtime
