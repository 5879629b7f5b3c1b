// The ABI's building blocks in IR (abi.hpp): Context fields at their fixed offsets, the shadow
// stack, helper calls, trap sites and the Slot encoding of values.
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/MDBuilder.h>

#include "engine/code.hpp"
#include "jit/translate_function.hpp"
#include "native/abi.hpp"

namespace lunatic::jit {

llvm::Value* FunctionTranslator::i32_const(uint32_t v) const {
  return llvm::ConstantInt::get(env_.i32, v);
}

llvm::Value* FunctionTranslator::i64_const(uint64_t v) const {
  return llvm::ConstantInt::get(env_.i64, v);
}

llvm::BasicBlock* FunctionTranslator::new_block(const char* name) {
  return llvm::BasicBlock::Create(env_.llvm, name, fn_);
}

llvm::AllocaInst* FunctionTranslator::alloca_at_entry(llvm::Type* type, uint32_t count) {
  llvm::IRBuilder<> at_entry(entry_, entry_->begin());
  return at_entry.CreateAlloca(llvm::ArrayType::get(type, count));
}

llvm::MDNode* FunctionTranslator::unlikely() const {
  return llvm::MDBuilder(env_.llvm).createBranchWeights(1, 1 << 20);
}

llvm::Value* FunctionTranslator::byte_offset(llvm::Value* base, llvm::Value* offset,
                                             llvm::Type* type) {
  llvm::Value* p = b_.CreateInBoundsGEP(env_.i8, base, offset);
  return b_.CreateBitCast(p, type->getPointerTo());
}

llvm::LoadInst* FunctionTranslator::load_tagged(llvm::Type* type, llvm::Value* ptr,
                                                llvm::MDNode* tbaa) {
  llvm::LoadInst* load = b_.CreateLoad(type, ptr);
  load->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa);
  return load;
}

void FunctionTranslator::store_tagged(llvm::Value* value, llvm::Value* ptr, llvm::MDNode* tbaa) {
  b_.CreateStore(value, ptr)->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa);
}

llvm::Value* FunctionTranslator::ctx_field_ptr(uint32_t offset, llvm::Type* type) {
  return byte_offset(ctx_, i64_const(offset), type);
}

llvm::Value* FunctionTranslator::load_ctx(uint32_t offset, llvm::Type* type) {
  return load_tagged(type, ctx_field_ptr(offset, type), env_.tbaa_ctx);
}

llvm::Value* FunctionTranslator::load_ctx_fixed(uint32_t offset, llvm::Type* type) {
  llvm::LoadInst* load = load_tagged(type, ctx_field_ptr(offset, type), env_.tbaa_ctx);
  load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(env_.llvm, {}));
  return load;
}

void FunctionTranslator::store_ctx(uint32_t offset, llvm::Value* value) {
  store_tagged(value, ctx_field_ptr(offset, value->getType()), env_.tbaa_ctx);
}

void FunctionTranslator::store_shadow() {
  store_shadow(i64_const(shadow_entry(func_index_, offset_)));
}

void FunctionTranslator::store_shadow(llvm::Value* entry) {
  llvm::Value* shadow = b_.CreateBitCast(load_ctx_fixed(offsetof(Context, shadow), env_.ptr),
                                         env_.i64->getPointerTo());
  llvm::Value* at = b_.CreateInBoundsGEP(env_.i64, shadow, depth_);
  store_tagged(entry, at, env_.tbaa_shadow);
}

void FunctionTranslator::store_depth() {
  store_ctx(offsetof(Context, depth), b_.CreateTrunc(depth_, env_.i32));
}

llvm::Value* FunctionTranslator::callee_fp() {
  uint32_t height = 0;  // in slots: a v128 takes two (engine/value.hpp)
  for (llvm::Value* v : stack_) height += v->getType()->getPrimitiveSizeInBits() > 64 ? 2 : 1;
  return b_.CreateAdd(fp_, i32_const(lowered_.stack_base + height));
}

void FunctionTranslator::spill_context() {
  store_ctx(offsetof(Context, budget), b_.CreateLoad(env_.i64, budget_));
}

void FunctionTranslator::refresh_context() {
  b_.CreateStore(load_ctx(offsetof(Context, budget), env_.i64), budget_);
  refresh_memory();
}

