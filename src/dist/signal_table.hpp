// SignalTable: the links and monitors between this node's processes and one peer's, kept by
// peer, so that an exit, a monitor's end or a lost connection finds every entry it ends
// (docs/distribution.md "Links and monitors"). The processes' own Links hold their side too;
// this is what the node must answer for them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "runtime/ids.hpp"

namespace lunatic::dist {

/// Set in the keys of monitors made by remote spawns (SignalTable::add_outgoing with a key);
/// the table's own keys count up from 1 and never reach it.
inline constexpr uint64_t kSpawnKeyBit = uint64_t{1} << 63;

/// A monitor set by a local process on a process of the peer.
struct OutgoingMonitor {
  runtime::ProcessId watcher = 0;
  runtime::ProcessId target = 0;  ///< remote id
  runtime::Tag tag = 0;           ///< the watcher's tag for its ProcessDied
};

/// A monitor set by a process of the peer on a local process, with what to answer with.
struct IncomingMonitor {
  runtime::ProcessId target = 0;   ///< local id
  runtime::ProcessId watcher = 0;  ///< remote id
  std::vector<uint8_t> proc;       ///< the target as the peer named it (pid or name)
  std::vector<uint8_t> ref;        ///< the peer's reference
  uint64_t key = 0;                ///< set by SignalTable::add_incoming
};

/// Thread-safe. Each peer holds at most `max_per_peer` entries (links and monitors both
/// ways): a peer that floods LINK or MONITOR_P cannot grow the node without bound.
class SignalTable {
 public:
  explicit SignalTable(size_t max_per_peer) : max_per_peer_(max_per_peer) {}

  /// Records the link local <-> remote with `peer`'s process; false if `peer` is full.
  bool add_link(const std::string& peer, runtime::ProcessId local, runtime::ProcessId remote);
  /// Forgets it; false if there was none.
  bool remove_link(const std::string& peer, runtime::ProcessId local, runtime::ProcessId remote);

  /// Records a monitor of a process of `peer`; its key (never 0), or nullopt if `peer` is full.
  std::optional<uint64_t> add_outgoing(const std::string& peer, const OutgoingMonitor& monitor);
  /// The same under a key the caller chose (a spawn's monitor: kSpawnKeyBit set, a range the
  /// table's own keys never reach); false if `peer` is full or the key is taken.
  bool add_outgoing(const std::string& peer, const OutgoingMonitor& monitor, uint64_t key);
  /// Removes the monitor `key`; with it, whether its watcher has no other monitor of the same
  /// target left.
  std::optional<std::pair<OutgoingMonitor, bool>> take_outgoing(const std::string& peer,
                                                                uint64_t key);
  /// Removes every monitor `watcher` set on `target`; their keys.
  std::vector<uint64_t> take_outgoing_of(const std::string& peer, runtime::ProcessId watcher,
                                         runtime::ProcessId target);

  /// Records a monitor set by a process of `peer`; its key, or nullopt if `peer` is full.
  std::optional<uint64_t> add_incoming(const std::string& peer, IncomingMonitor monitor);
  std::optional<IncomingMonitor> take_incoming(const std::string& peer, uint64_t key);
  /// The key of `watcher`'s monitor `ref`, if the peer set it.
  std::optional<uint64_t> find_incoming(const std::string& peer, runtime::ProcessId watcher,
                                        std::span<const uint8_t> ref) const;

  /// Everything with `peer`, removed: its connection is gone.
  struct Lost {
    std::vector<std::pair<runtime::ProcessId, runtime::ProcessId>> links;  ///< local, remote
    std::vector<OutgoingMonitor> outgoing;
    std::vector<IncomingMonitor> incoming;
  };
  Lost take_peer(const std::string& peer);

  /// Entries held for `peer` (tests).
  size_t size(const std::string& peer) const;

 private:
  using Pair = std::pair<runtime::ProcessId, runtime::ProcessId>;
  struct Peer {
    std::set<Pair> links;                               ///< local, remote
    std::map<uint64_t, OutgoingMonitor> outgoing;       ///< by key
    std::map<Pair, std::vector<uint64_t>> outgoing_by;  ///< watcher, target -> keys
    std::map<uint64_t, IncomingMonitor> incoming;       ///< by key
    std::map<std::pair<runtime::ProcessId, std::vector<uint8_t>>, uint64_t> incoming_by;
    size_t size() const { return links.size() + outgoing.size() + incoming.size(); }
  };
  Peer* find(const std::string& peer);
  const Peer* find(const std::string& peer) const;

  const size_t max_per_peer_;
  mutable std::mutex mutex_;
  std::map<std::string, Peer> peers_;  ///< under mutex_
  uint64_t next_key_ = 1;              ///< under mutex_
};

}  // namespace lunatic::dist
