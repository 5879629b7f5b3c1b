// ring: N processes in a circle pass a counter around M times, each adding one (the C++ SDK:
// Process::spawn with arguments, typed Mailbox<T>, links).
//   lunatic run ring.wasm [PROCESSES=1000] [ROUNDS=10]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "lunatic/lunatic.hpp"

using namespace lunatic;

namespace {

constexpr Tag kToken(1);
constexpr Tag kRingLink(2);

// One process of the ring: forwards the token to `next`, one more each time; a negative
// token ends the ring (it is forwarded first, so every process hears it).
void node(Process next) {
  Mailbox<int64_t> mailbox;
  for (;;) {
    Result<int64_t> token = mailbox.receive(kToken);
    if (!token.ok()) return;
    (void)next.send(*token < 0 ? *token : *token + 1, kToken);
    if (*token < 0) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  long processes = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1000;
  long rounds = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 10;
  if (processes < 1 || rounds < 1) {
    std::fprintf(stderr, "usage: ring [PROCESSES>=1] [ROUNDS>=1]\n");
    return 2;
  }
  auto begin = std::chrono::steady_clock::now();
  // Built backwards: each new process sends to the one spawned before it; the first spawned
  // sends back to us. Links: if any process of the ring fails, all of it fails.
  Process next = Process::self();
  for (long i = 0; i < processes; ++i) {
    Result<Process> p = Process::spawn_link(kRingLink, node, next);
    if (!p.ok()) {
      std::fprintf(stderr, "spawn failed: %s\n", p.error().message().c_str());
      return 1;
    }
    next = *p;
  }
  Mailbox<int64_t> mailbox;
  int64_t token = 0;
  for (long r = 0; r < rounds; ++r) {
    (void)next.send(token, kToken);
    Result<int64_t> back = mailbox.receive(kToken);
    if (!back.ok()) {
      std::fprintf(stderr, "ring broken: %s\n", back.error().message().c_str());
      return 1;
    }
    token = *back;
  }
  (void)next.send(int64_t{-1}, kToken);
  (void)mailbox.receive(kToken);  // the end token, back around
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  begin)
                .count();

  std::printf("ring of %ld processes, %ld rounds: the token came back as %lld (expected %lld)\n",
              processes, rounds, static_cast<long long>(token),
              static_cast<long long>(processes * rounds));
  std::fprintf(stderr, "%lld messages in %lld ms\n",
               static_cast<long long>(processes * (rounds + 1)), static_cast<long long>(ms));
  return token == processes * rounds ? 0 : 1;
}
