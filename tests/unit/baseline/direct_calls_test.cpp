// The baseline's own calls take its functions' direct entries (depth and fp in registers) only
// while the context's slot table holds the callee's baseline code: a function replaced there (as
// LLVM's code for a hot function is) is called through the table by every caller, with the
// depth and fp a slot entry expects; and call-stack exhaustion and backtraces through direct
// calls are the interpreter's.
#include "../tiering/tier_fixture.hpp"
#include "native/abi.hpp"
#include "native/native_tier.hpp"

namespace lunatic::tiering::testing {
namespace {

// $c is called directly, through table 0's fast path and through table 1 (the helper), each
// from an export with the same frame (two params, no constants: the lowered code keeps
// constants below the operand stack) and nothing below the argument: the callee's fp is the
// same in all three.
constexpr std::string_view kCallsWat = R"((module
  (type $t (func (param i32) (result i32)))
  (table $t0 1 funcref)
  (table $t1 1 funcref)
  (elem (table $t0) (i32.const 0) func $c)
  (elem (table $t1) (i32.const 0) func $c)
  (func $c (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "direct") (param i32 i32) (result i32) (call $c (local.get 0)))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect $t0 (type $t) (local.get 0) (local.get 1)))
  (func (export "helper") (param i32 i32) (result i32)
    (call_indirect $t1 (type $t) (local.get 0) (local.get 1)))
  (func (export "nested") (param i32 i32) (result i32) (call $c (call $c (local.get 0)))))
)";

// What a replacement slot entry saw of its caller (the slot entry convention: the caller's
// depth and the callee's fp in the context).
struct Seen {
  uint32_t depth = 0;
  uint32_t fp = 0;
  int calls = 0;
};
Seen g_seen;

void times_hundred(native::Context* ctx, engine::Slot* args_results) {
  g_seen = {ctx->depth, ctx->frame_fp, g_seen.calls + 1};
  args_results[0] = static_cast<uint32_t>(args_results[0]) * 100u;
}

int32_t call_i32(TierInstance& t, const char* name, int32_t arg) {
  const Outcome o = run_to_end(t.thread, t.fn(name), {Value::i32(arg), Value::i32(0)}, {});
  EXPECT_EQ(o.status, RunStatus::Done) << name << ": " << o.trap;
  return o.results.empty() ? -1 : o.results[0].as_i32();
}

TEST(BaselineDirectCalls, AFunctionReplacedInTheSlotTableIsCalledByEveryCaller) {
  TierInstance t(kCallsWat, Tier::Baseline);
  ASSERT_NE(t.instance, nullptr);
  // Compiled by these first calls: the callers then take $c's direct entry.
  for (const char* name : {"direct", "indirect", "helper"}) EXPECT_EQ(call_i32(t, name, 5), 6);
  EXPECT_EQ(call_i32(t, "nested", 5), 7);
  const native::NativeCode& code = native::native_tier_of(*t.instance->module)->code();
  const native::SlotEntryFn original = code.entry(0);
  code.publish_entry(0, &times_hundred);
  std::vector<Seen> seen;
  for (const char* name : {"direct", "indirect", "helper"}) {
    g_seen = {};
    EXPECT_EQ(call_i32(t, name, 5), 500) << name;
    EXPECT_EQ(g_seen.calls, 1) << name;
    seen.push_back(g_seen);
  }
  // The same depth and fp from a direct call, the fast path and the helper.
  for (const Seen& s : seen) {
    EXPECT_EQ(s.depth, seen[2].depth);
    EXPECT_EQ(s.fp, seen[2].fp);
  }
  g_seen = {};
  EXPECT_EQ(call_i32(t, "nested", 5), 50000);
  EXPECT_EQ(g_seen.calls, 2);
  // Back to the baseline's code: the direct entries again.
  code.publish_entry(0, original);
  g_seen = {};
  for (const char* name : {"direct", "indirect", "helper"}) EXPECT_EQ(call_i32(t, name, 5), 6);
  EXPECT_EQ(call_i32(t, "nested", 5), 7);
  EXPECT_EQ(g_seen.calls, 0);
}

