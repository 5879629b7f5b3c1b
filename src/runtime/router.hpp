// Router: where a message addressed to a process id of another node goes. The runtime routes
// every send by the id alone: a local id to its process's mailbox, a remote id (kRemoteBit
// set) to the Router installed by a distribution layer above (src/dist); so do links and
// monitors that name a remote process, and the remote side of a local process's death.
#pragma once

#include <memory>

#include "runtime/ids.hpp"
#include "runtime/links.hpp"
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

  // Links and monitors across nodes. The runtime records its side (the local process's
  // LinkSet / watching set) before it calls these; the Router tells the other node and keeps
  // what it needs to answer a death or a lost connection (Process::remote_link_died and the
  // other remote_* calls). The defaults route nothing: a Router of messages only.

  /// Local process `local` linked itself to remote `remote`. False: the link cannot be made
  /// (unknown id, no route to its node); the caller then treats it as `noconnection`.
  virtual bool link(ProcessId local, ProcessId remote) {
    (void)local, (void)remote;
    return false;
  }
  /// `local` removed its link with `remote`.
  virtual void unlink(ProcessId local, ProcessId remote) { (void)local, (void)remote; }
  /// `watcher` monitors remote `target`; its ProcessDied will carry `tag`. False as link().
  virtual bool monitor(ProcessId watcher, ProcessId target, Tag tag) {
    (void)watcher, (void)target, (void)tag;
    return false;
  }
  /// `watcher` cancelled all its monitors of remote `target`.
  virtual void demonitor(ProcessId watcher, ProcessId target) { (void)watcher, (void)target; }
  /// Local process `from` kills remote `to` (Erlang's exit(To, kill)). False if `to` is
  /// unknown or its node cannot be reached.
  virtual bool kill(ProcessId from, ProcessId to) {
    (void)from, (void)to;
    return false;
  }
  /// Local process `dead` ended with `status`; `remote` holds the entries of its links and
  /// monitors that name remote processes (links, monitors set on it by remote watchers with
  /// the tags the Router gave them, and remote processes it monitored). Called once, on the
  /// worker that finished it.
  virtual void exited(ProcessId dead, const Notifications& remote, const ExitStatus& status) {
    (void)dead, (void)remote, (void)status;
  }
};

}  // namespace lunatic::runtime
