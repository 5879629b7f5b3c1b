// Links and monitors: making and removing them (both sides under their two locks), and what a
// process's death does to the processes linked to or monitoring it.
#include "runtime/links.hpp"

#include <utility>

#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::runtime {

// ---- Links: one process's lists -------------------------------------------------------------

void Links::add_link_locked(ProcessId other, Tag tag) { links_.set(other, tag); }

bool Links::add_link(ProcessId other, Tag tag) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  add_link_locked(other, tag);
  return true;
}

bool Links::remove_link(ProcessId other) {
  std::lock_guard lock(mutex_);
  return links_.erase(other);
}

bool Links::add_monitor(ProcessId watcher, Tag tag) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  monitors_.add(watcher, tag);
  return true;
}

void Links::remove_monitors_by(ProcessId watcher) {
  std::lock_guard lock(mutex_);
  monitors_.erase(watcher);
}

bool Links::add_watching(ProcessId target) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  watching_.set(target, 0);
  return true;
}

void Links::remove_watching(ProcessId target) {
  std::lock_guard lock(mutex_);
  watching_.erase(target);
}

size_t Links::monitor_count() const {
  std::lock_guard lock(mutex_);
  return monitors_.size();
}

size_t Links::watching_count() const {
  std::lock_guard lock(mutex_);
  return watching_.entries().size();
}

Notifications Links::close() {
  std::lock_guard lock(mutex_);
  Notifications n;
  if (closed_) return n;
  closed_ = true;
  n.links = links_.take();
  n.monitors = monitors_.take();
  n.watching = watching_.take();
  return n;
}

bool Links::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool Links::set_kill_reason(engine::Trap reason) {
  std::lock_guard lock(mutex_);
  if (kill_reason_) return false;
  kill_reason_ = std::move(reason);
  return true;
}

std::optional<engine::Trap> Links::kill_reason() const {
  std::lock_guard lock(mutex_);
  return kill_reason_;
}

std::vector<LinkEntry> Links::links() const {
  std::lock_guard lock(mutex_);
  return links_.entries();
}

// ---- Process: linking and monitoring --------------------------------------------------------

namespace {

/// What a LinkDied signal does to the process that receives it.
void signal_link_died(Process& target, ProcessId dead, Tag tag, ExitStatus::Kind how) {
  if (target.die_when_link_dies()) {
    target.kill(
        engine::Trap::killed("linked process " + std::to_string(dead) +
                             (how == ExitStatus::Kind::Normal ? " does not exist" : " failed")));
    return;
  }
  auto m = std::make_unique<Message>();
  m->kind = MessageKind::LinkDied;
  m->tag = tag;
  m->process = dead;
  m->exit_kind = how;
  target.deliver(std::move(m));
}

std::unique_ptr<Message> process_died(ProcessId dead, Tag tag, ExitStatus::Kind how) {
  auto m = std::make_unique<Message>();
  m->kind = MessageKind::ProcessDied;
  m->tag = tag;
  m->process = dead;
  m->exit_kind = how;
  return m;
}

}  // namespace

void Process::link(Tag tag, ProcessId other_id) {
  if (other_id == id_) return;
  bool linked = false;
  if (std::shared_ptr<Process> other = runtime_.find(other_id)) {
    // Both sides or neither: scoped_lock takes the two locks without deadlock.
    std::scoped_lock lock(links_.mutex(), other->links_.mutex());
    if (!links_.closed_locked() && !other->links_.closed_locked()) {
      links_.add_link_locked(other_id, tag);
      other->links_.add_link_locked(id_, tag);
      linked = true;
    }
  }
  // Erlang's noproc: linking to a process that is gone is like its failure.
  if (!linked) signal_link_died(*this, other_id, tag, ExitStatus::Kind::Normal);
}

void Process::unlink(ProcessId other_id) {
  links_.remove_link(other_id);
  if (std::shared_ptr<Process> other = runtime_.find(other_id)) other->links_.remove_link(id_);
}

void Process::monitor(Tag tag, ProcessId other_id) {
  // Recorded here first: if `other` dies between the two steps, its death removes this entry
  // (or add_monitor fails and it is removed below), so no entry for a dead process stays.
  links_.add_watching(other_id);
  std::shared_ptr<Process> other = runtime_.find(other_id);
  if (other && other->links_.add_monitor(id_, tag)) return;
  links_.remove_watching(other_id);
  deliver(process_died(other_id, tag, ExitStatus::Kind::Normal));
}

void Process::stop_monitoring(ProcessId other_id) {
  links_.remove_watching(other_id);
  if (std::shared_ptr<Process> other = runtime_.find(other_id)) {
    other->links_.remove_monitors_by(id_);
  }
}

// ---- Death: notifying the others ------------------------------------------------------------

void notify_death(Runtime& runtime, ProcessId dead, const Notifications& n,
                  const ExitStatus& status) {
  for (const LinkEntry& l : n.links) {
    std::shared_ptr<Process> other = runtime.find(l.process);
    if (!other) continue;
    other->links_.remove_link(dead);
    // A normal exit does not propagate (issue 4): the link just ends.
    if (status.failed()) signal_link_died(*other, dead, l.tag, status.kind);
  }
  for (const MonitorEntry& m : n.monitors) {
    if (std::shared_ptr<Process> watcher = runtime.find(m.watcher)) {
      watcher->links_.remove_watching(dead);
      watcher->deliver(process_died(dead, m.tag, status.kind));
      for (Tag tag : m.more_tags) watcher->deliver(process_died(dead, tag, status.kind));
    }
  }
  // A dead watcher's monitors go away with it: a long-lived process monitored by many
  // short-lived ones keeps only the live ones' entries.
  for (const LinkEntry& w : n.watching) {
    if (std::shared_ptr<Process> target = runtime.find(w.process)) {
      target->links_.remove_monitors_by(dead);
    }
  }
}

}  // namespace lunatic::runtime
