// The compiled tier's output: the native code of one module, built by compile_native (Wasm ->
// LLVM IR -> optimised -> machine code through LLVM's ORC JIT), with the typed and slot entry
// points of every defined function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "jit/abi.hpp"

namespace lunatic::jit {

struct CompileOptions {
  unsigned opt_level = 2;  ///< 0..3, LLVM's O0..O3 (IR pipeline and code generation)
  /// When set, receives the optimised IR as text (debugging, tuning, tests).
  std::string* optimized_ir = nullptr;
};

/// Where the time of one compile_native went, in seconds, and what it produced.
struct CompileStats {
  double translate_seconds = 0;  ///< Wasm -> IR, verification included
  double optimize_seconds = 0;   ///< the IR pass pipeline
  double codegen_seconds = 0;    ///< machine code and linking (the JIT's materialisation)
  double total_seconds = 0;      ///< all of it, LLVM and JIT setup included
  size_t functions = 0;          ///< defined functions compiled
  size_t ir_instructions = 0;    ///< IR instructions after optimisation
};

/// Native code of one module: typed and slot entry points of each defined function. Owns the
/// JIT (its memory is freed with it). Immutable and thread-safe to call into once built.
class NativeCode {
 public:
  /// Slot entry: reads the params from args_results[0..n) (i32/f32 in the low 32 bits), calls
  /// the typed function, writes the results to args_results[0..r).
  using SlotEntry = void (*)(Context*, Slot*);

  ~NativeCode();
  NativeCode(const NativeCode&) = delete;
  NativeCode& operator=(const NativeCode&) = delete;

  /// Typed entry of defined function i (function index - imported functions):
  /// RET (*)(Context*, params...), see abi.hpp. @pre i < function_count()
  void* typed(uint32_t defined_index) const { return typed_[defined_index]; }
  /// Slot entry of defined function i. @pre i < function_count()
  SlotEntry entry(uint32_t defined_index) const { return entries_[defined_index]; }
  /// The typed entries as one contiguous array (Context::typed_entries).
  void* const* typed_table() const { return typed_.data(); }
  uint32_t function_count() const { return static_cast<uint32_t>(typed_.size()); }
  const CompileStats& stats() const { return stats_; }
  double compile_seconds() const { return stats_.total_seconds; }

 private:
  friend struct NativeCodeBuilder;
  NativeCode();
  struct Jit;  ///< the LLJIT instance (LLVM types stay out of this header)
  std::unique_ptr<Jit> jit_;
  std::vector<void*> typed_;
  std::vector<SlotEntry> entries_;
  CompileStats stats_;
};

/// Translates and compiles every defined function of `module` (decoded, validated and lowered:
/// engine::compile() already ran). Never crashes on a valid module: an unsupported construct,
/// an IR verifier failure or an LLVM error comes back as an Error (Phase::Validate, context
/// "jit", the message says what), so the caller can fall back to the interpreter.
/// Thread-safe: may run on several threads at once (own LLVMContext and LLJIT per call).
Result<std::unique_ptr<NativeCode>> compile_native(const engine::CompiledModule& module,
                                                   const CompileOptions& options = {});

}  // namespace lunatic::jit
