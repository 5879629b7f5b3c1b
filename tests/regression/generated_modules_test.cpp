// A fixed-seed run of the valid_module fuzzer that needs no clang: modules built by the
// generator from pseudo-random bytes must compile, instantiate, and run alike whole and in
// slices. Guards both the generator (it must stay valid) and the interpreter's resumability.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "harness.hpp"
#include "jit/native_tier.hpp"
#include "module_generator.hpp"

namespace lunatic::fuzz {
namespace {

// splitmix64: a fixed, portable byte stream for each seed.
std::vector<uint8_t> bytes_for(uint64_t seed, size_t size) {
  std::vector<uint8_t> out(size);
  uint64_t state = seed;
  for (uint8_t& b : out) {
    state += 0x9E37'79B9'7F4A'7C15;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9;
    z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EB;
    b = static_cast<uint8_t>(z ^ (z >> 31));
  }
  return out;
}

TEST(GeneratedModules, CompileAndRunAlikeWholeAndSliced) {
  engine::MemoryPool pool;
  uint32_t calls = 0;
  uint32_t traps = 0;
  for (uint64_t seed = 0; seed < 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<uint8_t> wasm = generate_module(bytes_for(seed, 64 + seed * 13));
    auto module = engine::compile(wasm);
    ASSERT_TRUE(module.ok()) << module.error().to_string();
    const HarnessReport report = check_resumable(pool, *module, 1 + seed % 13);
    EXPECT_TRUE(report.instantiated);
    EXPECT_EQ(report.difference, "");
    calls += report.calls;
    traps += report.traps;
  }
  // The generator is meant to reach the interpreter: most calls must run without trapping.
  EXPECT_GT(calls, 300u);
  EXPECT_LT(traps, calls * 3 / 4);
}

// The differential test of the compiled tier on the same modules: the interpreter whole
// against compiled code in slices (results, traps, fuel, final state).
TEST(GeneratedModules, RunAlikeInterpretedAndCompiled) {
  engine::MemoryPool pool;
  uint32_t calls = 0;
  for (uint64_t seed = 0; seed < 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<uint8_t> wasm = generate_module(bytes_for(seed, 64 + seed * 13));
    auto interpreted = engine::compile(wasm);
    auto compiled = engine::compile(wasm);
    ASSERT_TRUE(interpreted.ok() && compiled.ok());
    Result<void> native = jit::attach_native(**compiled, {.opt_level = 1});
    ASSERT_TRUE(native.ok()) << native.error().to_string();
    const HarnessReport report = check_tiers(pool, *interpreted, *compiled, 1 + seed % 13);
    EXPECT_TRUE(report.instantiated);
    EXPECT_EQ(report.difference, "");
    calls += report.calls;
  }
  EXPECT_GT(calls, 300u);
}

// The same with v128 values (the tiers fuzzer's modules: SIMD, NaNs canonicalized).
TEST(GeneratedModules, RunAlikeInterpretedAndCompiledWithSimd) {
  engine::MemoryPool pool;
  uint32_t calls = 0;
  uint32_t traps = 0;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<uint8_t> wasm = generate_module(bytes_for(seed, 64 + seed * 13),
                                                      /*canonical_nans=*/true, /*simd=*/true);
    auto interpreted = engine::compile(wasm);
    auto compiled = engine::compile(wasm);
    ASSERT_TRUE(interpreted.ok() && compiled.ok())
        << (interpreted.ok() ? compiled : interpreted).error().to_string();
    Result<void> native = jit::attach_native(**compiled, {.opt_level = 1});
    ASSERT_TRUE(native.ok()) << native.error().to_string();
    const HarnessReport report = check_tiers(pool, *interpreted, *compiled, 1 + seed % 13);
    EXPECT_TRUE(report.instantiated);
    EXPECT_EQ(report.difference, "");
    calls += report.calls;
    traps += report.traps;
  }
  EXPECT_GT(calls, 200u);
  EXPECT_LT(traps, calls * 3 / 4);
}

}  // namespace
}  // namespace lunatic::fuzz
