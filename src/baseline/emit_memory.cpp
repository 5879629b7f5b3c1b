// Linear memory, globals, references, tables and bulk memory: bounds-checked loads and stores
// of memory 0 (base and size read from the Context at each access) on the register cache,
// memory.size/grow, global get/set through the instance's Global objects (global 0 through the
// Context's pointer to its value), and every table and
// bulk instruction as a call of its runtime helper (jit/abi.hpp).
#include <algorithm>

#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using native::Context;
using wasm::Opcode;

// Bounds checks known on the current path, by local: clang addresses a struct's fields as
// `local.get p; i32.load offset=N`, so a function checks the same pointer again and again
// (lua_type: 12 loads, 3 locals). A check of p + end that passed covers every later access of
// p below end while p keeps its value (a write bumps its version) and control cannot arrive
// from elsewhere: the facts survive straight-line code, calls (memory never shrinks; the
// locals stay in the frame or callee-saved registers) and block entries; at an else or a
// block's end only those known at the block's entry hold; a loop header drops them (its back
// edge brings other values) except those of locals the loop never writes. At most kChecked, the
// oldest dropped, so the compile stays linear.
bool FunctionCompiler::bounds_known(const Val& v, uint64_t end) {
  constexpr size_t kChecked = 8;
  if (v.kind != Val::Kind::Local) return false;
  for (Checked& c : checked_) {
    if (c.local != v.local || c.version != local_version_[v.local]) continue;
    if (end <= c.end) return true;
    c.end = end;  // the check emitted now covers the old one too
    return false;
  }
  if (checked_.size() == kChecked) checked_.erase(checked_.begin());
  checked_.push_back({v.local, local_version_[v.local], end});
  return false;
}

void FunctionCompiler::enter_loop_checks(uint32_t start) {
  const auto end = loop_end_.find(start);
  std::erase_if(checked_, [&](const Checked& c) {
    if (end == loop_end_.end()) return true;
    const std::vector<uint32_t>& writes = local_writes_[c.local];
    const auto first = std::lower_bound(writes.begin(), writes.end(), start);
    return first != writes.end() && *first < end->second;  // written inside the loop
  });
}

// The address entry `from_top` (a zero-extended i32: its register serves as the index) plus
// `offset`, trapping unless its end (+ bytes) <= memory_size (rdx: scratch); rcx =
// memory_base, loaded unless the access before left it there (base_in_rcx_).
std::pair<x86::Gp, int32_t> FunctionCompiler::memory_address(uint32_t from_top, uint32_t offset,
                                                             uint32_t bytes) {
  x86::Gp index = in_reg(val(from_top), x86::rax);
  const uint64_t end = uint64_t{offset} + bytes;
  if (!bounds_known(val(from_top), end)) {
    if (end <= 0x7FFF'FFFFu) {
      a_.lea(x86::rdx, x86::ptr(index, static_cast<int32_t>(end)));
    } else {
      a_.mov(x86::rdx, end);
      a_.add(x86::rdx, index);
    }
    a_.cmp(x86::rdx, ctx_field(offsetof(Context, memory_size)));
    a_.ja(trap_label(engine::TrapKind::MemoryOutOfBounds));
  }
  int32_t disp = static_cast<int32_t>(offset);
  if (offset > 0x7FFF'FFFFu) {
    if (index != x86::rax) a_.mov(x86::rax, index);
    a_.mov(x86::edx, offset);
    a_.add(x86::rax, x86::rdx);
    index = x86::rax;
    disp = 0;
  }
  if (!base_in_rcx_) a_.mov(x86::rcx, ctx_field(offsetof(Context, memory_base)));
  base_in_rcx_ = false;  // emit_load and emit_store say again that it is, once done with rcx
  return {index, disp};
}

void FunctionCompiler::emit_load(Opcode op, uint32_t offset) {
  const uint32_t bytes = wasm::opcode_info(op).access_bytes;
  const auto [index, disp] = memory_address(0, offset, bytes);
  const Val& addr = val(0);
  // The register local the next instruction sets (the address is read by the load itself), else
  // a fresh register, not the address's copy: the pointer is often read again.
  x86::Gp dst = result_local(1);
  if (!dst.isValid()) dst = addr.kind == Val::Kind::Reg ? x86::gpq(addr.reg) : alloc();
  const x86::Mem at = x86::ptr(x86::rcx, index, 0, disp, bytes);
  switch (op) {
    case Opcode::I32Load8S:
    case Opcode::I32Load16S: a_.movsx(dst.r32(), at); break;
    case Opcode::I64Load8S:
    case Opcode::I64Load16S: a_.movsx(dst, at); break;
    case Opcode::I64Load32S: a_.movsxd(dst, at); break;
    case Opcode::I32Load8U:
    case Opcode::I64Load8U:
    case Opcode::I32Load16U:
    case Opcode::I64Load16U: a_.movzx(dst.r32(), at); break;
    default:
      if (bytes == 8) {
        a_.mov(dst, at);
      } else {
        a_.mov(dst.r32(), at);  // i32, f32, i64.load32_u: zero-extended
      }
  }
  pop_vals(1);
  push_reg(dst);
  base_in_rcx_ = true;
}

