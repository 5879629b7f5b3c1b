// Links and monitors: making and removing them (both sides under their two locks), and what a
// process's death does to the processes linked to or monitoring it.
#include "runtime/links.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "runtime/death_notice.hpp"
#include "runtime/environment.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::runtime {

// ---- Links: one process's lists -------------------------------------------------------------

void Links::charge_to(std::shared_ptr<const MemoryBudget> budget) {
  std::lock_guard lock(mutex_);
  charge_ = MemoryCharge(std::move(budget));
  charge_environment_ = nullptr;
}

MemoryCharge& Links::charge_locked() {
  if (charge_environment_ != nullptr) {
    charge_ = MemoryCharge(charge_environment_->budget_handle());
    charge_environment_ = nullptr;
  }
  return charge_;
}

void Links::release_locked(uint64_t entries) {
  const uint64_t bytes = entries * kEntryBytes;
  charge_.resize(charge_.bytes() - std::min(bytes, charge_.bytes()));  // a decrease
}

bool Links::add_link_locked(ProcessId other, Tag tag, EntryCharge how) {
  if (LinkEntry* e = links_.find(other)) {
    e->tag = tag;  // a re-tag: no new entry
    return true;
  }
  if (how == EntryCharge::Forced) {
    charge_locked().force_add(kEntryBytes);
  } else if (!charge_locked().add(kEntryBytes)) {
    return false;
  }
  links_.set(other, tag);
  return true;
}

bool Links::add_link(ProcessId other, Tag tag, EntryCharge how) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  return add_link_locked(other, tag, how);
}

bool Links::remove_link(ProcessId other) {
  std::lock_guard lock(mutex_);
  if (!links_.erase(other)) return false;
  release_locked(1);
  return true;
}

std::optional<Tag> Links::take_link(ProcessId other) {
  std::lock_guard lock(mutex_);
  const LinkEntry* e = links_.find(other);
  if (!e) return std::nullopt;
  const Tag tag = e->tag;
  links_.erase(other);
  release_locked(1);
  return tag;
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

bool Links::remove_monitor(ProcessId watcher, Tag tag) {
  std::lock_guard lock(mutex_);
  return monitors_.erase_one(watcher, tag);
}

bool Links::add_watching(ProcessId target) {
  std::lock_guard lock(mutex_);
  if (closed_ || !charge_locked().add(kEntryBytes)) return false;
  // The entry's tag counts the owner's monitors of `target`.
  if (LinkEntry* e = watching_.find(target)) {
    ++e->tag;
  } else {
    watching_.set(target, 1);
  }
  return true;
}

void Links::remove_watching(ProcessId target) {
  std::lock_guard lock(mutex_);
  const LinkEntry* e = watching_.find(target);
  if (!e) return;
  release_locked(static_cast<uint64_t>(e->tag));
  watching_.erase(target);
}

void Links::remove_one_watching(ProcessId target) {
  std::lock_guard lock(mutex_);
  LinkEntry* e = watching_.find(target);
  if (!e) return;
  release_locked(1);
  if (--e->tag <= 0) watching_.erase(target);
}

uint64_t Links::charged_bytes() const {
  std::lock_guard lock(mutex_);
  return charge_.bytes();
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
  charge_.reset();  // the entries are handed over, to be dropped
  return n;
}

bool Links::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool Links::set_kill_reason(engine::Trap reason) {
  std::lock_guard lock(mutex_);
  if (kill_reason_ != nullptr) return false;
  kill_reason_ = std::make_unique<engine::Trap>(std::move(reason));
  return true;
}

std::optional<engine::Trap> Links::kill_reason() const {
  std::lock_guard lock(mutex_);
  if (kill_reason_ == nullptr) return std::nullopt;
  return *kill_reason_;
}

std::optional<engine::Trap> Links::take_kill_reason() {
  std::lock_guard lock(mutex_);
  if (kill_reason_ == nullptr) return std::nullopt;
  return std::move(*kill_reason_);  // stays engaged: the first reason still won
}

std::vector<LinkEntry> Links::links() const {
  std::lock_guard lock(mutex_);
  return links_.entries();
}

// ---- Process: linking and monitoring --------------------------------------------------------

namespace {

/// Erlang's noproc: the other process was not alive when linked to or monitored.
Death no_process(ProcessId id) {
  return Death{id, ExitStatus::Kind::Normal, death_reason(kNoProcessReason)};
}

}  // namespace

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

namespace {

/// One death's signals, each part made when a signal first needs it and shared by the rest:
/// the trap every process killed over a link gets (one text for them all), and the reason as
/// a signal's data (a linked process that dies of the death needs none: 100,000 of them,
/// killed over their links, needed none).
class DeathSignals {
 public:
  /// A death whose reason is still `reason`, the text (made into data when first needed).
  DeathSignals(ProcessId dead, ExitStatus::Kind kind, std::string_view reason)
      : death_{dead, kind, {}}, reason_(reason), has_reason_(false) {}
  /// A death whose reason is data already.
  explicit DeathSignals(Death death) : death_(std::move(death)), has_reason_(true) {}

  const Death& death() {
    if (!has_reason_) death_.reason = death_reason(reason_);
    has_reason_ = true;
    return death_;
  }
  /// Why a LinkDied signal kills the process that receives it.
  const engine::Trap& link_kill() {
    if (!link_kill_) {
      link_kill_ = engine::Trap::killed(
          "linked process " + std::to_string(death_.process) +
          (death_.kind == ExitStatus::Kind::Normal ? " does not exist" : " failed"));
    }
    return *link_kill_;
  }

 private:
  Death death_;
  std::string_view reason_;
  bool has_reason_;
  std::optional<engine::Trap> link_kill_;
};

/// What a LinkDied signal does to the process that receives it.
void signal_link_died(Process& target, DeathSignals& signals, Tag tag, Notice how) {
  if (target.die_when_link_dies()) {
    target.kill(signals.link_kill());
    return;
  }
  deliver_notice(target, death_signal(MessageKind::LinkDied, signals.death(), tag), how);
}

}  // namespace

void signal_link_died(Process& target, const Death& death, Tag tag, Notice how) {
  DeathSignals signals(death);
  signal_link_died(target, signals, tag, how);
}

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
  if (is_remote(other_id)) return link_remote(tag, other_id);
  bool linked = false;
  bool over_budget_entry = false;
  if (std::shared_ptr<Process> other = runtime_.find(other_id)) {
    // Both sides or neither: scoped_lock takes the two locks without deadlock.
    std::scoped_lock lock(links_.mutex(), other->links_.mutex());
    if (!links_.closed_locked() && !other->links_.closed_locked()) {
      // This side is this process's call (checked); the other side is one entry per linker.
      if (!links_.add_link_locked(other_id, tag, EntryCharge::Checked)) {
        over_budget_entry = true;
      } else {
        other->links_.add_link_locked(id_, tag, EntryCharge::Forced);
        linked = true;
      }
    }
  }
  if (over_budget_entry) return kill(over_budget("a link"));
  // Erlang's noproc: linking to a process that is gone is like its failure.
  if (!linked) signal_link_died(*this, no_process(other_id), tag, Notice::Budgeted);
}

