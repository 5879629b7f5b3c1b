// Thread::set_interpret_first: a call of a module with native code runs its first fuel in the
// interpreter, then the calls it makes and its loop (at the next loop header) move to the
// native code, and it ends as a call run in one tier ends; a call whose whole work fits in that
// fuel never leaves the interpreter. tiering's auto sets CompiledModule::interpreted_fuel.
#include "../tiering/tier_fixture.hpp"
#include "baseline/baseline.hpp"

namespace lunatic::tiering::testing {
namespace {

constexpr std::string_view kWat = R"((module
  (func $step (param i64 i32) (result i64)
    (i64.add (i64.mul (local.get 0) (i64.const 31)) (i64.extend_i32_u (local.get 1))))
  (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $a i64)
    (loop $l
      (local.set $a (call $step (local.get $a) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $a))
))";

struct Ended {
  Outcome outcome;
  uint64_t interpreted = 0;
  uint64_t transfers = 0;
};

Ended run(Tier tier, uint64_t interpret_first, int32_t n) {
  TierInstance t(kWat, tier);
  EXPECT_NE(t.instance, nullptr);
  if (t.instance == nullptr) return {};
  if (tier == Tier::Baseline) {
    EXPECT_NE(t.instance->module->native(), nullptr);
  }
  t.thread.set_interpret_first(interpret_first);
  Ended r;
  r.outcome = run_to_end(t.thread, t.fn("sum"), {Value::i32(n)}, 100'000'000, 1000);
  r.outcome.yields = 0;  // a native slice may end elsewhere; the end is the same
  r.interpreted = t.thread.interpreted_fuel();
  r.transfers = t.thread.transfers();
  return r;
}

TEST(InterpretFirst, ACallRunsItsFuelInTheInterpreterThenMovesToNativeCode) {
  const Ended ref = run(Tier::Interp, 0, 20'000);
  ASSERT_EQ(ref.outcome.status, RunStatus::Done);
  const uint64_t used = 100'000'000 - *ref.outcome.fuel;
  EXPECT_EQ(ref.interpreted, used);  // the interpreter counts what it charged
  for (uint64_t first : {uint64_t{1}, uint64_t{5'000}, uint64_t{50'000}}) {
    const Ended moved = run(Tier::Baseline, first, 20'000);
    EXPECT_EQ(moved.outcome, ref.outcome) << first;
    EXPECT_GE(moved.interpreted, first) << first;
    EXPECT_LT(moved.interpreted, used) << first;  // the rest ran natively
    EXPECT_GE(moved.transfers, 1u) << first;      // the loop moved at its header
  }
}

TEST(InterpretFirst, ACallWithinItsFuelNeverLeavesTheInterpreter) {
  const Ended ref = run(Tier::Interp, 0, 200);
  const Ended kept = run(Tier::Baseline, 100'000'000, 200);
  EXPECT_EQ(kept.outcome, ref.outcome);
  EXPECT_EQ(kept.interpreted, ref.interpreted);
  EXPECT_EQ(kept.transfers, 0u);
}

TEST(InterpretFirst, WithoutItACallBeginsInNativeCode) {
  const Ended native = run(Tier::Baseline, 0, 20'000);
  EXPECT_EQ(native.outcome, run(Tier::Interp, 0, 20'000).outcome);
  EXPECT_EQ(native.interpreted, 0u);
}

TEST(InterpretFirst, AutoGivesItsModulesTheConfiguredFuelAndOtherTiersNone) {
  auto bytes = text::parse_module(kWat);
  ASSERT_TRUE(bytes.ok());
  for (Tier tier : {Tier::Auto, Tier::Baseline, Tier::Interp}) {
    Compiler compiler({.tier = tier, .interpreted_fuel = 4321, .use_cache = false});
    auto module = compiler.compile(*bytes);
    ASSERT_TRUE(module.ok()) << module.error().to_string();
    EXPECT_EQ((*module)->interpreted_fuel, tier == Tier::Auto ? 4321u : 0u);
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
