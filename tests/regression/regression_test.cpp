// Runs every input of tests/regression/inputs through compile + instantiate + run (the
// fuzzers' harness, fuzz/harness.hpp): a crash, a sanitizer report, or a difference between
// a whole and a sliced run fails; then the same in each native tier (baseline, LLVM) against
// the interpreter. One test per file and check, named after it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "baseline/baseline.hpp"
#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "harness.hpp"
#include "jit/native_tier.hpp"

namespace lunatic::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> input_names() {
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(LUNATIC_REGRESSION_INPUTS)) {
    if (e.is_regular_file() && e.path().filename() != "README.md")
      names.push_back(e.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class RegressionInput : public testing::TestWithParam<std::string> {};

TEST_P(RegressionInput, CompilesAndRunsAlikeWholeAndSliced) {
  const std::vector<uint8_t> bytes = read_file(fs::path(LUNATIC_REGRESSION_INPUTS) / GetParam());
  auto module = engine::compile(bytes);
  if (!module) {
    // Refusing the input is fine, as long as it is refused as malformed or invalid.
    const Phase phase = module.error().phase;
    EXPECT_TRUE(phase == Phase::Decode || phase == Phase::Validate) << module.error().to_string();
    return;
  }
  static engine::MemoryPool pool;
  // Slices of one fuel unit resume at every safepoint; the others at scattered ones.
  for (uint64_t slice : {uint64_t{1}, uint64_t{7}, uint64_t{1000}}) {
    const HarnessReport report = check_resumable(pool, *module, slice);
    EXPECT_EQ(report.difference, "") << "slice " << slice;
  }
}

// Each native tier against the interpreter, sliced: results, traps, fuel left and final
// state must be the same. A tier may refuse a module it has no code for (the fallback to the
// interpreter: SIMD in the baseline, for one), never with another error.
TEST_P(RegressionInput, RunsAlikeInTheNativeTiers) {
  const std::vector<uint8_t> bytes = read_file(fs::path(LUNATIC_REGRESSION_INPUTS) / GetParam());
  auto interpreted = engine::compile(bytes);
  if (!interpreted) return;  // refused above, as malformed or invalid
  static engine::MemoryPool pool;
  const std::pair<const char*, std::function<Result<void>(const engine::CompiledModule&)>> tiers[] =
      {
          {"baseline", [](const auto& m) { return baseline::attach_baseline(m); }},
          {"llvm", [](const auto& m) { return jit::attach_native(m, {.opt_level = 1}); }},
      };
  for (const auto& [name, attach] : tiers) {
    auto compiled = engine::compile(bytes);
    ASSERT_TRUE(compiled.ok());
    if (Result<void> native = attach(**compiled); !native) {
      EXPECT_EQ(native.error().phase, Phase::Unsupported)
          << name << ": " << native.error().to_string();
      continue;
    }
    for (uint64_t slice : {uint64_t{7}, uint64_t{UINT64_MAX}}) {
      const HarnessReport report = check_tiers(pool, *interpreted, *compiled, slice);
      EXPECT_EQ(report.difference, "") << name << ", slice " << slice;
    }
  }
}

// Test names may only hold letters, digits and '_'.
std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Inputs, RegressionInput, testing::ValuesIn(input_names()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RegressionInput);

}  // namespace
}  // namespace lunatic::fuzz
