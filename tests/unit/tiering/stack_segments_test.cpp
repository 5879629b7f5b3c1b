// Segmented native stacks: compiled code starts on a small stack segment and moves to a 16 MiB
// stack when a call chain outgrows it (native/execution_stack.cpp). A recursion 8,000 deep
// moves in the baseline and in LLVM's code; everything that works on the small segment works
// there too: results, fuel and slices as in the interpreter, out of fuel at the same point,
// parking in a host call and resuming on another OS thread, a kill, a trap's backtrace.
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

// $down(n) recurses n deep, calls the host at the bottom (if $at_bottom is 1), then spins
// (if it is 2) or divides by zero (3), and returns the sum of its levels' values.
constexpr std::string_view kDeepWat = R"((module
  (import "host" "bottom" (func $bottom (param i32) (result i32)))
  (global $at_bottom (mut i32) (i32.const 0))
  (func $down (param $n i32) (result i64) (local $x i64)
    (local.set $x (i64.extend_i32_u (i32.mul (local.get $n) (i32.const 3))))
    (if (i32.eqz (local.get $n))
      (then
        (if (i32.eq (global.get $at_bottom) (i32.const 1))
          (then (return (i64.extend_i32_u (call $bottom (i32.const 7))))))
        (if (i32.eq (global.get $at_bottom) (i32.const 2))
          (then (loop $spin (br $spin))))
        (if (i32.eq (global.get $at_bottom) (i32.const 3))
          (then (return (i64.extend_i32_u (i32.div_u (i32.const 1) (local.get $n))))))
        (return (i64.const 1))))
    (i64.add (local.get $x) (call $down (i32.sub (local.get $n) (i32.const 1)))))
  ;; $down(n) `times` times: the calls move to the big stack and back each time.
  (func (export "repeat") (param $n i32) (param $times i32) (param $mode i32) (result i64)
    (local $sum i64)
    (global.set $at_bottom (local.get $mode))
    (loop $again
      (local.set $sum (i64.add (local.get $sum) (call $down (local.get $n))))
      (local.set $times (i32.sub (local.get $times) (i32.const 1)))
      (br_if $again (i32.ne (local.get $times) (i32.const 0))))
    (local.get $sum)))
)";

constexpr int32_t kDeep = 8000;

// The module in one tier, its host function parking `parks` times before it returns.
struct DeepInstance {
  int parks = 0;
  int host_calls = 0;
  engine::MemoryPool pool;
  engine::Store store{pool};
  engine::Instance* instance = nullptr;
  Thread thread{store};

  explicit DeepInstance(Tier tier, int parks_first = 0) : parks(parks_first) {
    auto module = compile_wat(kDeepWat, tier);
    if (module == nullptr) return;
    Function* host =
        store.add_host_function({{wasm::ValType::I32}, {wasm::ValType::I32}}, [this](HostCall& c) {
          ++host_calls;
          if (parks-- > 0) return HostStatus::Park;
          c.results[0] = c.args[0] * 2;
          return HostStatus::Return;
        });
    std::vector<Extern> imports = {{wasm::ExternKind::Func, host}};
    auto made = store.instantiate(module, imports);
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    if (made.ok()) instance = *made;
  }
  Function* repeat() const { return instance->find_export("repeat")->func(); }
  std::vector<Value> args(int32_t times, int32_t mode) const {
    return {Value::i32(kDeep), Value::i32(times), Value::i32(mode)};
  }
  Outcome run(int32_t times, int32_t mode, std::optional<uint64_t> fuel,
              uint64_t slice = UINT64_MAX) {
    return run_to_end(thread, repeat(), args(times, mode), fuel, slice);
  }
};

