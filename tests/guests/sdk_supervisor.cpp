// C++ SDK supervisor: one_for_one restarts only the child that failed, one_for_all all of
// them; transient and temporary children; past the restart intensity the supervisor kills
// its children and fails itself; stop() ends it normally; each end's event (and
// last_reason) says why. `sdk_supervisor MODE` runs one part.
#include <cstdio>
#include <cstring>

#include "lunatic/lunatic.hpp"
#include "lunatic_check.h"

using namespace lunatic;
using namespace std::chrono_literals;

namespace {

constexpr Tag kHello(20);    // a worker tells the test its process id: (name, id)
constexpr Tag kCommand(21);  // the test tells a worker to crash (1) or finish (0)
constexpr Tag kEvent(22);    // the supervisor forwards its events
constexpr Tag kSupLink(23);  // the test's link to the supervisor
constexpr Tag kMonitor(24);

using Hello = std::pair<std::string, uint64_t>;
// (kind, child, process, failed, reason, whether last_reason of that child agrees)
using Event = std::tuple<int, std::string, uint64_t, bool, std::string, bool>;

void worker(Process test, std::string name) {
  (void)test.send(Hello(name, Process::self().id()), kHello);
  Result<int> command = Mailbox<int>().receive(kCommand);
  if (command.ok() && *command == 1) __builtin_trap();
}

void crash_at_once() { __builtin_trap(); }

// Builds the supervisor of `mode` and runs it; events go to `test`.
void supervisor_main(Process test, std::string mode) {
  Strategy strategy = mode == "one_for_all" ? Strategy::one_for_all : Strategy::one_for_one;
  Supervisor supervisor(strategy, Intensity{2, 10000ms});
  supervisor.on_event([test, &supervisor](const SupervisorEvent& e) {
    // The second child of every mode is "b" or "temporary".
    const size_t index = e.child == "b" || e.child == "temporary" ? 1 : 0;
    const bool agrees =
        e.kind != SupervisorEvent::Kind::ended || supervisor.last_reason(index) == e.reason;
    (void)test.send(
        Event(static_cast<int>(e.kind), e.child, e.process.id(), e.failed, e.reason, agrees),
        kEvent);
  });
  if (mode == "intensity") {
    supervisor.child(ChildSpec::of("crasher", crash_at_once));
  } else if (mode == "restart_types") {
    supervisor.child(ChildSpec::of("transient", worker, test, std::string("transient"))
                         .with_restart(Restart::transient));
    supervisor.child(ChildSpec::of("temporary", worker, test, std::string("temporary"))
                         .with_restart(Restart::temporary));
  } else {
    supervisor.child(ChildSpec::of("a", worker, test, std::string("a")));
    supervisor.child(ChildSpec::of("b", worker, test, std::string("b")));
  }
  supervisor.run();
}

// Waits for a worker's hello: its process.
Process hello(const std::string& name) {
  Result<Hello> h = Mailbox<Hello>().receive(kHello, Timeout(5s));
  CHECK(h.ok() && h->first == name);
  return h.ok() ? Process(h->second) : Process();
}

// Waits for one hello from each of the workers `first` and `second`. They start in that order
// but run concurrently (on any worker thread), so their hellos may arrive in either order.
std::pair<Process, Process> hellos(const std::string& first, const std::string& second) {
  Process found[2];
  bool seen[2] = {false, false};
  for (int n = 0; n < 2; ++n) {
    Result<Hello> h = Mailbox<Hello>().receive(kHello, Timeout(5s));
    CHECK(h.ok());
    if (!h.ok()) break;
    const int which = h->first == first ? 0 : h->first == second ? 1 : -1;
    CHECK(which >= 0 && !seen[which]);  // each of the two, once
    if (which < 0 || seen[which]) break;
    seen[which] = true;
    found[which] = Process(h->second);
  }
  return {found[0], found[1]};
}

// The next event of the supervisor, as (kind, child, reason).
std::tuple<SupervisorEvent::Kind, std::string, std::string> event() {
  Result<Event> e = Mailbox<Event>().receive(kEvent, Timeout(5s));
  CHECK(e.ok());
  if (!e.ok()) return {SupervisorEvent::Kind::gave_up, "(none)", ""};
  CHECK(std::get<5>(*e));  // last_reason() is the event's reason
  return {static_cast<SupervisorEvent::Kind>(std::get<0>(*e)), std::get<1>(*e), std::get<4>(*e)};
}

// Whether the next event is `kind` of `child` (and, for an end, why it ended: empty for the
// other kinds).
bool is_event(SupervisorEvent::Kind kind, const std::string& child,
              const std::string& reason = "") {
  auto [k, c, r] = event();
  bool ok = k == kind && c == child && r == reason;
  if (!ok)
    std::printf("event %d %s (%s), expected %d %s (%s)\n", int(k), c.c_str(), r.c_str(), int(kind),
                child.c_str(), reason.c_str());
  return ok;
}

using K = SupervisorEvent::Kind;

Result<Process> start_supervisor(const char* mode) {
  return Process::spawn_link(kSupLink, supervisor_main, Process::self(), std::string(mode));
}

void check_one_for_one() {
  Result<Process> sup = start_supervisor("one_for_one");
  CHECK(sup.ok());
  auto [a, b] = hellos("a", "b");
  CHECK(is_event(K::started, "a") && is_event(K::started, "b"));
  CHECK(a.send(1, kCommand).ok());  // a crashes: only a restarts
  CHECK(is_event(K::ended, "a", "trap: unreachable") && is_event(K::restarting, "a") &&
        is_event(K::started, "a"));
  Process a2 = hello("a");
  CHECK(a2 != a && !a.exists() && a2.exists() && b.exists());
  CHECK(Supervisor::stop(*sup).ok());
  sup->monitor(kMonitor);
  Message<int> m = Mailbox<int>().receive_message({kMonitor, kSupLink}, Timeout(5s));
  CHECK(m.kind() == MessageKind::process_died);  // a normal end: no link failure
  CHECK(!a2.exists() && !b.exists());
}

void check_one_for_all() {
  Result<Process> sup = start_supervisor("one_for_all");
  CHECK(sup.ok());
  auto [a, b] = hellos("a", "b");
  CHECK(is_event(K::started, "a") && is_event(K::started, "b"));
  CHECK(b.send(1, kCommand).ok());  // b crashes: a is killed, both restart in order
  CHECK(is_event(K::ended, "b", "trap: unreachable") && is_event(K::restarting, "b"));
  CHECK(is_event(K::started, "a") && is_event(K::started, "b"));
  auto [a2, b2] = hellos("a", "b");
  CHECK(a2 != a && b2 != b && !a.exists() && a2.exists() && b2.exists());
  sup->kill();  // the supervisor's failure takes its children with it
  Message<int> m = Mailbox<int>().receive_message({kSupLink}, Timeout(5s));
  CHECK(m.kind() == MessageKind::link_died && m.reason() == "killed");
  a2.monitor(kMonitor);
  b2.monitor(kMonitor);
  CHECK(Mailbox<int>().receive_message({kMonitor}, Timeout(5s)).kind() ==
        MessageKind::process_died);
  CHECK(Mailbox<int>().receive_message({kMonitor}, Timeout(5s)).kind() ==
        MessageKind::process_died);
}

void check_restart_types() {
  Result<Process> sup = start_supervisor("restart_types");
  CHECK(sup.ok());
  auto [transient, temporary] = hellos("transient", "temporary");
  CHECK(is_event(K::started, "transient") && is_event(K::started, "temporary"));
  CHECK(transient.send(0, kCommand).ok());  // a normal end: transient is not restarted
  CHECK(is_event(K::ended, "transient", "normal"));
  CHECK(temporary.send(1, kCommand).ok());  // a failure: temporary is not restarted either
  CHECK(is_event(K::ended, "temporary", "trap: unreachable"));
  Result<Event> more = Mailbox<Event>().receive(kEvent, Timeout(100ms));
  CHECK(!more.ok());
  CHECK(Supervisor::stop(*sup).ok());
}

void check_intensity() {
  Result<Process> sup = start_supervisor("intensity");
  CHECK(sup.ok());
  // Intensity 2: two restarts, then the third failure makes it give up.
  CHECK(is_event(K::started, "crasher") && is_event(K::ended, "crasher", "trap: unreachable"));
  for (int i = 0; i < 2; ++i) {
    CHECK(is_event(K::restarting, "crasher") && is_event(K::started, "crasher"));
    CHECK(is_event(K::ended, "crasher", "trap: unreachable"));
  }
  CHECK(is_event(K::gave_up, ""));
  Message<int> m = Mailbox<int>().receive_message({kSupLink}, Timeout(5s));
  CHECK(m.kind() == MessageKind::link_died && m.process() == *sup && m.reason() == "exit(1)");
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "all";
  bool all = std::strcmp(mode, "all") == 0;
  die_when_link_dies(false);
  if (all || std::strcmp(mode, "one_for_one") == 0) check_one_for_one();
  if (all || std::strcmp(mode, "one_for_all") == 0) check_one_for_all();
  if (all || std::strcmp(mode, "restart_types") == 0) check_restart_types();
  if (all || std::strcmp(mode, "intensity") == 0) check_intensity();
  return check_result(mode);
}
