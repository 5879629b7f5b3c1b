// The translation driver: declares the module's functions and helpers, translates each body
// (prologue, then one instruction at a time, skipping unreachable code as lowering does) and
// emits the slot entries.
#include "jit/translate.hpp"

#include <llvm/IR/MDBuilder.h>

#include "engine/code.hpp"
#include "engine/value.hpp"
#include "jit/frame_headroom.hpp"
#include "jit/translate_function.hpp"
#include "native/abi.hpp"
#include "wasm/unreachable_code.hpp"

namespace lunatic::jit {

namespace {

struct HelperSpec {
  const char* name;
  const char* signature;  ///< result then params: v void, i i32, l i64, p pointer
};

// In the order of Helper.
constexpr HelperSpec kHelpers[] = {
    {"lunatic_jit_safepoint", "vpi"},         {"lunatic_jit_trap", "vpi"},
    {"lunatic_jit_memory_grow", "ipi"},       {"lunatic_jit_memory_fill", "vpiii"},
    {"lunatic_jit_memory_copy", "vpiii"},     {"lunatic_jit_memory_init", "vpiiii"},
    {"lunatic_jit_data_drop", "vpi"},         {"lunatic_jit_table_get", "lpii"},
    {"lunatic_jit_table_set", "vpiil"},       {"lunatic_jit_table_size", "ipi"},
    {"lunatic_jit_table_grow", "ipili"},      {"lunatic_jit_table_fill", "vpiili"},
    {"lunatic_jit_table_copy", "vpiiiii"},    {"lunatic_jit_table_init", "vpiiiii"},
    {"lunatic_jit_elem_drop", "vpi"},         {"lunatic_jit_call", "vpip"},
    {"lunatic_jit_call_indirect", "vpiiip"},  {"lunatic_jit_grow_stack", "vppp"},
    {"lunatic_jit_grow_stack_osr", "vpppip"},
};
static_assert(std::size(kHelpers) == static_cast<size_t>(Helper::Count));

}  // namespace

const char* helper_name(Helper h) { return kHelpers[static_cast<size_t>(h)].name; }

TranslationScope::TranslationScope(uint32_t count, std::span<const uint32_t> defined)
    : in_(count, false) {
  for (uint32_t i : defined) {
    if (i < count) in_[i] = true;
  }
}

ModuleEnv::ModuleEnv(llvm::Module& m, const engine::CompiledModule& c, const TranslationScope& s)
    : llvm(m.getContext()),
      module(m),
      compiled(c),
      wasm(c.wasm),
      scope(s),
      i1(llvm::Type::getInt1Ty(llvm)),
      i8(llvm::Type::getInt8Ty(llvm)),
      i32(llvm::Type::getInt32Ty(llvm)),
      i64(llvm::Type::getInt64Ty(llvm)),
      f32(llvm::Type::getFloatTy(llvm)),
      f64(llvm::Type::getDoubleTy(llvm)),
      ptr(llvm::Type::getInt8PtrTy(llvm)),
      v128(llvm::FixedVectorType::get(i64, 2)),
      void_type(llvm::Type::getVoidTy(llvm)) {
  llvm::MDBuilder md(llvm);
  llvm::MDNode* root = md.createTBAARoot("lunatic");
  auto tag = [&](const char* name) {
    llvm::MDNode* type = md.createTBAAScalarTypeNode(name, root);
    return md.createTBAAStructTagNode(type, type, 0);
  };
  tbaa_ctx = tag("context");
  tbaa_memory = tag("linear memory");
  tbaa_shadow = tag("shadow stack");
  tbaa_global = tag("global value");
  tbaa_runtime = tag("runtime arrays");
}

llvm::Type* ModuleEnv::value_type(wasm::ValType t) const {
  switch (t) {
    case wasm::ValType::I32: return i32;
    case wasm::ValType::F32: return f32;
    case wasm::ValType::F64: return f64;
    case wasm::ValType::V128: return v128;
    default: return i64;  // i64 and references
  }
}

llvm::FunctionType* ModuleEnv::typed_signature(const wasm::FuncType& type) const {
  // The context, the caller's call depth, the frame's fp (abi.hpp), the budget left. The depth
  // (a 32-bit count) travels zero-extended to 64 bits: a frame's shadow-stack entry is then
  // shadow + 8 * (the host frame's depth + k) for the frames inlined into it, one register and
  // an address displacement, where 32-bit sums took one register each (wrap-around).
  std::vector<llvm::Type*> params{ptr, i64, i32, i64};
  for (wasm::ValType t : type.params) params.push_back(value_type(t));
  std::vector<llvm::Type*> fields{i64};  // the budget left, then the results
  for (wasm::ValType t : type.results) fields.push_back(value_type(t));
  return llvm::FunctionType::get(llvm::StructType::get(llvm, fields), params, false);
}

// Slots hold i32 and f32 bits zero-extended, f64 bits, and references as they are.
llvm::Value* ModuleEnv::to_slot(llvm::IRBuilder<>& b, llvm::Value* v, wasm::ValType t) const {
  switch (t) {
    case wasm::ValType::I32: return b.CreateZExt(v, i64);
    case wasm::ValType::F32: return b.CreateZExt(b.CreateBitCast(v, i32), i64);
    case wasm::ValType::F64: return b.CreateBitCast(v, i64);
    default: return v;
  }
}

llvm::Value* ModuleEnv::from_slot(llvm::IRBuilder<>& b, llvm::Value* slot, wasm::ValType t) const {
  switch (t) {
    case wasm::ValType::I32: return b.CreateTrunc(slot, i32);
    case wasm::ValType::F32: return b.CreateBitCast(b.CreateTrunc(slot, i32), f32);
    case wasm::ValType::F64: return b.CreateBitCast(slot, f64);
    default: return slot;
  }
}

llvm::Value* ModuleEnv::load_value(llvm::IRBuilder<>& b, llvm::Value* slots, uint32_t index,
                                   wasm::ValType t) const {
  llvm::Value* at = b.CreateConstInBoundsGEP1_64(i64, slots, index);
  if (t != wasm::ValType::V128) return from_slot(b, b.CreateLoad(i64, at), t);
  return b.CreateAlignedLoad(v128, b.CreateBitCast(at, v128->getPointerTo()), llvm::Align(8));
}

void ModuleEnv::store_value(llvm::IRBuilder<>& b, llvm::Value* v, wasm::ValType t,
                            llvm::Value* slots, uint32_t index) const {
  llvm::Value* at = b.CreateConstInBoundsGEP1_64(i64, slots, index);
  if (t != wasm::ValType::V128) {
    b.CreateStore(to_slot(b, v, t), at);
    return;
  }
  b.CreateAlignedStore(v, b.CreateBitCast(at, v128->getPointerTo()), llvm::Align(8));
}

llvm::Function* ModuleEnv::slot_entry(uint32_t defined_index) {
  const std::string name = entry_name(wasm.imported_functions + defined_index);
  if (llvm::Function* declared = module.getFunction(name)) return declared;
  auto* sig = llvm::FunctionType::get(void_type, {ptr, ptr}, false);
  return llvm::Function::Create(sig, llvm::GlobalValue::ExternalLinkage, name, module);
}

llvm::Function* ModuleEnv::helper(Helper h) {
  llvm::Function*& slot = helpers_[static_cast<size_t>(h)];
  if (slot != nullptr) return slot;
  const HelperSpec& spec = kHelpers[static_cast<size_t>(h)];
  auto type_of = [&](char c) -> llvm::Type* {
    switch (c) {
      case 'i': return i32;
      case 'l': return i64;
      case 'p': return ptr;
      default: return void_type;
    }
  };
  std::vector<llvm::Type*> params;
  for (const char* c = spec.signature + 1; *c != '\0'; ++c) params.push_back(type_of(*c));
  auto* type = llvm::FunctionType::get(type_of(spec.signature[0]), params, false);
  slot = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, spec.name, module);
  if (h == Helper::Trap) {
    slot->addFnAttr(llvm::Attribute::NoReturn);
    slot->addFnAttr(llvm::Attribute::Cold);
  }
  return slot;
}

