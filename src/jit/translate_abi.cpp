// The ABI's building blocks in IR (abi.hpp): Context fields at their fixed offsets, the shadow
// stack, helper calls, trap sites and the Slot encoding of values.
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/MDBuilder.h>

#include "jit/abi.hpp"
#include "jit/translate_function.hpp"

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

void FunctionTranslator::store_ctx(uint32_t offset, llvm::Value* value) {
  store_tagged(value, ctx_field_ptr(offset, value->getType()), env_.tbaa_ctx);
}

void FunctionTranslator::store_shadow() {
  llvm::Value* shadow =
      b_.CreateBitCast(load_ctx(offsetof(Context, shadow), env_.ptr), env_.i64->getPointerTo());
  llvm::Value* at = b_.CreateInBoundsGEP(env_.i64, shadow, b_.CreateZExt(depth_, env_.i64));
  store_tagged(i64_const(shadow_entry(func_index_, offset_)), at, env_.tbaa_shadow);
}

llvm::CallInst* FunctionTranslator::call_helper(Helper h,
                                                std::initializer_list<llvm::Value*> args) {
  store_shadow();
  return b_.CreateCall(env_.helper(h), llvm::ArrayRef<llvm::Value*>(args.begin(), args.end()));
}

void FunctionTranslator::emit_trap(engine::TrapKind kind) {
  call_helper(Helper::Trap, {ctx_, i32_const(static_cast<uint32_t>(kind))});
  b_.CreateUnreachable();
}

void FunctionTranslator::trap_if(llvm::Value* cond, engine::TrapKind kind) {
  llvm::BasicBlock* trap = new_block("trap");
  llvm::BasicBlock* ok = new_block("ok");
  b_.CreateCondBr(cond, trap, ok, unlikely());
  b_.SetInsertPoint(trap);
  emit_trap(kind);
  b_.SetInsertPoint(ok);
}

// Slots hold i32 and f32 bits zero-extended, f64 bits, and references as they are.
llvm::Value* FunctionTranslator::to_slot(llvm::Value* v, wasm::ValType t) {
  switch (t) {
    case wasm::ValType::I32: return b_.CreateZExt(v, env_.i64);
    case wasm::ValType::F32: return b_.CreateZExt(b_.CreateBitCast(v, env_.i32), env_.i64);
    case wasm::ValType::F64: return b_.CreateBitCast(v, env_.i64);
    default: return v;
  }
}

llvm::Value* FunctionTranslator::from_slot(llvm::Value* slot, wasm::ValType t) {
  switch (t) {
    case wasm::ValType::I32: return b_.CreateTrunc(slot, env_.i32);
    case wasm::ValType::F32: return b_.CreateBitCast(b_.CreateTrunc(slot, env_.i32), env_.f32);
    case wasm::ValType::F64: return b_.CreateBitCast(slot, env_.f64);
    default: return slot;
  }
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
  auto* asm_ = llvm::InlineAsm::get(type, "", "=x,0", /*hasSideEffects=*/false);
  return b_.CreateCall(type, asm_, {v});
}

}  // namespace lunatic::jit
