// Process: construction, the scheduling state transitions (wake, park, kill) and running one
// slice of its Wasm stack.
#include "runtime/process.hpp"

#include <algorithm>
#include <string>

#include "binding/pending_call.hpp"
#include "runtime/runtime.hpp"
#include "runtime/scheduler.hpp"

namespace lunatic::runtime {

// Every idle process holds one: with the 16 bytes of its shared_ptr count (make_shared) it
// fits mimalloc's 1,280-byte size class (the next is 1,536). Move what few processes use
// out of line before growing it (docs/benchmarks.md, "What an idle process holds, fourth pass").
static_assert(sizeof(Process) + 16 <= 1280, "Process left its allocator size class");

Process::Process(Key, Runtime& runtime, ProcessId id,
                 std::shared_ptr<const Environment> environment)
    : runtime_(runtime),
      id_(id),
      environment_(std::move(environment)),
      store_(
          runtime.memory_pool(),
          engine::StoreLimits{environment_->config().max_memory_pages, engine::Table::kMaxElements,
                              &environment_->budget(), environment_->config().charge_linear_memory,
                              Environment::kUnchargedInstanceBytes}),
      thread_(store_) {
  thread_.set_slice_extension(&Process::extend_slice, this);
  links_.charge_to(environment_.get());
  resources_.set_limit(
      environment_->config().max_resources,
      [](void* self, uint64_t limit) {
        static_cast<Process*>(self)->kill(
            engine::Trap::killed("too many resources: more than " + std::to_string(limit) +
                                 " held at once (the environment's max_resources)"));
      },
      this);
}

Process::~Process() {
  // Host state may refer to the store (views, pending state): drop it first.
  pending_call().clear();
  locals_.clear();
}

void Process::deliver(std::unique_ptr<Message> message) {
  runtime_.scheduler_->count(Scheduler::Counter::Messages);
  if (mailbox_.push(std::move(message))) wake();
}

void Process::deliver_copying(std::unique_ptr<Message> message, std::span<const uint8_t> bytes,
                              const void** copied_to) {
  runtime_.scheduler_->count(Scheduler::Counter::Messages);
  if (mailbox_.push_copying(std::move(message), bytes, copied_to)) wake();
}

std::shared_ptr<Process> Process::find_target(ProcessId id) {
  if (id == target_id_) {
    // Dead (state set before it leaves the registry): ask the registry, as a miss would.
    if (std::shared_ptr<Process> p = target_.lock(); p && p->alive()) return p;
  }
  std::shared_ptr<Process> p = runtime_.find(id);
  target_id_ = p ? id : 0;
  target_ = p;  // a dead target's memory is not kept by the cache either
  target_hint_ = p.get();
  target_buffer_hint_ = nullptr;
  return p;
}

std::unique_ptr<Message> Process::new_message(uint64_t bytes) {
  std::unique_ptr<Message> m = std::move(spare_message_);
  if (!m) {
    m = std::make_unique<Message>();
    m->charge = new_charge();
  }
  const uint64_t need = bytes > UINT64_MAX - kMessageBytes ? UINT64_MAX : kMessageBytes + bytes;
  if (m->charge.bytes() < need && !m->charge.resize(need)) {
    if (m->charge.bytes() != 0) spare_message_ = std::move(m);  // still a good spare
    return nullptr;
  }
  m->kind = MessageKind::Data;
  m->tag = 0;
  m->process = id_;
  m->exit_kind = ExitStatus::Kind::Normal;
  m->sequence = 0;
  m->delivered = 0;
  m->read_position = 0;
  return m;
}

void Process::recycle(std::unique_ptr<Message> message) {
  if (!message || spare_message_ || message->charge.budget().get() != &environment_->budget()) {
    return;  // freed here, its charge given back
  }
  // Nothing of the previous message may reach the next one's receiver: its bytes and
  // resources go now (untaken resources are freed, as with the message).
  // (Most nodes hold neither: a message copied straight into its receiver's buffer.)
  if (message->data.capacity() != 0) std::vector<uint8_t>().swap(message->data);
  if (message->resources.capacity() != 0) {
    std::vector<std::unique_ptr<Resource>>().swap(message->resources);
  }
  MemoryCharge& charge = message->charge;
  if (charge.bytes() > kMessageBytes + kMessageSlack) charge.resize(kMessageBytes + kMessageSlack);
  spare_message_ = std::move(message);
}

void Process::wake() {
  uint32_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    uint32_t next = 0;
    if (s == kParked) {
      next = kQueued;
    } else if (s == kRunning) {
      next = kRunning | kNotified;
    } else {
      return;  // already queued or notified, or dead
    }
    if (state_.compare_exchange_weak(s, next, std::memory_order_acq_rel)) {
      // Parked -> Queued: this caller alone queues it (the state machine admits one queue
      // entry per process).
      if (next == kQueued) {
        if (!Scheduler::ran_recently(this)) prefetch_resume();
        runtime_.scheduler_->enqueue_woken(this);
      }
      return;
    }
  }
}

