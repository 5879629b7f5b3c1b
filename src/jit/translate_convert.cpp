// Conversions in IR (numeric.hpp is the reference): wrap and extend, the trapping float ->
// integer truncations with numeric.hpp's exact bounds, the saturating ones, int -> float,
// demote/promote and the reinterpretations.
#include <limits>
#include <type_traits>

#include "jit/translate_function.hpp"

namespace lunatic::jit {

namespace {

using wasm::Opcode;

// As num::trunc: trunc(z) fits I iff low - 1 < z < high + 1, with high + 1 a power of two F
// holds exactly; where F cannot hold low - 1, z >= low is the same test.
struct TruncBounds {
  double high;  ///< exclusive
  double low;
  bool low_inclusive;
  double below;  ///< exclusive lower bound when !low_inclusive
};

template <class I, class F> constexpr TruncBounds bounds_of() {
  constexpr F kHigh = static_cast<F>(std::numeric_limits<I>::max() / 2 + 1) * F(2);
  constexpr F kLow = std::is_signed_v<I> ? -kHigh : F(0);
  constexpr F kBelow = kLow - F(1);
  return TruncBounds{kHigh, kLow, kBelow == kLow, kBelow};
}

TruncBounds bounds(bool is_signed, bool to64, bool from64) {
  if (is_signed) {
    if (to64) return from64 ? bounds_of<int64_t, double>() : bounds_of<int64_t, float>();
    return from64 ? bounds_of<int32_t, double>() : bounds_of<int32_t, float>();
  }
  if (to64) return from64 ? bounds_of<uint64_t, double>() : bounds_of<uint64_t, float>();
  return from64 ? bounds_of<uint32_t, double>() : bounds_of<uint32_t, float>();
}

}  // namespace

llvm::Value* FunctionTranslator::trapping_truncation(llvm::Value* z, bool is_signed,
                                                     llvm::IntegerType* to) {
  llvm::Type* ft = z->getType();
  const TruncBounds bd = bounds(is_signed, to == env_.i64, ft == env_.f64);
  trap_if(b_.CreateFCmpUNO(z, z), engine::TrapKind::InvalidConversion);
  llvm::Value* above_low = bd.low_inclusive
                               ? b_.CreateFCmpOGE(z, llvm::ConstantFP::get(ft, bd.low))
                               : b_.CreateFCmpOGT(z, llvm::ConstantFP::get(ft, bd.below));
  llvm::Value* below_high = b_.CreateFCmpOLT(z, llvm::ConstantFP::get(ft, bd.high));
  trap_if(b_.CreateNot(b_.CreateAnd(above_low, below_high)), engine::TrapKind::IntegerOverflow);
  return is_signed ? b_.CreateFPToSI(z, to) : b_.CreateFPToUI(z, to);
}

bool FunctionTranslator::translate_conversion(Opcode op) {
  llvm::IntegerType* i32 = env_.i32;
  llvm::IntegerType* i64 = env_.i64;
  auto saturating = [&](bool is_signed, llvm::Type* to) {
    llvm::Value* z = pop();
    const auto id = is_signed ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat;
    push(b_.CreateIntrinsic(id, {to, z->getType()}, {z}));
  };
  switch (op) {
    case Opcode::I32WrapI64: push(b_.CreateTrunc(pop(), i32)); return true;
    case Opcode::I64ExtendI32S: push(b_.CreateSExt(pop(), i64)); return true;
    case Opcode::I64ExtendI32U: push(b_.CreateZExt(pop(), i64)); return true;
    case Opcode::I32TruncF32S:
    case Opcode::I32TruncF64S: push(trapping_truncation(pop(), true, i32)); return true;
    case Opcode::I32TruncF32U:
    case Opcode::I32TruncF64U: push(trapping_truncation(pop(), false, i32)); return true;
    case Opcode::I64TruncF32S:
    case Opcode::I64TruncF64S: push(trapping_truncation(pop(), true, i64)); return true;
    case Opcode::I64TruncF32U:
    case Opcode::I64TruncF64U: push(trapping_truncation(pop(), false, i64)); return true;
    case Opcode::I32TruncSatF32S:
    case Opcode::I32TruncSatF64S: saturating(true, i32); return true;
    case Opcode::I32TruncSatF32U:
    case Opcode::I32TruncSatF64U: saturating(false, i32); return true;
    case Opcode::I64TruncSatF32S:
    case Opcode::I64TruncSatF64S: saturating(true, i64); return true;
    case Opcode::I64TruncSatF32U:
    case Opcode::I64TruncSatF64U: saturating(false, i64); return true;
    case Opcode::F32ConvertI32S:
    case Opcode::F32ConvertI64S: push(b_.CreateSIToFP(pop(), env_.f32)); return true;
    case Opcode::F32ConvertI32U:
    case Opcode::F32ConvertI64U: push(b_.CreateUIToFP(pop(), env_.f32)); return true;
    case Opcode::F64ConvertI32S:
    case Opcode::F64ConvertI64S: push(b_.CreateSIToFP(pop(), env_.f64)); return true;
    case Opcode::F64ConvertI32U:
    case Opcode::F64ConvertI64U: push(b_.CreateUIToFP(pop(), env_.f64)); return true;
    // Constrained (see arithmetic()): plain casts let demote(promote(x)) fold to x, which
    // keeps a signalling NaN.
    case Opcode::F32DemoteF64:
      push(b_.CreateConstrainedFPCast(llvm::Intrinsic::experimental_constrained_fptrunc, pop(),
                                      env_.f32, nullptr, "", nullptr,
                                      llvm::RoundingMode::NearestTiesToEven, llvm::fp::ebMayTrap));
      return true;
    case Opcode::F64PromoteF32:
      push(b_.CreateConstrainedFPCast(llvm::Intrinsic::experimental_constrained_fpext, pop(),
                                      env_.f64, nullptr, "", nullptr, llvm::None,
                                      llvm::fp::ebMayTrap));
      return true;
    case Opcode::I32ReinterpretF32: push(b_.CreateBitCast(pop(), i32)); return true;
    case Opcode::I64ReinterpretF64: push(b_.CreateBitCast(pop(), i64)); return true;
    case Opcode::F32ReinterpretI32: push(b_.CreateBitCast(pop(), env_.f32)); return true;
    case Opcode::F64ReinterpretI64: push(b_.CreateBitCast(pop(), env_.f64)); return true;
    default: return false;
  }
}

}  // namespace lunatic::jit
