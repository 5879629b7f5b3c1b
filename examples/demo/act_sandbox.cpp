// Act 3: untrusted code in a sandbox. Loads a module from a file (examples/sandbox/untrusted.c:
// it hogs memory, spins forever, imports lunatic::process to spawn and kill) and runs it in
// environments that each stop it at one limit: memory, fuel, host namespaces, process count.
#include <cstdio>

#include "demo.hpp"
#include "lunatic/lunatic.hpp"

using namespace lunatic;
using namespace std::chrono_literals;

namespace {

constexpr Tag kReport(1);  // what an untrusted process reports (an i64): untrusted.c says 1
constexpr Tag kLink(302);  // our link to an untrusted process

int64_t report() {
  Result<int64_t> r = Mailbox<int64_t>().receive(kReport, 5s);
  return r.ok() ? *r : -1;
}

int64_t self_id() { return static_cast<int64_t>(Process::self().id()); }

bool memory_limit(const Module& untrusted) {
  Environment env;
  env.allow("").max_memory(4u << 20);
  Result<Process> p = untrusted.spawn(env, "hog_memory", {self_id(), int32_t{64}});
  bool refused = p.ok() && report() == 0;
  demo::say("   Memory (4 MiB): hog_memory(64 MiB) -> %s",
            refused ? "malloc returned NULL: memory.grow was refused past the limit" : "?");
  Environment tiny;
  tiny.allow("").max_memory(64u << 10);
  Result<Process> q = untrusted.spawn(tiny, "hog_memory", {self_id(), int32_t{1}});
  demo::say("   Memory (64 KiB, below its initial memory): hog_memory() -> not even spawned:");
  demo::say("        %s", q.ok() ? "?" : q.error().message().c_str());
  return refused && !q.ok();
}

bool fuel_limit(const Module& untrusted) {
  Environment env;
  env.allow("").max_fuel(1000000);
  Result<Process> p = untrusted.spawn(env, "spin", {}, kLink);
  Message<int> m = Mailbox<int>().receive_message({kLink}, 10s);
  bool stopped = p.ok() && m.kind() == MessageKind::link_died;
  demo::say("   Fuel (1,000,000 units): spin(), an endless loop -> %s",
            stopped ? "stopped when its fuel ran out; its link told us" : "?");
  return stopped;
}

bool namespace_limit(const Module& untrusted) {
  Environment env;
  env.allow("lunatic::message::").allow("wasi_snapshot_preview1::");
  Result<Process> victim = Process::spawn(+[] { (void)Mailbox<int>().receive(Tag(399)); });
  if (!victim.ok()) return false;
  Result<Process> p = untrusted.spawn(env, "kill_process", {static_cast<int64_t>(victim->id())});
  demo::say("   Namespaces (only lunatic::message and WASI): kill_process() -> not spawned:");
  demo::say("        %s", p.ok() ? "?" : p.error().message().c_str());
  bool alive = victim->exists();
  demo::say("        (the process it was told to kill is %s)", alive ? "still alive" : "dead");
  victim->kill();
  return !p.ok() && alive;
}

bool process_limit(const Module& untrusted) {
  Environment env;
  env.allow("").max_processes(5);
  Result<Process> bomb = untrusted.spawn(env, "fork_bomb", {self_id()});
  int64_t copies = bomb.ok() ? report() : -1;
  demo::say(
      "   Processes (at most 5): fork_bomb() -> spawned %lld copies of itself, then was refused",
      static_cast<long long>(copies));
  if (bomb.ok()) bomb->kill();  // its copies idle until the program ends
  return copies == 4;
}

bool sandbox(const demo::Options& options) {
  Result<Module> untrusted = Module::load(options.untrusted);
  if (!untrusted.ok()) {
    if (untrusted.error().kind() == ErrorKind::io) {
      demo::say("   Cannot read %s: run with --dir build/examples:/sandbox (or --untrusted PATH).",
                options.untrusted.c_str());
    }
    demo::say("   %s", untrusted.error().message().c_str());
    return false;
  }
  demo::say("   Loaded %s as untrusted code: it imports lunatic::process",
            options.untrusted.c_str());
  demo::say("   (spawn, kill) and misbehaves on purpose. Each environment stops it at one limit:");
  die_when_link_dies(false);  // an untrusted process's death comes as a message
  bool ok = memory_limit(*untrusted);
  ok = fuel_limit(*untrusted) && ok;
  ok = namespace_limit(*untrusted) && ok;
  ok = process_limit(*untrusted) && ok;
  die_when_link_dies(true);
  demo::say("   No limit was passed, and nothing outside the sandbox was touched.");
  return ok;
}

}  // namespace

LUNATIC_DEMO_ACT(3, "untrusted code in a sandbox", sandbox);
