// The limit checks of the frames our inlining puts into a loop (jit/self_inline.cpp) are one
// loop-invariant condition, and LLVM's code runs a copy of the loop without them while it is
// false (jit/native_code.cpp, UnswitchInlinedChecks). Wherever the depth, slot or native-stack
// limit falls in such a loop, every tier stops at the same call, with the same fuel left and
// backtrace, or moves to the big stack and finishes as the interpreter does.
#include "native/execution.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

// $fib is clang's loop form of fib (the call inside a loop: bench/guests/fib.c); $big_fib the
// same with 40 more locals, so its frames run out of ThreadLimits::max_stack_slots (1M) long
// before max_call_depth (10,000); $chain has the same shape but recurses in a line (its loop
// exits after one call below 8192), deep enough to leave the small stack segment. $pad_* call
// them $k frames deep, so the limit falls on each place of the unrolled recursion.
constexpr std::string_view kLoopRecursionWat = R"((module
  (func $fib (export "fib") (param $n i32) (result i32) (local $acc i32)
    (block $leaf
      (br_if $leaf (i32.lt_u (local.get $n) (i32.const 2)))
      (loop $more
        (local.set $acc (i32.add (local.get $acc)
                                 (call $fib (i32.add (local.get $n) (i32.const -1)))))
        (br_if $more (i32.gt_u (local.tee $n (i32.add (local.get $n) (i32.const -2)))
                               (i32.const 1)))))
    (i32.add (local.get $n) (local.get $acc)))
  (func $big_fib (export "big_fib") (param $n i32) (result i32) (local $acc i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (block $leaf
      (br_if $leaf (i32.lt_u (local.get $n) (i32.const 2)))
      (loop $more
        (local.set $acc (i32.add (local.get $acc)
                                 (call $big_fib (i32.add (local.get $n) (i32.const -1)))))
        (br_if $more (i32.gt_u (local.tee $n (i32.add (local.get $n) (i32.const -2)))
                               (i32.const 1)))))
    (i32.add (local.get $n) (local.get $acc)))
  (func $chain (export "chain") (param $n i32) (result i32) (local $acc i32)
    (block $leaf
      (br_if $leaf (i32.lt_u (local.get $n) (i32.const 2)))
      (loop $more
        (local.set $acc (i32.add (local.get $acc)
                                 (call $chain (i32.add (local.get $n) (i32.const -1)))))
        (br_if $more (i32.gt_u (local.tee $n (i32.shr_u (local.get $n) (i32.const 13)))
                               (i32.const 1)))))
    (i32.add (local.get $n) (local.get $acc)))
  (func $pad_fib (export "pad_fib") (param $k i32) (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $k))
      (then (call $fib (local.get $n)))
      (else (call $pad_fib (i32.sub (local.get $k) (i32.const 1)) (local.get $n)))))
  (func $pad_big (export "pad_big") (param $k i32) (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $k))
      (then (call $big_fib (local.get $n)))
      (else (call $pad_big (i32.sub (local.get $k) (i32.const 1)) (local.get $n)))))
))";

void expect_same_backtrace(BothTiers& b, const std::string& what) {
  const auto& want = b.interp.thread.trap().backtrace;
  const auto& got = b.compiled.thread.trap().backtrace;
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].function_index, want[i].function_index) << what << " frame " << i;
    EXPECT_EQ(got[i].offset, want[i].offset) << what << " frame " << i;
  }
}

// Runs `fn` in both tiers with plenty of fuel; expects "call stack exhausted" in each, at the
// same call (the fuel left tells) and with the same frames.
void expect_exhausted_alike(BothTiers& b, const char* fn, const std::vector<Value>& args,
                            const std::string& what) {
  const Outcome want = run_to_end(b.interp.thread, b.interp.fn(fn), args, uint64_t{1} << 40);
  const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn(fn), args, uint64_t{1} << 40);
  ASSERT_EQ(want.trap, "call stack exhausted") << what;
  EXPECT_EQ(got, want) << what;
  expect_same_backtrace(b, what);
}