FunctionTranslator::FunctionTranslator(ModuleEnv& env, uint32_t defined_index,
                                       llvm::Function* osr_target)
    : env_(env),
      func_(env.wasm.functions[defined_index]),
      type_(env.wasm.types[func_.type_index]),
      lowered_(*env.compiled.code[defined_index]),
      func_index_(env.wasm.imported_functions + defined_index),
      fn_(osr_target != nullptr                  ? osr_target
          : env.bodies[defined_index] != nullptr ? env.bodies[defined_index]
                                                 : env.typed[defined_index]),
      b_(env.llvm),
      osr_(osr_target != nullptr),
      results_in_memory_(!ModuleEnv::returns_in_registers(type_)) {}

FunctionTranslator::~FunctionTranslator() {
  for (Ctrl& c : ctrls_) {
    if (c.merge != nullptr && c.merge->getParent() == nullptr) {
      // Uses of it and of its phis (branches to it, values after it) go first.
      for (llvm::PHINode* phi : c.merge_phis) {
        phi->replaceAllUsesWith(llvm::UndefValue::get(phi->getType()));
      }
      c.merge->replaceAllUsesWith(llvm::UndefValue::get(c.merge->getType()));
      delete c.merge;
    }
  }
}

// The lowered code holds the fuel cost of each safepoint (engine::safepoint_costs).
Result<void> FunctionTranslator::collect_safepoint_costs() {
  safepoint_costs_ = engine::safepoint_costs(lowered_);
  if (safepoint_costs_.empty()) return jit_error("malformed lowered code: no entry safepoint");
  return {};
}

