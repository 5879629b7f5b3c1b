// libFuzzer target: the differential test of the baseline tier, as tiers_fuzzer.cpp is of the
// LLVM tier: every export of the module the bytes choose runs whole in the interpreter and in
// slices in baseline code, and everything observable must be identical (harness.hpp,
// run_tiers_input). Its modules use v128 too (params, results, locals, globals, expressions), as
// tiers_fuzzer's do: the baseline compiles SIMD (emit_simd.cpp).
// LUNATIC_FUZZ_DUMP=file.wasm writes the module of the last input.
#include <cstddef>
#include <cstdint>

#include "baseline/baseline.hpp"
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lunatic::fuzz::run_tiers_input(
      data, size, "baseline",
      [](const auto& module) { return lunatic::baseline::attach_baseline(module); },
      /*simd=*/true);
}
