// Calls in IR: direct calls of this module's typed functions, imports through
// lunatic_jit_call with a slot array, and call_indirect's inline fast path (table 0, a function
// of this instance with the expected type pointer) beside the helper's slow path.
#include "engine/store.hpp"
#include "engine/value.hpp"
#include "jit/translate_function.hpp"
#include "native/abi.hpp"

namespace lunatic::jit {

llvm::Value* FunctionTranslator::slot_array(const wasm::FuncType& type,
                                            const std::vector<llvm::Value*>& args) {
  const uint32_t count =
      std::max({engine::slot_count(type.params), engine::slot_count(type.results), uint32_t{1}});
  llvm::AllocaInst* array = alloca_at_entry(env_.i64, count);
  array->setAlignment(llvm::Align(16));
  llvm::Value* slots = b_.CreateBitCast(array, env_.i64->getPointerTo());
  uint32_t slot = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    env_.store_value(b_, args[i], type.params[i], slots, slot);
    slot += engine::slot_width(type.params[i]);
  }
  return b_.CreateBitCast(array, env_.ptr);
}

std::vector<llvm::Value*> FunctionTranslator::read_slot_results(const wasm::FuncType& type,
                                                                llvm::Value* slots) {
  llvm::Value* base = b_.CreateBitCast(slots, env_.i64->getPointerTo());
  std::vector<llvm::Value*> out;
  uint32_t slot = 0;
  for (wasm::ValType t : type.results) {
    out.push_back(env_.load_value(b_, base, slot, t));
    slot += engine::slot_width(t);
  }
  return out;
}

std::vector<llvm::Value*> FunctionTranslator::unpack_results(const wasm::FuncType& type,
                                                             llvm::Value* ret) {
  b_.CreateStore(b_.CreateExtractValue(ret, {0}), budget_);
  std::vector<llvm::Value*> out;
  for (unsigned i = 1; i <= type.results.size(); ++i) {
    out.push_back(b_.CreateExtractValue(ret, {i}));
  }
  return out;
}

std::vector<llvm::Value*> FunctionTranslator::call_slot_entry(llvm::Value* defined_index,
                                                              const wasm::FuncType& type,
                                                              const std::vector<llvm::Value*>& args,
                                                              llvm::Value* fp) {
  store_depth();
  store_ctx(offsetof(Context, frame_fp), fp);
  spill_context();
  llvm::Value* slots = slot_array(type, args);
  // Read at every call: an entry may be replaced meanwhile (NativeCode::publish_entry), and the
  // table itself when a newer tier arrives (Execution::follow_newest_tier).
  llvm::Value* entries = b_.CreateBitCast(load_ctx(offsetof(Context, slot_entries), env_.ptr),
                                          env_.ptr->getPointerTo());
  llvm::Value* entry = load_tagged(env_.ptr, b_.CreateInBoundsGEP(env_.ptr, entries, defined_index),
                                   env_.tbaa_runtime);
  auto* sig = llvm::FunctionType::get(env_.void_type, {env_.ptr, env_.ptr}, false);
  b_.CreateCall(sig, b_.CreateBitCast(entry, sig->getPointerTo()), {ctx_, slots});
  b_.CreateStore(load_ctx(offsetof(Context, budget), env_.i64), budget_);
  return read_slot_results(type, slots);
}

void FunctionTranslator::translate_call(uint32_t func_index) {
  const wasm::FuncType& type = env_.wasm.function_type(func_index);
  std::vector<llvm::Value*> args = pop_n(type.params.size());
  std::vector<llvm::Value*> results;
  const uint32_t imported = env_.wasm.imported_functions;
  if (func_index >= imported && env_.typed[func_index - imported] == nullptr) {
    // Outside the translated set: whatever code the module runs for it now.
    store_shadow();
    results = call_slot_entry(i64_const(func_index - imported), type, args, callee_fp());
    refresh_memory();
  } else if (func_index >= imported) {
    store_shadow();
    args.insert(args.begin(), {ctx_, depth_, callee_fp(), b_.CreateLoad(env_.i64, budget_)});
    llvm::Value* ret = b_.CreateCall(env_.typed[func_index - imported], args);
    results = unpack_results(type, ret);
    refresh_memory();
  } else {
    llvm::Value* slots = slot_array(type, args);
    store_ctx(offsetof(Context, frame_fp), callee_fp());  // for another instance's function
    call_helper(Helper::Call, {ctx_, i32_const(func_index), slots});
    results = read_slot_results(type, slots);
  }
  stack_.insert(stack_.end(), results.begin(), results.end());
}

