// Node (node.hpp): links, exits and monitors across nodes with Erlang's semantics, both ways,
// and what a lost connection does to them (noconnection). The local side of each lives in the
// processes' Links (runtime/remote_links.cpp); SignalTable holds what this node must answer.
#include <string>

#include "dist/connection.hpp"
#include "dist/node.hpp"
#include "runtime/process.hpp"

namespace lunatic::dist {
namespace {

using runtime::ExitStatus;
using runtime::ProcessId;

ExitStatus::Kind kind_of(const ExitReason& reason) {
  if (reason.normal) return ExitStatus::Kind::Normal;
  return reason.killed ? ExitStatus::Kind::Killed : ExitStatus::Kind::Failed;
}

}  // namespace

// ---- this node's processes link to and monitor remote ones ----------------------------------

bool Node::link(ProcessId local, ProcessId remote) {
  std::optional<ErlangPid> pid = pids_->remote_pid(remote);
  if (!pid || pid->node == name_) return false;
  if (!signals_.add_link(pid->node, local, remote)) return false;
  if (enqueue_to(pid->node, link_frame(pids_->local_pid(local), *pid))) return true;
  signals_.remove_link(pid->node, local, remote);
  return false;
}

void Node::unlink(ProcessId local, ProcessId remote) {
  std::optional<ErlangPid> pid = pids_->remote_pid(remote);
  if (!pid || !signals_.remove_link(pid->node, local, remote)) return;
  EtfWriter id;
  id.integer(static_cast<int64_t>(next_unlink_id_.fetch_add(1) & 0x7FFFFFFF));
  enqueue_to(pid->node, unlink_id_frame(false, id.bytes(), pids_->local_pid(local), *pid));
}

bool Node::monitor(ProcessId watcher, ProcessId target, runtime::Tag tag) {
  std::optional<ErlangPid> pid = pids_->remote_pid(target);
  if (!pid || pid->node == name_) return false;
  std::optional<uint64_t> key = signals_.add_outgoing(pid->node, {watcher, target, tag});
  if (!key) return false;
  const ErlangPid from = pids_->local_pid(watcher);
  if (enqueue_to(pid->node, monitor_frame(false, from, *pid, monitor_ref(*key)))) return true;
  signals_.take_outgoing(pid->node, *key);
  return false;
}

void Node::demonitor(ProcessId watcher, ProcessId target) {
  std::optional<ErlangPid> pid = pids_->remote_pid(target);
  if (!pid) return;
  const ErlangPid from = pids_->local_pid(watcher);
  for (uint64_t key : signals_.take_outgoing_of(pid->node, watcher, target)) {
    enqueue_to(pid->node, monitor_frame(true, from, *pid, monitor_ref(key)));
  }
}

bool Node::kill(ProcessId from, ProcessId to) {
  std::optional<ErlangPid> pid = pids_->remote_pid(to);
  if (!pid || pid->node == name_) return false;
  EtfWriter reason;
  reason.atom("kill");
  return enqueue_to(pid->node, exit2_frame(pids_->local_pid(from), *pid, reason.bytes()));
}

void Node::exited(ProcessId dead, const runtime::Notifications& remote, const ExitStatus& status) {
  const ErlangPid self = pids_->local_pid(dead);
  const std::vector<uint8_t> reason = reason_term(status.to_string());
  for (const runtime::LinkEntry& l : remote.links) {
    std::optional<ErlangPid> pid = pids_->remote_pid(l.process);
    if (pid && signals_.remove_link(pid->node, dead, l.process)) {
      enqueue_to(pid->node, exit_frame(self, *pid, reason));
    }
  }
  for (const runtime::MonitorEntry& m : remote.monitors) {
    std::optional<ErlangPid> watcher = pids_->remote_pid(m.watcher);
    if (!watcher) continue;
    std::vector<runtime::Tag> keys{m.tag};
    keys.insert(keys.end(), m.more_tags.begin(), m.more_tags.end());
    for (runtime::Tag key : keys) {
      if (std::optional<IncomingMonitor> in = signals_.take_incoming(watcher->node, key)) {
        enqueue_to(watcher->node, monitor_exit_frame(in->proc, *watcher, in->ref, reason));
      }
    }
  }
  for (const runtime::LinkEntry& w : remote.watching) demonitor(dead, w.process);
}

// ---- what a peer's processes ask of this node's ---------------------------------------------

bool Node::signal(const std::string& peer, const Control& c, std::string& why) {
  if (c.signal == Signal::Ignored || c.signal == Signal::UnlinkAck) return true;
  // Spawn requests are the connection's (Node::spawn_request): it may have to wait for one.
  if (c.signal == Signal::SpawnReply) return on_spawn_reply(peer, c), true;
  std::optional<ProcessId> remote = c.from ? pids_->id_of(*c.from) : std::nullopt;
  std::shared_ptr<runtime::Process> process;
  std::optional<ProcessId> local;
  if (c.signal == Signal::MonitorExit) {
    // The watcher is ours (`to`); the dead process is the peer's, named by the monitor.
    std::optional<uint64_t> key = monitor_key(c.ref);
    if (!key) return true;
    std::optional<std::pair<OutgoingMonitor, bool>> out = signals_.take_outgoing(peer, *key);
    if (!out || !c.to || pids_->id_of(*c.to) != out->first.watcher) return true;
    if (auto watcher = runtime_.find(out->first.watcher)) {
      const ExitReason reason = read_reason(c.reason);
      watcher->remote_monitor_fired(out->first.target, out->first.tag, kind_of(reason), reason.text,
                                    out->second);
    }
    return true;
  }
  if (!remote) return true;  // the pid table is full: nothing this node can answer
  if (c.to) {
    local = pids_->id_of(*c.to);
  } else if (config_.names) {
    local = config_.names->find_name(c.to_name);
  }
  if (local && runtime::is_remote(*local)) local.reset();
  if (local) process = runtime_.find(*local);
  switch (c.signal) {
    case Signal::Link:
      if (process) {
        if (!signals_.add_link(peer, *local, *remote)) return why = "too many links", false;
        if (process->add_remote_link(*remote)) return true;
        signals_.remove_link(peer, *local, *remote);
      }
      // As Erlang: linking to a process that does not exist is its exit with noproc.
      if (c.to) enqueue_to(peer, exit_frame(*c.to, *c.from, reason_term("noproc")));
      return true;
    case Signal::Unlink:
      if (local) signals_.remove_link(peer, *local, *remote);
      if (process) process->remove_remote_link(*remote);
      if (!c.unlink_id.empty() && c.to) {
        enqueue_to(peer, unlink_id_frame(true, c.unlink_id, *c.to, *c.from));
      }
      return true;
    case Signal::Exit:
      if (local && signals_.remove_link(peer, *local, *remote) && process) {
        const ExitReason reason = read_reason(c.reason);
        process->remote_link_died(*remote, kind_of(reason), reason.text);
      }
      return true;
    case Signal::Exit2: {
      // exit(Pid, Reason) from the peer: `normal` is ignored (as for a process that does not
      // trap exits); any other reason kills, as a local kill would.
      const ExitReason reason = read_reason(c.reason);
      std::string atom;
      if (process && EtfReader(c.reason).atom(atom) && atom == "kill") {
        // Erlang's untrappable kill: the process ends `killed`, as a local kill ends it.
        process->kill(engine::Trap::of(engine::TrapKind::Killed));
      } else if (process && !reason.normal) {
        process->kill(engine::Trap::killed("exit signal from node " + peer + ": " + reason.text));
      }
      return true;
    }
    case Signal::Monitor: {
      if (process) {
        IncomingMonitor in{
            *local, *remote, {c.to_proc.begin(), c.to_proc.end()}, {c.ref.begin(), c.ref.end()}, 0};
        std::optional<uint64_t> key = signals_.add_incoming(peer, std::move(in));
        if (!key) return why = "too many monitors", false;
        if (process->add_remote_monitor(*remote, *key)) return true;
        signals_.take_incoming(peer, *key);
      }
      enqueue_to(peer, monitor_exit_frame(c.to_proc, *c.from, c.ref, reason_term("noproc")));
      return true;
    }
    case Signal::Demonitor:
      if (std::optional<uint64_t> key = signals_.find_incoming(peer, *remote, c.ref)) {
        if (std::optional<IncomingMonitor> in = signals_.take_incoming(peer, *key)) {
          if (auto target = runtime_.find(in->target)) target->remove_remote_monitor(*remote, *key);
        }
      }
      return true;
    default: return true;
  }
}

// ---- connections come and go ----------------------------------------------------------------

// Erlang reads only 18 bits of a reference's first word (its external term format): the 64
// bits of a key spread over three words, 18 + 32 + 14.
ErlangRef Node::monitor_ref(uint64_t key) const {
  return ErlangRef{name_,
                   pids_->creation(),
                   {static_cast<uint32_t>(key & 0x3FFFF), static_cast<uint32_t>(key >> 18),
                    static_cast<uint32_t>(key >> 50)}};
}

std::optional<uint64_t> Node::monitor_key(std::span<const uint8_t> ref) const {
  ErlangRef parsed;
  EtfReader reader(ref);
  if (!reader.reference(parsed) || parsed.node != name_ || parsed.creation != pids_->creation() ||
      parsed.ids.size() != 3 || parsed.ids[0] > 0x3FFFF || parsed.ids[2] > 0x3FFF) {
    return std::nullopt;
  }
  return uint64_t{parsed.ids[0]} | uint64_t{parsed.ids[1]} << 18 | uint64_t{parsed.ids[2]} << 50;
}

void Node::connection_up(const Connection& connection) {
  log(false, "node " + connection.peer() + " is up");
  tell_node_watchers(true, connection.peer());
}

void Node::connection_ended(const Connection& connection) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;  // the runtime is going: nobody is told
    auto current = peers_.find(connection.peer());
    // A connection that a newer one replaced leaves the links to the newer one.
    if (current != peers_.end() && current->second.get() != &connection) return;
    if (current != peers_.end()) peers_.erase(current);
  }
  connection_lost(signals_.take_peer(connection.peer()));
  fail_spawns(connection.peer());
  if (connection.up()) tell_node_watchers(false, connection.peer());
}

