// merge_adjacent_safepoints: the pattern (a safepoint as translate_control.cpp emits it, after
// -O2), the merged check in front of the first, and the second's block copied for it.
#include "jit/merge_safepoints.hpp"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/PatternMatch.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/ErrorHandling.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/SSAUpdater.h>

#include <optional>
#include <vector>

#include "jit/translate.hpp"

namespace lunatic::jit {

namespace {

// The fast path's block is copied for the merged check: kept small.
constexpr size_t kMaxBetween = 24;

// A safepoint's check: `br (icmp sgt (add budget, -cost), -1), fast, slow`, where `slow` calls
// the safepoint helper.
struct Check {
  llvm::BranchInst* branch;
  llvm::Value* budget;      ///< before the charge
  llvm::Instruction* left;  ///< budget - cost
  uint64_t cost;
};

bool calls_safepoint(const llvm::BasicBlock& b) {
  for (const llvm::Instruction& i : b) {
    if (const auto* call = llvm::dyn_cast<llvm::CallInst>(&i)) {
      const llvm::Function* callee = call->getCalledFunction();
      if (callee != nullptr && callee->getName() == helper_name(Helper::Safepoint)) return true;
    }
  }
  return false;
}

std::optional<Check> safepoint_check(llvm::BasicBlock& b) {
  using namespace llvm::PatternMatch;
  auto* branch = llvm::dyn_cast<llvm::BranchInst>(b.getTerminator());
  if (branch == nullptr || !branch->isConditional()) return std::nullopt;
  llvm::Value* budget = nullptr;
  const llvm::APInt* minus_cost = nullptr;
  llvm::Instruction* left = nullptr;
  llvm::ICmpInst::Predicate predicate{};
  if (!match(branch->getCondition(),
             m_ICmp(predicate,
                    m_CombineAnd(m_Instruction(left), m_Add(m_Value(budget), m_APInt(minus_cost))),
                    m_AllOnes())) ||
      predicate != llvm::ICmpInst::ICMP_SGT || !minus_cost->isNegative() ||
      minus_cost->getBitWidth() != 64 || !calls_safepoint(*branch->getSuccessor(1))) {
    return std::nullopt;
  }
  return Check{branch, budget, left, (-*minus_cost).getZExtValue()};
}

// The pair that starts at `first`, if there is one: its fast successor holds only phis, up to
// kMaxBetween instructions without calls, and the second check, whose budget is the first's
// `left` on that edge.
bool merge_from(llvm::BasicBlock& b) {
  std::optional<Check> first = safepoint_check(b);
  if (!first) return false;
  llvm::BasicBlock* between = first->branch->getSuccessor(0);
  if (between == &b || between->getSinglePredecessor() != nullptr ||
      between->hasNPredecessors(2) == false) {
    return false;
  }
  llvm::BasicBlock* first_slow = first->branch->getSuccessor(1);
  if (!llvm::is_contained(llvm::predecessors(between), first_slow)) return false;
  std::optional<Check> second = safepoint_check(*between);
  if (!second || second->branch->getSuccessor(0) == between) return false;
  auto* budget_phi = llvm::dyn_cast<llvm::PHINode>(second->budget);
  if (budget_phi == nullptr || budget_phi->getParent() != between ||
      budget_phi->getIncomingValueForBlock(&b) != first->left) {
    return false;
  }
  size_t count = 0;
  for (llvm::Instruction& i : *between) {
    if (llvm::isa<llvm::PHINode>(i) || &i == between->getTerminator()) continue;
    if (llvm::isa<llvm::CallBase>(i) || ++count > kMaxBetween) return false;
  }

  llvm::Function& f = *b.getParent();
  llvm::LLVMContext& context = f.getContext();
  // b: merged = budget - (c1 + c2); merged >= 0 ? both_fast : one_by_one (the old branch).
  llvm::BasicBlock* one_by_one = b.splitBasicBlock(first->branch, b.getName() + ".one_by_one");
  b.getTerminator()->eraseFromParent();
  for (llvm::PHINode& phi : between->phis()) phi.replaceIncomingBlockWith(&b, one_by_one);
  llvm::IRBuilder<> at(&b);
  llvm::Value* merged =
      at.CreateAdd(first->budget, at.getInt64(-static_cast<int64_t>(first->cost + second->cost)));
  llvm::Value* covered = at.CreateICmpSGT(merged, at.getInt64(-1));
  auto* both_fast =
      llvm::BasicBlock::Create(context, between->getName() + ".both_fast", &f, between);
  at.CreateCondBr(covered, both_fast, one_by_one,
                  first->branch->getMetadata(llvm::LLVMContext::MD_prof));

  // both_fast: `between` with its phis' values from the fast edge, the second check's left as
  // `merged`, then on to the second's fast successor.
  llvm::ValueToValueMapTy map;
  for (llvm::PHINode& phi : between->phis()) map[&phi] = phi.getIncomingValueForBlock(one_by_one);
  map[second->left] = merged;
  llvm::IRBuilder<> copy(both_fast);
  std::vector<std::pair<llvm::Instruction*, llvm::Instruction*>> copies;
  for (llvm::Instruction& i : *between) {
    if (llvm::isa<llvm::PHINode>(i) || &i == second->left || &i == between->getTerminator())
      continue;
    llvm::Instruction* c = i.clone();
    copy.Insert(c);
    llvm::RemapInstruction(c, map, llvm::RF_IgnoreMissingLocals | llvm::RF_NoModuleLevelChanges);
    map[&i] = c;
    copies.emplace_back(&i, c);
  }
  llvm::BasicBlock* after = second->branch->getSuccessor(0);
  copy.CreateBr(after);
  for (llvm::PHINode& phi : after->phis()) {
    llvm::Value* v = phi.getIncomingValueForBlock(between);
    auto found = map.find(v);
    phi.addIncoming(found != map.end() ? static_cast<llvm::Value*>(found->second) : v, both_fast);
  }
  // Values of `between` used past it now have two definitions: SSA form again.
  std::vector<std::pair<llvm::Instruction*, llvm::Value*>> defined;
  for (llvm::Instruction& i : *between) {
    if (&i == between->getTerminator()) continue;
    auto found = map.find(&i);
    if (found != map.end()) defined.emplace_back(&i, found->second);
  }
  for (auto [original, twin] : defined) {
    std::vector<llvm::Use*> outside;
    for (llvm::Use& use : original->uses()) {
      auto* user = llvm::cast<llvm::Instruction>(use.getUser());
      if (user->getParent() == between && !llvm::isa<llvm::PHINode>(user)) continue;
      if (user->getParent() == both_fast) continue;
      if (auto* phi = llvm::dyn_cast<llvm::PHINode>(user);
          phi != nullptr && phi->getParent() == after && phi->getIncomingBlock(use) == both_fast) {
        continue;
      }
      outside.push_back(&use);
    }
    if (outside.empty()) continue;
    llvm::SSAUpdater ssa;
    ssa.Initialize(original->getType(), original->getName());
    ssa.AddAvailableValue(between, original);
    ssa.AddAvailableValue(both_fast, twin);
    for (llvm::Use* use : outside) ssa.RewriteUse(*use);
  }
  return true;
}

}  // namespace

unsigned merge_adjacent_safepoints(llvm::Function& f) {
  std::vector<llvm::BasicBlock*> blocks;
  for (llvm::BasicBlock& b : f) blocks.push_back(&b);
  unsigned merged = 0;
  for (llvm::BasicBlock* b : blocks) merged += merge_from(*b) ? 1 : 0;
  // A pattern this pass misjudged must not reach the code generator: LLVM's fatal error is the
  // request's Error (llvm_errors.hpp), and the module keeps the code it has.
  if (merged > 0 && llvm::verifyFunction(f, &llvm::errs())) {
    llvm::report_fatal_error("merge_adjacent_safepoints left invalid IR in " + f.getName());
  }
  return merged;
}

}  // namespace lunatic::jit
