// The auto tier's function-level tier-up: LLVM's code for a set of hot functions, published in
// the baseline's slot table while calls run, so baseline and LLVM frames mix (direct calls,
// call_indirect both ways, recursion, a loop moved by OSR) with the interpreter's outcome:
// results, fuel left, slices, out of fuel, kills, traps and their backtraces. And the policy:
// time sampled at the safepoints' slow paths makes functions hot.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "jit/native_code.hpp"
#include "native/native_tier.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

// Defined functions: 0 $leaf, 1 $twice, 2 $fib, 3 $loop, 4 $load, 5 $mid, 6 $walk, 7 $spin,
// 8 $deep. Table 0 holds $leaf and $twice.
constexpr std::string_view kHotWat = R"((module
  (memory 1)
  (type $t (func (param i64) (result i64)))
  (table 2 funcref)
  (elem (i32.const 0) $leaf $twice)
  (func $leaf (param i64) (result i64) (i64.add (local.get 0) (i64.const 1)))
  (func $twice (param i64) (result i64) (i64.mul (local.get 0) (i64.const 2)))
  (func $fib (export "fib") (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (call $leaf (local.get $n)))
      (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
              (i64.add (call $fib (i64.sub (local.get $n) (i64.const 2)))
                (call_indirect (type $t) (local.get $n)
                  (i32.wrap_i64 (i64.and (local.get $n) (i64.const 1)))))))))
  (func $loop (export "loop") (param $n i32) (result i64) (local $s i64)
    (loop $next
      (local.set $s (i64.add (local.get $s)
        (call $fib (i64.extend_i32_u (i32.and (local.get $n) (i32.const 7))))))
      (local.set $s (call_indirect (type $t) (local.get $s) (i32.and (local.get $n) (i32.const 1))))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $next))
    (local.get $s))
  (func $load (param i32) (result i32) (i32.load (local.get 0)))
  (func $mid (param i32) (result i32) (call $load (local.get 0)))
  (func $walk (export "walk") (param $p i32) (result i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (call $mid (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br $next))
    (local.get $s))
  (func (export "spin") (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (i32.const 1) (call $deep (local.get 0))))
))";

const native::NativeTier& tier_of(const engine::CompiledModule& module) {
  return *native::native_tier_of(module);
}

// What the auto tier's hot job does for `set`: LLVM's code for those functions alone, with OSR
// entries, published in the baseline's slot table.
void tier_up(const engine::CompiledModule& module, std::vector<uint32_t> set) {
  const native::NativeTier& tier = tier_of(module);
  ASSERT_FALSE(tier.code().optimized());
  auto code = jit::compile_functions(module, set, {.osr_entries = true});
  ASSERT_TRUE(code.ok()) << code.error().to_string();
  tier.hot()->install(tier.code(), std::move(*code));
  for (uint32_t i : set) ASSERT_NE(tier.hot()->code_of(i), nullptr) << i;
}

// Runs `name`(arg) in the baseline for `first_slices` slices, tiers `set` up, runs the rest.
Outcome run_tiering_up(const char* name, Value arg, int first_slices, uint64_t slice,
                       std::optional<uint64_t> fuel, const std::vector<uint32_t>& set,
                       uint64_t* transfers = nullptr) {
  TierInstance t(kHotWat, Tier::Baseline);
  EXPECT_NE(t.instance, nullptr);
  Outcome o;
  t.thread.set_fuel(fuel);
  t.thread.begin_call(t.fn(name), std::vector<Value>{arg}).value();
  bool done = false;
  for (int i = 0;; ++i) {
    if (i == first_slices) {
      tier_up(*t.instance->module, set);
      done = true;
    }
    o.status = t.thread.run(slice);
    if (o.status != RunStatus::Yielded) break;
    ++o.yields;
  }
  if (!done) tier_up(*t.instance->module, set);
  if (o.status == RunStatus::Done) o.results = t.thread.results();
  if (o.status == RunStatus::Trapped) o.trap = t.thread.trap().message;
  o.fuel = t.thread.fuel();
  if (transfers != nullptr) *transfers = t.thread.transfers();
  return o;
}

const std::vector<std::vector<uint32_t>> kSets = {
    {2}, {2, 1}, {3}, {3, 2}, {0, 1}, {0, 1, 2, 3},
};

