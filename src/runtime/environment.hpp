// Environment: the limits a process lives under (memory, fuel, host namespaces, process and
// name counts) and its table of names. Children inherit their parent's environment; a new
// environment made by a process is clamped to its parent's, so a sandbox never grants more
// than it has.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "binding/linker.hpp"
#include "common/memory_budget.hpp"
#include "runtime/ids.hpp"
#include "runtime/names.hpp"
#include "wasm/types.hpp"

namespace lunatic::runtime {

/// What an environment allows. Defaults allow everything. Every member has an initializer, so
/// that designated initializers naming a few of them compile cleanly under -Wextra.
struct EnvironmentConfig {
  /// Per linear memory, in 64 KiB pages: instantiation fails and memory.grow returns -1 past it.
  uint32_t max_memory_pages = wasm::kMaxPages;
  /// Fuel each process may burn in total (engine::Thread::set_fuel); past it the process
  /// traps "out of fuel". nullopt: unlimited.
  std::optional<uint64_t> max_fuel{};
  /// Host functions processes may import; a spawn whose module imports anything else fails
  /// with an error naming the import.
  binding::AllowList allowed = binding::AllowList::all();
  /// Live processes in this environment, counting those of environments created inside it.
  uint64_t max_processes = UINT64_MAX;
  /// Names registered in this environment (lunatic::registry::put), counting those of
  /// environments created inside it; put of a new name past it is refused.
  uint64_t max_names = UINT64_MAX;
  /// Resources one process may hold at once (sockets, modules, configs, error ids, DNS
  /// results...: host memory and file descriptors its linear memory does not bound). A process
  /// that takes one more is killed ("killed: too many resources ..."), as Erlang kills a
  /// process past its max_heap_size.
  uint64_t max_resources = UINT64_MAX;
  /// Host memory, in bytes, that all processes of this environment and of the environments
  /// created inside it may hold together: linear memories and tables, messages being built
  /// or queued (charged to the sender's environment), timers, registered names, links and
  /// monitors, modules compiled at run time. Past it memory.grow and table.grow return -1,
  /// instantiation fails, and a host call that would allocate kills its process
  /// ("killed: out of memory: ... max_memory_total"). See docs/design.md "Host memory".
  uint64_t max_memory_total = UINT64_MAX;
  /// Whether the linear memories of this environment's own processes count in
  /// max_memory_total at their declared size (a sandbox: it may touch every page it asked
  /// for). `lunatic run`'s default root budget leaves them out: a million processes of a
  /// guest that declares 128 KiB and touches a few pages would otherwise be refused at a
  /// small fraction of what the host holds; each process's flat Environment::kProcessBytes
  /// stands for the pages an idle one touches. Tables, messages, timers and the rest count
  /// either way.
  bool charge_linear_memory = true;
};

/// A child config that leaves max_memory_total unset but bounds both its process count and
/// its memories gets max_processes x kHostBytesPerMemory x max_memory + kHostBytesPerProcess
/// each: room for each process's linear memory, as much again of host state (messages,
/// tables, timers), and a floor for a process with a tiny memory.
inline constexpr uint64_t kHostBytesPerMemory = 2;
inline constexpr uint64_t kHostBytesPerProcess = uint64_t{1} << 20;

/// An immutable configuration plus the count of its live processes and its table of names.
/// Shared (shared_ptr) by its processes, its child environments and any handle to it;
/// thread-safe.
class Environment : public std::enable_shared_from_this<Environment> {
 public:
  /// How deep environments nest: a top-level environment has depth 0, a child one more than
  /// its parent. Runtime::spawn refuses a process in an environment deeper than this, so that
  /// the walks along the ancestors (process and name counts, name lookups) that each spawn,
  /// end and registry call makes stay short, whatever a guest nests.
  static constexpr uint32_t kMaxDepth = 64;

  /// A top-level environment (the root process's), exactly as configured.
  static std::shared_ptr<Environment> create(EnvironmentConfig config);
  /// An environment inside this one: every limit is the smaller of `config`'s and this one's,
  /// and the allowed namespaces are the intersection. Its processes also count against this
  /// environment's (and its ancestors') max_processes.
  std::shared_ptr<Environment> create_child(const EnvironmentConfig& config) const;

  const EnvironmentConfig& config() const { return config_; }
  const std::shared_ptr<const Environment>& parent() const { return parent_; }
  /// A number that names this environment in introspection: 1, 2, 3... in creation order,
  /// unique within the program.
  uint64_t id() const { return id_; }
  /// 0 for a top-level environment, else the parent's depth + 1 (see kMaxDepth).
  uint32_t depth() const { return depth_; }
  uint64_t live_processes() const { return live_.load(std::memory_order_relaxed); }

