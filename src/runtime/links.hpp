// Links and monitors of one process: who learns of its death, and how. The lists and the
// "closed" flag share one lock, so a link made while the process dies either lands before its
// death (and is notified) or sees it dead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/trap.hpp"
#include "runtime/ids.hpp"
#include "runtime/link_set.hpp"
#include "runtime/monitor_set.hpp"

namespace lunatic::runtime {

/// What a dying process's links and monitors were when it closed them.
struct Notifications {
  std::vector<LinkEntry> links;
  std::vector<MonitorEntry> monitors;  ///< set on it by others (per watcher): ProcessDied
  std::vector<LinkEntry> watching;     ///< the processes it monitored (tags unused)
};

/// Thread-safe. Owned by a Process; the runtime's link logic (links.cpp) locks the two sides
/// of a link in id order.
class Links {
 public:
  /// Adds or re-tags the link with `other`; false if closed (the owner died).
  bool add_link(ProcessId other, Tag tag);
  bool remove_link(ProcessId other);
  /// Removes the link with `other` and returns its tag; nullopt if there was none.
  std::optional<Tag> take_link(ProcessId other);
  /// One more monitor of the owner by `watcher` (a watcher may hold several); false if closed.
  bool add_monitor(ProcessId watcher, Tag tag);
  /// Removes all of `watcher`'s monitors of the owner, in constant time (MonitorSet).
  void remove_monitors_by(ProcessId watcher);
  /// Removes `watcher`'s one monitor with `tag` (a remote watcher's, keyed by the Router).
  bool remove_monitor(ProcessId watcher, Tag tag);
  /// The other side of a monitor: the owner monitors `target`. Kept so that the owner's death
  /// removes its entries from the processes it monitored (no entry outlives its watcher).
  bool add_watching(ProcessId target);
  void remove_watching(ProcessId target);

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

  std::vector<LinkEntry> links() const;

  /// The lock the link logic takes (two processes' locks, always in id order).
  std::mutex& mutex() const { return mutex_; }

  // Unlocked variants, for callers holding mutex().
  void add_link_locked(ProcessId other, Tag tag);
  bool closed_locked() const { return closed_; }

 private:
  mutable std::mutex mutex_;
  bool closed_ = false;
  LinkSet links_;
  MonitorSet monitors_;
  LinkSet watching_;
  std::optional<engine::Trap> kill_reason_;
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
/// that it ended with `status`. Called by the runtime once, on the worker that finished it.
void notify_death(Runtime& runtime, ProcessId dead, const Notifications& notifications,
                  const ExitStatus& status);

}  // namespace lunatic::runtime
