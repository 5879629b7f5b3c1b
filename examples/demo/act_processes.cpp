// Act 1: very many processes. Spawns N processes (100,000 by default), each with its own
// memory, gives each a number and collects a reply from every one.
#include "demo.hpp"
#include "lunatic/lunatic.hpp"

using namespace lunatic;
using namespace std::chrono_literals;

namespace {

constexpr Tag kReply(101);  // each act has its own tags: 100 * act + n

// One process: replies with the square of its number, then ends.
void square(Process parent, int64_t n) { (void)parent.send(n * n, kReply); }

bool many_processes(const demo::Options& options) {
  const int64_t n = options.processes;
  demo::say("   Spawning %s processes; each squares its number and sends it back.",
            demo::grouped(static_cast<uint64_t>(n)).c_str());
  double start = demo::now_ms();
  for (int64_t i = 0; i < n; ++i) {
    Result<Process> p = Process::spawn(square, Process::self(), i);
    if (!p.ok()) {
      demo::say("   spawn %lld failed: %s", static_cast<long long>(i), p.error().message().c_str());
      return false;
    }
  }
  double spawned = demo::now_ms();
  Mailbox<int64_t> replies;
  int64_t sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    Result<int64_t> reply = replies.receive(kReply, 30s);
    if (!reply.ok()) {
      demo::say("   only %lld replies: %s", static_cast<long long>(i),
                reply.error().message().c_str());
      return false;
    }
    sum += *reply;
  }
  double done = demo::now_ms();
  const int64_t expected = (n - 1) * n * (2 * n - 1) / 6;  // 0^2 + 1^2 + ... + (n-1)^2
  demo::say("   All %s replied: the squares add up to %s (expected %s).",
            demo::grouped(static_cast<uint64_t>(n)).c_str(),
            demo::grouped(static_cast<uint64_t>(sum)).c_str(),
            demo::grouped(static_cast<uint64_t>(expected)).c_str());
  demo::say("   Time (this machine, the guest's clock): %.0f ms to spawn them all, %.0f ms in all,",
            spawned - start, done - start);
  demo::say("   %.1f us per process from spawn to reply.", (done - start) * 1000 / n);
  return sum == expected;
}

}  // namespace

LUNATIC_DEMO_ACT(1, "very many processes", many_processes);
