// Snapshots of a running Runtime (Runtime::processes, process_info, environments, node_info,
// crashes) as plain values. Taking one never stops the world: each process is read on its own,
// so a snapshot is a consistent view of each process, not of all of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <lunatic/host_function.hpp>
#include <lunatic/trap.hpp>

namespace lunatic {

/// A message tag (also a link's tag). Receive filters compare tags exactly.
using Tag = int64_t;

/// What a process is doing at the moment of the snapshot.
enum class ProcessState : uint8_t {
  Running,    ///< a worker runs it
  Runnable,   ///< in a run queue
  Receiving,  ///< parked in a receive, waiting for a matching message
  Sleeping,   ///< parked until a deadline
  WaitingIo,  ///< parked on a socket
  Parked,     ///< parked for another reason (a DNS lookup, ...)
  Exited,     ///< dead, not yet removed
};

/// "running", "runnable", "receiving", "sleeping", "waiting_io", "parked", "exited".
std::string_view process_state_name(ProcessState state);

/// A link between two processes: the other end and the link's tag.
struct LinkEntry {
  ProcessId process = 0;
  Tag tag = 0;
};

/// One process, as far as it can be seen from outside while it runs.
struct ProcessInfo {
  ProcessId id = 0;
  std::vector<std::string> names{};  ///< names registered for it
  ProcessState state = ProcessState::Runnable;
  size_t mailbox_messages = 0;
  uint64_t mailbox_bytes = 0;  ///< data bytes of the queued messages
  uint64_t memory_bytes = 0;   ///< its linear memories at the end of its last slice
  /// Fuel burnt and left at the end of its last slice, when its environment limits fuel.
  std::optional<uint64_t> fuel_used{};
  std::optional<uint64_t> fuel_left{};
  uint64_t slices = 0;       ///< slices it has run (Erlang's reductions)
  uint64_t environment = 0;  ///< EnvironmentInfo::id
  std::vector<LinkEntry> links{};
  size_t monitored_by = 0;  ///< monitors other processes hold on it
  size_t monitoring = 0;    ///< processes it monitors
  /// false: a linked failure arrives as a message (Erlang's trap_exit).
  bool die_when_link_dies = true;
  std::string module{};  ///< SpawnOptions::module_name
  std::string entry{};
  int64_t start_time_ms = 0;  ///< milliseconds since the Unix epoch
};

/// A process that ended abnormally (failed or was killed), as it was when it died.
struct CrashInfo {
  ProcessId id = 0;
  std::vector<std::string> names{};
  std::string module{};
  std::string entry{};
  uint64_t environment = 0;
  std::string reason{};  ///< ExitStatus::to_string(): "trap: unreachable", "killed: ..."
  bool killed = false;   ///< killed (else failed)
  std::vector<BacktraceFrame> backtrace{};  ///< innermost first; empty for a kill or an exit
  std::vector<LinkEntry> links{};           ///< its links when it died
  /// The first link that takes its links' failures as messages: its supervisor.
  std::optional<ProcessId> supervisor{};
  int64_t start_time_ms = 0;
  int64_t end_time_ms = 0;
};

/// One environment that a live process lives in (or is an ancestor of one).
struct EnvironmentInfo {
  uint64_t id = 0;
  std::optional<uint64_t> parent{};
  // Its limits; UINT64_MAX / nullopt = unlimited.
  uint32_t max_memory_pages = 0;
  std::optional<uint64_t> max_fuel{};
  uint64_t max_processes = 0;
  uint64_t max_names = 0;
  uint64_t max_resources = 0;
  std::vector<std::string> allowed{};  ///< allowed prefixes ("*" for all)
  // Its usage, counting that of environments inside it.
  uint64_t live_processes = 0;
  uint64_t registered_names = 0;
  uint64_t memory_bytes = 0;  ///< linear memory of its own live processes
};

/// One scheduler worker.
struct WorkerInfo {
  unsigned index = 0;
  uint64_t busy_ns = 0;  ///< time spent running processes
  uint64_t slices = 0;   ///< slices it ran
};

/// Totals of the runtime since it started.
struct NodeInfo {
  uint64_t processes = 0;            ///< alive now
  uint64_t spawns_total = 0;         ///< processes spawned
  uint64_t messages_sent_total = 0;  ///< messages delivered or sent to a dead process
  uint64_t crashes_total = 0;        ///< processes that failed
  uint64_t kills_total = 0;          ///< processes that ended killed
  uint64_t memory_bytes = 0;         ///< linear memory of the live processes
  int64_t start_time_ms = 0;         ///< ms since the Unix epoch
  uint64_t uptime_ns = 0;
  std::vector<WorkerInfo> workers{};
};

}  // namespace lunatic
