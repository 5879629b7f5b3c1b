// Segmented native stacks: compiled code starts on a small stack segment and moves to a 16 MiB
// stack when a call chain outgrows it (native/execution_stack.cpp). A recursion 8,000 deep
// moves in the baseline and in LLVM's code; everything that works on the small segment works
// there too: results, fuel and slices as in the interpreter, out of fuel at the same point,
// parking in a host call and resuming on another OS thread, a kill, a trap's backtrace; and
// an OSR entry that does not fit on the segment moves too.
#include "jit/native_tier.hpp"
#include "native/execution.hpp"
#include "native/native_tier.hpp"
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

// $edge(n, spin): $a recurses n deep, then $b runs a loop of `spin` rounds over 40 i64 locals,
// all live at once: LLVM's OSR entry of $b spills most of them, so its frame is bigger than
// a frame of $a in the baseline.
std::string edge_wat() {
  std::string locals, init, round, sum;
  for (int k = 0; k < 40; ++k) {
    const std::string l = "$l" + std::to_string(k);
    const std::string next = "$l" + std::to_string((k + 1) % 40);
    locals += " (local " + l + " i64)";
    init += "(local.set " + l + " (i64.const " + std::to_string(k + 1) + "))\n";
    round += "(local.set " + l + " (i64.add (i64.mul (local.get " + l +
             ") (i64.const 31)) (local.get " + next + ")))\n";
    sum += "(local.set $sum (i64.xor (i64.rotl (local.get $sum) (i64.const 7)) (local.get " + l +
           ")))\n";
  }
  return R"((module
  (func $b (param $spin i32) (result i64) (local $i i32) (local $sum i64))" +
         locals + "\n" + init + "(loop $round\n" + round + R"(
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $i) (local.get $spin))))
)" + sum +
         R"((local.get $sum))
  (func $a (export "edge") (param $n i32) (param $spin i32) (result i64)
    (if (result i64) (i32.eqz (local.get $n))
      (then (call $b (local.get $spin)))
      (else (i64.add (i64.const 1)
                     (call $a (i32.sub (local.get $n) (i32.const 1)) (local.get $spin)))))))
)";
}

// An OSR entry whose own frame does not fit on the small segment moves to the big stack
// (lunatic_jit_grow_stack_osr) and finishes there with the interpreter's result and fuel. The
// baseline's calls find the depth n_move at which $b's frame first leaves the segment; at
// n_move - 1 the room left below $b's frame is less than one frame of $a, so LLVM's OSR entry of
// $b, taken when its code arrives in the middle of $b's loop, cannot fit.
TEST(StackSegments, AnOsrEntryThatDoesNotFitMovesToTheBigStack) {
  const std::string wat = edge_wat();
  TierInstance baseline(wat, Tier::Baseline);
  ASSERT_NE(baseline.instance, nullptr);
  auto moves_at = [&](int32_t n) {
    const uint64_t before = native::stack_moves().calls;
    const Outcome o =
        run_to_end(baseline.thread, baseline.fn("edge"), {Value::i32(n), Value::i32(1)}, {});
    EXPECT_EQ(o.status, RunStatus::Done);
    return native::stack_moves().calls > before;
  };
  int32_t lo = 0;     // no move
  int32_t hi = 9000;  // moves (9,000 frames of at least 16 bytes: past any segment)
  ASSERT_FALSE(moves_at(lo));
  ASSERT_TRUE(moves_at(hi));
  while (hi - lo > 1) {
    const int32_t mid = lo + (hi - lo) / 2;
    (moves_at(mid) ? hi : lo) = mid;
  }
  const uint64_t osr_before = native::stack_moves().osr_entries;
  constexpr int32_t kSpin = 4000;
  constexpr uint64_t kSlice = 100'000;  // the descent takes less: the first slice ends in $b
  constexpr uint64_t kFuel = 1'000'000'000;
  for (int32_t n = hi - 1; n >= hi - 4 && n >= 0; --n) {
    TierInstance interp(wat, Tier::Interp);
    ASSERT_NE(interp.instance, nullptr);
    const std::vector<Value> args = {Value::i32(n), Value::i32(kSpin)};
    const Outcome want = run_to_end(interp.thread, interp.fn("edge"), args, kFuel, kSlice);
    ASSERT_EQ(want.status, RunStatus::Done);

    TierInstance t(wat, Tier::Baseline);
    ASSERT_NE(t.instance, nullptr);
    Outcome got;
    t.thread.set_fuel(kFuel);
    ASSERT_TRUE(t.thread.begin_call(t.fn("edge"), args).ok());
    got.status = t.thread.run(kSlice);
    ASSERT_EQ(got.status, RunStatus::Yielded) << n;
    ++got.yields;
    ASSERT_TRUE(jit::attach_native(*t.instance->module, {.osr_entries = true}).ok());
    while ((got.status = t.thread.run(kSlice)) == RunStatus::Yielded) ++got.yields;
    if (got.status == RunStatus::Done) got.results = t.thread.results();
    got.fuel = t.thread.fuel();
    EXPECT_EQ(got, want) << "n " << n;
    EXPECT_GE(t.thread.transfers(), 1u) << "n " << n;  // $b moved to LLVM's code by OSR
  }
  EXPECT_GT(native::stack_moves().osr_entries, osr_before);
}

