// Links and monitors of one process: who learns of its death, and how. The lists and the
// "closed" flag share one lock, so a link made while the process dies either lands before its
// death (and is notified) or sees it dead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "common/memory_budget.hpp"
#include "engine/trap.hpp"
#include "runtime/ids.hpp"
#include "runtime/link_set.hpp"
#include "runtime/monitor_set.hpp"

namespace lunatic::runtime {

class Environment;

/// What a dying process's links and monitors were when it closed them.
struct Notifications {
  std::vector<LinkEntry> links;
  std::vector<MonitorEntry> monitors;  ///< set on it by others (per watcher): ProcessDied
  std::vector<LinkEntry> watching;     ///< the processes it monitored (tag: how many times)
};

/// How an entry a process gains is charged to its environment's budget: Checked when the
/// process's own call makes it (refused past the budget), Forced when another process's or
/// node's does (the other side of a link: one entry per linker, whose own side is checked).
enum class EntryCharge : uint8_t { Checked, Forced };

/// Thread-safe. Owned by a Process; the runtime's link logic (links.cpp) locks the two sides
/// of a link in id order.
///
/// Host memory: the owner's links and the monitors it set on others (counted in its watching
/// list) are charged to its environment's budget, kEntryBytes each, from when they are made to
/// when they go (unlink, stop_monitoring, either side's death, close()). Monitors others set
/// on the owner are charged to them (their watching counts), not here.
class Links {
 public:
  /// What one link side or one monitor is charged: its list entry and index slot, a
  /// monitor's tag, with the allocator's overhead.
  static constexpr uint64_t kEntryBytes = 64;

  /// Charges the owner's entries to `budget` from now on.
  void charge_to(std::shared_ptr<const MemoryBudget> budget);
  /// Charges the owner's entries to `environment`'s budget (Process sets its own, which
  /// outlives this object), whose handle is taken at the first entry: most processes make no
  /// link or monitor, and taking it at spawn was an update of the environment's reference
  /// count at every spawn and every end. Not thread-safe: before the owner is shared.
  void charge_to(const Environment* environment) { charge_environment_ = environment; }

  /// Adds or re-tags the link with `other`; false if closed (the owner died) or, for a new
  /// Checked entry, if the budget refused it.
  bool add_link(ProcessId other, Tag tag, EntryCharge how);
  bool remove_link(ProcessId other);
  /// Removes the link with `other` and returns its tag; nullopt if there was none.
  std::optional<Tag> take_link(ProcessId other);
  /// One more monitor of the owner by `watcher` (a watcher may hold several); false if closed.
  bool add_monitor(ProcessId watcher, Tag tag);
  /// Removes all of `watcher`'s monitors of the owner, in constant time (MonitorSet).
  void remove_monitors_by(ProcessId watcher);
  /// Removes `watcher`'s one monitor with `tag` (a remote watcher's, keyed by the Router).
  bool remove_monitor(ProcessId watcher, Tag tag);
  /// The other side of a monitor: the owner monitors `target` once more. Kept so that the
  /// owner's death removes its entries from the processes it monitored (no entry outlives its
  /// watcher); charged as a Checked entry. False if closed or the budget refused it.
  bool add_watching(ProcessId target);
  /// Forgets all of the owner's monitors of `target` (their charges go back).
  void remove_watching(ProcessId target);
  /// Forgets one monitor of `target` that fired while others stand (a remote target's).
  void remove_one_watching(ProcessId target);
  /// Bytes charged for the owner's entries (tests, introspection).
  uint64_t charged_bytes() const;

  /// Monitors set on the owner, and processes the owner monitors (introspection, tests).
  size_t monitor_count() const;
  size_t watching_count() const;

  /// Marks the owner dead and hands over its links and monitors (once; later calls and
  /// later adds see it closed).
  Notifications close();
  bool closed() const;

  /// Records why the owner is being killed; the first reason wins. False if one was set.
  bool set_kill_reason(engine::Trap reason);
  std::optional<engine::Trap> kill_reason() const;
  /// The reason, moved out (no copy of its text) for the owner's exit status; the owner still
  /// counts as killed (later set_kill_reason calls return false).
  std::optional<engine::Trap> take_kill_reason();

  std::vector<LinkEntry> links() const;

  /// The lock the link logic takes (two processes' locks, always in id order).
  std::mutex& mutex() const { return mutex_; }

  // Unlocked variants, for callers holding mutex().
  bool add_link_locked(ProcessId other, Tag tag, EntryCharge how);
  bool closed_locked() const { return closed_; }

 private:
  /// Gives back `entries` entries' charge (with mutex_ held).
  void release_locked(uint64_t entries);

  /// charge_, bound to charge_environment_'s budget first if it is not bound yet (mutex_
  /// held).
  MemoryCharge& charge_locked();

  mutable std::mutex mutex_;
  MemoryCharge charge_;
  const Environment* charge_environment_ = nullptr;  ///< charge_'s budget, until bound
  bool closed_ = false;
  LinkSet links_;
  MonitorSet monitors_;
  LinkSet watching_;
  /// Allocated by the first kill: 72 bytes fewer in every process that is never killed.
  std::unique_ptr<engine::Trap> kill_reason_;
};

class Runtime;
struct ExitStatus;

/// The longest reason a LinkDied / ProcessDied message carries: a trap's message may be long,
/// and every linked or monitoring process gets a copy.
inline constexpr size_t kMaxDeathReason = 1024;
/// The reason when the other process was not alive at link() / monitor() (Erlang's noproc).
inline constexpr std::string_view kNoProcessReason = "noproc";
/// The reason when the other process is on a node this one lost (or never reached), as in
/// Erlang: every link and monitor across that connection ends with it.
inline constexpr std::string_view kNoConnectionReason = "noconnection";

/// The data of a LinkDied / ProcessDied message: `text` (ExitStatus::to_string()), cut to at
/// most kMaxDeathReason bytes at a UTF-8 character boundary.
std::vector<uint8_t> death_reason(std::string_view text);

/// Tells the links and monitors of the dead process `dead` (handed over by Links::close())
/// that it ended with `status` (`reason`: status.to_string()). Called by the runtime once, on
/// the worker that finished it.
void notify_death(Runtime& runtime, ProcessId dead, const Notifications& notifications,
                  const ExitStatus& status, std::string_view reason);

}  // namespace lunatic::runtime
