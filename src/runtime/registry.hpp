// Registry: the live processes of a runtime by id, sharded so that many workers can look up,
// add and remove processes at once without contending on one lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "runtime/ids.hpp"

namespace lunatic::runtime {

class Process;

/// Thread-safe. Holds the owning reference of each live process: a process leaves the
/// registry when it dies, and is destroyed when the last reference (a lookup in progress)
/// goes away.
class Registry {
 public:
  /// A new process id: 1, 2, 3, ... never reused.
  ProcessId next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  void insert(ProcessId id, std::shared_ptr<Process> process);
  /// The process `id` if it is alive (not yet removed), else null.
  std::shared_ptr<Process> find(ProcessId id) const;
  bool contains(ProcessId id) const;
  /// Removes `id`; returns its reference (null if absent).
  std::shared_ptr<Process> remove(ProcessId id);
  /// Number of live processes (sum over shards; a snapshot).
  size_t size() const;
  /// Calls `fn` for each live process (a snapshot per shard; `fn` runs outside the locks).
  void for_each(const std::function<void(const std::shared_ptr<Process>&)>& fn) const;

 private:
  static constexpr size_t kShards = 64;
  struct alignas(64) Shard {
    mutable std::mutex mutex;
    std::unordered_map<ProcessId, std::shared_ptr<Process>> processes;
  };
  Shard& shard(ProcessId id) const { return shards_[id % kShards]; }

  mutable std::array<Shard, kShards> shards_;
  std::atomic<ProcessId> next_id_{1};
};

}  // namespace lunatic::runtime
