// Death notices: the LinkDied / ProcessDied messages the runtime makes when a linked or
// monitored process ends, shared by the local link logic (links.cpp) and the remote side of
// links and monitors (remote_links.cpp). Internal to the runtime.
#pragma once

#include <memory>
#include <vector>

#include "runtime/ids.hpp"
#include "runtime/message.hpp"

namespace lunatic::runtime {

class Process;

/// A process's end as its signals tell it: who, how, and why (the signal's data).
struct Death {
  ProcessId process = 0;
  ExitStatus::Kind kind = ExitStatus::Kind::Normal;
  std::vector<uint8_t> reason;
};

/// How a death notice is charged to the process that asked for it (by linking or monitoring).
enum class Notice : uint8_t {
  /// Even past its environment's max_memory_total: the one notice of a link or monitor entry
  /// when the other process dies. A death is never hidden (a watcher must learn of it even
  /// when the dead process's own messages fill the budget); the next allocation there fails
  /// instead, until the notice is read. Bounded: one per entry.
  Forced,
  /// Refused past the budget, and the target killed: the notices that a guest can multiply
  /// (link or monitor of a dead process in a loop, the extra tags of one watcher's repeated
  /// monitors), which would otherwise grow without bound.
  Budgeted,
};

/// A LinkDied or ProcessDied message about `death`, tagged with the link's or monitor's tag.
std::unique_ptr<Message> death_signal(MessageKind kind, const Death& death, Tag tag);
/// Delivers `notice` to `target`, charged as `how` says.
void deliver_notice(Process& target, std::unique_ptr<Message> notice, Notice how);
/// What a LinkDied signal does to the process that receives it: kills it, or (it set
/// die_when_link_dies(false)) delivers the notice.
void signal_link_died(Process& target, const Death& death, Tag tag, Notice how);

}  // namespace lunatic::runtime
