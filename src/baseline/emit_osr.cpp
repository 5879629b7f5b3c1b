// On-stack replacement from the interpreter into the baseline's code: a function with a loop
// the interpreter may stop at (a header with an empty operand stack) gets an OSR entry,
// void(Context*, const Slot* locals, uint32_t safepoint, Slot* results) (abi.hpp OsrEntryFn),
// after its body. It sets the frame up as the direct entry does (the same pushes, the same
// depth, slot and native-stack checks, so exhaustion traps or moves to the big stack as a call
// would), takes the caller's depth and the frame's fp from the Context as a slot entry does,
// copies the interpreter's locals (params first, a v128 in two slots: the frame's layout) to
// their homes, loads the register locals from there, and jumps to the safepoint's loop header
// with an empty operand stack. The header is before the loop's safepoint, so the entry charges
// the safepoint the interpreter stopped at (without running it) exactly once. The results go
// where the function's return writes them, the args/results pointer kept in the frame: here
// `results`.
#include "baseline/function_compiler.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using native::Context;

void FunctionCompiler::emit_osr_entry() {
  // Only a loop makes a call long enough to be worth moving (LLVM's translator decides alike);
  // the entry safepoint comes with it.
  if (osr_targets_.empty()) return;
  std::vector<asmjit::Label> targets(safepoint_costs_.size());
  targets[0] = osr_start_;
  for (const auto& [index, label] : osr_targets_) targets[index] = label;
  m_.osr_points.assign(targets.size(), false);
  const asmjit::Label invalid = a_.newLabel();
  for (size_t i = 0; i < targets.size(); ++i) {
    m_.osr_points[i] = targets[i].isValid();
    if (!targets[i].isValid()) targets[i] = invalid;
  }
  // The entry proper, as the slot entry: rbx = Context* (the caller's saved), the caller's
  // depth and the fp from the context; r8 = results and r9d = safepoint survive the checks.
  m_.osr_entry = a_.newLabel();
  const asmjit::Label direct = a_.newLabel();
  a_.bind(m_.osr_entry);
  a_.push(x86::rbx);
  a_.mov(x86::rbx, x86::rdi);
  a_.mov(x86::r8, x86::rcx);
  a_.mov(x86::r9d, x86::edx);
  a_.mov(x86::eax, ctx_field(offsetof(Context, depth), 4));
  a_.mov(x86::ecx, ctx_field(offsetof(Context, frame_fp), 4));
  a_.call(direct);
  a_.pop(x86::rbx);
  a_.ret();

  a_.bind(direct);
  const asmjit::Label low_stack = a_.newLabel();
  emit_enter_frame(low_stack, x86::r8);
  // Every local (rsi = the interpreter's); a few as moves, more with one string move.
  constexpr uint32_t kSingleMoves = 16;
  if (local_count_ <= kSingleMoves) {
    for (uint32_t i = 0; i < local_count_; ++i) {
      a_.mov(x86::rax, x86::qword_ptr(x86::rsi, static_cast<int32_t>(i * 8)));
      a_.mov(slot(i), x86::rax);
    }
  } else {
    a_.lea(x86::rdi, slot(0));
    a_.mov(x86::ecx, local_count_);
    a_.rep().movsq();
  }
  for (const uint32_t local : register_locals_) a_.mov(local_register(local), local_home(local));
  JumpTable table{a_.newLabel(), std::move(targets)};
  a_.cmp(x86::r9d, static_cast<uint32_t>(table.targets.size()));
  a_.jae(invalid);
  a_.lea(x86::rax, x86::ptr(table.label));
  a_.jmp(x86::qword_ptr(x86::rax, x86::r9, 3));
  tables_.push_back(std::move(table));
  // The runtime asks only for the safepoints osr_points marks (NativeCode::prepare_osr).
  a_.bind(invalid);
  a_.ud2();

  // The native stack ran out (the depth and slot checks passed): as the direct entry's
  // low_stack_, the frame is freed and the call moves to the big stack, there through this
  // entry again (lunatic_jit_grow_stack_osr(ctx, entry, locals, safepoint, results)).
  a_.bind(low_stack);
  a_.dec(x86::eax);
  a_.mov(ctx_field(offsetof(Context, depth), 4), x86::eax);
  a_.mov(ctx_field(offsetof(Context, frame_fp), 4), x86::ecx);
  emit_frame_adjust(false);
  const bool realign = (8 + saved_bytes_) % 16 != 0;
  if (realign) a_.sub(x86::rsp, 8);
  a_.mov(x86::rdx, x86::rsi);
  a_.lea(x86::rsi, x86::ptr(m_.osr_entry));
  a_.mov(x86::ecx, x86::r9d);
  a_.mov(x86::rdi, x86::rbx);
  call_address(reinterpret_cast<const void*>(&native::lunatic_jit_grow_stack_osr));
  if (realign) a_.add(x86::rsp, 8);
  emit_pops_and_return();
}

}  // namespace lunatic::baseline