TEST(HotFunctions, MixedFramesGiveTheInterpretersOutcomeFuelAndSlices) {
  TierInstance ref(kHotWat, Tier::Interp);
  for (uint64_t slice : {7u, 100u, 1000u}) {
    const Outcome want =
        run_to_end(ref.thread, ref.fn("loop"), {Value::i32(300)}, 10'000'000, slice);
    ASSERT_EQ(want.status, RunStatus::Done);
    for (const auto& set : kSets) {
      for (int first : {0, 3}) {
        uint64_t transfers = 0;
        const Outcome got =
            run_tiering_up("loop", Value::i32(300), first, slice, 10'000'000, set, &transfers);
        EXPECT_EQ(got, want) << "slice " << slice << " set[0] " << set[0] << " first " << first;
        // The running loop moves to LLVM's code by OSR at its loop header.
        if (set[0] == 3 && first > 0) {
          EXPECT_GE(transfers, 1u) << "slice " << slice;
        }
      }
    }
  }
}

TEST(HotFunctions, RecursionThroughLlvmAndBaselineFrames) {
  TierInstance ref(kHotWat, Tier::Interp);
  const Outcome want = run_to_end(ref.thread, ref.fn("fib"), {Value::i64(18)}, 50'000'000, 500);
  ASSERT_EQ(want.status, RunStatus::Done);
  for (const auto& set : kSets) {
    for (int first : {0, 2, 20}) {
      EXPECT_EQ(run_tiering_up("fib", Value::i64(18), first, 500, 50'000'000, set), want)
          << "set[0] " << set[0] << " first " << first;
    }
  }
}

TEST(HotFunctions, OutOfFuelAtTheSameSafepoint) {
  TierInstance ref(kHotWat, Tier::Interp);
  for (uint64_t fuel = 0; fuel <= 3000; fuel += 157) {
    const Outcome want = run_to_end(ref.thread, ref.fn("loop"), {Value::i32(40)}, fuel, 64);
    EXPECT_EQ(run_tiering_up("loop", Value::i32(40), 2, 64, fuel, {3, 2}), want) << "fuel " << fuel;
    EXPECT_EQ(run_tiering_up("loop", Value::i32(40), 2, 64, fuel, {2, 0}), want) << "fuel " << fuel;
  }
}

TEST(HotFunctions, TrapsCarryTheInterpretersBacktraceThroughMixedFrames) {
  TierInstance ref(kHotWat, Tier::Interp);
  // Slices of 97 units end at each of the three functions' safepoints in turn.
  const Outcome want = run_to_end(ref.thread, ref.fn("walk"), {Value::i32(0)}, 10'000'000, 97);
  ASSERT_EQ(want.trap, "out of bounds memory access");
  const auto& expected = ref.thread.trap().backtrace;
  ASSERT_EQ(expected.size(), 3u);
  // $walk and $load in LLVM, $mid between them in the baseline.
  TierInstance t(kHotWat, Tier::Baseline);
  Outcome got;
  t.thread.set_fuel(10'000'000);
  t.thread.begin_call(t.fn("walk"), std::vector<Value>{Value::i32(0)}).value();
  for (int i = 0; (got.status = t.thread.run(97)) == RunStatus::Yielded; ++i) {
    if (i == 5) tier_up(*t.instance->module, {6, 4});
    ++got.yields;
  }
  got.trap = t.thread.trap().message;
  got.fuel = t.thread.fuel();
  EXPECT_EQ(got, want);
  EXPECT_GE(t.thread.transfers(), 1u);
  const auto& trace = t.thread.trap().backtrace;
  ASSERT_EQ(trace.size(), expected.size());
  for (size_t i = 0; i < trace.size(); ++i) {
    EXPECT_EQ(trace[i].function_index, expected[i].function_index) << i;
    EXPECT_EQ(trace[i].offset, expected[i].offset) << i;
  }
}

