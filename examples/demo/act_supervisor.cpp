// Act 2: let it crash. A worker under a one_for_one supervisor crashes on bad input; the
// supervisor restarts it as a new process, which serves the next request.
#include <string>
#include <tuple>
#include <utility>

#include "demo.hpp"
#include "lunatic/lunatic.hpp"

using namespace lunatic;
using namespace std::chrono_literals;

namespace {

constexpr Tag kDivide(201);
constexpr Tag kEvent(202);
constexpr Tag kSupervisorLink(203);

// kind, child, process, failed, reason
using Event = std::tuple<int, std::string, uint64_t, bool, std::string>;

// The worker: a / b for whoever asks. b = 0 traps (integer divide by zero): it does not
// check, its supervisor handles the crash.
void calculator() {
  Mailbox<Request<std::pair<int32_t, int32_t>>> mailbox;
  for (;;) {
    Result<Request<std::pair<int32_t, int32_t>>> job = mailbox.receive(kDivide);
    if (!job.ok()) continue;
    volatile int32_t divisor = job->value().second;
    (void)job->reply(job->value().first / divisor);
  }
}

// The supervisor's process: restarts the calculator, registered by name at each start, and
// tells the narrator what it does.
void supervisor_main(Process narrator) {
  Supervisor supervisor(Strategy::one_for_one, Intensity{3, 5000ms});
  ChildSpec spec;
  spec.name = "calculator";
  spec.start = [](Tag link) {
    Result<Process> p = Process::spawn_link(link, calculator);
    if (p.ok()) p->register_as("calculator");
    return p;
  };
  supervisor.child(std::move(spec));
  supervisor.on_event([narrator](const SupervisorEvent& e) {
    (void)narrator.send(
        Event(static_cast<int>(e.kind), e.child, e.process.id(), e.failed, e.reason), kEvent);
  });
  supervisor.run();
}

// Waits for the supervisor's next event and tells it; returns its kind (gave_up if none).
SupervisorEvent::Kind tell_event() {
  Result<Event> e = Mailbox<Event>().receive(kEvent, 5s);
  if (!e.ok()) {
    demo::say("   (no word from the supervisor: %s)", e.error().message().c_str());
    return SupervisorEvent::Kind::gave_up;
  }
  auto [kind, child, process, failed, reason] = *e;
  auto id = static_cast<unsigned long long>(process);
  switch (static_cast<SupervisorEvent::Kind>(kind)) {
    case SupervisorEvent::Kind::started:
      demo::say("   supervisor: started %s as process %llu", child.c_str(), id);
      break;
    case SupervisorEvent::Kind::ended:
      demo::say("   supervisor: %s (process %llu) %s: %s", child.c_str(), id,
                failed ? "crashed" : "ended", reason.c_str());
      break;
    case SupervisorEvent::Kind::restarting:
      demo::say("   supervisor: restarting %s (one_for_one: only it)", child.c_str());
      break;
    case SupervisorEvent::Kind::gave_up:
      demo::say("   supervisor: too many restarts, giving up");
      break;
  }
  return static_cast<SupervisorEvent::Kind>(kind);
}

// Asks whichever process is registered as "calculator" for a / b; true if it answered.
bool divide(int32_t a, int32_t b, int32_t* quotient) {
  Result<Process> calc = Process::lookup("calculator");
  if (!calc.ok()) return false;
  Result<int32_t> q = calc->request<int32_t>(std::make_pair(a, b), kDivide, 500ms);
  if (!q.ok()) {
    demo::say("   %d / %d: no answer (the calculator, process %llu, crashed)", a, b,
              static_cast<unsigned long long>(calc->id()));
    return false;
  }
  demo::say("   %d / %d = %d (answered by process %llu)", a, b, *q,
            static_cast<unsigned long long>(calc->id()));
  *quotient = *q;
  return true;
}

bool let_it_crash(const demo::Options&) {
  demo::say(
      "   A calculator process runs under a one_for_one supervisor (at most 3 restarts in 5 s).");
  Result<Process> supervisor =
      Process::spawn_link(kSupervisorLink, supervisor_main, Process::self());
  if (!supervisor.ok()) return false;
  bool ok = tell_event() == SupervisorEvent::Kind::started;
  int32_t q = 0;
  ok = divide(84, 2, &q) && q == 42 && ok;
  demo::say("   Asking for 1 / 0 makes it trap (integer divide by zero): it crashes.");
  ok = !divide(1, 0, &q) && ok;
  ok = tell_event() == SupervisorEvent::Kind::ended && ok;
  ok = tell_event() == SupervisorEvent::Kind::restarting && ok;
  ok = tell_event() == SupervisorEvent::Kind::started && ok;
  demo::say("   The new calculator serves the next request; nobody else noticed the crash:");
  ok = divide(10, 5, &q) && q == 2 && ok;
  (void)Supervisor::stop(*supervisor);
  demo::say("   (The supervisor learned why from the link-died signal; the runtime also logged");
  demo::say("   the crash on stderr, as Erlang logs a crash report.)");
  return ok;
}

}  // namespace

LUNATIC_DEMO_ACT(2, "let it crash: a supervisor restarts a failed worker", let_it_crash);