void FunctionTranslator::emit_prologue() {
  entry_ = llvm::BasicBlock::Create(env_.llvm, "entry", fn_);
  b_.SetInsertPoint(entry_);
  ctx_ = fn_->getArg(0);
  // The Context is valid for the whole call: LLVM may then load its fixed fields ahead of the
  // branch that guards their first use, so a loop's limit checks of the frames inlined into it
  // (self_inline.cpp) are computed once, before the loop, not at every iteration after a call.
  fn_->addParamAttr(0, llvm::Attribute::getWithDereferenceableBytes(env_.llvm, sizeof(Context)));
  fn_->addParamAttr(0, llvm::Attribute::getWithAlignment(env_.llvm, llvm::Align(alignof(Context))));
  fn_->addParamAttr(0, llvm::Attribute::NonNull);
  local_types_ = type_.params;
  for (const wasm::LocalGroup& g : func_.locals)
    local_types_.insert(local_types_.end(), g.count, g.type);
  for (wasm::ValType t : local_types_) locals_.push_back(b_.CreateAlloca(env_.value_type(t)));
  budget_ = b_.CreateAlloca(env_.i64);
  memory_base_ = b_.CreateAlloca(env_.ptr);
  memory_size_ = b_.CreateAlloca(env_.i64);
  // d = the caller's depth + 1 (an argument; the OSR variant's caller is the runtime, which
  // keeps it in ctx->depth) must stay within max_depth, and the native stack above its limit.
  // The trap leaves the shadow stack alone: shadow[d] may not exist, and the caller stored its
  // site; it reports the caller's depth.
  // The frame's interpreter slots, fp + frame_size, must stay within max_slots as well.
  llvm::Value* caller_depth =
      osr_ ? b_.CreateZExt(load_ctx(offsetof(Context, depth), env_.i32), env_.i64) : fn_->getArg(1);
  fp_ = osr_ ? load_ctx(offsetof(Context, frame_fp), env_.i32) : fn_->getArg(2);
  llvm::Value* budget = osr_ ? load_ctx(offsetof(Context, budget), env_.i64) : fn_->getArg(3);
  depth_ = b_.CreateNUWAdd(caller_depth, i64_const(1));  // below 2^32 + 1: no wrap
  llvm::Value* too_deep = b_.CreateICmpUGT(
      depth_, b_.CreateZExt(load_ctx_fixed(offsetof(Context, max_depth), env_.i32), env_.i64));
  llvm::Value* frame_end =
      b_.CreateAdd(b_.CreateZExt(fp_, env_.i64), i64_const(lowered_.frame_size));
  llvm::Value* too_many_slots = b_.CreateICmpUGT(
      frame_end, b_.CreateZExt(load_ctx_fixed(offsetof(Context, max_slots), env_.i32), env_.i64));
  llvm::Function* read_register =
      llvm::Intrinsic::getDeclaration(&env_.module, llvm::Intrinsic::read_register, {env_.i64});
  llvm::Metadata* rsp = llvm::MDString::get(env_.llvm, "rsp");
  llvm::Value* sp = b_.CreateCall(
      read_register, {llvm::MetadataAsValue::get(env_.llvm, llvm::MDNode::get(env_.llvm, rsp))});
  llvm::Value* low_stack =
      b_.CreateICmpULT(sp, load_ctx_fixed(offsetof(Context, stack_limit), env_.i64));
  llvm::BasicBlock* checks_failed = new_block("checks_failed");
  llvm::BasicBlock* body = new_block("body");
  llvm::Value* failed = b_.CreateOr(b_.CreateOr(too_deep, too_many_slots), low_stack);
  // Tagged for frame_headroom.cpp, which reads this shape once our inlining stacked frames.
  llvm::cast<llvm::Instruction>(failed)->setMetadata(env_.llvm.getMDKindID(kFrameCheckMetadata),
                                                     llvm::MDNode::get(env_.llvm, {}));
  b_.CreateCondBr(failed, checks_failed, body, unlikely());
  b_.SetInsertPoint(checks_failed);
  emit_checks_failed();
  // The frame is written only once the checks passed: a frame bigger than the runtime's
  // margin below stack_limit must not be touched first.
  b_.SetInsertPoint(body);
  b_.CreateStore(budget, budget_);
  refresh_memory();
  uint32_t frame_slot = 0;  // the interpreter's frame: a v128 local takes two slots
  for (size_t i = 0; i < locals_.size(); ++i) {
    llvm::Value* init = nullptr;
    if (osr_) {  // every local from the interpreter's frame
      llvm::Value* frame = b_.CreateBitCast(fn_->getArg(1), env_.i64->getPointerTo());
      init = env_.load_value(b_, frame, frame_slot, local_types_[i]);
      frame_slot += engine::slot_width(local_types_[i]);
    } else if (i < type_.params.size()) {
      init = fn_->getArg(i + 4);
    } else {
      init = llvm::Constant::getNullValue(locals_[i]->getAllocatedType());
    }
    b_.CreateStore(init, locals_[i]);
  }
  if (osr_) {
    // Safepoint 0 (and anything unknown) starts at the entry; loops are added by enter_block.
    llvm::BasicBlock* start = new_block("start");
    osr_switch_ = b_.CreateSwitch(fn_->getArg(2), start);
    osr_points_.assign(safepoint_costs_.size(), false);
    osr_points_[0] = true;
    b_.SetInsertPoint(start);
  }
}

