// Linear memory and globals in IR: bounds-checked loads and stores of memory 0 (base and size
// re-read from the Context at each access, never kept across a call), memory.size/grow, and
// global.get/set through the instance's Global objects.
#include "jit/translate_function.hpp"
#include "native/abi.hpp"

namespace lunatic::jit {

namespace {

using wasm::Opcode;

struct Access {
  enum class Extend : uint8_t { None, Signed, Unsigned };
  Extend extend = Extend::None;
  bool is_float = false;
};

// Loads and stores by opcode: how the accessed bytes become the value (or the reverse).
Access access_of(Opcode op) {
  switch (op) {
    case Opcode::F32Load:
    case Opcode::F64Load:
    case Opcode::F32Store:
    case Opcode::F64Store: return {Access::Extend::None, true};
    case Opcode::I32Load8S:
    case Opcode::I32Load16S:
    case Opcode::I64Load8S:
    case Opcode::I64Load16S:
    case Opcode::I64Load32S: return {Access::Extend::Signed, false};
    case Opcode::I32Load8U:
    case Opcode::I32Load16U:
    case Opcode::I64Load8U:
    case Opcode::I64Load16U:
    case Opcode::I64Load32U: return {Access::Extend::Unsigned, false};
    default: return {};
  }
}

}  // namespace

// ea = zext(addr) + offset; trap unless ea + bytes <= memory_size; then memory_base + ea.
llvm::Value* FunctionTranslator::memory_address(llvm::Value* addr, uint32_t offset,
                                                uint32_t bytes) {
  // Neither addition can wrap (33-bit values in 64 bits): nuw lets LLVM compare checks.
  llvm::Value* ea = b_.CreateNUWAdd(b_.CreateZExt(addr, env_.i64), i64_const(offset));
  llvm::Value* size = b_.CreateLoad(env_.i64, memory_size_);
  trap_if(b_.CreateICmpUGT(b_.CreateNUWAdd(ea, i64_const(bytes)), size),
          engine::TrapKind::MemoryOutOfBounds);
  llvm::Value* base = b_.CreateLoad(env_.ptr, memory_base_);
  return b_.CreateInBoundsGEP(env_.i8, base, ea);
}

llvm::Value* FunctionTranslator::global_slot_ptr(uint32_t global) {
  llvm::Value* globals =
      b_.CreateBitCast(load_ctx(offsetof(Context, globals), env_.ptr), env_.ptr->getPointerTo());
  llvm::Value* object = load_tagged(
      env_.ptr, b_.CreateConstInBoundsGEP1_64(env_.ptr, globals, global), env_.tbaa_runtime);
  return byte_offset(object, i64_const(global_value_offset()), env_.i64);
}

bool FunctionTranslator::translate_memory(const wasm::Instr& in) {
  const Opcode op = in.op;
  const bool is_load = opcode_in(op, Opcode::I32Load, Opcode::I64Load32U);
  if (is_load || opcode_in(op, Opcode::I32Store, Opcode::I64Store32)) {
    const uint32_t bytes = wasm::opcode_info(op).access_bytes;
    const Access access = access_of(op);
    llvm::Type* memory_type =
        access.is_float ? (bytes == 4 ? env_.f32 : env_.f64) : b_.getIntNTy(bytes * 8);
    llvm::Value* value = is_load ? nullptr : pop();
    llvm::Value* at =
        b_.CreateBitCast(memory_address(pop(), in.b, bytes), memory_type->getPointerTo());
    if (is_load) {
      llvm::LoadInst* load = load_tagged(memory_type, at, env_.tbaa_memory);
      load->setAlignment(llvm::Align(1));
      const auto out = static_cast<wasm::Operand>(wasm::opcode_info(op).out);
      llvm::Type* value_type = out == wasm::Operand::i64   ? static_cast<llvm::Type*>(env_.i64)
                               : out == wasm::Operand::i32 ? env_.i32
                                                           : memory_type;
      llvm::Value* v = load;
      if (access.extend == Access::Extend::Signed) v = b_.CreateSExt(v, value_type);
      if (access.extend == Access::Extend::Unsigned) v = b_.CreateZExt(v, value_type);
      push(v);
    } else {
      if (!access.is_float && value->getType() != memory_type)
        value = b_.CreateTrunc(value, memory_type);
      llvm::StoreInst* store = b_.CreateStore(value, at);
      store->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_memory);
      store->setAlignment(llvm::Align(1));
    }
    return true;
  }
  switch (op) {
    case Opcode::MemorySize:
      push(b_.CreateTrunc(b_.CreateLShr(b_.CreateLoad(env_.i64, memory_size_), 16), env_.i32));
      return true;
    case Opcode::MemoryGrow: {
      llvm::Value* delta = pop();
      push(call_helper(Helper::MemoryGrow, {ctx_, delta}));
      return true;
    }
    case Opcode::GlobalGet: {
      const wasm::ValType t = env_.wasm.global_type(in.a).type;
      // A v128 global: Global::value, then Global::hi right after it (abi.cpp checks).
      llvm::Type* stored =
          t == wasm::ValType::V128 ? static_cast<llvm::Type*>(env_.v128) : env_.i64;
      llvm::Value* at = b_.CreateBitCast(global_slot_ptr(in.a), stored->getPointerTo());
      llvm::LoadInst* load = load_tagged(stored, at, env_.tbaa_global);
      load->setAlignment(llvm::Align(8));
      push(from_slot(load, t));
      return true;
    }
    case Opcode::GlobalSet: {
      const wasm::ValType t = env_.wasm.global_type(in.a).type;
      llvm::Value* v = to_slot(pop(), t);
      llvm::StoreInst* store = b_.CreateAlignedStore(
          v, b_.CreateBitCast(global_slot_ptr(in.a), v->getType()->getPointerTo()), llvm::Align(8));
      store->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_global);
      return true;
    }
    default: return false;
  }
}

}  // namespace lunatic::jit
