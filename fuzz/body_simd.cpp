// The SIMD part of the body generator (ModuleShape::simd): v128 expressions (constants, splats,
// lane replacement, shuffles, the lane-wise operators of opcodes.def, loads of every kind,
// select and if with v128 results), scalars taken out of a v128 (extract_lane, any_true,
// all_true, bitmask) and v128 stores. Float-lane arithmetic results are canonicalized lane by
// lane when NaNs are (ModuleShape::canonical_nans).
#include <array>
#include <vector>

#include "body_builder.hpp"

namespace lunatic::fuzz {
namespace {

using wasm::Immediate;
using wasm::Opcode;
using wasm::Operand;
using wasm::ValType;

// The SIMD instructions of opcodes.def by signature (v128.const, i8x16.shuffle and
// v128.bitselect are written by hand).
struct SimdTables {
  std::vector<Opcode> unary;                    ///< v128 -> v128
  std::vector<Opcode> binary;                   ///< v128 v128 -> v128
  std::vector<Opcode> shifts;                   ///< v128 i32 -> v128
  std::vector<Opcode> tests;                    ///< v128 -> i32 (any_true, all_true, bitmask)
  std::vector<Opcode> splats;                   ///< scalar -> v128
  std::vector<Opcode> extracts;                 ///< v128 -> scalar, lane immediate
  std::vector<Opcode> replaces;                 ///< v128 scalar -> v128, lane immediate
  std::vector<Opcode> loads;                    ///< i32 -> v128, memarg
  std::vector<Opcode> load_lanes, store_lanes;  ///< memarg and lane
};

const SimdTables& simd_tables() {
  static const SimdTables tables = [] {
    SimdTables t;
    for (uint16_t i = 0; i < wasm::kOpcodeCount; ++i) {
      const auto op = static_cast<Opcode>(i);
      if (!wasm::is_simd(op)) continue;
      const wasm::OpcodeInfo& info = wasm::opcode_info(op);
      const bool v_in = info.in1 == Operand::v128;
      switch (info.immediate) {
        case Immediate::None:
          if (info.out == Operand::v128 && v_in && info.in2 == Operand::none) t.unary.push_back(op);
          if (info.out == Operand::v128 && v_in && info.in2 == Operand::v128)
            t.binary.push_back(op);
          if (info.out == Operand::v128 && v_in && info.in2 == Operand::i32) t.shifts.push_back(op);
          if (info.out == Operand::i32 && v_in) t.tests.push_back(op);
          if (info.out == Operand::v128 && !v_in && info.in1 != Operand::special)
            t.splats.push_back(op);
          break;
        case Immediate::Lane:
          (info.out == Operand::v128 ? t.replaces : t.extracts).push_back(op);
          break;
        case Immediate::MemArg:
          if (info.out == Operand::v128) t.loads.push_back(op);
          break;
        case Immediate::MemArgLane:
          (info.out == Operand::v128 ? t.load_lanes : t.store_lanes).push_back(op);
          break;
        default: break;
      }
    }
    return t;
  }();
  return tables;
}

ValType type_of(Operand o) {
  switch (o) {
    case Operand::i64: return ValType::I64;
    case Operand::f32: return ValType::F32;
    case Operand::f64: return ValType::F64;
    case Operand::v128: return ValType::V128;
    default: return ValType::I32;
  }
}

}  // namespace

void BodyGenerator::simd_expr() {
  const SimdTables& t = simd_tables();
  auto pick = [&](const std::vector<Opcode>& list) {
    return list[src_.below(static_cast<uint32_t>(list.size()))];
  };
  switch (src_.below(16)) {
    case 0: write_constant(src_, out_, ValType::V128); return;
    case 1: leaf(ValType::V128); return;
    case 2: {
      const Opcode op = pick(t.splats);
      expr(type_of(wasm::opcode_info(op).in1));
      out_.op(op);
      return;
    }
    case 3:
    case 4: {
      const Opcode op = pick(t.unary);
      expr(ValType::V128);
      out_.op(op);
      canonicalize_v128_nans(op);
      return;
    }
    case 5:
    case 6:
    case 7: {
      const Opcode op = pick(t.binary);
      expr(ValType::V128);
      expr(ValType::V128);
      out_.op(op);
      canonicalize_v128_nans(op);
      return;
    }
    case 8: {
      const Opcode op = pick(t.shifts);
      expr(ValType::V128);
      if (src_.one_in(2)) {
        expr(ValType::I32);
      } else {
        small_i32(70);  // past every lane width: the count is taken modulo it
      }
      out_.op(op);
      return;
    }
    case 9:
      expr(ValType::V128);
      expr(ValType::V128);
      expr(ValType::V128);
      out_.op(Opcode::V128Bitselect);
      return;
    case 10:
      expr(ValType::V128);
      expr(ValType::V128);
      out_.op(Opcode::I8x16Shuffle);
      for (int i = 0; i < 16; ++i) out_.u8(static_cast<uint8_t>(src_.below(32)));
      return;
    case 11: {
      const Opcode op = pick(t.replaces);
      expr(ValType::V128);
      expr(type_of(wasm::opcode_info(op).in2));
      out_.op(op);
      out_.u8(static_cast<uint8_t>(src_.below(wasm::lane_count(op))));
      return;
    }
    case 12: {
      const Opcode op = pick(t.loads);
      address();
      out_.op(op);
      memarg(wasm::opcode_info(op).access_bytes);
      return;
    }
    case 13: {
      const Opcode op = pick(t.load_lanes);
      address();
      expr(ValType::V128);
      out_.op(op);
      memarg(wasm::opcode_info(op).access_bytes);
      out_.u8(static_cast<uint8_t>(src_.below(wasm::lane_count(op))));
      return;
    }
    case 14:
      expr(ValType::V128);
      expr(ValType::V128);
      expr(ValType::I32);
      out_.op(Opcode::Select);
      return;
    default:
      if (!can_nest()) return leaf(ValType::V128);
      expr(ValType::I32);
      block_start(Opcode::If, Label::Values, static_cast<uint8_t>(ValType::V128));
      expr(ValType::V128);
      out_.op(Opcode::Else);
      expr(ValType::V128);
      block_end();
      return;
  }
}

void BodyGenerator::simd_scalar(ValType t) {
  const SimdTables& tables = simd_tables();
  std::vector<Opcode> fits;
  for (Opcode op : tables.extracts) {
    if (type_of(wasm::opcode_info(op).out) == t) fits.push_back(op);
  }
  if (t == ValType::I32 && src_.one_in(2)) fits = tables.tests;
  const Opcode op = fits[src_.below(static_cast<uint32_t>(fits.size()))];
  expr(ValType::V128);
  out_.op(op);
  if (wasm::opcode_info(op).immediate == Immediate::Lane) {
    out_.u8(static_cast<uint8_t>(src_.below(wasm::lane_count(op))));
  }
}

void BodyGenerator::simd_statement() {
  const SimdTables& t = simd_tables();
  switch (src_.below(3)) {
    case 0:
      address();
      expr(ValType::V128);
      out_.op(Opcode::V128Store);
      memarg(16);
      return;
    case 1: {
      const Opcode op = t.store_lanes[src_.below(static_cast<uint32_t>(t.store_lanes.size()))];
      address();
      expr(ValType::V128);
      out_.op(op);
      memarg(wasm::opcode_info(op).access_bytes);
      out_.u8(static_cast<uint8_t>(src_.below(wasm::lane_count(op))));
      return;
    }
    default:
      expr(ValType::V128);
      out_.op(Opcode::Drop);
      return;
  }
}

// After a float-lane arithmetic instruction: each NaN lane becomes the positive canonical NaN
// (bitselect(x, nan, x == x), lane-wise). pmin/pmax pick an operand exactly, abs/neg are bit
// operations and conversions from integers make no NaN: their bits are specified.
void BodyGenerator::canonicalize_v128_nans(Opcode op) {
  if (!shape_.canonical_nans) return;
  bool f32 = true;
  switch (op) {
    case Opcode::F32x4Add:
    case Opcode::F32x4Sub:
    case Opcode::F32x4Mul:
    case Opcode::F32x4Div:
    case Opcode::F32x4Sqrt:
    case Opcode::F32x4Min:
    case Opcode::F32x4Max:
    case Opcode::F32x4Ceil:
    case Opcode::F32x4Floor:
    case Opcode::F32x4Trunc:
    case Opcode::F32x4Nearest:
    case Opcode::F32x4DemoteF64x2Zero: break;
    case Opcode::F64x2Add:
    case Opcode::F64x2Sub:
    case Opcode::F64x2Mul:
    case Opcode::F64x2Div:
    case Opcode::F64x2Sqrt:
    case Opcode::F64x2Min:
    case Opcode::F64x2Max:
    case Opcode::F64x2Ceil:
    case Opcode::F64x2Floor:
    case Opcode::F64x2Trunc:
    case Opcode::F64x2Nearest:
    case Opcode::F64x2PromoteLowF32x4: f32 = false; break;
    default: return;
  }
  out_.op(Opcode::LocalTee);
  out_.uleb(v128_scratch_);
  out_.op(Opcode::V128Const);
  for (int i = 0; i < 2; ++i) {
    if (f32) {
      out_.fixed32(0x7FC0'0000u);
      out_.fixed32(0x7FC0'0000u);
    } else {
      out_.fixed64(0x7FF8'0000'0000'0000ull);
    }
  }
  for (int i = 0; i < 2; ++i) {
    out_.op(Opcode::LocalGet);
    out_.uleb(v128_scratch_);
  }
  out_.op(f32 ? Opcode::F32x4Eq : Opcode::F64x2Eq);
  out_.op(Opcode::V128Bitselect);
}

}  // namespace lunatic::fuzz