void FunctionTranslator::refresh_memory() {
  b_.CreateStore(load_ctx(offsetof(Context, memory_base), env_.ptr), memory_base_);
  b_.CreateStore(load_ctx(offsetof(Context, memory_size), env_.i64), memory_size_);
}

llvm::CallInst* FunctionTranslator::call_helper(Helper h,
                                                std::initializer_list<llvm::Value*> args) {
  store_shadow();
  store_depth();
  spill_context();
  llvm::CallInst* call =
      b_.CreateCall(env_.helper(h), llvm::ArrayRef<llvm::Value*>(args.begin(), args.end()));
  refresh_context();
  return call;
}

// Trap sites of one kind share a block (far less code for LLVM to compile than a call per
// site); the site's shadow entry comes in through the block's phi.
llvm::BasicBlock* FunctionTranslator::trap_block(engine::TrapKind kind, llvm::BasicBlock* from) {
  const auto k = static_cast<size_t>(kind);
  if (trap_blocks_.size() <= k) {
    trap_blocks_.resize(k + 1, nullptr);
    trap_sites_.resize(k + 1, nullptr);
  }
  if (trap_blocks_[k] == nullptr) {
    llvm::IRBuilderBase::InsertPointGuard keep(b_);
    trap_blocks_[k] = new_block("trap");
    b_.SetInsertPoint(trap_blocks_[k]);
    trap_sites_[k] = b_.CreatePHI(env_.i64, 4);
    store_shadow(trap_sites_[k]);
    store_depth();
    spill_context();  // the fuel left after a trap is the runtime's to report
    b_.CreateCall(env_.helper(Helper::Trap), {ctx_, i32_const(static_cast<uint32_t>(kind))});
    b_.CreateUnreachable();
  }
  trap_sites_[k]->addIncoming(i64_const(shadow_entry(func_index_, offset_)), from);
  return trap_blocks_[k];
}

void FunctionTranslator::emit_trap(engine::TrapKind kind) {
  b_.CreateBr(trap_block(kind, b_.GetInsertBlock()));
}

void FunctionTranslator::trap_if(llvm::Value* cond, engine::TrapKind kind) {
  llvm::BasicBlock* ok = new_block("ok");
  b_.CreateCondBr(cond, trap_block(kind, b_.GetInsertBlock()), ok, unlikely());
  b_.SetInsertPoint(ok);
}

llvm::Value* FunctionTranslator::to_slot(llvm::Value* v, wasm::ValType t) {
  return env_.to_slot(b_, v, t);
}

llvm::Value* FunctionTranslator::from_slot(llvm::Value* slot, wasm::ValType t) {
  return env_.from_slot(b_, slot, t);
}

// LLVM's default floating-point model lets it fold x - 0, x * 1, x / 1, x * -1, -0 - x and
// demote(promote(x)) to x or -x, which passes a signalling NaN through where Wasm requires a
// quiet one (spec: "nan:arithmetic"). Those identities need one of these constants, so they
// are materialised opaquely (through locals too, since the opaque value is what propagates);
// the cost is a register load where LLVM would have folded an immediate.
llvm::Value* FunctionTranslator::float_const(llvm::Type* type, uint64_t bits) {
  const bool is_f32 = type == env_.f32;
  llvm::Value* c = llvm::ConstantExpr::getBitCast(
      is_f32 ? llvm::ConstantInt::get(env_.i32, static_cast<uint32_t>(bits))
             : llvm::ConstantInt::get(env_.i64, bits),
      type);
  const uint64_t magnitude = is_f32 ? (bits & 0x7FFF'FFFFu) : (bits & ~(uint64_t{1} << 63));
  const uint64_t one = is_f32 ? 0x3F80'0000u : 0x3FF0'0000'0000'0000u;
  if (magnitude == 0 || magnitude == one) return opaque(c);
  return c;
}

llvm::Value* FunctionTranslator::opaque(llvm::Value* v) {
  auto* type = llvm::FunctionType::get(v->getType(), {v->getType()}, false);
  const char* constraints = v->getType()->isIntegerTy() ? "=r,0" : "=x,0";  // GPR or SSE
  auto* asm_ = llvm::InlineAsm::get(type, "", constraints, /*hasSideEffects=*/false);
  return b_.CreateCall(type, asm_, {v});
}

}  // namespace lunatic::jit
