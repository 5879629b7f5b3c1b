// On-stack replacement from the interpreter into the baseline's code (src/baseline/emit_osr.cpp):
// a call that began in the interpreter, stopped at a loop header with an empty operand stack
// when the module gets the baseline's code, continues there in the baseline's OSR entry (the
// function compiled then, if nothing called it natively yet), and ends as a run entirely in the
// interpreter ends: results, trap and backtrace, fuel left, memory and globals.
#include <string>

#include "../tiering/tier_fixture.hpp"
#include "baseline/baseline.hpp"
#include "native/execution.hpp"
#include "native/native_tier.hpp"

namespace lunatic::tiering::testing {
namespace {

using engine::ThreadLimits;

constexpr std::string_view kOsrWat = R"((module
  (memory 1)
  (global $g (mut i64) (i64.const 0))
  (type $pair (func (param i32 i64) (result i32 i64)))
  ;; A loop nested in blocks, with six hot locals (four live in r12-r15), memory and a global.
  (func (export "mix") (param $n i32) (result i64)
    (local $i i32) (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64)
    (block $out
      (block $unused
        (loop $l
          (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $a (i64.add (local.get $a) (i64.extend_i32_u (local.get $i))))
          (local.set $b (i64.xor (local.get $b) (i64.mul (local.get $a) (i64.const 31))))
          (local.set $c (i64.add (local.get $c) (local.get $b)))
          (local.set $d (i64.add (local.get $d) (i64.shl (local.get $c) (i64.const 1))))
          (local.set $e (i64.add (local.get $e) (i64.const 7)))
          (i64.store (i32.and (i32.mul (local.get $i) (i32.const 8)) (i32.const 0xfff8))
                     (local.get $d))
          (global.set $g (i64.add (global.get $g) (local.get $e)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l))))
    (i64.add (local.get $a) (i64.add (local.get $b)
      (i64.add (local.get $c) (i64.add (local.get $d) (local.get $e))))))
  ;; The inner loop takes params (its header holds two values: no OSR point); the outer one
  ;; starts empty. Two results.
  (func (export "pairs") (param $n i32) (result i32 i64) (local $k i32) (local $t i64)
    (loop $outer
      (i32.const 0) (local.get $t)
      (loop $inner (type $pair)
        (local.set $t)
        (local.tee $k)
        (i32.const 1) (i32.add)
        (i64.add (local.get $t) (i64.extend_i32_u (local.get $k)))
        (br_if $inner (i32.lt_u (local.get $k) (i32.const 20))))
      (local.set $t)
      (drop)
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $outer (local.get $n)))
    (local.get $k) (local.get $t))
  ;; v128 locals (two slots each) between scalar ones.
  (func (export "vec") (param $n i32) (result v128) (local $v v128) (local $w v128) (local $i i32)
    (local.set $w (v128.const i64x2 1 2))
    (loop $l
      (local.set $v (i64x2.add (local.get $v) (local.get $w)))
      (local.set $w (i64x2.add (local.get $w) (v128.const i64x2 3 5)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $v))
  ;; Reads memory until it leaves it: an out-of-bounds trap two frames deep.
  (func $walk (param $p i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $l))
    (local.get $s))
  (func (export "walk") (result i32) (call $walk (i32.const 0)))
  ;; Recurses d frames deep, loops k times at the bottom, then calls $leaf one frame deeper.
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $deep (export "deep") (param $d i32) (param $k i32) (result i32) (local $i i32) (local $s i32)
    (if (local.get $d)
      (then (return (i32.add (call $deep (i32.sub (local.get $d) (i32.const 1)) (local.get $k))
                             (i32.const 1)))))
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $k))))
    (call $leaf (local.get $s)))
))";

// One instance of `wat` in the interpreter, with its thread's limits.
struct Interpreted {
  engine::MemoryPool pool;
  engine::Store store{pool};
  engine::Instance* instance = nullptr;
  Thread thread;

  Interpreted(std::string_view wat, ThreadLimits limits) : thread(store, limits) {
    auto module = compile_wat(wat, Tier::Interp);
    if (module == nullptr) return;
    auto made = store.instantiate(module, {});
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    if (made.ok()) instance = *made;
  }
  Function* fn(const char* name) const { return instance->find_export(name)->func(); }
  std::vector<uint8_t> memory() const {
    if (instance->memories.empty()) return {};
    const engine::Memory& m = *instance->memories[0];
    return {m.data(), m.data() + m.size_bytes()};
  }
  std::vector<engine::Slot> globals() const {
    std::vector<engine::Slot> out;
    for (const engine::Global* g : instance->globals) out.push_back(g->value);
    return out;
  }
};

struct Ended {
  Outcome outcome;
  uint64_t transfers = 0;
  std::vector<uint8_t> memory;
  std::vector<engine::Slot> globals;
};

