// EnvironmentConfig::max_memory_total against a runtime with the standard host functions:
// messages (charged to the sender while queued), timers and modules compiled at run time are
// refused past the budget by killing the caller with a reason naming the limit, and every
// charge is given back once the processes and their messages are gone.
#include <string_view>

#include "host_fixture.hpp"

namespace lunatic {
namespace {

// flood(n, to): n messages of 4 KiB to process `to` (0: itself); timers(n): n timers of an
// hour to itself; notices(n): monitors a process that does not exist until killed (each
// monitor queues a "noproc" notice); errors(n): error ids (a 1-byte module that does not decode)
// until killed; compile(n): compiles its first 64 KiB page as a module (it fails, but is charged
// first). Each returns n if it gets there.
constexpr std::string_view kGuest = R"((module
  (import "lunatic::message" "create_data" (func $create_data (param i64 i64)))
  (import "lunatic::message" "write_data" (func $write_data (param i32 i32) (result i32)))
  (import "lunatic::message" "send" (func $send (param i64) (result i32)))
  (import "lunatic::timer" "send_after" (func $send_after (param i64 i64) (result i64)))
  (import "lunatic::process" "process_id" (func $process_id (result i64)))
  (import "lunatic::process" "monitor" (func $monitor (param i64 i64)))
  (import "lunatic::process" "compile_module" (func $compile (param i32 i32 i32) (result i32)))
  (memory 2)
  (func (export "flood") (param $n i64) (param $to i64) (result i64) (local $i i64)
    (if (i64.eqz (local.get $to)) (then (local.set $to (call $process_id))))
    (loop $again
      (call $create_data (i64.const 1) (i64.const 0))
      (drop (call $write_data (i32.const 0) (i32.const 4096)))
      (drop (call $send (local.get $to)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (local.get $n))))
    (local.get $n))
  (func (export "timers") (param $n i64) (result i64) (local $i i64)
    (loop $again
      (call $create_data (i64.const 1) (i64.const 0))
      (drop (call $send_after (call $process_id) (i64.const 3600000)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (local.get $n))))
    (local.get $n))
  (func (export "notices") (param $n i64) (result i64)
    (loop $again
      (call $monitor (i64.const 1) (i64.const 999999999))
      (br $again))
    (local.get $n))
  (func (export "errors") (param $n i64) (result i64)
    (loop $again
      (drop (call $compile (i32.const 0) (i32.const 1) (i32.const 65536)))
      (br $again))
    (local.get $n))
  (func (export "compile") (param $n i64) (result i64)
    (drop (call $compile (i32.const 0) (i32.const 65536) (i32.const 65536)))
    (local.get $n)))
)";

class HostMemory : public ::testing::Test {
 protected:
  ExitStatus run(const char* entry, std::vector<Value> args) {
    return test::run_to_end(runtime_, module_, env_, entry, std::move(args));
  }

  std::shared_ptr<const CompiledModule> module_ = test::compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({.max_memory_total = 4 << 20});
  Runtime runtime_{{.workers = 2, .linker = standard_linker()}};
};

TEST_F(HostMemory, MessagesWithinTheBudgetAreFineAndGivenBack) {
  ExitStatus status = run("flood", {Value::i64(100), Value::i64(0)});
  ASSERT_EQ(status.kind, ExitStatus::Kind::Normal) << status.to_string();
  runtime_.wait_all();
  EXPECT_EQ(env_->budget().used(), 0u);  // the mailbox went with the process
}

TEST_F(HostMemory, AFlooderOfItsOwnMailboxIsKilledNamingTheLimit) {
  ExitStatus status = run("flood", {Value::i64(1'000'000), Value::i64(0)});
  ASSERT_EQ(status.kind, ExitStatus::Kind::Killed);
  EXPECT_NE(status.to_string().find("killed: out of memory: a message of "), std::string::npos)
      << status.to_string();
  EXPECT_NE(status.to_string().find("max_memory_total (4194304 bytes"), std::string::npos);
  runtime_.wait_all();
  EXPECT_EQ(env_->budget().used(), 0u);
}

