// Integer instructions in IR (numeric.hpp is the reference): comparisons, bit counts, wrapping
// arithmetic, shifts and rotations with their counts taken modulo the width, the trapping
// divisions, and the sign-extension operators.
#include "jit/translate_function.hpp"

namespace lunatic::jit {

namespace {

using wasm::Opcode;
using Pred = llvm::CmpInst::Predicate;

// The ten compares in the order of the opcodes eq, ne, lt_s, lt_u, gt_s, gt_u, le_s, le_u,
// ge_s, ge_u.
constexpr Pred kIntegerCompares[10] = {
    Pred::ICMP_EQ,  Pred::ICMP_NE,  Pred::ICMP_SLT, Pred::ICMP_ULT, Pred::ICMP_SGT,
    Pred::ICMP_UGT, Pred::ICMP_SLE, Pred::ICMP_ULE, Pred::ICMP_SGE, Pred::ICMP_UGE,
};

// The i64 opcodes of the shared arithmetic range (clz .. rotr) are the i32 ones shifted.
Opcode as_i32_op(Opcode op) {
  if (!opcode_in(op, Opcode::I64Clz, Opcode::I64Rotr)) return op;
  return static_cast<Opcode>(static_cast<uint16_t>(op) - static_cast<uint16_t>(Opcode::I64Clz) +
                             static_cast<uint16_t>(Opcode::I32Clz));
}

}  // namespace

bool FunctionTranslator::translate_integer(Opcode op) {
  if (op == Opcode::I32Eqz || op == Opcode::I64Eqz) {
    llvm::Value* a = pop();
    push(b_.CreateZExt(b_.CreateICmpEQ(a, llvm::Constant::getNullValue(a->getType())), env_.i32));
    return true;
  }
  const bool cmp32 = opcode_in(op, Opcode::I32Eq, Opcode::I32GeU);
  if (cmp32 || opcode_in(op, Opcode::I64Eq, Opcode::I64GeU)) {
    const auto first = static_cast<uint16_t>(cmp32 ? Opcode::I32Eq : Opcode::I64Eq);
    llvm::Value* rhs = pop();
    llvm::Value* lhs = pop();
    push(b_.CreateZExt(b_.CreateICmp(kIntegerCompares[static_cast<uint16_t>(op) - first], lhs, rhs),
                       env_.i32));
    return true;
  }
  switch (op) {
    case Opcode::I32Extend8S:
      push(b_.CreateSExt(b_.CreateTrunc(pop(), env_.i8), env_.i32));
      return true;
    case Opcode::I32Extend16S:
      push(b_.CreateSExt(b_.CreateTrunc(pop(), b_.getInt16Ty()), env_.i32));
      return true;
    case Opcode::I64Extend8S:
      push(b_.CreateSExt(b_.CreateTrunc(pop(), env_.i8), env_.i64));
      return true;
    case Opcode::I64Extend16S:
      push(b_.CreateSExt(b_.CreateTrunc(pop(), b_.getInt16Ty()), env_.i64));
      return true;
    case Opcode::I64Extend32S:
      push(b_.CreateSExt(b_.CreateTrunc(pop(), env_.i32), env_.i64));
      return true;
    default: break;
  }
  if (!opcode_in(op, Opcode::I32Clz, Opcode::I32Rotr) &&
      !opcode_in(op, Opcode::I64Clz, Opcode::I64Rotr)) {
    return false;
  }
  const Opcode op32 = as_i32_op(op);
  if (op32 == Opcode::I32Clz || op32 == Opcode::I32Ctz || op32 == Opcode::I32Popcnt) {
    llvm::Value* a = pop();
    if (op32 == Opcode::I32Popcnt) {
      push(b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, a));
    } else {
      // The second operand false: a zero input is defined (the width).
      const auto id = op32 == Opcode::I32Clz ? llvm::Intrinsic::ctlz : llvm::Intrinsic::cttz;
      push(b_.CreateBinaryIntrinsic(id, a, b_.getFalse()));
    }
    return true;
  }
  llvm::Value* rhs = pop();
  llvm::Value* lhs = pop();
  const uint64_t width_mask = lhs->getType()->getIntegerBitWidth() - 1;
  llvm::Value* count = b_.CreateAnd(rhs, llvm::ConstantInt::get(rhs->getType(), width_mask));
  switch (op32) {
    case Opcode::I32Add: push(b_.CreateAdd(lhs, rhs)); return true;
    case Opcode::I32Sub: push(b_.CreateSub(lhs, rhs)); return true;
    case Opcode::I32Mul: push(b_.CreateMul(lhs, rhs)); return true;
    case Opcode::I32And: push(b_.CreateAnd(lhs, rhs)); return true;
    case Opcode::I32Or: push(b_.CreateOr(lhs, rhs)); return true;
    case Opcode::I32Xor: push(b_.CreateXor(lhs, rhs)); return true;
    case Opcode::I32Shl: push(b_.CreateShl(lhs, count)); return true;
    case Opcode::I32ShrS: push(b_.CreateAShr(lhs, count)); return true;
    case Opcode::I32ShrU: push(b_.CreateLShr(lhs, count)); return true;
    // Funnel shifts of a value with itself are rotations; they take the count modulo the width.
    case Opcode::I32Rotl:
      push(b_.CreateIntrinsic(llvm::Intrinsic::fshl, {lhs->getType()}, {lhs, lhs, rhs}));
      return true;
    case Opcode::I32Rotr:
      push(b_.CreateIntrinsic(llvm::Intrinsic::fshr, {lhs->getType()}, {lhs, lhs, rhs}));
      return true;
    default: push(integer_division(op32, lhs, rhs)); return true;
  }
}

// "If i2 is 0, then the result is undefined" -> trap; div_s of the minimum by -1 -> trap
// "integer overflow"; rem_s of it is 0. LLVM's sdiv/srem are undefined there (x86 idiv
// faults), so neither ever sees those operands.
llvm::Value* FunctionTranslator::integer_division(Opcode op32, llvm::Value* a, llvm::Value* b) {
  llvm::Type* t = a->getType();
  trap_if(b_.CreateICmpEQ(b, llvm::Constant::getNullValue(t)),
          engine::TrapKind::IntegerDivideByZero);
  const unsigned bits = t->getIntegerBitWidth();
  llvm::Value* minus_one = llvm::Constant::getAllOnesValue(t);
  switch (op32) {
    case Opcode::I32DivU: return b_.CreateUDiv(a, b);
    case Opcode::I32RemU: return b_.CreateURem(a, b);
    case Opcode::I32DivS: {
      llvm::Value* min = llvm::ConstantInt::get(t, llvm::APInt::getSignedMinValue(bits));
      trap_if(b_.CreateAnd(b_.CreateICmpEQ(a, min), b_.CreateICmpEQ(b, minus_one)),
              engine::TrapKind::IntegerOverflow);
      return b_.CreateSDiv(a, b);
    }
    default: {  // rem_s: x rem -1 is 0 for every x, and x rem 1 is 0 as well
      llvm::Value* is_minus_one = b_.CreateICmpEQ(b, minus_one);
      return b_.CreateSRem(a, b_.CreateSelect(is_minus_one, llvm::ConstantInt::get(t, 1), b));
    }
  }
}

}  // namespace lunatic::jit
