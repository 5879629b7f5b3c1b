// Type checker core: the instruction loop, control instructions, calls, variables, parametric
// and fixed-signature numeric instructions (memory/table/reference ones are in
// memory_table_checks.cpp).
#include "validator/function_validator.hpp"

#include <algorithm>

namespace lunatic::validator {

using wasm::Opcode;
using wasm::Operand;
using wasm::ValType;

namespace {

// Locals of a function are expanded into a flat array only up to this count; beyond it (a
// few bytes of input can declare billions) lookups binary-search the run-length groups.
constexpr uint64_t kMaxFlatLocals = 4096;

// Storage for the result span of a single-value block type.
constexpr ValType kValueTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                                   ValType::V128, ValType::FuncRef, ValType::ExternRef};

bool single_type(ValType t, TypeSpan& out) {
  for (const ValType& v : kValueTypes) {
    if (v == t) {
      out = TypeSpan(&v, 1);
      return true;
    }
  }
  return false;
}

ValType operand_type(Operand o) {
  switch (o) {
    case Operand::i32: return ValType::I32;
    case Operand::i64: return ValType::I64;
    case Operand::f32: return ValType::F32;
    case Operand::f64: return ValType::F64;
    case Operand::v128: return ValType::V128;
    default: return kUnknownType;
  }
}

}  // namespace

Result<void> FunctionValidator::validate(const wasm::Function& func) {
  func_ = &func;
  const wasm::FuncType& type = ctx_.types()[func.type_index];
  set_up_locals(type, func);
  stack_.reset();
  // The function body is a block whose label carries the results (spec 3.4.1).
  stack_.push_ctrl(Opcode::Block, TypeSpan(), type.results);
  for (const wasm::Instr& instr : func.body) {
    if (stack_.depth() == 0)
      return invalid("operators remaining after end of function", instr.offset);
    TRY(step(instr));
  }
  if (stack_.depth() != 0) {
    const uint64_t at = func.body.empty() ? func.body_offset : func.body.back().offset;
    return invalid("END opcode expected", at);
  }
  return {};
}

void FunctionValidator::set_up_locals(const wasm::FuncType& type, const wasm::Function& func) {
  local_runs_.clear();
  flat_locals_.clear();
  uint64_t total = 0;
  for (ValType t : type.params) local_runs_.push_back({++total, t});
  for (const wasm::LocalGroup& g : func.locals) {
    if (g.count == 0) continue;
    total += g.count;
    local_runs_.push_back({total, g.type});
  }
  if (total > kMaxFlatLocals) return;
  uint64_t index = 0;
  for (const LocalRun& run : local_runs_) {
    for (; index < run.end; ++index) flat_locals_.push_back(run.type);
  }
}

bool FunctionValidator::local_type(uint32_t index, ValType& out) const {
  if (index < flat_locals_.size()) {
    out = flat_locals_[index];
    return true;
  }
  auto it = std::upper_bound(local_runs_.begin(), local_runs_.end(), uint64_t{index},
                             [](uint64_t i, const LocalRun& run) { return i < run.end; });
  if (it == local_runs_.end()) return false;
  out = it->type;
  return true;
}

Result<void> FunctionValidator::block_types(const wasm::Instr& instr, TypeSpan& params,
                                            TypeSpan& results) const {
  params = TypeSpan();
  results = TypeSpan();
  switch (instr.block.kind) {
    case wasm::BlockType::Kind::Empty: return {};
    case wasm::BlockType::Kind::Value:
      if (!single_type(instr.block.value, results))
        return invalid("malformed value type", instr.offset);
      return {};
    case wasm::BlockType::Kind::TypeIndex:
      if (instr.block.type_index >= ctx_.types().size())
        return unknown("type", instr.block.type_index, instr.offset);
      params = ctx_.types()[instr.block.type_index].params;
      results = ctx_.types()[instr.block.type_index].results;
      return {};
  }
  return invalid("malformed block type", instr.offset);
}

