#include "jit/self_inline.hpp"

#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <vector>

namespace lunatic::jit {

namespace {

// Above this many IR instructions a function's body is not duplicated: the copy would cost
// more in compile time and code size than the saved call does.
constexpr unsigned kMaxInstructions = 400;

std::vector<llvm::CallInst*> self_calls(llvm::Function& f) {
  std::vector<llvm::CallInst*> calls;
  for (llvm::BasicBlock& block : f) {
    for (llvm::Instruction& instruction : block) {
      auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction);
      if (call != nullptr && call->getCalledFunction() == &f) calls.push_back(call);
    }
  }
  return calls;
}

}  // namespace

void inline_self_calls(llvm::Module& module) {
  for (llvm::Function& f : module) {
    if (f.isDeclaration() || f.getInstructionCount() > kMaxInstructions) continue;
    // Collected first: the calls that inlining copies into f are not inlined again.
    for (llvm::CallInst* call : self_calls(f)) {
      llvm::InlineFunctionInfo info;
      (void)llvm::InlineFunction(*call, info);
    }
  }
}

}  // namespace lunatic::jit
