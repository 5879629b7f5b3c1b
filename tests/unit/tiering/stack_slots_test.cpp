// Call-stack exhaustion comes at the same call in every tier: the native tiers count their
// frames' slots as the interpreter lays them out (jit/abi.hpp frame_fp), so a recursion with
// big frames, which runs out of the interpreter's ThreadLimits::max_stack_slots long before
// max_call_depth, traps at the same depth, with the same fuel left, in the baseline and in
// LLVM's code.
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

// Both functions have 150 locals (a frame of about 160 slots: about 6,500 frames fit in 1M slots,
// far below the 10,000-frame depth limit). Each level counts itself in $reached, and calls with
// operands left below its arguments (direct), or through the table (indirect), so a callee's
// fp depends on the caller's operand height as in the interpreter.
constexpr std::string_view kBigFramesWat = R"((module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $big_indirect)
  (global $reached (export "reached") (mut i32) (i32.const 0))
  (func $big (export "big") (param $n i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (global.set $reached (local.get $n))
    (i32.add (i32.const 7)
      (i32.add (i32.const 9)
        (call $big (i32.add (local.get $n) (i32.const 1))))))
  (func $big_indirect (export "big_indirect") (param $n i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (global.set $reached (local.get $n))
    (i32.sub (i32.const 3)
      (call_indirect (type $t) (i32.add (local.get $n) (i32.const 1)) (i32.const 0)))))
)";

struct DeepRun {
  Outcome outcome;
  uint32_t reached = 0;
};

DeepRun run_in(Tier tier, const char* fn) {
  TierInstance t(kBigFramesWat, tier);
  if (t.instance == nullptr) return {};
  DeepRun r;
  r.outcome = run_to_end(t.thread, t.fn(fn), {Value::i32(0)}, uint64_t{1} << 40);
  r.reached = static_cast<uint32_t>(t.instance->find_export("reached")->global()->value);
  return r;
}

TEST(StackSlots, BigFramesRunOutAtTheSameCallInEveryTier) {
  for (const char* fn : {"big", "big_indirect"}) {
    const DeepRun want = run_in(Tier::Interp, fn);
    ASSERT_EQ(want.outcome.trap, "call stack exhausted") << fn;
    // The slot limit, not the depth limit, ended it.
    EXPECT_GT(want.reached, 1000u) << fn;
    EXPECT_LT(want.reached, engine::ThreadLimits{}.max_call_depth - 1000) << fn;
    for (Tier tier : {Tier::Baseline, Tier::Compiled}) {
      const DeepRun got = run_in(tier, fn);
      EXPECT_EQ(got.outcome, want.outcome) << fn << " in " << tier_name(tier);
      EXPECT_EQ(got.reached, want.reached) << fn << " in " << tier_name(tier);
    }
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
