// dist_links: links, monitors and node events across nodes, driven by Erlang terms
// (tests/integration/distributed_links.py). Registered as `links`; each process runs the same
// loop of commands, so a test can spawn a fresh one for each case ({From, spawn}).
//   {From, spawn}            -> From ! {spawned, Pid}        (a new process running this loop)
//   {From, link, Pid}        -> link to Pid, From ! linked
//   {From, unlink, Pid}      -> From ! unlinked
//   {From, monitor, Pid}     -> From ! monitoring
//   {From, demonitor, Pid}   -> From ! demonitored
//   {From, trap_exits}       -> a linked failure arrives as a message; From ! trapping
//   {From, report}           -> death notices and node events go to From, as
//                               {link_died, Id, <<Reason>>}, {down, Id, <<Reason>>},
//                               {nodeup, Node}, {nodedown, Node}; From ! reporting
//   {From, monitor_nodes}    -> From ! watching
//   {From, nodes}            -> From ! [Node...]
//   {From, where}            -> From ! NodeName
//   {From, spawn_on, Node}   -> remote_worker(42) on Node (lunatic::spawn_on), then
//                               From ! {spawned_on, Pid} or {spawn_failed, <<Reason>>}
//   {From, spawn_on, Node, Opt, Magic}
//                            -> remote_worker(Magic) on Node with Opt (link, monitor or both:
//                               spawn_opt), then From ! {spawned_on, Pid} or {spawn_failed, ..}
//                               (Magic other than 42: the worker traps at once)
//   {From, kill, Pid}        -> lunatic_kill(Pid), From ! killed
//   {From, crash}            -> traps (unreachable)
//   {From, exit}             -> returns (a normal end)
//   {From, relay, Pid}       -> Pid ! {From, where}: Pid answers From after every signal this
//                               process sent Pid before (Erlang orders them), so a test
//                               waits on that answer, not on a sleep
//   {From, tagged, Pid}      -> sends Pid a message that is not a term, tagged kRawTag
//                               (kRawData), then From ! sent_tagged ({send_failed} if refused)
//   {From, expect_tagged}    -> From ! expecting, then waits up to 10 s for a message tagged
//                               kRawTag: From ! {got_tagged, Tag, <<Data>>} (or no_tagged)
//   {From, stall}            -> From ! stalling, then never receives again (a mailbox that
//                               only grows: tests/integration/distributed_flood.py)
//   {From, flood, Pid, N}    -> From ! flooding, then sends Pid N binaries of 1 MiB, telling
//                               From {flooded, I} after each; a send that fails ends it with
//                               From ! {flood_refused, I}, the last with From ! {flood_done, N}
//                               (tests/integration/distributed_outgoing.py)
// Each notice is also printed as one line (for a watcher on a node that is gone).
#include <lunatic/message.h>
#include <lunatic/process.h>
#include <lunatic/registry.h>
#include <lunatic/distributed.hpp>
#include <lunatic/process.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

using lunatic::RemoteProcess;
using lunatic::Term;