TEST_F(HostMemory, MessagesQueuedForAnotherProcessChargeTheSender) {
  // The receiver lives in the root environment and never receives; the sender is in a
  // sandbox: the sandbox's budget runs out, not the root's.
  auto root = Environment::create({});
  auto sandbox = root->create_child({.max_memory_total = 1 << 20});
  auto sleeper = test::compile_wat(R"((module
    (import "lunatic::process" "sleep_ms" (func $sleep (param i64)))
    (func (export "sleep") (call $sleep (i64.const 3600000)))))");
  ProcessId receiver = test::spawn_joinable(runtime_, sleeper, root, "sleep", {});
  ExitStatus status = test::run_to_end(runtime_, module_, sandbox, "flood",
                                       {Value::i64(1'000'000), Value::i64(int64_t(receiver))});
  ASSERT_EQ(status.kind, ExitStatus::Kind::Killed) << status.to_string();
  EXPECT_NE(status.to_string().find("max_memory_total (1048576 bytes"), std::string::npos);
  // Its messages wait in the sleeper's mailbox, still charged to the sandbox.
  EXPECT_GT(sandbox->budget().used(), 512u << 10);
  EXPECT_EQ(root->budget().used(), sandbox->budget().used() + Environment::kProcessBytes);
  runtime_.kill(receiver);
  runtime_.wait_all();
  EXPECT_EQ(sandbox->budget().used(), 0u);
  EXPECT_EQ(root->budget().used(), 0u);
}

TEST_F(HostMemory, TimersAreChargedUntilTheyGo) {
  ExitStatus status = run("timers", {Value::i64(10'000'000)});
  ASSERT_EQ(status.kind, ExitStatus::Kind::Killed);
  // The budget runs out at a send_after ("a timer") or at the create_data before it.
  EXPECT_NE(status.to_string().find("killed: out of memory: a "), std::string::npos)
      << status.to_string();
  EXPECT_NE(status.to_string().find("max_memory_total (4194304 bytes"), std::string::npos);
  runtime_.wait_all();
  EXPECT_EQ(env_->budget().used(), 0u);  // the process's timers were cancelled with it
}

TEST_F(HostMemory, ModulesCompiledAtRunTimeAreCharged) {
  // 64 KiB x 8 = 512 KiB fits 4 MiB; in a 256 KiB sandbox it does not.
  ASSERT_EQ(run("compile", {Value::i64(1)}).kind, ExitStatus::Kind::Normal);
  auto small = Environment::create({.max_memory_total = 256 << 10});
  ExitStatus status = test::run_to_end(runtime_, module_, small, "compile", {Value::i64(1)});
  ASSERT_EQ(status.kind, ExitStatus::Kind::Killed);
  EXPECT_NE(status.to_string().find("out of memory: a module of 65536 bytes"), std::string::npos)
      << status.to_string();
}

TEST_F(HostMemory, ErrorIdsAreCharged) {
  ExitStatus status = run("errors", {Value::i64(1)});
  ASSERT_EQ(status.kind, ExitStatus::Kind::Killed);
  EXPECT_NE(status.to_string().find("out of memory: an error id would pass"), std::string::npos)
      << status.to_string();
  runtime_.wait_all();
  EXPECT_EQ(env_->budget().used(), 0u);
}

TEST_F(HostMemory, NoticesAGuestCanMultiplyAreCharged) {
  ExitStatus status = run("notices", {Value::i64(1)});
  ASSERT_EQ(status.kind, ExitStatus::Kind::Killed);
  EXPECT_NE(status.to_string().find("out of memory: a death notice would pass"), std::string::npos)
      << status.to_string();
  runtime_.wait_all();
  EXPECT_EQ(env_->budget().used(), 0u);
}

}  // namespace
}  // namespace lunatic
