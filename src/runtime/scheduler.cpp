// Scheduler: the worker loop (take a process, run a slice, act on how it ended), the run
// queues, stealing, and sleeping when there is no work.
#include "runtime/scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::runtime {

namespace {
// The worker the current OS thread is, if it is one: wakes from a worker queue locally.
thread_local const Scheduler* tl_scheduler = nullptr;
thread_local unsigned tl_worker = 0;
// The last processes this worker ran, newest at tl_recent_next - 1 (ran_recently). Compared,
// never dereferenced: a process may have ended since.
constexpr unsigned kRecent = 4;
thread_local std::array<const Process*, kRecent> tl_recent{};
thread_local unsigned tl_recent_next = 0;

// How long an idle worker polls for work before it sleeps. Spawns and sends come every few
// microseconds in a busy system; without the spin nearly each of them paid a futex wake-up
// and a context switch (measured: ~25% of spawn time). Bounded, so an idle runtime sleeps.
constexpr auto kSpin = std::chrono::microseconds(50);

// How long another worker leaves a worker's runnext alone: a waker that then waits (the
// usual pattern) lets its worker run the runnext within about a microsecond; one that goes
// on computing hands it to an idle worker after this. Go's scheduler makes the same bet (3 µs).
// Counted from when the idle worker first sees that runnext (it reads the clock while it
// spins anyway), so that a wake-up costs no clock read.
constexpr int64_t kRunnextGraceNs = 5'000;
// Runnexts a worker takes in a row before it serves its queue's front once.
constexpr unsigned kRunnextStreak = 32;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
}  // namespace

Scheduler::Scheduler(Runtime& runtime, unsigned workers, uint64_t slice_fuel)
    : runtime_(runtime), slice_fuel_(slice_fuel) {
  if (workers == 0) workers = 1;
  for (unsigned i = 0; i < workers; ++i) {
    queues_.push_back(std::make_unique<Queue>());
    queues_.back()->sightings.resize(workers);
  }
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
    q.publish_length();
    queued_.fetch_add(1);  // sequentially consistent: before wake_sleeper's loads (work())
  }
  wake_sleeper();
}

void Scheduler::wake_sleeper() {
  // Pairs with work(): a worker counts itself a sleeper and no longer a spinner before it
  // re-checks the queues under their locks, and a spinner that found work stops counting
  // itself before it reads queued_ once more. So either that worker sees this process, or
  // these loads see it gone from the spinners (and, going to sleep, among the sleepers).
  if (sleepers_.load() > 0 && spinners_.load() == 0) {
    std::lock_guard lock(idle_mutex_);
    idle_.notify_one();
  }
}

void Scheduler::enqueue_woken(Process* process) {
  if (tl_scheduler != this) {
    enqueue(process);
    return;
  }
  // No lock: only this worker sets its runnext (release: the waker's writes, a message in the
  // process's mailbox, come before whoever takes it sees it).
  Queue& q = *queues_[tl_worker];
  Process* displaced = q.runnext.exchange(process, std::memory_order_acq_rel);
  q.runnext_id.store(++q.runnext_sets, std::memory_order_relaxed);
  // A lone runnext wakes no sleeping worker: its waker usually waits next (ping-pong, a ring)
  // and this worker runs it at once, while a woken sleeper would cost a futex wake-up and a
  // core spinning for nothing. If the waker goes on instead, the runnext waits at most the
  // rest of its slice: the slice's end queues the waker, and that enqueue wakes a sleeper;
  // spinning workers steal it after kRunnextGrace. A second wake-up queues work: as enqueue.
  if (displaced == nullptr) return;
  {
    // The earlier runnext waits its turn at the back (its waker woke another since).
    std::lock_guard lock(q.mutex);
    q.processes.push_back(displaced);
    q.publish_length();
    queued_.fetch_add(1);  // sequentially consistent, as in enqueue
  }
  wake_sleeper();
}

int64_t Scheduler::now_ns() const {
  // Never 0: started_ is before any call.
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              started_)
             .count() +
         1;
}

namespace {
// Takes q's runnext, if it has one (null if another worker took it first).
template <class Queue> Process* take_runnext(Queue& q) {
  if (q.runnext.load(std::memory_order_relaxed) == nullptr) return nullptr;
  Process* p = q.runnext.exchange(nullptr, std::memory_order_acq_rel);
  if (p != nullptr) q.runnext_id.store(0, std::memory_order_relaxed);
  return p;
}
}  // namespace