// The frame is left before anything is written below it: a tail call to wg<F> (same
// signature, a frame of a few slots) with the same arguments, which traps or moves to the big
// stack. A frame of any size may lie below the limit, even below the segment's low end.
void FunctionTranslator::emit_checks_failed() {
  const std::string name = (osr_ ? "wgo" : "wg") + std::to_string(func_index_);
  // External: LLVM 14 changes an internal function's signature (a result of one field returned
  // bare), which breaks the musttail call (the backend then refuses it).
  auto* grow = llvm::Function::Create(fn_->getFunctionType(), llvm::GlobalValue::ExternalLinkage,
                                      name, env_.module);
  grow->addFnAttr(llvm::Attribute::NoInline);
  std::vector<llvm::Value*> args;
  for (llvm::Argument& a : fn_->args()) args.push_back(&a);
  llvm::CallInst* call = b_.CreateCall(grow, args);
  call->setTailCallKind(llvm::CallInst::TCK_MustTail);
  b_.CreateRet(call);
  llvm::IRBuilderBase::InsertPointGuard keep(b_);
  llvm::Value* const own_ctx = ctx_;
  b_.SetInsertPoint(llvm::BasicBlock::Create(env_.llvm, "entry", grow));
  ctx_ = grow->getArg(0);
  emit_grow_entry(grow);
  ctx_ = own_ctx;
}

