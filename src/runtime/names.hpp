// Names: the runtime's table of registered process names (lunatic::registry), so that a
// process can be found by a well-known name instead of an id passed around in messages.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/ids.hpp"

namespace lunatic::runtime {

/// Thread-safe. A name maps to one process id; the entry is not removed when the process dies
/// (callers check Runtime::exists), as in lunatic, where a name outlives its process until it
/// is replaced or removed.
class Names {
 public:
  /// Registers `name` for `id`, replacing an earlier registration of that name.
  void put(std::string_view name, ProcessId id) {
    std::lock_guard lock(mutex_);
    names_.insert_or_assign(std::string(name), id);
  }
  /// The id registered under `name`, if any.
  std::optional<ProcessId> get(std::string_view name) const {
    std::lock_guard lock(mutex_);
    auto it = names_.find(name);
    if (it == names_.end()) return std::nullopt;
    return it->second;
  }
  /// Removes `name`; false if it was not registered.
  bool remove(std::string_view name) {
    std::lock_guard lock(mutex_);
    auto it = names_.find(name);
    if (it == names_.end()) return false;
    names_.erase(it);
    return true;
  }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return names_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ProcessId, std::less<>> names_;
};

}  // namespace lunatic::runtime
