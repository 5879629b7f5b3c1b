// v128 instructions that change lane widths, in IR (engine/simd.hpp is the reference): narrow
// (saturating), extend, extmul, extadd_pairwise, and those computed at double width: avgr_u,
// q15mulr_sat_s, dot.
#include "jit/translate_function.hpp"

namespace lunatic::jit {

namespace {

using wasm::Opcode;

// Lane indices first, first + step, ... (count of them).
llvm::SmallVector<int, 16> lane_range(unsigned first, unsigned count, unsigned step = 1) {
  llvm::SmallVector<int, 16> mask;
  for (unsigned i = 0; i < count; ++i) mask.push_back(static_cast<int>(first + i * step));
  return mask;
}

}  // namespace

bool FunctionTranslator::translate_simd_width(Opcode op) {
  llvm::Type* i8 = env_.i8;
  llvm::Type* i16 = b_.getInt16Ty();
  llvm::Type* i32 = env_.i32;
  llvm::Type* i64 = env_.i64;
  auto extend_to = [&](llvm::Value* v, llvm::Type* to, bool is_signed) {
    auto* type = llvm::FixedVectorType::get(
        to, llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements());
    return is_signed ? b_.CreateSExt(v, type) : b_.CreateZExt(v, type);
  };
  // The lanes of a then b (From, signed), each saturated to To's signed or unsigned range.
  auto narrow = [&](llvm::Type* from, llvm::Type* to, bool to_signed) {
    llvm::Value* b = as_lanes(pop(), from);
    llvm::Value* a = as_lanes(pop(), from);
    const unsigned count = 128 / from->getScalarSizeInBits();
    llvm::Value* both = b_.CreateShuffleVector(a, b, lane_range(0, 2 * count));
    const unsigned to_bits = to->getScalarSizeInBits();
    const llvm::APInt low =
        to_signed ? llvm::APInt::getSignedMinValue(to_bits).sext(from->getScalarSizeInBits())
                  : llvm::APInt(from->getScalarSizeInBits(), 0);
    const llvm::APInt high =
        (to_signed ? llvm::APInt::getSignedMaxValue(to_bits) : llvm::APInt::getMaxValue(to_bits))
            .zext(from->getScalarSizeInBits());
    llvm::Value* low_splat = b_.CreateVectorSplat(2 * count, llvm::ConstantInt::get(from, low));
    llvm::Value* high_splat = b_.CreateVectorSplat(2 * count, llvm::ConstantInt::get(from, high));
    both = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, both, low_splat);
    both = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, both, high_splat);
    push(as_v128(b_.CreateTrunc(both, lanes(to))));
    return true;
  };
  // The low or high half of a's lanes, extended to twice their width.
  auto half = [&](llvm::Value* v, llvm::Type* from, llvm::Type* to, bool high, bool is_signed) {
    const unsigned count = 128 / to->getScalarSizeInBits();
    llvm::Value* lanes_of = as_lanes(v, from);
    llvm::Value* picked =
        b_.CreateShuffleVector(lanes_of, lanes_of, lane_range(high ? count : 0, count));
    return extend_to(picked, to, is_signed);
  };
  auto extend = [&](llvm::Type* from, llvm::Type* to, bool high, bool is_signed) {
    push(as_v128(half(pop(), from, to, high, is_signed)));
    return true;
  };
  auto extmul = [&](llvm::Type* from, llvm::Type* to, bool high, bool is_signed) {
    llvm::Value* b = half(pop(), from, to, high, is_signed);
    llvm::Value* a = half(pop(), from, to, high, is_signed);
    push(as_v128(b_.CreateMul(a, b)));
    return true;
  };
  // Adjacent lanes (2i, 2i + 1) extended and added.
  auto pairwise = [&](llvm::Value* v, unsigned count) {
    llvm::Value* even = b_.CreateShuffleVector(v, v, lane_range(0, count, 2));
    llvm::Value* odd = b_.CreateShuffleVector(v, v, lane_range(1, count, 2));
    return b_.CreateAdd(even, odd);
  };
  auto extadd = [&](llvm::Type* from, llvm::Type* to, bool is_signed) {
    push(as_v128(pairwise(extend_to(as_lanes(pop(), from), to, is_signed),
                          128 / to->getScalarSizeInBits())));
    return true;
  };
  auto splat_of = [&](unsigned count, llvm::Type* lane, uint64_t v) {
    return b_.CreateVectorSplat(count, llvm::ConstantInt::get(lane, v));
  };
  switch (op) {
    case Opcode::I8x16NarrowI16x8S: return narrow(i16, i8, true);
    case Opcode::I8x16NarrowI16x8U: return narrow(i16, i8, false);
    case Opcode::I16x8NarrowI32x4S: return narrow(i32, i16, true);
    case Opcode::I16x8NarrowI32x4U: return narrow(i32, i16, false);
    case Opcode::I16x8ExtendLowI8x16S: return extend(i8, i16, false, true);
    case Opcode::I16x8ExtendHighI8x16S: return extend(i8, i16, true, true);
    case Opcode::I16x8ExtendLowI8x16U: return extend(i8, i16, false, false);
    case Opcode::I16x8ExtendHighI8x16U: return extend(i8, i16, true, false);
    case Opcode::I32x4ExtendLowI16x8S: return extend(i16, i32, false, true);
    case Opcode::I32x4ExtendHighI16x8S: return extend(i16, i32, true, true);
    case Opcode::I32x4ExtendLowI16x8U: return extend(i16, i32, false, false);
    case Opcode::I32x4ExtendHighI16x8U: return extend(i16, i32, true, false);
    case Opcode::I64x2ExtendLowI32x4S: return extend(i32, i64, false, true);
    case Opcode::I64x2ExtendHighI32x4S: return extend(i32, i64, true, true);
    case Opcode::I64x2ExtendLowI32x4U: return extend(i32, i64, false, false);
    case Opcode::I64x2ExtendHighI32x4U: return extend(i32, i64, true, false);
    case Opcode::I16x8ExtmulLowI8x16S: return extmul(i8, i16, false, true);
    case Opcode::I16x8ExtmulHighI8x16S: return extmul(i8, i16, true, true);
    case Opcode::I16x8ExtmulLowI8x16U: return extmul(i8, i16, false, false);
    case Opcode::I16x8ExtmulHighI8x16U: return extmul(i8, i16, true, false);
    case Opcode::I32x4ExtmulLowI16x8S: return extmul(i16, i32, false, true);
    case Opcode::I32x4ExtmulHighI16x8S: return extmul(i16, i32, true, true);
    case Opcode::I32x4ExtmulLowI16x8U: return extmul(i16, i32, false, false);
    case Opcode::I32x4ExtmulHighI16x8U: return extmul(i16, i32, true, false);
    case Opcode::I64x2ExtmulLowI32x4S: return extmul(i32, i64, false, true);
    case Opcode::I64x2ExtmulHighI32x4S: return extmul(i32, i64, true, true);
    case Opcode::I64x2ExtmulLowI32x4U: return extmul(i32, i64, false, false);
    case Opcode::I64x2ExtmulHighI32x4U: return extmul(i32, i64, true, false);
    case Opcode::I16x8ExtaddPairwiseI8x16S: return extadd(i8, i16, true);
    case Opcode::I16x8ExtaddPairwiseI8x16U: return extadd(i8, i16, false);
    case Opcode::I32x4ExtaddPairwiseI16x8S: return extadd(i16, i32, true);
    case Opcode::I32x4ExtaddPairwiseI16x8U: return extadd(i16, i32, false);
    case Opcode::I8x16AvgrU:
    case Opcode::I16x8AvgrU: {  // (a + b + 1) >> 1 at double width, so nothing overflows
      llvm::Type* lane = op == Opcode::I8x16AvgrU ? i8 : i16;
      llvm::Type* wide = op == Opcode::I8x16AvgrU ? i16 : i32;
      const unsigned count = 128 / lane->getScalarSizeInBits();
      llvm::Value* b = extend_to(as_lanes(pop(), lane), wide, false);
      llvm::Value* a = extend_to(as_lanes(pop(), lane), wide, false);
      llvm::Value* sum = b_.CreateAdd(b_.CreateAdd(a, b), splat_of(count, wide, 1));
      push(as_v128(b_.CreateTrunc(b_.CreateLShr(sum, splat_of(count, wide, 1)), lanes(lane))));
      return true;
    }
    case Opcode::I16x8Q15mulrSatS: {  // (a * b + 2^14) >> 15, saturated
      llvm::Value* b = extend_to(as_lanes(pop(), i16), i32, true);
      llvm::Value* a = extend_to(as_lanes(pop(), i16), i32, true);
      llvm::Value* r = b_.CreateAdd(b_.CreateMul(a, b), splat_of(8, i32, 0x4000));
      r = b_.CreateAShr(r, splat_of(8, i32, 15));
      r = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, r, splat_of(8, i32, 0x7FFF));
      push(as_v128(b_.CreateTrunc(r, lanes(i16))));
      return true;
    }
    case Opcode::I32x4DotI16x8S: {  // pairwise sums of the signed products, wrapping
      llvm::Value* b = extend_to(as_lanes(pop(), i16), i32, true);
      llvm::Value* a = extend_to(as_lanes(pop(), i16), i32, true);
      push(as_v128(pairwise(b_.CreateMul(a, b), 4)));
      return true;
    }
    default: return false;
  }
}

}  // namespace lunatic::jit
