// HandleTable: a process's resources (sockets, modules, errors, configs...) under u64 ids that
// are never reused while the process lives, up to a limit.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>

#include "runtime/ids.hpp"

namespace lunatic::runtime {

/// Base of every resource a process can hold. Destroying it releases what it owns (a socket
/// closes, a module reference drops). Resources move between processes inside messages, so a
/// resource must not refer to the process that holds it.
class Resource {
 public:
  virtual ~Resource() = default;
  /// Short lowercase name of the resource type, for error messages ("process", "tcp stream").
  virtual const char* kind_name() const = 0;
};

/// A handle to another process (the id alone: holding it keeps nothing alive).
class ProcessHandle final : public Resource {
 public:
  explicit ProcessHandle(ProcessId id) : id_(id) {}
  const char* kind_name() const override { return "process"; }
  ProcessId id() const { return id_; }

 private:
  ProcessId id_;
};

/// The resources of one process. Not thread-safe: used by the process while it runs, and by
/// the runtime when it dies (no one else holds a reference). Ids start at 1 and only grow.
class HandleTable {
 public:
  HandleTable() = default;
  HandleTable(const HandleTable&) = delete;
  HandleTable& operator=(const HandleTable&) = delete;

  /// Called once, by the insert that takes the table past its limit.
  using OnExceeded = void (*)(void* owner, uint64_t limit);
  /// At most `limit` resources at once: an insert past it still succeeds, and calls
  /// `on_exceeded(owner, limit)` (the runtime kills the process: see EnvironmentConfig::
  /// max_resources), once.
  void set_limit(uint64_t limit, OnExceeded on_exceeded, void* owner) {
    limit_ = limit;
    on_exceeded_ = on_exceeded;
    owner_ = owner;
  }

  /// Adds `resource` (not null) and returns its new id.
  uint64_t insert(std::unique_ptr<Resource> resource) {
    const uint64_t id = next_id_++;
    entries_.emplace(id, std::move(resource));
    if (entries_.size() > limit_ && on_exceeded_ != nullptr) [[unlikely]] {
      std::exchange(on_exceeded_, nullptr)(owner_, limit_);
    }
    return id;
  }
  /// The resource `id` if it exists and is a T, else null.
  template <class T = Resource> T* get(uint64_t id) const {
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : dynamic_cast<T*>(it->second.get());
  }
  /// Removes and returns the resource `id` if it exists and is a T; else null (and the
  /// table is unchanged).
  template <class T = Resource> std::unique_ptr<T> take(uint64_t id) {
    auto it = entries_.find(id);
    if (it == entries_.end() || dynamic_cast<T*>(it->second.get()) == nullptr) return nullptr;
    std::unique_ptr<T> out(static_cast<T*>(it->second.release()));
    entries_.erase(it);
    return out;
  }
  /// Drops the resource `id`; false if there is none.
  bool remove(uint64_t id) { return entries_.erase(id) != 0; }
  /// Drops every resource (a dying process). Ids stay unused.
  void clear() { entries_.clear(); }

  size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<uint64_t, std::unique_ptr<Resource>> entries_;
  uint64_t next_id_ = 1;
  uint64_t limit_ = UINT64_MAX;
  OnExceeded on_exceeded_ = nullptr;
  void* owner_ = nullptr;
};

}  // namespace lunatic::runtime
