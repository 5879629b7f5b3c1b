// Wasm -> LLVM IR for a whole module: every defined function F as its typed function wf<F> and
// its slot entry we<F> (abi.hpp describes both).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
  Count,
};

/// The symbol compiled code calls for `h` ("lunatic_jit_trap", ...).
const char* helper_name(Helper h);

/// Name of the typed function of function index `func_index`: "wf<index>".
std::string typed_name(uint32_t func_index);
/// Name of its slot entry: "we<index>".
std::string entry_name(uint32_t func_index);
/// Name of its OSR entry: "wo<index>" (NativeCode::OsrEntry).
std::string osr_name(uint32_t func_index);

using native::OsrPoints;

/// Translates every defined function of `compiled` (validated and lowered) into `out`, which
/// must be empty. With `osr`, functions with loops also get an OSR entry, whose safepoints are
/// written to `osr_points`. Errors (Phase::Validate, context "jit"): an unsupported construct,
/// or lowered code that does not match the translation (safepoints).
Result<void> translate_module(const engine::CompiledModule& compiled, llvm::Module& out,
                              bool osr = false, OsrPoints* osr_points = nullptr);

}  // namespace lunatic::jit
