// Runtime: the embedding API of the process runtime. It owns the memory pool, the registry of
// live processes, the scheduler's workers, the timer thread and the I/O reactor (with the stdio
// streams it serves), and spawns processes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "binding/linker.hpp"
#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/value.hpp"
#include "runtime/environment.hpp"
#include "runtime/host_work.hpp"
#include "runtime/ids.hpp"
#include "runtime/import_cache.hpp"
#include "runtime/introspection.hpp"
#include "runtime/io_reactor.hpp"
#include "runtime/message.hpp"
#include "runtime/registry.hpp"
#include "runtime/resolver.hpp"
#include "runtime/router.hpp"
#include "runtime/stdio_streams.hpp"
#include "runtime/timer.hpp"

namespace lunatic::runtime {

class Process;
class Scheduler;

/// Every member of RuntimeConfig and SpawnOptions has an initializer, so that designated
/// initializers naming a few of them compile cleanly under -Wextra.
struct RuntimeConfig {
  /// Worker threads; 0 = std::thread::hardware_concurrency() (at least 1).
  unsigned workers = 0;
  /// Fuel units a process runs before it yields to others (its reductions).
  uint64_t slice_fuel = 100'000;
  /// The host functions processes may import (filtered by their environment's allow-list).
  /// Built before the runtime, read-only afterwards. Null: no host functions.
  std::shared_ptr<const binding::Linker> linker{};
  /// Called on a worker thread as each process ends, after its links and monitors were
  /// notified (tests, the CLI's diagnostics). Must not block or throw.
  std::function<void(ProcessId, const ExitStatus&)> on_exit{};
  /// Compiles the modules processes load at run time (lunatic::process::compile_module): the
  /// embedder's choice of tier (the CLI's tiering::Compiler). Must be thread-safe. Empty:
  /// engine::compile (the interpreter).
  std::function<Result<std::shared_ptr<const engine::CompiledModule>>(std::span<const uint8_t>)>
      compile{};
  /// Called on a worker thread as a process ends abnormally (it failed or was killed), with
  /// what it was when it died (a crash report: names, reason, backtrace, links). Must not
  /// block or throw.
  std::function<void(const CrashInfo&)> on_crash{};
  /// How many of the latest abnormal ends Runtime::crashes() keeps.
  size_t crash_history = 64;
  /// How many bytes of ended processes' pages the memory pool may keep until a worker is idle
  /// (engine::MemoryPool::set_max_deferred_bytes): resident memory outside every budget, so
  /// it must fit the headroom the embedder leaves above its budgets (`lunatic run`: 1/32 of
  /// the root's budget, at most 256 MiB).
  uint64_t pool_deferred_bytes = engine::MemoryPool::kDefaultMaxDeferredBytes;
};

/// Called on the spawning thread once a process is instantiated, before it can run (and before
/// its start function): per-process host state (WASI arguments, environment variables and
/// preopened directories: host::wasi::process_wasi) is set up here.
using PrepareProcess = std::function<void(Process&)>;

/// What to spawn.
struct SpawnOptions {
  std::shared_ptr<const engine::CompiledModule> module{};
  /// The child's environment (a parent passes its own to inherit it). Must not be null.
  std::shared_ptr<const Environment> environment{};
  /// Name of the exported function to run (after the module's start function, if any).
  std::string entry{};
  std::vector<engine::Value> args{};
  /// If set, the child is linked to this process (its parent) under `link_tag` before it
  /// first runs.
  Process* link_to = nullptr;
  Tag link_tag = 0;
  /// If set, called once the process is instantiated, before it can run.
  PrepareProcess prepare{};
  /// Keep the exit status once the process ends, until Runtime::join(id) takes it (join each
  /// joinable process once, or its status stays until the runtime is destroyed).
  bool joinable = false;
  /// What introspection calls the module (the CLI: its file name). Empty: a child spawned by
  /// a process from that process's own module gets the parent's (host::process); else none.
  std::string module_name{};
  /// The process that spawns (a host function's caller; null: the embedder). When the child is
  /// of its module and environment, the imports that process resolved for them the first time
  /// are the child's too: later spawns take no lock and make no cache lookup for them.
  Process* spawner = nullptr;
};

/// Thread-safe unless noted. Destroying the runtime kills the processes still alive, waits
/// for them to unwind, then stops the workers, waits for host work already running (HostWork)
/// and stops the timer.
class Runtime {
 public:
  explicit Runtime(RuntimeConfig config = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Creates, instantiates and queues a process. Fails, with nothing left behind, when the
  /// environment is at its max_processes (Phase::Host "too many processes: ..."), an import is
  /// unknown, not allowed or mistyped (Phase::Link, naming it), instantiation fails (memory
  /// past max_memory_pages, segments out of bounds: Phase::Instantiate), or the entry is not
  /// an exported function taking `args` (Phase::Usage). Callable from host functions.
  Result<ProcessId> spawn(SpawnOptions options);
  /// spawn() of the first process, whose exit status wait() returns. Call once.
  Result<ProcessId> spawn_root(std::shared_ptr<const engine::CompiledModule> module,
                               std::shared_ptr<const Environment> environment, std::string entry,
                               std::vector<engine::Value> args = {});
  /// spawn_root() with every spawn option.
  Result<ProcessId> spawn_root(SpawnOptions options);

  /// Blocks until the root process has ended and returns its status. Other processes keep
  /// running until the runtime is destroyed (or shutdown()), which kills them: like a C
  /// program whose main returns, the root's end is the program's end.
  ExitStatus wait();
  /// Blocks until the process `id`, spawned with `joinable`, has ended, and returns its exit
  /// status (the entry's results, or why it failed or was killed). nullopt at once if `id`
  /// was not spawned joinable or was joined already. Not from a host function: it blocks the
  /// worker thread.
  std::optional<ExitStatus> join(ProcessId id);
  /// Blocks until no process is alive.
  void wait_all();
  /// Kills every live process and waits for them to unwind. The runtime stays usable.
  void kill_all();
  /// Waits until no process is between the notice of its end to its links and monitors and
  /// the end of its report (RuntimeConfig::on_crash, on_exit), or until `deadline`; false if
  /// one still was. A watcher that ends on such a notice (the root) may otherwise end the
  /// program before the report of the end it heard of is logged: call it after wait(), before
  /// the log is flushed for the exit (the root's own end is never in flight once wait()
  /// returned). Processes that keep ending may keep it waiting until the deadline. Any thread
  /// but a worker.
  bool wait_for_ends_in_flight(std::chrono::steady_clock::time_point deadline) const;

  /// The live process `id`, or null.
  std::shared_ptr<Process> find(ProcessId id) const { return registry_.find(id); }
  bool exists(ProcessId id) const { return registry_.contains(id); }
  /// Delivers `message` to `to`; false (message and its resources dropped) if `to` is not
  /// alive. Never blocks on the receiver. A remote id (router.hpp) goes to the installed
  /// Router (false if none is installed).
  /// `from`: the sending process when a host call of it sends (on its worker), whose
  /// find_target() cache the lookup then uses; null from anywhere else.
  bool send(ProcessId to, std::unique_ptr<Message> message, Process* from = nullptr);
  /// send() of a data message whose bytes are `bytes`, not yet in message->data: they are
  /// copied once, into the receiver's receive_data buffer if it waits with one, else into the
  /// message (Process::deliver_copying).
  bool send_copying(ProcessId to, std::unique_ptr<Message> message, std::span<const uint8_t> bytes,
                    Process* from = nullptr);
  /// Installs the Router of remote ids (the distribution layer), or removes it (null). Safe
  /// while processes run; a send that already loaded the old router may still use it.
  void set_router(std::shared_ptr<Router> router);
  /// The installed Router, or null.
  std::shared_ptr<Router> router() const;
  /// Kills `id` (see Process::kill); false if it is not alive.
  bool kill(ProcessId id, engine::Trap reason = engine::Trap::of(engine::TrapKind::Killed));

  size_t live_processes() const { return live_.load(std::memory_order_acquire); }

  // ---- introspection (introspection.hpp; any thread, while processes run) ----------------
  // Each process is read on its own (no stop-the-world); a process may end or start while a
  // listing is taken. Cost: O(processes) short lock holds, none on a scheduler's queues.

  /// The live processes with the lowest ids, at most `limit` of them, ordered by id. Only
  /// those are read in full: a node of a million processes lists its first thousand cheaply.
  std::vector<ProcessInfo> processes(size_t limit = SIZE_MAX) const;
  /// The live process `id`, or nullopt.
  std::optional<ProcessInfo> process_info(ProcessId id) const;
  /// The environments of the live processes and their ancestors, ordered by id.
  std::vector<EnvironmentInfo> environments() const;
  /// Totals since the runtime started, and the workers' busy time.
  NodeInfo node_info() const;
  /// The latest abnormal ends (at most RuntimeConfig::crash_history), oldest first.
  std::vector<CrashInfo> crashes() const;
  /// Compiles a module as RuntimeConfig::compile says. Thread-safe (host_work()'s threads call
  /// it for lunatic::process::compile_module).
  Result<std::shared_ptr<const engine::CompiledModule>> compile(std::span<const uint8_t> bytes);
  const RuntimeConfig& config() const { return config_; }
  const binding::Linker& linker() const { return *linker_; }
  Registry& registry() { return registry_; }
  Timer& timer() { return timer_; }
  /// The epoll thread that wakes processes parked on sockets.
  IoReactor& io_reactor() { return io_reactor_; }
  /// The runtime's stdin, stdout and stderr as reactor-served streams (WASI's fds 0-2).
  StdioStreams& stdio() { return stdio_; }
  /// The threads that run DNS lookups for parked processes.
  Resolver& resolver() { return resolver_; }
  /// The threads that run host work a process waits for (compile_module), not on a worker.
  HostWork& host_work() { return host_work_; }
  engine::MemoryPool& memory_pool() { return pool_; }
  unsigned workers() const;

 private:
  friend class Scheduler;
  friend class Process;
  /// Called by a worker when `process` has exited: unregisters it, notifies links and
  /// monitors, releases its resources.
  void finish(Process& process);
  Result<ProcessId> spawn_impl(SpawnOptions options, bool root);
  /// finish() of a process that failed or was killed: keeps and reports its crash.
  /// `reason` is status.to_string(), made once per end for the crash and the death notices.
  void record_crash(Process& process, const ExitStatus& status, const std::string& reason,
                    std::vector<std::string> names, std::vector<LinkEntry> links);

  RuntimeConfig config_;
  std::shared_ptr<const binding::Linker> linker_;
  engine::MemoryPool pool_;  // before everything that holds memories
  // Host functions are immutable and the same for every process: one engine::Function per
  // host function for the whole runtime (in a store of their own), not one per spawn.
  engine::Store host_store_{pool_};
  std::mutex host_functions_mutex_;
  binding::HostFunctionCache host_functions_{host_store_};
  ImportCache imports_;  ///< under host_functions_mutex_
  // Before everything that can hold a socket (processes, messages, timer actions): sockets
  // deregister from the reactor when they close.
  IoReactor io_reactor_;
  StdioStreams stdio_{io_reactor_};
  Resolver resolver_;
  Registry registry_;
  Timer timer_;
  std::unique_ptr<Scheduler> scheduler_;
  // Destroyed first: a job still running when the runtime goes (its process was killed) calls
  // compile(), i.e. config_ and the embedder's compiler, and wakes through a weak reference.
  HostWork host_work_;
  std::atomic<std::shared_ptr<Router>> router_;

  // Written by every spawn and every end, often on two workers at once: a line of their own,
  // so that the fields read on those paths (scheduler_, registry_, pool_) do not miss with it.
  alignas(64) std::atomic<size_t> live_{0};
  /// Ends between notify_death and their report (finish()): wait_for_ends_in_flight.
  std::atomic<size_t> ends_in_flight_{0};
  alignas(64) std::mutex done_mutex_;
  std::condition_variable done_;
  ProcessId root_ = 0;
  std::optional<ExitStatus> root_status_;
  /// Exit statuses of joinable processes (nullopt while alive), until join() takes them.
  std::unordered_map<ProcessId, std::optional<ExitStatus>> joinable_;

  const int64_t start_time_ms_;
  mutable std::mutex crashes_mutex_;
  /// A ring of at most crash_history crashes (under crashes_mutex_): once full, the oldest
  /// entry is overwritten in place, its strings' and vectors' storage reused. Was a deque, which
  /// allocated a node per crash: 10% of the time of 100,000 processes killed over links.
  std::vector<CrashInfo> crashes_;
  size_t crash_oldest_ = 0;  ///< index of the oldest entry once the ring is full
};

}  // namespace lunatic::runtime
