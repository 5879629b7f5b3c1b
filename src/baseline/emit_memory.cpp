// Linear memory, globals, references, tables and bulk memory: bounds-checked loads and stores
// of memory 0 (base and size read from the Context at each access), memory.size/grow, global
// get/set through the instance's Global objects, and every table and bulk instruction as a
// call of its runtime helper (jit/abi.hpp).
#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using jit::Context;
using wasm::Opcode;

// rax = zext(addr) + offset, trapping unless rax + bytes <= memory_size; rcx = memory_base.
void FunctionCompiler::memory_address(uint32_t addr_height, uint32_t offset, uint32_t bytes) {
  const uint64_t end = uint64_t{offset} + bytes;
  a_.mov(x86::rax, stack_at(addr_height));
  if (end <= 0x7FFF'FFFFu) {
    a_.lea(x86::rcx, x86::ptr(x86::rax, static_cast<int32_t>(end)));
  } else {
    a_.mov(x86::rcx, end);
    a_.add(x86::rcx, x86::rax);
  }
  a_.cmp(x86::rcx, ctx_field(offsetof(Context, memory_size)));
  a_.ja(trap_label(engine::TrapKind::MemoryOutOfBounds));
  if (offset != 0) {
    a_.mov(x86::ecx, offset);
    a_.add(x86::rax, x86::rcx);
  }
  a_.mov(x86::rcx, ctx_field(offsetof(Context, memory_base)));
}

bool FunctionCompiler::translate_memory(const wasm::Instr& in) {
  const Opcode op = in.op;
  const bool is_load = static_cast<uint16_t>(op) >= static_cast<uint16_t>(Opcode::I32Load) &&
                       static_cast<uint16_t>(op) <= static_cast<uint16_t>(Opcode::I64Load32U);
  const bool is_store = static_cast<uint16_t>(op) >= static_cast<uint16_t>(Opcode::I32Store) &&
                        static_cast<uint16_t>(op) <= static_cast<uint16_t>(Opcode::I64Store32);
  if (is_load) {
    const uint32_t bytes = wasm::opcode_info(op).access_bytes;
    memory_address(sp_ - 1, in.b, bytes);
    const x86::Mem at = x86::ptr(x86::rcx, x86::rax, 0, 0, bytes);
    switch (op) {
      case Opcode::I32Load8S: a_.movsx(x86::eax, at); break;
      case Opcode::I64Load8S: a_.movsx(x86::rax, at); break;
      case Opcode::I32Load16S: a_.movsx(x86::eax, at); break;
      case Opcode::I64Load16S: a_.movsx(x86::rax, at); break;
      case Opcode::I64Load32S: a_.movsxd(x86::rax, at); break;
      case Opcode::I32Load8U:
      case Opcode::I64Load8U:
      case Opcode::I32Load16U:
      case Opcode::I64Load16U: a_.movzx(x86::eax, at); break;
      default:
        if (bytes == 8) {
          a_.mov(x86::rax, at);
        } else {
          a_.mov(x86::eax, at);  // i32, f32, i64.load32_u: zero-extended
        }
    }
    a_.mov(top(0), x86::rax);
    return true;
  }
  if (is_store) {
    const uint32_t bytes = wasm::opcode_info(op).access_bytes;
    memory_address(sp_ - 2, in.b, bytes);
    a_.mov(x86::rdx, top(0));
    const x86::Mem at = x86::ptr(x86::rcx, x86::rax, 0, 0, bytes);
    switch (bytes) {
      case 1: a_.mov(at, x86::dl); break;
      case 2: a_.mov(at, x86::dx); break;
      case 4: a_.mov(at, x86::edx); break;
      default: a_.mov(at, x86::rdx); break;
    }
    sp_ -= 2;
    return true;
  }
  switch (op) {
    case Opcode::MemorySize: {
      const uint32_t at = push();
      a_.mov(x86::rax, ctx_field(offsetof(Context, memory_size)));
      a_.shr(x86::rax, 16);
      a_.mov(stack_at(at), x86::rax);
      return true;
    }
    case Opcode::MemoryGrow:
      store_site();
      a_.mov(x86::rdi, x86::rbx);
      a_.mov(x86::esi, top(0).cloneResized(4));
      call_address(reinterpret_cast<const void*>(&jit::lunatic_jit_memory_grow));
      a_.mov(x86::eax, x86::eax);
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::GlobalGet: {
      const uint32_t at = push();
      a_.mov(x86::rax, ctx_field(offsetof(Context, globals)));
      a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(in.a * 8)));
      a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(jit::global_value_offset())));
      a_.mov(stack_at(at), x86::rax);
      return true;
    }
    case Opcode::GlobalSet:
      a_.mov(x86::rax, ctx_field(offsetof(Context, globals)));
      a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(in.a * 8)));
      a_.mov(x86::rcx, top(0));
      a_.mov(x86::qword_ptr(x86::rax, static_cast<int32_t>(jit::global_value_offset())), x86::rcx);
      --sp_;
      return true;
    default: return false;
  }
}

