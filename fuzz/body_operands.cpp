// The operand helpers of the body generator: constants, locals and globals, addresses and
// memargs, references and table instructions, and the instruction lists taken from the one
// opcode table (opcodes.def).
#include <array>
#include <optional>

#include "body_builder.hpp"

namespace lunatic::fuzz {
namespace {

using wasm::Opcode;
using wasm::ValType;

std::optional<ValType> operand_type(wasm::Operand o) {
  switch (o) {
    case wasm::Operand::i32: return ValType::I32;
    case wasm::Operand::i64: return ValType::I64;
    case wasm::Operand::f32: return ValType::F32;
    case wasm::Operand::f64: return ValType::F64;
    default: return std::nullopt;
  }
}

}  // namespace

size_t type_slot(ValType t) {
  switch (t) {
    case ValType::I32: return 0;
    case ValType::I64: return 1;
    case ValType::F32: return 2;
    default: return 3;
  }
}

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

std::optional<uint32_t> BodyGenerator::local_of(ValType t) {
  std::vector<uint32_t> matching;
  for (uint32_t i = 0; i < locals_.size(); ++i) {
    if (locals_[i] == t) matching.push_back(i);
  }
  if (matching.empty()) return std::nullopt;
  return matching[src_.below(static_cast<uint32_t>(matching.size()))];
}

std::optional<uint32_t> BodyGenerator::global_of(ValType t) {
  std::vector<uint32_t> matching;
  for (uint32_t i = 0; i < shape_.globals.size(); ++i) {
    if (shape_.globals[i] == t) matching.push_back(i);
  }
  if (matching.empty()) return std::nullopt;
  return matching[src_.below(static_cast<uint32_t>(matching.size()))];
}

// A random enclosing label a branch without values may target (relative depth). Branches
// back to a loop are rare: most would keep it spinning until the fuel runs out.
std::optional<uint32_t> BodyGenerator::empty_label() {
  const uint32_t depth = src_.below(static_cast<uint32_t>(labels_.size()));
  const Label l = labels_[labels_.size() - 1 - depth];
  if (l == Label::Empty || (l == Label::Loop && src_.one_in(8))) return depth;
  return std::nullopt;
}

// A type index whose first result is `t`.
std::optional<uint32_t> BodyGenerator::type_with_result(ValType t) {
  const uint32_t start = src_.below(static_cast<uint32_t>(shape_.types.size()));
  for (uint32_t k = 0; k < shape_.types.size(); ++k) {
    const uint32_t i = (start + k) % static_cast<uint32_t>(shape_.types.size());
    if (!shape_.types[i].results.empty() && shape_.types[i].results[0] == t) return i;
  }
  return std::nullopt;
}

void BodyGenerator::drop_extra_results(const wasm::FuncType& ft) {
  for (size_t i = 1; i < ft.results.size(); ++i) out_.op(Opcode::Drop);
}

void BodyGenerator::args(const wasm::FuncType& ft) {
  for (ValType p : ft.params) expr(p);
}

void BodyGenerator::leaf(ValType t) {
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
void BodyGenerator::address() {
  switch (src_.below(16)) {
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

void BodyGenerator::memarg(uint8_t access_bytes) {
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

// A funcref: null, a function, an element of table 0 (often past its end), or a typed select.
void BodyGenerator::funcref() {
  switch (src_.below(4)) {
    case 0:
      out_.op(Opcode::RefNull);
      out_.u8(kFuncRef);
      return;
    case 1:
      out_.op(Opcode::RefFunc);
      out_.uleb(src_.below(static_cast<uint32_t>(shape_.function_types.size())));
      return;
    case 2:
      small_i32(shape_.table_size + 1);
      out_.op(Opcode::TableGet);
      out_.uleb(0);
      return;
    default:
      if (expr_depth_ >= kMaxExprDepth || !spend()) {
        out_.op(Opcode::RefNull);
        out_.u8(kFuncRef);
        return;
      }
      ++expr_depth_;
      funcref();
      funcref();
      expr(ValType::I32);
      out_.op(Opcode::SelectT);
      out_.uleb(1);
      out_.u8(kFuncRef);
      --expr_depth_;
      return;
  }
}

// table.size, table.grow (by 0-2 elements; the table's maximum allows 4) or ref.is_null.
void BodyGenerator::reference_i32() {
  switch (src_.below(3)) {
    case 0:
      out_.op(Opcode::TableSize);
      out_.uleb(0);
      return;
    case 1:
      funcref();
      small_i32(3);
      out_.op(Opcode::TableGrow);
      out_.uleb(0);
      return;
    default:
      funcref();
      out_.op(Opcode::RefIsNull);
      return;
  }
}

// table.set, table.fill, table.copy, table.init or elem.drop on table 0, with indices around
// its end and short lengths, so that both the in-bounds and the trapping paths run.
void BodyGenerator::table_statement() {
  const uint32_t around = shape_.table_size + 1;
  switch (src_.below(5)) {
    case 0:
      small_i32(around);
      funcref();
      out_.op(Opcode::TableSet);
      out_.uleb(0);
      return;
    case 1:
      small_i32(around);
      funcref();
      small_i32(4);
      out_.op(Opcode::TableFill);
      out_.uleb(0);
      return;
    case 2:
      small_i32(around);
      small_i32(around);
      small_i32(4);
      out_.op(Opcode::TableCopy);
      out_.uleb(0);
      out_.uleb(0);
      return;
    case 3:
      small_i32(shape_.table_size + 1);
      small_i32(4);
      small_i32(4);
      out_.op(Opcode::TableInit);
      out_.uleb(shape_.passive_elem);
      out_.uleb(0);
      return;
    default:
      out_.op(Opcode::ElemDrop);
      out_.uleb(shape_.passive_elem);
      return;
  }
}

void write_constant(ByteSource& src, WasmWriter& out, ValType t) {
  // Values at the edges of each operation's domain, and anything at all.
  static constexpr std::array<uint32_t, 8> kF32 = {
      0, 0x8000'0000, 0x3F80'0000, 0x7FC0'0000, 0x7FA0'0000, 0x7F80'0000, 0xFF80'0000, 0x4F00'0000};
  static constexpr std::array<uint64_t, 8> kF64 = {0,
                                                   0x8000'0000'0000'0000,
                                                   0x3FF0'0000'0000'0000,
                                                   0x7FF8'0000'0000'0000,
                                                   0x7FF4'0000'0000'0000,
                                                   0x7FF0'0000'0000'0000,
                                                   0xFFF0'0000'0000'0000,
                                                   0x43E0'0000'0000'0000};
  const uint32_t pick = src.below(12);
  switch (t) {
    case ValType::I32: {
      static constexpr std::array<int32_t, 5> kI32 = {0, 1, -1, INT32_MIN, INT32_MAX};
      out.op(Opcode::I32Const);
      out.sleb(pick < kI32.size() ? kI32[pick]
               : pick < 9         ? int32_t(src.below(256))
                                  : int32_t(src.u32()));
      return;
    }
    case ValType::I64: {
      static constexpr std::array<int64_t, 5> kI64 = {0, 1, -1, INT64_MIN, INT64_MAX};
      out.op(Opcode::I64Const);
      out.sleb(pick < kI64.size() ? kI64[pick]
               : pick < 9         ? int64_t(src.below(256))
                                  : int64_t(src.u64()));
      return;
    }
    case ValType::F32:
      out.op(Opcode::F32Const);
      out.fixed32(pick < kF32.size() ? kF32[pick] : src.u32());
      return;
    case ValType::V128:  // all zeros or ones, float lanes from the edges above, any bytes
      out.op(Opcode::V128Const);
      for (int half = 0; half < 2; ++half) {
        if (pick < 2) {
          out.fixed64(pick == 0 ? 0 : ~uint64_t{0});
        } else if (pick < 6) {
          out.fixed32(kF32[src.below(kF32.size())]);
          out.fixed32(kF32[src.below(kF32.size())]);
        } else if (pick < 8) {
          out.fixed64(kF64[src.below(kF64.size())]);
        } else {
          out.fixed64(src.u64());
        }
      }
      return;
    default:
      out.op(Opcode::F64Const);
      out.fixed64(pick < kF64.size() ? kF64[pick] : src.u64());
      return;
  }
}

// After a float arithmetic instruction: `x` stays unless it is a NaN, which becomes the
// positive canonical NaN (select(x, nan, x == x)). Bit operations (abs, neg, copysign,
// reinterpret) and conversions from integers keep their exact, specified bits.
void BodyGenerator::canonicalize_nan(Opcode op, ValType result) {
  if (!shape_.canonical_nans || (result != ValType::F32 && result != ValType::F64)) return;
  switch (op) {
    case Opcode::F32Abs:
    case Opcode::F32Neg:
    case Opcode::F32Copysign:
    case Opcode::F32ReinterpretI32:
    case Opcode::F64Abs:
    case Opcode::F64Neg:
    case Opcode::F64Copysign:
    case Opcode::F64ReinterpretI64: return;
    default: break;
  }
  const bool f32 = result == ValType::F32;
  const uint32_t scratch = nan_scratch_ + (f32 ? 0 : 1);
  out_.op(Opcode::LocalTee);
  out_.uleb(scratch);
  if (f32) {
    out_.op(Opcode::F32Const);
    out_.fixed32(0x7FC00000u);
  } else {
    out_.op(Opcode::F64Const);
    out_.fixed64(0x7FF8000000000000ull);
  }
  for (int i = 0; i < 2; ++i) {
    out_.op(Opcode::LocalGet);
    out_.uleb(scratch);
  }
  out_.op(f32 ? Opcode::F32Eq : Opcode::F64Eq);
  out_.op(Opcode::Select);
}

}  // namespace lunatic::fuzz
