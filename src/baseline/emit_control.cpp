// Structured control flow: every construct's values live in fixed frame slots (its height
// up: the register cache is spilled before each control instruction, br_if and if compare
// and jump on the flags), so a branch copies the values it carries there and jumps; loops are
// entered at their header, where their safepoint is; `if` params are saved for the else arm (the
// then arm may overwrite their slots). Safepoints charge the lowered code's costs from ctx->budget.
#include "baseline/function_compiler.hpp"

#include <map>

#include "engine/value.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using native::Context;

Result<void> FunctionCompiler::translate_control(const wasm::Instr& in) {
  using wasm::Opcode;
  // Every label sees the whole operand stack in its slots; br_if, if and br_table keep their
  // condition or index. A return (and the function's own end, reached by falling through)
  // writes its results from the cache straight to the caller's array (emit_direct_return).
  const bool leaves = in.op == Opcode::Return || (in.op == Opcode::End && ctrls_.size() == 1);
  if (in.op != Opcode::BrIf && in.op != Opcode::If && in.op != Opcode::BrTable && !leaves) {
    spill_all();
  }
  switch (in.op) {
    case Opcode::Block: return enter_block(Ctrl::Kind::Block, in.block);
    case Opcode::Loop: return enter_block(Ctrl::Kind::Loop, in.block);
    case Opcode::If: return enter_block(Ctrl::Kind::If, in.block);
    case Opcode::Else: translate_else(); return {};
    case Opcode::End: translate_end(); return {};
    case Opcode::Br:
      copy_branch_values(in.a);
      a_.jmp(label_ctrl(in.a).label);
      if (label_ctrl(in.a).kind != Ctrl::Kind::Loop) label_ctrl(in.a).reached = true;
      mark_dead();
      return {};
    case Opcode::BrIf: {
      const x86::CondCode taken = pop_condition();
      Ctrl& target = label_ctrl(in.a);
      if (target.kind != Ctrl::Kind::Loop) target.reached = true;
      if (!branch_needs_copy(in.a)) {
        a_.j(taken, target.label);
        return {};
      }
      asmjit::Label skip = a_.newLabel();
      a_.j(x86::negateCond(taken), skip);
      copy_branch_values(in.a);
      a_.jmp(target.label);
      a_.bind(skip);
      return {};
    }
    case Opcode::BrTable: translate_br_table(in); return {};
    case Opcode::Return:
      emit_direct_return();
      mark_dead();
      return {};
    case Opcode::Unreachable:
      a_.jmp(trap_label(engine::TrapKind::Unreachable));
      mark_dead();
      return {};
    default:
      return baseline_error(std::string("unsupported instruction ") + wasm::opcode_name(in.op),
                            in.offset);
  }
}

Result<void> FunctionCompiler::enter_block(Ctrl::Kind kind, const wasm::BlockType& bt) {
  Ctrl c;
  c.kind = kind;
  if (bt.kind == wasm::BlockType::Kind::Value) {
    c.result_types = {bt.value};
  } else if (bt.kind == wasm::BlockType::Kind::TypeIndex) {
    if (bt.type_index >= m_.wasm.types.size()) return baseline_error("unknown block type", offset_);
    c.param_types = m_.wasm.types[bt.type_index].params;
    c.result_types = m_.wasm.types[bt.type_index].results;
  }
  c.params = engine::slot_count(c.param_types);
  c.results = engine::slot_count(c.result_types);
  x86::CondCode taken = x86::CondCode::kNotEqual;
  if (kind == Ctrl::Kind::If) taken = pop_condition();  // the flags live until the jcc
  if (c.params > sp_ - ctrls_.back().height) return baseline_error("block params missing", offset_);
  c.height = sp_ - c.params;
  note_height(c.height + c.results);
  c.label = a_.newLabel();
  if (kind == Ctrl::Kind::If) {
    c.else_label = a_.newLabel();
    c.has_else_label = true;
    if (c.params > 0) {  // before the branch: the else arm reads them back
      c.saved = save_used_;
      save_used_ += c.params;  // counted up front: count_save_slots
      if (save_used_ > save_slots_) return baseline_error("if params miscounted", offset_);
      for (uint32_t i = 0; i < c.params; ++i) {
        a_.mov(x86::rax, stack_at(c.height + i));  // not rcx: memory_base (base_in_rcx_)
        a_.mov(save_slot(c.saved + i), x86::rax);
      }
    }
    a_.j(x86::negateCond(taken), c.else_label);
  }
  if (kind == Ctrl::Kind::Loop) {
    a_.bind(c.label);
    enter_loop_checks(instr_index_);
  } else {
    c.checked_at_entry = checked_;
  }
  // A loop entered with an empty operand stack holds all its state in locals: LLVM's OSR
  // variant can continue the frame there (the same condition as its translator's), and so can
  // this function's own OSR entry continue an interpreted call (emit_osr.cpp).
  if (kind == Ctrl::Kind::Loop && sp_ == 0) {
    osr_targets_.emplace_back(static_cast<uint32_t>(next_safepoint_), c.label);
  }
  ctrls_.push_back(std::move(c));
  if (kind == Ctrl::Kind::Loop) TRY(emit_next_safepoint(sp_ == 0));
  return {};
}

