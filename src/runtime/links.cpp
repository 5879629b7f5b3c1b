// Links and monitors: making and removing them (both sides under their two locks), and what a
// process's death does to the processes linked to or monitoring it.
#include "runtime/links.hpp"

#include <string>
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

/// A process's end as its signals tell it: who, how, and why (the signal's data).
struct Death {
  ProcessId process = 0;
  ExitStatus::Kind kind = ExitStatus::Kind::Normal;
  std::vector<uint8_t> reason;
};

/// Erlang's noproc: the other process was not alive when linked to or monitored.
Death no_process(ProcessId id) {
  return Death{id, ExitStatus::Kind::Normal, death_reason(kNoProcessReason)};
}

/// A LinkDied or ProcessDied message about `death`, tagged with the link's or monitor's tag.
std::unique_ptr<Message> death_signal(MessageKind kind, const Death& death, Tag tag) {
  auto m = std::make_unique<Message>();
  m->kind = kind;
  m->tag = tag;
  m->process = death.process;
  m->exit_kind = death.kind;
  m->data = death.reason;
  return m;
}

/// How a death notice is charged to the process that asked for it (by linking or monitoring).
enum class Notice : uint8_t {
  /// Even past its environment's max_memory_total: the one notice of a link or monitor entry
  /// when the other process dies. A death is never hidden (a watcher must learn of it even
  /// when the dead process's own messages fill the budget); the next allocation there fails
  /// instead, until the notice is read. Bounded: one per entry.
  Forced,
  /// Refused past the budget, and the target killed: the notices that a guest can multiply
  /// (link or monitor of a dead process in a loop, the extra tags of one watcher's repeated
  /// monitors), which would otherwise grow without bound.
  Budgeted,
};

void deliver_notice(Process& target, std::unique_ptr<Message> notice, Notice how) {
  const uint64_t bytes = kMessageBytes + notice->data.capacity();
  notice->charge = target.new_charge();
  if (how == Notice::Forced) {
    notice->charge.force_add(bytes);
  } else if (!notice->charge.resize(bytes)) {
    target.kill(target.over_budget("a death notice"));
    return;
  }
  target.deliver(std::move(notice));
}

/// What a LinkDied signal does to the process that receives it.
void signal_link_died(Process& target, const Death& death, Tag tag, Notice how) {
  if (target.die_when_link_dies()) {
    target.kill(engine::Trap::killed(
        "linked process " + std::to_string(death.process) +
        (death.kind == ExitStatus::Kind::Normal ? " does not exist" : " failed")));
    return;
  }
  deliver_notice(target, death_signal(MessageKind::LinkDied, death, tag), how);
}

}  // namespace

std::vector<uint8_t> death_reason(std::string_view text) {
  size_t n = text.size();
  if (n > kMaxDeathReason) {
    n = kMaxDeathReason;
    // Back to the first byte of the character cut in two (continuation bytes are 10xxxxxx).
    while (n > 0 && (static_cast<uint8_t>(text[n]) & 0xC0) == 0x80) --n;
  }
  return std::vector<uint8_t>(text.begin(), text.begin() + static_cast<ptrdiff_t>(n));
}

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
  if (!linked) signal_link_died(*this, no_process(other_id), tag, Notice::Budgeted);
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
  deliver_notice(*this, death_signal(MessageKind::ProcessDied, no_process(other_id), tag),
                 Notice::Budgeted);
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
  const Death death{dead, status.kind, death_reason(status.to_string())};
  for (const LinkEntry& l : n.links) {
    std::shared_ptr<Process> other = runtime.find(l.process);
    if (!other) continue;
    other->links_.remove_link(dead);
    // A normal exit does not propagate (issue 4): the link just ends.
    if (status.failed()) signal_link_died(*other, death, l.tag, Notice::Forced);
  }
  for (const MonitorEntry& m : n.monitors) {
    if (std::shared_ptr<Process> watcher = runtime.find(m.watcher)) {
      watcher->links_.remove_watching(dead);
      deliver_notice(*watcher, death_signal(MessageKind::ProcessDied, death, m.tag),
                     Notice::Forced);
      for (Tag tag : m.more_tags) {
        deliver_notice(*watcher, death_signal(MessageKind::ProcessDied, death, tag),
                       Notice::Budgeted);
      }
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
