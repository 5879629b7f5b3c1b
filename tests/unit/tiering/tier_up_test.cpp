// The auto tier's tier-up from the baseline to LLVM: a call running baseline code when LLVM's
// code arrives moves over (its calls through the entry table, its loops by OSR at a loop
// header's slow path) with the interpreter's outcome: results, fuel left, slices, kills,
// parking, traps and their backtraces. And the policy: auto starts in the baseline (SIMD
// modules too), modules loaded at run time compile on the background thread only.
#include <chrono>
#include <thread>

#include "../support/tier_modules.hpp"
#include "jit/native_tier.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

using lunatic::testing::kLoopsWat;
using lunatic::testing::kReceiveLoopWat;
using lunatic::testing::kWalkWat;

bool runs_llvm(const engine::CompiledModule& module) {
  const native::NativeTier* tier = native::native_tier_of(module);
  return tier != nullptr && tier->code().optimized();
}

void attach_llvm(const engine::CompiledModule& module) {
  ASSERT_TRUE(jit::attach_native(module, {.osr_entries = true}).ok());
  ASSERT_TRUE(runs_llvm(module));
}

// Runs `name`(arg) in the baseline for `first_slices` slices, attaches LLVM's code, and runs
// the rest; the outcome, and how many frames moved to LLVM.
Outcome run_tiering_up(std::string_view wat, const char* name, Value arg, int first_slices,
                       uint64_t slice, std::optional<uint64_t> fuel, uint64_t* transfers) {
  TierInstance t(wat, Tier::Baseline);
  EXPECT_NE(t.instance, nullptr);
  EXPECT_NE(t.instance->module->native(), nullptr);
  EXPECT_FALSE(runs_llvm(*t.instance->module));
  Outcome o;
  t.thread.set_fuel(fuel);
  t.thread.begin_call(t.fn(name), std::vector<Value>{arg}).value();
  bool attached = false;
  for (int i = 0;; ++i) {
    if (i == first_slices) {
      attach_llvm(*t.instance->module);
      attached = true;
    }
    o.status = t.thread.run(slice);
    if (o.status != RunStatus::Yielded) break;
    ++o.yields;
  }
  if (!attached) attach_llvm(*t.instance->module);  // for the callers' checks
  if (o.status == RunStatus::Done) o.results = t.thread.results();
  if (o.status == RunStatus::Trapped) o.trap = t.thread.trap().message;
  o.fuel = t.thread.fuel();
  *transfers = t.thread.transfers();
  return o;
}

TEST(TierUp, ARunningBaselineCallMovesToLlvmWithTheSameOutcomeFuelAndSlices) {
  for (const char* name : {"sum_cubes", "nested"}) {
    for (uint64_t slice : {5u, 100u, 1000u}) {
      TierInstance ref(kLoopsWat, Tier::Interp);
      const Value arg = Value::i32(300);
      const Outcome want = run_to_end(ref.thread, ref.fn(name), {arg}, 10'000'000, slice);
      uint64_t transfers = 0;
      const Outcome got = run_tiering_up(kLoopsWat, name, arg, 3, slice, 10'000'000, &transfers);
      // Both native tiers meter through the same Execution: even the count of slices holds.
      EXPECT_EQ(got, want) << name << " slice " << slice;
      EXPECT_GE(transfers, 1u) << name << " slice " << slice;
    }
  }
}

TEST(TierUp, OutOfFuelAtTheSameSafepointAcrossTheSwitch) {
  TierInstance ref(kLoopsWat, Tier::Interp);
  for (uint64_t fuel = 0; fuel <= 3000; fuel += 157) {
    const Outcome want =
        run_to_end(ref.thread, ref.fn("nested"), {Value::i32(40)}, fuel, /*slice=*/64);
    uint64_t transfers = 0;
    const Outcome got =
        run_tiering_up(kLoopsWat, "nested", Value::i32(40), 2, 64, fuel, &transfers);
    EXPECT_EQ(got, want) << "fuel " << fuel;
  }
}

TEST(TierUp, AKillTakesEffectAfterTheSwitch) {
  TierInstance t(kLoopsWat, Tier::Baseline);
  ASSERT_NE(t.instance, nullptr);
  t.thread.begin_call(t.fn("spin"), {}).value();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.thread.run(1000), RunStatus::Yielded);
  attach_llvm(*t.instance->module);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.thread.run(1000), RunStatus::Yielded);
  EXPECT_GE(t.thread.transfers(), 1u);  // the spinning frame runs LLVM's code now
  expect_killed_from_another_thread(t.thread);
}

