// Router: where a message addressed to a process id of another node goes. The runtime routes
// every send by the id alone: a local id to its process's mailbox, a remote id (kRemoteBit
// set) to the Router installed by a distribution layer above (src/dist).
#pragma once

#include <memory>

#include "runtime/ids.hpp"
#include "runtime/message.hpp"

namespace lunatic::runtime {

/// Set in every id that names a process of another node. Local ids come from a counter that
/// starts at 1 and never reaches 2^63, so the two ranges never meet; what the other 63 bits
/// of a remote id mean is the Router's business (src/dist: an index into its pid table).
inline constexpr ProcessId kRemoteBit = ProcessId{1} << 63;

/// True if `id` names a process of another node.
constexpr bool is_remote(ProcessId id) { return (id & kRemoteBit) != 0; }

/// Delivers messages addressed to remote ids. Implemented by the distribution layer and
/// installed with Runtime::set_router. Thread-safe: called from workers, timers, the host.
class Router {
 public:
  virtual ~Router() = default;
  /// Hands `message` to the connection of `to`'s node, `to` being a remote id. Returns false
  /// (the message dropped) if `to` is unknown, its node unreachable, or the message cannot
  /// cross nodes (resources, data that is not one term). Must not block on the network.
  virtual bool send_remote(ProcessId to, std::unique_ptr<Message> message) = 0;
};

}  // namespace lunatic::runtime
