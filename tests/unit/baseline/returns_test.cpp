// A return writes its results from the register cache straight to the caller's args/results
// array (function_compiler.cpp, emit_direct_return): results held in cache registers, as
// constants (an i32's Slot zero-extended, an i64 that fits a sign-extended imm32 or not), as
// register locals and slot locals, v128 halves, with other values below them on the stack, from
// inside blocks and loops, beside branches to the function's label that still return through
// its slots; callers that extend an i32 result (its upper half must be zero) and combine several;
// recursion deep enough to move to the big stack, and past the depth limit; a callee whose loop
// LLVM's OSR entry takes over returns to its baseline caller. Results, traps and fuel as the
// interpreter's.
#include "../tiering/tier_fixture.hpp"
#include "jit/native_tier.hpp"

namespace lunatic::tiering::testing {
namespace {

constexpr std::string_view kReturns = R"((module (memory 1)
  (func $consts (param i32) (result i32 i64 i64 f64)
    (if (local.get 0) (then (return (i32.const -1) (i64.const -2) (i64.const 0x123456789)
                                    (f64.const -1.5))))
    (i32.const 0x7fffffff) (i64.const 0x7fffffff) (i64.const -0x80000000) (f64.const 0))
  (func (export "extended") (param i32) (result i64)
    (local i32 i64 i64 f64)
    (call $consts (local.get 0))
    (local.set 4) (local.set 3) (local.set 2) (local.set 1)
    (i64.add (i64.extend_i32_u (local.get 1)) (i64.xor (local.get 2) (local.get 3)))
    (i64.add (i64.trunc_f64_s (local.get 4))))
  (func $pick (param i32 i32 i32) (result i32)
    (local i32 i32 i32 i32 i32 i32)
    (local.set 3 (i32.mul (local.get 0) (local.get 1)))
    (local.set 4 (i32.add (local.get 3) (local.get 3)))
    (local.set 5 (i32.sub (local.get 4) (local.get 3)))
    (local.set 6 (i32.xor (local.get 5) (local.get 4)))
    (local.set 7 (i32.or (local.get 6) (local.get 5)))
    (local.set 8 (i32.and (local.get 7) (local.get 6)))
    (i32.const 11) (i32.const 12)  ;; left below the result
    (block $b
      (loop $l
        (br_if $b (i32.ge_u (local.get 2) (i32.const 9)))
        (if (i32.eq (local.get 2) (i32.const 0)) (then (return (local.get 3))))
        (if (i32.eq (local.get 2) (i32.const 1)) (then (return (local.get 8))))
        (if (i32.eq (local.get 2) (i32.const 2)) (then (return (local.get 1))))
        (if (i32.eq (local.get 2) (i32.const 3))
          (then (return (i32.add (local.get 4) (local.get 7)))))
        (if (i32.eq (local.get 2) (i32.const 4)) (then (return (i32.div_u (local.get 0) (local.get 1)))))
        (local.set 2 (i32.add (local.get 2) (i32.const 5)))
        (br $l)))
    (drop) (drop)
    (drop (br_if 0 (i32.const 77) (i32.eq (local.get 2) (i32.const 9))))
    (block $x (result i32)
      (br_table $x 1 (i32.const 88) (i32.sub (local.get 2) (i32.const 10))))
    (i32.add (i32.const 11)))
  (func (export "picks") (param i32 i32) (result i32)
    (local i32 i32)
    (loop $l
      (local.set 3 (i32.add (local.get 3)
        (call $pick (local.get 0) (local.get 1) (local.get 2))))
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 2) (i32.const 16))))
    (local.get 3))
  (func $vec (param i32) (result v128 i32) (local v128)
    (local.set 1 (v128.const i32x4 1 2 3 4))
    (if (local.get 0) (then (return (local.get 1) (i32.const 5))))
    (v128.const i64x2 -1 0x7fffffff00000000) (i32.const -6))
  (func (export "vec") (param i32) (result i64)
    (local v128 i32)
    (call $vec (local.get 0))
    (local.set 2) (local.set 1)
    (i64.add (i64.extend_i32_u (local.get 2))
      (i64.xor (i64x2.extract_lane 0 (local.get 1)) (i64x2.extract_lane 1 (local.get 1)))))
  (func $sum (export "sum") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (return (i32.const 0))))
    (i32.add (local.get 0) (call $sum (i32.sub (local.get 0) (i32.const 1)))))
  ;; One register local (its param, read 5 times): an odd number of pushes, so the move to the
  ;; big stack aligns its call with the push that keeps the results' address.
  (func $sum1 (export "sum1") (param i32) (result i64 i32)
    (if (i32.eqz (local.get 0)) (then (return (i64.const 0) (i32.const 0))))
    (call $sum1 (i32.sub (local.get 0) (i32.const 1)))
    (i32.add (local.get 0))
    (drop)
    (i64.add (i64.extend_i32_u (local.get 0)))
    (i32.xor (local.get 0) (local.get 0))
    (i32.add (local.get 0)))
))";

struct Call {
  const char* fn;
  std::vector<Value> args;
};

