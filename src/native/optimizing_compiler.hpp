// OptimizingCompiler: what the tiers above ask of the optimising tier (LLVM, src/jit), which the
// `lunatic` executable does not link: it loads the tier's module the first time a module needs
// LLVM's code (tiering/llvm_module.hpp). One extern "C" factory, checked against the build.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "native/native_code.hpp"

namespace lunatic::native {

/// A SHA-256 digest: a module's key material in the code cache.
using Digest = std::array<uint8_t, 32>;

/// How one module is to be compiled (jit::CompileOptions without the cache, which the
/// compiler owns).
struct OptimizeRequest {
  unsigned opt_level = 2;  ///< LLVM's -O level, 0..3
  bool osr_entries = false;
  /// The module's digest (digest_of its bytes); without it the code cache is not used.
  std::optional<Digest> module_digest{};
  /// Only a code cache entry: a miss is an error, never a compile.
  bool cache_only = false;
};

/// The optimising tier, with its code cache. Thread-safe: compiles may run on several
/// threads at once. Every request's error is why the module keeps the code it has; its phase
/// is Phase::Host only when LLVM failed inside (what LLVM would end the process for: a bug to
/// report, caught), after which the tier refuses every request of the run.
class OptimizingCompiler {
 public:
  virtual ~OptimizingCompiler() = default;
  /// SHA-256 of a module's bytes (OptimizeRequest::module_digest).
  virtual Digest digest_of(std::span<const uint8_t> bytes) const = 0;
  /// Whether the code cache holds an entry for the module with these options (not
  /// verified: a load may still miss). False without a cache.
  virtual bool cached(const Digest& module_digest, unsigned opt_level, bool osr_entries) const = 0;
  /// Compiles (or loads from the cache) `module`'s code and attaches it as its native tier,
  /// replacing the one it had (see jit::attach_native). Errors: why the module keeps its tier.
  virtual Result<void> attach(const engine::CompiledModule& module,
                              const OptimizeRequest& request) const = 0;
  /// Compiles only the defined functions `defined` of `module` (a hot set; with OSR entries if
  /// asked): code whose slot, typed and OSR entries are null for every other function. Its
  /// functions call the others through Context::slot_entries, whatever code is behind them
  /// (the baseline's, or LLVM's), so it runs in a mix with any of them. With the module's
  /// digest and a cache, the code is also added to the module's hot entry there (on this
  /// thread; a failed store is stats().cache_error).
  virtual Result<std::unique_ptr<NativeCode>> compile_functions(
      const engine::CompiledModule& module, std::span<const uint32_t> defined,
      const OptimizeRequest& request) const = 0;
  /// The hot functions' code the cache holds for `module` (what compile_functions stored in
  /// earlier runs, with the same options), as compile_functions gives it. Only a load, never a
  /// compile: errors when there is no entry or it fails a check.
  virtual Result<std::unique_ptr<NativeCode>> load_functions(
      const engine::CompiledModule& module, const OptimizeRequest& request) const = 0;
  /// Compiles `module` into the cache without attaching it (`lunatic compile`).
  virtual Result<CompileStats> precompile(const engine::CompiledModule& module,
                                          const OptimizeRequest& request) const = 0;
};

/// The factory the tier's module exports as kOptimizerFactory: a compiler whose code cache is
/// in `cache_dir` (null: the default directory, if any), or without a cache (`use_cache`
/// false). Never null.
using OptimizerFactory = OptimizingCompiler* (*)(const char* cache_dir, bool use_cache);
inline constexpr char kOptimizerFactory[] = "lunatic_optimizer_create";
/// The file the tier is built into, loaded by dlopen when the program does not link it.
inline constexpr char kOptimizerModule[] = "lunatic_llvm.so";
/// The module's build tag (a NUL-terminated string, LUNATIC_BUILD_TAG): a module whose tag is
/// not the executable's comes from another build and is refused (the ABI may differ).
inline constexpr char kOptimizerBuildTag[] = "lunatic_optimizer_build_tag";

}  // namespace lunatic::native