// wg<F>: the checks again (the caller's depth, fp and budget go to the context, as a trap and
// a slot entry want them); the depth or slot limit traps, else the native stack ran out: on
// the small segment, F runs again from its start through its slot entry on the big stack
// (abi.hpp lunatic_jit_grow_stack); on the big one, that traps.
void FunctionTranslator::emit_grow_entry(llvm::Function* grow) {
  llvm::Value* caller_depth =
      osr_ ? b_.CreateZExt(load_ctx(offsetof(Context, depth), env_.i32), env_.i64)
           : grow->getArg(1);
  llvm::Value* fp = osr_ ? load_ctx(offsetof(Context, frame_fp), env_.i32) : grow->getArg(2);
  llvm::Value* budget = osr_ ? load_ctx(offsetof(Context, budget), env_.i64) : grow->getArg(3);
  store_ctx(offsetof(Context, depth), b_.CreateTrunc(caller_depth, env_.i32));
  store_ctx(offsetof(Context, frame_fp), fp);
  store_ctx(offsetof(Context, budget), budget);
  llvm::Value* too_deep =
      b_.CreateICmpUGT(b_.CreateAdd(caller_depth, i64_const(1)),
                       b_.CreateZExt(load_ctx(offsetof(Context, max_depth), env_.i32), env_.i64));
  llvm::Value* too_many_slots =
      b_.CreateICmpUGT(b_.CreateAdd(b_.CreateZExt(fp, env_.i64), i64_const(lowered_.frame_size)),
                       b_.CreateZExt(load_ctx(offsetof(Context, max_slots), env_.i32), env_.i64));
  llvm::BasicBlock* exhausted = llvm::BasicBlock::Create(env_.llvm, "stack_exhausted", grow);
  llvm::BasicBlock* move = llvm::BasicBlock::Create(env_.llvm, "grow_stack", grow);
  b_.CreateCondBr(b_.CreateOr(too_deep, too_many_slots), exhausted, move);
  b_.SetInsertPoint(exhausted);
  b_.CreateCall(env_.helper(Helper::Trap),
                {ctx_, i32_const(static_cast<uint32_t>(engine::TrapKind::CallStackExhausted))});
  b_.CreateUnreachable();
  b_.SetInsertPoint(move);
  const uint32_t count =
      std::max({engine::slot_count(type_.params), engine::slot_count(type_.results), uint32_t{1}});
  llvm::AllocaInst* array = b_.CreateAlloca(llvm::ArrayType::get(env_.i64, count));
  array->setAlignment(llvm::Align(16));
  llvm::Value* slots = b_.CreateBitCast(array, env_.i64->getPointerTo());
  if (osr_) {
    llvm::Function* entry = env_.module.getFunction(osr_name(func_index_));
    b_.CreateCall(env_.helper(Helper::GrowStackOsr),
                  {ctx_, b_.CreateBitCast(entry, env_.ptr), grow->getArg(1), grow->getArg(2),
                   b_.CreateBitCast(slots, env_.ptr)});
  } else {
    uint32_t slot = 0;
    for (size_t i = 0; i < type_.params.size(); ++i) {
      env_.store_value(b_, grow->getArg(i + 4), type_.params[i], slots, slot);
      slot += engine::slot_width(type_.params[i]);
    }
    llvm::Function* entry = env_.slot_entry(func_index_ - env_.wasm.imported_functions);
    b_.CreateCall(env_.helper(Helper::GrowStack),
                  {ctx_, b_.CreateBitCast(entry, env_.ptr), b_.CreateBitCast(slots, env_.ptr)});
  }
  emit_return(grow, load_ctx(offsetof(Context, budget), env_.i64), read_slot_results(type_, slots));
}

