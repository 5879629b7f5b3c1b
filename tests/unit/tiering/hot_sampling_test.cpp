// What the auto tier's samples count (docs/design.md, "Hot functions first"): the time the
// guest's code ran, whatever the safepoints' slow paths look like, and not the time the runtime
// spent on the guest's behalf (a baseline compile on a function's first call).
#include <x86intrin.h>

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

  explicit Counted(const std::string& wat)
      : module(compiler.compile(text::parse_module(wat).value()).value()) {
    t.emplace(module);
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
  const uint64_t sampled = ticks_sampled(*c.module);
  // CPU time: at most the wall clock's, and most of what this thread spent (on a busy machine,
  // less than the wall clock's).
  EXPECT_LE(sampled, elapsed);
  EXPECT_GE(sampled, c.cpu_ticks / 4)
      << "sampled " << sampled << " of " << c.cpu_ticks << " ticks of CPU";
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

}  // namespace
}  // namespace lunatic::tiering::testing
