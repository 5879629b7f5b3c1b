// libFuzzer target: the differential test of the baseline tier, as tiers_fuzzer.cpp is of the
// LLVM tier. The bytes choose a valid module (module_generator.hpp), compiled twice: for the
// interpreter and with the baseline's native code. Every export runs whole in the interpreter
// and in slices in baseline code; results, traps, fuel left, memories, globals and tables must
// be identical (harness.hpp, check_tiers). NaN results of float arithmetic are canonicalized
// in the module (their bits are the one thing the spec lets two correct tiers disagree on).
// LUNATIC_FUZZ_DUMP=file.wasm writes the module of the last input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "baseline/baseline.hpp"
#include "engine/compiled_module.hpp"
#include "harness.hpp"
#include "module_generator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static lunatic::engine::MemoryPool pool;  // outlives every Store of every input
  const std::vector<uint8_t> wasm =
      lunatic::fuzz::generate_module_for_input(data, size, /*canonical_nans=*/true);
  auto interpreted = lunatic::engine::compile(wasm);
  auto compiled = lunatic::engine::compile(wasm);
  if (!interpreted || !compiled) {
    std::fprintf(stderr, "generated module does not compile: %s\n",
                 (interpreted ? compiled : interpreted).error().to_string().c_str());
    std::abort();
  }
  if (auto native = lunatic::baseline::attach_baseline(**compiled); !native) {
    // Every valid module must compile: a fallback is a gap of the baseline tier.
    std::fprintf(stderr, "the baseline tier refused a valid module: %s\n",
                 native.error().to_string().c_str());
    std::abort();
  }
  const uint64_t slice = 1 + (size > 0 ? data[size - 1] % 24 : 0);
  const lunatic::fuzz::HarnessReport report =
      lunatic::fuzz::check_tiers(pool, *interpreted, *compiled, slice);
  if (!report.instantiated || !report.difference.empty()) {
    std::fprintf(stderr, "generated module: %s\n",
                 report.instantiated ? report.difference.c_str() : "did not instantiate");
    std::abort();
  }
  return 0;
}
