// Names (lunatic::registry): one environment's table of registered process names, and the
// note each process keeps of the tables that name it, so that its names go when it ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/ids.hpp"

namespace lunatic::runtime {

class Environment;

/// The longest name lunatic::registry takes, in bytes (a longer one is a guest's mistake: the
/// host functions trap).
inline constexpr size_t kMaxNameBytes = 1024;

/// The names registered in one environment (each Environment owns one). Thread-safe. Lookups
/// along the ancestors' tables and the max_names count live in Environment; the length cap
/// (kMaxNameBytes) is checked by the host functions before they get here.
class NameTable {
 public:
  enum class Put : uint8_t {
    Added,     ///< a new name
    Replaced,  ///< the name was registered here already; it now names the new process
    Refused,   ///< a new name and `admit` said no (the environment is at max_names)
  };

  /// Registers `name` for `id`. For a new name, calls `admit()` first (under the table's lock)
  /// and adds the name only if it returns true.
  template <class Admit> Put put(std::string_view name, ProcessId id, Admit&& admit) {
    std::lock_guard lock(mutex_);
    if (auto it = by_name_.find(name); it != by_name_.end()) {
      by_process_.erase({it->second, it->first});
      it->second = id;
      by_process_.emplace(id, it->first);
      return Put::Replaced;
    }
    if (!admit()) return Put::Refused;
    auto it = by_name_.emplace(std::string(name), id).first;
    by_process_.emplace(id, it->first);
    return Put::Added;
  }
  /// The process `name` names here, if any.
  std::optional<ProcessId> find(std::string_view name) const;
  /// Removes `name`; false if it is not registered here.
  bool remove(std::string_view name);
  /// Removes every name of process `id`; returns how many there were, and adds their bytes to
  /// `*bytes` if given. O(those names).
  size_t remove_process(ProcessId id, uint64_t* bytes = nullptr);
  /// The names of process `id` here, in name order.
  std::vector<std::string> names_of(ProcessId id) const;
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ProcessId, std::less<>> by_name_;
  /// The same entries by process; the views point at by_name_'s keys (stable in a std::map).
  std::set<std::pair<ProcessId, std::string_view>> by_process_;
};

/// Where one process is named (Process::names()): the environments whose tables may hold
/// one of its names. Thread-safe: any process may name another. Once the process has ended
/// (close()), nothing can name it any more.
class ProcessNames {
 public:
  enum class Put : uint8_t {
    Registered,    ///< `name` in `environment` now names the process
    LimitReached,  ///< a new name, and the environment (or an ancestor) is at max_names
    Ended,         ///< the process has ended: nothing registered
  };

  /// Registers `name` for process `id` (whose ProcessNames this is) in `environment`'s own
  /// table, replacing that table's registration of `name`.
  Put put(const std::shared_ptr<const Environment>& environment, std::string_view name,
          ProcessId id);
  /// Called once, as process `id` ends: removes its names from every table that holds one,
  /// and refuses names from now on. O(its names + the environments that named it).
  void close(ProcessId id);
  /// The names of process `id` in every table that holds one (introspection).
  std::vector<std::string> list(ProcessId id) const;

 private:
  /// @pre mutex_ held. Also forgets environments that no longer exist, so the list is never
  /// longer than the live environments that named the process.
  void remember(const std::shared_ptr<const Environment>& environment);

  mutable std::mutex mutex_;
  bool closed_ = false;
  std::vector<std::weak_ptr<const Environment>> environments_;
};

}  // namespace lunatic::runtime
