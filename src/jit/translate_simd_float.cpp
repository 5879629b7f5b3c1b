// Float v128 instructions in IR (engine/simd.hpp is the reference): compares, IEEE arithmetic,
// abs/neg as bit operations, min/max with the Wasm rules (float_min_max, shared with the
// scalars), pmin/pmax, rounding, and the conversions (saturating truncation, int -> float,
// demote/promote). NaN results are the hardware's, as the interpreter's vector code gives them.
#include "jit/translate_function.hpp"

namespace lunatic::jit {

namespace {

using wasm::Opcode;
using Pred = llvm::CmpInst::Predicate;

// eq, ne, lt, gt, le, ge: ordered except ne ("ne is true when either is NaN").
constexpr Pred kCompares[6] = {Pred::FCMP_OEQ, Pred::FCMP_UNE, Pred::FCMP_OLT,
                               Pred::FCMP_OGT, Pred::FCMP_OLE, Pred::FCMP_OGE};

}  // namespace

bool FunctionTranslator::translate_simd_float(Opcode op) {
  llvm::Type* f32 = env_.f32;
  llvm::Type* f64 = env_.f64;
  auto* v2i32 = llvm::FixedVectorType::get(env_.i32, 2);
  auto* v2f32 = llvm::FixedVectorType::get(f32, 2);
  const bool cmp32 = opcode_in(op, Opcode::F32x4Eq, Opcode::F32x4Ge);
  if (cmp32 || opcode_in(op, Opcode::F64x2Eq, Opcode::F64x2Ge)) {
    const auto first = static_cast<uint16_t>(cmp32 ? Opcode::F32x4Eq : Opcode::F64x2Eq);
    llvm::Type* lane = cmp32 ? f32 : f64;
    llvm::Value* b = as_lanes(pop(), lane);
    llvm::Value* a = as_lanes(pop(), lane);
    llvm::Value* r = b_.CreateFCmp(kCompares[static_cast<uint16_t>(op) - first], a, b);
    push(as_v128(b_.CreateSExt(r, llvm::VectorType::getInteger(lanes(lane)))));
    return true;
  }
  auto binary = [&](llvm::Type* lane, auto make) {
    llvm::Value* b = as_lanes(pop(), lane);
    llvm::Value* a = as_lanes(pop(), lane);
    push(as_v128(make(a, b)));
    return true;
  };
  auto arith = [&](llvm::Type* lane, llvm::Instruction::BinaryOps kind) {
    return binary(lane, [&](llvm::Value* a, llvm::Value* b) { return b_.CreateBinOp(kind, a, b); });
  };
  auto min_max = [&](llvm::Type* lane, bool is_min) {
    return binary(lane,
                  [&](llvm::Value* a, llvm::Value* b) { return float_min_max(is_min, a, b); });
  };
  // pmin: b < a ? b : a; pmax: a < b ? b : a (exactly, NaNs and zeros included).
  auto pseudo = [&](llvm::Type* lane, bool is_min) {
    return binary(lane, [&](llvm::Value* a, llvm::Value* b) {
      llvm::Value* take_b = is_min ? b_.CreateFCmpOLT(b, a) : b_.CreateFCmpOLT(a, b);
      return b_.CreateSelect(take_b, b, a);
    });
  };
  auto unary = [&](llvm::Type* lane, auto make) {
    push(as_v128(make(as_lanes(pop(), lane))));
    return true;
  };
  auto rounding = [&](llvm::Type* lane, llvm::Intrinsic::ID id) {
    return unary(lane, [&](llvm::Value* a) { return float_rounding(id, a); });
  };
  auto sqrt = [&](llvm::Type* lane) {
    return unary(lane,
                 [&](llvm::Value* a) { return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, a); });
  };
  // abs clears, neg flips the sign bit of each lane (NaNs included).
  auto sign_bit = [&](llvm::Type* int_lane, bool is_abs) {
    const unsigned bits = int_lane->getScalarSizeInBits();
    const llvm::APInt sign = llvm::APInt::getSignMask(bits);
    llvm::Value* a = as_lanes(pop(), int_lane);
    llvm::Value* mask =
        b_.CreateVectorSplat(128 / bits, llvm::ConstantInt::get(int_lane, is_abs ? ~sign : sign));
    push(as_v128(is_abs ? b_.CreateAnd(a, mask) : b_.CreateXor(a, mask)));
    return true;
  };
  // Two results in lanes 0 and 1, zeros in lanes 2 and 3.
  auto with_zero_lanes = [&](llvm::Value* two) {
    return b_.CreateShuffleVector(two, llvm::Constant::getNullValue(two->getType()),
                                  llvm::ArrayRef<int>{0, 1, 2, 3});
  };
  auto low_two = [&](llvm::Value* v, llvm::Type* lane) {
    llvm::Value* l = as_lanes(v, lane);
    return b_.CreateShuffleVector(l, l, llvm::ArrayRef<int>{0, 1});
  };
  using BinOp = llvm::Instruction::BinaryOps;
  using llvm::Intrinsic::fptosi_sat;
  using llvm::Intrinsic::fptoui_sat;
  switch (op) {
    case Opcode::F32x4Add: return arith(f32, BinOp::FAdd);
    case Opcode::F32x4Sub: return arith(f32, BinOp::FSub);
    case Opcode::F32x4Mul: return arith(f32, BinOp::FMul);
    case Opcode::F32x4Div: return arith(f32, BinOp::FDiv);
    case Opcode::F64x2Add: return arith(f64, BinOp::FAdd);
    case Opcode::F64x2Sub: return arith(f64, BinOp::FSub);
    case Opcode::F64x2Mul: return arith(f64, BinOp::FMul);
    case Opcode::F64x2Div: return arith(f64, BinOp::FDiv);
    case Opcode::F32x4Min: return min_max(f32, true);
    case Opcode::F32x4Max: return min_max(f32, false);
    case Opcode::F64x2Min: return min_max(f64, true);
    case Opcode::F64x2Max: return min_max(f64, false);
    case Opcode::F32x4Pmin: return pseudo(f32, true);
    case Opcode::F32x4Pmax: return pseudo(f32, false);
    case Opcode::F64x2Pmin: return pseudo(f64, true);
    case Opcode::F64x2Pmax: return pseudo(f64, false);
    case Opcode::F32x4Sqrt: return sqrt(f32);
    case Opcode::F64x2Sqrt: return sqrt(f64);
    case Opcode::F32x4Abs: return sign_bit(env_.i32, true);
    case Opcode::F32x4Neg: return sign_bit(env_.i32, false);
    case Opcode::F64x2Abs: return sign_bit(env_.i64, true);
    case Opcode::F64x2Neg: return sign_bit(env_.i64, false);
    case Opcode::F32x4Ceil: return rounding(f32, llvm::Intrinsic::ceil);
    case Opcode::F32x4Floor: return rounding(f32, llvm::Intrinsic::floor);
    case Opcode::F32x4Trunc: return rounding(f32, llvm::Intrinsic::trunc);
    case Opcode::F32x4Nearest: return rounding(f32, llvm::Intrinsic::roundeven);
    case Opcode::F64x2Ceil: return rounding(f64, llvm::Intrinsic::ceil);
    case Opcode::F64x2Floor: return rounding(f64, llvm::Intrinsic::floor);
    case Opcode::F64x2Trunc: return rounding(f64, llvm::Intrinsic::trunc);
    case Opcode::F64x2Nearest: return rounding(f64, llvm::Intrinsic::roundeven);
    case Opcode::I32x4TruncSatF32x4S:
    case Opcode::I32x4TruncSatF32x4U: {  // NaN -> 0, out of range -> the nearest bound
      const bool is_signed = op == Opcode::I32x4TruncSatF32x4S;
      llvm::Value* a = as_lanes(pop(), f32);
      push(as_v128(b_.CreateIntrinsic(is_signed ? fptosi_sat : fptoui_sat,
                                      {lanes(env_.i32), a->getType()}, {a})));
      return true;
    }
    case Opcode::I32x4TruncSatF64x2SZero:
    case Opcode::I32x4TruncSatF64x2UZero: {
      const bool is_signed = op == Opcode::I32x4TruncSatF64x2SZero;
      llvm::Value* a = as_lanes(pop(), f64);
      llvm::Value* two =
          b_.CreateIntrinsic(is_signed ? fptosi_sat : fptoui_sat, {v2i32, a->getType()}, {a});
      push(as_v128(with_zero_lanes(two)));
      return true;
    }
    case Opcode::F32x4ConvertI32x4S:  // correctly rounded
      push(as_v128(b_.CreateSIToFP(as_lanes(pop(), env_.i32), lanes(f32))));
      return true;
    case Opcode::F32x4ConvertI32x4U:
      push(as_v128(b_.CreateUIToFP(as_lanes(pop(), env_.i32), lanes(f32))));
      return true;
    case Opcode::F64x2ConvertLowI32x4S:  // exact
      push(as_v128(b_.CreateSIToFP(low_two(pop(), env_.i32), lanes(f64))));
      return true;
    case Opcode::F64x2ConvertLowI32x4U:
      push(as_v128(b_.CreateUIToFP(low_two(pop(), env_.i32), lanes(f64))));
      return true;
    case Opcode::F32x4DemoteF64x2Zero:
      push(as_v128(with_zero_lanes(b_.CreateFPTrunc(as_lanes(pop(), f64), v2f32))));
      return true;
    case Opcode::F64x2PromoteLowF32x4:
      push(as_v128(b_.CreateFPExt(low_two(pop(), f32), lanes(f64))));
      return true;
    default: return false;
  }
}

}  // namespace lunatic::jit
