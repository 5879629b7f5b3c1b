// Introspection: reading a process, the environments and the node's totals from any thread
// while processes run, and keeping the crash reports of processes that ended abnormally.
#include "runtime/introspection.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "runtime/process.hpp"
#include "runtime/runtime.hpp"
#include "runtime/scheduler.hpp"

namespace lunatic::runtime {

int64_t unix_time_ms() {
  // Read at every spawn: the coarse clock (a few ns, to the kernel's tick) is precise enough
  // for milliseconds and costs a fraction of system_clock::now().
  timespec now{};
  clock_gettime(CLOCK_REALTIME_COARSE, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

std::string_view process_state_name(ProcessState state) {
  switch (state) {
    case ProcessState::Running: return "running";
    case ProcessState::Runnable: return "runnable";
    case ProcessState::Receiving: return "receiving";
    case ProcessState::Sleeping: return "sleeping";
    case ProcessState::WaitingIo: return "waiting_io";
    case ProcessState::Parked: return "parked";
    case ProcessState::Exited: return "exited";
  }
  return "unknown";
}

ProcessInfo Process::info() const {
  ProcessInfo info;
  info.id = id_;
  const uint32_t state = state_.load(std::memory_order_acquire);
  const Mailbox::Stats mailbox = mailbox_.stats();
  if ((state & kDead) != 0) {
    info.state = ProcessState::Exited;
  } else if ((state & kRunning) != 0) {
    info.state = ProcessState::Running;
  } else if (state == kQueued) {
    info.state = ProcessState::Runnable;
  } else if (mailbox.waiting) {
    info.state = ProcessState::Receiving;
  } else {
    switch (wait_.load(std::memory_order_relaxed)) {
      case Wait::Sleep: info.state = ProcessState::Sleeping; break;
      case Wait::Io: info.state = ProcessState::WaitingIo; break;
      case Wait::None: info.state = ProcessState::Parked; break;
    }
  }
  info.mailbox_messages = mailbox.messages;
  info.mailbox_bytes = mailbox.bytes;
  info.names = names_.list(id_);
  info.memory_bytes = memory_bytes_.load(std::memory_order_relaxed);
  if (const std::optional<uint64_t>& limit = environment_->config().max_fuel) {
    const uint64_t left = std::min(*limit, fuel_left_.load(std::memory_order_relaxed));
    info.fuel_left = left;
    info.fuel_used = *limit - left;
  }
  info.slices = slices_.load(std::memory_order_relaxed);
  info.environment = environment_->id();
  info.links = links_.links();
  std::sort(info.links.begin(), info.links.end(),
            [](const LinkEntry& a, const LinkEntry& b) { return a.process < b.process; });
  info.monitored_by = links_.monitor_count();
  info.monitoring = links_.watching_count();
  info.die_when_link_dies = die_when_link_dies();
  info.module = module_name_;
  info.entry = entry_name_;
  info.start_time_ms = start_time_ms_;
  return info;
}

std::vector<ProcessInfo> Runtime::processes(size_t limit) const {
  std::vector<std::shared_ptr<Process>> live;
  live.reserve(live_processes());
  registry_.for_each([&](const std::shared_ptr<Process>& p) { live.push_back(p); });
  auto by_id = [](const std::shared_ptr<Process>& a, const std::shared_ptr<Process>& b) {
    return a->id() < b->id();
  };
  const size_t shown = std::min(limit, live.size());
  std::partial_sort(live.begin(), live.begin() + static_cast<ptrdiff_t>(shown), live.end(), by_id);
  std::vector<ProcessInfo> all;
  all.reserve(shown);
  for (size_t i = 0; i < shown; ++i) all.push_back(live[i]->info());
  return all;
}

std::optional<ProcessInfo> Runtime::process_info(ProcessId id) const {
  std::shared_ptr<Process> p = registry_.find(id);
  if (!p) return std::nullopt;
  return p->info();
}

std::vector<EnvironmentInfo> Runtime::environments() const {
  // By id: each environment once, with the memory of its own processes.
  std::map<uint64_t, std::pair<std::shared_ptr<const Environment>, uint64_t>> found;
  registry_.for_each([&](const std::shared_ptr<Process>& p) {
    const uint64_t memory = p->memory_bytes_.load(std::memory_order_relaxed);
    bool own = true;
    for (std::shared_ptr<const Environment> e = p->environment(); e; e = e->parent()) {
      auto [it, added] = found.try_emplace(e->id(), e, 0);
      if (own) it->second.second += memory;
      own = false;
      if (!added) {
        // Its ancestors are in already; only the memory of the first level counts.
        break;
      }
    }
  });
  std::vector<EnvironmentInfo> all;
  all.reserve(found.size());
  for (const auto& [id, entry] : found) {
    const Environment& e = *entry.first;
    const EnvironmentConfig& c = e.config();
    EnvironmentInfo info;
    info.id = id;
    if (e.parent()) info.parent = e.parent()->id();
    info.max_memory_pages = c.max_memory_pages;
    info.max_fuel = c.max_fuel;
    info.max_processes = c.max_processes;
    info.max_names = c.max_names;
    info.max_resources = c.max_resources;
    for (const std::string& prefix : c.allowed.prefixes()) {
      info.allowed.push_back(prefix.empty() ? "*" : prefix);
    }
    info.live_processes = e.live_processes();
    info.registered_names = e.registered_names();
    info.memory_bytes = entry.second;
    all.push_back(std::move(info));
  }
  return all;
}

NodeInfo Runtime::node_info() const {
  NodeInfo node;
  node.processes = live_processes();
  node.spawns_total = scheduler_->total(Scheduler::Counter::Spawns);
  node.messages_sent_total = scheduler_->total(Scheduler::Counter::Messages);
  node.crashes_total = scheduler_->total(Scheduler::Counter::Crashes);
  node.kills_total = scheduler_->total(Scheduler::Counter::Kills);
  registry_.for_each([&](const std::shared_ptr<Process>& p) {
    node.memory_bytes += p->memory_bytes_.load(std::memory_order_relaxed);
  });
  node.start_time_ms = start_time_ms_;
  // The workers first: their busy time is then never past the uptime read after it.
  const std::vector<Scheduler::WorkerTimes> times = scheduler_->worker_times();
  node.uptime_ns =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now() - scheduler_->started())
                                .count());
  for (size_t i = 0; i < times.size(); ++i) {
    node.workers.push_back(WorkerInfo{static_cast<unsigned>(i), times[i].busy_ns, times[i].slices});
  }
  return node;
}

std::vector<CrashInfo> Runtime::crashes() const {
  std::lock_guard lock(crashes_mutex_);
  // Oldest first: from crash_oldest_ to the end of the ring, then its start.
  std::vector<CrashInfo> list(crashes_.begin() + static_cast<ptrdiff_t>(crash_oldest_),
                              crashes_.end());
  list.insert(list.end(), crashes_.begin(),
              crashes_.begin() + static_cast<ptrdiff_t>(crash_oldest_));
  return list;
}

void Runtime::record_crash(Process& process, const ExitStatus& status, const std::string& reason,
                           std::vector<std::string> names, std::vector<LinkEntry> links) {
  const bool killed = status.kind == ExitStatus::Kind::Killed;
  scheduler_->count(killed ? Scheduler::Counter::Kills : Scheduler::Counter::Crashes);
  if (config_.crash_history == 0 && !config_.on_crash) return;
  std::sort(links.begin(), links.end(),
            [](const LinkEntry& a, const LinkEntry& b) { return a.process < b.process; });
  // Erlang's supervisor is the linked process that traps exits: here, one that takes its
  // links' failures as messages (die_when_link_dies off), so it hears of this death.
  std::optional<ProcessId> supervisor;
  for (const LinkEntry& link : links) {
    std::shared_ptr<Process> linked = find(link.process);
    if (linked != nullptr && !linked->die_when_link_dies()) {
      supervisor = link.process;
      break;
    }
  }
  // Written into `crash` field by field: a reused ring entry keeps its storage.
  auto fill = [&](CrashInfo& crash) {
    crash.id = process.id();
    crash.names = std::move(names);
    crash.module.assign(process.module_name_);
    crash.entry.assign(process.entry_name_);
    crash.environment = process.environment_->id();
    crash.reason.assign(reason);
    crash.killed = killed;
    if (status.trap && !killed) {
      crash.backtrace = status.trap->backtrace;
    } else {
      crash.backtrace.clear();
    }
    crash.links = std::move(links);
    crash.supervisor = supervisor;
    crash.start_time_ms = process.start_time_ms_;
    crash.end_time_ms = unix_time_ms();
  };
  if (config_.on_crash) {
    CrashInfo crash;
    fill(crash);
    config_.on_crash(crash);
    if (config_.crash_history == 0) return;
    std::lock_guard lock(crashes_mutex_);
    if (crashes_.size() < config_.crash_history) {
      crashes_.push_back(std::move(crash));
    } else {
      crashes_[crash_oldest_] = std::move(crash);
      crash_oldest_ = (crash_oldest_ + 1) % crashes_.size();
    }
    return;
  }
  std::lock_guard lock(crashes_mutex_);
  if (crashes_.size() < config_.crash_history) {
    fill(crashes_.emplace_back());
  } else {
    fill(crashes_[crash_oldest_]);
    crash_oldest_ = (crash_oldest_ + 1) % crashes_.size();
  }
}

}  // namespace lunatic::runtime
