// distributed_ping: two lunatic nodes. Without arguments it is the node to ping: it registers
// `ping_node` and runs until told to halt (then its runtime, and the node, end). With NODE:
// it spawns its own ping_worker on NODE (the module travels once), pings it 10,000 times
// with {Self, I} (answered with I), prints the median round trip, sends it 20,000 integers
// in a row and then {Self, done} (messages one way, per second: the answer `done` comes after
// the worker took them all), links to the worker, has NODE halt, and prints the link's
// death: noconnection (NODE running another program, distributed_echo say, is not halted:
// the worker is stopped and NODE keeps running).
//   lunatic run --name b@127.0.0.1 --cookie lunatic distributed_ping.wasm
//   lunatic run --name a@127.0.0.1 --cookie lunatic distributed_ping.wasm b@127.0.0.1
#include <lunatic/message.h>
#include <lunatic/process.h>
#include <lunatic/registry.h>
#include <lunatic/distributed.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using lunatic::RemoteProcess;
using lunatic::Term;

namespace {

constexpr int kPings = 10'000;
constexpr int kBurst = 20'000;
const std::string kNodeName = "ping_node";

/// The node to ping: waits for `halt`, then returns (lunatic run ends with its root).
int serve_node(const std::string& self) {
  lunatic_registry_put(kNodeName.data(), kNodeName.size(), lunatic_process_id());
  std::printf("%s waits for pings\n", self.c_str());
  std::fflush(stdout);
  for (;;) {
    lunatic::Result<lunatic::ReceivedTerm> got = lunatic::receive_term();
    if (got && got->term.is(Term::Kind::atom) && got->term.text() == "halt") return 0;
  }
}

int ping(const std::string& node) {
  lunatic::Result<RemoteProcess> worker = lunatic::spawn_on(node, "ping_worker", {0});
  if (!worker) {
    std::fprintf(stderr, "cannot spawn on %s: %s\n", node.c_str(),
                 worker.error().message().c_str());
    return 1;
  }
  std::printf("spawned a worker on %s\n", node.c_str());
  const Term self = Term::pid(*RemoteProcess::self().pid());
  std::vector<double> micros;
  micros.reserve(kPings);
  for (int i = 0; i < kPings; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (!worker->send(Term::tuple({self, Term::integer(i)}))) return 1;
    lunatic::Result<lunatic::ReceivedTerm> answer = lunatic::receive_term(5'000);
    if (!answer || !answer->term.is(Term::Kind::integer) || answer->term.as_integer() != i) {
      std::fprintf(stderr, "ping %d was not answered\n", i);
      return 1;
    }
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(micros.begin(), micros.end());
  std::printf("%d pings, median round trip %.1f us\n", kPings, micros[micros.size() / 2]);
  // Messages one way: the worker ignores integers; {Self, done} is answered after them all.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kBurst; ++i) {
    if (!worker->send(Term::integer(i))) return 1;
  }
  if (!worker->send(Term::tuple({self, Term::atom("done")}))) return 1;
  lunatic::Result<lunatic::ReceivedTerm> done = lunatic::receive_term(30'000);
  if (!done || !done->term.is(Term::Kind::atom) || done->term.text() != "done") {
    std::fprintf(stderr, "the burst was not answered\n");
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d messages one way, %.0f per second\n", kBurst, kBurst / seconds);
  // Linked, trapping the link's death as a message; then the node goes away (if it is a
  // distributed_ping node: another one, running distributed_echo say, is left running).
  lunatic_die_when_link_dies(0);
  worker->link(1);
  if (!worker->send(Term::tuple({self, Term::atom("halt_node")}))) return 1;
  const int64_t tags[2] = {1, LUNATIC_TERM_TAG};
  const int32_t kind = lunatic_receive(tags, 2, 10'000);
  if (kind == 0) {  // the worker's answer: its node is not a distributed_ping node
    worker->unlink();
    lunatic_kill(worker->id());
    std::printf("%s is not a distributed_ping node: it keeps running (worker stopped)\n",
                node.c_str());
    return 0;
  }
  if (kind != LUNATIC_MESSAGE_LINK_DIED) {
    std::fprintf(stderr, "the link did not die\n");
    return 1;
  }
  std::string reason(static_cast<size_t>(lunatic_data_size()), '\0');
  lunatic_read_data(reason.data(), reason.size());
  std::printf("%s went away; the link died: %s\n", node.c_str(), reason.c_str());
  return 0;
}

}  // namespace

/// Spawned on the pinged node: answers {From, I} with I; {From, halt_node} halts its node
/// (the runtime ends, and this process with it), or answers `not_halted` when the node runs
/// no distributed_ping node.
extern "C" __attribute__((export_name("ping_worker"))) void ping_worker(int64_t) {
  for (;;) {
    lunatic::Result<lunatic::ReceivedTerm> got = lunatic::receive_term();
    if (!got) continue;
    const Term& t = got->term;
    if (!t.is(Term::Kind::tuple) || t.elements().size() != 2) continue;
    if (!t.elements()[0].is(Term::Kind::pid)) continue;
    lunatic::Result<RemoteProcess> from = RemoteProcess::from_pid(t.elements()[0].as_pid());
    if (!from) continue;
    const Term& what = t.elements()[1];
    const bool halt = what.is(Term::Kind::atom) && what.text() == "halt_node";
    uint64_t root = 0;
    if (halt && lunatic_registry_get(kNodeName.data(), kNodeName.size(), &root) == 0) {
      (void)RemoteProcess(root).send(Term::atom("halt"));
      continue;
    }
    (void)from->send(halt ? Term::atom("not_halted") : what);
  }
}

int main(int argc, char** argv) {
  const std::optional<std::string> self = lunatic::node_name();
  if (!self) {
    std::fprintf(stderr, "distributed_ping: run it as a node (lunatic run --name NAME@HOST)\n");
    return 2;
  }
  return argc > 1 ? ping(argv[1]) : serve_node(*self);
}