Result<void> FunctionValidator::step(const wasm::Instr& instr) {
  switch (instr.op) {
    case Opcode::Unreachable:
    case Opcode::Nop:
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If:
    case Opcode::Else:
    case Opcode::End:
    case Opcode::Br:
    case Opcode::BrIf:
    case Opcode::Return: return check_control(instr);
    case Opcode::BrTable: return check_br_table(instr);
    case Opcode::Call:
    case Opcode::CallIndirect: return check_call(instr);
    case Opcode::LocalGet:
    case Opcode::LocalSet:
    case Opcode::LocalTee:
    case Opcode::GlobalGet:
    case Opcode::GlobalSet: return check_variable(instr);
    case Opcode::Drop:
    case Opcode::Select:
    case Opcode::SelectT: return check_parametric(instr);
    case Opcode::TableGet:
    case Opcode::TableSet:
    case Opcode::TableSize:
    case Opcode::TableGrow:
    case Opcode::TableFill:
    case Opcode::TableCopy:
    case Opcode::TableInit:
    case Opcode::ElemDrop: return check_table(instr);
    case Opcode::MemorySize:
    case Opcode::MemoryGrow:
    case Opcode::MemoryFill:
    case Opcode::MemoryCopy:
    case Opcode::MemoryInit:
    case Opcode::DataDrop: return check_memory(instr);
    case Opcode::RefNull:
    case Opcode::RefIsNull:
    case Opcode::RefFunc: return check_reference(instr);
    case Opcode::V128Bitselect:
      // [v128 v128 v128] -> [v128]: the one instruction with three operands.
      if (!stack_.pop(ValType::V128) || !stack_.pop(ValType::V128) || !stack_.pop(ValType::V128))
        return type_mismatch(instr.offset);
      stack_.push(ValType::V128);
      return {};
    default: return check_fixed(instr, wasm::opcode_info(instr.op));
  }
}

Result<void> FunctionValidator::check_control(const wasm::Instr& instr) {
  const uint64_t at = instr.offset;
  switch (instr.op) {
    case Opcode::Unreachable: stack_.set_unreachable(); return {};
    case Opcode::Nop: return {};
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If: {
      TypeSpan params, results;
      TRY(block_types(instr, params, results));
      if (instr.op == Opcode::If && !stack_.pop(ValType::I32)) return type_mismatch(at);
      if (!stack_.pop(params)) return type_mismatch(at);
      stack_.push_ctrl(instr.op, params, results);
      return {};
    }
    case Opcode::Else: {
      if (stack_.frame(0).op != Opcode::If) return invalid("else without matching if", at);
      ControlFrame frame;
      if (!stack_.pop_ctrl(frame)) return type_mismatch(at);
      stack_.push_ctrl(Opcode::Else, frame.start, frame.end);
      return {};
    }
    case Opcode::End: {
      ControlFrame frame;
      if (!stack_.pop_ctrl(frame)) return type_mismatch(at);
      // An `if` without `else` has an implicit empty else: it must map params to results.
      if (frame.op == Opcode::If && !std::ranges::equal(frame.start, frame.end))
        return type_mismatch(at);
      stack_.push(frame.end);
      return {};
    }
    case Opcode::Br:
    case Opcode::BrIf: {
      if (instr.a >= stack_.depth()) return unknown("label", instr.a, at);
      if (instr.op == Opcode::BrIf && !stack_.pop(ValType::I32)) return type_mismatch(at);
      const TypeSpan label = stack_.frame(instr.a).label_types();
      if (!stack_.pop(label)) return type_mismatch(at);
      if (instr.op == Opcode::Br) {
        stack_.set_unreachable();
      } else {
        stack_.push(label);
      }
      return {};
    }
    case Opcode::Return:
      if (!stack_.pop(stack_.outermost().end)) return type_mismatch(at);
      stack_.set_unreachable();
      return {};
    default: return invalid("unsupported opcode", at);
  }
}

Result<void> FunctionValidator::check_br_table(const wasm::Instr& instr) {
  const uint64_t at = instr.offset;
  if (!stack_.pop(ValType::I32)) return type_mismatch(at);
  const std::vector<uint32_t>& labels = func_->br_table_labels;
  if (uint64_t{instr.a} + instr.b > labels.size()) return invalid("malformed br_table", at);
  if (instr.c >= stack_.depth()) return unknown("label", instr.c, at);
  const TypeSpan default_types = stack_.frame(uint32_t(instr.c)).label_types();
  for (uint64_t i = instr.a, end = uint64_t{instr.a} + instr.b; i < end; ++i) {
    const uint32_t depth = labels[i];
    if (depth >= stack_.depth()) return unknown("label", depth, at);
    const TypeSpan types = stack_.frame(depth).label_types();
    if (types.size() != default_types.size() || !stack_.peek(types)) return type_mismatch(at);
  }
  if (!stack_.pop(default_types)) return type_mismatch(at);
  stack_.set_unreachable();
  return {};
}

Result<void> FunctionValidator::check_call(const wasm::Instr& instr) {
  const uint64_t at = instr.offset;
  const wasm::FuncType* type = nullptr;
  if (instr.op == Opcode::Call) {
    if (instr.a >= ctx_.func_types.size()) return unknown("function", instr.a, at);
    type = &ctx_.func_type(instr.a);
  } else {
    TRY(require_table(instr.b, at));
    if (instr.a >= ctx_.types().size()) return unknown("type", instr.a, at);
    if (ctx_.tables[instr.b].element != ValType::FuncRef) return type_mismatch(at);
    type = &ctx_.types()[instr.a];
    if (!stack_.pop(ValType::I32)) return type_mismatch(at);
  }
  if (!stack_.pop(type->params)) return type_mismatch(at);
  stack_.push(type->results);
  return {};
}

