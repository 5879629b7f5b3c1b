// Environment: the limits a process lives under (memory, fuel, host namespaces, process
// count). Children inherit their parent's environment; a new environment made by a process is
// clamped to its parent's, so a sandbox can never grant more than it has.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "binding/linker.hpp"
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
};

/// An immutable configuration plus the count of its live processes. Shared (shared_ptr) by
/// its processes, its child environments and any handle to it; thread-safe.
class Environment : public std::enable_shared_from_this<Environment> {
 public:
  /// A top-level environment (the root process's), exactly as configured.
  static std::shared_ptr<Environment> create(EnvironmentConfig config);
  /// An environment inside this one: every limit is the smaller of `config`'s and this one's,
  /// and the allowed namespaces are the intersection. Its processes also count against this
  /// environment's (and its ancestors') max_processes.
  std::shared_ptr<Environment> create_child(const EnvironmentConfig& config) const;

  const EnvironmentConfig& config() const { return config_; }
  const std::shared_ptr<const Environment>& parent() const { return parent_; }
  uint64_t live_processes() const { return live_.load(std::memory_order_relaxed); }

  /// Counts one more live process here and in every ancestor; false (nothing counted) if that
  /// would pass any of their max_processes. The runtime calls it in spawn.
  bool try_enter() const;
  /// Undoes one try_enter() (a process ended, or its spawn failed later).
  void leave() const;

  Environment(EnvironmentConfig config, std::shared_ptr<const Environment> parent)
      : config_(std::move(config)), parent_(std::move(parent)) {}

 private:
  EnvironmentConfig config_;
  std::shared_ptr<const Environment> parent_;
  mutable std::atomic<uint64_t> live_{0};
};

}  // namespace lunatic::runtime
