// The spawn_sdk_guest benchmark (bench/run_process_bench.py): the demo's act 1 pattern with the
// C++ SDK. spawn_replies(alive, n) first spawns `alive` children that wait for ever, then, between
// the embedder's marks 0 and 1, spawns n children of this module that each send their number
// squared back and end, and receives every reply. It traps if a spawn or a reply fails, so a
// run that ends normally did all the work.
#include "lunatic/lunatic.hpp"

// bench_processes's clock (bench/processes/sdk_guest.cpp).
__attribute__((import_module("bench"), import_name("mark"))) void bench_mark(int32_t i);

using namespace lunatic;
using namespace std::chrono_literals;

namespace {

constexpr Tag kReply(1);

void square(Process parent, int64_t n) { (void)parent.send(n * n, kReply); }

// Parked in receive until the runtime ends it.
void idle() {
  Mailbox<int64_t> never;
  (void)never.receive(kReply);
}

}  // namespace

__attribute__((export_name("spawn_replies"))) void spawn_replies(int64_t alive, int64_t n) {
  for (int64_t i = 0; i < alive; ++i) {
    if (!Process::spawn(idle).ok()) __builtin_trap();
  }
  bench_mark(0);
  for (int64_t i = 0; i < n; ++i) {
    if (!Process::spawn(square, Process::self(), i).ok()) __builtin_trap();
  }
  Mailbox<int64_t> replies;
  int64_t sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    Result<int64_t> reply = replies.receive(kReply, 60s);
    if (!reply.ok()) __builtin_trap();
    sum += *reply;
  }
  bench_mark(1);
  if (sum != (n - 1) * n * (2 * n - 1) / 6) __builtin_trap();
}

int main() { return 0; }
