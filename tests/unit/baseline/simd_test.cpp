// SIMD in the baseline tier (emit_simd.cpp): v128 values in slot pairs through params, results,
// locals (beside hot scalar locals in registers), globals, blocks, branches, drop and select,
// and the instructions run by the interpreter's own step, with the interpreter's results, traps,
// fuel and backtraces for every budget and slice.
#include "../tiering/tier_fixture.hpp"
#include "baseline/baseline.hpp"

namespace lunatic::tiering::testing {
namespace {

constexpr std::string_view kSimdWat = R"((module (memory 1)
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  ;; v128 params and results through a call; lanes shuffled and mixed with scalars.
  (func $mix (param $a v128) (param $k i32) (param $b v128) (result v128 i32)
    (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31
      (i32x4.add (local.get $a) (i32x4.splat (local.get $k))) (local.get $b))
    (i32x4.extract_lane 3 (local.get $b)))
  (func (export "calls") (param $n i32) (result v128 i32) (local $v v128) (local $s i32)
    (local.set $v (v128.const i64x2 0x0102030405060708 0x1112131415161718))
    (loop $l
      (call $mix (local.get $v) (local.get $n) (global.get $g))
      (local.set $s (i32.add (local.get $s)))
      (local.set $v)
      (global.set $g (i16x8.add_sat_s (global.get $g) (local.get $v)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $v) (i32.add (local.get $s) (i8x16.bitmask (global.get $g))))
  ;; drop, select (untyped and typed), blocks with v128 params and results, br with values.
  (func (export "control") (param $c i32) (result v128)
    (local $x v128) (local $i i32) (local $j i32) (local $k i32)
    (local.set $x (v128.const f32x4 1.5 -2.5 3.5 -0.0))
    (drop (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $x (select (local.get $x) (f64x2.splat (f64.const 7.25)) (local.get $c)))
    (local.set $x (select (result v128) (i8x16.abs (local.get $x)) (local.get $x)
      (i32.and (local.get $c) (i32.const 2))))
    (local.get $x)
    (block $b (param v128) (result v128)
      (i32x4.shl (i32.const 3))
      (br_if $b (i32.and (local.get $c) (i32.const 4)))
      (i32x4.neg))
    (if (param v128) (result v128) (i32.and (local.get $c) (i32.const 8))
      (then (v128.not))
      (else (v128.bitselect (local.get $x) (v128.const i32x4 -1 0 -1 0))))
    (loop $l (param v128) (result v128)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $j (i32.xor (local.get $j) (local.get $i)))
      (local.set $k (i32.add (local.get $k) (local.get $j)))
      (i64x2.replace_lane 1 (i64.extend_i32_u (local.get $k)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 5)))))
  ;; Loads, stores and lane accesses against the end of memory.
  (func (export "memory") (param $a i32) (result v128 i64)
    (v128.store offset=16 (local.get $a) (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
    (v128.load16_lane offset=18 3 (local.get $a) (v128.load32_splat offset=4 (local.get $a)))
    (v128.store8_lane offset=1 9 (local.get $a) (v128.load8x8_s offset=16 (local.get $a)))
    (i64x2.extract_lane 0 (v128.load64_zero offset=65528 (local.get $a))))
))";

struct Case {
  const char* fn;
  std::vector<Value> args;
};

TEST(BaselineSimd, SameResultsTrapsAndFuelAsTheInterpreter) {
  TierInstance interp(kSimdWat, Tier::Interp);
  TierInstance baseline(kSimdWat, Tier::Baseline);
  ASSERT_NE(baseline.instance, nullptr);
  ASSERT_NE(baseline.instance->module->native(), nullptr);  // compiled, not refused
  const std::vector<Case> calls = {
      {"calls", {Value::i32(1)}},           {"calls", {Value::i32(9)}},
      {"control", {Value::i32(0)}},         {"control", {Value::i32(1)}},
      {"control", {Value::i32(6)}},         {"control", {Value::i32(15)}},
      {"memory", {Value::i32(0)}},          {"memory", {Value::i32(8)}},
      {"memory", {Value::i32(65536 - 32)}},  // the last access (load64_zero) traps
      {"memory", {Value::i32(65536 - 31)}},  // the first (the v128.store) traps
      {"memory", {Value::i32(-1)}},
  };
  for (const Case& c : calls) {
    for (std::optional<uint64_t> fuel :
         {std::optional<uint64_t>{}, std::optional<uint64_t>{0}, std::optional<uint64_t>{12},
          std::optional<uint64_t>{60}, std::optional<uint64_t>{400}}) {
      for (uint64_t slice : {uint64_t{7}, UINT64_MAX}) {
        const Outcome want = run_to_end(interp.thread, interp.fn(c.fn), c.args, fuel, slice);
        const Outcome got = run_to_end(baseline.thread, baseline.fn(c.fn), c.args, fuel, slice);
        EXPECT_EQ(got, want) << c.fn << " " << c.args[0].as_i32() << " fuel "
                             << (fuel ? std::to_string(*fuel) : "none") << " slice " << slice;
      }
    }
  }
  const Outcome calls9 = run_to_end(baseline.thread, baseline.fn("calls"), {Value::i32(9)}, {});
  ASSERT_EQ(calls9.results.size(), 2u);
  EXPECT_EQ(calls9.results[0].type, wasm::ValType::V128);
  const Outcome oob = run_to_end(baseline.thread, baseline.fn("memory"), {Value::i32(-1)}, {});
  EXPECT_EQ(oob.trap, "out of bounds memory access");
}

TEST(BaselineSimd, ATrapInASimdInstructionHasTheInterpretersBacktrace) {
  TierInstance interp(kSimdWat, Tier::Interp);
  TierInstance baseline(kSimdWat, Tier::Baseline);
  ASSERT_NE(baseline.instance, nullptr);
  for (TierInstance* t : {&interp, &baseline}) {
    run_to_end(t->thread, t->fn("memory"), {Value::i32(65536 - 32)}, {});
  }
  const auto& want = interp.thread.trap().backtrace;
  const auto& got = baseline.thread.trap().backtrace;
  ASSERT_EQ(got.size(), want.size());
  ASSERT_FALSE(got.empty());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].function_index, want[i].function_index) << i;
    EXPECT_EQ(got[i].offset, want[i].offset) << i;
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
