// lunatic C++ SDK: Supervisor, modelled on Erlang's: it starts children from their specs,
// restarts them when they end (one_for_one / one_for_all, permanent / transient / temporary)
// and gives up, failing itself, past its restart intensity.
#ifndef LUNATIC_SUPERVISOR_HPP
#define LUNATIC_SUPERVISOR_HPP

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "lunatic/detail.hpp"
#include "lunatic/mailbox.hpp"
#include "lunatic/process.hpp"
#include "lunatic/result.hpp"
#include "lunatic/tag.hpp"

namespace lunatic {

/// Which children restart when one ends.
enum class Strategy {
  one_for_one,  ///< only the child that ended
  one_for_all,  ///< all of them: the others are killed, then all start again in order
};

/// When a child is restarted (Erlang's restart types).
enum class Restart {
  permanent,  ///< always
  transient,  ///< only after a failure (trap, kill, exit(n != 0))
  temporary,  ///< never
};

/// At most `max_restarts` restarts within any `period`; one more and the supervisor gives up.
struct Intensity {
  int max_restarts = 3;
  std::chrono::milliseconds period{5000};
};

/// How to start a child: a name and a start function that spawns it linked under a tag.
struct ChildSpec {
  std::string name;
  std::function<Result<Process>(Tag link)> start;
  Restart restart = Restart::permanent;

  /// A child running `function(args...)` of this module (the arguments are kept and passed
  /// again at each restart).
  template <class... Params, class... Args>
  static ChildSpec of(std::string name, void (*function)(Params...), Args... args) {
    ChildSpec spec;
    spec.name = std::move(name);
    spec.start = [function, args...](Tag link) {
      return Process::spawn_link(link, function, args...);
    };
    return spec;
  }
  ChildSpec& with_restart(Restart r) {
    restart = r;
    return *this;
  }
};

/// What happened, for Supervisor::on_event (logging, tests).
struct SupervisorEvent {
  enum class Kind { started, ended, restarting, gave_up };
  Kind kind;
  std::string child;   ///< the child's name (empty for gave_up)
  Process process;     ///< the child's process (started: the new one; ended: the old one)
  bool failed;         ///< ended: by a failure (not a normal end)
  std::string reason;  ///< ended: why ("trap: unreachable", "exit(3)", "killed: ...", "normal")
};

/// Runs in its own process (it receives every message sent to it and traps link failures).
/// run() returns only when asked to stop (stop()); past the intensity it kills its children
/// and exits its process with status 1, a failure its own links see.
class Supervisor {
 public:
  explicit Supervisor(Strategy strategy, Intensity intensity = {})
      : strategy_(strategy), intensity_(intensity) {}

  /// Adds a child (started by run(), in the order added).
  Supervisor& child(ChildSpec spec) {
    children_.push_back(Child{std::move(spec), Process(), false, {}});
    return *this;
  }
  /// Called on each start, end, restart and when giving up.
  Supervisor& on_event(std::function<void(const SupervisorEvent&)> handler) {
    on_event_ = std::move(handler);
    return *this;
  }

  /// Supervises until stop() or the intensity is passed (then: exit(1), see above).
  void run() {
    Result<void> result = supervise();
    if (!result.ok()) {
      std::fprintf(stderr, "supervisor %llu: %s\n",
                   static_cast<unsigned long long>(lunatic_process_id()),
                   result.error().message().c_str());
      std::exit(1);
    }
  }

  /// As run(), but returns the reason instead of exiting (children are shut down).
  Result<void> supervise();

  /// Asks the supervisor `supervisor` to shut its children down and return from run().
  static Result<void> stop(Process supervisor) {
    return supervisor.send(uint8_t{0}, Tag(detail::kSupervisorStopTag));
  }

  /// The current process of child `index` (as added).
  Process process_of(size_t index) const { return children_.at(index).process; }
  /// Why child `index`'s last process ended (as SupervisorEvent::reason); empty until one has.
  const std::string& last_reason(size_t index) const { return children_.at(index).last_reason; }

 private:
  struct Child {
    ChildSpec spec;
    Process process;
    bool running;
    std::string last_reason;
  };

  static Tag tag_of(size_t index) { return Tag(Tag::kReservedTagBase + 1 + int64_t(index)); }
  void emit(SupervisorEvent::Kind kind, const Child* child, bool failed = false) {
    if (on_event_) {
      const bool ended = kind == SupervisorEvent::Kind::ended;
      on_event_(SupervisorEvent{kind, child ? child->spec.name : std::string(),
                                child ? child->process : Process(), failed,
                                child && ended ? child->last_reason : std::string()});
    }
  }
  Result<void> start(size_t index);
  void terminate(size_t index);
  void terminate_all();
  bool restart_allowed();
  Result<void> restart(size_t index);

