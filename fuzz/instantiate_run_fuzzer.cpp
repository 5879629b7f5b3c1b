// libFuzzer target: compile arbitrary bytes (decode, validate, lower) and, when that works, run
// the module: dummy imports, every export called with zero arguments under fuel, once whole
// and once in small slices, which must agree (harness.hpp). Traps are fine; crashes, leaks,
// hangs and any difference between the two runs are findings.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "decoder/decoder.hpp"
#include "engine/compiled_module.hpp"
#include "harness.hpp"
#include "validator/validator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static lunatic::engine::MemoryPool pool;  // outlives every Store of every input
  const std::span<const uint8_t> bytes(data, size);
  auto module = lunatic::engine::compile(bytes);
  if (!module) {
    const lunatic::Error& e = module.error();
    // Unsupported: a valid module using what the engine does not run (none since the
    // interpreter runs SIMD, but still an allowed answer); else a decode or validation error.
    if (e.phase != lunatic::Phase::Decode && e.phase != lunatic::Phase::Validate &&
        e.phase != lunatic::Phase::Unsupported) {
      std::abort();
    }
    // compile() may only refuse what the validator refuses too.
    if (e.phase == lunatic::Phase::Validate) {
      auto decoded = lunatic::decoder::decode(bytes);
      if (decoded && lunatic::validator::validate(*decoded)) {
        std::fprintf(stderr, "lowering rejected a valid module: %s\n", e.to_string().c_str());
        std::abort();
      }
    }
    return 0;
  }
  // Lowering (lazy in compile(), done here for every function) may only refuse what the
  // validator refuses, and the validator accepted this module.
  if (auto lowered = (*module)->lower_all(); !lowered) {
    std::fprintf(stderr, "lowering rejected a valid module: %s\n",
                 lowered.error().to_string().c_str());
    std::abort();
  }
  // The slice size varies with the input, so resumption is tried at many different points.
  const uint64_t slice = 1 + (size > 0 ? data[size / 2] % 40 : 0);
  const lunatic::fuzz::HarnessReport report = lunatic::fuzz::check_resumable(pool, *module, slice);
  if (!report.difference.empty()) {
    std::fprintf(stderr, "whole and sliced runs differ: %s\n", report.difference.c_str());
    std::abort();
  }
  return 0;
}
