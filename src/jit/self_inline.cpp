// Self-calls inlined (self_inline.hpp), and the inlining step the partial inliner
// (partial_inline.cpp) shares: inline the calls, then let the inlined frames' stack checks
// read the host frame's one stack pointer.
#include "jit/self_inline.hpp"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Metadata.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <vector>

namespace lunatic::jit {

namespace {

bool reads_rsp(const llvm::IntrinsicInst& read) {
  const auto* name = llvm::dyn_cast<llvm::MetadataAsValue>(read.getArgOperand(0));
  const auto* node = name != nullptr ? llvm::dyn_cast<llvm::MDNode>(name->getMetadata()) : nullptr;
  const auto* text = node != nullptr && node->getNumOperands() == 1
                         ? llvm::dyn_cast<llvm::MDString>(node->getOperand(0))
                         : nullptr;
  return text != nullptr && text->getString() == "rsp";
}

// Every frame's prologue compares `llvm.read_register(rsp)` with the stack limit (translate.cpp).
// A frame inlined into another reads the same rsp as its host's own read: in a native frame rsp
// moves only around calls, never where the IR reads it. Made one read at the entry, the inlined
// checks are visibly the host's (or, in F.rest, which starts without a check, loop-invariant),
// so LLVM folds or hoists them: the same trap at the same call, without a compare per frame.
void share_stack_pointer_reads(llvm::Function& f) {
  std::vector<llvm::IntrinsicInst*> reads;
  for (llvm::BasicBlock& block : f) {
    for (llvm::Instruction& instruction : block) {
      auto* read = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction);
      if (read != nullptr && read->getIntrinsicID() == llvm::Intrinsic::read_register &&
          reads_rsp(*read)) {
        reads.push_back(read);
      }
    }
  }
  if (reads.size() < 2) return;
  // At the reads' nearest common dominator rather than the entry: read at the entry, the value
  // lived across the whole function, so LLVM spilled it there, a store (and the full prologue
  // before it) on the way to an early return, and a reload before each compare.
  // (A read in a block the entry cannot reach needs no dominating value.)
  llvm::DominatorTree dt(f);
  llvm::BasicBlock* common = nullptr;
  for (llvm::IntrinsicInst* read : reads) {
    if (!dt.isReachableFromEntry(read->getParent())) continue;
    common = common == nullptr ? read->getParent()
                               : dt.findNearestCommonDominator(common, read->getParent());
  }
  if (common == nullptr) common = &f.getEntryBlock();
  // Out of the loops around it, into their preheaders: with the limit a fixed field of a
  // dereferenceable Context, each check is then one loop-invariant bit, computed before the
  // loop (in F.rest, before the loop of its inlined frames) rather than at every iteration
  // (LLVM does not hoist the read itself: it is a call that may read memory).
  llvm::LoopInfo loops(dt);
  for (llvm::Loop* loop = loops.getLoopFor(common); loop != nullptr;
       loop = loops.getLoopFor(common)) {
    llvm::BasicBlock* preheader = loop->getLoopPreheader();
    if (preheader == nullptr) break;
    common = preheader;
  }
  llvm::Instruction* at = common->getTerminator();
  for (llvm::IntrinsicInst* read : reads) {
    if (read->getParent() == common && read->comesBefore(at)) at = read;
  }
  llvm::Instruction* shared = reads.front()->clone();
  shared->insertBefore(at);
  for (llvm::IntrinsicInst* read : reads) {
    read->replaceAllUsesWith(shared);
    read->eraseFromParent();
  }
}

}  // namespace

size_t inline_calls_of(llvm::Function& callee, llvm::Function& caller) {
  // Collected first: the calls that inlining copies into the caller are not inlined again.
  std::vector<llvm::CallInst*> calls;
  for (llvm::BasicBlock& block : caller) {
    for (llvm::Instruction& instruction : block) {
      auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction);
      if (call != nullptr && call->getCalledFunction() == &callee) calls.push_back(call);
    }
  }
  for (llvm::CallInst* call : calls) {
    llvm::InlineFunctionInfo info;
    (void)llvm::InlineFunction(*call, info);
  }
  if (!calls.empty()) {
    share_stack_pointer_reads(caller);
    caller.addFnAttr(kInlinedFrames);
  }
  return calls.size();
}

void inline_self_calls(llvm::Module& module) {
  for (llvm::Function& f : module) {
    for (unsigned round = 0; round < kSelfInlineRounds; ++round) {
      if (f.isDeclaration() || f.getInstructionCount() > kMaxInlinedInstructions) break;
      if (inline_calls_of(f, f) == 0) break;
    }
  }
}

}  // namespace lunatic::jit