// A loop that runs out of fuel after it moved to LLVM's code by OSR traps with the
// interpreter's backtrace: its own frame and its caller's (the untrusted demo's `spin`).
TEST(HotFunctions, OutOfFuelInAMovedLoopCarriesTheBacktrace) {
  // Moved at a slice's end long before the fuel runs out, or at the very safepoint where it
  // does (the first slow path after the install is the one out of fuel: `after` is a slice
  // longer than what is left).
  for (int first : {0, 1, 3, 50}) {
    for (uint64_t after : {uint64_t{1000}, uint64_t{1} << 40}) {
      for (uint64_t fuel :
           {uint64_t{100'000}, uint64_t{3'000} * first + 7, uint64_t{3'000} * first + 500}) {
        TierInstance want_t(kCalledSpinWat, Tier::Interp);
        (void)run_to_end(want_t.thread, want_t.fn("outer"), {}, fuel, 1000);
        TierInstance t(kCalledSpinWat, Tier::Baseline);
        t.thread.set_fuel(fuel);
        t.thread.begin_call(t.fn("outer"), {}).value();
        RunStatus status = RunStatus::Yielded;
        for (int i = 0; i < first && status == RunStatus::Yielded; ++i) status = t.thread.run(1000);
        tier_up(*t.instance->module, {0});
        while (status == RunStatus::Yielded) status = t.thread.run(after);
        const std::string at = "first " + std::to_string(first) + " after " +
                               std::to_string(after) + " fuel " + std::to_string(fuel);
        ASSERT_EQ(status, RunStatus::Trapped) << at;
        EXPECT_EQ(t.thread.trap().kind, TrapKind::OutOfFuel) << at;
        EXPECT_EQ(t.thread.fuel(), want_t.thread.fuel()) << at;
        expect_backtrace(t.thread, want_t.thread, at);
      }
    }
  }
}

TEST(HotFunctions, CallStackExhaustionIsTheSameTrap) {
  TierInstance ref(kHotWat, Tier::Interp);
  const Outcome want = run_to_end(ref.thread, ref.fn("deep"), {Value::i32(0)}, 50'000'000, 1000);
  ASSERT_EQ(want.trap, "call stack exhausted");
  for (int first : {0, 3}) {
    EXPECT_EQ(run_tiering_up("deep", Value::i32(0), first, 1000, 50'000'000, {8}), want) << first;
  }
}

TEST(HotFunctions, AKillTakesEffectInTheMovedLoop) {
  TierInstance t(kHotWat, Tier::Baseline);
  ASSERT_NE(t.instance, nullptr);
  t.thread.begin_call(t.fn("spin"), {}).value();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.thread.run(1000), RunStatus::Yielded);
  tier_up(*t.instance->module, {7});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.thread.run(1000), RunStatus::Yielded);
  EXPECT_GE(t.thread.transfers(), 1u);  // the spinning frame runs LLVM's code now
  expect_killed_from_another_thread(t.thread);
}

// A call is inside $fib and $loop (baseline frames on its stack) when they become hot; it and
// a call begun afterwards on another thread of the same module both finish as the
// interpreter does, and a first call compiled by the baseline later leaves LLVM's entry alone.
TEST(HotFunctions, AFunctionBecomesHotWhileAnotherCallIsInsideIt) {
  TierInstance ref(kHotWat, Tier::Interp);
  const Outcome want = run_to_end(ref.thread, ref.fn("loop"), {Value::i32(200)}, 10'000'000, 50);
  TierInstance t(kHotWat, Tier::Baseline);
  Thread other(t.store);
  Outcome first;
  t.thread.set_fuel(10'000'000);
  t.thread.begin_call(t.fn("loop"), std::vector<Value>{Value::i32(200)}).value();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(t.thread.run(50), RunStatus::Yielded);
    ++first.yields;
  }
  tier_up(*t.instance->module, {3, 2, 0});
  const native::NativeTier& tier = tier_of(*t.instance->module);
  Outcome second;
  std::thread([&] {
    second = run_to_end(other, t.fn("loop"), {Value::i32(200)}, 10'000'000, 50);
  }).join();
  while ((first.status = t.thread.run(50)) == RunStatus::Yielded) ++first.yields;
  first.results = t.thread.results();
  first.fuel = t.thread.fuel();
  EXPECT_EQ(first, want);
  EXPECT_EQ(second, want);
  // Calls through the slot table reach LLVM's code, whatever the baseline compiled meanwhile.
  for (uint32_t i : {3u, 2u, 0u}) {
    EXPECT_EQ(tier.code().entry(i), tier.hot()->code_of(i)->entry(i)) << i;
  }
  EXPECT_EQ(tier.hot()->installed(), 3u);
}