bool FunctionCompiler::branch_needs_copy(uint32_t depth) const {
  const Ctrl& c = ctrls_[ctrls_.size() - 1 - depth];
  const uint32_t n = c.kind == Ctrl::Kind::Loop ? c.params : c.results;
  return n > 0 && sp_ - n != c.height;
}

void FunctionCompiler::copy_branch_values(uint32_t depth) {
  if (!branch_needs_copy(depth)) return;
  const Ctrl& c = label_ctrl(depth);
  const uint32_t n = c.kind == Ctrl::Kind::Loop ? c.params : c.results;
  for (uint32_t i = 0; i < n; ++i) {
    a_.mov(x86::rax, stack_at(sp_ - n + i));
    a_.mov(stack_at(c.height + i), x86::rax);
  }
}

void FunctionCompiler::mark_dead() {
  Ctrl& c = ctrls_.back();
  c.dead = true;
  sp_ = c.height;
}

void FunctionCompiler::translate_else() {
  Ctrl& c = ctrls_.back();
  if (!c.dead) {
    a_.jmp(c.label);
    c.reached = true;
  }
  a_.bind(c.else_label);
  c.has_else_label = false;
  checked_ = c.checked_at_entry;
  for (uint32_t i = 0; i < c.params; ++i) {
    a_.mov(x86::rax, save_slot(c.saved + i));
    a_.mov(stack_at(c.height + i), x86::rax);
  }
  sp_ = c.height + c.params;
  retype(c.height, c.param_types);
  c.dead = false;
}

// The end is reached by falling through, by a branch, or (an if without else) by the false
// arm; lowering decides the same, so what follows an unreached end is unreachable for both.
void FunctionCompiler::translate_end() {
  if (ctrls_.size() == 1) {
    end_function();
    return;
  }
  Ctrl& c = ctrls_.back();
  if (!c.dead) c.reached = true;
  if (c.has_else_label) {  // an if without else: its params are its results
    if (!c.dead) a_.jmp(c.label);
    a_.bind(c.else_label);
    for (uint32_t i = 0; i < c.params; ++i) {
      a_.mov(x86::rax, save_slot(c.saved + i));
      a_.mov(stack_at(c.height + i), x86::rax);
    }
    c.reached = true;
  }
  Ctrl done = std::move(ctrls_.back());
  ctrls_.pop_back();
  if (done.kind != Ctrl::Kind::Loop) {
    a_.bind(done.label);
    checked_ = std::move(done.checked_at_entry);  // what holds on every path here
  }
  sp_ = done.height + done.results;
  retype(done.height, done.result_types);
  if (!done.reached) mark_dead();
}

// A jump table: straight to a label that takes no copy, else to a trampoline per distinct
// label that copies what its label takes.
void FunctionCompiler::translate_br_table(const wasm::Instr& in) {
  spill_below(sp_ - 1);
  // The i32 index: a register holds it zero-extended (the Slot's form, on which addresses rely
  // too), a slot or a constant is read as 32 bits into eax.
  const asmjit::Operand at = operand(val(0), 4, x86::rax, true);
  x86::Gp index = x86::rax;
  if (at.isReg()) {
    index = x86::gpq(at.as<x86::Gp>().id());
  } else if (at.isMem()) {
    a_.mov(x86::eax, at.as<x86::Mem>());
  } else {
    a_.mov(x86::eax, at.as<asmjit::Imm>());
  }
  pop_vals(1);
  auto depth_of = [&](uint32_t i) {
    return i < in.b ? func_.br_table_labels[in.a + i] : static_cast<uint32_t>(in.c);
  };
  std::map<uint32_t, asmjit::Label> trampolines;  // by depth: where the table jumps
  std::map<uint32_t, bool> direct;
  for (uint32_t i = 0; i <= in.b; ++i) {
    const uint32_t depth = depth_of(i);
    if (trampolines.count(depth) != 0) continue;
    direct[depth] = !branch_needs_copy(depth);
    trampolines[depth] = direct[depth] ? label_ctrl(depth).label : a_.newLabel();
  }
  JumpTable table{a_.newLabel(), {}};
  for (uint32_t i = 0; i < in.b; ++i) table.targets.push_back(trampolines[depth_of(i)]);
  a_.cmp(index.r32(), in.b);
  a_.jae(trampolines[depth_of(in.b)]);
  a_.lea(x86::rcx, x86::ptr(table.label));
  a_.jmp(x86::qword_ptr(x86::rcx, index, 3));
  tables_.push_back(std::move(table));
  for (const auto& [depth, label] : trampolines) {
    Ctrl& target = label_ctrl(depth);
    if (target.kind != Ctrl::Kind::Loop) target.reached = true;
    if (direct[depth]) continue;
    a_.bind(label);
    copy_branch_values(depth);
    a_.jmp(target.label);
  }
  mark_dead();
}

