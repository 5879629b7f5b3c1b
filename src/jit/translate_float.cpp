// Floating-point instructions in IR (numeric.hpp is the reference): IEEE arithmetic and
// compares, abs/neg/copysign as bit operations, rounding with NaNs quieted, and min/max written
// out with the Wasm rules (NaN if either is NaN, -0 below +0).
#include "jit/translate_function.hpp"

namespace lunatic::jit {

namespace {

using wasm::Opcode;
using Pred = llvm::CmpInst::Predicate;

// eq, ne, lt, gt, le, ge: ordered except ne ("ne is true when either is NaN").
constexpr Pred kFloatCompares[6] = {Pred::FCMP_OEQ, Pred::FCMP_UNE, Pred::FCMP_OLT,
                                    Pred::FCMP_OGT, Pred::FCMP_OLE, Pred::FCMP_OGE};

}  // namespace

bool FunctionTranslator::translate_float(Opcode op) {
  const bool cmp32 = opcode_in(op, Opcode::F32Eq, Opcode::F32Ge);
  if (cmp32 || opcode_in(op, Opcode::F64Eq, Opcode::F64Ge)) {
    const auto first = static_cast<uint16_t>(cmp32 ? Opcode::F32Eq : Opcode::F64Eq);
    llvm::Value* rhs = pop();
    llvm::Value* lhs = pop();
    push(b_.CreateZExt(b_.CreateFCmp(kFloatCompares[static_cast<uint16_t>(op) - first], lhs, rhs),
                       env_.i32));
    return true;
  }
  Opcode op32 = op;
  if (opcode_in(op, Opcode::F64Abs, Opcode::F64Copysign)) {
    op32 = static_cast<Opcode>(static_cast<uint16_t>(op) - static_cast<uint16_t>(Opcode::F64Abs) +
                               static_cast<uint16_t>(Opcode::F32Abs));
  } else if (!opcode_in(op, Opcode::F32Abs, Opcode::F32Copysign)) {
    return false;
  }
  const bool binary = opcode_in(op32, Opcode::F32Add, Opcode::F32Copysign);
  llvm::Value* rhs = binary ? pop() : nullptr;
  llvm::Value* a = pop();
  llvm::Type* ft = a->getType();
  llvm::Type* it = ft == env_.f32 ? static_cast<llvm::Type*>(env_.i32) : env_.i64;
  const llvm::APInt sign = llvm::APInt::getSignMask(it->getIntegerBitWidth());
  llvm::Value* bits = b_.CreateBitCast(a, it);
  switch (op32) {
    case Opcode::F32Abs:
      push(b_.CreateBitCast(b_.CreateAnd(bits, llvm::ConstantInt::get(it, ~sign)), ft));
      return true;
    case Opcode::F32Neg:
      push(b_.CreateBitCast(b_.CreateXor(bits, llvm::ConstantInt::get(it, sign)), ft));
      return true;
    case Opcode::F32Copysign: {
      llvm::Value* magnitude = b_.CreateAnd(bits, llvm::ConstantInt::get(it, ~sign));
      llvm::Value* sign_of_b =
          b_.CreateAnd(b_.CreateBitCast(rhs, it), llvm::ConstantInt::get(it, sign));
      push(b_.CreateBitCast(b_.CreateOr(magnitude, sign_of_b), ft));
      return true;
    }
    case Opcode::F32Ceil: push(float_rounding(llvm::Intrinsic::ceil, a)); return true;
    case Opcode::F32Floor: push(float_rounding(llvm::Intrinsic::floor, a)); return true;
    case Opcode::F32Trunc: push(float_rounding(llvm::Intrinsic::trunc, a)); return true;
    case Opcode::F32Nearest: push(float_rounding(llvm::Intrinsic::roundeven, a)); return true;
    case Opcode::F32Sqrt: push(b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, a)); return true;
    case Opcode::F32Add: push(b_.CreateFAdd(a, rhs)); return true;
    case Opcode::F32Sub: push(b_.CreateFSub(a, rhs)); return true;
    case Opcode::F32Mul: push(b_.CreateFMul(a, rhs)); return true;
    case Opcode::F32Div: push(b_.CreateFDiv(a, rhs)); return true;
    case Opcode::F32Min: push(float_min_max(true, a, rhs)); return true;
    case Opcode::F32Max: push(float_min_max(false, a, rhs)); return true;
    default: return false;
  }
}

// A NaN operand must give a quiet NaN, and a rounding instruction (or libm) may hand a
// signalling one back unchanged: a + a quiets it, as the interpreter does.
llvm::Value* FunctionTranslator::float_rounding(llvm::Intrinsic::ID id, llvm::Value* a) {
  llvm::Value* is_nan = b_.CreateFCmpUNO(a, a);
  return b_.CreateSelect(is_nan, b_.CreateFAdd(a, a), b_.CreateUnaryIntrinsic(id, a));
}

// fmin: NaN if either is NaN (a + b: quiet, carrying an input payload), for equal operands the
// OR of their bits (-0 wins), else the smaller. fmax: the AND of the bits, else the larger.
llvm::Value* FunctionTranslator::float_min_max(bool is_min, llvm::Value* a, llvm::Value* b) {
  llvm::Type* ft = a->getType();
  // Scalars and vectors alike (translate_simd_float.cpp): the integers of the same width.
  llvm::Type* it =
      ft->isVectorTy()
          ? static_cast<llvm::Type*>(llvm::VectorType::getInteger(llvm::cast<llvm::VectorType>(ft)))
          : llvm::Type::getIntNTy(env_.llvm, ft->getPrimitiveSizeInBits());
  llvm::Value* ai = b_.CreateBitCast(a, it);
  llvm::Value* bi = b_.CreateBitCast(b, it);
  llvm::Value* equal_case =
      b_.CreateBitCast(is_min ? b_.CreateOr(ai, bi) : b_.CreateAnd(ai, bi), ft);
  llvm::Value* a_wins = is_min ? b_.CreateFCmpOLT(a, b) : b_.CreateFCmpOGT(a, b);
  llvm::Value* r = b_.CreateSelect(a_wins, a, b);
  r = b_.CreateSelect(b_.CreateFCmpOEQ(a, b), equal_case, r);
  return b_.CreateSelect(b_.CreateFCmpUNO(a, b), b_.CreateFAdd(a, b), r);
}

}  // namespace lunatic::jit
