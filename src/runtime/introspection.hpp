// Introspection: snapshots of a running runtime's processes, environments and totals, as plain
// values (the observer renders them as JSON and metrics; embedders read them directly). Taking
// one never stops the world: each process is read on its own, through its atomics and the
// locks its parts already have, so a snapshot is a consistent view of each process, not of all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/trap.hpp"
#include "runtime/ids.hpp"
#include "runtime/link_set.hpp"

namespace lunatic::runtime {

/// The wall clock in milliseconds since the Unix epoch (the times of introspection).
int64_t unix_time_ms();

/// What a process is doing at the moment of the snapshot.
enum class ProcessState : uint8_t {
  Running,    ///< a worker runs it
  Runnable,   ///< in a run queue
  Receiving,  ///< parked in a receive, waiting for a matching message
  Sleeping,   ///< parked until a deadline (sleep; a receive's timeout shows as Receiving)
  WaitingIo,  ///< parked on a socket (or any I/O readiness)
  Parked,     ///< parked for another reason (a DNS lookup, a host call of an embedder)
  Exited,     ///< dead, not yet removed from the registry
};

/// "running", "runnable", "receiving", "sleeping", "waiting_io", "parked", "exited".
std::string_view process_state_name(ProcessState state);

/// One process, as far as it can be seen from outside while it runs.
struct ProcessInfo {
  ProcessId id = 0;
  /// Names registered for it (lunatic::registry), in every environment that names it.
  std::vector<std::string> names;
  ProcessState state = ProcessState::Runnable;
  size_t mailbox_messages = 0;
  /// Bytes of data in the queued messages (not counting their resources).
  uint64_t mailbox_bytes = 0;
  /// Its linear memories, in bytes, at the end of its last slice (or at spawn).
  uint64_t memory_bytes = 0;
  /// Fuel burnt so far and fuel left, at the end of its last slice: only known when its
  /// environment limits fuel (max_fuel), else nullopt.
  std::optional<uint64_t> fuel_used;
  std::optional<uint64_t> fuel_left;
  /// Slices it has run (Erlang's reductions, counted in slices of RuntimeConfig::slice_fuel).
  uint64_t slices = 0;
  uint64_t environment = 0;  ///< EnvironmentInfo::id
  std::vector<LinkEntry> links;
  size_t monitored_by = 0;  ///< monitors other processes hold on it
  size_t monitoring = 0;    ///< processes it monitors
  /// Erlang's trap_exit inverted: false = a linked failure arrives as a message.
  bool die_when_link_dies = true;
  /// SpawnOptions::module_name (the CLI: the file's name), and the entry function.
  std::string module;
  std::string entry;
  /// When it was spawned, in milliseconds since the Unix epoch.
  int64_t start_time_ms = 0;
};

/// A process that ended abnormally (failed or was killed), as it was when it died: the
/// runtime keeps the last RuntimeConfig::crash_history of them.
struct CrashInfo {
  ProcessId id = 0;
  std::vector<std::string> names;
  std::string module;
  std::string entry;
  uint64_t environment = 0;
  /// ExitStatus::to_string(): "trap: unreachable", "exit(3)", "killed: ...".
  std::string reason;
  bool killed = false;  ///< ExitStatus::Kind::Killed (else Failed)
  /// The Wasm backtrace of the trap, innermost first, with function names where the module
  /// has them (empty for a kill or an exit).
  std::vector<engine::BacktraceFrame> backtrace;
  /// Its links when it died: the processes its failure reaches.
  std::vector<LinkEntry> links;
  /// The first of those links (by id) that takes its links' failures as messages
  /// (die_when_link_dies off, Erlang's trap_exit): its supervisor, which may restart it.
  std::optional<ProcessId> supervisor;
  int64_t start_time_ms = 0;
  int64_t end_time_ms = 0;
};

/// One environment that at least one live process lives in (or is an ancestor of one).
struct EnvironmentInfo {
  uint64_t id = 0;
  std::optional<uint64_t> parent;
  // Its limits (EnvironmentConfig); UINT64_MAX / nullopt = unlimited.
  uint32_t max_memory_pages = 0;
  std::optional<uint64_t> max_fuel;
  uint64_t max_processes = 0;
  uint64_t max_names = 0;
  uint64_t max_resources = 0;
  /// The host namespaces it allows ("*" for all).
  std::vector<std::string> allowed;
  // Its usage, counting those of environments inside it.
  uint64_t live_processes = 0;
  uint64_t registered_names = 0;
  /// Linear memory of its own live processes, in bytes (ProcessInfo::memory_bytes summed).
  uint64_t memory_bytes = 0;
};

/// One scheduler worker.
struct WorkerInfo {
  unsigned index = 0;
  /// Time it spent running processes (its life minus the time it looked for work or slept).
  uint64_t busy_ns = 0;
  uint64_t slices = 0;  ///< slices it ran
};

/// Totals of the runtime since it started.
struct NodeInfo {
  uint64_t processes = 0;            ///< alive now
  uint64_t spawns_total = 0;         ///< processes spawned (successfully)
  uint64_t messages_sent_total = 0;  ///< messages delivered or sent to a dead process
  uint64_t crashes_total = 0;        ///< processes that failed (trap, fuel, exit(n != 0))
  uint64_t kills_total = 0;          ///< processes that ended killed
  uint64_t memory_bytes = 0;         ///< linear memory of the live processes
  int64_t start_time_ms = 0;         ///< when the runtime started, ms since the Unix epoch
  uint64_t uptime_ns = 0;
  std::vector<WorkerInfo> workers;
};

}  // namespace lunatic::runtime
