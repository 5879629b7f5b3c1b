// One headroom check for a function's inlined frames (frame_headroom.hpp): the limit checks the
// translator tagged are matched, the deepest one's limits checked at the entry, and the function
// versioned on it.
#include "jit/frame_headroom.hpp"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <optional>
#include <vector>

namespace lunatic::jit {

namespace {

// An integer counted up from an argument of the function: `base + offset`, through adds of
// constants below 2^31 and zero extensions (the depth: caller's depth + 1 per frame; the slot
// end: fp + stack_base + height per frame, then + frame_size in 64 bits).
struct Counted {
  llvm::Argument* base = nullptr;
  uint64_t offset = 0;
};

std::optional<Counted> counted(llvm::Value* v) {
  uint64_t offset = 0;
  for (;;) {
    if (auto* add = llvm::dyn_cast<llvm::BinaryOperator>(v);
        add != nullptr && add->getOpcode() == llvm::Instruction::Add) {
      const auto* c = llvm::dyn_cast<llvm::ConstantInt>(add->getOperand(1));
      if (c == nullptr || c->getValue().getActiveBits() > 31) return std::nullopt;
      offset += c->getZExtValue();
      v = add->getOperand(0);
    } else if (auto* zext = llvm::dyn_cast<llvm::ZExtInst>(v)) {
      v = zext->getOperand(0);
    } else {
      break;
    }
  }
  auto* base = llvm::dyn_cast<llvm::Argument>(v);
  // 32 bits (the fp: a sum that wraps was past the limit, below 2^32) or 64 (the depth, a
  // 32-bit count zero-extended: its sums of a few small constants never wrap).
  if (base == nullptr || !(base->getType()->isIntegerTy(32) || base->getType()->isIntegerTy(64))) {
    return std::nullopt;
  }
  return Counted{base, offset};
}

// A load of a Context field: (the Context argument, the field's offset).
struct Field {
  llvm::LoadInst* load = nullptr;
  llvm::Argument* ctx = nullptr;
  int64_t offset = 0;
};

std::optional<Field> context_field(llvm::Value* v, const llvm::DataLayout& layout) {
  if (auto* zext = llvm::dyn_cast<llvm::ZExtInst>(v)) v = zext->getOperand(0);
  auto* load = llvm::dyn_cast<llvm::LoadInst>(v);
  if (load == nullptr || load->isVolatile()) return std::nullopt;
  int64_t offset = 0;
  auto* ctx = llvm::dyn_cast<llvm::Argument>(
      llvm::GetPointerBaseWithConstantOffset(load->getPointerOperand(), offset, layout));
  if (ctx == nullptr) return std::nullopt;
  return Field{load, ctx, offset};
}

bool reads_stack_pointer(llvm::Value* v) {
  auto* read = llvm::dyn_cast<llvm::IntrinsicInst>(v);
  return read != nullptr && read->getIntrinsicID() == llvm::Intrinsic::read_register;
}

// One tagged check, as translate.cpp emits it: or(or(depth >u max_depth, slot_end >u
// zext(max_slots)), rsp <u stack_limit).
struct Check {
  llvm::Instruction* condition = nullptr;
  Counted depth, slot_end;
  Field max_depth, max_slots, stack_limit;
  llvm::IntrinsicInst* sp = nullptr;
};

std::optional<Check> match_check(llvm::Instruction& condition, const llvm::DataLayout& layout) {
  using llvm::ICmpInst;
  auto* outer = llvm::dyn_cast<llvm::BinaryOperator>(&condition);
  if (outer == nullptr || outer->getOpcode() != llvm::Instruction::Or) return std::nullopt;
  auto* inner = llvm::dyn_cast<llvm::BinaryOperator>(outer->getOperand(0));
  if (inner == nullptr || inner->getOpcode() != llvm::Instruction::Or) return std::nullopt;
  auto* too_deep = llvm::dyn_cast<ICmpInst>(inner->getOperand(0));
  auto* too_many = llvm::dyn_cast<ICmpInst>(inner->getOperand(1));
  auto* low = llvm::dyn_cast<ICmpInst>(outer->getOperand(1));
  if (too_deep == nullptr || too_many == nullptr || low == nullptr ||
      too_deep->getPredicate() != ICmpInst::ICMP_UGT ||
      too_many->getPredicate() != ICmpInst::ICMP_UGT || low->getPredicate() != ICmpInst::ICMP_ULT ||
      !too_many->getOperand(0)->getType()->isIntegerTy(64) ||
      !reads_stack_pointer(low->getOperand(0))) {
    return std::nullopt;
  }
  std::optional<Counted> depth = counted(too_deep->getOperand(0));
  std::optional<Counted> slot_end = counted(too_many->getOperand(0));
  std::optional<Field> max_depth = context_field(too_deep->getOperand(1), layout);
  std::optional<Field> max_slots = context_field(too_many->getOperand(1), layout);
  std::optional<Field> stack_limit = context_field(low->getOperand(1), layout);
  if (!depth || !slot_end || !max_depth || !max_slots || !stack_limit) return std::nullopt;
  return Check{&condition,
               *depth,
               *slot_end,
               *max_depth,
               *max_slots,
               *stack_limit,
               llvm::cast<llvm::IntrinsicInst>(low->getOperand(0))};
}

bool same_field(const Field& a, const Field& b) {
  return a.ctx == b.ctx && a.offset == b.offset && a.load->getType() == b.load->getType();
}

// The checks of `f` that count from the same arguments and read the same limits as the first.
std::vector<Check> matching_checks(llvm::Function& f) {
  const unsigned kind = f.getContext().getMDKindID(kFrameCheckMetadata);
  const llvm::DataLayout& layout = f.getParent()->getDataLayout();
  std::vector<Check> checks;
  for (llvm::BasicBlock& block : f) {
    for (llvm::Instruction& i : block) {
      if (i.getMetadata(kind) == nullptr) continue;
      std::optional<Check> check = match_check(i, layout);
      if (!check) continue;  // left as it is in both versions
      const Check& first = checks.empty() ? *check : checks.front();
      if (check->depth.base != first.depth.base || check->slot_end.base != first.slot_end.base ||
          !same_field(check->max_depth, first.max_depth) ||
          !same_field(check->max_slots, first.max_slots) ||
          !same_field(check->stack_limit, first.stack_limit)) {
        continue;
      }
      checks.push_back(*check);
    }
  }
  return checks;
}

// A fresh load of `field` at `b`, with the original's metadata (TBAA, invariant.load).
llvm::Value* load_again(llvm::IRBuilder<>& b, const Field& field) {
  llvm::Value* at = b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), field.ctx, field.offset);
  llvm::Type* type = field.load->getType();
  llvm::LoadInst* load = b.CreateLoad(type, b.CreateBitCast(at, type->getPointerTo()));
  load->copyMetadata(*field.load);
  load->setAlignment(field.load->getAlign());
  return load;
}

}  // namespace

