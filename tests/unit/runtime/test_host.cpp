// The "test" host namespace: stand-ins for lunatic::process / lunatic::message, written with
// the typed binding exactly as the real namespaces will be.
#include <cstring>

#include "runtime_fixture.hpp"
#include "text/text.hpp"

namespace lunatic::runtime::test {
namespace {

using binding::CallContext;
using binding::GuestString;
using binding::HostResult;

int64_t self(CallContext& ctx) { return static_cast<int64_t>(ctx.host<Process>().id()); }

/// Spawns the caller's own module at export `entry` with one i64 argument, in the caller's
/// environment, linked under `link_tag` if it is not 0. Returns the id, or -1 on failure
/// (the error is reported as -2 followed by nothing: tests check the status).
int64_t spawn(CallContext& ctx, GuestString entry, int64_t arg, int64_t link_tag) {
  Process& p = ctx.host<Process>();
  SpawnOptions o;
  o.module = p.module();
  o.environment = p.environment();
  o.entry = std::string(entry.view());
  o.args = {engine::Value::i64(arg)};
  o.spawner = &p;  // as lunatic::process::spawn: its children take its resolved imports
  if (link_tag != 0) {
    o.link_to = &p;
    o.link_tag = link_tag;
  }
  Result<ProcessId> id = p.runtime().spawn(std::move(o));
  return id.ok() ? static_cast<int64_t>(*id) : -1;
}

int32_t send(CallContext& ctx, int64_t to, int64_t tag, int64_t value) {
  Process& p = ctx.host<Process>();
  auto m = std::make_unique<Message>();
  m->tag = tag;
  m->process = p.id();
  m->data.resize(sizeof value);
  std::memcpy(m->data.data(), &value, sizeof value);
  return p.runtime().send(static_cast<ProcessId>(to), std::move(m), &p) ? 0 : 1;
}

struct ReceiveWait {
  bool has_deadline;
  Clock::time_point deadline;
  WakeTimer timer;
};

HostResult<int64_t> receive(CallContext& ctx, int64_t tag, int64_t timeout_ms) {
  Process& p = ctx.host<Process>();
  auto& wait = ctx.pending<ReceiveWait>(
      ReceiveWait{timeout_ms >= 0, Clock::now() + std::chrono::milliseconds(timeout_ms), {}});
  std::span<const Tag> filter;
  if (tag != 0) filter = {&tag, 1};
  if (std::unique_ptr<Message> m = p.mailbox().receive_or_wait(filter)) {
    switch (m->kind) {
      case MessageKind::Data: {
        int64_t v = 0;
        if (m->data.size() == sizeof v) std::memcpy(&v, m->data.data(), sizeof v);
        return v;
      }
      case MessageKind::LinkDied:
        signal_reasons().add(std::string(m->data.begin(), m->data.end()));
        return 1'000'000 + m->tag;
      case MessageKind::ProcessDied:
        signal_reasons().add(std::string(m->data.begin(), m->data.end()));
        return 2'000'000 + m->tag;
    }
  }
  if (wait.has_deadline && Clock::now() >= wait.deadline) {
    p.mailbox().stop_waiting();
    return int64_t{-1};
  }
  if (wait.has_deadline && !wait.timer.armed()) wait.timer = p.wake_at(wait.deadline);
  return HostResult<int64_t>::park();
}

struct NapWait {
  Clock::time_point deadline;
  WakeTimer timer;
};

/// Sleeps `ms` milliseconds, parked on the timer (as lunatic::process::sleep_ms).
HostResult<void> nap(CallContext& ctx, int64_t ms) {
  Process& p = ctx.host<Process>();
  auto& wait = ctx.pending<NapWait>(NapWait{Clock::now() + std::chrono::milliseconds(ms), {}});
  if (Clock::now() >= wait.deadline) return {};
  if (!wait.timer.armed()) wait.timer = p.wake_at(wait.deadline);
  return HostResult<void>::park();
}

void die_when_link_dies(CallContext& ctx, int32_t die) {
  ctx.host<Process>().set_die_when_link_dies(die != 0);
}

void link(CallContext& ctx, int64_t tag, int64_t id) {
  ctx.host<Process>().link(tag, static_cast<ProcessId>(id));
}

void monitor(CallContext& ctx, int64_t tag, int64_t id) {
  ctx.host<Process>().monitor(tag, static_cast<ProcessId>(id));
}

/// As WASI's sched_yield: returns, then lets the others of the worker run.
HostResult<void> yield() { return HostResult<void>::then_yield(); }

void kill(CallContext& ctx, int64_t id) {
  ctx.host<Process>().runtime().kill(static_cast<ProcessId>(id));
}

HostResult<void> exit(int32_t code) { return engine::Trap::exit(code); }

void hold(CallContext& ctx, int64_t n) {
  for (int64_t i = 0; i < n && i < 1000; ++i) {
    ctx.host<Process>().resources().insert(std::make_unique<CountedResource>());
  }
}

void report(int64_t v) { reports().add(v); }

/// The fuel the caller's calls run interpreted first (engine::Thread::set_interpret_first).
int64_t interpret_first(CallContext& ctx) {
  return static_cast<int64_t>(ctx.host<Process>().thread().interpret_first());
}

}  // namespace

std::shared_ptr<const binding::Linker> make_test_linker() {
  auto linker = std::make_shared<binding::Linker>();
  linker->ns("test")
      .define("self", &self)
      .define("spawn", &spawn)
      .define("send", &send)
      .define("receive", &receive)
      .define("die_when_link_dies", &die_when_link_dies)
      .define("link", &link)
      .define("kill", &kill)
      .define("exit", &exit)
      .define("hold", &hold)
      .define("report", &report)
      .define("monitor", &monitor)
      .define("yield", &yield)
      .define("nap", &nap)
      .define("interpret_first", &interpret_first);
  return linker;
}

std::shared_ptr<const engine::CompiledModule> compile_wat(std::string_view fields,
                                                          bool with_imports,
                                                          const engine::CompileConfig& config) {
  std::string wat = "(module ";
  if (with_imports) wat += kImports;
  wat += fields;
  wat += ")";
  auto bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  if (!bytes.ok()) return nullptr;
  auto module = engine::compile(*bytes, config);
  EXPECT_TRUE(module.ok()) << module.error().to_string();
  return module.ok() ? *module : nullptr;
}

}  // namespace lunatic::runtime::test
