#include "jit/self_inline.hpp"

#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <vector>

namespace lunatic::jit {

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
  return calls.size();
}

void inline_self_calls(llvm::Module& module) {
  for (llvm::Function& f : module) {
    if (!f.isDeclaration() && f.getInstructionCount() <= kMaxInlinedInstructions) {
      inline_calls_of(f, f);
    }
  }
}

}  // namespace lunatic::jit