// $dirty leaves -1 in every slot and register of its frame; $clean's frame takes the same
// stack. $a is written before anything reads it (its zero is not stored); $b and local 12 are
// read first and local 11 never written: they must read 0, in their slots or registers.
constexpr std::string_view kLocalsWat = R"((module
  (func $dirty (param $n i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (i64.const -1)) (local.set 2 (i64.const -1)) (local.set 3 (i64.const -1))
    (local.set 4 (i64.const -1)) (local.set 5 (i64.const -1)) (local.set 6 (i64.const -1))
    (local.set 7 (i64.const -1)) (local.set 8 (i64.const -1)) (local.set 9 (i64.const -1))
    (local.set 10 (i64.const -1)) (local.set 11 (i64.const -1)) (local.set 12 (i64.const -1))
    (loop $l
      (local.set 1 (i64.add (local.get 1) (local.get 2)))
      (local.set 3 (i64.add (local.get 3) (local.get 4)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func $clean (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $c i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set $a (i64.const 7))
    (local.set $c (i64.add (local.get $b) (i64.const 1)))
    (loop $l
      (local.set $a (i64.add (local.get $a) (local.get $c)))
      (local.set $b (i64.add (local.get $b) (local.get 12)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i64.add (i64.add (local.get $a) (local.get $b)) (i64.add (local.get $c) (local.get 11))))
  (func (export "run") (param i32) (result i64)
    (call $dirty (local.get 0))
    (call $clean (local.get 0))))
)";

TEST(BaselineDirectCalls, OnlyLocalsWrittenBeforeAnyReadSkipTheirZero) {
  const std::string_view wat = kLocalsWat;
  TierInstance interp(wat, Tier::Interp);
  TierInstance baseline(wat, Tier::Baseline);
  ASSERT_NE(baseline.instance, nullptr);
  for (int32_t n : {1, 3, 1000}) {
    const Outcome want = run_to_end(interp.thread, interp.fn("run"), {Value::i32(n)}, {});
    const Outcome got = run_to_end(baseline.thread, baseline.fn("run"), {Value::i32(n)}, {});
    ASSERT_EQ(want.status, RunStatus::Done);
    EXPECT_EQ(got, want) << n;
  }
}

// A recursion through direct calls and call_indirect's fast path, with a few locals: it runs
// out of depth or of slots (by the limits) at the same call as in the interpreter, with the
// same backtrace; with the default limits it moves to the big native stack first.
constexpr std::string_view kRecursionWat = R"((module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $g)
  (global $reached (export "reached") (mut i32) (i32.const 0))
  (func $f (export "f") (param i32) (result i32) (local i64 i64 i64)
    (global.set $reached (local.get 0))
    (i32.add (i32.const 1)
      (call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 0))))
  (func $g (param i32) (result i32)
    (i32.add (i32.const 2) (i32.mul (i32.const 3) (call $f (local.get 0))))))
)";

struct DeepRun {
  Outcome outcome;
  int32_t reached = 0;
  std::vector<engine::BacktraceFrame> backtrace;
};

DeepRun run_deep(Tier tier, engine::ThreadLimits limits) {
  TierInstance t(kRecursionWat, tier);
  DeepRun r;
  if (t.instance == nullptr) return r;
  Thread thread(t.store, limits);
  r.outcome = run_to_end(thread, t.fn("f"), {Value::i32(0)}, uint64_t{1} << 40);
  r.reached = static_cast<int32_t>(t.instance->find_export("reached")->global()->value);
  if (r.outcome.status == RunStatus::Trapped) r.backtrace = thread.trap().backtrace;
  return r;
}

TEST(BaselineDirectCalls, RecursionRunsOutAtTheInterpretersCallWithItsBacktrace) {
  const std::vector<engine::ThreadLimits> limits = {
      {.max_call_depth = 101, .max_stack_slots = 1u << 20},  // the depth ends it
      {.max_call_depth = 10'000, .max_stack_slots = 777},    // the slots end it
      {},                                                    // deep: the big native stack
  };
  for (const engine::ThreadLimits& l : limits) {
    const std::string at = std::to_string(l.max_call_depth) + " frames, " +
                           std::to_string(l.max_stack_slots) + " slots";
    const DeepRun want = run_deep(Tier::Interp, l);
    const DeepRun got = run_deep(Tier::Baseline, l);
    ASSERT_EQ(want.outcome.trap, "call stack exhausted") << at;
    EXPECT_EQ(got.outcome, want.outcome) << at;
    EXPECT_EQ(got.reached, want.reached) << at;
    ASSERT_EQ(got.backtrace.size(), want.backtrace.size()) << at;
    for (size_t i = 0; i < got.backtrace.size(); ++i) {
      EXPECT_EQ(got.backtrace[i].function_index, want.backtrace[i].function_index) << at << i;
      EXPECT_EQ(got.backtrace[i].offset, want.backtrace[i].offset) << at << i;
    }
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