TEST(BaselineReturns, ResultsFromTheCacheAreTheInterpreters) {
  TierInstance interp(kReturns, Tier::Interp);
  TierInstance baseline(kReturns, Tier::Baseline);
  ASSERT_NE(baseline.instance, nullptr);
  const std::vector<Call> calls = {
      {"extended", {Value::i32(0)}},
      {"extended", {Value::i32(1)}},
      {"picks", {Value::i32(7), Value::i32(3)}},
      {"picks", {Value::i32(-9), Value::i32(0)}},
      {"vec", {Value::i32(0)}},
      {"vec", {Value::i32(1)}},
      {"sum", {Value::i32(100)}},
      {"sum", {Value::i32(9000)}},
      {"sum", {Value::i32(30000)}},
      {"sum1", {Value::i32(50)}},
      {"sum1", {Value::i32(9000)}},
  };
  for (const Call& c : calls) {
    for (std::optional<uint64_t> fuel :
         {std::optional<uint64_t>{}, std::optional<uint64_t>{0}, std::optional<uint64_t>{9},
          std::optional<uint64_t>{60}, std::optional<uint64_t>{250},
          std::optional<uint64_t>{1'000'000}}) {
      const Outcome want = run_to_end(interp.thread, interp.fn(c.fn), c.args, fuel);
      const Outcome got = run_to_end(baseline.thread, baseline.fn(c.fn), c.args, fuel);
      EXPECT_EQ(got, want) << c.fn << " fuel " << (fuel ? std::to_string(*fuel) : "none");
    }
  }
  // The values themselves, not only their agreement: i32 -1 zero-extended (0xffffffff), the
  // i64s and the float; picks' returns from every path; the divide by zero in pick traps.
  const auto i64_of = [&](const char* fn, std::vector<Value> args) {
    const Outcome o = run_to_end(baseline.thread, baseline.fn(fn), args, {});
    EXPECT_TRUE(o.trap.empty()) << fn << ": " << o.trap;
    return o.results.empty() ? int64_t{0} : o.results[0].as_i64();
  };
  EXPECT_EQ(i64_of("extended", {Value::i32(1)}),
            int64_t{0xffffffff} + (int64_t{-2} ^ int64_t{0x123456789}) - 1);
  EXPECT_EQ(i64_of("extended", {Value::i32(0)}),
            int64_t{0x7fffffff} + (int64_t{0x7fffffff} ^ -int64_t{0x80000000}));
  EXPECT_EQ(i64_of("vec", {Value::i32(0)}),
            int64_t{0xfffffffa} + (int64_t{-1} ^ int64_t{0x7fffffff00000000}));
  EXPECT_EQ(i64_of("vec", {Value::i32(1)}), 5 + ((int64_t{2} << 32 | 1) ^ (int64_t{4} << 32 | 3)));
  EXPECT_EQ(
      run_to_end(baseline.thread, baseline.fn("picks"), {Value::i32(-9), Value::i32(0)}, {}).trap,
      "integer divide by zero");
  EXPECT_EQ(
      run_to_end(baseline.thread, baseline.fn("sum"), {Value::i32(9000)}, {}).results[0].as_i32(),
      9000 * 9001 / 2);
  const Outcome sum1 = run_to_end(baseline.thread, baseline.fn("sum1"), {Value::i32(9000)}, {});
  ASSERT_EQ(sum1.results.size(), 2u);
  EXPECT_EQ(sum1.results[0].as_i64(), int64_t{9000} * 9001 / 2);
  EXPECT_EQ(sum1.results[1].as_i32(), 9000);
  EXPECT_EQ(run_to_end(baseline.thread, baseline.fn("sum"), {Value::i32(30000)}, {}).trap,
            "call stack exhausted");
}

// The callee's frame moves into LLVM's OSR entry at its loop header; the epilogue after it hands
// the first result to the baseline caller in r8 as the direct entry's returns do.
constexpr std::string_view kOsrCallee = R"((module
  (func $inner (param $n i32) (result i64) (local $acc i64)
    (loop $l
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n))))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l))
    (local.get $acc))
  (func (export "outer") (param i32) (result i64)
    (drop (call $inner (i32.const 1)))  ;; compiles $inner: the next call is a direct one
    (i64.mul (call $inner (local.get 0)) (i64.const 3)))
))";

TEST(BaselineReturns, ACalleeMovedToLlvmsOsrEntryReturnsToItsBaselineCaller) {
  constexpr uint64_t kSlice = 100;
  constexpr uint64_t kFuel = 10'000'000;
  const Value arg = Value::i32(3000);
  TierInstance interp(kOsrCallee, Tier::Interp);
  const Outcome want = run_to_end(interp.thread, interp.fn("outer"), {arg}, kFuel, kSlice);
  TierInstance t(kOsrCallee, Tier::Baseline);
  ASSERT_NE(t.instance, nullptr);
  t.thread.set_fuel(kFuel);
  ASSERT_TRUE(t.thread.begin_call(t.fn("outer"), std::vector<Value>{arg}).ok());
  Outcome got;
  for (int i = 0;; ++i) {
    if (i == 3) {
      ASSERT_TRUE(jit::attach_native(*t.instance->module, {.osr_entries = true}).ok());
    }
    got.status = t.thread.run(kSlice);
    if (got.status != RunStatus::Yielded) break;
    ++got.yields;
  }
  if (got.status == RunStatus::Done) got.results = t.thread.results();
  if (got.status == RunStatus::Trapped) got.trap = t.thread.trap().message;
  got.fuel = t.thread.fuel();
  EXPECT_EQ(got, want);
  EXPECT_GE(t.thread.transfers(), 1u);  // the callee's frame did move
  ASSERT_EQ(got.results.size(), 1u);
  EXPECT_EQ(got.results[0].as_i64(), int64_t{3000} * 3001 / 2 * 3);
}

}  // namespace
}  // namespace lunatic::tiering::testing