// Auto: functions sampled at the safepoints' slow paths become hot and get LLVM's code
// from the background thread, long before the module's own (here never: an hour per byte).
TEST(HotFunctions, AutoCompilesTheFunctionsThatSpendTime) {
  auto bytes = text::parse_module(kHotWat).value();
  Compiler compiler({.tier = Tier::Auto,
                     .delay_per_byte = std::chrono::hours(1),
                     .hot_ticks = 1000,
                     .use_cache = false});
  auto module = compiler.compile(bytes).value();
  ASSERT_NE(module->native(), nullptr);
  const native::NativeTier& tier = tier_of(*module);
  ASSERT_FALSE(tier.code().optimized());
  engine::MemoryPool pool;
  engine::Store store(pool);
  engine::Instance* inst = store.instantiate(module, {}).value();
  Thread thread(store);
  Function* loop = inst->find_export("loop")->func();
  TierInstance ref(kHotWat, Tier::Interp);
  const Outcome want = run_to_end(ref.thread, ref.fn("loop"), {Value::i32(100'000)}, std::nullopt);
  thread.begin_call(loop, std::vector<Value>{Value::i32(100'000)}).value();
  RunStatus status = RunStatus::Yielded;
  ASSERT_TRUE(eventually([&] {
    if (status == RunStatus::Yielded) status = thread.run(100'000);
    return tier.hot()->installed() > 0;
  }));
  while (status == RunStatus::Yielded) status = thread.run(100'000);
  ASSERT_EQ(status, RunStatus::Done);
  EXPECT_EQ(thread.results()[0].bits, want.results[0].bits);
  EXPECT_GE(compiler.hot_compiled(), 1u);
  EXPECT_FALSE(native::native_tier_of(*module)->code().optimized());  // still the baseline's
}

// A process of kHotWat that runs its "loop" export (100,000 iterations) slice by slice.
struct LoopRun {
  engine::MemoryPool pool;
  engine::Store store{pool};
  engine::Instance* inst;
  Thread thread{store};
  RunStatus status = RunStatus::Yielded;

  explicit LoopRun(const std::shared_ptr<const engine::CompiledModule>& module)
      : inst(store.instantiate(module, {}).value()) {
    thread.begin_call(inst->find_export("loop")->func(), std::vector<Value>{Value::i32(100'000)})
        .value();
  }
  /// Runs slices until `done` holds (within eventually's limit).
  bool run_until(const std::function<bool()>& done) {
    return eventually([&] {
      if (status == RunStatus::Yielded) status = thread.run(100'000);
      return done();
    });
  }
  RunStatus finish() {
    while (status == RunStatus::Yielded) status = thread.run(100'000);
    return status;
  }
};

// The price: the fixed part, plus per_kib x KiB^exponent; a batch pays the fixed part once.
TEST(HotCompilePrice, GrowsWithTheBodyAndChargesABatchTheFixedPartOnce) {
  EXPECT_FALSE(HotCompilePrice{}.any());
  const HotCompilePrice price{.fixed = std::chrono::milliseconds(50),
                              .per_kib = std::chrono::milliseconds(10),
                              .exponent = 2.0};
  EXPECT_TRUE(price.any());
  EXPECT_EQ(price.of(0), std::chrono::milliseconds(50));
  EXPECT_EQ(price.of(1024), std::chrono::milliseconds(60));
  EXPECT_EQ(price.of(4096), std::chrono::milliseconds(50 + 160));  // 4 KiB squared
  const std::vector<uint64_t> sizes{1024, 2048};
  EXPECT_EQ(price.of_batch(sizes), std::chrono::milliseconds(50 + 10 + 40));
  EXPECT_EQ(price.of_batch({}), std::chrono::milliseconds(50));
  // A hostile body size cannot overflow the estimate.
  EXPECT_GT(price.of(UINT64_MAX).count(), 0);
}

// While a batch compiles, the Compiler tells its price (what the end of a run may wait for);
// before and after, zero.
TEST(HotFunctions, ABatchInProgressHasItsPrice) {
  auto bytes = text::parse_module(kHotWat).value();
  const HotCompilePrice price{.fixed = std::chrono::milliseconds(50),
                              .per_kib = std::chrono::milliseconds(100),
                              .exponent = 1.0};
  std::atomic<const Compiler*> self{nullptr};
  std::atomic<int64_t> seen_ns{-1};
  Compiler compiler({.tier = Tier::Auto,
                     .note =
                         [&](const std::string& line) {
                           const Compiler* c = self.load();
                           if (c != nullptr && line.starts_with("compiled tier: compiling")) {
                             seen_ns = c->hot_batch_price().count();
                           }
                         },
                     .delay_per_byte = std::chrono::hours(1),
                     .hot_compile = price,
                     .hot_ticks = 1000,
                     .use_cache = false});
  self = &compiler;
  EXPECT_EQ(compiler.hot_batch_price().count(), 0);
  auto module = compiler.compile(bytes).value();
  const native::NativeTier& tier = tier_of(*module);
  LoopRun run(module);
  ASSERT_TRUE(run.run_until([&] { return tier.hot()->installed() > 0; }));
  EXPECT_EQ(run.finish(), RunStatus::Done);
  EXPECT_TRUE(compiler.finish_hot_compile(std::chrono::seconds(60)));
  // At least the fixed part and some body; the functions of kHotWat are far below 1 KiB.
  EXPECT_GE(seen_ns.load(), std::chrono::nanoseconds(std::chrono::milliseconds(50)).count());
  EXPECT_LT(seen_ns.load(), std::chrono::nanoseconds(std::chrono::milliseconds(150)).count());
  EXPECT_EQ(compiler.hot_batch_price().count(), 0);
}

// The end of a run waits for a batch in progress: at least the floor, then while its CPU time
// is under the factor x its price, never past the cap; and returns at once when it ends.
TEST(HotFunctions, TheEndOfARunWaitsForABatchWithinItsPrice) {
  auto bytes = text::parse_module(kHotWat).value();
  std::mutex mutex;
  std::condition_variable changed;
  bool compiling = false;
  bool release = false;
  Compiler compiler({.tier = Tier::Auto,
                     .note =
                         [&](const std::string& line) {
                           if (!line.starts_with("compiled tier: compiling")) return;
                           // Holds the compile thread inside the batch, before LLVM.
                           std::unique_lock lock(mutex);
                           compiling = true;
                           changed.notify_all();
                           changed.wait(lock, [&] { return release; });
                         },
                     .delay_per_byte = std::chrono::hours(1),
                     .hot_compile = {.fixed = std::chrono::seconds(1)},
                     .hot_ticks = 1000,
                     .use_cache = false});
  EXPECT_TRUE(compiler.finish_hot_batch(std::chrono::seconds(5), 2.0, std::chrono::seconds(5)));
  auto module = compiler.compile(bytes).value();
  LoopRun run(module);
  ASSERT_TRUE(run.run_until([&] {
    std::lock_guard lock(mutex);
    return compiling;
  }));
  EXPECT_EQ(compiler.hot_batch_price(), std::chrono::seconds(1));
  EXPECT_LT(compiler.hot_batch_cpu(), std::chrono::seconds(1));  // held, not compiling
  // Under its price: waits until the cap.
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(
      compiler.finish_hot_batch(std::chrono::milliseconds(0), 2.0, std::chrono::milliseconds(200)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  // A factor of zero: its CPU time is over the price at once; given up after the floor.
  start = std::chrono::steady_clock::now();
  EXPECT_FALSE(
      compiler.finish_hot_batch(std::chrono::milliseconds(100), 0.0, std::chrono::seconds(60)));
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  EXPECT_LT(waited, std::chrono::seconds(30));
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  EXPECT_TRUE(compiler.finish_hot_batch(std::chrono::seconds(60), 2.0, std::chrono::seconds(60)));
  EXPECT_EQ(compiler.hot_batch_price().count(), 0);
  EXPECT_EQ(compiler.hot_batch_cpu().count(), 0);
  EXPECT_EQ(run.finish(), RunStatus::Done);
}

// Neither --tier baseline nor auto without the rule counts anything.
TEST(HotFunctions, OtherTiersCompileNoHotFunction) {
  auto module = compile_wat(kHotWat, Tier::Baseline);
  engine::MemoryPool pool;
  engine::Store store(pool);
  engine::Instance* inst = store.instantiate(module, {}).value();
  Thread thread(store);
  thread.begin_call(inst->find_export("loop")->func(), std::vector<Value>{Value::i32(3000)})
      .value();
  while (thread.run(100) == RunStatus::Yielded) {
  }
  EXPECT_TRUE(tier_of(*module).hot()->take_hot().empty());
  EXPECT_EQ(tier_of(*module).hot()->installed(), 0u);
}

}  // namespace
}  // namespace lunatic::tiering::testing