// The host parks every other call; LLVM's code arrives while the call is parked, and the call
// finishes on other threads with the interpreter's result and fuel.
TEST(TierUp, ACallParkedInTheBaselineResumesAndMovesToLlvm) {
  auto outcome = [](Tier tier, bool tier_up, uint64_t* transfers) {
    auto module = compile_wat(kReceiveLoopWat, tier);
    engine::MemoryPool pool;
    engine::Store store(pool);
    int attempts = 0;
    Function* receive =
        store.add_host_function({{wasm::ValType::I32}, {wasm::ValType::I32}}, [&](HostCall& c) {
          if (++attempts % 2 == 1) return HostStatus::Park;
          c.results[0] = c.args[0] * 2;
          return HostStatus::Return;
        });
    std::vector<Extern> imports = {{wasm::ExternKind::Func, receive}};
    engine::Instance* inst = store.instantiate(module, imports).value();
    Thread thread(store);
    thread.set_fuel(1'000'000);
    thread
        .begin_call(inst->find_export("sum_received")->func(), std::vector<Value>{Value::i32(200)})
        .value();
    Outcome o;
    o.status = thread.run(50);
    EXPECT_EQ(o.status, RunStatus::Parked);
    if (tier_up) attach_llvm(*module);
    while (o.status != RunStatus::Done && o.status != RunStatus::Trapped) {
      std::thread([&] { o.status = thread.run(50); }).join();
    }
    if (o.status == RunStatus::Done) o.results = thread.results();
    o.fuel = thread.fuel();
    *transfers = thread.transfers();
    return o;
  };
  uint64_t transfers = 0;
  const Outcome want = outcome(Tier::Interp, false, &transfers);
  ASSERT_EQ(want.status, RunStatus::Done);
  ASSERT_EQ(want.results.size(), 1u);
  EXPECT_EQ(want.results[0].as_i32(), 200 * 201);
  const Outcome got = outcome(Tier::Baseline, true, &transfers);
  EXPECT_EQ(got, want);
  EXPECT_GE(transfers, 1u);
}

TEST(TierUp, ATrapAfterTheSwitchCarriesTheInterpretersBacktrace) {
  TierInstance ref(kWalkWat, Tier::Interp);
  const Outcome want = run_to_end(ref.thread, ref.fn("walk"), {Value::i32(0)}, 10'000'000, 100);
  ASSERT_EQ(want.trap, "out of bounds memory access");
  TierInstance t(kWalkWat, Tier::Baseline);
  ASSERT_NE(t.instance, nullptr);
  Outcome got;
  t.thread.set_fuel(10'000'000);
  t.thread.begin_call(t.fn("walk"), std::vector<Value>{Value::i32(0)}).value();
  for (int i = 0; (got.status = t.thread.run(100)) == RunStatus::Yielded; ++i) {
    if (i == 5) attach_llvm(*t.instance->module);
    ++got.yields;
  }
  got.trap = t.thread.trap().message;
  got.fuel = t.thread.fuel();
  EXPECT_EQ(got, want);
  EXPECT_GE(t.thread.transfers(), 1u);
  const auto& trace = t.thread.trap().backtrace;
  const auto& expected = ref.thread.trap().backtrace;
  ASSERT_EQ(trace.size(), 2u);
  ASSERT_EQ(trace.size(), expected.size());
  for (size_t i = 0; i < trace.size(); ++i) {
    EXPECT_EQ(trace[i].function_index, expected[i].function_index) << i;
    EXPECT_EQ(trace[i].offset, expected[i].offset) << i;
  }
}

TEST(TierUp, AutoStartsInTheBaselineThenNewCallsRunLlvm) {
  auto bytes = text::parse_module(kLoopsWat).value();
  Compiler compiler({.tier = Tier::Auto, .use_cache = false});
  auto module = compiler.compile(bytes).value();
  ASSERT_NE(module->native(), nullptr);  // the baseline's code, at once
  EXPECT_EQ(compiler.baseline_compiled(), 1u);
  engine::MemoryPool pool;
  engine::Store store(pool);
  engine::Instance* inst = store.instantiate(module, {}).value();
  Thread thread(store);
  Function* sum = inst->find_export("sum_cubes")->func();
  thread.begin_call(sum, std::vector<Value>{Value::i32(100)}).value();
  EXPECT_EQ(thread.run(10), RunStatus::Yielded);  // begun in the baseline's code
  ASSERT_TRUE(eventually([&] { return runs_llvm(*module); }));
  while (thread.run(10) == RunStatus::Yielded) {
  }
  EXPECT_EQ(thread.results()[0].as_i64(), 25'502'500);  // (100 * 101 / 2)^2
  EXPECT_GE(thread.transfers(), 1u);
  EXPECT_EQ(thread.call(sum, std::vector<Value>{Value::i32(10)}).value()[0].as_i64(), 3025);
}