Result<void> FunctionTranslator::run() {
  TRY(collect_safepoint_costs());
  emit_prologue();
  Ctrl fn;
  fn.kind = Ctrl::Kind::Func;
  fn.results = type_.results;
  fn.merge = llvm::BasicBlock::Create(env_.llvm, "return");
  for (wasm::ValType t : fn.results)
    fn.merge_phis.push_back(llvm::PHINode::Create(env_.value_type(t), 2, "", fn.merge));
  ctrls_.push_back(std::move(fn));
  if (func_.body.empty()) return jit_error("empty body");
  offset_ = func_.body[0].offset;
  TRY(emit_next_safepoint());
  for (const wasm::Instr& in : func_.body) {
    if (ctrls_.empty()) break;
    offset_ = in.offset;
    // Skipped as lowering skips it, so both count the same loops.
    if (ctrls_.back().dead && wasm::skip_unreachable(in.op, dead_depth_)) continue;
    TRY(translate(in));
  }
  if (!ctrls_.empty()) return jit_error("body without its final end");
  if (next_safepoint_ != safepoint_costs_.size()) {
    return jit_error("lowered code has " + std::to_string(safepoint_costs_.size()) +
                     " safepoints, the translation " + std::to_string(next_safepoint_));
  }
  return {};
}

Result<void> FunctionTranslator::translate(const wasm::Instr& in) {
  using wasm::Opcode;
  switch (in.op) {
    case Opcode::Nop: return {};
    case Opcode::Drop: pop(); return {};
    case Opcode::Select:
    case Opcode::SelectT: {
      llvm::Value* cond = b_.CreateICmpNE(pop(), i32_const(0));
      llvm::Value* if_false = pop();
      llvm::Value* if_true = pop();
      push(b_.CreateSelect(cond, if_true, if_false));
      return {};
    }
    case Opcode::LocalGet:
      push(b_.CreateLoad(env_.value_type(local_types_.at(in.a)), locals_.at(in.a)));
      return {};
    case Opcode::LocalSet: b_.CreateStore(pop(), locals_.at(in.a)); return {};
    case Opcode::LocalTee: b_.CreateStore(stack_.back(), locals_.at(in.a)); return {};
    case Opcode::I32Const: push(i32_const(static_cast<uint32_t>(in.c))); return {};
    case Opcode::I64Const: push(i64_const(in.c)); return {};
    case Opcode::F32Const: push(float_const(env_.f32, in.c)); return {};
    case Opcode::F64Const: push(float_const(env_.f64, in.c)); return {};
    case Opcode::Call: translate_call(in.a); return {};
    case Opcode::CallIndirect: translate_call_indirect(in.a, in.b); return {};
    default: break;
  }
  if (translate_simd(in) || translate_integer(in.op) || translate_float(in.op) ||
      translate_conversion(in.op) || translate_memory(in) || translate_reference_or_bulk(in)) {
    return {};
  }
  return translate_control(in);
}

