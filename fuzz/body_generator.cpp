// Function bodies for the module generator. Every construct keeps the operand stack typed:
// expr(t) leaves exactly one value of type t, statement() leaves the stack as it found it, and
// every index it writes refers to something the module declares (ModuleShape).
#include "body_builder.hpp"

namespace lunatic::fuzz {

using wasm::Opcode;
using wasm::ValType;

void BodyGenerator::generate() {
  locals_ = type_.params;
  std::vector<std::pair<uint32_t, ValType>> groups;
  for (ValType t : kNumeric) {
    const uint32_t n = src_.below(3);
    if (n == 0) continue;
    groups.emplace_back(n, t);
    locals_.insert(locals_.end(), n, t);
  }
  if (shape_.simd) {
    const uint32_t n = src_.below(3);
    if (n != 0) {
      groups.emplace_back(n, ValType::V128);
      locals_.insert(locals_.end(), n, ValType::V128);
    }
  }
  counter_base_ = static_cast<uint32_t>(locals_.size());  // counters are not in locals_
  groups.emplace_back(kLoopCounters, ValType::I32);
  nan_scratch_ = counter_base_ + kLoopCounters;
  if (shape_.canonical_nans) {
    groups.emplace_back(1, ValType::F32);
    groups.emplace_back(1, ValType::F64);
    if (shape_.simd) groups.emplace_back(1, ValType::V128);
  }
  v128_scratch_ = nan_scratch_ + 2;
  out_.uleb(groups.size());
  for (const auto& [n, t] : groups) {
    out_.uleb(n);
    out_.val_type(t);
  }
  labels_.push_back(type_.results.empty() ? Label::Empty : Label::Values);
  statements(8);
  for (ValType t : type_.results) expr(t);
  out_.op(Opcode::End);
}

void BodyGenerator::expr(ValType t) {
  if (expr_depth_ >= kMaxExprDepth || !spend()) return leaf(t);
  ++expr_depth_;
  if (t == ValType::V128) {
    simd_expr();
  } else if (!construct(t)) {
    leaf(t);
  }
  --expr_depth_;
}

bool BodyGenerator::construct(ValType t) {
  const OpTables& ops = op_tables();
  const size_t slot = type_slot(t);
  switch (src_.below(17)) {
    case 0: write_constant(src_, out_, t); break;
    case 1: leaf(t); break;
    case 2: {
      const auto& list = ops.unary[slot];
      const OpSig& s = list[src_.below(static_cast<uint32_t>(list.size()))];
      expr(s.in1);
      out_.op(s.op);
      canonicalize_nan(s.op, t);
      break;
    }
    case 3: {
      const auto& list = ops.binary[slot];
      const OpSig& s = list[src_.below(static_cast<uint32_t>(list.size()))];
      expr(s.in1);
      expr(s.in2);
      out_.op(s.op);
      canonicalize_nan(s.op, t);
      break;
    }
    case 4: {
      const auto& list = ops.loads[slot];
      const OpSig& s = list[src_.below(static_cast<uint32_t>(list.size()))];
      address();
      out_.op(s.op);
      memarg(s.access_bytes);
      break;
    }
    case 5:
      expr(t);
      expr(t);
      expr(ValType::I32);
      out_.op(Opcode::Select);
      break;
    case 6:
      if (!can_nest()) return false;
      expr(ValType::I32);
      block_start(Opcode::If, Label::Values, static_cast<uint8_t>(t));
      expr(t);
      out_.op(Opcode::Else);
      expr(t);
      block_end();
      break;
    case 7:  // a block left early by br_if with its value
      if (!can_nest()) return false;
      block_start(Opcode::Block, Label::Values, static_cast<uint8_t>(t));
      expr(t);
      expr(ValType::I32);
      out_.op(Opcode::BrIf);
      out_.uleb(0);
      out_.op(Opcode::Drop);
      statement();
      expr(t);
      block_end();
      break;
    case 8: {
      const uint32_t f = src_.below(static_cast<uint32_t>(shape_.function_types.size()));
      const wasm::FuncType& ft = shape_.types[shape_.function_types[f]];
      if (ft.results.empty() || ft.results[0] != t) return false;
      args(ft);
      out_.op(Opcode::Call);
      out_.uleb(f);
      drop_extra_results(ft);
      break;
    }
    case 9:
      if (auto l = local_of(t)) {
        expr(t);
        out_.op(Opcode::LocalTee);
        out_.uleb(*l);
      } else {
        write_constant(src_, out_, t);
      }
      break;
    case 10:
      if (t != ValType::I32) return false;
      if (src_.one_in(2)) {
        expr(ValType::I32);
        out_.op(Opcode::I32Const);
        out_.sleb(3);
        out_.op(Opcode::I32And);
        out_.op(Opcode::MemoryGrow);
      } else {
        out_.op(Opcode::MemorySize);
      }
      out_.u8(0x00);
      break;
    case 11: {
      const auto type_index = type_with_result(t);
      if (!type_index) return false;
      const wasm::FuncType& ft = shape_.types[*type_index];
      args(ft);
      if (src_.one_in(4)) {
        expr(ValType::I32);
      } else {
        small_i32(shape_.table_size + 1);
      }
      out_.op(Opcode::CallIndirect);
      out_.uleb(*type_index);
      out_.uleb(0);
      drop_extra_results(ft);
      break;
    }
    case 12:  // a loop with a result: branches to it carry nothing
      if (!can_nest()) return false;
      block_start(Opcode::Loop, Label::Loop, static_cast<uint8_t>(t));
      statements(3);
      expr(t);
      block_end();
      break;
    case 13:
      if (!can_nest()) return false;
      block_start(Opcode::Block, Label::Values, static_cast<uint8_t>(t));
      statements(3);
      expr(t);
      block_end();
      break;
    case 15:  // reference types: an i32 from the table or a funcref
      if (t != ValType::I32) return false;
      reference_i32();
      break;
    case 14:
      if (shape_.simd) {
        simd_scalar(t);
        break;
      }
      [[fallthrough]];
    default: {  // a multi-value block typed by a function type: params in, results out
      const auto type_index = type_with_result(t);
      if (!type_index || !can_nest()) return false;
      const wasm::FuncType& ft = shape_.types[*type_index];
      args(ft);
      out_.op(Opcode::Block);
      out_.sleb(*type_index);
      labels_.push_back(Label::Values);
      for (size_t i = 0; i < ft.params.size(); ++i) out_.op(Opcode::Drop);
      for (ValType r : ft.results) expr(r);
      block_end();
      drop_extra_results(ft);
      break;
    }
  }
  return true;
}

void BodyGenerator::statement() {
  if (!spend()) return;
  switch (src_.below(17)) {
    case 16: table_statement(); break;
    case 0:
      if (locals_.empty()) break;
      {
        const uint32_t l = src_.below(static_cast<uint32_t>(locals_.size()));
        expr(locals_[l]);
        out_.op(Opcode::LocalSet);
        out_.uleb(l);
      }
      break;
    case 1:
      if (shape_.globals.empty()) break;
      {
        const uint32_t g = src_.below(static_cast<uint32_t>(shape_.globals.size()));
        expr(shape_.globals[g]);
        out_.op(Opcode::GlobalSet);
        out_.uleb(g);
      }
      break;
    case 2: {
      const auto& list = op_tables().stores[src_.below(4)];
      const OpSig& s = list[src_.below(static_cast<uint32_t>(list.size()))];
      address();
      expr(s.in2);
      out_.op(s.op);
      memarg(s.access_bytes);
      break;
    }
    case 3:
      expr(numeric());
      out_.op(Opcode::Drop);
      break;
    case 4:
      if (!can_nest()) break;
      expr(ValType::I32);
      block_start(Opcode::If, Label::Empty, kEmptyBlock);
      statements(3);
      if (src_.one_in(2)) {
        out_.op(Opcode::Else);
        statements(3);
      }
      block_end();
      break;
    case 5:
      if (!can_nest()) break;
      block_start(Opcode::Block, Label::Empty, kEmptyBlock);
      statements(4);
      block_end();
      break;
    case 6: {  // a counted loop: its own counter local, decremented at the back-edge
      if (!can_nest() || open_loops_ >= kLoopCounters) break;
      const uint32_t counter = counter_base_ + open_loops_++;
      out_.op(Opcode::I32Const);
      out_.sleb(1 + src_.below(40));
      out_.op(Opcode::LocalSet);
      out_.uleb(counter);
      block_start(Opcode::Loop, Label::Loop, kEmptyBlock);
      statements(4);
      out_.op(Opcode::LocalGet);
      out_.uleb(counter);
      out_.op(Opcode::I32Const);
      out_.sleb(1);
      out_.op(Opcode::I32Sub);
      out_.op(Opcode::LocalTee);
      out_.uleb(counter);
      out_.op(Opcode::BrIf);
      out_.uleb(0);
      block_end();
      --open_loops_;
      break;
    }
    case 7:
      if (auto l = empty_label()) {
        expr(ValType::I32);
        out_.op(Opcode::BrIf);
        out_.uleb(*l);
      }
      break;
    case 8: {  // br_table over labels without values; what follows is unreachable
      if (!src_.one_in(3)) break;
      std::vector<uint32_t> targets;
      const uint32_t n = 1 + src_.below(4);
      for (uint32_t i = 0; i < n; ++i) {
        if (auto l = empty_label()) targets.push_back(*l);
      }
      if (targets.empty()) break;
      expr(ValType::I32);
      out_.op(Opcode::BrTable);
      out_.uleb(targets.size() - 1);
      for (uint32_t l : targets) out_.uleb(l);  // the last one is the default
      break;
    }
    case 9: {
      const uint32_t f = src_.below(static_cast<uint32_t>(shape_.function_types.size()));
      const wasm::FuncType& ft = shape_.types[shape_.function_types[f]];
      args(ft);
      out_.op(Opcode::Call);
      out_.uleb(f);
      for (size_t i = 0; i < ft.results.size(); ++i) out_.op(Opcode::Drop);
      break;
    }
    case 10:
      address();
      expr(ValType::I32);
      small_i32(300);
      out_.op(Opcode::MemoryFill);
      out_.u8(0x00);
      break;
    case 11:
      address();
      address();
      small_i32(300);
      out_.op(Opcode::MemoryCopy);
      out_.u8(0x00);
      out_.u8(0x00);
      break;
    case 12:
      if (src_.one_in(4)) {
        out_.op(Opcode::DataDrop);
        out_.uleb(shape_.passive_data);
        break;
      }
      address();
      small_i32(12);  // the passive segment has 20 bytes
      small_i32(10);
      out_.op(Opcode::MemoryInit);
      out_.uleb(shape_.passive_data);
      out_.u8(0x00);
      break;
    case 13:
      if (!src_.one_in(4)) break;
      for (ValType t : type_.results) expr(t);
      out_.op(Opcode::Return);
      break;
    case 14:
      if (src_.one_in(16)) out_.op(Opcode::Unreachable);
      break;
    case 15:
      if (shape_.simd) {
        simd_statement();
        break;
      }
      [[fallthrough]];
    default:
      if (!src_.one_in(4)) break;
      if (auto l = empty_label()) {
        out_.op(Opcode::Br);
        out_.uleb(*l);
      }
      break;
  }
}

void generate_body(ByteSource& src, const ModuleShape& shape, uint32_t type_index,
                   WasmWriter& out) {
  BodyGenerator(src, shape, shape.types[type_index], out).generate();
}

}  // namespace lunatic::fuzz