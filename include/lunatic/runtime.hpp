// The public embedding API of lunatic's process runtime: a Runtime that runs Wasm processes on
// its worker threads, with the standard host functions (WASI and lunatic::*) plus namespaces
// of your own, environments that limit what processes may use, and messages, kills, exit
// statuses and introspection seen from the host. Only standard and lunatic/ headers.
//
//   lunatic::Linker linker = lunatic::Linker::standard();
//   linker.ns("app").define("report", [](lunatic::CallContext& ctx, int32_t n) { ... });
//   lunatic::Runtime runtime({.linker = linker});
//   auto env = lunatic::Environment::create({.max_fuel = 1'000'000});
//   auto id = runtime.spawn_root(*lunatic::compile_file("guest.wasm"), env, "_start");
//   lunatic::ExitStatus status = runtime.wait();
//
// docs/embedding.md walks through it; examples/embedding/embed_runtime.cpp is a whole program.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <lunatic/environment.hpp>
#include <lunatic/host_function.hpp>
#include <lunatic/introspection.hpp>
#include <lunatic/linker.hpp>
#include <lunatic/module.hpp>
#include <lunatic/result.hpp>
#include <lunatic/trap.hpp>
#include <lunatic/value.hpp>

namespace lunatic {

/// How a process ended.
struct ExitStatus {
  enum class Kind : uint8_t {
    Normal,  ///< the entry function returned, or the guest called proc_exit(0)
    Failed,  ///< a trap, out of fuel, proc_exit(non-zero), or a failed start
    Killed,  ///< Runtime::kill, a linked process's failure, or the runtime's end
  };
  Kind kind = Kind::Normal;
  /// Why it failed or was killed (TrapKind::Exit for proc_exit, with its code); nullopt if the
  /// entry function returned.
  std::optional<Trap> trap{};
  /// The entry function's results when it returned.
  std::vector<Value> results{};

  bool failed() const { return kind != Kind::Normal; }
  /// proc_exit's code, 0 for a normal return, 1 for other failures.
  int32_t exit_code() const;
  /// "normal", "exit(3)", "trap: integer divide by zero", "killed: ...".
  std::string to_string() const;
};

/// A data message from the host: a process receives it with its tag and reads its bytes
/// (lunatic::message::receive, read_data).
struct Message {
  Tag tag = 0;
  std::vector<uint8_t> data{};
};

/// A process's WASI state. A process has stdio and nothing more unless given these.
struct WasiConfig {
  std::vector<std::string> args{};  ///< argv as the guest sees it, argv[0] included
  std::vector<std::string> env{};   ///< "KEY=VALUE" entries
  /// A host directory the guest sees at a path of its own.
  struct Preopen {
    std::string host_path{};   ///< "/srv/data"
    std::string guest_path{};  ///< "/data": the guest opens "/data/..."
  };
  std::vector<Preopen> preopens{};
};

/// Every member has an initializer, so that designated initializers naming a few of them
/// compile cleanly under -Wextra.
struct RuntimeConfig {
  /// Worker threads; 0: one per core.
  unsigned workers = 0;
  /// Fuel units a process runs before others get a turn.
  uint64_t slice_fuel = 100'000;
  /// The host functions processes may import (filtered by their environment's allow list).
  /// The runtime reads it from now on: define everything before. Default: none.
  Linker linker{};
  /// Called on a worker thread as each process ends. Must not block or throw.
  std::function<void(ProcessId, const ExitStatus&)> on_exit{};
  /// Called on a worker thread as a process fails or is killed, with its crash report. Must
  /// not block or throw.
  std::function<void(const CrashInfo&)> on_crash{};
  /// How many of the latest abnormal ends crashes() keeps.
  size_t crash_history = 64;
};

/// What to spawn.
struct SpawnOptions {
  Module module{};
  Environment environment{};
  /// The exported function to run (after the module's start function, if any).
  std::string entry{};
  std::vector<Value> args{};
  /// Arguments, environment variables and preopened directories of the process.
  WasiConfig wasi{};
  /// Keep the exit status once the process ends, until join(id) takes it.
  bool joinable = false;
  /// What introspection calls the module.
  std::string module_name{};
};

/// Thread-safe. Destroying the runtime kills the processes still alive and waits for them to
/// unwind.
class Runtime {
 public:
  explicit Runtime(RuntimeConfig config = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Creates, instantiates and queues a process. Fails, leaving nothing behind: no module or
  /// environment, no such export or wrong arguments (Phase::Usage); an import unknown, not
  /// allowed or mistyped (Phase::Link, naming it); memory past the limit (Phase::Instantiate);
  /// too many processes, a preopen that is not a directory (Phase::Host).
  Result<ProcessId> spawn(SpawnOptions options);
  /// spawn() of the program's main process, whose status wait() returns. Call once.
  Result<ProcessId> spawn_root(SpawnOptions options);
  Result<ProcessId> spawn_root(Module module, Environment environment, std::string entry,
                               std::vector<Value> args = {});
  /// Blocks until the root process has ended; its status.
  ExitStatus wait();
  /// Blocks until `id`, spawned joinable, has ended; its status. nullopt at once if `id` was
  /// not joinable or was joined already. Not from a host function.
  std::optional<ExitStatus> join(ProcessId id);
  /// Blocks until no process is alive.
  void wait_all();
  /// Kills every live process and waits for them to unwind. The runtime stays usable.
  void kill_all();

  /// Queues a data message for `to`; false if it is not alive. Never blocks.
  bool send(ProcessId to, Message message);
  /// Stops `id` at its next safepoint (at once if it waits) and unwinds it: memory, sockets,
  /// timers and messages are freed, links and monitors told. False if it is not alive.
  bool kill(ProcessId id, Trap reason = Trap::of(TrapKind::Killed));
  bool exists(ProcessId id) const;
  size_t live_processes() const;
  unsigned workers() const;

  // ---- introspection (introspection.hpp): any thread, while processes run ----------------
  /// The live processes with the lowest ids, at most `limit`, ordered by id.
  std::vector<ProcessInfo> processes(size_t limit = SIZE_MAX) const;
  /// The live process `id`, or nullopt.
  std::optional<ProcessInfo> process_info(ProcessId id) const;
  /// The environments of the live processes and their ancestors, ordered by id.
  std::vector<EnvironmentInfo> environments() const;
  /// Totals since the runtime started, and each worker's busy time.
  NodeInfo node_info() const;
  /// The latest abnormal ends (at most RuntimeConfig::crash_history), oldest first.
  std::vector<CrashInfo> crashes() const;

  struct Impl;  ///< defined by the implementation

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lunatic