void Process::kill(engine::Trap reason) {
  if (!links_.set_kill_reason(std::move(reason))) return;  // already being killed
  kill_requested_.store(true, std::memory_order_release);
  thread_.request_kill();
  wake();
}

engine::Trap Process::over_budget(std::string_view what) const {
  const MemoryBudget& budget = environment_->budget();
  return (engine::Trap::killed(
      "out of memory: " + std::string(what) + " would pass the environment's max_memory_total (" +
      std::to_string(budget.limit()) + " bytes, " + std::to_string(budget.used()) + " in use)"));
}

bool Process::alive() const { return (state_.load(std::memory_order_acquire) & kDead) == 0; }

WakeTimer Process::wake_at(Clock::time_point deadline) {
  Timer& timer = runtime_.timer();
  // A weak reference: the timer does not keep a dead process alive.
  std::weak_ptr<Process> self = weak_from_this();
  wait_.store(Wait::Sleep, std::memory_order_relaxed);
  const TimerId id = timer.schedule(deadline, [self = std::move(self)] {
    if (std::shared_ptr<Process> p = self.lock()) p->wake();
  });
  return WakeTimer(timer, id);
}

IoWait Process::wake_on(const std::shared_ptr<IoSource>& source, IoInterest interest,
                        uint64_t seen) {
  wait_.store(Wait::Io, std::memory_order_relaxed);
  std::weak_ptr<Process> self = weak_from_this();
  return runtime_.io_reactor().wait(source, interest, seen, [self = std::move(self)] {
    if (std::shared_ptr<Process> p = self.lock()) p->wake();
  });
}

namespace {

constexpr uintptr_t kLine = 64;

/// The lines of `bytes` from `at` as one word: the first line's address, the count less one in
/// its low bits (at most kLine lines).
uintptr_t line_range(uintptr_t at, uintptr_t bytes) {
  const uintptr_t first = at & ~(kLine - 1);
  const uintptr_t lines = std::min<uintptr_t>((at + bytes - first + kLine - 1) / kLine, kLine);
  return first | (lines - 1);
}

/// Prefetches `lines` lines from `first` for writing (a resume writes most of what it reads).
void prefetch_lines(uintptr_t first, uintptr_t lines) {
  for (uintptr_t i = 0; i < lines; ++i) {
    // An integer made into an address only for the prefetch, which never faults: the range
    // may be stale or freed.
    __builtin_prefetch(reinterpret_cast<const void*>(first + i * kLine), 1, 3);
  }
}

/// Where the reference count std::make_shared puts before a process's object starts.
constexpr uintptr_t kControlBytes = 16;

}  // namespace

uintptr_t Process::hot_bytes() const {
  return reinterpret_cast<uintptr_t>(&fuel_left_ + 1) - reinterpret_cast<uintptr_t>(this);
}

void Process::note_resume_lines() {
  // What moves at every hop first: the received message (the nodes travel with the
  // messages), and the process it sent to last, which it likely sends to next (a ring, a
  // reply): its reference count, state, mailbox and resume lines, as a send and a wake-up
  // touch them, and where the bytes went in its memory. Two hops ahead of the waker, so a
  // ring's sends find them in the cache.
  uintptr_t target = 0;
  uintptr_t buffer = 0;
  if (target_hint_ != nullptr) {
    const uintptr_t end = reinterpret_cast<uintptr_t>(&resume_lines_ + 1) -
                          reinterpret_cast<uintptr_t>(this) + kControlBytes;
    target = line_range(reinterpret_cast<uintptr_t>(target_hint_) - kControlBytes, end);
    if (target_buffer_hint_ != nullptr) {
      buffer = line_range(reinterpret_cast<uintptr_t>(target_buffer_hint_), 8);
    }
  }
  resume_lines_[0].store(
      incoming ? line_range(reinterpret_cast<uintptr_t>(incoming.get()), sizeof(Message)) : 0,
      std::memory_order_relaxed);
  resume_lines_[1].store(target, std::memory_order_relaxed);
  resume_lines_[2].store(buffer, std::memory_order_relaxed);
  // The thread's and its code tier's objects move rarely (a park at another depth moves the
  // saved context): noted at the first park and every 32nd slice after, so that a ping-pong,
  // which prefetches nothing (Scheduler::ran_recently), pays little for the notes.
  constexpr size_t kEvery = 32;
  constexpr size_t kFirst = 3;
  if (resume_lines_[kFirst].load(std::memory_order_relaxed) != 0 &&
      slices_.load(std::memory_order_relaxed) % kEvery != 0) {
    return;
  }
  engine::HotRange ranges[kResumeLines - kFirst];  // NOLINT: only the first n are read
  size_t n = 0;
  ranges[n++] = {&thread_, sizeof thread_};
  n += thread_.resume_lines(std::span(ranges).subspan(n));
  for (size_t i = 0; i < kResumeLines - kFirst; ++i) {
    const uintptr_t word =
        i < n ? line_range(reinterpret_cast<uintptr_t>(ranges[i].at), ranges[i].bytes) : 0;
    resume_lines_[kFirst + i].store(word, std::memory_order_relaxed);
  }
}

