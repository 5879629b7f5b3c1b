// Recursion partially inlined in LLVM's code (jit/partial_inline.cpp): a function's way out
// without a call (entry checks, entry safepoint, the test that ends the recursion) runs inside
// its caller's native frame, and the rest of it in F.rest. Every guarantee still holds as in the
// interpreter: the same fuel left at every budget, slices ending at the same safepoints, traps
// at the same depth with the same backtrace, and call-stack exhaustion at the same call.
#include "../support/tier_modules.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

constexpr std::string_view kRecursion = lunatic::testing::kRecursionWat;

struct Call {
  const char* fn;
  std::vector<Value> args;
};

const std::vector<Call>& calls() {
  static const std::vector<Call> kCalls = {
      {"fib", {Value::i32(9)}},
      {"fib_if", {Value::i64(8)}},
      {"down", {Value::i32(6), Value::i32(-1), Value::i32(1)}},
      {"down", {Value::i32(6), Value::i32(2), Value::i32(1)}},
      {"down", {Value::i32(6), Value::i32(-1), Value::i32(0)}},
      {"down", {Value::i32(13), Value::i32(-1), Value::i32(1)}},
      {"pad", {Value::i32(3), Value::i32(9)}},
  };
  return kCalls;
}

TEST(PartialInline, OutOfFuelAtTheSameSafepointForEveryBudget) {
  BothTiers b(kRecursion);
  ASSERT_NE(b.compiled.instance, nullptr);
  for (const Call& c : calls()) {
    const Outcome all = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, {});
    for (uint64_t fuel = 0; fuel <= 2000; fuel += fuel < 400 ? 1 : 37) {
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, fuel);
      const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn(c.fn), c.args, fuel);
      ASSERT_EQ(got, want) << c.fn << " fuel " << fuel;
    }
    EXPECT_EQ(run_to_end(b.compiled.thread, b.compiled.fn(c.fn), c.args, {}), all) << c.fn;
  }
}

TEST(PartialInline, SlicesEndAtTheSameSafepoints) {
  BothTiers b(kRecursion);
  ASSERT_NE(b.compiled.instance, nullptr);
  for (uint64_t slice : {1u, 2u, 3u, 5u, 17u, 100u}) {
    for (const Call& c : calls()) {
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, 100'000, slice);
      const Outcome got =
          run_to_end(b.compiled.thread, b.compiled.fn(c.fn), c.args, 100'000, slice);
      EXPECT_EQ(got, want) << c.fn << " slice " << slice;
    }
  }
}

// Every frame, whether its checks ran in its caller's native frame or not, is in the backtrace
// with the interpreter's function and offset.
void expect_same_backtrace(BothTiers& b) {
  const auto& want = b.interp.thread.trap().backtrace;
  const auto& got = b.compiled.thread.trap().backtrace;
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].function_index, want[i].function_index) << i;
    EXPECT_EQ(got[i].offset, want[i].offset) << i;
  }
}

TEST(PartialInline, TrapsInEitherPartCarryTheInterpretersBacktrace) {
  BothTiers b(kRecursion);
  ASSERT_NE(b.compiled.instance, nullptr);
  // unreachable at depth 5 (the inlined part); divide by zero after the deepest call returns.
  for (int32_t divisor : {1, 0}) {
    const std::vector<Value> args{Value::i32(6), Value::i32(divisor == 1 ? 2 : -1),
                                  Value::i32(divisor)};
    const Outcome want = run_to_end(b.interp.thread, b.interp.fn("down"), args, 1'000'000);
    const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn("down"), args, 1'000'000);
    EXPECT_EQ(got, want);
    EXPECT_EQ(got.trap, divisor == 1 ? "unreachable" : "integer divide by zero");
    expect_same_backtrace(b);
    EXPECT_EQ(b.compiled.thread.trap().backtrace.size(), divisor == 1 ? 5u : 6u);
  }
}

