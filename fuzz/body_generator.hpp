// The function-body half of the module generator: well-typed code only, built expression by
// expression from the fuzzer's bytes (see module_generator.hpp for the module around it).
#pragma once

#include <cstdint>
#include <vector>

#include "module_generator.hpp"
#include "wasm/types.hpp"
#include "wasm_writer.hpp"

namespace lunatic::fuzz {

/// What a body may refer to in the module being generated.
struct ModuleShape {
  std::vector<wasm::FuncType> types;
  std::vector<uint32_t> function_types;  ///< type index of each function (imports first)
  std::vector<wasm::ValType> globals;    ///< all mutable
  uint32_t table_size = 0;               ///< funcref table 0 (initially): element i is function i
  uint32_t passive_elem = 0;             ///< index of a passive element segment (table.init)
  uint32_t passive_data = 0;             ///< index of a passive data segment (memory.init)
  /// Every float arithmetic result that is a NaN becomes the positive canonical NaN. The spec
  /// leaves the sign and payload of such a NaN open (4.3.3), so two correct tiers may differ
  /// there (LLVM folds 0/0 to +NaN, x86 computes -NaN); the tiers fuzzer compares bits.
  bool canonical_nans = false;
  /// v128 values too (body_simd.cpp): the types, globals and locals may be v128, and scalar
  /// expressions and statements may go through SIMD instructions. Off for the baseline's
  /// fuzzer (the baseline refuses SIMD).
  bool simd = false;
};

/// Writes a `t.const` instruction with an interesting or random value of numeric type `t`.
void write_constant(ByteSource& src, WasmWriter& out, wasm::ValType t);

/// Writes one entry of the code section without its size prefix: local declarations, a
/// well-typed body for a function of type `shape.types[type_index]`, and the final `end`.
void generate_body(ByteSource& src, const ModuleShape& shape, uint32_t type_index, WasmWriter& out);

}  // namespace lunatic::fuzz