// A function whose results do not fit in registers (five i64, two f64: LLVM returns them
// through memory) recurses past the small segment: its body moves to the big stack as any
// other's (translate_returns.cpp), with the interpreter's results and fuel.
constexpr std::string_view kManyResultsWat = R"((module
  (func $down (param $n i32) (result i64 i64 i64 i64 i64 f64 f64)
    (if (result i64 i64 i64 i64 i64 f64 f64) (i32.eqz (local.get $n))
      (then (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
            (f64.const 0.5) (f64.const 0.25))
      (else
        (call $down (i32.sub (local.get $n) (i32.const 1)))
        (f64.add (f64.const 1))
        (local.get $n) (drop))))
  (func (export "run") (param $n i32) (result i64 i64 i64 i64 i64 f64 f64)
    (call $down (local.get $n))))
)";

TEST(StackSegments, ResultsThroughMemoryMoveToTheBigStackToo) {
  TierInstance want_in(kManyResultsWat, Tier::Interp);
  ASSERT_NE(want_in.instance, nullptr);
  const std::vector<Value> args = {Value::i32(kDeep)};
  const Outcome want = run_to_end(want_in.thread, want_in.fn("run"), args, 1'000'000'000, 5000);
  ASSERT_EQ(want.status, RunStatus::Done);
  ASSERT_EQ(want.results.size(), 7u);
  for (Tier tier : {Tier::Baseline, Tier::Compiled}) {
    TierInstance got_in(kManyResultsWat, tier);
    ASSERT_NE(got_in.instance, nullptr);
    const uint64_t moves = native::stack_moves().calls;
    EXPECT_EQ(run_to_end(got_in.thread, got_in.fn("run"), args, 1'000'000'000, 5000), want)
        << tier_name(tier);
    EXPECT_GT(native::stack_moves().calls, moves) << tier_name(tier);
  }
}

// A call takes its segment when it first runs, not when it begins: a burst of spawns queues
// many calls before any runs, and each one holding a segment from its start put most past the
// pool's warm ones. Run one after another, they all use one segment (the pool's first
// reservation; holding them from their starts took two).
TEST(StackSegments, ACallTakesItsSegmentWhenItFirstRunsNotWhenItBegins) {
  auto module = compile_wat(R"((module
    (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))))",
                            Tier::Baseline);
  ASSERT_NE(module, nullptr);
  const native::NativeTier* tier = native::native_tier_of(*module);
  ASSERT_NE(tier, nullptr);
  engine::MemoryPool pool;
  engine::Store store{pool};
  auto made = store.instantiate(module, {});
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  Function* inc = (*made)->find_export("inc")->func();
  constexpr size_t kCalls = native::NativeTier::kSegmentsPerChunk + 1;
  std::vector<std::unique_ptr<Thread>> threads;
  for (size_t i = 0; i < kCalls; ++i) {
    threads.push_back(std::make_unique<Thread>(store));
    const std::vector<Value> args = {Value::i32(static_cast<int32_t>(i))};
    auto begun = threads.back()->begin_call(inc, args);
    ASSERT_TRUE(begun.ok()) << begun.error().to_string();
  }
  EXPECT_EQ(tier->segments().reserved(), 0u) << "a call that has not run holds a segment";
  for (size_t i = 0; i < kCalls; ++i) {
    ASSERT_EQ(threads[i]->run(UINT64_MAX), RunStatus::Done) << i;
    ASSERT_EQ(threads[i]->results().size(), 1u);
    EXPECT_EQ(threads[i]->results()[0].as_i32(), static_cast<int32_t>(i) + 1);
  }
  EXPECT_EQ(tier->segments().reserved(), native::NativeTier::kSegmentsPerChunk);
}

