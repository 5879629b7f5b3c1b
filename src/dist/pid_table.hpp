// PidTable: the mapping between lunatic process ids and Erlang pids (docs/distribution.md).
// A local process id N is the pid {this node, N mod 2^32, N div 2^32, this node's creation};
// a pid of another node gets a remote id, runtime::kRemoteBit | its index in this table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dist/etf.hpp"
#include "runtime/ids.hpp"

namespace lunatic::dist {

/// Thread-safe. Remote pids are kept for the node's life (ids are never reused), at most
/// `capacity` of them: past it, new pids get no id (their messages are dropped).
class PidTable {
 public:
  static constexpr size_t kDefaultCapacity = size_t{1} << 20;

  PidTable(std::string node, uint32_t creation, size_t capacity = kDefaultCapacity);

  /// The pid of local process `id`. @pre !runtime::is_remote(id)
  ErlangPid local_pid(runtime::ProcessId id) const;
  /// The process id of `pid`: the local id for a pid of this node and creation, a remote id
  /// for another node's (added if new). nullopt for a pid of this node with another creation
  /// (an earlier run of the node: no such process), or of id 0, or when the table is full.
  std::optional<runtime::ProcessId> id_of(const ErlangPid& pid);
  /// The pid behind remote id `id`, or nullopt if this table never gave it.
  std::optional<ErlangPid> remote_pid(runtime::ProcessId id) const;
  /// How many remote pids the table holds.
  size_t size() const;
  const std::string& node() const { return node_; }
  uint32_t creation() const { return creation_; }

 private:
  struct Hash {
    size_t operator()(const ErlangPid& pid) const;
  };

  const std::string node_;
  const uint32_t creation_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<ErlangPid, uint64_t, Hash> index_;  ///< under mutex_
  std::vector<ErlangPid> pids_;                          ///< under mutex_; by index
};

}  // namespace lunatic::dist
