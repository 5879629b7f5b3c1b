// lunatic::timer against a runtime with the standard host functions: messages that wait on the
// timer for a process go when that process ends, or at once when it is not alive (Erlang's
// rule), so a dead process leaves no pending timers behind.
#include <string_view>
#include <utility>
#include <vector>

#include "host_fixture.hpp"

namespace lunatic {
namespace {

// schedule(target, n): n messages for `target`, an hour away. wait(_): receives tag 99, which
// never comes.
constexpr std::string_view kGuest = R"((module
  (import "lunatic::message" "create_data" (func $create (param i64 i64)))
  (import "lunatic::message" "receive" (func $receive (param i32 i32 i64) (result i32)))
  (import "lunatic::timer" "send_after" (func $send_after (param i64 i64) (result i64)))
  (memory 1)
  (func (export "schedule") (param $target i64) (param $n i64)
    (loop $again
      (call $create (i64.const 1) (i64.const 0))
      (drop (call $send_after (local.get $target) (i64.const 3600000)))
      (local.set $n (i64.sub (local.get $n) (i64.const 1)))
      (br_if $again (i64.ne (local.get $n) (i64.const 0)))))
  (func (export "wait") (param i64)
    (i64.store (i32.const 0) (i64.const 99))
    (drop (call $receive (i32.const 0) (i32.const 1) (i64.const -1)))))
)";

class TimerTargets : public ::testing::Test {
 protected:
  ProcessId spawn(const char* entry, std::vector<Value> args) {
    return test::spawn_joinable(runtime_, module_, env_, entry, std::move(args));
  }
  void run_to_end(const char* entry, std::vector<Value> args) {
    ExitStatus status = test::run_to_end(runtime_, module_, env_, entry, std::move(args));
    EXPECT_EQ(status.kind, ExitStatus::Kind::Normal) << status.to_string();
  }

  std::shared_ptr<const CompiledModule> module_ = test::compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({});
  Runtime runtime_{{.workers = 2, .linker = standard_linker()}};
};

TEST_F(TimerTargets, MessagesForAProcessGoWhenItEnds) {
  ProcessId waiter = spawn("wait", {Value::i64(0)});
  run_to_end("schedule", {Value::i64(static_cast<int64_t>(waiter)), Value::i64(100)});
  EXPECT_EQ(runtime_.timer().pending(), 100u);
  runtime_.kill(waiter);
  ASSERT_TRUE(runtime_.join(waiter).has_value());
  EXPECT_EQ(runtime_.timer().pending(), 0u);
}

TEST_F(TimerTargets, AMessageForAProcessThatIsNotAliveIsDroppedAtOnce) {
  run_to_end("schedule", {Value::i64(999'999), Value::i64(10)});
  EXPECT_EQ(runtime_.timer().pending(), 0u);
}

}  // namespace
}  // namespace lunatic