bool version_on_headroom(llvm::Function& f) {
  if (f.isDeclaration()) return false;
  std::vector<Check> checks = matching_checks(f);
  if (checks.size() < 2) return false;
  uint64_t deepest = 0;
  uint64_t highest_end = 0;
  for (const Check& c : checks) {
    deepest = std::max(deepest, c.depth.offset);
    highest_end = std::max(highest_end, c.slot_end.offset);
  }
  // The copy without the checks.
  llvm::ValueToValueMapTy map;
  llvm::Function* fast = llvm::CloneFunction(&f, map);
  fast->setName(f.getName() + ".headroom");
  fast->setLinkage(llvm::GlobalValue::InternalLinkage);
  fast->addFnAttr(llvm::Attribute::AlwaysInline);
  llvm::LLVMContext& llvm = f.getContext();
  for (const Check& c : checks) {
    auto* copy = llvm::cast<llvm::Instruction>(map[c.condition]);
    copy->replaceAllUsesWith(llvm::ConstantInt::getFalse(llvm));
  }
  // f's entry (after its allocas, which stay in the entry block): the headroom check, in 64
  // bits (no sum wraps there), then either the copy or f as it was.
  llvm::BasicBlock& entry = f.getEntryBlock();
  llvm::BasicBlock::iterator split = entry.begin();
  while (llvm::isa<llvm::AllocaInst>(*split)) ++split;
  llvm::BasicBlock* checked = entry.splitBasicBlock(split, "headroom.reached");
  entry.getTerminator()->eraseFromParent();
  llvm::IRBuilder<> b(&entry);
  const Check& any = checks.front();
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Value* too_deep =
      b.CreateICmpUGT(b.CreateAdd(b.CreateZExt(any.depth.base, i64), b.getInt64(deepest)),
                      b.CreateZExt(load_again(b, any.max_depth), i64));
  llvm::Value* too_many =
      b.CreateICmpUGT(b.CreateAdd(b.CreateZExt(any.slot_end.base, i64), b.getInt64(highest_end)),
                      b.CreateZExt(load_again(b, any.max_slots), i64));
  llvm::Instruction* sp = any.sp->clone();
  b.Insert(sp);
  // f's checks read this one too (the same value: a native frame's rsp moves only around
  // calls), so f keeps one read, as self_inline.cpp left it.
  llvm::SmallPtrSet<llvm::IntrinsicInst*, 4> reads;
  for (const Check& c : checks) reads.insert(c.sp);
  for (llvm::IntrinsicInst* read : reads) {
    read->replaceAllUsesWith(sp);
    read->eraseFromParent();
  }
  llvm::Value* low = b.CreateICmpULT(sp, load_again(b, any.stack_limit));
  llvm::BasicBlock* headroom = llvm::BasicBlock::Create(llvm, "headroom", &f, checked);
  b.CreateCondBr(b.CreateOr(b.CreateOr(too_deep, too_many), low), checked, headroom,
                 llvm::MDBuilder(llvm).createBranchWeights(1, 1 << 20));
  b.SetInsertPoint(headroom);
  std::vector<llvm::Value*> args;
  for (llvm::Argument& a : f.args()) args.push_back(&a);
  llvm::CallInst* call = b.CreateCall(fast, args);
  if (f.getReturnType()->isVoidTy()) {
    b.CreateRetVoid();
  } else {
    b.CreateRet(call);
  }
  return true;
}

}  // namespace lunatic::jit