  Strategy strategy_;
  Intensity intensity_;
  std::vector<Child> children_;
  std::deque<std::chrono::steady_clock::time_point> restarts_;
  std::function<void(const SupervisorEvent&)> on_event_;
};

inline Result<void> Supervisor::start(size_t index) {
  Child& c = children_[index];
  Result<Process> p = c.spec.start(tag_of(index));
  if (!p.ok()) return Error(ErrorKind::host, "child " + c.spec.name + ": " + p.error().message());
  c.process = *p;
  c.running = true;
  // The link (made by start) carries failures both ways; the monitor also reports a normal
  // end. A failure sends both, the link's first (the runtime notifies links first).
  c.process.monitor(tag_of(index));
  emit(SupervisorEvent::Kind::started, &c);
  return {};
}

inline void Supervisor::terminate(size_t index) {
  Child& c = children_[index];
  if (!c.running) return;
  c.running = false;
  c.process.unlink();
  c.process.kill();
  // Wait for its end, as Erlang's shutdown does, so a restart never overlaps the old one.
  Mailbox<uint8_t> mailbox;
  for (;;) {
    Message<uint8_t> m = mailbox.receive_message({tag_of(index)}, Timeout::ms(10000));
    if (m.kind() == MessageKind::timed_out) break;
    if (m.kind() == MessageKind::process_died && m.process() == c.process) break;
  }
}

inline void Supervisor::terminate_all() {
  for (size_t i = children_.size(); i-- > 0;) terminate(i);
}

inline bool Supervisor::restart_allowed() {
  auto now = std::chrono::steady_clock::now();
  restarts_.push_back(now);
  while (!restarts_.empty() && now - restarts_.front() > intensity_.period) restarts_.pop_front();
  return static_cast<int>(restarts_.size()) <= intensity_.max_restarts;
}

inline Result<void> Supervisor::restart(size_t index) {
  if (!restart_allowed()) {
    emit(SupervisorEvent::Kind::gave_up, nullptr);
    terminate_all();
    return Error(ErrorKind::host, "giving up: more than " +
                                      std::to_string(intensity_.max_restarts) + " restarts in " +
                                      std::to_string(intensity_.period.count()) + " ms");
  }
  emit(SupervisorEvent::Kind::restarting, &children_[index]);
  if (strategy_ == Strategy::one_for_one) return start(index);
  terminate_all();
  for (size_t i = 0; i < children_.size(); ++i) {
    if (Result<void> r = start(i); !r.ok()) return r;
  }
  return {};
}

inline Result<void> Supervisor::supervise() {
  lunatic_die_when_link_dies(0);
  for (size_t i = 0; i < children_.size(); ++i) {
    if (Result<void> r = start(i); !r.ok()) {
      terminate_all();
      return r;
    }
  }
  Mailbox<uint8_t> mailbox;
  for (;;) {
    Message<uint8_t> m = mailbox.receive_message();
    if (m.is_data()) {
      if (m.tag() != Tag(detail::kSupervisorStopTag)) continue;  // not for us: dropped
      terminate_all();
      return {};
    }
    // A signal: find the child it is about (a stale one, of a process already replaced or
    // killed by us, matches no running child).
    size_t index = children_.size();
    for (size_t i = 0; i < children_.size(); ++i) {
      if (children_[i].running && children_[i].process == m.process() && m.tag() == tag_of(i)) {
        index = i;
      }
    }
    if (index == children_.size()) {
      if (m.kind() == MessageKind::link_died) {
        // A linked process that is not our child failed (our parent): shut down and fail.
        terminate_all();
        return Error(ErrorKind::link_died, "linked process " + std::to_string(m.process().id()) +
                                               " failed (" + m.reason() + ")");
      }
      continue;
    }
    Child& c = children_[index];
    bool failed = m.kind() == MessageKind::link_died;
    c.running = false;
    c.last_reason = m.reason();
    emit(SupervisorEvent::Kind::ended, &c, failed);
    if (c.spec.restart == Restart::temporary) continue;
    if (c.spec.restart == Restart::transient && !failed) continue;
    if (Result<void> r = restart(index); !r.ok()) {
      terminate_all();  // a failed start leaves the others running otherwise
      return r;
    }
  }
}

}  // namespace lunatic

#endif