// The compiled tier runs several levels of a recursion in one native frame: a trap at any
// depth, whichever copy of the function it is in, reports every frame.
TEST(PartialInline, TrapsAtEveryDepthCarryTheInterpretersBacktrace) {
  BothTiers b(kRecursion);
  ASSERT_NE(b.compiled.instance, nullptr);
  for (int32_t stop = 0; stop <= 12; ++stop) {
    const std::vector<Value> args{Value::i32(12), Value::i32(stop), Value::i32(1)};
    const Outcome want = run_to_end(b.interp.thread, b.interp.fn("down"), args, 1'000'000);
    const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn("down"), args, 1'000'000);
    EXPECT_EQ(got, want) << "stop " << stop;
    EXPECT_EQ(got.trap, "unreachable");
    expect_same_backtrace(b);
    EXPECT_EQ(b.compiled.thread.trap().backtrace.size(), static_cast<size_t>(13 - stop));
  }
  for (int32_t n = 1; n <= 12; ++n) {  // divide by zero in the deepest frame that divides
    const std::vector<Value> args{Value::i32(n), Value::i32(-1), Value::i32(0)};
    const Outcome want = run_to_end(b.interp.thread, b.interp.fn("down"), args, 1'000'000);
    const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn("down"), args, 1'000'000);
    EXPECT_EQ(got, want) << "n " << n;
    EXPECT_EQ(got.trap, "integer divide by zero");
    expect_same_backtrace(b);
    EXPECT_EQ(b.compiled.thread.trap().backtrace.size(), static_cast<size_t>(n));
  }
}

TEST(PartialInline, CallStackRunsOutAtTheSameCall) {
  BothTiers b(kRecursion);
  ASSERT_NE(b.compiled.instance, nullptr);
  // Deeper than the depth limit: the fuel left tells at which call each tier stopped.
  const std::vector<Value> args{Value::i32(100'000), Value::i32(-1), Value::i32(1)};
  const Outcome want = run_to_end(b.interp.thread, b.interp.fn("down"), args, uint64_t{1} << 40);
  const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn("down"), args, uint64_t{1} << 40);
  EXPECT_EQ(want.trap, "call stack exhausted");
  EXPECT_EQ(got, want);
  expect_same_backtrace(b);
  // Started 1 to 8 frames deeper, the limit falls on every level of the unrolled recursion.
  for (int32_t k = 1; k <= 8; ++k) {
    const std::vector<Value> padded{Value::i32(k), Value::i32(100'000)};
    const Outcome want_k =
        run_to_end(b.interp.thread, b.interp.fn("pad"), padded, uint64_t{1} << 40);
    const Outcome got_k =
        run_to_end(b.compiled.thread, b.compiled.fn("pad"), padded, uint64_t{1} << 40);
    EXPECT_EQ(want_k.trap, "call stack exhausted");
    EXPECT_EQ(got_k, want_k) << "k " << k;
    expect_same_backtrace(b);
  }
  // fib's first descent goes n deep before any call returns: its loop form (the leaf test and
  // the entry safepoint inlined into F.rest's loop) and its `if` form run out at the same call.
  for (const Call& c :
       {Call{"fib", {Value::i32(100'000)}}, Call{"fib_if", {Value::i64(100'000)}}}) {
    const Outcome want_c =
        run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, uint64_t{1} << 40);
    const Outcome got_c =
        run_to_end(b.compiled.thread, b.compiled.fn(c.fn), c.args, uint64_t{1} << 40);
    EXPECT_EQ(want_c.trap, "call stack exhausted") << c.fn;
    EXPECT_EQ(got_c, want_c) << c.fn;
    expect_same_backtrace(b);
  }
  // The thread is usable afterwards.
  EXPECT_EQ(
      run_to_end(b.compiled.thread, b.compiled.fn("fib"), {Value::i32(20)}, {}).results[0].bits,
      6765u);
}

}  // namespace
}  // namespace lunatic::tiering::testing
