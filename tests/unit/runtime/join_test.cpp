// What an embedder sees of processes it spawns: Runtime::join of joinable processes (each
// status taken once, however the process ended, before or after join was called) and the
// SpawnOptions::prepare hook of a non-root spawn.
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>

#include "guests.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

class Join : public RuntimeTest {
 protected:
  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({});

  ProcessId spawn(const char* entry, int64_t arg, bool joinable = true) {
    auto id = runtime_->spawn({.module = guest_,
                               .environment = env_,
                               .entry = entry,
                               .args = {Value::i64(arg)},
                               .joinable = joinable});
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    return id.ok() ? *id : 0;
  }
};

TEST_F(Join, ReturnsHowEachProcessEnded) {
  start(2);
  ProcessId returns = spawn("timeout", 0);  // receive times out at once: returns -1
  ProcessId crash = spawn("crash", 0);
  ProcessId exit3 = spawn("exit3", 0);
  ProcessId waits = spawn("timeout", -1);  // waits for a message until it is killed

  std::optional<ExitStatus> returned = runtime_->join(returns);
  ASSERT_TRUE(returned.has_value());
  EXPECT_EQ(returned->kind, ExitStatus::Kind::Normal);
  ASSERT_EQ(returned->results.size(), 1u);
  EXPECT_EQ(returned->results[0].as_i64(), -1);
  EXPECT_EQ(runtime_->join(crash)->to_string(), "trap: unreachable");
  EXPECT_EQ(runtime_->join(exit3)->exit_code(), 3);

  EXPECT_TRUE(runtime_->kill(waits, engine::Trap::killed("not needed")));
  std::optional<ExitStatus> killed = runtime_->join(waits);
  ASSERT_TRUE(killed.has_value());
  EXPECT_EQ(killed->kind, ExitStatus::Kind::Killed);
  EXPECT_EQ(killed->to_string(), "killed: not needed");
}

TEST_F(Join, TakesAStatusOnceEvenAfterTheProcessEnded) {
  start(2);
  ProcessId id = spawn("exit0", 0);
  runtime_->wait_all();  // it ended before anyone joined
  std::optional<ExitStatus> status = runtime_->join(id);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->kind, ExitStatus::Kind::Normal);
  EXPECT_FALSE(runtime_->join(id).has_value());  // taken
}

TEST_F(Join, OfAProcessNotSpawnedJoinableReturnsAtOnce) {
  start(2);
  ProcessId waits = spawn("timeout", -1, /*joinable=*/false);
  EXPECT_FALSE(runtime_->join(waits).has_value());
  EXPECT_FALSE(runtime_->join(999'999).has_value());  // never spawned
  EXPECT_TRUE(runtime_->exists(waits));
  runtime_->kill(waits);
}

TEST_F(Join, TwoJoinersOfOneProcessGetItOnceBetweenThem) {
  start(2);
  ProcessId waits = spawn("timeout", -1);
  std::optional<ExitStatus> first, second;
  std::thread a([&] { first = runtime_->join(waits); });
  std::thread b([&] { second = runtime_->join(waits); });
  runtime_->kill(waits);
  a.join();
  b.join();
  EXPECT_NE(first.has_value(), second.has_value());
  const std::optional<ExitStatus>& status = first ? first : second;
  EXPECT_EQ(status->kind, ExitStatus::Kind::Killed);
}

// Only the ends someone may wait for wake the waiters (Runtime::finish): a joiner of one
// process among many that are not joinable, and wait_all for the last of them, still return.
TEST_F(Join, AJoinerAndWaitAllWakeAmongManyEndsNobodyJoins) {
  start(2);
  for (int round = 0; round < 20; ++round) {
    ProcessId joined = 0;
    for (int i = 0; i < 200; ++i) {
      const bool joinable = i == 100;
      const ProcessId id = spawn("exit0", 0, joinable);
      if (joinable) joined = id;
    }
    std::optional<ExitStatus> status;
    std::thread joiner([&] { status = runtime_->join(joined); });
    std::thread waiter([&] { runtime_->wait_all(); });
    joiner.join();
    waiter.join();
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->kind, ExitStatus::Kind::Normal);
    EXPECT_EQ(runtime_->live_processes(), 0u);
  }
}

TEST_F(Join, PrepareRunsBeforeTheProcessDoes) {
  start(2);
  ProcessId prepared = 0;
  // The entry waits for one message with tag 7 (no timeout) and returns its value: the message
  // prepare queues is there before the guest's first receive.
  auto id = runtime_->spawn({.module = guest_,
                             .environment = env_,
                             .entry = "timeout",
                             .args = {Value::i64(-1)},
                             .prepare =
                                 [&](Process& process) {
                                   prepared = process.id();
                                   auto m = std::make_unique<Message>();
                                   m->tag = 7;
                                   const int64_t v = 77;
                                   m->data.assign(reinterpret_cast<const uint8_t*>(&v),
                                                  reinterpret_cast<const uint8_t*>(&v + 1));
                                   process.deliver(std::move(m));
                                 },
                             .joinable = true});
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  EXPECT_EQ(prepared, *id);
  std::optional<ExitStatus> status = runtime_->join(*id);
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ(status->kind, ExitStatus::Kind::Normal) << status->to_string();
  EXPECT_EQ(status->results[0].as_i64(), 77);
}

}  // namespace
}  // namespace lunatic::runtime::test