// Runs name(args) in `t` to its end in slices of `slice`; with `switch_after` set, the module
// gets the baseline's code (each function compiled when first needed) after that many slices.
Ended run(Interpreted& t, const char* name, const std::vector<Value>& args,
          std::optional<uint64_t> fuel, uint64_t slice, std::optional<int> switch_after) {
  Ended r;
  Outcome& o = r.outcome;
  t.thread.set_fuel(fuel);
  EXPECT_TRUE(t.thread.begin_call(t.fn(name), args).ok());
  o.status = RunStatus::Yielded;
  for (int i = 0; o.status == RunStatus::Yielded; ++i) {
    if (switch_after && i == *switch_after) {
      EXPECT_TRUE(baseline::attach_baseline(*t.instance->module).ok());
    }
    o.status = t.thread.run(slice);
  }
  if (o.status == RunStatus::Done) o.results = t.thread.results();
  if (o.status == RunStatus::Trapped) o.trap = t.thread.trap().message;
  o.fuel = t.thread.fuel();
  r.transfers = t.thread.transfers();
  r.memory = t.memory();
  r.globals = t.globals();
  return r;
}

// The same call interpreted throughout and moved to the baseline after `first` slices: the same
// end, the frame handed over at least once. Returns the moved run's thread for its trap.
void expect_same(const char* name, const std::vector<Value>& args, std::optional<uint64_t> fuel,
                 uint64_t slice, int first, ThreadLimits limits = {}) {
  const std::string at = std::string(name) + " slice " + std::to_string(slice) + " first " +
                         std::to_string(first) + " fuel " + (fuel ? std::to_string(*fuel) : "-");
  Interpreted ref(kOsrWat, limits);
  Interpreted moved(kOsrWat, limits);
  ASSERT_NE(ref.instance, nullptr);
  ASSERT_NE(moved.instance, nullptr);
  Ended want = run(ref, name, args, fuel, slice, std::nullopt);
  Ended got = run(moved, name, args, fuel, slice, first);
  ASSERT_EQ(want.transfers, 0u) << at;
  EXPECT_GE(got.transfers, 1u) << at;
  // Slices of a handed-over frame end where the compiled code's do; the count of yields may
  // differ (the first native run gets a fresh slice), the rest may not.
  got.outcome.yields = want.outcome.yields = 0;
  EXPECT_EQ(got.outcome, want.outcome) << at;
  EXPECT_TRUE(got.memory == want.memory) << at;
  EXPECT_EQ(got.globals, want.globals) << at;
  if (want.outcome.status == RunStatus::Trapped) {
    EXPECT_EQ(moved.thread.trap().kind, ref.thread.trap().kind) << at;
    expect_backtrace(moved.thread, ref.thread, at);
  }
}

TEST(BaselineOsr, ALoopInBlocksWithRegisterLocalsMovesWithTheSameOutcome) {
  for (uint64_t slice : {7u, 100u, 1000u}) {
    for (int first : {1, 3}) expect_same("mix", {Value::i32(3000)}, 10'000'000, slice, first);
  }
}

