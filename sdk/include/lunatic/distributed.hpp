// lunatic C++ SDK: talking to processes of other nodes (Erlang's, or lunatic's) in Erlang
// terms. RemoteProcess is a process id that may name a process anywhere; receive_term waits
// for a term sent to this process (docs/distribution.md).
#ifndef LUNATIC_DISTRIBUTED_HPP
#define LUNATIC_DISTRIBUTED_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lunatic/distributed.h"
#include "lunatic/message.h"
#include "lunatic/process.h"
#include "lunatic/result.hpp"
#include "lunatic/term.hpp"

namespace lunatic {

/// This node's name, or nullopt if the runtime is not a distributed node.
inline std::optional<std::string> node_name() {
  std::string name(256, '\0');
  const int32_t n = lunatic_node_name(reinterpret_cast<uint8_t*>(name.data()), name.size());
  if (n < 0 || static_cast<size_t>(n) > name.size()) return std::nullopt;
  name.resize(static_cast<size_t>(n));
  return name;
}

/// The nodes connected now (empty if none, or if the runtime is not a node).
inline std::vector<std::string> nodes() {
  std::vector<uint8_t> buffer(1024);
  for (;;) {
    const int32_t n = lunatic_nodes(buffer.data(), buffer.size());
    if (n < 0) return {};
    if (static_cast<size_t>(n) <= buffer.size()) {
      buffer.resize(static_cast<size_t>(n));
      break;
    }
    buffer.resize(static_cast<size_t>(n) + 256);  // it may have grown meanwhile
  }
  std::vector<std::string> names;
  std::string name;
  for (uint8_t byte : buffer) {
    if (byte == 0) {
      names.push_back(std::move(name));
      name.clear();
    } else {
      name.push_back(static_cast<char>(byte));
    }
  }
  return names;
}

/// Starts (or stops) node events for this process: see node_event.
inline Result<void> monitor_nodes(bool on = true) {
  switch (lunatic_monitor_nodes(on ? 1 : 0)) {
    case 0: return {};
    case LUNATIC_NOT_DISTRIBUTED:
      return Error(ErrorKind::usage, "not a distributed node (run with --name or --sname)");
    default: return Error(ErrorKind::no_process, "too many processes watch nodes already");
  }
}

/// A node that came or went, as monitor_nodes reports it.
struct NodeEvent {
  bool up;
  std::string node;
};

/// The event in `term` if it is {nodeup, Node} or {nodedown, Node}.
inline std::optional<NodeEvent> node_event(const Term& term) {
  if (!term.is(Term::Kind::tuple) || term.elements().size() != 2) return std::nullopt;
  const Term& what = term.elements()[0];
  const Term& node = term.elements()[1];
  if (!what.is(Term::Kind::atom) || !node.is(Term::Kind::atom)) return std::nullopt;
  if (what.text() == "nodeup") return NodeEvent{true, node.text()};
  if (what.text() == "nodedown") return NodeEvent{false, node.text()};
  return std::nullopt;
}

/// A process on this node or another, by its lunatic process id (remote ids have bit 63
/// set). Sends carry Erlang terms.
class RemoteProcess {
 public:
  explicit RemoteProcess(uint64_t id) : id_(id) {}

  /// The process behind an Erlang pid (from a term received).
  static Result<RemoteProcess> from_pid(const Pid& pid) {
    const std::vector<uint8_t> bytes = encode(Term::pid(pid));
    uint64_t id = 0;
    switch (lunatic_pid_to_id(bytes.data(), bytes.size(), &id)) {
      case 0: return RemoteProcess(id);
      case LUNATIC_NOT_DISTRIBUTED:
        return Error(ErrorKind::usage, "not a distributed node (run with --name or --sname)");
      default: return Error(ErrorKind::no_process, "no process id for the pid of " + pid.node);
    }
  }
  /// This process, as the others see it.
  static RemoteProcess self() { return RemoteProcess(lunatic_process_id()); }

  uint64_t id() const { return id_; }
  /// Links this process with it (lunatic_link): Erlang's link/1 when it is remote. If its
  /// node is lost, the link dies with the reason "noconnection".
  void link(int64_t tag = 0) const { lunatic_link(tag, id_); }
  void unlink() const { lunatic_unlink(id_); }
  /// A LUNATIC_MESSAGE_PROCESS_DIED tagged `tag` when it ends ("noconnection" if its node is
  /// lost): Erlang's monitor/2 when it is remote.
  void monitor(int64_t tag) const { lunatic_monitor(tag, id_); }
  void stop_monitoring() const { lunatic_stop_monitoring(id_); }
  bool is_remote() const { return (id_ >> 63) != 0; }
  /// Its Erlang pid (to put in terms), or nullopt if the runtime is not a node.
  std::optional<Pid> pid() const {
    uint8_t buffer[300];
    const int32_t n = lunatic_id_to_pid(id_, buffer, sizeof buffer);
    if (n < 0 || static_cast<size_t>(n) > sizeof buffer) return std::nullopt;
    std::optional<Term> term = decode(buffer, static_cast<size_t>(n));
    if (!term || !term->is(Term::Kind::pid)) return std::nullopt;
    return term->as_pid();
  }
  /// Sends `term`, tagged LUNATIC_TERM_TAG. Fails with no_process if the process is not
  /// alive here, or if its node cannot be reached (the message is dropped).
  Result<void> send(const Term& term) const {
    const std::vector<uint8_t> bytes = encode(term);
    lunatic_create_data(LUNATIC_TERM_TAG, bytes.size());
    lunatic_write_data(bytes.data(), bytes.size());
    if (lunatic_send(id_) != 0) return Error(ErrorKind::no_process, "send failed", id_);
    return {};
  }

