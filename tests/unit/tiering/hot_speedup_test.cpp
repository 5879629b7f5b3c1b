// The speed-up a hot function's LLVM code is expected to bring (tiering/hot_speedup.cpp), and
// the thresholds auto derives from it (docs/design.md, "Rent or buy, per function").
#include <cmath>
#include <limits>
#include <sstream>

#include "native/native_tier.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

constexpr std::string_view kShapes = R"((module
  (memory 1)
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $leaf)
  (func $leaf (export "leaf") (param $p i32) (result i32)
    (i32.add (i32.load (local.get $p)) (i32.load offset=8 (local.get $p))))
  (func $kernel (export "kernel") (param $n i32) (result i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $n))))
      (local.tee $n (i32.sub (local.get $n) (i32.const 4)))
      (br_if $next))
    (local.get $s))
  (func $calls_in_loop (param $n i32) (result i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (call $leaf (local.get $n))))
      (local.tee $n (i32.sub (local.get $n) (i32.const 4)))
      (br_if $next))
    (local.get $s))
  (func $indirect_in_loop (param $n i32) (result i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s)
        (call_indirect (type $t) (local.get $n) (i32.const 0))))
      (local.tee $n (i32.sub (local.get $n) (i32.const 4)))
      (br_if $next))
    (local.get $s))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $fib_calls (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (call $leaf (local.get $n)))
      (else (i32.add (call $fib_calls (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib_calls (i32.sub (local.get $n) (i32.const 2)))))))
  (func $mixed (param $n i32) (result i32) (local $s i32) (local $i i32)
    (loop $outer
      (local.set $s (i32.add (local.get $s) (call $leaf (local.get $n))))
      (local.set $i (i32.const 64))
      (loop $inner
        (local.set $s (i32.xor (local.get $s) (i32.load (local.get $i))))
        (local.tee $i (i32.sub (local.get $i) (i32.const 4)))
        (br_if $inner))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $outer))
    (local.get $s))
))";

struct Shapes : ::testing::Test {
  std::shared_ptr<const engine::CompiledModule> module = compile_wat(kShapes, Tier::Interp);
  HotSpeedup model{};

  double speedup(uint32_t defined) const {
    return model.of(module->wasm.functions.at(defined), module->wasm.imported_functions + defined);
  }
};

enum Defined : uint32_t { kLeaf, kKernel, kCallsInLoop, kIndirectInLoop, kFib, kFibCalls, kMixed };

// Straight-line code, and loops whose time is their calls', gain the calls' figure; a loop that
// calls nothing almost the kernels' (the few instructions around it weigh little), and so does
// recursion on itself alone (a direct typed call inside the batch).
TEST_F(Shapes, LoopsWithoutCallsAndSelfRecursionGainTheKernelsFigure) {
  ASSERT_NE(module, nullptr);
  EXPECT_DOUBLE_EQ(speedup(kLeaf), model.calls);
  EXPECT_DOUBLE_EQ(speedup(kCallsInLoop), model.calls);
  EXPECT_DOUBLE_EQ(speedup(kIndirectInLoop), model.calls);
  EXPECT_DOUBLE_EQ(speedup(kFibCalls), model.calls);
  EXPECT_DOUBLE_EQ(speedup(kFib), model.kernel);
  EXPECT_GT(speedup(kKernel), model.calls + 0.9 * (model.kernel - model.calls));
  EXPECT_LT(speedup(kKernel), model.kernel);
  // An inner loop without calls inside an outer loop with one: in between, weighted by depth.
  EXPECT_GT(speedup(kMixed), model.calls + 0.5 * (model.kernel - model.calls));
  EXPECT_LT(speedup(kMixed), speedup(kKernel));
  // Without the loops' weight, the inner loop counts by its instructions alone.
  model.loop_weight = 1;
  EXPECT_LT(speedup(kMixed), model.calls + 0.5 * (model.kernel - model.calls));
}

// s / (s - 1), bounded for an s that would save nothing.
TEST(HotSpeedup, PriceFactorIsWhatLlvmsCodeSaves) {
  EXPECT_DOUBLE_EQ(HotSpeedup::price_factor(3.0), 1.5);
  EXPECT_DOUBLE_EQ(HotSpeedup::price_factor(2.0), 2.0);
  EXPECT_NEAR(HotSpeedup::price_factor(1.15), 7.67, 0.01);
  EXPECT_DOUBLE_EQ(HotSpeedup::price_factor(1.0), 100.0);
  EXPECT_DOUBLE_EQ(HotSpeedup::price_factor(0.5), 100.0);
  EXPECT_DOUBLE_EQ(HotSpeedup::price_factor(std::numeric_limits<double>::quiet_NaN()), 100.0);
}

