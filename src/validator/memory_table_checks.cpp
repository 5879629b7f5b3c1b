// Type checker for memory, table, bulk-memory and reference instructions whose types depend on
// the module (memory present, table element types, segment counts, C.refs).
#include "validator/function_validator.hpp"

namespace lunatic::validator {

using wasm::Opcode;
using wasm::ValType;

bool FunctionValidator::pop_n(ValType t, int n) {
  for (int i = 0; i < n; ++i) {
    if (!stack_.pop(t)) return false;
  }
  return true;
}

Result<void> FunctionValidator::require_memory(uint64_t offset) const {
  if (ctx_.memories.empty()) return unknown("memory", 0, offset);
  return {};
}

Result<void> FunctionValidator::require_table(uint32_t index, uint64_t offset) const {
  if (index >= ctx_.tables.size()) return unknown("table", index, offset);
  return {};
}

Result<void> FunctionValidator::require_data(uint32_t index, uint64_t offset) const {
  if (index >= ctx_.data_count) return unknown("data segment", index, offset);
  // Binary-format rule (spec 5.5.16): data indices in code need the data count section. Checked
  // after the index so that the spec suite's assert_invalid modules without any data (wast2json
  // emits no data count section for them) still report "unknown data segment".
  if (!ctx_.has_data_count) return invalid("data count section required", offset);
  return {};
}

Result<void> FunctionValidator::require_elem(uint32_t index, uint64_t offset) const {
  if (index >= ctx_.elem_count) return unknown("elem segment", index, offset);
  return {};
}

Result<void> FunctionValidator::check_memory(const wasm::Instr& instr) {
  const uint64_t at = instr.offset;
  if (instr.op != Opcode::DataDrop) TRY(require_memory(at));
  switch (instr.op) {
    case Opcode::MemorySize: stack_.push(ValType::I32); return {};
    case Opcode::MemoryGrow:
      if (!stack_.pop(ValType::I32)) return type_mismatch(at);
      stack_.push(ValType::I32);
      return {};
    case Opcode::MemoryInit: TRY(require_data(instr.a, at)); [[fallthrough]];
    case Opcode::MemoryFill:
    case Opcode::MemoryCopy:
      // [i32 i32 i32] -> []: destination, value or source, length.
      if (!pop_n(ValType::I32, 3)) return type_mismatch(at);
      return {};
    default:  // DataDrop
      return require_data(instr.a, at);
  }
}

Result<void> FunctionValidator::check_table(const wasm::Instr& instr) {
  const uint64_t at = instr.offset;
  if (instr.op == Opcode::ElemDrop) return require_elem(instr.a, at);
  if (instr.op == Opcode::TableInit) {
    TRY(require_table(instr.b, at));
    TRY(require_elem(instr.a, at));
    if (ctx_.tables[instr.b].element != ctx_.module->elements[instr.a].type)
      return type_mismatch(at);
    if (!pop_n(ValType::I32, 3)) return type_mismatch(at);
    return {};
  }
  TRY(require_table(instr.a, at));
  const ValType element = ctx_.tables[instr.a].element;
  switch (instr.op) {
    case Opcode::TableGet:
      if (!stack_.pop(ValType::I32)) return type_mismatch(at);
      stack_.push(element);
      return {};
    case Opcode::TableSet:
      if (!stack_.pop(element) || !stack_.pop(ValType::I32)) return type_mismatch(at);
      return {};
    case Opcode::TableSize: stack_.push(ValType::I32); return {};
    case Opcode::TableGrow:
      if (!stack_.pop(ValType::I32) || !stack_.pop(element)) return type_mismatch(at);
      stack_.push(ValType::I32);
      return {};
    case Opcode::TableFill:
      if (!stack_.pop(ValType::I32) || !stack_.pop(element) || !stack_.pop(ValType::I32)) {
        return type_mismatch(at);
      }
      return {};
    default:  // TableCopy: a = destination, b = source
      TRY(require_table(instr.b, at));
      if (ctx_.tables[instr.b].element != element) return type_mismatch(at);
      if (!pop_n(ValType::I32, 3)) return type_mismatch(at);
      return {};
  }
}

Result<void> FunctionValidator::check_reference(const wasm::Instr& instr) {
  const uint64_t at = instr.offset;
  switch (instr.op) {
    case Opcode::RefNull: {
      const ValType type = static_cast<ValType>(instr.a);
      if (instr.a > 0xFF || !wasm::is_reference(type))
        return invalid("malformed reference type", at);
      stack_.push(type);
      return {};
    }
    case Opcode::RefIsNull: {
      ValType type;
      if (!stack_.pop_any(type)) return type_mismatch(at);
      if (!wasm::is_reference(type) && type != kUnknownType) return type_mismatch(at);
      stack_.push(ValType::I32);
      return {};
    }
    default:  // RefFunc
      if (instr.a >= ctx_.func_types.size()) return unknown("function", instr.a, at);
      if (!ctx_.declared_refs[instr.a]) return invalid("undeclared function reference", at);
      stack_.push(ValType::FuncRef);
      return {};
  }
}

}  // namespace lunatic::validator