std::vector<llvm::Value*> FunctionTranslator::pop_n(size_t n) {
  std::vector<llvm::Value*> out(stack_.end() - static_cast<ptrdiff_t>(n), stack_.end());
  stack_.resize(stack_.size() - n);
  return out;
}

namespace {

bool has_loop(const wasm::Function& f) {
  for (const wasm::Instr& in : f.body) {
    if (in.op == wasm::Opcode::Loop) return true;
  }
  return false;
}

// Writes the value a typed function returned (`type`'s results) to a slot array.
void store_results(ModuleEnv& env, llvm::IRBuilder<>& b, const wasm::FuncType& type,
                   llvm::Value* ret, llvm::Value* slot_array) {
  llvm::Value* slots = b.CreateBitCast(slot_array, env.i64->getPointerTo());
  uint32_t slot = 0;
  for (size_t i = 0; i < type.results.size(); ++i) {
    llvm::Value* v = b.CreateExtractValue(ret, {unsigned(i + 1)});
    env.store_value(b, v, type.results[i], slots, slot);
    slot += engine::slot_width(type.results[i]);
  }
}

// A field of the Context `ctx` at `offset`, as a pointer to `type` (for the entries the runtime
// calls, which have no FunctionTranslator).
llvm::Value* context_field(ModuleEnv& env, llvm::IRBuilder<>& b, llvm::Value* ctx, size_t offset,
                           llvm::Type* type) {
  return b.CreateBitCast(b.CreateConstInBoundsGEP1_64(env.i8, ctx, offset), type->getPointerTo());
}

// we<F>: reads the params from the slot array, calls wf<F>, writes the results back.
void emit_slot_entry(ModuleEnv& env, uint32_t defined_index) {
  const wasm::FuncType& type = env.wasm.types[env.wasm.functions[defined_index].type_index];
  llvm::Function* fn = env.slot_entry(defined_index);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(env.llvm, "entry", fn));
  llvm::Value* slots = b.CreateBitCast(fn->getArg(1), env.i64->getPointerTo());
  // Called by the runtime, which keeps the caller's depth and the frame's fp in the context.
  llvm::Value* depth = b.CreateZExt(
      b.CreateLoad(env.i32,
                   context_field(env, b, fn->getArg(0), offsetof(Context, depth), env.i32)),
      env.i64);
  llvm::Value* fp = b.CreateLoad(
      env.i32, context_field(env, b, fn->getArg(0), offsetof(Context, frame_fp), env.i32));
  llvm::Value* budget_ptr =
      context_field(env, b, fn->getArg(0), offsetof(Context, budget), env.i64);
  std::vector<llvm::Value*> args{fn->getArg(0), depth, fp, b.CreateLoad(env.i64, budget_ptr)};
  uint32_t slot = 0;
  for (wasm::ValType t : type.params) {
    args.push_back(env.load_value(b, slots, slot, t));
    slot += engine::slot_width(t);
  }
  llvm::Value* ret = b.CreateCall(env.typed[defined_index], args);
  b.CreateStore(b.CreateExtractValue(ret, {0}), budget_ptr);
  store_results(env, b, type, ret, fn->getArg(1));
  b.CreateRetVoid();
}