 private:
  uint64_t id_;
};

/// spawn_on's Erlang spawn_opt options: link the new process to the caller and/or monitor it,
/// both made before it runs (spawn_link / spawn_monitor across nodes).
struct SpawnOnOptions {
  bool link = false;
  int64_t link_tag = 0;  ///< the tag of the caller's link-died message
  bool monitor = false;
  int64_t monitor_tag = 0;  ///< the tag of the caller's process-died message
};

/// Runs the exported function `function` (i64 parameters) of this process's own module in a
/// new process on `node` (docs/distribution.md "Remote spawn"), and waits up to `timeout_ms`
/// for it to start. Fails with no_process and the node's reason (notsup: it refuses remote
/// spawns, or is an Erlang node; noconnection; badarg...).
/// A failed link or monitor (the other node could not make it) ends at once with noconnection.
inline Result<RemoteProcess> spawn_on(const std::string& node, const std::string& function,
                                      const std::vector<int64_t>& args, SpawnOnOptions options,
                                      uint64_t timeout_ms = 10'000);

inline Result<RemoteProcess> spawn_on(const std::string& node, const std::string& function,
                                      const std::vector<int64_t>& args = {},
                                      uint64_t timeout_ms = 10'000) {
  return spawn_on(node, function, args, SpawnOnOptions{}, timeout_ms);
}

/// spawn_on with `options` (SpawnOnOptions).
inline Result<RemoteProcess> spawn_on(const std::string& node, const std::string& function,
                                      const std::vector<int64_t>& args, SpawnOnOptions options,
                                      uint64_t timeout_ms) {
  const int32_t flags =
      (options.link ? LUNATIC_SPAWN_LINK : 0) | (options.monitor ? LUNATIC_SPAWN_MONITOR : 0);
  const int32_t asked = lunatic_spawn_remote_opt(
      node.data(), node.size(), nullptr, 0, function.data(), function.size(), args.data(),
      args.size(), LUNATIC_SPAWN_REPLY_TAG, flags, options.link_tag, options.monitor_tag);
  if (asked == LUNATIC_NOT_DISTRIBUTED) {
    return Error(ErrorKind::usage, "not a distributed node (run with --name or --sname)");
  }
  if (asked != 0) return Error(ErrorKind::no_process, "cannot spawn on " + node);
  const int64_t tag = LUNATIC_SPAWN_REPLY_TAG;
  if (lunatic_receive(&tag, 1, timeout_ms) == LUNATIC_TIMED_OUT) {
    return Error(ErrorKind::timed_out, "no answer from " + node);
  }
  const uint64_t id = lunatic_get_process_id();
  std::vector<uint8_t> data(static_cast<size_t>(lunatic_data_size()));
  lunatic_read_data(data.data(), data.size());
  std::optional<Term> answer = decode(data);
  if (!answer || !answer->is(Term::Kind::tuple) || answer->elements().size() != 2) {
    return Error(ErrorKind::decode, "a malformed answer from " + node);
  }
  const Term& what = answer->elements()[0];
  if (what.is(Term::Kind::atom) && what.text() == "ok" && id != 0) return RemoteProcess(id);
  const Term& reason = answer->elements()[1];
  return Error(ErrorKind::no_process, reason.is(Term::Kind::atom) ? reason.text() : "error");
}

/// A term received, and who sent it (its id; 0 if the sender is unknown).
struct ReceivedTerm {
  Term term;
  uint64_t sender;
};

/// Waits up to `timeout_ms` (LUNATIC_NO_TIMEOUT: forever) for a message tagged
/// LUNATIC_TERM_TAG. Fails with timed_out, or decode if its data is not a Term.
inline Result<ReceivedTerm> receive_term(uint64_t timeout_ms = LUNATIC_NO_TIMEOUT) {
  const int64_t tag = LUNATIC_TERM_TAG;
  const int32_t kind = lunatic_receive(&tag, 1, timeout_ms);
  if (kind == LUNATIC_TIMED_OUT) return Error(ErrorKind::timed_out, "no term received");
  std::vector<uint8_t> data(static_cast<size_t>(lunatic_data_size()));
  lunatic_read_data(data.data(), data.size());
  std::optional<Term> term = decode(data);
  if (!term) return Error(ErrorKind::decode, "a message that is not a supported Erlang term");
  return ReceivedTerm{std::move(*term), lunatic_get_process_id()};
}

}  // namespace lunatic

#endif
