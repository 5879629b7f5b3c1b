// The run-and-compare harness shared by the execution fuzzers and the regression tests:
// instantiate a compiled module with dummy imports, call every export, once in one run and
// once in small slices (in the same tier, or interpreted against compiled), and report the
// first place where the two disagree.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"

namespace lunatic::fuzz {

/// Bounds that keep every input fast: no input may hang or use much memory.
struct HarnessLimits {
  uint64_t fuel = 100'000;  ///< per call (start function and each export)
  uint32_t max_calls = 32;  ///< exported functions called per instance
  engine::StoreLimits store{.max_memory_pages = 256, .max_table_elements = 10'000};
};

/// What check_resumable() saw, for statistics and tests.
struct HarnessReport {
  bool instantiated = false;  ///< false: an import could not be satisfied or linking failed
  uint32_t calls = 0;         ///< calls made (per store)
  uint32_t traps = 0;         ///< of which trapped
  std::string difference;     ///< empty when the whole and the sliced runs agree
};

/// One import per module import: host functions that return zeros, and tables, memories and
/// globals of exactly the imported type (zero/null-filled). nullopt when an import cannot be
/// satisfied within `limits` (e.g. a memory larger than max_memory_pages).
std::optional<std::vector<engine::Extern>> dummy_imports(engine::Store& store,
                                                         const wasm::Module& module);

/// Instantiates `module` in two fresh Stores with dummy imports, runs the start function and
/// then each exported function (zero arguments, `limits.fuel` each): in the first store with
/// one run() per call, in the second with run(slice) until it ends. Results (bits), trap kinds
/// and messages, fuel left, and finally memories, globals and tables must be identical.
/// @pre slice > 0
HarnessReport check_resumable(engine::MemoryPool& pool,
                              const std::shared_ptr<const engine::CompiledModule>& module,
                              uint64_t slice, const HarnessLimits& limits = {});

/// The same comparison between the tiers: `interpreted` (a module without native code) runs
/// whole in the first store, `compiled` (the same bytes with native code attached) runs in
/// slices in the second. Any difference in results, traps, fuel or final state is a bug of
/// the compiled tier (or of its meter).
HarnessReport check_tiers(engine::MemoryPool& pool,
                          const std::shared_ptr<const engine::CompiledModule>& interpreted,
                          const std::shared_ptr<const engine::CompiledModule>& compiled,
                          uint64_t slice, const HarnessLimits& limits = {});

/// The body of a tiers fuzzer: the module the input chooses (NaNs canonicalized; with `simd`,
/// v128 values too: see generate_module), compiled
/// twice, `attach` giving the second one a native tier named `tier`, then check_tiers. Aborts
/// (the finding) when the module does not compile, the tier refuses it (every valid module
/// must compile: a fallback is a gap of the tier), or the tiers differ.
int run_tiers_input(const uint8_t* data, size_t size, const char* tier,
                    const std::function<Result<void>(const engine::CompiledModule&)>& attach,
                    bool simd = false);

}  // namespace lunatic::fuzz
