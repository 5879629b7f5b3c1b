// Runtime: start-up and shutdown, waiting for the root, sending and killing by id, and the end
// of a process (unregister it and its names, release, notify links and monitors).
#include "runtime/runtime.hpp"

#include <thread>

#include "runtime/process.hpp"
#include "runtime/scheduler.hpp"

namespace lunatic::runtime {

Runtime::Runtime(RuntimeConfig config)
    : config_(std::move(config)),
      linker_(config_.linker ? config_.linker : std::make_shared<const binding::Linker>()),
      start_time_ms_(unix_time_ms()) {
  unsigned workers = config_.workers;
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  if (config_.slice_fuel == 0) config_.slice_fuel = 1;
  pool_.set_max_deferred_bytes(config_.pool_deferred_bytes);
  scheduler_ = std::make_unique<Scheduler>(*this, workers, config_.slice_fuel);
}

Runtime::~Runtime() {
  kill_all();
  scheduler_->stop();
}

unsigned Runtime::workers() const { return scheduler_->workers(); }

Result<ProcessId> Runtime::spawn_root(std::shared_ptr<const engine::CompiledModule> module,
                                      std::shared_ptr<const Environment> environment,
                                      std::string entry, std::vector<engine::Value> args) {
  SpawnOptions options;
  options.module = std::move(module);
  options.environment = std::move(environment);
  options.entry = std::move(entry);
  options.args = std::move(args);
  return spawn_impl(std::move(options), true);
}

Result<ProcessId> Runtime::spawn_root(SpawnOptions options) {
  return spawn_impl(std::move(options), true);
}

Result<ProcessId> Runtime::spawn(SpawnOptions options) {
  return spawn_impl(std::move(options), false);
}

ExitStatus Runtime::wait() {
  std::unique_lock lock(done_mutex_);
  if (root_ == 0) {
    return ExitStatus{ExitStatus::Kind::Failed, engine::Trap::host("no root process"), {}};
  }
  done_.wait(lock, [&] { return root_status_.has_value(); });
  return *root_status_;
}

std::optional<ExitStatus> Runtime::join(ProcessId id) {
  std::unique_lock lock(done_mutex_);
  auto joinable = joinable_.end();
  // Found again after each wake-up: another join of the same id may have taken it.
  done_.wait(lock, [&] {
    joinable = joinable_.find(id);
    return joinable == joinable_.end() || joinable->second.has_value();
  });
  if (joinable == joinable_.end()) return std::nullopt;
  std::optional<ExitStatus> status = std::move(joinable->second);
  joinable_.erase(joinable);
  return status;
}

void Runtime::wait_all() {
  std::unique_lock lock(done_mutex_);
  done_.wait(lock, [&] { return live_.load(std::memory_order_acquire) == 0; });
}

bool Runtime::wait_for_ends_in_flight(std::chrono::steady_clock::time_point deadline) const {
  // A poll, not a condition variable: an end would otherwise take a lock to wake a waiter
  // that is almost never there, and the window it waits for is a crash report's logging.
  while (ends_in_flight_.load(std::memory_order_acquire) != 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return true;
}

void Runtime::kill_all() {
  // Processes may spawn while being killed: repeat until none is left.
  while (live_.load(std::memory_order_acquire) != 0) {
    registry_.for_each([](const std::shared_ptr<Process>& p) {
      p->kill(engine::Trap::killed("runtime shutdown"));
    });
    std::unique_lock lock(done_mutex_);
    done_.wait_for(lock, std::chrono::milliseconds(10),
                   [&] { return live_.load(std::memory_order_acquire) == 0; });
  }
}

bool Runtime::send(ProcessId to, std::unique_ptr<Message> message, Process* from) {
  if (is_remote(to)) {
    std::shared_ptr<Router> router = router_.load(std::memory_order_acquire);
    return router && router->send_remote(to, std::move(message));
  }
  std::shared_ptr<Process> p = from != nullptr ? from->find_target(to) : registry_.find(to);
  if (!p) return false;
  p->deliver(std::move(message));
  return true;
}

bool Runtime::send_copying(ProcessId to, std::unique_ptr<Message> message,
                           std::span<const uint8_t> bytes, Process* from) {
  if (is_remote(to)) {
    message->data.assign(bytes.begin(), bytes.end());
    return send(to, std::move(message));
  }
  std::shared_ptr<Process> p = from != nullptr ? from->find_target(to) : registry_.find(to);
  if (!p) return false;
  if (from != nullptr) {
    // Where the bytes went in the target's memory, for from's next resume to prefetch.
    p->deliver_copying(std::move(message), bytes, &from->target_buffer_hint_);
  } else {
    p->deliver_copying(std::move(message), bytes);
  }
  return true;
}

void Runtime::set_router(std::shared_ptr<Router> router) {
  router_.store(std::move(router), std::memory_order_release);
}

std::shared_ptr<Router> Runtime::router() const { return router_.load(std::memory_order_acquire); }

bool Runtime::kill(ProcessId id, engine::Trap reason) {
  std::shared_ptr<Process> p = registry_.find(id);
  if (!p) return false;
  p->kill(std::move(reason));
  return true;
}

void Runtime::finish(Process& process) {
  ExitStatus status = process.take_exit_status();
  const ProcessId id = process.id();
  process.state_.store(Process::kDead, std::memory_order_release);
  // Closed first: a link made from now on sees the process dead (noproc) instead of being
  // silently lost.
  Notifications notifications = process.links_.close();
  // A crash report names the process: its names are read before they go.
  std::vector<std::string> names;
  if (status.failed()) names = process.names_.list(id);
  // Erlang semantics: a name dies with its process (and none can be added from now on).
  process.names_.close(id);
  std::shared_ptr<Process> keep = registry_.remove(id);
  // Messages for it that wait on the timer (send_after) are dropped now, not at their deadline.
  timer_.cancel_targeting(id);

  // Release everything it holds now, not when the last reference goes.
  process.mailbox_.close();
  process.pending_call().clear();
  process.outgoing.reset();
  process.incoming.reset();
  process.spare_message_.reset();
  process.resources_.clear();
  process.locals_.clear();

  // Its links and monitors hear of it once what it held is given back (a watcher that
  // reacts finds its budget freed), but before the crash report is logged: a watcher that
  // monitors it in between gets "noproc" ahead of the link's notice, so that window stays
  // short. Counted as in flight until it is reported: a watcher (the root) that ends on the
  // notice may end the program before, and the CLI waits for the report (ends_in_flight).
  ends_in_flight_.fetch_add(1, std::memory_order_relaxed);
  // Why it died, in words, made once for its death notices and its crash report.
  const std::string reason = status.to_string();
  notify_death(*this, id, notifications, status, reason);
  if (status.failed()) {
    record_crash(process, status, reason, std::move(names), std::move(notifications.links));
  }
  process.environment_->leave();
  if (config_.on_exit) config_.on_exit(id, status);
  // Before the root's status is set below: wait() never returns with the root's own end in
  // flight.
  ends_in_flight_.fetch_sub(1, std::memory_order_release);

  const bool awaited = process.awaited_;  // read first: `process` may be gone after the reset
  keep.reset();  // the process (store, memories, Wasm stack) is freed here unless looked up
  // Only an end someone may wait for takes done_mutex_ and wakes the waiters: the root's or a
  // joinable's (wait, join), or the last (wait_all, kill_all). Before, every end did, and the
  // thread in wait() woke up for each (a futex wake-up and a trip through the scheduler per
  // process: ~15% of spawn_join's time).
  if (awaited) {
    std::lock_guard lock(done_mutex_);
    if (!joinable_.empty()) {
      if (auto joinable = joinable_.find(id); joinable != joinable_.end()) {
        joinable->second = status;
      }
    }
    if (id == root_) root_status_ = std::move(status);
    live_.fetch_sub(1, std::memory_order_acq_rel);
  } else if (live_.fetch_sub(1, std::memory_order_acq_rel) != 1) {
    return;
  } else {
    // The last: its count changed outside the lock, so the lock is taken once before the
    // notification (a wait_all that checked the count before the change is waiting by now).
    std::lock_guard lock(done_mutex_);
  }
  done_.notify_all();
}

Result<std::shared_ptr<const engine::CompiledModule>> Runtime::compile(
    std::span<const uint8_t> bytes) {
  if (config_.compile) return config_.compile(bytes);
  return engine::compile(bytes);
}

}  // namespace lunatic::runtime
