// supervisor: a worker that crashes on bad input is restarted by its supervisor
// (one_for_one), until it crashes too often: past the restart intensity the supervisor gives
// up and fails itself, taking its children along. The narrator (main) prints what happens.
//   lunatic run supervisor.wasm
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>

#include "lunatic/lunatic.hpp"

using namespace lunatic;
using namespace std::chrono_literals;

namespace {

constexpr Tag kJob(1);         // (a, b) for the calculator: reply a / b
constexpr Tag kEvent(2);       // supervisor events, forwarded to the narrator
constexpr Tag kSupervisor(3);  // the narrator's link to the supervisor

using Event = std::tuple<int, std::string, uint64_t, bool, std::string>;

// The worker: divides numbers for whoever asks. b = 0 traps (integer divide by zero): a
// crash, which its supervisor handles; the worker itself does not check.
void calculator() {
  Mailbox<Request<std::pair<int32_t, int32_t>>> mailbox;
  for (;;) {
    Result<Request<std::pair<int32_t, int32_t>>> job = mailbox.receive(kJob);
    if (!job.ok()) continue;
    volatile int32_t divisor = job->value().second;
    (void)job->reply(job->value().first / divisor);
  }
}

// The supervisor's process: at most 3 restarts in 5 seconds.
void supervisor_main(Process narrator) {
  Supervisor supervisor(Strategy::one_for_one, Intensity{3, 5000ms});
  // A start function of our own: it also registers the name, before anyone can ask for it
  // (registering in calculator() would race with the narrator's lookup).
  ChildSpec calc;
  calc.name = "calculator";
  calc.start = [](Tag link) {
    Result<Process> p = Process::spawn_link(link, calculator);
    if (p.ok()) p->register_as("calculator");
    return p;
  };
  supervisor.child(std::move(calc));
  supervisor.on_event([narrator](const SupervisorEvent& e) {
    (void)narrator.send(
        Event(static_cast<int>(e.kind), e.child, e.process.id(), e.failed, e.reason), kEvent);
  });
  supervisor.run();  // returns only when stopped; giving up exits with a failure
}

// Prints the supervisor's next event; returns its kind.
SupervisorEvent::Kind narrate_event() {
  Result<Event> e = Mailbox<Event>().receive(kEvent, 5s);
  if (!e.ok()) {
    std::printf("  (no event: %s)\n", e.error().message().c_str());
    return SupervisorEvent::Kind::gave_up;
  }
  auto [kind_value, child, process, failed, reason] = *e;
  auto kind = static_cast<SupervisorEvent::Kind>(kind_value);
  switch (kind) {
    case SupervisorEvent::Kind::started:
      std::printf("  supervisor: started %s\n", child.c_str());
      break;
    case SupervisorEvent::Kind::ended:
      // The reason comes with the signal: "trap: integer divide by zero".
      std::printf("  supervisor: %s %s (%s)\n", child.c_str(), failed ? "crashed" : "ended",
                  reason.c_str());
      break;
    case SupervisorEvent::Kind::restarting:
      std::printf("  supervisor: restarting %s\n", child.c_str());
      break;
    case SupervisorEvent::Kind::gave_up:
      std::printf("  supervisor: too many restarts, giving up\n");
      break;
  }
  (void)process;
  return kind;
}

// Asks the calculator (found by name: its process changes at each restart) for a / b.
void divide(int32_t a, int32_t b) {
  Result<Process> calc = Process::lookup("calculator");
  if (!calc.ok()) {
    std::printf("%d / %d: no calculator\n", a, b);
    return;
  }
  Result<int32_t> q = calc->request<int32_t>(std::make_pair(a, b), kJob, 300ms);
  if (q.ok()) {
    std::printf("%d / %d = %d\n", a, b, *q);
  } else {
    std::printf("%d / %d: no answer within 300 ms\n", a, b);
  }
}

}  // namespace

int main() {
  die_when_link_dies(false);  // the supervisor's failure comes to us as a message
  Result<Process> supervisor = Process::spawn_link(kSupervisor, supervisor_main, Process::self());
  if (!supervisor.ok()) return 1;
  narrate_event();  // started

  divide(84, 2);
  std::printf("Asking for 1 / 0 crashes the calculator:\n");
  divide(1, 0);
  narrate_event();  // crashed
  narrate_event();  // restarting
  narrate_event();  // started
  std::printf("It was restarted as a new process and works again:\n");
  divide(10, 5);

  std::printf("Crashing it 3 more times within 5 seconds passes the restart intensity:\n");
  bool gave_up = false;
  for (int i = 1; i <= 3 && !gave_up; ++i) {
    divide(i, 0);
    for (int events = 0; events < 3; ++events) {  // crashed, then restarting + started
      SupervisorEvent::Kind kind = narrate_event();
      if (kind == SupervisorEvent::Kind::started) break;
      if (kind == SupervisorEvent::Kind::gave_up) gave_up = true;
      if (gave_up) break;
    }
  }
  if (!gave_up) return 1;
  Message<int> end = Mailbox<int>().receive_message({kSupervisor}, 5s);
  if (end.kind() != MessageKind::link_died) return 1;
  std::printf(
      "The supervisor failed (a link-died signal reached us: %s), and its calculator is %s.\n",
      end.reason().c_str(), Process::lookup("calculator").ok() ? "still alive" : "gone");
  return 0;
}