namespace {

constexpr int64_t kLinkTag = 1;
constexpr int64_t kMonitorTag = 2;
// A lunatic message that is not a term: its tag past 32 bits, bytes that are no term.
constexpr int64_t kRawTag = 0x1234567890;
constexpr uint8_t kRawData[] = {0, 1, 2, 131, 255, 'x'};

void say(std::optional<RemoteProcess>& to, const Term& term) {
  if (to) (void)to->send(term);
}

std::string data_text() {
  std::string text(static_cast<size_t>(lunatic_data_size()), '\0');
  lunatic_read_data(reinterpret_cast<uint8_t*>(text.data()), text.size());
  return text;
}

void serve();

void child() { serve(); }

/// One command; false when the process should end normally.
bool command(const Term& request, std::optional<RemoteProcess>& report) {
  const std::vector<Term>& e = request.elements();
  if (e.size() < 2 || !e[0].is(Term::Kind::pid) || !e[1].is(Term::Kind::atom)) return true;
  lunatic::Result<RemoteProcess> from = RemoteProcess::from_pid(e[0].as_pid());
  if (!from) return true;
  const std::string& what = e[1].text();
  std::optional<RemoteProcess> target;
  if (e.size() == 3 && e[2].is(Term::Kind::pid)) {
    if (auto t = RemoteProcess::from_pid(e[2].as_pid())) target = *t;
  }
  if (what == "spawn") {
    lunatic::Result<lunatic::Process> spawned = lunatic::Process::spawn(child);
    if (spawned) {
      (void)from->send(
          Term::tuple({Term::atom("spawned"), Term::pid(*RemoteProcess(spawned->id()).pid())}));
    }
  } else if (what == "link" && target) {
    target->link(kLinkTag);
    (void)from->send(Term::atom("linked"));
  } else if (what == "unlink" && target) {
    target->unlink();
    (void)from->send(Term::atom("unlinked"));
  } else if (what == "monitor" && target) {
    target->monitor(kMonitorTag);
    (void)from->send(Term::atom("monitoring"));
  } else if (what == "demonitor" && target) {
    target->stop_monitoring();
    (void)from->send(Term::atom("demonitored"));
  } else if (what == "trap_exits") {
    lunatic_die_when_link_dies(0);
    (void)from->send(Term::atom("trapping"));
  } else if (what == "report") {
    report = *from;
    (void)from->send(Term::atom("reporting"));
  } else if (what == "monitor_nodes") {
    (void)lunatic::monitor_nodes(true);
    (void)from->send(Term::atom("watching"));
  } else if (what == "nodes") {
    std::vector<Term> names;
    for (const std::string& n : lunatic::nodes()) names.push_back(Term::atom(n));
    (void)from->send(Term::list(std::move(names)));
  } else if (what == "where") {
    (void)from->send(Term::atom(*lunatic::node_name()));
  } else if (what == "kill" && target) {
    lunatic_kill(target->id());
    (void)from->send(Term::atom("killed"));
  } else if (what == "spawn_on" && e.size() >= 3 && e[2].is(Term::Kind::atom)) {
    lunatic::SpawnOnOptions options;
    int64_t magic = 42;
    if (e.size() == 5 && e[3].is(Term::Kind::atom) && e[4].is(Term::Kind::integer)) {
      options.link = e[3].text() == "link" || e[3].text() == "both";
      options.link_tag = kLinkTag;
      options.monitor = e[3].text() == "monitor" || e[3].text() == "both";
      options.monitor_tag = kMonitorTag;
      magic = e[4].as_integer();
    }
    lunatic::Result<RemoteProcess> worker =
        lunatic::spawn_on(e[2].text(), "remote_worker", {magic}, options);
    if (worker) {
      (void)from->send(Term::tuple({Term::atom("spawned_on"), Term::pid(*worker->pid())}));
    } else {
      (void)from->send(
          Term::tuple({Term::atom("spawn_failed"), Term::binary(worker.error().message())}));
    }
  } else if (what == "crash") {
    __builtin_trap();
  } else if (what == "exit") {
    return false;
  } else if (what == "relay" && target) {
    (void)target->send(Term::tuple({e[0], Term::atom("where")}));
  } else if (what == "flood" && e.size() == 4 && e[2].is(Term::Kind::pid) &&
             e[3].is(Term::Kind::integer)) {
    lunatic::Result<RemoteProcess> sink = RemoteProcess::from_pid(e[2].as_pid());
    if (!sink) return true;
    (void)from->send(Term::atom("flooding"));
    const Term chunk = Term::binary(std::string(size_t{1} << 20, 'f'));
    const int64_t count = e[3].as_integer();
    for (int64_t i = 1; i <= count; ++i) {
      if (!sink->send(chunk)) {
        (void)from->send(Term::tuple({Term::atom("flood_refused"), Term::integer(i)}));
        return true;
      }
      (void)from->send(Term::tuple({Term::atom("flooded"), Term::integer(i)}));
    }
    (void)from->send(Term::tuple({Term::atom("flood_done"), Term::integer(count)}));
  } else if (what == "tagged" && target) {
    const bool sent = lunatic_send_data(target->id(), kRawTag, kRawData, sizeof kRawData) == 0;
    (void)from->send(Term::atom(sent ? "sent_tagged" : "send_failed"));
  } else if (what == "expect_tagged") {
    (void)from->send(Term::atom("expecting"));
    if (lunatic_receive(&kRawTag, 1, 10'000) != LUNATIC_MESSAGE_DATA) {
      (void)from->send(Term::atom("no_tagged"));
      return true;
    }
    (void)from->send(Term::tuple(
        {Term::atom("got_tagged"), Term::integer(lunatic_get_tag()), Term::binary(data_text())}));
  } else if (what == "stall") {
    (void)from->send(Term::atom("stalling"));
    for (;;) lunatic_sleep_ms(3'600'000);
  }
  return true;
}

void serve() {
  std::optional<RemoteProcess> report;
  for (;;) {
    const int32_t kind = lunatic_receive(nullptr, 0, LUNATIC_NO_TIMEOUT);
    if (kind == LUNATIC_MESSAGE_LINK_DIED || kind == LUNATIC_MESSAGE_PROCESS_DIED) {
      const bool link = kind == LUNATIC_MESSAGE_LINK_DIED;
      const uint64_t who = lunatic_get_process_id();
      const std::string reason = data_text();
      std::printf("%s %s\n", link ? "link_died" : "down", reason.c_str());
      std::fflush(stdout);
      std::optional<Term> pid;
      if (auto p = RemoteProcess(who).pid()) pid = Term::pid(*p);
      say(report, Term::tuple({Term::atom(link ? "link_died" : "down"),
                               pid ? *pid : Term::atom("undefined"), Term::binary(reason)}));
      continue;
    }
    if (lunatic_get_tag() != LUNATIC_TERM_TAG) continue;
    std::string data = data_text();
    std::optional<Term> term =
        lunatic::decode(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    if (!term) continue;
    if (std::optional<lunatic::NodeEvent> event = lunatic::node_event(*term)) {
      std::printf("%s %s\n", event->up ? "nodeup" : "nodedown", event->node.c_str());
      std::fflush(stdout);
      say(report, *term);
      continue;
    }
    if (term->is(Term::Kind::tuple) && !command(*term, report)) return;
  }
}

}  // namespace

/// What spawn_on starts on another node: the same loop, once it checked its argument.
extern "C" __attribute__((export_name("remote_worker"))) void remote_worker(int64_t magic) {
  if (magic != 42) __builtin_trap();
  serve();
}

int main() {
  const std::optional<std::string> node = lunatic::node_name();
  if (!node) return 2;
  const std::string name = "links";
  lunatic_registry_put(name.data(), name.size(), lunatic_process_id());
  std::printf("links is ready on %s\n", node->c_str());
  std::fflush(stdout);
  serve();
  return 0;
}
