// What the auto tier's samples count (docs/design.md, "Hot functions first"): the time the
// guest's code ran, whatever the safepoints' slow paths look like and however few of them read
// the clock, and not the time the runtime spent on the guest's behalf (a baseline compile on a
// function's first call, a host call).
#include <x86intrin.h>

#include <functional>
#include <optional>
#include <sstream>

#include "baseline/baseline.hpp"
#include "common/cpu_clock.hpp"
#include "native/native_tier.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

// A module compiled by an auto-tier compiler whose threshold no test reaches (the samples are
// only counted), and an instance of it.
struct Counted {
  Compiler compiler{{.tier = Tier::Auto,
                     .delay_per_byte = std::chrono::hours(1),
                     .hot_ticks = uint64_t{1} << 62,
                     .use_cache = false}};
  std::shared_ptr<const engine::CompiledModule> module;
  std::optional<TierInstance> t;

  /// `imports(store)`: the instance's imports, made in its store (host functions).
  explicit Counted(const std::string& wat,
                   const std::function<std::vector<Extern>(engine::Store&)>& imports = {})
      : module(compiler.compile(text::parse_module(wat).value()).value()) {
    t.emplace(nullptr);  // the store first, then the instance with imports made in it
    auto made = t->store.instantiate(module, imports ? imports(t->store) : std::vector<Extern>{});
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    if (made.ok()) t->instance = *made;
  }
  /// Runs export `name`(args) in slices of `slice` units to its end: the ticks that took, and
  /// the CPU time of this thread meanwhile in ticks (`cpu_ticks`).
  uint64_t run(const char* name, const std::vector<Value>& args, uint64_t slice) {
    t->thread.begin_call(t->fn(name), args).value();
    const uint64_t start = __rdtsc();
    const auto wall_start = clock_time(CLOCK_MONOTONIC);
    const auto cpu_start = clock_time(CLOCK_THREAD_CPUTIME_ID);
    while (t->thread.run(slice) == RunStatus::Yielded) {
    }
    const uint64_t ticks = __rdtsc() - start;
    const auto cpu = clock_time(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    const auto wall = clock_time(CLOCK_MONOTONIC) - wall_start;
    cpu_ticks = wall.count() > 0 ? static_cast<uint64_t>(static_cast<double>(ticks) *
                                                         static_cast<double>(cpu.count()) /
                                                         static_cast<double>(wall.count()))
                                 : ticks;
    return ticks;
  }
  uint64_t cpu_ticks = 0;
  /// `sampled` ticks are CPU time: at most the wall clock's (`elapsed`; on a busy machine,
  /// less), and at least 1/`part` of what this thread spent in the last run().
  void expect_sampled(uint64_t sampled, uint64_t elapsed, uint64_t part) const {
    EXPECT_LE(sampled, elapsed);
    EXPECT_GE(sampled, cpu_ticks / part)
        << "sampled " << sampled << " of " << cpu_ticks << " ticks of CPU";
  }
};

uint64_t ticks_sampled(const engine::CompiledModule& module) {
  const native::HotFunctions& hot = *native::native_tier_of(module)->hot();
  uint64_t sum = 0;
  for (uint32_t i = 0; i < module.wasm.functions.size(); ++i) sum += hot.ticks_of(i);
  return sum;
}

// `statements` additions to a local: a body the baseline takes a while to compile and, in a
// loop, an iteration that costs more fuel than one grant of the budget (2^16 units).
std::string additions(int statements) {
  std::ostringstream body;
  for (int i = 0; i < statements; ++i) {
    body << "(local.set $x (i32.add (local.get $x) (i32.const " << i << ")))\n";
  }
  return body.str();
}

// A loop whose every iteration costs more than a grant comes back to the slow path with nothing
// spent since the previous one, after running its body: each such interval counts, so what the
// samples add up to is most of the time the loop ran.
TEST(HotSampling, ALoopDearerThanAGrantIsSampledForItsTime) {
  const std::string wat =
      "(module (func (export \"run\") (param $n i32) (local $x i32)\n"
      "(loop $l " +
      additions(30'000) +
      "(local.tee $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l)))"
      ")";
  Counted c(wat);
  ASSERT_NE(c.module->native(), nullptr);  // the baseline's code
  ASSERT_NE(c.t->instance, nullptr);
  const uint64_t elapsed = c.run("run", {Value::i32(3'000)}, 100'000);
  // Most of what this thread spent.
  c.expect_sampled(ticks_sampled(*c.module), elapsed, 4);
}

// $main's first call of $big compiles it (a big body, returned from at once), then $main runs
// a short loop in small slices, so slow paths follow the compile at once: the compile's time is
// not counted for either function.
TEST(HotSampling, ABaselineCompileIsNotTheGuestsTime) {
  const std::string wat =
      "(module\n"
      "(func $big (param $x i32) (result i32) (if (local.get $x) (then (return (local.get "
      "$x))))\n" +
      additions(40'000) +
      "(local.get $x))\n"
      "(func (export \"main\") (local $i i32)\n"
      "  (drop (call $big (i32.const 1)))\n"
      "  (loop $l (local.tee $i (i32.add (local.get $i) (i32.const 1)))\n"
      "    (br_if $l (i32.lt_u (i32.const 200)))))\n"
      ")";
  Counted c(wat);
  ASSERT_NE(c.module->native(), nullptr);
  ASSERT_NE(c.t->instance, nullptr);
  const baseline::LazyTotals before = baseline::lazy_totals();
  const uint64_t elapsed = c.run("main", {}, 50);
  const double compile_seconds = baseline::lazy_totals().seconds - before.seconds;
  ASSERT_GT(compile_seconds, 0.0);
  // The compile is nearly all of the run; the samples hold only the loop's microseconds.
  EXPECT_LT(ticks_sampled(*c.module), elapsed / 2)
      << "compile " << compile_seconds << " s, elapsed " << elapsed << " ticks";
}

// A host function that does nothing, imported as "host" "tick".
std::vector<Extern> tick_import(engine::Store& store) {
  Function* tick = store.add_host_function({}, [](HostCall&) { return HostStatus::Return; });
  return {{wasm::ExternKind::Func, tick}};
}

// Each outer iteration calls the host, then runs an inner loop of 2 iterations dearer than a
// grant, in slices of ~2.5 such iterations: the guest's time comes in stretches of 2 slow paths
// (the inner loop's header, at its entry and after its first iteration) between host calls and
// slices' ends, far fewer than the slow paths between two reads of the clock (~32). The host
// call or slice's end that ends a stretch reads the clock for it (a read at one slow path in 8
// that forgot the unread time at each host call and resume counted 3% of such a loop's time;
// reading at every slow path, as before session 23, missed the second iteration: half).
TEST(HotSampling, ALoopOfFewSlowPathsBetweenHostCallsIsSampledForItsTime) {
  const std::string wat =
      "(module (import \"host\" \"tick\" (func $tick))\n"
      "(func (export \"run\") (param $n i32) (local $x i32) (local $k i32)\n"
      "(loop $outer (call $tick) (local.set $k (i32.const 2))\n"
      "(loop $inner " +
      additions(30'000) +
      "(local.tee $k (i32.sub (local.get $k) (i32.const 1))) (br_if $inner))\n"
      "(local.tee $n (i32.sub (local.get $n) (i32.const 1))) (br_if $outer)))"
      ")";
  Counted c(wat, tick_import);
  ASSERT_NE(c.module->native(), nullptr);
  ASSERT_NE(c.t->instance, nullptr);
  c.run("run", {Value::i32(1)}, 300'000);  // the baseline compiles the loop at its first call
  const uint64_t before = ticks_sampled(*c.module);
  const uint64_t elapsed = c.run("run", {Value::i32(1'000)}, 300'000);
  // Nearly all of this thread's CPU time (90-95% at load 5 on 2 cores, ~65% at load 7,
  // where the CPU share a sample's interval is scaled by lags the thread's bursts): the loop and
  // the host calls, which do nothing. Losing the unread stretches counted ~3%.
  c.expect_sampled(ticks_sampled(*c.module) - before, elapsed, 3);
}

// A host function that spins for 200 us of this thread's CPU time, called from a loop that does
// next to nothing else: the host's time is the runtime's, counted for no function.
TEST(HotSampling, AHostCallsTimeIsNotTheGuests) {
  const std::string wat =
      "(module (import \"host\" \"spin\" (func $spin))\n"
      "(func (export \"run\") (param $n i32)\n"
      "(loop $l (call $spin)\n"
      "(local.tee $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l)))"
      ")";
  Counted c(wat, [](engine::Store& store) {
    Function* spin = store.add_host_function({}, [](HostCall&) {
      const auto until = clock_time(CLOCK_THREAD_CPUTIME_ID) + std::chrono::microseconds(200);
      while (clock_time(CLOCK_THREAD_CPUTIME_ID) < until) {
      }
      return HostStatus::Return;
    });
    return std::vector<Extern>{{wasm::ExternKind::Func, spin}};
  });
  ASSERT_NE(c.t->instance, nullptr);
  const uint64_t elapsed = c.run("run", {Value::i32(200)}, 1'000'000);
  EXPECT_LT(ticks_sampled(*c.module), elapsed / 10) << "elapsed " << elapsed << " ticks";
}

// $a and $b are the same function (a loop of 2 iterations dearer than a grant), called in turn:
// their slow paths alternate in pairs, and a gap between reads of the clock that kept in step
// with them (any even one) would charge every read to the same function (a fixed gap of 16:
// nothing against all). Each is charged about half on a quiet machine; the bound is loose, as a
// preemption on a busy one lands in one function's interval (1 to 3.2 at load 11 on 2 cores).
TEST(HotSampling, TwoFunctionsTakingTurnsAreChargedAlike) {
  std::string twice = "(local.set $k (i32.const 2)) (loop $l " + additions(20'000) +
                      "(local.tee $k (i32.sub (local.get $k) (i32.const 1))) (br_if $l))";
  const std::string wat = "(module\n(func $a (local $x i32) (local $k i32) " + twice +
                          ")\n(func $b (local $x i32) (local $k i32) " + twice +
                          ")\n(func (export \"run\") (param $n i32)\n"
                          "(loop $l (call $a) (call $b)\n"
                          "(local.tee $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l)))"
                          ")";
  Counted c(wat);
  ASSERT_NE(c.t->instance, nullptr);
  c.run("run", {Value::i32(1'000)}, UINT64_MAX);  // one slice: no resume shifts the phase
  const native::HotFunctions& hot = *native::native_tier_of(*c.module)->hot();
  const double a = static_cast<double>(hot.ticks_of(0));
  const double b = static_cast<double>(hot.ticks_of(1));
  EXPECT_GT(a, b / 10) << a << " vs " << b;
  EXPECT_GT(b, a / 10) << a << " vs " << b;
}

}  // namespace
}  // namespace lunatic::tiering::testing
