// Environment: the limits processes live under (memory, fuel, the host functions they may
// import, process, name and resource counts, host memory), as a public config value and a
// shared handle.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <lunatic/linker.hpp>

namespace lunatic {

namespace detail {
struct Access;
}

/// What an environment allows. Defaults allow everything. Every member has an initializer, so
/// that designated initializers naming a few of them compile cleanly under -Wextra.
struct EnvironmentConfig {
  /// Per linear memory, in 64 KiB pages: instantiation fails and memory.grow returns -1 past it.
  uint32_t max_memory_pages = 65536;
  /// Fuel each process may burn in total; past it the process traps "out of fuel".
  /// nullopt: unlimited.
  std::optional<uint64_t> max_fuel{};
  /// Host functions processes may import; a spawn whose module imports anything else fails
  /// with an error naming the import.
  AllowList allowed = AllowList::all();
  /// Live processes in this environment, counting those of environments created inside it.
  uint64_t max_processes = UINT64_MAX;
  /// Names processes may register here (lunatic::registry), counting child environments'.
  uint64_t max_names = UINT64_MAX;
  /// Resources one process may hold at once (sockets, modules, ...); a process that takes one
  /// more is killed ("killed: too many resources ...").
  uint64_t max_resources = UINT64_MAX;
  /// Host memory, in bytes, all processes of this environment (and of those inside it) may
  /// hold together: linear memories, tables, queued messages, timers, names... Past it
  /// memory.grow returns -1, a spawn fails, and a host call that would allocate kills its
  /// process ("killed: out of memory: ..."). docs/design.md "Host memory".
  uint64_t max_memory_total = UINT64_MAX;
  /// Whether this environment's own linear memories count in max_memory_total at their
  /// declared size (a sandbox: it may touch every page it asked for).
  bool charge_linear_memory = true;
};

/// A handle to an environment: copies share it, and so do its processes and the environments
/// created inside it. Thread-safe.
class Environment {
 public:
  /// An empty handle (spawning into it fails); create() makes real ones.
  Environment() = default;
  /// Whether this handle holds an environment.
  explicit operator bool() const { return impl_ != nullptr; }

  /// A top-level environment, exactly as configured.
  static Environment create(EnvironmentConfig config = {});
  /// An environment inside this one: each limit is the smaller of `config`'s and this one's,
  /// the allowed host functions those both allow; its processes count against this one's too.
  Environment create_child(const EnvironmentConfig& config) const;

  /// Its limits (for a child: after clamping to its parent's).
  EnvironmentConfig config() const;
  /// The number introspection calls it (EnvironmentInfo::id): 1, 2, 3... in creation order.
  uint64_t id() const;
  /// Processes alive in it now, counting those of environments inside it.
  uint64_t live_processes() const;

  struct Impl;  ///< defined by the implementation

 private:
  friend struct detail::Access;
  explicit Environment(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace lunatic
