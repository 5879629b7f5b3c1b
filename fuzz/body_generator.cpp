// Function bodies for the module generator. Every construct keeps the operand stack typed:
// expr(t) leaves exactly one value of type t, statement() leaves the stack as it found it.
// The fixed-signature instructions come from the one opcode table (opcodes.def).
#include "body_generator.hpp"

#include <array>
#include <optional>

namespace lunatic::fuzz {
namespace {

using wasm::Opcode;
using wasm::ValType;

constexpr std::array<ValType, 4> kNumeric = {ValType::I32, ValType::I64, ValType::F32, ValType::F64};
constexpr uint8_t kEmptyBlock = 0x40;
constexpr uint32_t kMaxLabels = 6;      // block nesting
constexpr uint32_t kMaxExprDepth = 8;   // operand nesting
constexpr int kBudget = 300;            // constructs per function
constexpr uint32_t kLoopCounters = 3;   // nested counted loops

size_t type_slot(ValType t) {
  switch (t) {
    case ValType::I32: return 0;
    case ValType::I64: return 1;
    case ValType::F32: return 2;
    default: return 3;
  }
}

std::optional<ValType> operand_type(wasm::Operand o) {
  switch (o) {
    case wasm::Operand::i32: return ValType::I32;
    case wasm::Operand::i64: return ValType::I64;
    case wasm::Operand::f32: return ValType::F32;
    case wasm::Operand::f64: return ValType::F64;
    default: return std::nullopt;
  }
}

struct OpSig {
  Opcode op;
  ValType in1;
  ValType in2;  ///< binary operators and stores
  uint8_t access_bytes;
};

// Fixed-signature instructions from opcodes.def, by result type (stores: by stored type).
struct OpTables {
  std::array<std::vector<OpSig>, 4> unary, binary, loads, stores;
};

const OpTables& op_tables() {
  static const OpTables tables = [] {
    OpTables t;
    for (uint16_t i = 0; i < wasm::kOpcodeCount; ++i) {
      const auto op = static_cast<Opcode>(i);
      const wasm::OpcodeInfo& info = wasm::opcode_info(op);
      const auto in1 = operand_type(info.in1);
      const auto in2 = operand_type(info.in2);
      const auto out = operand_type(info.out);
      if (!in1) continue;
      if (info.immediate == wasm::Immediate::None && out) {
        (in2 ? t.binary : t.unary)[type_slot(*out)].push_back({op, *in1, in2.value_or(*in1), 0});
      } else if (info.immediate == wasm::Immediate::MemArg && out) {
        t.loads[type_slot(*out)].push_back({op, *in1, *in1, info.access_bytes});
      } else if (info.immediate == wasm::Immediate::MemArg && in2) {
        t.stores[type_slot(*in2)].push_back({op, *in1, *in2, info.access_bytes});
      }
    }
    return t;
  }();
  return tables;
}

class BodyGenerator {
 public:
  BodyGenerator(ByteSource& src, const ModuleShape& shape, const wasm::FuncType& type, WasmWriter& out)
      : src_(src), shape_(shape), type_(type), out_(out) {}

