// What the auto tier's samples count (docs/design.md, "Hot functions first"): the time the
// guest's code ran, whatever the safepoints' slow paths look like, and not the time the runtime
// spent on the guest's behalf (a baseline compile on a function's first call).
#include <x86intrin.h>

#include <sstream>

#include "baseline/baseline.hpp"
#include "native/native_tier.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

// An auto-tier compiler whose threshold no test reaches: the samples are only counted.
Compiler counting_compiler() {
  return Compiler({.tier = Tier::Auto,
                   .delay_per_byte = std::chrono::hours(1),
                   .hot_ticks = uint64_t{1} << 62,
                   .use_cache = false});
}

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
// used since the previous one; those visits read no clock, but no interval is lost: what the
// samples add up to is most of the time the loop ran.
TEST(HotSampling, ALoopDearerThanAGrantIsSampledForItsTime) {
  const std::string wat =
      "(module (func (export \"run\") (param $n i32) (local $x i32)\n"
      "(loop $l " +
      additions(30'000) +
      "(local.tee $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l)))"
      ")";
  Compiler compiler = counting_compiler();
  auto module = compiler.compile(text::parse_module(wat).value()).value();
  ASSERT_NE(module->native(), nullptr);  // the baseline's code
  TierInstance t(module);
  ASSERT_NE(t.instance, nullptr);
  t.thread.begin_call(t.fn("run"), std::vector<Value>{Value::i32(3'000)}).value();
  const uint64_t start = __rdtsc();
  while (t.thread.run(100'000) == RunStatus::Yielded) {
  }
  const uint64_t elapsed = __rdtsc() - start;
  const uint64_t sampled = ticks_sampled(*module);
  EXPECT_LE(sampled, elapsed);
  EXPECT_GE(sampled, elapsed / 4) << "sampled " << sampled << " of " << elapsed << " ticks";
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
  Compiler compiler = counting_compiler();
  auto module = compiler.compile(text::parse_module(wat).value()).value();
  ASSERT_NE(module->native(), nullptr);  // the baseline's code
  TierInstance t(module);
  ASSERT_NE(t.instance, nullptr);
  const baseline::LazyTotals before = baseline::lazy_totals();
  t.thread.begin_call(t.fn("main"), {}).value();
  const uint64_t start = __rdtsc();
  while (t.thread.run(50) == RunStatus::Yielded) {
  }
  const uint64_t elapsed = __rdtsc() - start;
  const double compile_seconds = baseline::lazy_totals().seconds - before.seconds;
  ASSERT_GT(compile_seconds, 0.0);
  // The compile is nearly all of the run; the samples hold only the loop's microseconds.
  EXPECT_LT(ticks_sampled(*module), elapsed / 2)
      << "compile " << compile_seconds << " s, elapsed " << elapsed << " ticks";
}

}  // namespace
}  // namespace lunatic::tiering::testing