TEST(UnswitchedChecks, TheDepthLimitFallsOnEveryPlaceOfTheLoop) {
  BothTiers b(kLoopRecursionWat);
  ASSERT_NE(b.compiled.instance, nullptr);
  for (int32_t k = 0; k <= 6; ++k) {
    expect_exhausted_alike(b, "pad_fib", {Value::i32(k), Value::i32(100'000)},
                           "pad_fib k " + std::to_string(k));
  }
  // Usable afterwards, with the interpreter's result.
  EXPECT_EQ(
      run_to_end(b.compiled.thread, b.compiled.fn("fib"), {Value::i32(24)}, {}).results[0].bits,
      46368u);
}

TEST(UnswitchedChecks, TheSlotLimitFallsOnEveryPlaceOfTheLoop) {
  BothTiers b(kLoopRecursionWat);
  ASSERT_NE(b.compiled.instance, nullptr);
  for (int32_t k = 0; k <= 6; ++k) {
    const std::string what = "pad_big k " + std::to_string(k);
    expect_exhausted_alike(b, "pad_big", {Value::i32(k), Value::i32(100'000)}, what);
    // The slot limit, not the depth limit, ended it.
    EXPECT_LT(b.interp.thread.trap().backtrace.size(),
              size_t{engine::ThreadLimits{}.max_call_depth} - 1000)
        << what;
  }
}

// With the inlined frames' checks folded into one headroom check at each native frame's entry
// (jit/frame_headroom.cpp), the depth and slot limits still end the recursion at the
// interpreter's call: small limits, one after another, so the last frame that fits falls on
// every level of the four a native frame holds, and on the headroom check's own frame.
TEST(UnswitchedChecks, EveryLimitEndsTheRecursionAtTheInterpretersCall) {
  BothTiers b(kLoopRecursionWat);
  ASSERT_NE(b.compiled.instance, nullptr);
  std::vector<engine::ThreadLimits> limits;
  for (uint32_t depth = 30; depth < 42; ++depth) limits.push_back({.max_call_depth = depth});
  // $fib's frames take 5 slots each (2 locals, 3 operands): slots 5 apart move the last frame
  // by one level, 1 apart move the limit within a frame.
  for (uint32_t slots = 200; slots < 260; slots += 3) {
    limits.push_back({.max_call_depth = 10'000, .max_stack_slots = slots});
  }
  for (const engine::ThreadLimits& l : limits) {
    const std::string what = std::to_string(l.max_call_depth) + " frames, " +
                             std::to_string(l.max_stack_slots) + " slots";
    Thread interp(b.interp.store, l);
    Thread compiled(b.compiled.store, l);
    const std::vector<Value> args{Value::i32(100'000)};
    const Outcome want = run_to_end(interp, b.interp.fn("fib"), args, uint64_t{1} << 40);
    const Outcome got = run_to_end(compiled, b.compiled.fn("fib"), args, uint64_t{1} << 40);
    ASSERT_EQ(want.trap, "call stack exhausted") << what;
    EXPECT_EQ(got, want) << what;
    expect_backtrace(compiled, interp, what);
  }
}

// Fuel and slices along a recursion that moves to the big stack from inside the loop, and
// fuel at every budget through fib's unswitched loop, as the interpreter's.
TEST(UnswitchedChecks, FuelAndSlicesMatchAcrossTheStackMove) {
  BothTiers b(kLoopRecursionWat);
  ASSERT_NE(b.compiled.instance, nullptr);
  const std::vector<Value> deep{Value::i32(9000)};
  for (uint64_t slice : {UINT64_MAX, uint64_t{997}}) {
    const uint64_t moves = native::stack_moves().calls;
    const Outcome want = run_to_end(b.interp.thread, b.interp.fn("chain"), deep, 1'000'000, slice);
    const Outcome got =
        run_to_end(b.compiled.thread, b.compiled.fn("chain"), deep, 1'000'000, slice);
    ASSERT_EQ(want.status, RunStatus::Done);
    EXPECT_EQ(got, want) << "slice " << slice;
    EXPECT_GT(native::stack_moves().calls, moves) << "slice " << slice;
  }
  for (uint64_t fuel = 0; fuel <= 3000; fuel += fuel < 300 ? 1 : 41) {
    const std::vector<Value> args{Value::i32(10)};
    EXPECT_EQ(run_to_end(b.compiled.thread, b.compiled.fn("fib"), args, fuel),
              run_to_end(b.interp.thread, b.interp.fn("fib"), args, fuel))
        << "fuel " << fuel;
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