// The OSR variant of F (typed) and wo<F>: void (ctx, const Slot* locals, i32 safepoint,
// Slot* results), which calls it and writes its results as slots. The variant is external, as
// wg<F> is: internal, LLVM 14's dead-argument pass returns a one-field result bare (`{ i64 }`
// as `i64`, an extractvalue after the call), which breaks the variant's own musttail call of
// wgo<F> ("failed to perform tail call elimination", a fatal error) whenever the variant is
// too big to be inlined into wo<F> (Lua's luaV_execute compiled alone, a hot function).
llvm::Function* declare_osr(ModuleEnv& env, uint32_t defined_index) {
  const uint32_t func_index = env.wasm.imported_functions + defined_index;
  const wasm::FuncType& type = env.wasm.types[env.wasm.functions[defined_index].type_index];
  const bool in_memory = !ModuleEnv::returns_in_registers(type);
  std::vector<llvm::Type*> params{env.ptr, env.ptr, env.i32};
  if (in_memory) params.push_back(env.ptr);  // the results' slot array (emit_return)
  llvm::Type* ret = in_memory ? llvm::StructType::get(env.llvm, std::vector<llvm::Type*>{env.i64})
                              : env.typed[defined_index]->getReturnType();
  auto* variant_type = llvm::FunctionType::get(ret, params, false);
  auto* variant = llvm::Function::Create(variant_type, llvm::GlobalValue::ExternalLinkage,
                                         "wfo" + std::to_string(func_index), env.module);
  auto* sig = llvm::FunctionType::get(env.void_type, {env.ptr, env.ptr, env.i32, env.ptr}, false);
  auto* fn = llvm::Function::Create(sig, llvm::GlobalValue::ExternalLinkage, osr_name(func_index),
                                    env.module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(env.llvm, "entry", fn));
  std::vector<llvm::Value*> args{fn->getArg(0), fn->getArg(1), fn->getArg(2)};
  if (in_memory) args.push_back(fn->getArg(3));  // the variant writes the results there
  llvm::Value* value = b.CreateCall(variant, args);
  b.CreateStore(b.CreateExtractValue(value, {0}),
                context_field(env, b, fn->getArg(0), offsetof(Context, budget), env.i64));
  if (!in_memory) store_results(env, b, type, value, fn->getArg(3));
  b.CreateRetVoid();
  return variant;
}

}  // namespace

Result<void> translate_module(const engine::CompiledModule& compiled, llvm::Module& out, bool osr,
                              OsrPoints* osr_points, const TranslationScope& scope) {
  ModuleEnv env(out, compiled, scope);
  const wasm::Module& m = compiled.wasm;
  if (compiled.code.size() != m.functions.size()) return jit_error("module is not lowered");
  for (uint32_t i = 0; i < m.functions.size(); ++i) {
    const uint32_t func_index = m.imported_functions + i;
    if (!scope.contains(i)) {  // called through its slot entry (translate_calls.cpp)
      env.typed.push_back(nullptr);
      env.bodies.push_back(nullptr);
      continue;
    }
    Result<const engine::CompiledFunction*> lowered = compiled.lowered(i);  // the translator's
    if (!lowered.ok()) return std::move(lowered).error();
    const wasm::FuncType& type = m.types[m.functions[i].type_index];
    auto* fn = llvm::Function::Create(env.typed_signature(type), llvm::GlobalValue::ExternalLinkage,
                                      typed_name(func_index), out);
    env.typed.push_back(fn);
    TRY(declare_body(env, i));
  }
  for (uint32_t i = 0; i < m.functions.size(); ++i) {
    if (!scope.contains(i)) continue;
    Result<void> r = FunctionTranslator(env, i).run();
    if (!r.ok()) {
      Error e = std::move(r).error();
      e.context = "jit, function " + std::to_string(m.imported_functions + i);
      return e;
    }
    if (env.bodies[i] != nullptr) emit_body_call(env, i);
    emit_slot_entry(env, i);
  }
  if (osr_points != nullptr) osr_points->assign(m.functions.size(), {});
  for (uint32_t i = 0; osr && i < m.functions.size(); ++i) {
    if (!scope.contains(i) || !has_loop(m.functions[i])) continue;
    FunctionTranslator variant(env, i, declare_osr(env, i));
    Result<void> r = variant.run();
    if (!r.ok()) {
      Error e = std::move(r).error();
      e.context = "jit, OSR entry of function " + std::to_string(m.imported_functions + i);
      return e;
    }
    if (osr_points != nullptr) (*osr_points)[i] = variant.osr_points();
  }
  return {};
}

}  // namespace lunatic::jit