// Both native tiers compile SIMD. Under auto a SIMD module starts in the baseline, and a
// running call moves over to LLVM's code by OSR at its loop header with its v128 locals (two
// frame slots each, as the baseline keeps them).
TEST(TierUp, ASimdModuleStartsInTheBaselineThenMovesToLlvmWithItsV128Locals) {
  constexpr std::string_view kSimd = R"((module
    (func (export "lanes") (param i32) (result i32)
      (i32x4.extract_lane 2 (i32x4.add (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4))))
    ;; acc += (i, 2i, 3i, 4i) for i < n in a v128 local; then the sum of acc's lanes.
    (func (export "sum") (param i32) (result i64)
      (local $acc v128) (local $i i32) (local $step v128)
      (local.set $step (v128.const i32x4 1 2 3 4))
      (loop $next
        (local.set $acc (i32x4.add (local.get $acc)
          (i32x4.mul (i32x4.splat (local.get $i)) (local.get $step))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get 0))))
      (i64.add
        (i64.add (i64.extend_i32_u (i32x4.extract_lane 0 (local.get $acc)))
                 (i64.extend_i32_u (i32x4.extract_lane 1 (local.get $acc))))
        (i64.add (i64.extend_i32_u (i32x4.extract_lane 2 (local.get $acc)))
                 (i64.extend_i32_u (i32x4.extract_lane 3 (local.get $acc))))))))";
  auto bytes = text::parse_module(kSimd).value();
  Compiler compiler({.tier = Tier::Auto, .use_cache = false});
  auto module = compiler.compile(bytes).value();
  ASSERT_NE(module->native(), nullptr);  // the baseline's code, at once
  EXPECT_EQ(compiler.baseline_compiled(), 1u);
  EXPECT_EQ(compiler.baseline_refused(), 0u);
  engine::MemoryPool pool;
  engine::Store store(pool);
  engine::Instance* inst = store.instantiate(module, {}).value();
  Thread thread(store);
  Function* lanes = inst->find_export("lanes")->func();
  EXPECT_EQ(thread.call(lanes, std::vector<Value>{Value::i32(10)}).value()[0].as_i32(), 13);
  thread.begin_call(inst->find_export("sum")->func(), std::vector<Value>{Value::i32(1000)}).value();
  EXPECT_EQ(thread.run(10), RunStatus::Yielded);  // begun in the baseline's code
  ASSERT_TRUE(eventually([&] { return runs_llvm(*module); }));
  EXPECT_EQ(compiler.llvm_compiled(), 1u);
  while (thread.run(10) == RunStatus::Yielded) {
  }
  EXPECT_EQ(thread.results()[0].as_i64(), 4'995'000);  // (1 + 2 + 3 + 4) * 999 * 1000 / 2
  EXPECT_GE(thread.transfers(), 1u);
  EXPECT_EQ(thread.call(lanes, std::vector<Value>{Value::i32(10)}).value()[0].as_i32(), 13);
}

// LLVM waits until the process has used the CPU time the compile would cost (here an hour per
// byte: never), and a Compiler with such a job pending ends at once.
TEST(TierUp, AutoWaitsForTheProcessCpuTimeBeforeLlvm) {
  auto bytes = text::parse_module(kLoopsWat).value();
  const auto start = std::chrono::steady_clock::now();
  {
    Compiler compiler(
        {.tier = Tier::Auto, .delay_per_byte = std::chrono::hours(1), .use_cache = false});
    auto module = compiler.compile(bytes).value();
    ASSERT_NE(module->native(), nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(runs_llvm(*module));
    EXPECT_FALSE(compiler.busy());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// A module loaded at run time: nothing is compiled on the caller's thread; the background
// thread compiles the baseline's code first (here LLVM's would wait a minute).
TEST(TierUp, AutoCompilesModulesLoadedAtRunTimeInTheBackground) {
  auto bytes = text::parse_module(kLoopsWat).value();
  Compiler compiler(
      {.tier = Tier::Auto, .background_delay = std::chrono::minutes(1), .use_cache = false});
  auto module = compiler.compile_loaded(bytes).value();
  ASSERT_TRUE(eventually([&] { return module->has_native(); }));
  EXPECT_EQ(compiler.baseline_compiled(), 1u);
  EXPECT_FALSE(runs_llvm(*module));
  engine::MemoryPool pool;
  engine::Store store(pool);
  engine::Instance* inst = store.instantiate(module, {}).value();
  Thread thread(store);
  EXPECT_EQ(thread.call(inst->find_export("sum_cubes")->func(), std::vector<Value>{Value::i32(10)})
                .value()[0]
                .as_i64(),
            3025);
}

}  // namespace
}  // namespace lunatic::tiering::testing
