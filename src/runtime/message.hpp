// Message: what travels between processes. Data messages carry bytes, a tag and resources;
// signal messages (a link died, a monitored process died) are delivered the same way.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/memory_budget.hpp"
#include "runtime/handle_table.hpp"
#include "runtime/ids.hpp"

namespace lunatic::runtime {

enum class MessageKind : uint8_t {
  Data,         ///< bytes + resources sent by a process (or a timer on its behalf)
  LinkDied,     ///< a linked process failed and the receiver set die_when_link_dies(false);
                ///< `tag` is the link's tag, `process` the dead process
  ProcessDied,  ///< a monitored process ended (any way); `tag` is the monitor's tag
};
// For LinkDied and ProcessDied, `data` is why the process ended: ExitStatus::to_string()
// ("normal", "exit(3)", "trap: unreachable", "killed: ..."), or "noproc" if it was not alive
// when linked to or monitored; at most kMaxDeathReason bytes (links.hpp).

/// One message. Moved, never shared: the sender gives it up when it is sent.
struct Message {
  MessageKind kind = MessageKind::Data;
  Tag tag = 0;
  /// Data: the sender (0 if sent by the host); LinkDied/ProcessDied: the process that died.
  ProcessId process = 0;
  std::vector<uint8_t> data;
  /// Resources moved out of the sender's HandleTable; the receiver moves them into its own.
  std::vector<std::unique_ptr<Resource>> resources;
  /// For LinkDied/ProcessDied: how the process ended.
  ExitStatus::Kind exit_kind = ExitStatus::Kind::Normal;

  /// Host memory this message holds (kMessageBytes + its data capacity, plus a timer's entry
  /// while it waits in one), charged to the sender's environment from create_data until the
  /// message is received and dropped: a sender pays for what it queues, so a flooder exhausts
  /// its own sandbox, never the receiver's or the host (docs/design.md "Host memory"). Death
  /// notices, which the runtime makes, are charged to the process that asked for them (the
  /// receiver: it linked or monitored).
  MemoryCharge charge;

  /// Set by the mailbox: increases with each message it queues (see Mailbox::receive).
  uint64_t sequence = 0;
  /// Data bytes already copied into the receiver's memory (receive_data's buffer, directly by
  /// the sender or from `data` on receipt), which `data` then no longer holds; 0 otherwise.
  uint64_t delivered = 0;
  /// Where the receiver's read_data continues in `data` (lunatic::message): in the node the
  /// receive has just touched, so a receive costs no lookup of per-process host state.
  uint64_t read_position = 0;

 private:
  friend class Mailbox;
  Message* next_ = nullptr;  ///< the mailbox's intrusive queue (no allocation per message)
};

/// What a message costs besides its data: the node and the allocator's overhead for it.
inline constexpr uint64_t kMessageBytes = sizeof(Message) + 32;
/// Charge a message node may hold beyond kMessageBytes and its data: what a small message
/// needed, kept with the node when it is recycled (Process::recycle) so that the next small
/// message needs no new charge, i.e. no atomic update of the environments' budgets per
/// message. Errs on the side of refusing (charged, not allocated); bounded per process (a
/// process holds at most its received message and one spare node).
inline constexpr uint64_t kMessageSlack = 256;

}  // namespace lunatic::runtime
