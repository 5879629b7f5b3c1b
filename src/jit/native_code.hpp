// compile_native: the LLVM tier's code generator (Wasm -> LLVM IR -> optimised -> machine code
// through LLVM's ORC JIT), with its options; what it makes is a native::NativeCode.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "jit/object_cache.hpp"
#include "native/native_code.hpp"

namespace lunatic::jit {

using native::CompileStats;
using native::NativeCode;

struct CompileOptions {
  unsigned opt_level = 2;  ///< 0..3, LLVM's O0..O3 (IR pipeline and code generation)
  /// Also compile OSR entries (NativeCode::osr_entry) for functions with loops: needed when
  /// the interpreter may hand a running frame over (the auto tier); about doubles the work
  /// for those functions.
  bool osr_entries = false;
  /// Where compiled code is looked up before compiling and stored after; null: no cache.
  const ObjectCache* cache = nullptr;
  /// The module's key material (digest_of its bytes, which CompiledModule does not keep);
  /// without it the cache is not used.
  std::optional<Digest> module_digest{};
  /// Only link a cache entry: a miss (or an entry that fails its checks) is an error, not a
  /// compile (a caller that must not spend seconds in LLVM: a run's start, a worker).
  bool cache_only = false;
  /// When set, receives the optimised IR as text (debugging, tuning, tests).
  std::string* optimized_ir = nullptr;
};

/// Translates and compiles every defined function of `module` (decoded, validated and lowered:
/// engine::compile() already ran). With a cache and the module's digest, a verified entry is
/// linked instead (no translation, no optimisation), and a fresh compile is stored. Never crashes
/// on a valid module: an unsupported construct, an IR verifier failure or an LLVM error comes back
/// as an Error (Phase::Validate, context "jit", the message says what), so the caller can fall back
/// to the interpreter. Thread-safe: may run on several threads at once (own LLVMContext and LLJIT
/// per call).
Result<std::unique_ptr<NativeCode>> compile_native(const engine::CompiledModule& module,
                                                   const CompileOptions& options = {});

/// Translates and compiles only the defined functions `defined` of `module` (a hot set; see
/// TranslationScope). Entries of the other functions are null. With a cache and the module's
/// digest, the object is then added to the module's hot entry (jit/hot_cache.hpp; after the
/// link, before the caller publishes the code: a write of tens of KiB, under a millisecond
/// here; a failed store is stats().cache_error, not an error).
/// Errors as compile_native's. Thread-safe.
Result<std::unique_ptr<NativeCode>> compile_functions(const engine::CompiledModule& module,
                                                      std::span<const uint32_t> defined,
                                                      const CompileOptions& options = {});

/// The hot functions' code the cache holds for `module` (what earlier compile_functions with
/// these options stored), linked: entries of the other functions are null. Only a load:
/// errors (Phase::Unsupported, context "jit") when there is no entry or it fails a check.
/// Thread-safe.
Result<std::unique_ptr<NativeCode>> load_functions(const engine::CompiledModule& module,
                                                   const CompileOptions& options);

}  // namespace lunatic::jit
