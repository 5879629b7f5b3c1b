// Partial inlining of recursion (partial_inline.hpp): F's blocks from the first point that all
// of its Wasm calls need move into F.rest, and what is left of F (the entry checks, the entry
// safepoint, the test that returns without a call) is inlined into F.rest's calls of F.
#include "jit/partial_inline.hpp"

#include <llvm/ADT/DenseSet.h>
#include <llvm/ADT/SetVector.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/Local.h>
#include <llvm/Transforms/Utils/PromoteMemToReg.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <optional>
#include <string_view>
#include <vector>

#include "jit/self_inline.hpp"
#include "jit/translate.hpp"

namespace lunatic::jit {

namespace {

// F is copied whole (bounded as self_inline.hpp bounds it), and the part left in F once more
// into each of its self-call sites, so that part stays small.
constexpr unsigned kMaxInlinedPart = 100;

// A call of Wasm code (a defined function, an import through a helper, call_indirect), as
// opposed to the frame's own bookkeeping: the safepoint's slow path, traps, the prologue's way
// out (wg<F>), intrinsics and the opaque constants' empty inline asm.
bool is_wasm_call(const llvm::Instruction& i) {
  const auto* call = llvm::dyn_cast<llvm::CallBase>(&i);
  if (call == nullptr || call->isInlineAsm()) return false;
  const llvm::Function* callee = call->getCalledFunction();
  if (callee == nullptr) return true;
  if (callee->isIntrinsic()) return false;
  const llvm::StringRef name = callee->getName();
  return name != helper_name(Helper::Safepoint) && name != helper_name(Helper::Trap) &&
         !is_checks_failed_name(name);
}

bool calls_itself(llvm::Function& f) {
  for (llvm::User* user : f.users()) {
    const auto* call = llvm::dyn_cast<llvm::CallInst>(user);
    if (call != nullptr && call->getFunction() == &f && call->getCalledFunction() == &f)
      return true;
  }
  return false;
}

// The locals, budget and memory registers in SSA form (the translator keeps them in allocas).
void promote_locals(llvm::Function& f) {
  llvm::removeUnreachableBlocks(f);
  llvm::DominatorTree dt(f);
  std::vector<llvm::AllocaInst*> allocas;
  for (llvm::Instruction& i : f.getEntryBlock()) {
    auto* alloca = llvm::dyn_cast<llvm::AllocaInst>(&i);
    if (alloca != nullptr && llvm::isAllocaPromotable(alloca)) allocas.push_back(alloca);
  }
  if (!allocas.empty()) llvm::PromoteMemToReg(allocas, dt);
}

// The prologue's way out when a check fails: `ret` of the musttail call of wg<F> (translate.cpp),
// which traps or runs F again on a bigger stack; not a return of the recursion.
bool leaves_through_checks_failed(const llvm::BasicBlock& b) {
  const auto* call = llvm::dyn_cast_or_null<llvm::CallInst>(b.getTerminator()->getPrevNode());
  const llvm::Function* callee = call != nullptr ? call->getCalledFunction() : nullptr;
  return callee != nullptr && is_checks_failed_name(callee->getName());
}

// Whether a `ret` other than the checks' way out can be reached from the entry without passing
// `avoid`. (Counting that one, F.rest would begin right after the checks, and the calls that end
// the recursion would each pay a native call.)
bool returns_avoiding(llvm::Function& f, llvm::BasicBlock* avoid) {
  std::vector<llvm::BasicBlock*> work{&f.getEntryBlock()};
  llvm::DenseSet<llvm::BasicBlock*> seen{&f.getEntryBlock()};
  while (!work.empty()) {
    llvm::BasicBlock* b = work.back();
    work.pop_back();
    if (llvm::isa<llvm::ReturnInst>(b->getTerminator()) && !leaves_through_checks_failed(*b))
      return true;
    for (llvm::BasicBlock* next : llvm::successors(b)) {
      if (next != avoid && seen.insert(next).second) work.push_back(next);
    }
  }
  return false;
}

struct Plan {
  llvm::BasicBlock* start = nullptr;      ///< where F.rest begins (dominates every Wasm call)
  llvm::BasicBlock* from = nullptr;       ///< start's one predecessor outside the rest
  std::vector<llvm::BasicBlock*> blocks;  ///< copied into F.rest: start's dominator subtree
                                          ///< and what it reaches (the return, trap blocks)
  llvm::DenseSet<llvm::BasicBlock*> copied;
  llvm::SetVector<llvm::Value*> inputs;  ///< F.rest's parameters: values defined before
};

std::optional<Plan> plan_at(llvm::Function& f, llvm::DominatorTree& dt, llvm::BasicBlock* start) {
  Plan p;
  p.start = start;
  llvm::DenseSet<llvm::BasicBlock*> rest;
  for (llvm::BasicBlock& b : f) {
    if (dt.dominates(start, &b)) rest.insert(&b);
  }
  p.copied = rest;
  std::vector<llvm::BasicBlock*> work(rest.begin(), rest.end());
  while (!work.empty()) {
    llvm::BasicBlock* b = work.back();
    work.pop_back();
    for (llvm::BasicBlock* next : llvm::successors(b)) {
      if (p.copied.insert(next).second) work.push_back(next);
    }
  }
  for (llvm::BasicBlock* pred : llvm::predecessors(start)) {
    if (rest.contains(pred)) continue;
    if (p.from != nullptr && p.from != pred) return std::nullopt;
    p.from = pred;
  }
  if (p.from == nullptr || p.copied.contains(p.from)) return std::nullopt;
  unsigned edges = 0;
  for (llvm::BasicBlock* next : llvm::successors(p.from)) edges += next == start ? 1 : 0;
  if (edges != 1) return std::nullopt;
  unsigned left = 0;
  for (llvm::BasicBlock& b : f) {
    if (!rest.contains(&b)) left += static_cast<unsigned>(b.size());
    if (p.copied.contains(&b)) p.blocks.push_back(&b);
  }
  if (left > kMaxInlinedPart) return std::nullopt;
  auto consider = [&](llvm::Value* v) {
    const auto* def = llvm::dyn_cast<llvm::Instruction>(v);
    if (llvm::isa<llvm::Argument>(v) || (def != nullptr && !p.copied.contains(def->getParent()))) {
      p.inputs.insert(v);
    }
  };
  for (llvm::BasicBlock* b : p.blocks) {
    for (llvm::Instruction& i : *b) {
      auto* phi = llvm::dyn_cast<llvm::PHINode>(&i);
      if (phi == nullptr) {
        for (llvm::Value* op : i.operands()) consider(op);
        continue;
      }
      for (unsigned k = 0; k < phi->getNumIncomingValues(); ++k) {
        llvm::BasicBlock* in = phi->getIncomingBlock(k);
        if (p.copied.contains(in) || (b == start && in == p.from))
          consider(phi->getIncomingValue(k));
      }
    }
  }
  // Every input must be there where F branches to F.rest; scratch arrays stay in F's frame.
  for (llvm::Value* v : p.inputs) {
    const auto* def = llvm::dyn_cast<llvm::Instruction>(v);
    if (def == nullptr) continue;
    if (llvm::isa<llvm::AllocaInst>(def) || !dt.dominates(def, p.from->getTerminator())) {
      return std::nullopt;
    }
  }
  return p;
}

// The highest block that dominates every Wasm call of F and that a way from the entry to a
// `ret` avoids (so the part before it has a way out without a call) and that can start F.rest.
std::optional<Plan> find_plan(llvm::Function& f, llvm::DominatorTree& dt) {
  llvm::BasicBlock* calls = nullptr;
  for (llvm::BasicBlock& b : f) {
    for (llvm::Instruction& i : b) {
      if (!is_wasm_call(i)) continue;
      calls = calls == nullptr ? &b : dt.findNearestCommonDominator(calls, &b);
      break;
    }
  }
  if (calls == nullptr) return std::nullopt;
  std::vector<llvm::BasicBlock*> path;  // from `calls` up to the entry
  for (llvm::DomTreeNode* n = dt.getNode(calls); n != nullptr; n = n->getIDom()) {
    path.push_back(n->getBlock());
  }
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    if (*it == &f.getEntryBlock() || !returns_avoiding(f, *it)) continue;
    if (std::optional<Plan> plan = plan_at(f, dt, *it)) return plan;
  }
  return std::nullopt;
}

// Moves the plan's blocks into a new F.rest(inputs...) and ends F in `return F.rest(...)`.
llvm::Function* split(llvm::Function& f, const Plan& p) {
  std::vector<llvm::Type*> params;
  for (llvm::Value* v : p.inputs) params.push_back(v->getType());
  auto* type = llvm::FunctionType::get(f.getReturnType(), params, false);
  auto* rest = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                      f.getName() + ".rest", f.getParent());
  llvm::ValueToValueMapTy map;
  for (unsigned i = 0; i < p.inputs.size(); ++i) {
    map[p.inputs[i]] = rest->getArg(i);
    // What F knows of its argument (the Context's dereferenceable bytes) holds in F.rest too.
    if (const auto* arg = llvm::dyn_cast<llvm::Argument>(p.inputs[i])) {
      rest->addParamAttrs(
          i, llvm::AttrBuilder(f.getContext(), f.getAttributes().getParamAttrs(arg->getArgNo())));
    }
  }
  auto* entry = llvm::BasicBlock::Create(f.getContext(), "entry", rest);
  map[p.from] = entry;
  llvm::SmallVector<llvm::BasicBlock*, 32> copies;
  for (llvm::BasicBlock* b : p.blocks) {
    llvm::BasicBlock* copy = llvm::CloneBasicBlock(b, map, "", rest);
    // A copy's phis keep the edges F.rest has: from copied blocks, and start's from the entry.
    for (llvm::PHINode& phi : copy->phis()) {
      for (unsigned k = phi.getNumIncomingValues(); k-- > 0;) {
        llvm::BasicBlock* in = phi.getIncomingBlock(k);
        if (!p.copied.contains(in) && !(b == p.start && in == p.from)) {
          phi.removeIncomingValue(k, /*DeletePHIIfEmpty=*/false);
        }
      }
    }
    map[b] = copy;
    copies.push_back(copy);
  }
  llvm::BranchInst::Create(llvm::cast<llvm::BasicBlock>(map[p.start]), entry);
  llvm::remapInstructionsInBlocks(copies, map);
  auto* tail = llvm::BasicBlock::Create(f.getContext(), "rest", &f);
  llvm::IRBuilder<> b(tail);
  b.CreateRet(b.CreateCall(rest, std::vector<llvm::Value*>(p.inputs.begin(), p.inputs.end())));
  p.from->getTerminator()->replaceSuccessorWith(p.start, tail);
  llvm::removeUnreachableBlocks(f);
  return rest;
}

}  // namespace

void partially_inline_self_calls(llvm::Module& module) {
  std::vector<llvm::Function*> candidates;
  for (llvm::Function& f : module) {
    if (!f.isDeclaration() && f.getInstructionCount() <= kMaxInlinedInstructions &&
        calls_itself(f)) {
      candidates.push_back(&f);
    }
  }
  for (llvm::Function* f : candidates) {
    promote_locals(*f);
    llvm::DominatorTree dt(*f);
    std::optional<Plan> plan = find_plan(*f, dt);
    if (!plan) continue;
    inline_calls_of(*f, *split(*f, *plan));
  }
}

void expose_rest_functions(llvm::Module& module) {
  for (llvm::Function& f : module) {
    if (!f.isDeclaration() && f.hasLocalLinkage() && f.getName().endswith(".rest")) {
      f.setLinkage(llvm::GlobalValue::ExternalLinkage);
    }
  }
}

}  // namespace lunatic::jit