namespace {

const void* address(auto* fn) { return reinterpret_cast<const void*>(fn); }

}  // namespace

// Helper calls: immediates first (after the context), then the popped operands in stack order.
bool FunctionCompiler::translate_reference_or_bulk(const wasm::Instr& in) {
  switch (in.op) {
    case Opcode::RefNull: {
      const uint32_t at = push();
      a_.mov(stack_at(at), 0);
      return true;
    }
    case Opcode::RefIsNull:
      a_.cmp(top(0), 0);
      a_.sete(x86::al);
      a_.movzx(x86::eax, x86::al);
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::RefFunc: {
      const uint32_t at = push();
      a_.mov(x86::rax, ctx_field(offsetof(Context, functions)));
      a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(in.a * 8)));
      a_.mov(stack_at(at), x86::rax);
      return true;
    }
    default: break;
  }
  const void* fn = nullptr;
  std::vector<uint32_t> immediates;
  uint32_t operands = 0;
  bool result = false;
  bool u32_result = false;
  switch (in.op) {
    case Opcode::TableGet:
      fn = address(&jit::lunatic_jit_table_get), immediates = {in.a}, operands = 1, result = true;
      break;
    case Opcode::TableSet:
      fn = address(&jit::lunatic_jit_table_set), immediates = {in.a}, operands = 2;
      break;
    case Opcode::TableSize:
      fn = address(&jit::lunatic_jit_table_size), immediates = {in.a}, result = u32_result = true;
      break;
    case Opcode::TableGrow:
      fn = address(&jit::lunatic_jit_table_grow), immediates = {in.a}, operands = 2,
      result = u32_result = true;
      break;
    case Opcode::TableFill:
      fn = address(&jit::lunatic_jit_table_fill), immediates = {in.a}, operands = 3;
      break;
    case Opcode::ElemDrop: fn = address(&jit::lunatic_jit_elem_drop), immediates = {in.a}; break;
    case Opcode::DataDrop: fn = address(&jit::lunatic_jit_data_drop), immediates = {in.a}; break;
    case Opcode::TableCopy:
      fn = address(&jit::lunatic_jit_table_copy), immediates = {in.a, in.b}, operands = 3;
      break;
    case Opcode::TableInit:
      fn = address(&jit::lunatic_jit_table_init), immediates = {in.a, in.b}, operands = 3;
      break;
    case Opcode::MemoryInit:
      fn = address(&jit::lunatic_jit_memory_init), immediates = {in.a}, operands = 3;
      break;
    case Opcode::MemoryCopy: fn = address(&jit::lunatic_jit_memory_copy), operands = 3; break;
    case Opcode::MemoryFill: fn = address(&jit::lunatic_jit_memory_fill), operands = 3; break;
    default: return false;
  }
  static const x86::Gp kArgs[] = {x86::rsi, x86::rdx, x86::rcx, x86::r8, x86::r9};
  store_site();
  a_.mov(x86::rdi, x86::rbx);
  size_t arg = 0;
  for (uint32_t imm : immediates) a_.mov(kArgs[arg++].r32(), imm);
  for (uint32_t i = 0; i < operands; ++i) a_.mov(kArgs[arg++], top(operands - 1 - i));
  sp_ -= operands;
  call_address(fn);
  if (result) {
    if (u32_result) a_.mov(x86::eax, x86::eax);
    a_.mov(stack_at(push()), x86::rax);
  }
  return true;
}

}  // namespace lunatic::baseline
