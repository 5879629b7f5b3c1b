// Integer v128 instructions in IR (engine/simd.hpp is the reference): lane compares (all ones
// where true), wrapping and saturating arithmetic, min/max, shifts (count modulo the lane
// width), abs/neg/popcnt, all_true and bitmask.
#include "jit/translate_function.hpp"

namespace lunatic::jit {

namespace {

using wasm::Opcode;
using Pred = llvm::CmpInst::Predicate;

// eq, ne, lt_s, lt_u, gt_s, gt_u, le_s, le_u, ge_s, ge_u (i8x16, i16x8, i32x4 in this order).
constexpr Pred kCompares[10] = {Pred::ICMP_EQ,  Pred::ICMP_NE,  Pred::ICMP_SLT, Pred::ICMP_ULT,
                                Pred::ICMP_SGT, Pred::ICMP_UGT, Pred::ICMP_SLE, Pred::ICMP_ULE,
                                Pred::ICMP_SGE, Pred::ICMP_UGE};
// i64x2: eq, ne, lt_s, gt_s, le_s, ge_s.
constexpr Pred kCompares64[6] = {Pred::ICMP_EQ,  Pred::ICMP_NE,  Pred::ICMP_SLT,
                                 Pred::ICMP_SGT, Pred::ICMP_SLE, Pred::ICMP_SGE};

size_t index_in(Opcode op, Opcode first) {
  return static_cast<uint16_t>(op) - static_cast<uint16_t>(first);
}

}  // namespace

bool FunctionTranslator::translate_simd_integer(Opcode op) {
  llvm::Type* i8 = env_.i8;
  llvm::Type* i16 = b_.getInt16Ty();
  llvm::Type* i32 = env_.i32;
  llvm::Type* i64 = env_.i64;
  auto compare = [&](llvm::Type* lane, Pred pred) {
    llvm::Value* b = as_lanes(pop(), lane);
    llvm::Value* a = as_lanes(pop(), lane);
    push(as_v128(b_.CreateSExt(b_.CreateICmp(pred, a, b), a->getType())));
    return true;
  };
  if (opcode_in(op, Opcode::I8x16Eq, Opcode::I8x16GeU))
    return compare(i8, kCompares[index_in(op, Opcode::I8x16Eq)]);
  if (opcode_in(op, Opcode::I16x8Eq, Opcode::I16x8GeU))
    return compare(i16, kCompares[index_in(op, Opcode::I16x8Eq)]);
  if (opcode_in(op, Opcode::I32x4Eq, Opcode::I32x4GeU))
    return compare(i32, kCompares[index_in(op, Opcode::I32x4Eq)]);
  if (opcode_in(op, Opcode::I64x2Eq, Opcode::I64x2GeS))
    return compare(i64, kCompares64[index_in(op, Opcode::I64x2Eq)]);

  auto binary = [&](llvm::Type* lane, auto make) {
    llvm::Value* b = as_lanes(pop(), lane);
    llvm::Value* a = as_lanes(pop(), lane);
    push(as_v128(make(a, b)));
    return true;
  };
  auto arith = [&](llvm::Type* lane, llvm::Instruction::BinaryOps kind) {
    return binary(lane, [&](llvm::Value* a, llvm::Value* b) { return b_.CreateBinOp(kind, a, b); });
  };
  auto intrinsic = [&](llvm::Type* lane, llvm::Intrinsic::ID id) {
    return binary(
        lane, [&](llvm::Value* a, llvm::Value* b) { return b_.CreateBinaryIntrinsic(id, a, b); });
  };
  // The count modulo the lane width, in every lane.
  auto shift = [&](llvm::Type* lane, llvm::Instruction::BinaryOps kind) {
    const unsigned bits = lane->getScalarSizeInBits();
    llvm::Value* n = b_.CreateAnd(pop(), i32_const(bits - 1));
    llvm::Value* a = as_lanes(pop(), lane);
    llvm::Value* count = b_.CreateVectorSplat(128 / bits, b_.CreateZExtOrTrunc(n, lane));
    push(as_v128(b_.CreateBinOp(kind, a, count)));
    return true;
  };
  auto unary = [&](llvm::Type* lane, auto make) {
    push(as_v128(make(as_lanes(pop(), lane))));
    return true;
  };
  auto abs = [&](llvm::Type* lane) {  // the most negative value stays itself
    return unary(lane, [&](llvm::Value* a) {
      return b_.CreateBinaryIntrinsic(llvm::Intrinsic::abs, a, b_.getFalse());
    });
  };
  auto neg = [&](llvm::Type* lane) {
    return unary(lane, [&](llvm::Value* a) { return b_.CreateNeg(a); });
  };
  auto all_true = [&](llvm::Type* lane) {
    llvm::Value* a = as_lanes(pop(), lane);
    llvm::Value* nonzero = b_.CreateICmpNE(a, llvm::Constant::getNullValue(a->getType()));
    push(b_.CreateZExt(b_.CreateAndReduce(nonzero), i32));
    return true;
  };
  auto bitmask = [&](llvm::Type* lane) {  // bit i: the top bit of lane i
    llvm::Value* a = as_lanes(pop(), lane);
    llvm::Value* negative = b_.CreateICmpSLT(a, llvm::Constant::getNullValue(a->getType()));
    const unsigned count = 128 / lane->getScalarSizeInBits();
    push(b_.CreateZExt(b_.CreateBitCast(negative, b_.getIntNTy(count)), i32));
    return true;
  };
  using BinOp = llvm::Instruction::BinaryOps;
  switch (op) {
    case Opcode::I8x16Add: return arith(i8, BinOp::Add);
    case Opcode::I16x8Add: return arith(i16, BinOp::Add);
    case Opcode::I32x4Add: return arith(i32, BinOp::Add);
    case Opcode::I64x2Add: return arith(i64, BinOp::Add);
    case Opcode::I8x16Sub: return arith(i8, BinOp::Sub);
    case Opcode::I16x8Sub: return arith(i16, BinOp::Sub);
    case Opcode::I32x4Sub: return arith(i32, BinOp::Sub);
    case Opcode::I64x2Sub: return arith(i64, BinOp::Sub);
    case Opcode::I16x8Mul: return arith(i16, BinOp::Mul);
    case Opcode::I32x4Mul: return arith(i32, BinOp::Mul);
    case Opcode::I64x2Mul: return arith(i64, BinOp::Mul);
    case Opcode::I8x16AddSatS: return intrinsic(i8, llvm::Intrinsic::sadd_sat);
    case Opcode::I8x16AddSatU: return intrinsic(i8, llvm::Intrinsic::uadd_sat);
    case Opcode::I8x16SubSatS: return intrinsic(i8, llvm::Intrinsic::ssub_sat);
    case Opcode::I8x16SubSatU: return intrinsic(i8, llvm::Intrinsic::usub_sat);
    case Opcode::I16x8AddSatS: return intrinsic(i16, llvm::Intrinsic::sadd_sat);
    case Opcode::I16x8AddSatU: return intrinsic(i16, llvm::Intrinsic::uadd_sat);
    case Opcode::I16x8SubSatS: return intrinsic(i16, llvm::Intrinsic::ssub_sat);
    case Opcode::I16x8SubSatU: return intrinsic(i16, llvm::Intrinsic::usub_sat);
    case Opcode::I8x16MinS: return intrinsic(i8, llvm::Intrinsic::smin);
    case Opcode::I8x16MinU: return intrinsic(i8, llvm::Intrinsic::umin);
    case Opcode::I8x16MaxS: return intrinsic(i8, llvm::Intrinsic::smax);
    case Opcode::I8x16MaxU: return intrinsic(i8, llvm::Intrinsic::umax);
    case Opcode::I16x8MinS: return intrinsic(i16, llvm::Intrinsic::smin);
    case Opcode::I16x8MinU: return intrinsic(i16, llvm::Intrinsic::umin);
    case Opcode::I16x8MaxS: return intrinsic(i16, llvm::Intrinsic::smax);
    case Opcode::I16x8MaxU: return intrinsic(i16, llvm::Intrinsic::umax);
    case Opcode::I32x4MinS: return intrinsic(i32, llvm::Intrinsic::smin);
    case Opcode::I32x4MinU: return intrinsic(i32, llvm::Intrinsic::umin);
    case Opcode::I32x4MaxS: return intrinsic(i32, llvm::Intrinsic::smax);
    case Opcode::I32x4MaxU: return intrinsic(i32, llvm::Intrinsic::umax);
    case Opcode::I8x16Shl: return shift(i8, BinOp::Shl);
    case Opcode::I8x16ShrS: return shift(i8, BinOp::AShr);
    case Opcode::I8x16ShrU: return shift(i8, BinOp::LShr);
    case Opcode::I16x8Shl: return shift(i16, BinOp::Shl);
    case Opcode::I16x8ShrS: return shift(i16, BinOp::AShr);
    case Opcode::I16x8ShrU: return shift(i16, BinOp::LShr);
    case Opcode::I32x4Shl: return shift(i32, BinOp::Shl);
    case Opcode::I32x4ShrS: return shift(i32, BinOp::AShr);
    case Opcode::I32x4ShrU: return shift(i32, BinOp::LShr);
    case Opcode::I64x2Shl: return shift(i64, BinOp::Shl);
    case Opcode::I64x2ShrS: return shift(i64, BinOp::AShr);
    case Opcode::I64x2ShrU: return shift(i64, BinOp::LShr);
    case Opcode::I8x16Abs: return abs(i8);
    case Opcode::I16x8Abs: return abs(i16);
    case Opcode::I32x4Abs: return abs(i32);
    case Opcode::I64x2Abs: return abs(i64);
    case Opcode::I8x16Neg: return neg(i8);
    case Opcode::I16x8Neg: return neg(i16);
    case Opcode::I32x4Neg: return neg(i32);
    case Opcode::I64x2Neg: return neg(i64);
    case Opcode::I8x16Popcnt:
      return unary(
          i8, [&](llvm::Value* a) { return b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, a); });
    case Opcode::I8x16AllTrue: return all_true(i8);
    case Opcode::I16x8AllTrue: return all_true(i16);
    case Opcode::I32x4AllTrue: return all_true(i32);
    case Opcode::I64x2AllTrue: return all_true(i64);
    case Opcode::I8x16Bitmask: return bitmask(i8);
    case Opcode::I16x8Bitmask: return bitmask(i16);
    case Opcode::I32x4Bitmask: return bitmask(i32);
    case Opcode::I64x2Bitmask: return bitmask(i64);
    default: return false;
  }
}

}  // namespace lunatic::jit