  /// The host memory budget of this environment (max_memory_total), whose parent is the
  /// parent environment's: everything charged here is charged to every ancestor too.
  const MemoryBudget& budget() const { return budget_; }
  /// budget() as a shared_ptr that keeps this environment (and so its ancestors' budgets)
  /// alive: what a MemoryCharge that may outlive the process holds (a queued message).
  std::shared_ptr<const MemoryBudget> budget_handle() const {
    return {shared_from_this(), &budget_};
  }

  /// Host memory charged per live process for its own host state: the Process, its store,
  /// thread, mailbox and links, which nothing else charges, and (where linear memories are
  /// not charged, EnvironmentConfig::charge_linear_memory) the pages an idle one touches.
  /// Measured per process parked in receive, the small C guest (bench_idle_receive, 20,000
  /// processes, resident memory plus page tables): 13.9 + 0.3 KiB interpreted, 17.5 + 0.5
  /// KiB in the baseline or LLVM's code (the top page of its native stack segment, and its
  /// share of the page-table page that maps sixteen segments: native/execution_stack.cpp). One
  /// charge for every tier, the native one's plus 1.5%: a process may start in the
  /// interpreter and move to native code while it runs (auto, compiled). With the default
  /// budget of `lunatic run` (3/4 of a 23.5 GiB machine) that admits 1,014,000 processes.
  /// integration.idle_process_bytes checks that it covers each tier.
  static constexpr uint64_t kProcessBytes = 18'688;
  /// Of an instance's own host state (engine::InstanceBytes: its functions, globals, element
  /// segments, ...), what kProcessBytes already covers: the measured guest's instance (58
  /// functions, 11 imports: 2,649 bytes) is in the figures above, and kProcessBytes' margin
  /// over them (256 bytes) takes a little more. A module whose instance holds more (a big
  /// passive element segment, thousands of functions or globals) is charged the excess at its
  /// spawn.
  static constexpr uint64_t kUnchargedInstanceBytes = 2'880;

  enum class Entry : uint8_t { Entered, TooManyProcesses, OutOfMemory };
  /// Counts one more live process here and in every ancestor and charges kProcessBytes to
  /// the budget; nothing counted or charged if that would pass any of their max_processes
  /// (TooManyProcesses) or max_memory_total (OutOfMemory). The runtime calls it in spawn.
  Entry enter() const;
  /// enter() == Entered.
  bool try_enter() const { return enter() == Entry::Entered; }
  /// Undoes one successful enter() (a process ended, or its spawn failed later).
  void leave() const;

  // ---- names (lunatic::registry) ----------------------------------------------------------
  // A name belongs to the environment it was put in: lookups see this table, then the
  // ancestors' (the nearest registration wins), so a sandbox can shadow a name for its own
  // subtree but never change what its parent or siblings see. Callers register through
  // ProcessNames::put, so that a name goes when its process ends.

  /// Registers `name` for `id` in this table, replacing this table's
  /// registration of it. A new name counts here and in every ancestor; Refused (nothing
  /// counted) if that would pass any of their max_names.
  NameTable::Put put_name(std::string_view name, ProcessId id) const;
  /// The process of the nearest registration of `name`: here, else in the closest ancestor.
  std::optional<ProcessId> find_name(std::string_view name) const;
  /// Removes `name` from this table only; false if this table does not hold it.
  bool remove_name(std::string_view name) const;
  /// Removes the names of process `id` from this table only (it ended).
  void remove_names_of(ProcessId id) const;
  /// The names of process `id` in this table only (introspection).
  std::vector<std::string> names_of(ProcessId id) const { return names_.names_of(id); }
  /// Names registered here and in the environments created inside this one.
  uint64_t registered_names() const { return names_counted_.load(std::memory_order_relaxed); }

  Environment(EnvironmentConfig config, std::shared_ptr<const Environment> parent);
  /// Gives the names left in its table back to the ancestors' counts.
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

 private:
  /// Takes `count` names off this environment's and its ancestors' counts.
  void uncount_names(uint64_t count) const;
  /// Gives back the budget of removed names of `bytes` name bytes in all.
  void release_names(uint64_t count, uint64_t bytes) const;

  // Read by every spawn (its limits), written never: apart from the counters below, which
  // every spawn and every process end write, often on two workers at once. On the same cache
  // line as those, each read of the configuration missed whenever another worker had just
  // counted a spawn or an end.
  EnvironmentConfig config_;
  std::shared_ptr<const Environment> parent_;
  uint64_t id_;
  uint32_t depth_ = 0;
  // Written by enter() and leave(), together: one line of their own.
  alignas(64) mutable std::atomic<uint64_t> live_{0};
  MemoryBudget budget_;
  alignas(64) mutable NameTable names_;
  mutable std::atomic<uint64_t> names_counted_{0};
  /// Budget held by the names in names_ (given back to the parent's budget at destruction).
  mutable std::atomic<uint64_t> names_charged_{0};
};

/// What one registered name is charged: its bytes and the two tree nodes that hold it.
inline uint64_t name_charge(std::string_view name) { return name.size() + 160; }

}  // namespace lunatic::runtime
