// Wasm -> LLVM IR for a whole module: every defined function F as its typed function wf<F> and
// its slot entry we<F> (abi.hpp describes both).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codecache/symbol_names.hpp"
#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "native/native_code.hpp"

namespace llvm {
class Module;
}  // namespace llvm

namespace lunatic::jit {

/// The runtime helpers of abi.hpp, in the order of their declarations there.
enum class Helper : uint8_t {
  Safepoint,
  Trap,
  MemoryGrow,
  MemoryFill,
  MemoryCopy,
  MemoryInit,
  DataDrop,
  TableGet,
  TableSet,
  TableSize,
  TableGrow,
  TableFill,
  TableCopy,
  TableInit,
  ElemDrop,
  Call,
  CallIndirect,
  GrowStack,
  GrowStackOsr,
  Count,
};

/// The symbol compiled code calls for `h` ("lunatic_jit_trap", ...).
const char* helper_name(Helper h);

// Each defined function's typed ("wf<index>"), slot ("we<index>") and OSR ("wo<index>") entry:
// the names the code cache's loader looks up too.
using codecache::entry_name;
using codecache::is_checks_failed_name;
using codecache::osr_name;
using codecache::typed_name;

using native::OsrPoints;

/// Which defined functions a translation defines: every one (a module's code), or a set (the
/// tier-up of a module's hot functions). In a set, a call of a function outside it, and
/// call_indirect's fast path, go through Context::slot_entries with the slot entries'
/// convention (abi.hpp), so whatever code is behind an entry (the baseline's, LLVM's) is right.
class TranslationScope {
 public:
  /// Every function of the module.
  TranslationScope() = default;
  /// Only `defined` (defined indices below `count`).
  TranslationScope(uint32_t count, std::span<const uint32_t> defined);
  bool partial() const { return !in_.empty(); }
  bool contains(uint32_t defined_index) const {
    return in_.empty() || (defined_index < in_.size() && in_[defined_index]);
  }

 private:
  std::vector<bool> in_;  ///< empty: every function
};

/// Translates the defined functions of `compiled` (validated and lowered) in `scope` (all by
/// default) into `out`, which must be empty. With `osr`, functions with loops also get an OSR
/// entry, whose safepoints are written to `osr_points` (one row per defined function, empty
/// outside the scope). Errors (Phase::Validate, context "jit"): an unsupported construct, or
/// lowered code that does not match the translation (safepoints).
Result<void> translate_module(const engine::CompiledModule& compiled, llvm::Module& out,
                              bool osr = false, OsrPoints* osr_points = nullptr,
                              const TranslationScope& scope = {});

}  // namespace lunatic::jit
