// Links and monitors with processes of other nodes: this process's side of them, kept in its
// own Links as for a local process, and the Router (router.hpp) carrying the other side. The
// Router calls back (add_remote_link, remote_link_died, ...) when the other node speaks or
// the connection is lost, so a remote death reaches this process as a local one would.
#include <string>

#include "runtime/death_notice.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::runtime {
namespace {

/// Erlang's noconnection: the other process's node cannot be reached.
Death no_connection(ProcessId id) {
  return Death{id, ExitStatus::Kind::Failed, death_reason(kNoConnectionReason)};
}

}  // namespace

void Process::link_remote(Tag tag, ProcessId remote) {
  // Recorded before the Router sends LINK: an EXIT that answers it at once finds the entry.
  std::shared_ptr<Router> router = runtime_.router();
  if (router && !links_.add_link(remote, tag, EntryCharge::Checked)) {
    if (!links_.closed()) kill(over_budget("a link"));
    return;
  }
  if (router) {
    if (router->link(id_, remote)) return;
    links_.remove_link(remote);
  }
  // No route to the node: as Erlang, the link fails at once with noconnection.
  signal_link_died(*this, no_connection(remote), tag, Notice::Budgeted);
}

void Process::unlink_remote(ProcessId remote) {
  if (!links_.remove_link(remote)) return;
  if (std::shared_ptr<Router> router = runtime_.router()) router->unlink(id_, remote);
}

void Process::monitor_remote(Tag tag, ProcessId remote) {
  std::shared_ptr<Router> router = runtime_.router();
  if (router && !links_.add_watching(remote)) {
    if (!links_.closed()) kill(over_budget("a monitor"));
    return;
  }
  if (router) {
    if (router->monitor(id_, remote, tag)) return;
    // Other monitors of `remote` may still stand (the Router said no to this one only if the
    // node is unreachable, and then those fire with noconnection and remove the entry).
  }
  deliver_notice(*this, death_signal(MessageKind::ProcessDied, no_connection(remote), tag),
                 Notice::Budgeted);
}

void Process::stop_monitoring_remote(ProcessId remote) {
  links_.remove_watching(remote);
  if (std::shared_ptr<Router> router = runtime_.router()) router->demonitor(id_, remote);
}

bool Process::add_remote_link(ProcessId remote, Tag tag) {
  return links_.add_link(remote, tag, EntryCharge::Forced);
}

void Process::remove_remote_link(ProcessId remote) { links_.remove_link(remote); }

void Process::remote_link_died(ProcessId remote, ExitStatus::Kind kind, std::string_view reason) {
  // The tag is the one this side gave the link (0 if the remote side made it).
  const std::optional<Tag> tag = links_.take_link(remote);
  if (!tag) return;
  // A normal exit does not propagate over links (issue 4): the link just ends.
  if (kind == ExitStatus::Kind::Normal) return;
  signal_link_died(*this, Death{remote, kind, death_reason(reason)}, *tag, Notice::Forced);
}

bool Process::add_remote_monitor(ProcessId watcher, Tag tag) {
  return links_.add_monitor(watcher, tag);
}

void Process::remove_remote_monitor(ProcessId watcher, Tag tag) {
  links_.remove_monitor(watcher, tag);
}

bool Process::add_remote_watching(ProcessId target) { return links_.add_watching(target); }

void Process::remote_monitor_fired(ProcessId target, Tag tag, ExitStatus::Kind kind,
                                   std::string_view reason, bool last) {
  if (last) {
    links_.remove_watching(target);
  } else {
    links_.remove_one_watching(target);
  }
  deliver_notice(
      *this, death_signal(MessageKind::ProcessDied, Death{target, kind, death_reason(reason)}, tag),
      Notice::Forced);
}

}  // namespace lunatic::runtime