std::vector<llvm::Value*> FunctionTranslator::call_typed_entry(
    llvm::Value* defined_index, const wasm::FuncType& type, const std::vector<llvm::Value*>& args,
    llvm::Value* fp) {
  llvm::Value* entries = b_.CreateBitCast(load_ctx(offsetof(Context, typed_entries), env_.ptr),
                                          env_.ptr->getPointerTo());
  llvm::Value* entry = load_tagged(env_.ptr, b_.CreateInBoundsGEP(env_.ptr, entries, defined_index),
                                   env_.tbaa_runtime);
  llvm::FunctionType* sig = env_.typed_signature(type);
  std::vector<llvm::Value*> call_args{ctx_, depth_, fp, b_.CreateLoad(env_.i64, budget_)};
  call_args.insert(call_args.end(), args.begin(), args.end());
  llvm::Value* ret = b_.CreateCall(sig, b_.CreateBitCast(entry, sig->getPointerTo()), call_args);
  return unpack_results(type, ret);
}

// Fast path: index < table0_size, f = table0_data[index] non-null, f->type == types + T,
// (f - defined_base) / sizeof(Function) < defined_count: call typed_entries[that] directly.
// Anything else goes to lunatic_jit_call_indirect, which checks, traps or calls.
void FunctionTranslator::translate_call_indirect(uint32_t type_index, uint32_t table) {
  const wasm::FuncType& type = env_.wasm.types[type_index];
  llvm::Value* index = pop();
  std::vector<llvm::Value*> args = pop_n(type.params.size());
  store_shadow();
  llvm::Value* fp = callee_fp();
  llvm::BasicBlock* slow = new_block("call_indirect.slow");
  llvm::BasicBlock* merge = new_block("call_indirect.done");
  std::vector<llvm::PHINode*> phis;
  {
    llvm::IRBuilder<> at_merge(merge);
    for (wasm::ValType t : type.results) phis.push_back(at_merge.CreatePHI(env_.value_type(t), 2));
  }
  auto check = [&](llvm::Value* ok, const char* name) {
    llvm::BasicBlock* next = new_block(name);
    b_.CreateCondBr(ok, next, slow);
    b_.SetInsertPoint(next);
  };
  if (table == 0) {
    llvm::Value* i = b_.CreateZExt(index, env_.i64);
    check(b_.CreateICmpULT(i, load_ctx(offsetof(Context, table0_size), env_.i64)), "ci.present");
    llvm::Value* data = b_.CreateBitCast(load_ctx(offsetof(Context, table0_data), env_.ptr),
                                         env_.i64->getPointerTo());
    llvm::Value* f =
        load_tagged(env_.i64, b_.CreateInBoundsGEP(env_.i64, data, i), env_.tbaa_runtime);
    check(b_.CreateICmpNE(f, i64_const(0)), "ci.nonnull");
    llvm::Value* f_type = load_tagged(
        env_.ptr,
        byte_offset(b_.CreateIntToPtr(f, env_.ptr), i64_const(function_type_offset()), env_.ptr),
        env_.tbaa_runtime);
    llvm::Value* expected =
        b_.CreateInBoundsGEP(env_.i8, load_ctx(offsetof(Context, types), env_.ptr),
                             i64_const(uint64_t{type_index} * sizeof(wasm::FuncType)));
    check(b_.CreateICmpEQ(f_type, expected), "ci.typed");
    llvm::Value* base =
        b_.CreatePtrToInt(load_ctx(offsetof(Context, defined_base), env_.ptr), env_.i64);
    llvm::Value* own = b_.CreateUDiv(b_.CreateSub(f, base), i64_const(sizeof(engine::Function)));
    check(b_.CreateICmpULT(own, load_ctx(offsetof(Context, defined_count), env_.i64)), "ci.own");
    // A tier-up of some functions runs beside the baseline's code, whose typed entries are its
    // slot entries: call through those.
    std::vector<llvm::Value*> results = env_.scope.partial()
                                            ? call_slot_entry(own, type, args, fp)
                                            : call_typed_entry(own, type, args, fp);
    for (size_t k = 0; k < phis.size(); ++k) phis[k]->addIncoming(results[k], b_.GetInsertBlock());
    b_.CreateBr(merge);
  } else {
    b_.CreateBr(slow);
  }
  b_.SetInsertPoint(slow);
  store_depth();
  store_ctx(offsetof(Context, frame_fp), fp);
  spill_context();
  llvm::Value* slots = slot_array(type, args);
  b_.CreateCall(env_.helper(Helper::CallIndirect),
                {ctx_, i32_const(type_index), i32_const(table), index, slots});
  b_.CreateStore(load_ctx(offsetof(Context, budget), env_.i64), budget_);
  std::vector<llvm::Value*> results = read_slot_results(type, slots);
  for (size_t k = 0; k < phis.size(); ++k) phis[k]->addIncoming(results[k], b_.GetInsertBlock());
  b_.CreateBr(merge);
  b_.SetInsertPoint(merge);
  refresh_memory();
  stack_.insert(stack_.end(), phis.begin(), phis.end());
}

}  // namespace lunatic::jit
