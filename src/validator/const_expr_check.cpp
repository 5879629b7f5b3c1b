// Constant-expression check: constness first (the spec suite expects "constant expression
// required" even where the expression would also be ill-typed), then the result type.
#include "validator/const_expr_check.hpp"

namespace lunatic::validator {

Result<void> check_const_expr(const ModuleContext& ctx, const wasm::ConstExpr& expr,
                              wasm::ValType expected, uint64_t where) {
  using wasm::Opcode;
  using wasm::ValType;
  // Constant instructions only push, so the stack is fully described by its depth and top.
  size_t depth = 0;
  ValType top = kUnknownType;
  for (const wasm::Instr& instr : expr.instrs) {
    switch (instr.op) {
      case Opcode::I32Const: top = ValType::I32; break;
      case Opcode::I64Const: top = ValType::I64; break;
      case Opcode::F32Const: top = ValType::F32; break;
      case Opcode::F64Const: top = ValType::F64; break;
      case Opcode::V128Const: top = ValType::V128; break;
      case Opcode::RefNull: top = static_cast<ValType>(instr.a); break;
      case Opcode::RefFunc:
        if (instr.a >= ctx.func_types.size()) return unknown("function", instr.a, instr.offset);
        top = ValType::FuncRef;
        break;
      case Opcode::GlobalGet: {
        if (instr.a >= ctx.imported_globals) return unknown("global", instr.a, instr.offset);
        const wasm::GlobalType& g = ctx.globals[instr.a];
        if (g.is_mutable) return invalid("constant expression required", instr.offset);
        top = g.type;
        break;
      }
      default: return invalid("constant expression required", instr.offset);
    }
    ++depth;
  }
  if (depth != 1 || top != expected) {
    const uint64_t offset = expr.instrs.empty() ? where : expr.instrs.back().offset;
    return type_mismatch(offset);
  }
  return {};
}

}  // namespace lunatic::validator