  void generate() {
    locals_ = type_.params;
    std::vector<std::pair<uint32_t, ValType>> groups;
    for (ValType t : kNumeric) {
      const uint32_t n = src_.below(3);
      if (n == 0) continue;
      groups.emplace_back(n, t);
      locals_.insert(locals_.end(), n, t);
    }
    counter_base_ = static_cast<uint32_t>(locals_.size());  // counters are not in locals_
    groups.emplace_back(kLoopCounters, ValType::I32);
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

 private:
  enum class Label : uint8_t { Empty, Loop, Values };  ///< what a branch to the label needs

  ValType numeric() { return kNumeric[src_.below(4)]; }
  bool spend() {
    if (budget_ <= 0) return false;
    --budget_;
    return true;
  }
  bool can_nest() const { return labels_.size() < kMaxLabels; }

  void block_start(Opcode op, Label label, uint8_t block_type) {
    out_.op(op);
    out_.u8(block_type);
    labels_.push_back(label);
  }
  void block_end() {
    out_.op(Opcode::End);
    labels_.pop_back();
  }

  std::optional<uint32_t> local_of(ValType t) {
    std::vector<uint32_t> matching;
    for (uint32_t i = 0; i < locals_.size(); ++i) {
      if (locals_[i] == t) matching.push_back(i);
    }
    if (matching.empty()) return std::nullopt;
    return matching[src_.below(static_cast<uint32_t>(matching.size()))];
  }
  std::optional<uint32_t> global_of(ValType t) {
    std::vector<uint32_t> matching;
    for (uint32_t i = 0; i < shape_.globals.size(); ++i) {
      if (shape_.globals[i] == t) matching.push_back(i);
    }
    if (matching.empty()) return std::nullopt;
    return matching[src_.below(static_cast<uint32_t>(matching.size()))];
  }
  // A random enclosing label a branch without values may target (relative depth). Branches
  // back to a loop are rare: most would keep it spinning until the fuel runs out.
  std::optional<uint32_t> empty_label() {
    const uint32_t depth = src_.below(static_cast<uint32_t>(labels_.size()));
    const Label l = labels_[labels_.size() - 1 - depth];
    if (l == Label::Empty || (l == Label::Loop && src_.one_in(8))) return depth;
    return std::nullopt;
  }
  // A type index whose first result is `t`.
  std::optional<uint32_t> type_with_result(ValType t) {
    const uint32_t start = src_.below(static_cast<uint32_t>(shape_.types.size()));
    for (uint32_t k = 0; k < shape_.types.size(); ++k) {
      const uint32_t i = (start + k) % static_cast<uint32_t>(shape_.types.size());
      if (!shape_.types[i].results.empty() && shape_.types[i].results[0] == t) return i;
    }
    return std::nullopt;
  }
  void drop_extra_results(const wasm::FuncType& ft) {
    for (size_t i = 1; i < ft.results.size(); ++i) out_.op(Opcode::Drop);
  }
  void args(const wasm::FuncType& ft) {
    for (ValType p : ft.params) expr(p);
  }

  void leaf(ValType t) {
    switch (src_.below(3)) {
      case 1:
        if (auto l = local_of(t)) {
          out_.op(Opcode::LocalGet);
          out_.uleb(*l);
          return;
        }
        break;
      case 2:
        if (auto g = global_of(t)) {
          out_.op(Opcode::GlobalGet);
          out_.uleb(*g);
          return;
        }
        break;
      default: break;
    }
    write_constant(src_, out_, t);
  }

  // An i32 address: mostly inside the first page (so most accesses do not trap), sometimes
  // anything, sometimes right at the end of the page.
  void address() {
    switch (src_.below(8)) {
      case 0:
      case 1:
      case 2:
        out_.op(Opcode::I32Const);
        out_.sleb(src_.below(65536 - 64));
        return;
      case 5: expr(ValType::I32); return;
      case 6:
        out_.op(Opcode::I32Const);
        out_.sleb(65536 - src_.below(16));
        return;
      default:
        expr(ValType::I32);
        out_.op(Opcode::I32Const);
        out_.sleb(0xFFC0);
        out_.op(Opcode::I32And);
        return;
    }
  }
  void memarg(uint8_t access_bytes) {
    uint32_t max_align = 0;
    while ((1u << (max_align + 1)) <= access_bytes) ++max_align;
    out_.uleb(src_.below(max_align + 1));
    switch (src_.below(32)) {
      case 0: out_.uleb(0); break;
      case 1: out_.uleb(65536); break;
      case 2: out_.uleb(0xFFFF'FFFFu); break;
      default: out_.uleb(src_.below(32)); break;
    }
  }
  void small_i32(uint32_t below) {
    out_.op(Opcode::I32Const);
    out_.sleb(src_.below(below));
  }

  void expr(ValType t);
  /// Writes one construct of type t chosen from the bytes; false if it does not fit here.
  bool construct(ValType t);
  void statement();
  void statements(uint32_t max) {
    const uint32_t n = src_.below(max + 1);
    for (uint32_t i = 0; i < n; ++i) statement();
  }

  ByteSource& src_;
  const ModuleShape& shape_;
  const wasm::FuncType& type_;
  WasmWriter& out_;
  std::vector<ValType> locals_;  ///< parameters and general-purpose locals
  uint32_t counter_base_ = 0;    ///< first of the kLoopCounters loop-counter locals
  uint32_t open_loops_ = 0;      ///< counted loops open (each owns one counter)
  std::vector<Label> labels_;    ///< innermost last; [0] is the function body
  uint32_t expr_depth_ = 0;
  int budget_ = kBudget;
};

void BodyGenerator::expr(ValType t) {
  if (expr_depth_ >= kMaxExprDepth || !spend()) return leaf(t);
  ++expr_depth_;
  if (!construct(t)) leaf(t);
  --expr_depth_;
}

bool BodyGenerator::construct(ValType t) {
  const OpTables& ops = op_tables();
  const size_t slot = type_slot(t);
  switch (src_.below(15)) {
    case 0: write_constant(src_, out_, t); break;
    case 1: leaf(t); break;
    case 2: {
      const auto& list = ops.unary[slot];
      const OpSig& s = list[src_.below(static_cast<uint32_t>(list.size()))];
      expr(s.in1);
      out_.op(s.op);
      break;
    }
    case 3: {
      const auto& list = ops.binary[slot];
      const OpSig& s = list[src_.below(static_cast<uint32_t>(list.size()))];
      expr(s.in1);
      expr(s.in2);
      out_.op(s.op);
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
  switch (src_.below(16)) {
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
      small_i32(24);
      small_i32(24);
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
    default:
      if (!src_.one_in(4)) break;
      if (auto l = empty_label()) {
        out_.op(Opcode::Br);
        out_.uleb(*l);
      }
      break;
  }
}

}  // namespace

void write_constant(ByteSource& src, WasmWriter& out, ValType t) {
  // Values at the edges of each operation's domain, and anything at all.
  static constexpr std::array<uint32_t, 8> kF32 = {0, 0x8000'0000, 0x3F80'0000, 0x7FC0'0000,
                                                   0x7FA0'0000, 0x7F80'0000, 0xFF80'0000, 0x4F00'0000};
  static constexpr std::array<uint64_t, 8> kF64 = {
      0, 0x8000'0000'0000'0000, 0x3FF0'0000'0000'0000, 0x7FF8'0000'0000'0000, 0x7FF4'0000'0000'0000,
      0x7FF0'0000'0000'0000, 0xFFF0'0000'0000'0000, 0x43E0'0000'0000'0000};
  const uint32_t pick = src.below(12);
  switch (t) {
    case ValType::I32: {
      static constexpr std::array<int32_t, 5> kI32 = {0, 1, -1, INT32_MIN, INT32_MAX};
      out.op(Opcode::I32Const);
      out.sleb(pick < kI32.size() ? kI32[pick] : pick < 9 ? int32_t(src.below(256)) : int32_t(src.u32()));
      return;
    }
    case ValType::I64: {
      static constexpr std::array<int64_t, 5> kI64 = {0, 1, -1, INT64_MIN, INT64_MAX};
      out.op(Opcode::I64Const);
      out.sleb(pick < kI64.size() ? kI64[pick] : pick < 9 ? int64_t(src.below(256)) : int64_t(src.u64()));
      return;
    }
    case ValType::F32:
      out.op(Opcode::F32Const);
      out.fixed32(pick < kF32.size() ? kF32[pick] : src.u32());
      return;
    default:
      out.op(Opcode::F64Const);
      out.fixed64(pick < kF64.size() ? kF64[pick] : src.u64());
      return;
  }
}

void generate_body(ByteSource& src, const ModuleShape& shape, uint32_t type_index, WasmWriter& out) {
  BodyGenerator(src, shape, shape.types[type_index], out).generate();
}

}  // namespace lunatic::fuzz