// Hostile bodies: loops nested past any weight, and unbalanced frames, give a finite figure
// between the two.
TEST(HotSpeedup, AnyBodyGivesAFiniteFigure) {
  std::ostringstream wat;
  wat << "(module (func (export \"deep\")";
  for (int i = 0; i < 200; ++i) wat << " (loop";
  wat << " nop";
  for (int i = 0; i < 200; ++i) wat << ")";
  wat << "))";
  auto module = compile_wat(wat.str(), Tier::Interp);
  ASSERT_NE(module, nullptr);
  const HotSpeedup model{};
  const double deep = model.of(module->wasm.functions[0], 0);
  EXPECT_TRUE(std::isfinite(deep));
  EXPECT_GE(deep, model.calls);
  EXPECT_LE(deep, model.kernel);
  wasm::Function open = module->wasm.functions[0];
  open.body.resize(open.body.size() / 2);  // the ends gone
  const double cut = model.of(open, 0);
  EXPECT_TRUE(std::isfinite(cut));
  EXPECT_GE(cut, model.calls);
  EXPECT_LE(cut, model.kernel);
  EXPECT_DOUBLE_EQ(model.of(wasm::Function{}, 0), model.calls);
}

CompilerConfig auto_config(CompilerConfig config) {
  config.tier = Tier::Auto;
  config.delay_per_byte = std::chrono::hours(1);  // never the module's own LLVM code
  config.use_cache = false;
  return config;
}

// The threshold of each function of kShapes, as `compiler` sets them.
std::vector<double> thresholds(Compiler& compiler) {
  auto module = compiler.compile(text::parse_module(kShapes).value()).value();
  const native::HotFunctions& hot = *native::native_tier_of(*module)->hot();
  std::vector<double> out;
  for (uint32_t i = 0; i < module->wasm.functions.size(); ++i) {
    out.push_back(static_cast<double>(hot.threshold_of(i)));
  }
  return out;
}

std::vector<double> thresholds(const CompilerConfig& config) {
  Compiler compiler(auto_config(config));
  return thresholds(compiler);
}

// Auto's thresholds: the price of each function's compile times its factor, so a function whose
// time is calls waits for ~5x the time a kernel of the same price waits for; a plain hot_ticks
// threshold is the same for all.
TEST(HotSpeedup, AutoScalesEachThresholdByItsFactor) {
  // A fixed price only: every function's compile costs the same.
  const std::vector<double> priced =
      thresholds({.hot_compile = {.fixed = std::chrono::milliseconds(10)}});
  ASSERT_EQ(priced.size(), 7u);
  EXPECT_GT(priced[kFib], 0);
  const HotSpeedup model{};
  EXPECT_NEAR(priced[kLeaf] / priced[kFib], HotSpeedup::price_factor(model.calls) / 1.5, 0.01);
  EXPECT_NEAR(priced[kCallsInLoop] / priced[kLeaf], 1.0, 0.001);
  EXPECT_GT(priced[kLeaf] / priced[kKernel], 4.0);
  // The same s everywhere: the same threshold.
  const std::vector<double> flat = thresholds(
      {.hot_compile = {.fixed = std::chrono::milliseconds(10)}, .hot_speedup = {.kernel = 1.15}});
  EXPECT_NEAR(flat[kLeaf] / flat[kKernel], 1.0, 0.001);
  const std::vector<double> ticks = thresholds({.hot_ticks = 1000});
  for (double t : ticks) EXPECT_EQ(t, 1000);
}

// The LLVM tier's first load is part of every price until a compile has loaded it.
TEST(HotSpeedup, TheFirstLoadOfLlvmIsPricedUntilItIsLoaded) {
  const std::vector<double> without =
      thresholds({.hot_compile = {.fixed = std::chrono::milliseconds(10)}});
  Compiler compiler(auto_config({.hot_compile = {.fixed = std::chrono::milliseconds(10),
                                                 .first_load = std::chrono::milliseconds(10)}}));
  const std::vector<double> unloaded = thresholds(compiler);
  ASSERT_EQ(unloaded.size(), without.size());
  for (size_t i = 0; i < without.size(); ++i) EXPECT_NEAR(unloaded[i] / without[i], 2.0, 0.01);
  // Loads the LLVM tier (whether or not the cache takes what it compiles).
  (void)compiler.precompile(text::parse_module("(module)").value());
  const std::vector<double> loaded = thresholds(compiler);
  for (size_t i = 0; i < without.size(); ++i) EXPECT_NEAR(loaded[i] / without[i], 1.0, 0.01);
}

}  // namespace
}  // namespace lunatic::tiering::testing