Result<void> FunctionValidator::check_variable(const wasm::Instr& instr) {
  const uint64_t at = instr.offset;
  if (instr.op == Opcode::GlobalGet || instr.op == Opcode::GlobalSet) {
    if (instr.a >= ctx_.globals.size()) return unknown("global", instr.a, at);
    const wasm::GlobalType& global = ctx_.globals[instr.a];
    if (instr.op == Opcode::GlobalGet) {
      stack_.push(global.type);
      return {};
    }
    if (!global.is_mutable) return invalid("global is immutable", at);
    if (!stack_.pop(global.type)) return type_mismatch(at);
    return {};
  }
  ValType type;
  if (!local_type(instr.a, type)) return unknown("local", instr.a, at);
  if (instr.op == Opcode::LocalGet) {
    stack_.push(type);
    return {};
  }
  if (!stack_.pop(type)) return type_mismatch(at);
  if (instr.op == Opcode::LocalTee) stack_.push(type);
  return {};
}

Result<void> FunctionValidator::check_parametric(const wasm::Instr& instr) {
  const uint64_t at = instr.offset;
  ValType t1, t2;
  switch (instr.op) {
    case Opcode::Drop:
      if (!stack_.pop_any(t1)) return type_mismatch(at);
      return {};
    case Opcode::Select: {
      // Untyped select is for numeric (and vector) operands only (spec 3.3.4).
      if (!stack_.pop(ValType::I32) || !stack_.pop_any(t1) || !stack_.pop_any(t2))
        return type_mismatch(at);
      auto numeric = [](ValType t) { return wasm::is_number(t) || t == kUnknownType; };
      auto vector = [](ValType t) { return t == ValType::V128 || t == kUnknownType; };
      if (!((numeric(t1) && numeric(t2)) || (vector(t1) && vector(t2)))) return type_mismatch(at);
      if (t1 != t2 && t1 != kUnknownType && t2 != kUnknownType) return type_mismatch(at);
      stack_.push(t1 == kUnknownType ? t2 : t1);
      return {};
    }
    default: {  // SelectT
      if (instr.a != 1) return invalid("invalid result arity", at);
      const auto type = wasm::val_type_from_byte(uint8_t(instr.b));
      if (!type || instr.b > 0xFF) return invalid("malformed value type", at);
      if (!stack_.pop(ValType::I32) || !stack_.pop(*type) || !stack_.pop(*type))
        return type_mismatch(at);
      stack_.push(*type);
      return {};
    }
  }
}

Result<void> FunctionValidator::check_fixed(const wasm::Instr& instr,
                                            const wasm::OpcodeInfo& info) {
  const uint64_t at = instr.offset;
  if (info.in1 == Operand::special) return invalid("unsupported opcode", at);
  if (info.immediate == wasm::Immediate::Lane || info.immediate == wasm::Immediate::MemArgLane ||
      info.immediate == wasm::Immediate::Shuffle) {
    TRY(check_lanes(instr, info));  // SIMD only: most fixed instructions have no lane
  }
  if (info.immediate == wasm::Immediate::MemArg || info.immediate == wasm::Immediate::MemArgLane) {
    TRY(require_memory(at));
    // The alignment hint is an exponent: 2^align must not exceed the access width.
    if (instr.a >= 32 || (uint64_t{1} << instr.a) > info.access_bytes) {
      return invalid("alignment must not be larger than natural", at);
    }
  }
  if (info.in2 != Operand::none && !stack_.pop(operand_type(info.in2))) return type_mismatch(at);
  if (info.in1 != Operand::none && !stack_.pop(operand_type(info.in1))) return type_mismatch(at);
  if (info.out != Operand::none) stack_.push(operand_type(info.out));
  return {};
}

Result<void> FunctionValidator::check_lanes(const wasm::Instr& instr,
                                            const wasm::OpcodeInfo& info) const {
  // Lane indices are immediates: out of range is a validation error (spec 3.3.3).
  constexpr uint64_t kShuffleLanes = 32;  // lanes of both operands
  if (info.immediate == wasm::Immediate::Shuffle) {
    for (uint8_t lane : wasm::v128_immediate(instr)) {
      if (lane >= kShuffleLanes) return invalid("invalid lane index", instr.offset);
    }
    return {};
  }
  const uint64_t lane = info.immediate == wasm::Immediate::Lane ? instr.a : instr.c;
  const uint32_t lanes = wasm::lane_count(instr.op);
  if (lanes != 0 && lane >= lanes) return invalid("invalid lane index", instr.offset);
  return {};
}

}  // namespace lunatic::validator
