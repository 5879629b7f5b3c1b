// libFuzzer target: the differential test of the compiled tier. The bytes choose a valid
// module (module_generator.hpp, with v128 values: the LLVM tier compiles SIMD), compiled twice: for
// the interpreter and with native code. Every export runs whole in the interpreter and in slices in
// compiled code; results, traps, fuel left, memories, globals and tables must be identical
// (harness.hpp, run_tiers_input). NaN results of float arithmetic are canonicalized in the module:
// their bits are the one thing the spec lets two correct tiers disagree on.
// LUNATIC_FUZZ_DUMP=file.wasm writes the module of the last input.
#include <cstddef>
#include <cstdint>

#include "harness.hpp"
#include "jit/native_tier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // O1: the fuzzer wants many inputs a second; the differences it looks for are in the
  // translation and the meter, not in LLVM's later passes.
  return lunatic::fuzz::run_tiers_input(
      data, size, "compiled",
      [](const auto& module) { return lunatic::jit::attach_native(module, {.opt_level = 1}); },
      /*simd=*/true);
}