void FunctionCompiler::emit_store(Opcode op, uint32_t offset) {
  const uint32_t bytes = wasm::opcode_info(op).access_bytes;
  const auto [index, disp] = memory_address(1, offset, bytes);
  const x86::Mem at = x86::ptr(x86::rcx, index, 0, disp, bytes);
  const Val& v = val(0);
  if (v.kind == Val::Kind::Const &&
      (bytes < 8 || static_cast<int64_t>(v.bits) == static_cast<int32_t>(v.bits))) {
    switch (bytes) {
      case 1: a_.mov(at, static_cast<int8_t>(v.bits)); break;
      case 2: a_.mov(at, static_cast<int16_t>(v.bits)); break;
      default: a_.mov(at, static_cast<int32_t>(v.bits)); break;
    }
  } else {
    const x86::Gp r = in_reg(v, x86::rdx);
    switch (bytes) {
      case 1: a_.mov(at, x86::gpb(r.id())); break;
      case 2: a_.mov(at, x86::gpw(r.id())); break;
      case 4: a_.mov(at, r.r32()); break;
      default: a_.mov(at, r); break;
    }
  }
  pop_vals(2);
  base_in_rcx_ = true;
}

// Global 0 is clang's stack pointer, read and written by most functions: the Context keeps
// its address, so it costs one dependent load less than the others.
x86::Mem FunctionCompiler::global_value(uint32_t index) {
  if (index == 0) {
    a_.mov(x86::rax, ctx_field(offsetof(Context, global0)));
    return x86::qword_ptr(x86::rax);
  }
  a_.mov(x86::rax, ctx_field(offsetof(Context, globals)));
  a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(index * 8)));
  return x86::qword_ptr(x86::rax, static_cast<int32_t>(native::global_value_offset()));
}

bool FunctionCompiler::translate_memory(const wasm::Instr& in) {
  const Opcode op = in.op;
  const bool is_load = static_cast<uint16_t>(op) >= static_cast<uint16_t>(Opcode::I32Load) &&
                       static_cast<uint16_t>(op) <= static_cast<uint16_t>(Opcode::I64Load32U);
  const bool is_store = static_cast<uint16_t>(op) >= static_cast<uint16_t>(Opcode::I32Store) &&
                        static_cast<uint16_t>(op) <= static_cast<uint16_t>(Opcode::I64Store32);
  if (is_load) {
    emit_load(op, in.b);
    return true;
  }
  if (is_store) {
    emit_store(op, in.b);
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
      spill_all();
      store_site();
      a_.mov(x86::rdi, x86::rbx);
      a_.mov(x86::esi, top(0).cloneResized(4));
      call_address(reinterpret_cast<const void*>(&native::lunatic_jit_memory_grow));
      a_.mov(x86::eax, x86::eax);
      a_.mov(top(0), x86::rax);
      return true;
    case Opcode::GlobalGet: {
      x86::Gp dst = result_local(0);
      if (!dst.isValid()) dst = alloc();
      a_.mov(dst, global_value(in.a));
      push_reg(dst);
      return true;
    }
    case Opcode::GlobalSet: {
      const x86::Gp value = in_reg(val(0), x86::rdx);  // rcx may hold memory_base
      a_.mov(global_value(in.a), value);
      pop_vals(1);
      return true;
    }
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
      flush_top(1);
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
      fn = address(&native::lunatic_jit_table_get), immediates = {in.a}, operands = 1,
      result = true;
      break;
    case Opcode::TableSet:
      fn = address(&native::lunatic_jit_table_set), immediates = {in.a}, operands = 2;
      break;
    case Opcode::TableSize:
      fn = address(&native::lunatic_jit_table_size), immediates = {in.a},
      result = u32_result = true;
      break;
    case Opcode::TableGrow:
      fn = address(&native::lunatic_jit_table_grow), immediates = {in.a}, operands = 2,
      result = u32_result = true;
      break;
    case Opcode::TableFill:
      fn = address(&native::lunatic_jit_table_fill), immediates = {in.a}, operands = 3;
      break;
    case Opcode::ElemDrop: fn = address(&native::lunatic_jit_elem_drop), immediates = {in.a}; break;
    case Opcode::DataDrop: fn = address(&native::lunatic_jit_data_drop), immediates = {in.a}; break;
    case Opcode::TableCopy:
      fn = address(&native::lunatic_jit_table_copy), immediates = {in.a, in.b}, operands = 3;
      break;
    case Opcode::TableInit:
      fn = address(&native::lunatic_jit_table_init), immediates = {in.a, in.b}, operands = 3;
      break;
    case Opcode::MemoryInit:
      fn = address(&native::lunatic_jit_memory_init), immediates = {in.a}, operands = 3;
      break;
    case Opcode::MemoryCopy: fn = address(&native::lunatic_jit_memory_copy), operands = 3; break;
    case Opcode::MemoryFill: fn = address(&native::lunatic_jit_memory_fill), operands = 3; break;
    default: return false;
  }
  static const x86::Gp kArgs[] = {x86::rsi, x86::rdx, x86::rcx, x86::r8, x86::r9};
  spill_all();
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
