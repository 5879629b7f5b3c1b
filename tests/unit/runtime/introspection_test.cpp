// Introspection while processes run: each state, mailbox and memory figures, names, links,
// monitors, environments, the node's counters, crash records, and snapshots taken over and
// over while many processes spawn, send and die on two workers (a TSan target).
#include <chrono>
#include <cstring>
#include <functional>
#include <thread>

#include "runtime/introspection.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

constexpr std::string_view kModule = R"(
  (memory 1)
  (data (i32.const 0) "wait_forever")
  (func (export "wait_forever") (param i64) (drop (call $receive (i64.const 99) (i64.const -1))))
  (func (export "spin") (param i64) (loop $l (br $l)))
  (func (export "napper") (param i64) (call $nap (i64.const 60000)))
  (func (export "grow_then_wait") (param i64)
    (drop (memory.grow (i32.const 3)))
    (drop (call $receive (i64.const 99) (i64.const -1))))
  ;; Spawns a child linked under tag 7 (it waits forever), then waits forever itself.
  (func (export "parent") (param i64)
    (drop (call $spawn (i32.const 0) (i32.const 12) (i64.const 0) (i64.const 7)))
    (drop (call $receive (i64.const 99) (i64.const -1))))
  ;; Survives its links' failures (they arrive as messages), links to $other, then waits.
  (func (export "watcher") (param $other i64)
    (call $die_when_link_dies (i32.const 0))
    (call $link (i64.const 3) (local.get $other))
    (drop (call $receive (i64.const 99) (i64.const -1))))
  (func $inner (export "inner") unreachable)
  (func (export "crash_deep") (param i64) (call $nap (i64.const 50)) (call $inner))
  (func (export "child") (param $parent i64)
    (drop (call $send (local.get $parent) (i64.const 1) (i64.const 1))))
  (data (i32.const 16) "child")
  ;; Spawns n children that each send 1 back, and takes the n messages.
  (func (export "spawn_join") (param $n i64) (result i64)
    (local $i i64)
    (block $done (loop $spawn
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (drop (call $spawn (i32.const 16) (i32.const 5) (call $self) (i64.const 0)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $spawn)))
    (local.set $i (i64.const 0))
    (block $done (loop $recv
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (drop (call $receive (i64.const 0) (i64.const -1)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $recv)))
    (local.get $n))
)";

class Introspection : public RuntimeTest {
 protected:
  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kModule);
  std::shared_ptr<Environment> env_ = Environment::create({});

  ProcessId spawn(const char* entry, int64_t arg = 0,
                  std::shared_ptr<const Environment> env = nullptr) {
    SpawnOptions options;
    options.module = guest_;
    options.environment = env ? std::move(env) : env_;
    options.entry = entry;
    options.args = {Value::i64(arg)};
    options.module_name = "introspection.wasm";
    Result<ProcessId> id = runtime_->spawn(std::move(options));
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    return id.ok() ? *id : 0;
  }

  /// Polls process `id` until `ready` holds (5 s at most); the last snapshot.
  ProcessInfo wait_for(ProcessId id, const std::function<bool(const ProcessInfo&)>& ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::optional<ProcessInfo> info;
    while (std::chrono::steady_clock::now() < deadline) {
      info = runtime_->process_info(id);
      if (info && ready(*info)) return *info;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "process " << id << " never reached the expected state";
    return info.value_or(ProcessInfo{});
  }

  /// Waits (5 s at most) until exactly `n` processes are alive.
  void wait_until_live(size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (runtime_->live_processes() != n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ(runtime_->live_processes(), n);
  }

  static std::function<bool(const ProcessInfo&)> in(ProcessState state) {
    return [state](const ProcessInfo& p) { return p.state == state; };
  }

  void send_value(ProcessId to, Tag tag, int64_t value) {
    auto m = std::make_unique<Message>();
    m->tag = tag;
    m->data.resize(sizeof value);
    std::memcpy(m->data.data(), &value, sizeof value);
    ASSERT_TRUE(runtime_->send(to, std::move(m)));
  }
};

TEST_F(Introspection, StatesOfParkedProcesses) {
  start(2);
  ProcessId receiver = spawn("wait_forever");
  ProcessId napper = spawn("napper");
  ProcessInfo r = wait_for(receiver, in(ProcessState::Receiving));
  EXPECT_EQ(r.state, ProcessState::Receiving);
  EXPECT_EQ(process_state_name(r.state), "receiving");
  ProcessInfo n = wait_for(napper, in(ProcessState::Sleeping));
  EXPECT_EQ(process_state_name(n.state), "sleeping");
  EXPECT_FALSE(runtime_->process_info(123456).has_value());
}

TEST_F(Introspection, RunningAndRunnableOnOneWorker) {
  start(1, 1'000);
  ProcessId a = spawn("spin");
  ProcessId b = spawn("spin");
  // One worker, two spinners: whenever one runs, the other waits in the queue.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool seen = false;
  while (!seen && std::chrono::steady_clock::now() < deadline) {
    std::optional<ProcessInfo> x = runtime_->process_info(a), y = runtime_->process_info(b);
    ASSERT_TRUE(x && y);
    seen = (x->state == ProcessState::Running && y->state == ProcessState::Runnable) ||
           (x->state == ProcessState::Runnable && y->state == ProcessState::Running);
  }
  EXPECT_TRUE(seen);
  ProcessInfo x = wait_for(a, [](const ProcessInfo& p) { return p.slices >= 3; });
  EXPECT_GE(x.slices, 3u);
  runtime_->kill_all();
}

TEST_F(Introspection, ALoneProcessCountsTheSlicesItExtendsInPlace) {
  start(2, 1'000);
  ProcessId a = spawn("spin");
  // Alone on its worker, its slices go on without returning to the scheduler: still counted.
  ProcessInfo x = wait_for(a, [](const ProcessInfo& p) { return p.slices >= 20; });
  EXPECT_GE(x.slices, 20u);
  uint64_t worker_slices = 0;
  for (const WorkerInfo& w : runtime_->node_info().workers) worker_slices += w.slices;
  EXPECT_GE(worker_slices, 20u);
  runtime_->kill_all();
}

TEST_F(Introspection, MailboxNamesModuleAndStart) {
  start(2);
  const int64_t before = unix_time_ms();
  ProcessId id = spawn("wait_forever");
  wait_for(id, in(ProcessState::Receiving));
  for (int i = 0; i < 3; ++i) send_value(id, 5, i);  // tag 5: never taken (it waits for 99)
  std::shared_ptr<Process> p = runtime_->find(id);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->names().put(env_, "beta", id), ProcessNames::Put::Registered);
  EXPECT_EQ(p->names().put(env_, "alpha", id), ProcessNames::Put::Registered);
  ProcessInfo info = *runtime_->process_info(id);
  EXPECT_EQ(info.mailbox_messages, 3u);
  EXPECT_EQ(info.mailbox_bytes, 3 * sizeof(int64_t));
  EXPECT_EQ(info.names, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(info.module, "introspection.wasm");
  EXPECT_EQ(info.entry, "wait_forever");
  EXPECT_EQ(info.environment, env_->id());
  EXPECT_GE(info.start_time_ms, before);
  EXPECT_LE(info.start_time_ms, unix_time_ms());
  EXPECT_EQ(info.memory_bytes, 65536u);
  EXPECT_FALSE(info.fuel_used.has_value());  // unlimited fuel: not counted
  EXPECT_TRUE(info.die_when_link_dies);
  // A message that matches is taken: the process returns and is gone from the listing.
  send_value(id, 99, 0);
  wait_until_live(0);
  EXPECT_FALSE(runtime_->process_info(id).has_value());
  EXPECT_TRUE(runtime_->processes().empty());
}

TEST_F(Introspection, MemoryAfterGrowAndFuelUnderALimit) {
  // One worker: the grower parks, then two spinners take turns, so their slices end.
  start(1, 10'000);
  ProcessId grower = spawn("grow_then_wait");
  ProcessInfo g = wait_for(grower, in(ProcessState::Receiving));
  EXPECT_EQ(g.memory_bytes, 4u * 65536);

  auto limited = env_->create_child({.max_fuel = 1'000'000'000});
  ProcessId spinner = spawn("spin", 0, limited);
  spawn("spin", 0, limited);
  ProcessInfo s = wait_for(
      spinner, [](const ProcessInfo& p) { return p.fuel_used.has_value() && *p.fuel_used > 0; });
  ASSERT_TRUE(s.fuel_used && s.fuel_left);
  EXPECT_EQ(*s.fuel_used + *s.fuel_left, 1'000'000'000u);
  EXPECT_EQ(s.environment, limited->id());
  runtime_->kill_all();
}

TEST_F(Introspection, ALoneSpinnerShowsItsFuelWhileItsSliceGoesOnInPlace) {
  // Nothing else queued on its worker: each slice's end extends the slice in place, and the
  // fuel left is saved there, so the figure moves while the process never stops.
  start(1, 10'000);
  auto limited = env_->create_child({.max_fuel = 1'000'000'000});
  ProcessId spinner = spawn("spin", 0, limited);
  ProcessInfo first = wait_for(
      spinner, [](const ProcessInfo& p) { return p.fuel_used.has_value() && *p.fuel_used > 0; });
  ProcessInfo later = wait_for(spinner, [&](const ProcessInfo& p) {
    return p.fuel_used.has_value() && *p.fuel_used > *first.fuel_used;
  });
  EXPECT_EQ(*later.fuel_used + *later.fuel_left, 1'000'000'000u);
  runtime_->kill_all();
}

TEST_F(Introspection, LinksAndMonitors) {
  start(2);
  ProcessId parent = spawn("parent");
  wait_for(parent, [](const ProcessInfo& p) {
    return p.links.size() == 1 && p.state == ProcessState::Receiving;
  });
  ProcessInfo info = *runtime_->process_info(parent);
  ASSERT_EQ(info.links.size(), 1u);
  const ProcessId child = info.links[0].process;
  EXPECT_EQ(info.links[0].tag, 7);
  ProcessInfo c = wait_for(child, in(ProcessState::Receiving));
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(c.links[0].process, parent);

  ProcessId watcher = spawn("watcher", static_cast<int64_t>(child));
  ProcessInfo w = wait_for(watcher, [](const ProcessInfo& p) {
    return p.state == ProcessState::Receiving && !p.die_when_link_dies;
  });
  EXPECT_EQ(w.links.size(), 1u);
  c = *runtime_->process_info(child);
  EXPECT_EQ(c.links.size(), 2u);
  EXPECT_LT(c.links[0].process, c.links[1].process);  // ordered by id
  EXPECT_EQ(c.monitored_by, 0u);
  runtime_->kill_all();
}

TEST_F(Introspection, EnvironmentsWithLimitsAndUsage) {
  start(2);
  auto sandbox = env_->create_child({.max_memory_pages = 16,
                                     .max_fuel = 5'000'000'000,
                                     .allowed = binding::AllowList({"test"}),
                                     .max_processes = 10});
  ProcessId outer = spawn("wait_forever");
  ProcessId inner1 = spawn("wait_forever", 0, sandbox);
  ProcessId inner2 = spawn("grow_then_wait", 0, sandbox);
  wait_for(outer, in(ProcessState::Receiving));
  wait_for(inner1, in(ProcessState::Receiving));
  wait_for(inner2, in(ProcessState::Receiving));
  std::vector<EnvironmentInfo> envs = runtime_->environments();
  ASSERT_EQ(envs.size(), 2u);
  const EnvironmentInfo& root = envs[0];
  const EnvironmentInfo& child = envs[1];
  EXPECT_EQ(root.id, env_->id());
  EXPECT_FALSE(root.parent.has_value());
  EXPECT_EQ(root.live_processes, 3u);  // counting its sandbox's
  EXPECT_EQ(root.memory_bytes, 65536u);
  EXPECT_EQ(root.allowed, std::vector<std::string>{"*"});
  EXPECT_EQ(child.id, sandbox->id());
  EXPECT_EQ(child.parent, env_->id());
  EXPECT_EQ(child.live_processes, 2u);
  EXPECT_EQ(child.max_processes, 10u);
  EXPECT_EQ(child.max_memory_pages, 16u);
  EXPECT_EQ(child.max_fuel, 5'000'000'000u);
  EXPECT_EQ(child.allowed, std::vector<std::string>{"test"});
  EXPECT_EQ(child.memory_bytes, 65536u + 4 * 65536u);
  runtime_->kill_all();
  EXPECT_TRUE(runtime_->environments().empty());
}

TEST_F(Introspection, NodeCountsSpawnsMessagesAndWorkerTime) {
  start(2);
  auto id = runtime_->spawn_root(guest_, env_, "spawn_join", {Value::i64(200)});
  ASSERT_TRUE(id.ok());
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  runtime_->wait_all();
  NodeInfo node = runtime_->node_info();
  EXPECT_EQ(node.processes, 0u);
  EXPECT_EQ(node.spawns_total, 201u);
  EXPECT_EQ(node.messages_sent_total, 200u);
  EXPECT_EQ(node.crashes_total, 0u);
  ASSERT_EQ(node.workers.size(), 2u);
  uint64_t slices = 0, busy = 0;
  for (const WorkerInfo& w : node.workers) {
    slices += w.slices;
    busy += w.busy_ns;
    EXPECT_LE(w.busy_ns, node.uptime_ns);
  }
  EXPECT_GE(slices, 201u);  // each process ran at least once
  EXPECT_GT(busy, 0u);
  EXPECT_GE(node.start_time_ms, unix_time_ms() - 60'000);

  // A host send counts too.
  ProcessId waiter = spawn("wait_forever");
  wait_for(waiter, in(ProcessState::Receiving));
  send_value(waiter, 5, 1);
  EXPECT_EQ(runtime_->node_info().messages_sent_total, 201u);
  EXPECT_EQ(runtime_->node_info().spawns_total, 202u);
  EXPECT_EQ(runtime_->node_info().processes, 1u);
  EXPECT_GE(runtime_->node_info().memory_bytes, 65536u);
  runtime_->kill_all();
  EXPECT_EQ(runtime_->node_info().kills_total, 1u);
}

TEST_F(Introspection, WorkerBusyTimeFollowsTheLoad) {
  start(2);
  NodeInfo idle = runtime_->node_info();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  NodeInfo later = runtime_->node_info();
  uint64_t idle_busy = 0;
  for (size_t i = 0; i < 2; ++i) idle_busy += later.workers[i].busy_ns - idle.workers[i].busy_ns;
  EXPECT_LT(idle_busy, 50'000'000u);  // idle workers: far less than 2 x 100 ms busy

  spawn("spin");
  spawn("spin");
  NodeInfo before = runtime_->node_info();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  NodeInfo after = runtime_->node_info();
  uint64_t busy = 0;
  for (size_t i = 0; i < 2; ++i) busy += after.workers[i].busy_ns - before.workers[i].busy_ns;
  EXPECT_GT(busy, 200'000'000u);  // two spinners keep both workers busy (of 400 ms)
  runtime_->kill_all();
}

TEST_F(Introspection, CrashRecordsReasonBacktraceNamesAndLinks) {
  std::vector<CrashInfo> reported;
  std::mutex mutex;
  RuntimeConfig config;
  config.workers = 2;
  config.linker = make_test_linker();
  config.crash_history = 2;
  config.on_crash = [&](const CrashInfo& crash) {
    std::lock_guard lock(mutex);
    reported.push_back(crash);
  };
  runtime_ = std::make_unique<Runtime>(std::move(config));

  ProcessId crasher = spawn("crash_deep");
  std::shared_ptr<Process> p = runtime_->find(crasher);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->names().put(env_, "calculator", crasher), ProcessNames::Put::Registered);
  ProcessId watcher = spawn("watcher", static_cast<int64_t>(crasher));
  wait_for(watcher, [](const ProcessInfo& w) { return !w.links.empty(); });
  wait_until_live(1);  // the crasher naps 50 ms, then traps; the watcher stays

  std::vector<CrashInfo> crashes = runtime_->crashes();
  ASSERT_EQ(crashes.size(), 1u);
  const CrashInfo& c = crashes[0];
  EXPECT_EQ(c.id, crasher);
  EXPECT_EQ(c.reason, "trap: unreachable");
  EXPECT_FALSE(c.killed);
  EXPECT_EQ(c.names, std::vector<std::string>{"calculator"});
  EXPECT_EQ(c.module, "introspection.wasm");
  EXPECT_EQ(c.entry, "crash_deep");
  ASSERT_GE(c.backtrace.size(), 2u);
  EXPECT_EQ(c.backtrace[0].function_name, "inner");
  EXPECT_EQ(c.backtrace[1].function_name, "crash_deep");
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(c.links[0].process, watcher);
  // The watcher takes its links' failures as messages: the crasher's supervisor.
  EXPECT_EQ(c.supervisor, std::optional<ProcessId>(watcher));
  EXPECT_GE(c.end_time_ms, c.start_time_ms);
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(reported.size(), 1u);
    EXPECT_EQ(reported[0].reason, c.reason);
  }
  EXPECT_EQ(runtime_->node_info().crashes_total, 1u);

  // The history keeps the latest crash_history ends.
  for (int i = 0; i < 3; ++i) spawn("crash_deep");
  wait_until_live(1);
  crashes = runtime_->crashes();
  ASSERT_EQ(crashes.size(), 2u);
  EXPECT_GT(crashes[0].id, crasher);
  EXPECT_GT(crashes[1].id, crasher);
  EXPECT_NE(crashes[0].id, crashes[1].id);
  EXPECT_FALSE(crashes[1].supervisor);  // no links: nobody to restart it
  runtime_->kill_all();
}

TEST_F(Introspection, CrashHistoryKeepsTheLatestInOrderAndNothingOfTheEntriesItReuses) {
  // No on_crash: each crash is written into the history's ring in place. Seven ends, trapped
  // (named, with a backtrace) and killed in turn, one at a time, through a history of three:
  // the last three come back oldest first, and a killed one reused after a trapped one keeps
  // no backtrace or name of it.
  RuntimeConfig config;
  config.workers = 2;
  config.linker = make_test_linker();
  config.crash_history = 3;
  runtime_ = std::make_unique<Runtime>(std::move(config));
  std::vector<ProcessId> ended;
  for (int i = 0; i < 7; ++i) {
    const bool trap = i % 2 == 0;
    ProcessId id = spawn(trap ? "crash_deep" : "wait_forever");
    if (trap) {
      std::shared_ptr<Process> p = runtime_->find(id);
      ASSERT_TRUE(p);
      EXPECT_EQ(p->names().put(env_, "crasher", id), ProcessNames::Put::Registered);
    } else {
      wait_for(id, in(ProcessState::Receiving));
      EXPECT_TRUE(runtime_->kill(id));
    }
    wait_until_live(0);
    ended.push_back(id);
  }
  const std::vector<CrashInfo> crashes = runtime_->crashes();
  ASSERT_EQ(crashes.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    const CrashInfo& c = crashes[k];
    const bool trap = (4 + k) % 2 == 0;
    EXPECT_EQ(c.id, ended[4 + k]);
    EXPECT_EQ(c.killed, !trap);
    EXPECT_EQ(c.entry, trap ? "crash_deep" : "wait_forever");
    EXPECT_EQ(c.names, trap ? std::vector<std::string>{"crasher"} : std::vector<std::string>{});
    EXPECT_EQ(c.backtrace.empty(), !trap);
    EXPECT_EQ(c.reason.rfind(trap ? "trap: " : "killed", 0), 0u) << c.reason;
  }
  EXPECT_EQ(runtime_->node_info().crashes_total + runtime_->node_info().kills_total, 7u);
}

TEST_F(Introspection, SnapshotsWhileProcessesSpawnSendAndDie) {
  start(2, 1'000);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> snapshots{0};
  std::thread reader([&] {
    while (!done.load()) {
      std::vector<ProcessInfo> all = runtime_->processes();
      for (size_t i = 1; i < all.size(); ++i) ASSERT_LT(all[i - 1].id, all[i].id);
      for (const ProcessInfo& p : all) ASSERT_LE(p.memory_bytes, 65536u * 4);
      runtime_->environments();
      NodeInfo node = runtime_->node_info();
      ASSERT_EQ(node.workers.size(), 2u);
      runtime_->crashes();
      snapshots.fetch_add(1);
    }
  });
  for (int round = 0; round < 3; ++round) {
    SpawnOptions options;
    options.module = guest_;
    options.environment = env_;
    options.entry = "spawn_join";
    options.args = {Value::i64(2'000)};
    options.joinable = true;
    Result<ProcessId> id = runtime_->spawn(std::move(options));
    ASSERT_TRUE(id.ok());
    std::optional<ExitStatus> s = runtime_->join(*id);
    ASSERT_TRUE(s && s->kind == ExitStatus::Kind::Normal);
    runtime_->wait_all();
  }
  done.store(true);
  reader.join();
  EXPECT_GT(snapshots.load(), 0u);
  EXPECT_EQ(runtime_->node_info().spawns_total, 3u * 2'001u);
  EXPECT_EQ(runtime_->node_info().messages_sent_total, 3u * 2'000u);
}

}  // namespace
}  // namespace lunatic::runtime::test