void Process::prefetch_resume() const {
  const uintptr_t self =
      line_range(reinterpret_cast<uintptr_t>(this) - kControlBytes, hot_bytes() + kControlBytes);
  prefetch_lines(self & ~(kLine - 1), (self & (kLine - 1)) + 1);
  for (const std::atomic<uintptr_t>& line : resume_lines_) {
    const uintptr_t word = line.load(std::memory_order_relaxed);
    if (word == 0) continue;
    prefetch_lines(word & ~(kLine - 1), (word & (kLine - 1)) + 1);
  }
}

bool Process::park_or_requeue() {
  uint32_t expected = kRunning;
  if (state_.compare_exchange_strong(expected, kParked, std::memory_order_acq_rel)) return false;
  // Woken between the host call's Park and now: run it again.
  state_.store(kQueued, std::memory_order_release);
  return true;
}

Process::SliceEnd Process::run_slice(uint64_t fuel) {
  using engine::RunStatus;
  using engine::TrapKind;
  if (kill_requested_.load(std::memory_order_acquire)) {
    exit_ = std::make_unique<ExitStatus>(
        ExitStatus{ExitStatus::Kind::Killed, links_.take_kill_reason(), {}});
    return SliceEnd::Exited;
  }
  wait_.store(Wait::None, std::memory_order_relaxed);
  for (;;) {
    switch (thread_.run(fuel)) {
      case RunStatus::Yielded: return SliceEnd::Yielded;
      case RunStatus::Parked: return SliceEnd::Parked;
      case RunStatus::Done:
        if (pending_entry_ != nullptr) {
          const std::unique_ptr<PendingEntry> entry = std::move(pending_entry_);
          if (auto begun = thread_.begin_call(entry->function, entry->args); !begun.ok()) {
            exit_ = std::make_unique<ExitStatus>(ExitStatus{
                ExitStatus::Kind::Failed, engine::Trap::host(begun.error().message), {}});
            return SliceEnd::Exited;
          }
          continue;
        }
        exit_ = std::make_unique<ExitStatus>(
            ExitStatus{ExitStatus::Kind::Normal, std::nullopt, thread_.results()});
        return SliceEnd::Exited;
      case RunStatus::Trapped: {
        const engine::Trap& trap = thread_.trap();
        if (trap.kind == TrapKind::Exit && trap.exit_code == 0) {
          exit_ = std::make_unique<ExitStatus>(ExitStatus{ExitStatus::Kind::Normal, trap, {}});
        } else if (trap.kind == TrapKind::Killed) {
          std::optional<engine::Trap> reason = links_.take_kill_reason();
          exit_ = std::make_unique<ExitStatus>(
              ExitStatus{ExitStatus::Kind::Killed, reason ? *reason : trap, {}});
        } else {
          exit_ = std::make_unique<ExitStatus>(ExitStatus{ExitStatus::Kind::Failed, trap, {}});
        }
        return SliceEnd::Exited;
      }
    }
  }
}

// Flattened: record_slice() inline here (it is also Scheduler::run's). A lone process asks at
// every slice's end, so its in-place slices double (lone_slice): a loop header charges its
// whole body, so SQLite's and Lua's interpreter loops used up 100,000 units every few opcodes,
// and the slow paths of the kill poll and of the slice's end were ~5% of their instructions.
[[gnu::flatten]] uint64_t Process::extend_slice(void* self, uint64_t ended) {
  auto& p = *static_cast<Process*>(self);
  const uint64_t base = std::max<uint64_t>(p.thread_.slice(), 1);
  const uint64_t slices = std::max<uint64_t>(ended / base, 1);
  // The slice ends here without leaving the worker: counted as Scheduler::run would.
  if (!Scheduler::extend_slice_here(slices)) return 0;
  p.record_slice(slices);
  return lone_slice(ended);
}

void Process::record_slice(uint64_t slices) {
  // One writer at a time (the worker running the process; the queue hand-off orders them):
  // a load and a store, not an atomic increment.
  slices_.store(slices_.load(std::memory_order_relaxed) + slices, std::memory_order_relaxed);
  uint64_t bytes = 0;
  for (const engine::Memory* memory : memories_) bytes += memory->size_bytes();
  memory_bytes_.store(bytes, std::memory_order_relaxed);
  if (std::optional<uint64_t> fuel = thread_.fuel()) {
    fuel_left_.store(*fuel, std::memory_order_relaxed);
  }
}

ExitStatus Process::take_exit_status() {
  ExitStatus s = exit_ != nullptr ? std::move(*exit_) : ExitStatus{};
  exit_.reset();
  return s;
}

}  // namespace lunatic::runtime