Process* Scheduler::pop_local(unsigned index) {
  Queue& q = *queues_[index];
  // The runnext first, without the lock, unless kRunnextStreak of them ran in a row while
  // the queue held something (the length is a hint: a process queued a moment ago waits for
  // the next pop, and the streak's end takes the lock below anyway).
  if (q.runnext_streak < kRunnextStreak || q.length.load(std::memory_order_relaxed) == 0) {
    if (Process* p = take_runnext(q)) {
      ++q.runnext_streak;
      return p;
    }
  }
  q.runnext_streak = 0;
  {
    std::lock_guard lock(q.mutex);
    if (!q.processes.empty()) {
      Process* p = q.processes.front();
      q.processes.pop_front();
      q.publish_length();
      queued_.fetch_sub(1, std::memory_order_relaxed);
      return p;
    }
  }
  // The queue's front went to a thief meanwhile: the runnext (never leave it for a sleep).
  return take_runnext(q);
}

bool Scheduler::stealable_runnext(unsigned thief) const {
  const unsigned n = workers();
  std::vector<Queue::Sighting>& seen = queues_[thief]->sightings;
  int64_t now = 0;
  bool stealable = false;
  for (unsigned k = 1; k < n; ++k) {
    const unsigned victim = (thief + k) % n;
    const Queue& q = *queues_[victim];
    const uint64_t id = q.runnext_id.load(std::memory_order_relaxed);
    // The number alone may outlive its runnext for a moment (a thief's take racing the
    // owner's next setting): only a set runnext counts, so an idle worker never spins on one.
    if (id == 0 || q.runnext.load(std::memory_order_relaxed) == nullptr) continue;
    if (now == 0) now = now_ns();
    Queue::Sighting& s = seen[victim];
    if (s.id != id) {
      s = {id, now};  // a runnext not seen before: its grace starts now
    } else if (now - s.since >= kRunnextGraceNs) {
      stealable = true;
    }
  }
  return stealable;
}

Process* Scheduler::steal(unsigned thief) {
  const unsigned n = workers();
  for (unsigned k = 1; k < n; ++k) {
    Queue& q = *queues_[(thief + k) % n];
    std::lock_guard lock(q.mutex);
    if (q.processes.empty()) continue;
    Process* p = q.processes.front();
    q.processes.pop_front();
    q.publish_length();
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return p;
  }
  // Nothing queued anywhere else: a runnext its worker has left waiting too long.
  if (!stealable_runnext(thief)) return nullptr;
  const int64_t now = now_ns();
  const std::vector<Queue::Sighting>& seen = queues_[thief]->sightings;
  for (unsigned k = 1; k < n; ++k) {
    const unsigned victim = (thief + k) % n;
    Queue& q = *queues_[victim];
    // Only the runnext this worker saw waiting for the grace, not a newer one (as far as the
    // number tells: the owner sets the process before the number, so a take racing a new
    // setting may take the newer one early; it is as runnable).
    uint64_t id = q.runnext_id.load(std::memory_order_relaxed);
    if (id == 0 || id != seen[victim].id || now - seen[victim].since < kRunnextGraceNs) continue;
    Process* p = q.runnext.load(std::memory_order_relaxed);
    if (p != nullptr && q.runnext.compare_exchange_strong(p, nullptr, std::memory_order_acq_rel)) {
      q.runnext_id.compare_exchange_strong(id, 0, std::memory_order_relaxed);
      return p;
    }
  }
  return nullptr;
}

Process* Scheduler::next(unsigned index) {
  if (Process* p = pop_local(index)) return p;
  return steal(index);
}

bool Scheduler::alone_here() const {
  if (stopping_.load(std::memory_order_relaxed)) return false;
  const Queue& q = *queues_[tl_worker];
  return q.length.load(std::memory_order_relaxed) == 0 &&
         q.runnext.load(std::memory_order_relaxed) == nullptr;
}

bool Scheduler::extend_slice_here(uint64_t slices) {
  const Scheduler* self = tl_scheduler;
  if (self == nullptr || !self->alone_here()) return false;
  std::atomic<uint64_t>& ran = self->stats_[tl_worker]->slices;
  ran.store(ran.load(std::memory_order_relaxed) + slices, std::memory_order_relaxed);
  return true;
}

