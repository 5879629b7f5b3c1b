// sandbox: loads an untrusted module from a file and runs its exports in environments that
// limit memory, fuel, process count, resources and host namespaces; each limit is hit in turn.
//   lunatic run --dir DIR:/sandbox sandbox.wasm /sandbox/untrusted.wasm
#include <cstdio>

#include "lunatic/lunatic.hpp"

using namespace lunatic;
using namespace std::chrono_literals;

namespace {

constexpr Tag kReport(1);
constexpr Tag kLink(2);

// The report of the untrusted process (an i64), or -1.
int64_t report() {
  Result<int64_t> r = Mailbox<int64_t>().receive(kReport, 5s);
  return r.ok() ? *r : -1;
}

void memory(const Module& untrusted) {
  std::printf("1. Memory: an environment of 4 MiB per process.\n");
  Environment env;
  env.allow("").max_memory(4u << 20);
  int64_t self = static_cast<int64_t>(Process::self().id());
  Result<Process> p = untrusted.spawn(env, "hog_memory", {self, int32_t{1}});
  std::printf("   hog_memory(1 MiB): %s\n", p.ok() && report() == 1 ? "allocated" : "failed");
  p = untrusted.spawn(env, "hog_memory", {self, int32_t{64}});
  std::printf("   hog_memory(64 MiB): %s\n",
              p.ok() && report() == 0 ? "malloc returned NULL (memory.grow refused)" : "?");
  Environment tiny;
  tiny.allow("").max_memory(64u << 10);
  p = untrusted.spawn(tiny, "hog_memory", {self, int32_t{1}});
  std::printf("   in 64 KiB, below its initial memory: %s\n",
              p.ok() ? "?" : p.error().message().c_str());
}

void fuel(const Module& untrusted) {
  std::printf("2. Fuel: an environment of 1,000,000 units per process.\n");
  Environment env;
  env.allow("").max_fuel(1000000);
  Result<Process> p = untrusted.spawn(env, "spin", {}, kLink);
  Message<int> m = Mailbox<int>().receive_message({kLink}, 10s);
  std::printf("   spin(): %s\n", p.ok() && m.kind() == MessageKind::link_died
                                     ? "stopped when its fuel ran out (a failure, seen by its link)"
                                     : "?");
}

void processes(const Module& untrusted) {
  std::printf("3. Processes: an environment of at most 5 processes.\n");
  Environment env;
  env.allow("").max_processes(5);
  int64_t self = static_cast<int64_t>(Process::self().id());
  Result<Process> p = untrusted.spawn(env, "fork_bomb", {self});
  int64_t spawned = p.ok() ? report() : -1;
  std::printf("   fork_bomb(): it spawned %lld copies of itself, then spawn failed\n",
              static_cast<long long>(spawned));
  Result<Process> more = untrusted.spawn(env, "idle");
  std::printf("   one more from here: %s\n", more.ok() ? "?" : more.error().message().c_str());
  if (p.ok()) p->kill();  // the bomb; its copies idle until the program ends
}

void resources(const Module& untrusted) {
  std::printf("4. Resources: an environment of at most 100 resources per process.\n");
  Environment env;
  env.allow("").max_resources(100);
  Result<Process> p = untrusted.spawn(env, "hoard", {}, kLink);
  Message<int> m = Mailbox<int>().receive_message({kLink}, 10s);
  std::printf("   hoard(): %s\n",
              p.ok() && m.kind() == MessageKind::link_died ? m.reason().c_str() : "?");
}

void namespaces(const Module& untrusted) {
  std::printf("5. Namespaces: an environment allowing only lunatic::message and WASI.\n");
  Environment env;
  env.allow("lunatic::message::").allow("wasi_snapshot_preview1::");
  Result<Process> victim = Process::spawn(+[] { (void)Mailbox<int>().receive(Tag(99)); });
  if (!victim.ok()) return;
  Result<Process> p = untrusted.spawn(env, "kill_process", {static_cast<int64_t>(victim->id())});
  std::printf("   kill_process(victim): %s\n", p.ok() ? "?" : p.error().message().c_str());
  std::printf("   the victim is %s\n", victim->exists() ? "alive" : "dead");
  victim->kill();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sandbox PATH/untrusted.wasm (preopen its folder with --dir)\n");
    return 2;
  }
  Result<Module> untrusted = Module::load(argv[1]);
  if (!untrusted.ok()) {
    std::fprintf(stderr, "sandbox: %s\n", untrusted.error().message().c_str());
    return 1;
  }
  die_when_link_dies(false);
  std::printf("Loaded %s as untrusted code.\n", argv[1]);
  memory(*untrusted);
  fuel(*untrusted);
  processes(*untrusted);
  resources(*untrusted);
  namespaces(*untrusted);
  return 0;
}
