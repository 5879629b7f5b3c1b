// libFuzzer target: the bytes choose a *valid* module (module_generator.hpp), which must
// compile, and then run whole and in slices with identical results, traps, fuel and final
// state (harness.hpp). Finds interpreter and lowering bugs that mutated binaries, which rarely
// stay valid, do not reach. LUNATIC_FUZZ_DUMP=file.wasm writes the module of the last input;
// LUNATIC_FUZZ_VERBOSE=1 prints how many calls each input made and how many trapped.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "engine/compiled_module.hpp"
#include "harness.hpp"
#include "module_generator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static lunatic::engine::MemoryPool pool;  // outlives every Store of every input
  const std::vector<uint8_t> wasm = lunatic::fuzz::generate_module_for_input(data, size);
  auto module = lunatic::engine::compile(wasm);
  if (!module) {
    // Either the generator wrote an invalid module or the decoder/validator/lowering refuse a
    // valid one: both are bugs (check the dump with wasm-validate to tell which).
    std::fprintf(stderr, "generated module does not compile: %s\n",
                 module.error().to_string().c_str());
    std::abort();
  }
  // Lowering is lazy in compile(): every function is lowered here, so that a valid body it
  // refuses is found.
  if (auto lowered = (*module)->lower_all(); !lowered) {
    std::fprintf(stderr, "lowering refused a valid module: %s\n",
                 lowered.error().to_string().c_str());
    std::abort();
  }
  const uint64_t slice = 1 + (size > 0 ? data[size - 1] % 24 : 0);
  const lunatic::fuzz::HarnessReport report = lunatic::fuzz::check_resumable(pool, *module, slice);
  if (std::getenv("LUNATIC_FUZZ_VERBOSE") != nullptr) {
    std::fprintf(stderr, "calls %u traps %u\n", report.calls, report.traps);
  }
  if (!report.instantiated || !report.difference.empty()) {
    std::fprintf(stderr, "generated module: %s\n",
                 report.instantiated ? report.difference.c_str() : "did not instantiate");
    std::abort();
  }
  return 0;
}
