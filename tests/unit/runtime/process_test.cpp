// Processes end to end: spawning and joining many, a ring passing a token, preemption of a
// spinning process on one worker, a lone process's growing slices, yield on one worker, exit
// statuses, selective receive and receive timeouts.
#include <chrono>
#include <thread>
#include <vector>

#include "guests.hpp"
#include "runtime/scheduler.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

class Processes : public RuntimeTest {
 protected:
  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({});

  ExitStatus run_root(const char* entry, int64_t arg) {
    auto id = runtime_->spawn_root(guest_, env_, entry, {Value::i64(arg)});
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    return runtime_->wait();
  }
  /// Runs `entry` as the root on `workers` workers: it returns 42, and by the end `killed`
  /// processes were killed (the root kills those that would run for ever).
  void expect_42_and_kills(unsigned workers, const char* entry, size_t killed) {
    start(workers);
    ExitStatus s = run_root(entry, 0);
    ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
    EXPECT_EQ(s.results[0].as_i64(), 42);
    runtime_->wait_all();
    EXPECT_EQ(exit_count(ExitStatus::Kind::Killed), killed);
  }
};

TEST_F(Processes, SpawnAndJoinTenThousand) {
  start(2);
  ExitStatus s = run_root("spawn_join", 10'000);
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].as_i64(), 10'000);
  runtime_->wait_all();
  EXPECT_EQ(exit_count(ExitStatus::Kind::Normal), 10'001u);
  EXPECT_EQ(runtime_->live_processes(), 0u);
  EXPECT_EQ(runtime_->registry().size(), 0u);
}

TEST_F(Processes, RingOfAThousandPassesATokenTenTimes) {
  start(2);
  ExitStatus s = run_root("ring", 1000);
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_EQ(s.results[0].as_i64(), 1 + 10 * 1000);
  runtime_->wait_all();
  EXPECT_EQ(exit_count(ExitStatus::Kind::Normal), 1001u);
}

// A lone process's slices in place double from the runtime's up to the kill poll's interval,
// and never shrink (a slice_fuel above the interval stays as it is).
TEST(LoneSlice, DoublesUpToTheKillPollIntervalAndNeverShrinks) {
  constexpr auto longest = static_cast<uint64_t>(engine::kKillPollInterval);
  uint64_t slice = 100'000;
  std::vector<uint64_t> sizes;
  for (int i = 0; i < 6; ++i) sizes.push_back(slice = lone_slice(slice));
  EXPECT_EQ(sizes, (std::vector<uint64_t>{200'000, 400'000, 800'000, longest, longest, longest}));
  EXPECT_EQ(lone_slice(1), 2u);
  EXPECT_EQ(lone_slice(longest / 2 - 1), longest - 2);
  EXPECT_EQ(lone_slice(longest * 3), longest * 3);
  EXPECT_EQ(lone_slice(UINT64_MAX), UINT64_MAX);
}

TEST_F(Processes, SpinningProcessDoesNotStarveOthersOnOneWorker) {
  expect_42_and_kills(1, "spin_main", 1);  // the spinner
}

TEST_F(Processes, MessagePassingPairDoesNotStarveOthersOnOneWorker) {
  // Each of the pair wakes the other, which runs next on the worker (its runnext) ahead of
  // the queue: the streak limit lets the queued processes run.
  expect_42_and_kills(1, "bounce_main", 2);  // the pair
}

// A runnext is taken without a lock (Scheduler::enqueue_woken): its waker's slice must still
// see it (a slice goes on in place only when nothing, runnext included, waits), and on two
// workers the idle one takes it after its grace, or the waker's slice ends.
TEST_F(Processes, RunnextOfAWakerThatKeepsComputingRunsOnOneWorker) {
  expect_42_and_kills(1, "runnext_of_spinner", 1);  // the spinner
}

TEST_F(Processes, RunnextOfAWakerThatKeepsComputingRunsOnTwoWorkers) {
  expect_42_and_kills(2, "runnext_of_spinner", 1);
}

// Many ping-pong pairs on two workers: runnexts set and taken on both, stolen, displaced to
// the queues, with messages handed over to parked receivers; none is lost or duplicated.
TEST_F(Processes, ManyPingPongPairsLoseNoMessage) {
  start(2);
  constexpr int64_t kPairs = 16;
  ExitStatus s = run_root("pingpong_pairs", kPairs);
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_EQ(s.results[0].as_i64(), kPairs * 500'500);
  runtime_->wait_all();
  EXPECT_EQ(exit_count(ExitStatus::Kind::Normal), 1u + 2 * kPairs);
}

TEST_F(Processes, SendsThroughTheTargetCacheSeeADeadTargetGone) {
  // Process::find_target remembers the last peer a process sent to: the remembered process
  // must be reported gone once it died, and a new target must replace it.
  start(2);
  auto spawn = [&](const char* entry) {
    auto id = runtime_->spawn({guest_, env_, entry, {Value::i64(0)}, nullptr, 0});
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    return *id;
  };
  const ProcessId sender = spawn("wait_forever"), a = spawn("wait_forever"),
                  b = spawn("wait_forever");
  std::shared_ptr<Process> s = runtime_->find(sender);
  ASSERT_NE(s, nullptr);
  // Once the sender is parked in its receive (tag 99), this thread is its only user: the
  // worker that parked it read its fields last (Process::note_resume_lines, before the park).
  while (s->info().state != ProcessState::Receiving) std::this_thread::yield();
  auto msg = [] {
    auto m = std::make_unique<Message>();
    m->tag = 1;  // not the tag the receivers wait for: they stay parked
    return m;
  };
  EXPECT_EQ(s->find_target(a), runtime_->find(a));
  EXPECT_TRUE(runtime_->send(a, msg(), s.get()));
  EXPECT_EQ(s->find_target(b), runtime_->find(b));  // a new peer replaces the old one
  EXPECT_EQ(s->find_target(a), runtime_->find(a));
  ASSERT_TRUE(runtime_->kill(a));
  while (runtime_->exists(a)) std::this_thread::yield();
  EXPECT_EQ(s->find_target(a), nullptr);
  EXPECT_FALSE(runtime_->send(a, msg(), s.get()));
  EXPECT_EQ(s->find_target(404'404), nullptr);
  EXPECT_TRUE(runtime_->send(b, msg(), s.get()));
  EXPECT_EQ(runtime_->find(b)->mailbox().size(), 1u);
  runtime_->kill_all();
}

TEST_F(Processes, YieldLetsTheOthersOfTheWorkerRunFirst) {
  start(1);
  ExitStatus s = run_root("yield_pair", 0);
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  runtime_->wait_all();
  // Each step of one yielder is followed by a step of the other: 1000, 2000, 1001, 2001, ...
  // Without the yield, the first would report all its steps within its first slice.
  std::vector<int64_t> expected;
  for (int64_t i = 0; i < 20; ++i) {
    expected.push_back(1000 + i);
    expected.push_back(2000 + i);
  }
  EXPECT_EQ(reports().take(), expected);
}

TEST_F(Processes, ExitStatuses) {
  start(2);
  auto spawn = [&](const char* entry) {
    auto id = runtime_->spawn({guest_, env_, entry, {Value::i64(0)}, nullptr, 0});
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    return *id;
  };
  ProcessId crash = spawn("crash"), exit0 = spawn("exit0"), exit3 = spawn("exit3");
  ProcessId hello = spawn("hello");  // sends to process 0: dropped, returns normally
  runtime_->wait_all();
  EXPECT_EQ(exit_of(crash).kind, ExitStatus::Kind::Failed);
  EXPECT_EQ(exit_of(crash).to_string(), "trap: unreachable");
  EXPECT_EQ(exit_of(exit0).kind, ExitStatus::Kind::Normal);
  EXPECT_EQ(exit_of(exit0).exit_code(), 0);
  EXPECT_EQ(exit_of(exit3).kind, ExitStatus::Kind::Failed);
  EXPECT_EQ(exit_of(exit3).exit_code(), 3);
  EXPECT_EQ(exit_of(exit3).to_string(), "exit(3)");
  EXPECT_EQ(exit_of(hello).kind, ExitStatus::Kind::Normal);
}

TEST_F(Processes, SpawnErrorsNameTheProblem) {
  start(1);
  auto no_entry = runtime_->spawn({guest_, env_, "nope", {}, nullptr, 0});
  ASSERT_FALSE(no_entry.ok());
  EXPECT_EQ(no_entry.error().message, "spawn: the module exports no function named 'nope'");
  auto bad_args = runtime_->spawn({guest_, env_, "crash", {Value::i32(1)}, nullptr, 0});
  ASSERT_FALSE(bad_args.ok());
  EXPECT_EQ(bad_args.error().message, "spawn: function 'crash' expects (i64), got (i32)");
  auto unknown = compile_wat(R"((import "env" "missing" (func)))", false);
  auto linked = runtime_->spawn({unknown, env_, "x", {}, nullptr, 0});
  ASSERT_FALSE(linked.ok());
  EXPECT_EQ(linked.error().phase, Phase::Link);
  EXPECT_NE(linked.error().message.find("env::missing"), std::string::npos);
  EXPECT_EQ(env_->live_processes(), 0u);  // failed spawns gave their slots back
}

TEST_F(Processes, SelectiveReceiveKeepsTheOrderOfTheRest) {
  start(2);
  ExitStatus s = run_root("selective", 0);
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_EQ(reports().take(), (std::vector<int64_t>{20, 30, 10, 11, -1}));
}

TEST_F(Processes, ReceiveTimesOut) {
  start(2);
  const auto t0 = std::chrono::steady_clock::now();
  ExitStatus s = run_root("timeout", 50);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_EQ(s.results[0].as_i64(), -1);
  EXPECT_GE(elapsed, std::chrono::milliseconds(50));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  runtime_->wait_all();
  EXPECT_EQ(runtime_->timer().pending(), 0u);
}

TEST_F(Processes, MessageFromTheEmbedderWakesAWaitingReceive) {
  start(2);
  auto id = runtime_->spawn_root(guest_, env_, "timeout", {Value::i64(-1)});  // no timeout
  ASSERT_TRUE(id.ok());
  auto m = std::make_unique<Message>();
  m->tag = 7;
  const int64_t v = 1234;
  m->data.assign(reinterpret_cast<const uint8_t*>(&v), reinterpret_cast<const uint8_t*>(&v + 1));
  EXPECT_TRUE(runtime_->send(*id, std::move(m)));
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_EQ(s.results[0].as_i64(), 1234);
  EXPECT_FALSE(runtime_->send(*id, std::make_unique<Message>()));  // gone
}

// A process holds one reference to its module, its instance's (Process::module() reads it): a
// second one in the process was an atomic count update more at each spawn and each end, on the
// module's count that every worker's spawns and ends update.
TEST_F(Processes, AProcessHoldsItsModuleOnceThroughItsInstance) {
  start(1);
  const long before = guest_.use_count();
  auto id = runtime_->spawn_root(guest_, env_, "wait_forever", {Value::i64(0)});
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  EXPECT_EQ(guest_.use_count(), before + 1);
  {
    std::shared_ptr<Process> p = runtime_->find(*id);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->module(), guest_);
    EXPECT_EQ(&p->module(), &p->instance().module);
  }
  ASSERT_TRUE(runtime_->kill(*id));
  EXPECT_EQ(runtime_->wait().kind, ExitStatus::Kind::Killed);
  EXPECT_EQ(guest_.use_count(), before);
}

// A module with a start function: the entry and its arguments wait (Process::pending_entry_)
// until the start function has returned, then the entry runs with them.
TEST_F(Processes, EntryRunsWithItsArgumentsAfterTheStartFunction) {
  start(1);
  auto module = compile_wat(R"(
    (global $g (mut i64) (i64.const 0))
    (func $init (global.set $g (i64.const 40)))
    (start $init)
    (func (export "main") (param i64 i32) (result i64)
      (i64.add (global.get $g)
               (i64.add (local.get 0) (i64.extend_i32_u (local.get 1))))))",
                            false);
  auto id = runtime_->spawn_root(module, env_, "main", {Value::i64(1), Value::i32(1)});
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].as_i64(), 42);
}

TEST_F(Processes, AStartFunctionThatTrapsFailsTheProcessWithoutRunningTheEntry) {
  start(1);
  auto module = compile_wat(R"(
    (func $init unreachable)
    (start $init)
    (func (export "main") (param i64) (result i64) (local.get 0)))",
                            false);
  auto id = runtime_->spawn_root(module, env_, "main", {Value::i64(7)});
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Failed) << s.to_string();
  ASSERT_TRUE(s.trap.has_value());
  EXPECT_EQ(s.trap->kind, engine::TrapKind::Unreachable);
  EXPECT_TRUE(s.results.empty());
}

}  // namespace
}  // namespace lunatic::runtime::test
