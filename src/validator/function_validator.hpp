// The operand-stack type checker for function bodies (spec 3.3 and the appendix's validation
// algorithm). One instance validates many functions and keeps its buffers between them.
#pragma once

#include <cstdint>
#include <vector>

#include "validator/module_context.hpp"
#include "validator/operand_stack.hpp"

namespace lunatic::validator {

class FunctionValidator {
 public:
  /// @pre ctx outlives the validator; type indices of all functions are in range.
  explicit FunctionValidator(const ModuleContext& ctx) : ctx_(ctx) {}

  /// Type-checks one defined function. Iterative: nesting depth costs heap, not native stack.
  /// Errors carry the offending instruction's offset; the caller adds the function context.
  Result<void> validate(const wasm::Function& func);

 private:
  // One run-length group of locals (parameters count as groups of one).
  struct LocalRun {
    uint64_t end;  ///< index one past the run's last local
    wasm::ValType type;
  };

  void set_up_locals(const wasm::FuncType& type, const wasm::Function& func);
  bool local_type(uint32_t index, wasm::ValType& out) const;
  Result<void> block_types(const wasm::Instr& instr, TypeSpan& params, TypeSpan& results) const;

  Result<void> step(const wasm::Instr& instr);
  Result<void> check_control(const wasm::Instr& instr);
  Result<void> check_br_table(const wasm::Instr& instr);
  Result<void> check_call(const wasm::Instr& instr);
  Result<void> check_variable(const wasm::Instr& instr);
  Result<void> check_parametric(const wasm::Instr& instr);
  Result<void> check_fixed(const wasm::Instr& instr, const wasm::OpcodeInfo& info);
  /// Lane immediates (extract/replace_lane, load/store*_lane, i8x16.shuffle) within range.
  Result<void> check_lanes(const wasm::Instr& instr, const wasm::OpcodeInfo& info) const;
  // memory_table_checks.cpp
  Result<void> check_memory(const wasm::Instr& instr);
  Result<void> check_table(const wasm::Instr& instr);
  Result<void> check_reference(const wasm::Instr& instr);
  Result<void> require_memory(uint64_t offset) const;
  Result<void> require_table(uint32_t index, uint64_t offset) const;
  Result<void> require_data(uint32_t index, uint64_t offset) const;
  Result<void> require_elem(uint32_t index, uint64_t offset) const;
  bool pop_n(wasm::ValType t, int n);

  const ModuleContext& ctx_;
  const wasm::Function* func_ = nullptr;
  OperandStack stack_;
  std::vector<LocalRun> local_runs_;
  std::vector<wasm::ValType> flat_locals_;  ///< all locals, when there are few enough
};

}  // namespace lunatic::validator
