// The "bench" host namespace: the few process calls the benchmark guest makes, written with
// the typed binding as the real lunatic namespaces are.
#include "host.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "binding/call_context.hpp"
#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::bench {
namespace {

using binding::CallContext;
using binding::GuestString;
using binding::HostResult;
using runtime::Process;

Mark g_marks[kMarks];

int64_t self(CallContext& ctx) { return static_cast<int64_t>(ctx.host<Process>().id()); }

/// Spawns the caller's module at `entry` with one i64 argument, in the caller's environment.
int64_t spawn(CallContext& ctx, GuestString entry, int64_t arg) {
  Process& p = ctx.host<Process>();
  runtime::SpawnOptions o;
  o.module = p.module();
  o.environment = p.environment();
  o.entry = std::string(entry.view());
  o.args = {engine::Value::i64(arg)};
  o.spawner = &p;  // as a guest's spawn through lunatic::process
  Result<runtime::ProcessId> id = p.runtime().spawn(std::move(o));
  if (!id.ok()) {
    std::fprintf(stderr, "spawn failed: %s\n", id.error().to_string().c_str());
    return -1;
  }
  return static_cast<int64_t>(*id);
}

int32_t send(CallContext& ctx, int64_t to, int64_t value) {
  Process& p = ctx.host<Process>();
  auto m = std::make_unique<runtime::Message>();
  // Charged to the sender's environment as lunatic::message::create_data charges (the cost of
  // host memory accounting belongs in the message benchmarks).
  m->charge = p.new_charge();
  if (!m->charge.resize(runtime::kMessageBytes + sizeof value)) return 2;
  m->process = p.id();
  m->data.resize(sizeof value);
  std::memcpy(m->data.data(), &value, sizeof value);
  return p.runtime().send(static_cast<runtime::ProcessId>(to), std::move(m)) ? 0 : 1;
}

/// The next message's value; parks until one comes.
HostResult<int64_t> receive(CallContext& ctx) {
  Process& p = ctx.host<Process>();
  if (std::unique_ptr<runtime::Message> m = p.mailbox().receive_or_wait({})) {
    int64_t v = 0;
    if (m->data.size() == sizeof v) std::memcpy(&v, m->data.data(), sizeof v);
    return v;
  }
  return HostResult<int64_t>::park();
}

/// Links the caller and `other` both ways (tag 0): a trap of either kills the other.
void link(CallContext& ctx, int64_t other) {
  ctx.host<Process>().link(0, static_cast<runtime::ProcessId>(other));
}

/// Monitors `target` (tag 0).
void monitor(CallContext& ctx, int64_t target) {
  ctx.host<Process>().monitor(0, static_cast<runtime::ProcessId>(target));
}

void mark(int32_t i) {
  if (i < 0 || i >= kMarks) return;
  g_marks[i] = Mark{std::chrono::steady_clock::now(), resident_bytes()};
}

}  // namespace

Mark& mark_slot(int i) { return g_marks[i]; }

int64_t resident_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long size = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE) : 0;
}

std::shared_ptr<const binding::Linker> make_bench_linker() {
  auto linker = std::make_shared<binding::Linker>();
  linker->ns("bench")
      .define("self", &self)
      .define("spawn", &spawn)
      .define("send", &send)
      .define("receive", &receive)
      .define("link", &link)
      .define("monitor", &monitor)
      .define("mark", &mark);
  return linker;
}

}  // namespace lunatic::bench