void Node::connection_lost(const SignalTable::Lost& lost) {
  const std::string reason(runtime::kNoConnectionReason);
  for (const auto& [local, remote] : lost.links) {
    if (auto process = runtime_.find(local)) {
      process->remote_link_died(remote, ExitStatus::Kind::Failed, reason);
    }
  }
  for (const OutgoingMonitor& m : lost.outgoing) {
    if (auto watcher = runtime_.find(m.watcher)) {
      watcher->remote_monitor_fired(m.target, m.tag, ExitStatus::Kind::Failed, reason, true);
    }
  }
  for (const IncomingMonitor& m : lost.incoming) {
    if (auto target = runtime_.find(m.target)) target->remove_remote_monitor(m.watcher, m.key);
  }
}

// ---- node list and node watchers ------------------------------------------------------------

std::vector<std::string> Node::nodes() const {
  std::vector<std::string> names;
  std::lock_guard lock(mutex_);
  for (const auto& [name, connection] : peers_) {
    if (connection->up() && !connection->finished()) names.push_back(name);
  }
  return names;
}

bool Node::monitor_nodes(ProcessId id, bool on) {
  std::lock_guard lock(mutex_);
  if (!on) {
    node_watchers_.erase(id);
    return true;
  }
  if (node_watchers_.size() >= kMaxNodeWatchers && !node_watchers_.contains(id)) return false;
  node_watchers_.insert(id);
  return true;
}

void Node::tell_node_watchers(bool up, const std::string& peer) {
  std::vector<ProcessId> watchers;
  {
    std::lock_guard lock(mutex_);
    watchers.assign(node_watchers_.begin(), node_watchers_.end());
  }
  EtfWriter term;
  term.version().tuple(2).atom(up ? "nodeup" : "nodedown").atom(peer);
  std::vector<ProcessId> gone;
  for (ProcessId id : watchers) {
    auto message = std::make_unique<runtime::Message>();
    message->tag = kTermTag;
    message->data = term.bytes();
    if (!runtime_.send(id, std::move(message))) gone.push_back(id);
  }
  // A watcher that ended stops watching: the set only holds live processes (and their ids
  // are never reused).
  std::lock_guard lock(mutex_);
  for (ProcessId id : gone) node_watchers_.erase(id);
}

}  // namespace lunatic::dist