TEST(StackSegments, DeepCallsGiveTheInterpretersResultsFuelAndSlices) {
  DeepInstance want_in(Tier::Interp);
  const Outcome want = want_in.run(3, 0, uint64_t{1} << 40, 50'000);
  ASSERT_EQ(want.status, RunStatus::Done);
  EXPECT_GT(want.yields, 3);
  for (Tier tier : {Tier::Baseline, Tier::Compiled}) {
    DeepInstance got_in(tier);
    ASSERT_NE(got_in.instance, nullptr);
    EXPECT_EQ(got_in.run(3, 0, uint64_t{1} << 40, 50'000), want) << tier_name(tier);
  }
}

TEST(StackSegments, OutOfFuelDeepDownComesAtTheSamePoint) {
  DeepInstance full(Tier::Interp);
  const Outcome all = full.run(1, 0, uint64_t{1} << 40);
  ASSERT_EQ(all.status, RunStatus::Done);
  // Half the fuel the whole run takes: it runs out on the way down, past the small segment.
  const uint64_t fuel = ((uint64_t{1} << 40) - *all.fuel) / 2;
  DeepInstance want_in(Tier::Interp);
  const Outcome want = want_in.run(1, 0, fuel);
  ASSERT_EQ(want.trap, "out of fuel");
  for (Tier tier : {Tier::Baseline, Tier::Compiled}) {
    DeepInstance got_in(tier);
    ASSERT_NE(got_in.instance, nullptr);
    EXPECT_EQ(got_in.run(1, 0, fuel), want) << tier_name(tier);
  }
}

// Parked in a host call 8,000 frames down (on the big stack), resumed on two other OS threads.
TEST(StackSegments, ParksOnTheBigStackAndResumesOnAnotherThread) {
  DeepInstance want_in(Tier::Interp);
  const Outcome want = want_in.run(2, 1, {});
  ASSERT_EQ(want.status, RunStatus::Done);
  for (Tier tier : {Tier::Baseline, Tier::Compiled}) {
    DeepInstance in(tier, 2);
    ASSERT_NE(in.instance, nullptr);
    Thread& thread = in.thread;
    thread.begin_call(in.repeat(), in.args(2, 1)).value();
    EXPECT_EQ(thread.run(), RunStatus::Parked) << tier_name(tier);
    RunStatus second = RunStatus::Done;
    std::thread([&] { second = thread.run(); }).join();
    EXPECT_EQ(second, RunStatus::Parked) << tier_name(tier);
    RunStatus third = RunStatus::Parked;
    std::thread([&] { third = thread.run(); }).join();
    ASSERT_EQ(third, RunStatus::Done) << tier_name(tier);
    EXPECT_EQ(thread.results()[0].as_i64(), want.results[0].as_i64()) << tier_name(tier);
    EXPECT_EQ(in.host_calls, 4) << tier_name(tier);  // two parks, then one call per repeat
  }
}

TEST(StackSegments, AKillReachesASpinOnTheBigStack) {
  for (Tier tier : {Tier::Baseline, Tier::Compiled}) {
    DeepInstance in(tier);
    ASSERT_NE(in.instance, nullptr);
    in.thread.begin_call(in.repeat(), in.args(1, 2)).value();
    expect_killed_from_another_thread(in.thread);
  }
}

TEST(StackSegments, ATrapOnTheBigStackHasTheInterpretersBacktrace) {
  DeepInstance want_in(Tier::Interp);
  const Outcome want = want_in.run(1, 3, {});
  ASSERT_EQ(want.trap, "integer divide by zero");
  const auto& expected = want_in.thread.trap().backtrace;
  ASSERT_GT(expected.size(), 50u);
  for (Tier tier : {Tier::Baseline, Tier::Compiled}) {
    DeepInstance got_in(tier);
    ASSERT_NE(got_in.instance, nullptr);
    EXPECT_EQ(got_in.run(1, 3, {}), want) << tier_name(tier);
    const auto& got = got_in.thread.trap().backtrace;
    ASSERT_EQ(got.size(), expected.size()) << tier_name(tier);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].function_index, expected[i].function_index) << i;
      EXPECT_EQ(got[i].offset, expected[i].offset) << i;
    }
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
