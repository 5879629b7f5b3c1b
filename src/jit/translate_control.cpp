// Structured control flow in IR: blocks and ifs merge their results in phis of the block after
// them, loops carry their params in phis of their header (where their safepoint is), branches
// add incoming values; and the safepoints with the lowered code's costs.
#include <llvm/IR/MDBuilder.h>

#include <map>

#include "jit/translate_function.hpp"
#include "native/abi.hpp"

namespace lunatic::jit {

Result<void> FunctionTranslator::translate_control(const wasm::Instr& in) {
  using wasm::Opcode;
  switch (in.op) {
    case Opcode::Block: return enter_block(Ctrl::Kind::Block, in.block);
    case Opcode::Loop: return enter_block(Ctrl::Kind::Loop, in.block);
    case Opcode::If: return enter_block(Ctrl::Kind::If, in.block);
    case Opcode::Else: translate_else(); return {};
    case Opcode::End: translate_end(); return {};
    case Opcode::Br:
      add_branch_incoming(in.a, b_.GetInsertBlock());
      b_.CreateBr(label_block(in.a));
      mark_dead();
      return {};
    case Opcode::BrIf: {
      llvm::Value* cond = b_.CreateICmpNE(pop(), i32_const(0));
      llvm::BasicBlock* next = new_block("br_if.next");
      add_branch_incoming(in.a, b_.GetInsertBlock());
      b_.CreateCondBr(cond, label_block(in.a), next);
      b_.SetInsertPoint(next);
      return {};
    }
    case Opcode::BrTable: translate_br_table(in); return {};
    case Opcode::Return: {
      const uint32_t depth = static_cast<uint32_t>(ctrls_.size() - 1);
      add_branch_incoming(depth, b_.GetInsertBlock());
      b_.CreateBr(label_block(depth));
      mark_dead();
      return {};
    }
    case Opcode::Unreachable:
      emit_trap(engine::TrapKind::Unreachable);
      mark_dead();
      return {};
    default:
      return jit_error(std::string("unsupported instruction ") + wasm::opcode_name(in.op),
                       in.offset);
  }
}

Result<void> FunctionTranslator::enter_block(Ctrl::Kind kind, const wasm::BlockType& bt) {
  Ctrl c;
  c.kind = kind;
  if (bt.kind == wasm::BlockType::Kind::Value) {
    c.results.push_back(bt.value);
  } else if (bt.kind == wasm::BlockType::Kind::TypeIndex) {
    if (bt.type_index >= env_.wasm.types.size()) return jit_error("unknown block type", offset_);
    c.params = env_.wasm.types[bt.type_index].params;
    c.results = env_.wasm.types[bt.type_index].results;
  }
  llvm::Value* cond = nullptr;
  if (kind == Ctrl::Kind::If) cond = b_.CreateICmpNE(pop(), i32_const(0));
  if (c.params.size() > stack_.size() - ctrls_.back().height) {
    return jit_error("block params missing", offset_);
  }
  c.height = stack_.size() - c.params.size();
  c.merge = llvm::BasicBlock::Create(env_.llvm, "end");
  for (wasm::ValType t : c.results)
    c.merge_phis.push_back(llvm::PHINode::Create(env_.value_type(t), 2, "", c.merge));
  if (kind == Ctrl::Kind::If) {
    llvm::BasicBlock* then_block = new_block("then");
    c.else_block = new_block("else");
    c.else_params.assign(stack_.begin() + static_cast<ptrdiff_t>(c.height), stack_.end());
    b_.CreateCondBr(cond, then_block, c.else_block);
    b_.SetInsertPoint(then_block);
  }
  if (kind == Ctrl::Kind::Loop) {
    c.header = new_block("loop");
    llvm::BasicBlock* from = b_.GetInsertBlock();
    b_.CreateBr(c.header);
    b_.SetInsertPoint(c.header);
    for (size_t i = 0; i < c.params.size(); ++i) {
      llvm::Value*& value = stack_[c.height + i];
      llvm::PHINode* phi = b_.CreatePHI(value->getType(), 2);
      phi->addIncoming(value, from);
      c.header_phis.push_back(phi);
      value = phi;
    }
  }
  // The OSR variant may start at this loop's header when the interpreter's frame holds all
  // of its state in locals: nothing on the operand stack (the interpreter's slots for it are
  // not handed over).
  if (kind == Ctrl::Kind::Loop && osr_switch_ != nullptr && stack_.empty() &&
      next_safepoint_ < osr_points_.size()) {
    osr_switch_->addCase(llvm::cast<llvm::ConstantInt>(i32_const(next_safepoint_)), c.header);
    osr_points_[next_safepoint_] = true;
  }
  ctrls_.push_back(std::move(c));
  if (kind == Ctrl::Kind::Loop) TRY(emit_next_safepoint());
  return {};
}

llvm::BasicBlock* FunctionTranslator::label_block(uint32_t depth) const {
  const Ctrl& c = ctrls_[ctrls_.size() - 1 - depth];
  return c.kind == Ctrl::Kind::Loop ? c.header : c.merge;
}

void FunctionTranslator::add_branch_incoming(uint32_t depth, llvm::BasicBlock* from) {
  Ctrl& c = ctrls_[ctrls_.size() - 1 - depth];
  const bool loop = c.kind == Ctrl::Kind::Loop;
  std::vector<llvm::PHINode*>& phis = loop ? c.header_phis : c.merge_phis;
  const size_t n = phis.size();
  for (size_t i = 0; i < n; ++i) phis[i]->addIncoming(stack_[stack_.size() - n + i], from);
  if (!loop) c.reached = true;
}

void FunctionTranslator::mark_dead() {
  Ctrl& c = ctrls_.back();
  c.dead = true;
  stack_.resize(c.height);
}

void FunctionTranslator::translate_else() {
  Ctrl& c = ctrls_.back();
  if (!c.dead) {
    add_branch_incoming(0, b_.GetInsertBlock());
    b_.CreateBr(c.merge);
  }
  b_.SetInsertPoint(c.else_block);
  c.else_block = nullptr;
  stack_.resize(c.height);
  stack_.insert(stack_.end(), c.else_params.begin(), c.else_params.end());
  c.dead = false;
}

// The end is reached by falling through, by a branch, or (an if without else) by the false
// arm; lowering decides the same, so what follows an unreached end is unreachable for both.
void FunctionTranslator::translate_end() {
  Ctrl& c = ctrls_.back();
  const size_t n = c.merge_phis.size();
  if (!c.dead) {
    for (size_t i = 0; i < n; ++i)
      c.merge_phis[i]->addIncoming(stack_[stack_.size() - n + i], b_.GetInsertBlock());
    c.reached = true;
    b_.CreateBr(c.merge);
  }
  if (c.else_block != nullptr) {  // an if without else: its params are its results
    b_.SetInsertPoint(c.else_block);
    for (size_t i = 0; i < n; ++i) c.merge_phis[i]->addIncoming(c.else_params[i], c.else_block);
    c.reached = true;
    b_.CreateBr(c.merge);
  }
  Ctrl done = std::move(ctrls_.back());
  ctrls_.pop_back();
  if (!done.reached) {
    delete done.merge;  // never inserted, no uses
    if (!ctrls_.empty()) mark_dead();
    return;
  }
  done.merge->insertInto(fn_);
  b_.SetInsertPoint(done.merge);
  if (done.kind == Ctrl::Kind::Func) {  // {budget left, results...}
    emit_return(fn_, b_.CreateLoad(env_.i64, budget_),
                std::vector<llvm::Value*>(done.merge_phis.begin(), done.merge_phis.end()));
    return;
  }
  stack_.resize(done.height);
  stack_.insert(stack_.end(), done.merge_phis.begin(), done.merge_phis.end());
}

// A switch to one trampoline per distinct label: a phi takes one incoming per predecessor
// block, and the trampolines keep that true when several entries share a label.
void FunctionTranslator::translate_br_table(const wasm::Instr& in) {
  llvm::Value* index = pop();
  auto depth_of = [&](uint32_t i) {
    return i < in.b ? func_.br_table_labels[in.a + i] : static_cast<uint32_t>(in.c);
  };
  llvm::BasicBlock* from = b_.GetInsertBlock();
  std::map<uint32_t, llvm::BasicBlock*> trampolines;
  for (uint32_t i = 0; i <= in.b; ++i) {
    const uint32_t depth = depth_of(i);
    if (trampolines.count(depth) != 0) continue;
    llvm::BasicBlock* t = new_block("br_table.case");
    b_.SetInsertPoint(t);
    add_branch_incoming(depth, t);
    b_.CreateBr(label_block(depth));
    trampolines[depth] = t;
  }
  b_.SetInsertPoint(from);
  llvm::SwitchInst* sw = b_.CreateSwitch(index, trampolines[depth_of(in.b)], in.b);
  for (uint32_t i = 0; i < in.b; ++i) {
    sw->addCase(llvm::ConstantInt::get(env_.i32, i), trampolines[depth_of(i)]);
  }
  mark_dead();
}

// left = budget - cost; if (left >= 0) budget = left; else lunatic_jit_safepoint(ctx, cost).
// The budget lies in [0, kKillPollInterval] (the fast path never takes it below 0), so the
// subtraction cannot wrap and `left >= 0` is `budget >= cost`; written so (no nsw, which would
// let LLVM turn it back into a compare), x86 tests the subtraction's sign flag: `sub; js` where
// `cmp; jl; add` was, one instruction fewer per safepoint.
Result<void> FunctionTranslator::emit_next_safepoint() {
  if (next_safepoint_ >= safepoint_costs_.size()) {
    return jit_error("more live loops than the lowered code's safepoints", offset_);
  }
  const uint32_t cost = safepoint_costs_[next_safepoint_++];
  llvm::Value* left = b_.CreateSub(b_.CreateLoad(env_.i64, budget_), i64_const(cost));
  llvm::Value* covered = b_.CreateICmpSGE(left, i64_const(0));
  llvm::BasicBlock* fast = new_block("safepoint.fast");
  llvm::BasicBlock* slow = new_block("safepoint.slow");
  llvm::BasicBlock* next = new_block("safepoint.done");
  b_.CreateCondBr(covered, fast, slow, llvm::MDBuilder(env_.llvm).createBranchWeights(1 << 20, 1));
  b_.SetInsertPoint(fast);
  b_.CreateStore(left, budget_);
  b_.CreateBr(next);
  b_.SetInsertPoint(slow);
  // The helper charges `cost` itself, so it is given the budget before the subtraction: as
  // left + cost through an opaque value, else LLVM folds the sum back to the budget and keeps
  // that alive beside `left` (a copy before each subtraction on the fast path).
  b_.CreateStore(b_.CreateAdd(opaque(left), i64_const(cost)), budget_);
  call_helper(Helper::Safepoint, {ctx_, i32_const(cost)});
  b_.CreateBr(next);
  b_.SetInsertPoint(next);
  return {};
}

}  // namespace lunatic::jit
