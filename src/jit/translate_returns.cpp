// Functions whose results do not fit in registers. The prologue's way out when a check fails
// is a musttail call to wg<F> (translate.cpp), and the x86-64 backend cannot make one from a
// function that returns through memory. So such an F's body is translated into wfb<F>, which
// returns only the budget in a register and writes the results to a slot array its caller
// passes; wf<F>, with the typed signature everything else calls, is a small function that
// calls wfb<F> and returns the results read back. Its frame (the slot array) is not checked:
// it is bounded (kMaxResultSlots) and lies within the room kept below the stack limit.
#include "engine/value.hpp"
#include "jit/translate_function.hpp"

namespace lunatic::jit {

namespace {

// 8 KiB of results, within the 32 KiB kept below a stack segment's limit (native/execution
// _stack.cpp) with the helpers' frames.
constexpr uint32_t kMaxResultSlots = 1024;

}  // namespace

bool ModuleEnv::returns_in_registers(const wasm::FuncType& type) {
  uint32_t integers = 1;  // the budget
  uint32_t vectors = 0;
  for (wasm::ValType t : type.results) {
    const bool in_xmm =
        t == wasm::ValType::F32 || t == wasm::ValType::F64 || t == wasm::ValType::V128;
    ++(in_xmm ? vectors : integers);
  }
  return integers <= 3 && vectors <= 2;
}

llvm::FunctionType* ModuleEnv::body_signature(const wasm::FuncType& type) const {
  llvm::FunctionType* typed = typed_signature(type);
  std::vector<llvm::Type*> params(typed->param_begin(), typed->param_end());
  params.push_back(ptr);
  return llvm::FunctionType::get(llvm::StructType::get(llvm, std::vector<llvm::Type*>{i64}), params,
                                 false);
}

Result<void> declare_body(ModuleEnv& env, uint32_t defined_index) {
  const wasm::FuncType& type = env.wasm.types[env.wasm.functions[defined_index].type_index];
  if (ModuleEnv::returns_in_registers(type)) {
    env.bodies.push_back(nullptr);
    return {};
  }
  if (engine::slot_count(type.results) > kMaxResultSlots) {
    return jit_error("a function returns more than " + std::to_string(kMaxResultSlots) +
                     " slots of results");
  }
  // External, as wf<F>: LLVM may change an internal function's signature, which would break
  // the musttail call to wg<F> in it.
  auto* body = llvm::Function::Create(
      env.body_signature(type), llvm::GlobalValue::ExternalLinkage,
      "wfb" + std::to_string(env.wasm.imported_functions + defined_index), env.module);
  body->addFnAttr(llvm::Attribute::NoInline);
  env.bodies.push_back(body);
  return {};
}

void emit_body_call(ModuleEnv& env, uint32_t defined_index) {
  const wasm::FuncType& type = env.wasm.types[env.wasm.functions[defined_index].type_index];
  llvm::Function* fn = env.typed[defined_index];
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(env.llvm, "entry", fn));
  llvm::AllocaInst* array = b.CreateAlloca(env.i64, b.getInt32(engine::slot_count(type.results)));
  array->setAlignment(llvm::Align(16));
  std::vector<llvm::Value*> args;
  for (llvm::Argument& a : fn->args()) args.push_back(&a);
  args.push_back(b.CreateBitCast(array, env.ptr));
  llvm::Value* budget = b.CreateExtractValue(b.CreateCall(env.bodies[defined_index], args), {0});
  llvm::Value* ret = llvm::UndefValue::get(fn->getReturnType());
  ret = b.CreateInsertValue(ret, budget, {0});
  uint32_t slot = 0;
  for (size_t i = 0; i < type.results.size(); ++i) {
    ret = b.CreateInsertValue(ret, env.load_value(b, array, slot, type.results[i]),
                              {unsigned(i + 1)});
    slot += engine::slot_width(type.results[i]);
  }
  b.CreateRet(ret);
}

void FunctionTranslator::emit_return(llvm::Function* f, llvm::Value* budget,
                                     const std::vector<llvm::Value*>& results) {
  llvm::Value* ret = llvm::UndefValue::get(f->getReturnType());
  ret = b_.CreateInsertValue(ret, budget, {0});
  if (results_in_memory_) {
    llvm::Value* slots = b_.CreateBitCast(f->getArg(f->arg_size() - 1), env_.i64->getPointerTo());
    uint32_t slot = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      env_.store_value(b_, results[i], type_.results[i], slots, slot);
      slot += engine::slot_width(type_.results[i]);
    }
  } else {
    for (unsigned i = 0; i < results.size(); ++i) {
      ret = b_.CreateInsertValue(ret, results[i], {i + 1});
    }
  }
  b_.CreateRet(ret);
}

}  // namespace lunatic::jit