// A call holds its tier by pointer, not by a count: the module keeps the tier as long as it
// lives (CompiledModule::native_tier). A count per call was two atomic operations a spawn on the
// tier's one line, written from every worker. The calls still run to their results.
TEST(StackSegments, ACallHoldsNoCountOfItsTier) {
  auto module = compile_wat(R"((module
    (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))))",
                            Tier::Baseline);
  ASSERT_NE(module, nullptr);
  ASSERT_NE(native::native_tier_of(*module), nullptr);
  engine::MemoryPool pool;
  engine::Store store{pool};
  auto made = store.instantiate(module, {});
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  Function* inc = (*made)->find_export("inc")->func();
  const long counted = module->native().use_count();
  constexpr int kCalls = 8;
  std::vector<std::unique_ptr<Thread>> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.push_back(std::make_unique<Thread>(store));
    const std::vector<Value> args = {Value::i32(i)};
    ASSERT_TRUE(threads.back()->begin_call(inc, args).ok());
  }
  EXPECT_EQ(module->native().use_count(), counted) << "a call begun counts its tier";
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_EQ(threads[i]->run(UINT64_MAX), RunStatus::Done) << i;
    EXPECT_EQ(threads[i]->results()[0].as_i32(), i + 1);
  }
  EXPECT_EQ(module->native().use_count(), counted) << "a call that ran counts its tier";
}

// native_tier_of names the module's tier only when it is the native one (its exact type, not
// a dynamic_cast): a module without a tier, or with a tier of another kind, has none.
TEST(StackSegments, NativeTierOfIsTheModulesNativeTierOnly) {
  class OtherTier final : public engine::CodeTier {
   public:
    std::unique_ptr<engine::TierExecution> begin(Thread&, Function&,
                                                 std::span<const engine::Slot>) const override {
      return nullptr;
    }
    void adopt(engine::Instance&) const override {}
    std::unique_ptr<engine::TierExecution> begin_at(Thread&, engine::Instance&, uint32_t, uint32_t,
                                                    std::span<const engine::Slot>) const override {
      return nullptr;
    }
  };
  auto baseline = compile_wat(R"((module (func (export "f"))))", Tier::Baseline);
  ASSERT_NE(baseline, nullptr);
  EXPECT_EQ(native::native_tier_of(*baseline), baseline->native_tier());
  auto interpreted = compile_wat(R"((module (func (export "f"))))", Tier::Interp);
  ASSERT_NE(interpreted, nullptr);
  EXPECT_EQ(native::native_tier_of(*interpreted), nullptr);
  interpreted->set_native(std::make_shared<OtherTier>());
  EXPECT_NE(interpreted->native_tier(), nullptr);
  EXPECT_EQ(native::native_tier_of(*interpreted), nullptr);
}

}  // namespace
}  // namespace lunatic::tiering::testing
