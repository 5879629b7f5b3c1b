// Calls. A call's operands already sit in consecutive frame slots, Slots as the runtime
// expects them: that is the callee's args/results array. Direct calls of this module's
// functions go through ctx->slot_entries (this module's newest tier: the baseline's own
// functions, or LLVM's slot entries once they replaced them): while the entry there is the
// callee's baseline code, its direct entry runs (depth and fp in registers, no Context stores);
// imports go through lunatic_jit_call; call_indirect has an inline fast path (table 0, a
// function of this instance with the expected type pointer, through the same table and cells)
// beside the helper's slow path.
#include <bit>

#include "baseline/function_compiler.hpp"
#include "baseline/lazy_code.hpp"
#include "engine/store.hpp"
#include "engine/value.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using native::Context;

void FunctionCompiler::translate_call(uint32_t func_index) {
  const wasm::FuncType& type = m_.wasm.function_type(func_index);
  const uint32_t params = engine::slot_count(type.params);
  const uint32_t results = engine::slot_count(type.results);
  const uint32_t base = sp_ - params;
  note_height(base + std::max({params, results, 1u}));
  if (func_index >= m_.wasm.imported_functions) {
    // Through the context's table, not to the callee's label: once LLVM's code replaces
    // this module's, the table holds its slot entries and the call runs them.
    const uint32_t callee = func_index - m_.wasm.imported_functions;
    store_shadow_entry();
    load_callee_fp(x86::ecx, base);
    a_.lea(x86::rsi, stack_at(base));
    a_.mov(x86::rdx, ctx_field(offsetof(Context, slot_entries)));
    a_.mov(x86::rdx, x86::qword_ptr(x86::rdx, static_cast<int32_t>(callee * 8)));
    a_.mov(x86::rdi, reinterpret_cast<uint64_t>(m_.cells + callee));
    if (first_result_in_r8(type)) {
      emit_module_call(x86::rdi, stack_at(base));
      // The callee left its first result in r8 too (its slot holds it as well): the caller's
      // next instruction reads a register, not the store the callee just made.
      sp_ = base + results;
      retype(base, type.results);
      vals_[base].kind = Val::Kind::Reg;
      vals_[base].reg = static_cast<uint8_t>(x86::r8.id());
      cached_from_ = std::min(cached_from_, base);
      return;
    }
    emit_module_call(x86::rdi);
  } else {
    store_site();
    store_callee_fp(base);
    a_.mov(x86::rdi, x86::rbx);
    a_.mov(x86::esi, func_index);
    a_.lea(x86::rdx, stack_at(base));
    call_address(reinterpret_cast<const void*>(&native::lunatic_jit_call));
  }
  sp_ = base + results;
  retype(base, type.results);
}

// The cell says whether the entry is this module's baseline code (lazy_code.hpp, DirectCell):
// then its direct entry takes depth and fp in registers and keeps rbx, else the entry is called
// as a slot entry out of line, with depth and fp stored in the context.
void FunctionCompiler::emit_module_call(const x86::Gp& cell, std::optional<x86::Mem> result_to_r8) {
  static_assert(offsetof(DirectCell, slot) == 0 && offsetof(DirectCell, direct) == 8);
  SlotCall call{a_.newLabel(), a_.newLabel(), result_to_r8};
  a_.cmp(x86::rdx, x86::qword_ptr(cell));
  a_.jne(call.call);
  a_.call(x86::qword_ptr(cell, 8));
  a_.bind(call.done);
  slot_calls_.push_back(call);
}