// if (budget >= cost) budget -= cost; else lunatic_jit_safepoint(ctx, cost), the slow path out
// of line (emit_safepoint_slow_path, after the body: the fast path falls through, no jump). At
// an OSR point the slow path asks lunatic_jit_safepoint_osr instead: once LLVM's code for this
// module is there, the frame continues in its OSR entry (wo<F>, reading every local from this
// frame's slots 0..locals) and this function returns what that returns. The slow path runs at
// least every kKillPollInterval (2^20) fuel units, so a long-running loop moves over within
// milliseconds.
Result<void> FunctionCompiler::emit_next_safepoint(bool osr_point) {
  if (next_safepoint_ >= safepoint_costs_.size()) {
    return baseline_error("more live loops than the lowered code's safepoints", offset_);
  }
  SlowSafepoint site{a_.newLabel(),
                     a_.newLabel(),
                     safepoint_costs_[next_safepoint_],
                     static_cast<uint32_t>(next_safepoint_),
                     offset_,
                     osr_point};
  ++next_safepoint_;
  const x86::Mem budget = ctx_field(offsetof(Context, budget));
  if (site.cost <= 0x7FFF'FFFFu) {
    // sub sets the flags cmp would (budget < cost: jl) and already charges the fast path; the
    // slow path adds the cost back first, so the helper sees the budget unchanged.
    a_.sub(budget, site.cost);
    a_.jl(site.slow);
  } else {
    a_.mov(x86::eax, site.cost);
    a_.cmp(budget, x86::rax);
    a_.jl(site.slow);
    a_.sub(budget, x86::rax);
  }
  a_.bind(site.done);
  slow_safepoints_.push_back(site);
  return {};
}

void FunctionCompiler::emit_safepoint_slow_path(const SlowSafepoint& site) {
  a_.bind(site.slow);
  if (site.cost <= 0x7FFF'FFFFu) a_.add(ctx_field(offsetof(Context, budget)), site.cost);
  offset_ = site.offset;
  store_site();
  a_.mov(x86::rdi, x86::rbx);
  a_.mov(x86::esi, site.cost);
  if (!site.osr_point) {
    call_address(reinterpret_cast<const void*>(&native::lunatic_jit_safepoint));
    a_.jmp(site.done);
    return;
  }
  a_.mov(x86::edx, defined_index_);
  a_.mov(x86::ecx, site.index);
  call_address(reinterpret_cast<const void*>(&native::lunatic_jit_safepoint_osr));
  a_.test(x86::rax, x86::rax);
  a_.jz(site.done);
  // The OSR entry reads its caller's depth from the context: this frame's caller's; and its
  // fp: this frame's.
  if (!osr_return_.isValid()) osr_return_ = a_.newLabel();
  a_.mov(x86::r11, x86::rax);
  store_local_registers();
  a_.mov(x86::eax, depth_slot());
  a_.dec(x86::eax);
  a_.mov(ctx_field(offsetof(Context, depth), 4), x86::eax);
  a_.mov(x86::eax, fp_slot());
  a_.mov(ctx_field(offsetof(Context, frame_fp), 4), x86::eax);
  a_.mov(x86::rdi, x86::rbx);
  a_.lea(x86::rsi, slot(0));
  a_.mov(x86::edx, site.index);
  a_.mov(x86::rcx, args_slot());
  a_.call(x86::r11);
  a_.jmp(osr_return_);
}

}  // namespace lunatic::baseline