void Process::unlink(ProcessId other_id) {
  if (is_remote(other_id)) return unlink_remote(other_id);
  links_.remove_link(other_id);
  if (std::shared_ptr<Process> other = runtime_.find(other_id)) other->links_.remove_link(id_);
}

void Process::monitor(Tag tag, ProcessId other_id) {
  if (is_remote(other_id)) return monitor_remote(tag, other_id);
  // Recorded here first: if `other` dies between the two steps, its death removes this entry
  // (or add_monitor fails and it is removed below), so no entry for a dead process stays.
  if (!links_.add_watching(other_id)) {
    // Closed: this process is dying, and its death removed its monitors already.
    if (!links_.closed()) kill(over_budget("a monitor"));
    return;
  }
  std::shared_ptr<Process> other = runtime_.find(other_id);
  if (other && other->links_.add_monitor(id_, tag)) return;
  links_.remove_watching(other_id);
  deliver_notice(*this, death_signal(MessageKind::ProcessDied, no_process(other_id), tag),
                 Notice::Budgeted);
}

void Process::stop_monitoring(ProcessId other_id) {
  if (is_remote(other_id)) return stop_monitoring_remote(other_id);
  links_.remove_watching(other_id);
  if (std::shared_ptr<Process> other = runtime_.find(other_id)) {
    other->links_.remove_monitors_by(id_);
  }
}

// ---- Death: notifying the others ------------------------------------------------------------

void notify_death(Runtime& runtime, ProcessId dead, const Notifications& n,
                  const ExitStatus& status, std::string_view reason) {
  DeathSignals signals(dead, status.kind, reason);
  // Entries that name processes of other nodes go to the Router, which tells those nodes.
  Notifications remote;
  for (const LinkEntry& l : n.links) {
    if (is_remote(l.process)) {
      remote.links.push_back(l);
      continue;
    }
    std::shared_ptr<Process> other = runtime.find(l.process);
    if (!other) continue;
    other->links_.remove_link(dead);
    // A normal exit does not propagate (issue 4): the link just ends.
    if (status.failed()) signal_link_died(*other, signals, l.tag, Notice::Forced);
  }
  for (const MonitorEntry& m : n.monitors) {
    if (is_remote(m.watcher)) {
      remote.monitors.push_back(m);
      continue;
    }
    if (std::shared_ptr<Process> watcher = runtime.find(m.watcher)) {
      watcher->links_.remove_watching(dead);
      deliver_notice(*watcher, death_signal(MessageKind::ProcessDied, signals.death(), m.tag),
                     Notice::Forced);
      for (Tag tag : m.more_tags) {
        deliver_notice(*watcher, death_signal(MessageKind::ProcessDied, signals.death(), tag),
                       Notice::Budgeted);
      }
    }
  }
  // A dead watcher's monitors go away with it: a long-lived process monitored by many
  // short-lived ones keeps only the live ones' entries.
  for (const LinkEntry& w : n.watching) {
    if (is_remote(w.process)) {
      remote.watching.push_back(w);
    } else if (std::shared_ptr<Process> target = runtime.find(w.process)) {
      target->links_.remove_monitors_by(dead);
    }
  }
  const bool any_remote =
      !remote.links.empty() || !remote.monitors.empty() || !remote.watching.empty();
  if (any_remote) {
    if (std::shared_ptr<Router> router = runtime.router()) router->exited(dead, remote, status);
  }
}

}  // namespace lunatic::runtime