TEST(BaselineOsr, OutOfFuelAfterTheMoveAtTheInterpretersSafepoint) {
  for (uint64_t fuel = 2000; fuel < 2400; fuel += 37) {
    expect_same("mix", {Value::i32(3000)}, fuel, 50, 2);
  }
  expect_same("mix", {Value::i32(100'000)}, 1'000'003, 1000, 2);
}

// (A slice that always ends at the inner header, 611 here, never moves the frame.)
TEST(BaselineOsr, AnOuterLoopMovesWhileItsInnerLoopTakesParams) {
  for (uint64_t slice : {5u, 64u, 465u})
    expect_same("pairs", {Value::i32(500)}, 10'000'000, slice, 2);
}

TEST(BaselineOsr, V128LocalsMoveInTheirTwoSlots) {
  for (uint64_t slice : {9u, 200u}) expect_same("vec", {Value::i32(5000)}, 10'000'000, slice, 2);
}

TEST(BaselineOsr, ATrapAfterTheMoveCarriesTheInterpretersBacktrace) {
  for (uint64_t slice : {10u, 1000u}) expect_same("walk", {}, 10'000'000, slice, 2);
}

// The loop's frame at the depth limit: the move keeps it there, and the call it makes then
// traps as in the interpreter (one frame less: it fits).
TEST(BaselineOsr, ALoopAtTheDepthLimitMovesAndItsCallTrapsAsInTheInterpreter) {
  const ThreadLimits limits{.max_call_depth = 40, .max_stack_slots = 1u << 20};
  for (uint32_t d : {38u, 39u}) {
    expect_same("deep", {Value::i32(d), Value::i32(20'000)}, 10'000'000, 500, 2, limits);
  }
}

// A frame larger than the small stack segment: the OSR entry's native-stack check fails and
// the frame starts again on the big stack (lunatic_jit_grow_stack_osr).
TEST(BaselineOsr, AFrameTooLargeForTheSegmentMovesToTheBigStack) {
  std::string locals;
  for (int i = 0; i < 24'000; ++i) locals += " i64";
  const std::string wat = R"((module
    (func (export "big") (param $n i32) (result i64) (local $i i32) (local $s i64))" +
                          std::string("(local") + locals + R"()
      (loop $l
        (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (local.get $i))))
        (local.set 100 (i64.add (local.get 100) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (i64.add (local.get $s) (local.get 100)))))";
  Interpreted ref(wat, {});
  Interpreted moved(wat, {});
  ASSERT_NE(moved.instance, nullptr);
  Ended want = run(ref, "big", {Value::i32(20'000)}, 10'000'000, 300, std::nullopt);
  const uint64_t moves = native::stack_moves().osr_entries;
  Ended got = run(moved, "big", {Value::i32(20'000)}, 10'000'000, 300, 2);
  EXPECT_GE(got.transfers, 1u);
  EXPECT_GE(native::stack_moves().osr_entries, moves + 1);
  got.outcome.yields = want.outcome.yields = 0;
  EXPECT_EQ(got.outcome, want.outcome);
}

// The function the interpreter runs may never have run natively: its first OSR compiles it
// (the module's functions are still stubs), and its calls run the baseline's code.
TEST(BaselineOsr, TheMovedFunctionIsCompiledByItsOsr) {
  Interpreted t(kOsrWat, {});
  ASSERT_NE(t.instance, nullptr);
  const uint64_t before = baseline::lazy_totals().functions;
  Ended r = run(t, "mix", {Value::i32(3000)}, 10'000'000, 100, 1);
  EXPECT_GE(r.transfers, 1u);
  EXPECT_EQ(baseline::lazy_totals().functions - before, 1u);
  const native::NativeCode& code = native::native_tier_of(*t.instance->module)->code();
  EXPECT_NE(code.osr_entry(0), nullptr);
  EXPECT_TRUE(code.osr_point(0, 0));
  EXPECT_TRUE(code.osr_point(0, 1));
  EXPECT_EQ(code.osr_entry(2), nullptr);  // vec: never compiled
  // pairs: the inner loop's header (safepoint 2) holds its params, the outer's (1) nothing.
  EXPECT_NE(code.prepare_osr(1, 1), nullptr);
  EXPECT_EQ(code.prepare_osr(1, 2), nullptr);
  EXPECT_TRUE(code.osr_point(1, 1));
  EXPECT_FALSE(code.osr_point(1, 2));
}

// The baseline's OSR entries are for the interpreter's frames: a loop running in the baseline's
// code stays in its frame at its slow paths (NativeTier::hot, LLVM's code, is the only way on).
TEST(BaselineOsr, ABaselineFrameDoesNotEnterItsOwnOsrEntry) {
  TierInstance t(kOsrWat, Tier::Baseline);
  ASSERT_NE(t.instance, nullptr);
  TierInstance ref(kOsrWat, Tier::Interp);
  const Outcome want = run_to_end(ref.thread, ref.fn("mix"), {Value::i32(200'000)}, {}, 100'000);
  const Outcome got = run_to_end(t.thread, t.fn("mix"), {Value::i32(200'000)}, {}, 100'000);
  EXPECT_EQ(got.results.at(0).as_i64(), want.results.at(0).as_i64());
  EXPECT_TRUE(native::native_tier_of(*t.instance->module)->code().osr_point(0, 1));
  EXPECT_EQ(t.thread.transfers(), 0u);
}

// Slices of a few units stop the interpreter anywhere its safepoints are, a frame's entry
// included, and the move still ends as the interpreter does.
TEST(BaselineOsr, TinySlicesMoveWithTheSameOutcome) {
  const ThreadLimits limits{.max_call_depth = 40, .max_stack_slots = 1u << 20};
  for (uint64_t slice : {1u, 2u, 3u}) {
    for (int first : {1, 5, 40}) expect_same("vec", {Value::i32(500)}, 10'000'000, slice, first);
    // Once the recursion is down (a slice is a safepoint or two): the calls made after the
    // module has native code run there from their start, with nothing to move.
    expect_same("deep", {Value::i32(30), Value::i32(3000)}, 10'000'000, slice, 40, limits);
  }
}

// Safepoint 0 (the entry's: a frame the interpreter stopped before its first instruction)
// starts the function over with the locals given, charging the entry safepoint as a call does.
TEST(BaselineOsr, SafepointZeroStartsAtTheEntry) {
  TierInstance t(kOsrWat, Tier::Baseline);
  TierInstance ref(kOsrWat, Tier::Interp);
  ASSERT_NE(t.instance, nullptr);
  const Outcome want = run_to_end(ref.thread, ref.fn("vec"), {Value::i32(5)}, 1'000'000);
  const std::vector<engine::Slot> locals = {5, 0, 0, 0, 0, 0};  // n, v (two slots), w, i
  t.thread.set_fuel(1'000'000);
  std::unique_ptr<engine::TierExecution> e =
      native::native_tier_of(*t.instance->module)->begin_at(t.thread, *t.instance, 2, 0, locals);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->run(t.thread, UINT64_MAX), RunStatus::Done);
  ASSERT_EQ(e->results().size(), 2u);
  EXPECT_EQ(e->results()[0], want.results.at(0).bits);
  EXPECT_EQ(e->results()[1], want.results.at(0).hi);
  EXPECT_EQ(t.thread.fuel(), want.fuel);
}

}  // namespace
}  // namespace lunatic::tiering::testing
