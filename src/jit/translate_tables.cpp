// References, tables and bulk memory in IR: ref.null/is_null/func inline, every table
// instruction, memory.fill/copy/init and the segment drops as calls of their helpers.
#include "jit/translate_function.hpp"
#include "native/abi.hpp"

namespace lunatic::jit {

bool FunctionTranslator::translate_reference_or_bulk(const wasm::Instr& in) {
  using wasm::Opcode;
  switch (in.op) {
    case Opcode::RefNull: push(i64_const(0)); return true;
    case Opcode::RefIsNull:
      push(b_.CreateZExt(b_.CreateICmpEQ(pop(), i64_const(0)), env_.i32));
      return true;
    case Opcode::RefFunc: {
      llvm::Value* functions = b_.CreateBitCast(load_ctx(offsetof(Context, functions), env_.ptr),
                                                env_.i64->getPointerTo());
      push(load_tagged(env_.i64, b_.CreateConstInBoundsGEP1_64(env_.i64, functions, in.a),
                       env_.tbaa_runtime));
      return true;
    }
    default: break;
  }
  llvm::Value* ctx = ctx_;
  auto n = [&](uint32_t v) { return i32_const(v); };
  switch (in.op) {
    case Opcode::TableGet: {
      llvm::Value* i = pop();
      push(call_helper(Helper::TableGet, {ctx, n(in.a), i}));
      return true;
    }
    case Opcode::TableSet: {
      llvm::Value* v = pop();
      llvm::Value* i = pop();
      call_helper(Helper::TableSet, {ctx, n(in.a), i, v});
      return true;
    }
    case Opcode::TableSize: push(call_helper(Helper::TableSize, {ctx, n(in.a)})); return true;
    case Opcode::TableGrow: {
      llvm::Value* count = pop();
      llvm::Value* init = pop();
      push(call_helper(Helper::TableGrow, {ctx, n(in.a), init, count}));
      return true;
    }
    case Opcode::TableFill: {
      llvm::Value* count = pop();
      llvm::Value* v = pop();
      llvm::Value* i = pop();
      call_helper(Helper::TableFill, {ctx, n(in.a), i, v, count});
      return true;
    }
    case Opcode::ElemDrop: call_helper(Helper::ElemDrop, {ctx, n(in.a)}); return true;
    case Opcode::DataDrop: call_helper(Helper::DataDrop, {ctx, n(in.a)}); return true;
    default: break;
  }
  // The rest take (d, s, n) or (d, value, n) from the stack.
  if (in.op != Opcode::TableCopy && in.op != Opcode::TableInit && in.op != Opcode::MemoryInit &&
      in.op != Opcode::MemoryCopy && in.op != Opcode::MemoryFill) {
    return false;
  }
  llvm::Value* count = pop();
  llvm::Value* s = pop();
  llvm::Value* d = pop();
  switch (in.op) {
    case Opcode::TableCopy:
      call_helper(Helper::TableCopy, {ctx, n(in.a), n(in.b), d, s, count});
      return true;
    case Opcode::TableInit:
      call_helper(Helper::TableInit, {ctx, n(in.a), n(in.b), d, s, count});
      return true;
    case Opcode::MemoryInit:
      call_helper(Helper::MemoryInit, {ctx, n(in.a), d, s, count});
      return true;
    case Opcode::MemoryCopy: call_helper(Helper::MemoryCopy, {ctx, d, s, count}); return true;
    default: call_helper(Helper::MemoryFill, {ctx, d, s, count}); return true;
  }
}

}  // namespace lunatic::jit
