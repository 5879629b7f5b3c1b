// The validation context C of the spec (section 3.1.6), flattened for O(1) lookups: the index
// spaces with imports first, the declared function references C.refs, and the error helpers
// every part of the validator uses so that messages keep the spec's wording.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "wasm/module.hpp"

namespace lunatic::validator {

/// The type checker's "Unknown" value type (the bottom of a polymorphic stack); it is no byte
/// of the binary format, so it cannot collide with a real ValType.
inline constexpr wasm::ValType kUnknownType = static_cast<wasm::ValType>(0);

/// Index spaces of one module. Built once per validate() call; sizes are those of the decoded
/// module's vectors, so never larger than the input warrants.
struct ModuleContext {
  const wasm::Module* module = nullptr;
  std::vector<uint32_t> func_types;  ///< type index of each function in the index space
  std::vector<wasm::TableType> tables;
  std::vector<wasm::MemoryType> memories;
  std::vector<wasm::GlobalType> globals;  ///< all globals (function bodies see all of them)
  uint32_t imported_globals = 0;          ///< constant expressions see only these
  std::vector<uint8_t> declared_refs;     ///< 1 where the function index is in C.refs
  uint32_t elem_count = 0;
  uint32_t data_count = 0;
  bool has_data_count = false;  ///< memory.init / data.drop need the section

  const std::vector<wasm::FuncType>& types() const { return module->types; }
  const wasm::FuncType& func_type(uint32_t func_index) const {
    return module->types[func_types[func_index]];
  }
};

/// Builds the index spaces of `module`. Type indices of functions are not checked here (see
/// check_function_types); declared_refs is filled by collect_declared_refs.
ModuleContext make_context(const wasm::Module& module);

/// A validation error with the spec's message.
inline Error invalid(std::string message, uint64_t offset = Error::kNoOffset,
                     std::string context = {}) {
  return Error(Phase::Validate, std::move(message), offset, std::move(context));
}

/// "unknown <what> <index>": the spec suite's texts are prefixes of this form ("unknown global",
/// "unknown memory 0", "unknown data segment 1").
inline Error unknown(const char* what, uint64_t index, uint64_t offset = Error::kNoOffset) {
  return invalid(std::string("unknown ") + what + " " + std::to_string(index), offset);
}

/// The message of every operand-stack error.
inline Error type_mismatch(uint64_t offset = Error::kNoOffset) {
  return invalid("type mismatch", offset);
}

}  // namespace lunatic::validator
