// End to end through the interpreter: a Wasm module imports typed host functions via the
// Linker, the adapter sees the real HostCall, a sleep parks the Thread and is re-executed on
// each run() until its deadline, and argument traps stop the guest.
#include <gtest/gtest.h>

#include <array>

#include "binding/linker.hpp"
#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/thread.hpp"

namespace lunatic::binding {
namespace {

using engine::RunStatus;
using engine::Value;

// (module
//   (import "test" "sleep" (func $sleep (param i64) (result i32)))
//   (import "test" "length" (func $length (param i32 i32) (result i32)))
//   (import "test" "sleep" (func $sleep_again (param i64) (result i32)))
//   (memory 1 4)
//   (data (i32.const 16) "hello")
//   (func (export "nap") (param i64) (result i32)
//     (i32.add (call $sleep (local.get 0)) (i32.const 1)))
//   (func (export "length") (param i32 i32) (result i32)
//     (call $length (local.get 0) (local.get 1)))
//   (func (export "grow_then_length") (result i32)
//     (drop (memory.grow (i32.const 1)))
//     (call $length (i32.const 65536) (i32.const 8))))
constexpr std::array<uint8_t, 169> kGuest = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x10, 0x03, 0x60, 0x01, 0x7e, 0x01, 0x7f,
    0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x29, 0x03, 0x04, 0x74, 0x65,
    0x73, 0x74, 0x05, 0x73, 0x6c, 0x65, 0x65, 0x70, 0x00, 0x00, 0x04, 0x74, 0x65, 0x73, 0x74, 0x06,
    0x6c, 0x65, 0x6e, 0x67, 0x74, 0x68, 0x00, 0x01, 0x04, 0x74, 0x65, 0x73, 0x74, 0x05, 0x73, 0x6c,
    0x65, 0x65, 0x70, 0x00, 0x00, 0x03, 0x04, 0x03, 0x00, 0x01, 0x02, 0x05, 0x04, 0x01, 0x01, 0x01,
    0x04, 0x07, 0x23, 0x03, 0x03, 0x6e, 0x61, 0x70, 0x00, 0x03, 0x06, 0x6c, 0x65, 0x6e, 0x67, 0x74,
    0x68, 0x00, 0x04, 0x10, 0x67, 0x72, 0x6f, 0x77, 0x5f, 0x74, 0x68, 0x65, 0x6e, 0x5f, 0x6c, 0x65,
    0x6e, 0x67, 0x74, 0x68, 0x00, 0x05, 0x0a, 0x24, 0x03, 0x09, 0x00, 0x20, 0x00, 0x10, 0x00, 0x41,
    0x01, 0x6a, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x01, 0x0b, 0x0f, 0x00, 0x41, 0x01,
    0x40, 0x00, 0x1a, 0x41, 0x80, 0x80, 0x04, 0x41, 0x08, 0x10, 0x01, 0x0b, 0x0b, 0x0b, 0x01, 0x00,
    0x41, 0x10, 0x0b, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f};

struct Process : HostContext {
  int64_t now_ms = 0;
  int attempts = 0;
  bool saw_host_call = false;
};

struct Deadline {
  int64_t at_ms;
};

HostResult<int32_t> sleep_ms(CallContext& ctx, int64_t ms) {
  Process& p = ctx.host<Process>();
  ++p.attempts;
  p.saw_host_call = ctx.host_call() != nullptr && ctx.memory() != nullptr;
  const Deadline& d = ctx.pending<Deadline>(Deadline{p.now_ms + ms});
  if (p.now_ms >= d.at_ms) return 41;
  return HostResult<int32_t>::park();
}

uint32_t length(GuestString s) { return s.size(); }

class ThreadBinding : public ::testing::Test {
 protected:
  void SetUp() override {
    linker_.ns("test").define("sleep", &sleep_ms).define("length", &length);
    auto module = engine::compile(kGuest);
    ASSERT_TRUE(module.ok()) << module.error().to_string();
    auto externs = linker_.resolve(functions_, (*module)->wasm, AllowList({"test::"}));
    ASSERT_TRUE(externs.ok()) << externs.error().to_string();
    // Both imports of test::sleep share one engine::Function.
    EXPECT_EQ((*externs)[0].func(), (*externs)[2].func());
    auto instance = store_.instantiate(*module, *externs);
    ASSERT_TRUE(instance.ok()) << instance.error().to_string();
    instance_ = *instance;
    attach(thread_, process_);
  }
  engine::Function* get(const char* name) { return instance_->find_export(name)->func(); }

  Linker linker_;
  engine::MemoryPool pool_;
  engine::Store store_{pool_};
  HostFunctionCache functions_{store_};
  engine::Instance* instance_ = nullptr;
  engine::Thread thread_{store_};
  Process process_;
};

TEST_F(ThreadBinding, SleepParksAndIsReExecutedUntilItsDeadline) {
  process_.now_ms = 1000;
  const Value arg = Value::i64(250);
  ASSERT_TRUE(thread_.begin_call(get("nap"), {&arg, 1}).ok());
  EXPECT_EQ(thread_.run(), RunStatus::Parked);
  EXPECT_TRUE(process_.saw_host_call);
  process_.now_ms = 1200;  // a spurious wake-up: the deadline stays 1250
  EXPECT_EQ(thread_.run(), RunStatus::Parked);
  process_.now_ms = 1250;
  ASSERT_EQ(thread_.run(), RunStatus::Done);
  ASSERT_EQ(thread_.results().size(), 1u);
  EXPECT_EQ(thread_.results()[0].as_i32(), 42);
  EXPECT_EQ(process_.attempts, 3);
  EXPECT_FALSE(process_.pending_call().active());
}

TEST_F(ThreadBinding, GuestStringsFromTheCallersMemory) {
  auto r = thread_.call(get("length"), std::array{Value::i32(16), Value::i32(5)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0].as_i32(), 5);
}

TEST_F(ThreadBinding, BadArgumentsTrapTheGuest) {
  const std::array args{Value::i32(65534), Value::i32(5)};
  ASSERT_TRUE(thread_.begin_call(get("length"), args).ok());
  ASSERT_EQ(thread_.run(), RunStatus::Trapped);
  EXPECT_EQ(thread_.trap().kind, engine::TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(thread_.trap().message,
            "out of bounds memory access in host function test::length: argument 1 "
            "(5 bytes at 0xfffe) outside memory of 65536 bytes");
}

TEST_F(ThreadBinding, ViewsAreCheckedAgainstTheGrownMemory) {
  // The guest grows its memory, then passes a range only the grown memory holds.
  auto r = thread_.call(get("grow_then_length"), {});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0].as_i32(), 8);
}

}  // namespace
}  // namespace lunatic::binding