void FunctionCompiler::translate_call_indirect(uint32_t type_index, uint32_t table) {
  const wasm::FuncType& type = m_.wasm.types[type_index];
  const uint32_t params = engine::slot_count(type.params);
  const uint32_t results = engine::slot_count(type.results);
  const uint32_t index = sp_ - 1;
  const uint32_t base = index - params;
  note_height(base + std::max({params + 1, results, 1u}));
  store_shadow_entry();
  asmjit::Label slow = a_.newLabel();
  asmjit::Label done = a_.newLabel();
  if (table == 0) {
    a_.mov(x86::eax, stack_at(index).cloneResized(4));
    a_.cmp(x86::rax, ctx_field(offsetof(Context, table0_size)));
    a_.jae(slow);
    a_.mov(x86::rcx, ctx_field(offsetof(Context, table0_data)));
    a_.mov(x86::rcx, x86::qword_ptr(x86::rcx, x86::rax, 3));
    a_.test(x86::rcx, x86::rcx);
    a_.jz(slow);
    a_.mov(x86::rdx, uint64_t{type_index} * sizeof(wasm::FuncType));
    a_.add(x86::rdx, ctx_field(offsetof(Context, types)));
    a_.cmp(x86::qword_ptr(x86::rcx, static_cast<int32_t>(native::function_type_offset())),
           x86::rdx);
    a_.jne(slow);
    // own = (f - defined_base) / sizeof(Function), an exact division: a shift by the size's
    // power of two, then a multiplication by the inverse of its odd part modulo 2^64.
    constexpr uint64_t kSize = sizeof(engine::Function);
    constexpr unsigned kShift = std::countr_zero(kSize);
    constexpr uint64_t kOdd = kSize >> kShift;
    uint64_t inverse = kOdd;  // Newton's iteration doubles the correct low bits each step
    for (int i = 0; i < 6; ++i) inverse *= 2 - kOdd * inverse;
    a_.sub(x86::rcx, ctx_field(offsetof(Context, defined_base)));
    if constexpr (kOdd == 1) {
      // A power of two: the shift is the division, and the index compares with the count
      // directly (a function below defined_base wraps to an index far above any count; one
      // inside the array is at a multiple of the size, Functions not overlapping).
      if (kShift != 0) a_.shr(x86::rcx, kShift);
      a_.cmp(x86::rcx, ctx_field(offsetof(Context, defined_count)));
      a_.jae(slow);
    } else {  // the range first: the multiplication by the inverse is exact only on multiples
      a_.mov(x86::rax, ctx_field(offsetof(Context, defined_count)));
      a_.imul(x86::rax, x86::rax, static_cast<int32_t>(kSize));
      a_.cmp(x86::rcx, x86::rax);
      a_.jae(slow);
      if (kShift != 0) a_.shr(x86::rcx, kShift);
      a_.mov(x86::rax, inverse);
      a_.imul(x86::rcx, x86::rax);
    }
    a_.mov(x86::rdx, ctx_field(offsetof(Context, slot_entries)));
    a_.mov(x86::rdx, x86::qword_ptr(x86::rdx, x86::rcx, 3));
    static_assert(sizeof(DirectCell) == 16);
    a_.shl(x86::rcx, 4);
    a_.mov(x86::rdi, reinterpret_cast<uint64_t>(m_.cells));
    a_.add(x86::rdi, x86::rcx);
    a_.mov(x86::eax, depth_slot());
    load_callee_fp(x86::ecx, base);
    a_.lea(x86::rsi, stack_at(base));
    emit_module_call(x86::rdi);
    a_.jmp(done);
  }
  // The helper reads the depth and the callee's fp from the context (the site is stored).
  a_.bind(slow);
  a_.mov(x86::eax, depth_slot());
  a_.mov(ctx_field(offsetof(Context, depth), 4), x86::eax);
  store_callee_fp(base);
  a_.mov(x86::rdi, x86::rbx);
  a_.mov(x86::esi, type_index);
  a_.mov(x86::edx, table);
  a_.mov(x86::ecx, stack_at(index).cloneResized(4));
  a_.lea(x86::r8, stack_at(base));
  call_address(reinterpret_cast<const void*>(&native::lunatic_jit_call_indirect));
  a_.bind(done);
  sp_ = base + results;
  retype(base, type.results);
}

}  // namespace lunatic::baseline