bool Scheduler::ran_recently(const Process* process) {
  return std::find(tl_recent.begin(), tl_recent.end(), process) != tl_recent.end();
}

void Scheduler::work(unsigned index) {
  tl_scheduler = this;
  tl_worker = index;
  std::atomic<int64_t>& idle_clock = stats_[index]->idle_clock;
  int64_t idle_ns = 0;  // this worker's idle time so far (idle_clock while it is busy)
  // Idle time is measured, busy time derived: the clock is read only as the worker runs out
  // of work and as it finds some again, never per slice.
  while (!stopping_.load(std::memory_order_relaxed)) {
    if (Process* p = next(index)) {
      run(p);
      continue;
    }
    const auto idle_from = std::chrono::steady_clock::now();
    const int64_t from_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(idle_from - started_).count();
    idle_clock.store(idle_ns - from_ns - 1, std::memory_order_release);
    Process* p = nullptr;
    spinners_.fetch_add(1);
    if (spin_for_work(idle_from)) {
      spinners_.fetch_sub(1);
      // Work found. What was queued while this worker spun woke nobody: if there is more
      // than this worker takes, a sleeper takes the rest (unless another worker spins).
      if (queued_.load() > 1) wake_sleeper();
    } else if (runtime_.memory_pool().has_deferred()) {
      // Idle: give the memory of processes that ended back now, then look for work again.
      spinners_.fetch_sub(1);
      give_back_memory();
    } else {
      std::unique_lock lock(idle_mutex_);
      sleepers_.fetch_add(1);
      // After counting itself a sleeper: wake_sleeper sees one or the other.
      spinners_.fetch_sub(1);
      p = stopping_.load() ? nullptr : next(index);
      if (p == nullptr && !stopping_.load()) idle_.wait(lock);
      sleepers_.fetch_sub(1);
    }
    idle_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now() - idle_from)
                   .count();
    idle_clock.store(idle_ns, std::memory_order_release);
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
  std::vector<WorkerTimes> times;
  for (const auto& stats : stats_) {
    const int64_t word = stats->idle_clock.load(std::memory_order_acquire);
    // The clock after the word: an idle period it reports began before `now`.
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now() - started_)
                            .count();
    const int64_t idle = word >= 0 ? word : word + 1 + now;
    const int64_t busy = std::max<int64_t>(0, now - std::max<int64_t>(0, idle));
    times.push_back(
        WorkerTimes{static_cast<uint64_t>(busy), stats->slices.load(std::memory_order_relaxed)});
  }
  return times;
}

void Scheduler::give_back_memory() {
  // Not counted as spinning: work queued meanwhile wakes a sleeping worker, and this one
  // stops after its current system call (one batch of 64 slots, ~0.1 ms).
  while (queued_.load(std::memory_order_relaxed) == 0 &&
         !stopping_.load(std::memory_order_relaxed) && runtime_.memory_pool().give_back_some()) {
  }
}

bool Scheduler::spin_for_work(std::chrono::steady_clock::time_point from) const {
  const auto deadline = from + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (queued_.load(std::memory_order_relaxed) != 0) return true;
      if (stopping_.load(std::memory_order_relaxed)) return false;
      cpu_relax();
    }
    if (stealable_runnext(tl_worker)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // On a machine with more runnable threads than cores, let the thread that will queue
    // the work (often on this core) run.
    std::this_thread::yield();
  }
}

void Scheduler::run(Process* process) {
  std::atomic<uint64_t>& slices = stats_[tl_worker]->slices;
  tl_recent[tl_recent_next++ % kRecent] = process;
  for (;;) {
    process->state_.store(Process::kRunning, std::memory_order_release);
    const Process::SliceEnd end = process->run_slice(slice_fuel_);
    process->record_slice();
    slices.store(slices.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    switch (end) {
      case Process::SliceEnd::Yielded: {
        // Alone on this worker: keep running it without a trip through the queue.
        if (alone_here()) continue;
        process->state_.store(Process::kQueued, std::memory_order_release);
        enqueue(process);
        return;
      }
      case Process::SliceEnd::Parked:
        process->note_resume_lines();  // before the state change publishes the park
        if (process->park_or_requeue()) enqueue(process);
        return;
      case Process::SliceEnd::Exited: runtime_.finish(*process); return;
    }
  }
}

}  // namespace lunatic::runtime
