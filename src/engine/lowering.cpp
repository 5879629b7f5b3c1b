// Lowering driver and control flow: blocks, loops, if/else, branches and returns become jumps to
// resolved code positions, with the copies that put kept values where the label expects them.
#include "engine/lowering.hpp"

#include <algorithm>

#include "engine/lowering_context.hpp"
#include "wasm/unreachable_code.hpp"

namespace lunatic::engine {

Result<void> lower_into(const wasm::Module& module, uint32_t defined_index, CompiledFunction& out) {
  if (defined_index >= module.functions.size()) {
    return Error(Phase::Validate, "unknown function");
  }
  return Lowerer(module, defined_index).run(out);
}

std::unique_ptr<CompiledFunction> unlowered_function(const wasm::Module& module,
                                                     uint32_t defined_index) {
  auto fn = std::make_unique<CompiledFunction>();
  const wasm::FuncType& type = module.types[module.functions[defined_index].type_index];
  fn->func_index = module.imported_functions + defined_index;
  fn->type_index = module.functions[defined_index].type_index;
  fn->param_count = slot_count(type.params);
  fn->result_count = slot_count(type.results);
  fn->lowered = false;
  return fn;
}

Result<std::unique_ptr<CompiledFunction>> lower(const wasm::Module& module,
                                                uint32_t defined_index) {
  if (defined_index >= module.functions.size()) {
    return Error(Phase::Validate, "unknown function");
  }
  std::unique_ptr<CompiledFunction> out = unlowered_function(module, defined_index);
  TRY(lower_into(module, defined_index, *out));
  out->lowered = true;  // not shared yet
  return out;
}

uint32_t CompiledFunction::offset_of(uint32_t pos) const {
  auto it = std::upper_bound(offsets.begin(), offsets.end(), pos,
                             [](uint32_t p, const auto& entry) { return p < entry.first; });
  return it == offsets.begin() ? 0 : std::prev(it)->second;
}

Lowerer::Lowerer(const wasm::Module& module, uint32_t defined_index)
    : module_(module),
      func_(module.functions[defined_index]),
      type_(module.types[func_.type_index]),
      defined_index_(defined_index) {}

Result<void> Lowerer::run(CompiledFunction& result) {
  // Each local gets its slots: one, or two for a v128 (value.hpp).
  local_slot_.reserve(type_.params.size() + func_.local_count);
  auto add_local = [&](wasm::ValType t) {
    local_slot_.push_back(local_total_);
    local_width_.push_back(static_cast<uint8_t>(slot_width(t)));
    local_total_ += slot_width(t);
  };
  for (wasm::ValType t : type_.params) add_local(t);
  const uint32_t params = local_total_;
  for (const wasm::LocalGroup& g : func_.locals) {
    for (uint32_t i = 0;
         i < g.count && local_slot_.size() < type_.params.size() + func_.local_count; ++i)
      add_local(g.type);
  }
  const uint32_t local_slots = local_total_ - params;
  uint32_t result_slots = 0;
  for (wasm::ValType t : type_.results) {
    result_offsets_.push_back(result_slots);
    result_slots += slot_width(t);
  }
  // Constants get slots before the operand stack, so all of them are known before any home
  // slot is named: one pass to collect them. A constant subtracted is also collected negated
  // (x - c runs as x + -c, which the add superinstructions take). Unused ones are dropped at
  // the end (compact_constants).
  auto add_constant = [&](uint64_t bits) {
    if (const_slots_.emplace(bits, local_total_ + uint32_t(constants_.size())).second) {
      constants_.push_back(bits);
      const_pair_.push_back(false);
    }
  };
  const std::vector<wasm::Instr>& body = func_.body;
  for (size_t i = 0; i < body.size(); ++i) {
    const wasm::Instr& in = body[i];
    const wasm::Opcode next = i + 1 < body.size() ? body[i + 1].op : wasm::Opcode::Nop;
    switch (in.op) {
      case wasm::Opcode::I32Const:
        add_constant(static_cast<uint32_t>(in.c));
        if (next == wasm::Opcode::I32Sub)
          add_constant(static_cast<uint32_t>(0u - static_cast<uint32_t>(in.c)));
        break;
      case wasm::Opcode::I64Const:
        add_constant(in.c);
        if (next == wasm::Opcode::I64Sub) add_constant(0 - in.c);
        break;
      case wasm::Opcode::F32Const:
      case wasm::Opcode::F64Const: add_constant(in.c); break;
      case wasm::Opcode::RefNull: add_constant(0); break;
      case wasm::Opcode::V128Const: add_constant128(in); break;
      default: break;
    }
  }
  stack_base_ = local_total_ + static_cast<uint32_t>(constants_.size());
  local_refs_.resize(local_total_);

  Ctrl fn;
  fn.kind = Ctrl::Kind::Func;
  fn.results = static_cast<uint32_t>(type_.results.size());
  fn.result_types = type_.results.data();
  fn.cost_owner = 0;
  ctrls_.push_back(std::move(fn));
  ctrls_[0].cost_pos = emit(Op::Safepoint, {0}) + 1;

  for (const wasm::Instr& in : func_.body) {
    if (ctrls_.empty()) break;  // trailing bytes after the final end: not in a valid body
    cur_offset_ = in.offset;
    if (ctrls_.back().dead && wasm::skip_unreachable(in.op, dead_depth_)) continue;
    ++ctrls_[ctrls_.back().cost_owner].cost;
    TRY(lower_instr(in));
  }
  if (broken_ || !ctrls_.empty()) return Error(Phase::Validate, "type mismatch", cur_offset_);
  compact_constants();

  CompiledFunction* out = &result;  // its index, type and slot counts are unlowered_function's
  if (out->param_count != params || out->result_count != result_slots) {
    return Error(Phase::Validate, "type mismatch", cur_offset_);  // not made for this function
  }
  out->local_count = local_slots;
  out->stack_base = stack_base_;
  // The results of a call land in the caller's homes, and the return copies need slots
  // 0..r-1: both fit in the frame because max_height counts every pushed value.
  out->frame_size = stack_base_ + std::max(max_height_, out->result_count);
  if (local_slots + constants_.size() <= CompiledFunction::kSmallInit) {
    out->has_small_init = true;
    std::copy(constants_.begin(), constants_.end(), out->small_init + local_slots);
    out->frame_size = std::max(out->frame_size, params + CompiledFunction::kSmallInit);
  }
  out->constants = std::move(constants_);
  out->code = std::move(code_);
  out->offsets = std::move(offsets_);
  return {};
}

Result<void> Lowerer::lower_instr(const wasm::Instr& in) {
  using wasm::Opcode;
  switch (in.op) {
    case Opcode::Block: enter_block(Ctrl::Kind::Block, in.block); return {};
    case Opcode::Loop: enter_block(Ctrl::Kind::Loop, in.block); return {};
    case Opcode::If: {
      const Entry cond = pop();
      enter_block(Ctrl::Kind::If, in.block);
      ctrls_.back().else_fixup = emit_cond_branch(cond, /*when_nonzero=*/false);
      return {};
    }
    case Opcode::Else: lower_else(); return {};
    case Opcode::End: lower_end(); return {};
    case Opcode::Br: lower_br(in.a); return {};
    case Opcode::BrIf: lower_br_if(in.a); return {};
    case Opcode::BrTable: lower_br_table(in); return {};
    case Opcode::Return:
      emit_return();
      mark_dead();
      return {};
    case Opcode::Unreachable:
      emit(Op::Unreachable, {});
      mark_dead();
      return {};
    default: return lower_op(in);
  }
}

void Lowerer::enter_block(Ctrl::Kind kind, const wasm::BlockType& bt) {
  Ctrl c;
  c.kind = kind;
  if (bt.kind == wasm::BlockType::Kind::Value) {
    c.results = 1;
    c.result_types = &bt.value;  // bt lives in the module's body, as long as the lowering
  } else if (bt.kind == wasm::BlockType::Kind::TypeIndex && bt.type_index < module_.types.size()) {
    const wasm::FuncType& ft = module_.types[bt.type_index];
    c.params = static_cast<uint32_t>(ft.params.size());
    c.results = static_cast<uint32_t>(ft.results.size());
    c.param_types = ft.params.data();
    c.result_types = ft.results.data();
  }
  if (c.params > height()) {
    broken_ = true;
    c.params = height();
  }
  // Deferred local.gets of the enclosing code are read now: inside the block, a local.set on a
  // path that may not run (or may run again, in a loop) could not fix them up.
  materialize_all_locals();
  to_home_top(c.params);
  c.height = height() - c.params;
  const uint32_t index = static_cast<uint32_t>(ctrls_.size());
  c.cost_owner = kind == Ctrl::Kind::Loop ? index : ctrls_.back().cost_owner;
  ctrls_.push_back(std::move(c));
  if (kind == Ctrl::Kind::Loop) {
    Ctrl& loop = ctrls_.back();
    loop.start = emit(Op::Safepoint, {0});
    loop.cost_pos = loop.start + 1;
  }
}

void Lowerer::lower_else() {
  Ctrl& c = ctrls_.back();
  if (c.kind != Ctrl::Kind::If || c.else_fixup == kNoFixup) {
    broken_ = true;
    return;
  }
  if (!c.dead) {
    to_home_top(c.results);
    c.fixups.push_back(emit(Op::Br, {0}) + 1);
  }
  bind(c.else_fixup);
  c.else_fixup = kNoFixup;
  c.has_else = true;
  c.dead = false;
  last_patchable_ = false;
  pop_to(c.height);
  for (uint32_t i = 0; i < c.params; ++i) push_home(slot_width(c.param_types[i]));
}

void Lowerer::lower_end() {
  Ctrl& c = ctrls_.back();
  if (!c.dead) to_home_top(c.results);
  if (c.kind == Ctrl::Kind::Func) {
    if (!c.dead || !c.fixups.empty()) {
      if (c.dead) {
        // Only branches reach the end: they left the results in the homes of 0..r-1.
        for (uint32_t i = 0; i < c.results; ++i) push_home(slot_width(c.result_types[i]));
      }
      for (uint32_t w : c.fixups) bind(w);
      emit_return();
    }
    code_[c.cost_pos] = std::max<uint32_t>(1, c.cost);
    ctrls_.pop_back();
    return;
  }
  // The end is reached by falling through, by a branch, or (if without else) by the false arm.
  const bool reachable = !c.dead || !c.fixups.empty() || c.else_fixup != kNoFixup;
  if (c.else_fixup != kNoFixup) bind(c.else_fixup);
  for (uint32_t w : c.fixups) bind(w);
  if (c.kind == Ctrl::Kind::Loop) code_[c.cost_pos] = std::max<uint32_t>(1, c.cost);
  last_patchable_ = false;
  const uint32_t h = c.height;
  const uint32_t results = c.results;
  const wasm::ValType* result_types = c.result_types;
  ctrls_.pop_back();
  pop_to(h);
  for (uint32_t i = 0; i < results; ++i) push_home(slot_width(result_types[i]));
  if (!reachable) mark_dead();
}

void Lowerer::mark_dead() {
  Ctrl& c = ctrls_.back();
  c.dead = true;
  pop_to(c.height);
  last_patchable_ = false;
}

uint32_t Lowerer::label_slot(const Ctrl& target, uint32_t i) const {
  const uint32_t arity = target.arity();
  uint32_t slot = home(target.height);
  for (uint32_t k = 0; k < i; ++k) slot += stack_[height() - arity + k].width;
  return slot;
}

bool Lowerer::needs_copies(const Ctrl& target) const {
  const uint32_t arity = target.arity();
  for (uint32_t i = 0; i < arity; ++i) {
    if (stack_[height() - arity + i].slot != label_slot(target, i)) return true;
  }
  return false;
}

// Copies the top `arity` values to the label's slots, lowest first. That order is safe: the
// value for the label's slot s is never below s, so a copy never overwrites a later source (a
// two-slot copy reads both slots before writing).
void Lowerer::emit_copies(const Ctrl& target) {
  const uint32_t arity = target.arity();
  for (uint32_t i = 0; i < arity; ++i) {
    const Entry& e = stack_[height() - arity + i];
    const uint32_t dst = label_slot(target, i);
    if (e.slot != dst) emit_copy(dst, e.slot, e.width);
  }
}

void Lowerer::emit_copy(uint32_t dst, uint32_t src, uint32_t width) {
  emit(width == 2 ? Op::Copy2 : Op::Copy, {dst, src});
}

void Lowerer::emit_jump(Ctrl& target) {
  if (target.kind == Ctrl::Kind::Loop) {
    set_target(emit(Op::Br, {0}) + 1, target.start);
  } else {
    target.fixups.push_back(emit(Op::Br, {0}) + 1);
  }
}

void Lowerer::lower_br(uint32_t depth) {
  if (depth >= ctrls_.size() || label(depth).arity() > height()) {
    broken_ = true;
    return;
  }
  if (depth == ctrls_.size() - 1) {
    emit_return();
  } else {
    Ctrl& target = label(depth);
    emit_copies(target);
    emit_jump(target);
  }
  mark_dead();
}

void Lowerer::lower_br_if(uint32_t depth) {
  const Entry cond = pop();
  if (depth >= ctrls_.size() || label(depth).arity() > height()) {
    broken_ = true;
    return;
  }
  Ctrl& target = label(depth);
  if (!needs_copies(target)) {
    const uint32_t w = emit_cond_branch(cond, /*when_nonzero=*/true);
    if (target.kind == Ctrl::Kind::Loop)
      set_target(w, target.start);
    else
      target.fixups.push_back(w);
    return;
  }
  const uint32_t skip = emit_cond_branch(cond, /*when_nonzero=*/false);
  emit_copies(target);
  emit_jump(target);
  bind(skip);
  last_patchable_ = false;
}

void Lowerer::lower_br_table(const wasm::Instr& in) {
  const Entry index = pop();
  const uint32_t n = in.b;
  if (uint64_t{in.a} + n > func_.br_table_labels.size()) {
    broken_ = true;
    return;
  }
  auto depth_of = [&](uint32_t i) {
    return i < n ? func_.br_table_labels[in.a + i] : uint32_t(in.c);
  };
  for (uint32_t i = 0; i <= n; ++i) {
    const uint32_t d = depth_of(i);
    if (d >= ctrls_.size() || label(d).arity() > height()) {
      broken_ = true;
      return;
    }
  }
  const uint32_t table = emit(Op::BrTable, {index.slot, n}) + 3;
  code_.resize(code_.size() + n + 1, 0);
  // Labels whose values must move get a stub after the table: copies, then the jump.
  for (uint32_t i = 0; i <= n; ++i) {
    Ctrl& target = label(depth_of(i));
    if (needs_copies(target)) {
      set_target(table + i, pos());
      emit_copies(target);
      emit_jump(target);
    } else if (target.kind == Ctrl::Kind::Loop) {
      set_target(table + i, target.start);
    } else {
      target.fixups.push_back(table + i);
    }
  }
  mark_dead();
}

// Returns from the function with the top `results` values. With one result, Return1 copies it;
// with more, they are first moved to their homes (above every local) and then down to slots
// 0..r-1 in order, which never overwrites a value still to be copied.
void Lowerer::emit_return() {
  const uint32_t r = static_cast<uint32_t>(type_.results.size());
  if (r > height()) {
    broken_ = true;
    return;
  }
  if (r == 1 && stack_.back().width == 1) {
    emit(Op::Return1, {stack_.back().slot});
    return;
  }
  to_home_top(r);
  for (uint32_t i = 0; i < r; ++i) {
    const Entry& e = stack_[height() - r + i];
    if (e.home != result_offsets_[i]) emit_copy(result_offsets_[i], e.home, e.width);
  }
  emit(Op::Return, {});
}

// Emits a branch taken when `cond` is non-zero (or zero) and returns the word to patch with
// its target. If the instruction just emitted computed `cond` with an integer compare, the two
// fuse into one compare-and-branch (and an i32.add before that, into the same instruction).
uint32_t Lowerer::emit_cond_branch(Entry cond, bool when_nonzero) {
  if (last_patchable_ && cond.kind == Entry::Kind::Home && code_[last_pos_ + 1] == cond.slot) {
    const auto op = static_cast<wasm::Opcode>(code_[last_pos_]);
    const auto first = static_cast<uint32_t>(wasm::Opcode::I32Eq);
    const auto raw = static_cast<uint32_t>(op);
    if (op == wasm::Opcode::I32Eqz) {
      // [i32.eqz, dst, a] -> [BrIfZ or BrIfNz, a, target]. (BrIfZ tests 32 bits: not i64.eqz.)
      code_[last_pos_] = static_cast<uint32_t>(when_nonzero ? Op::BrIfZ : Op::BrIfNz);
      code_[last_pos_ + 1] = code_[last_pos_ + 2];
      last_patchable_ = false;
      return last_pos_ + 2;
    }
    if ((raw >= first && raw <= static_cast<uint32_t>(wasm::Opcode::I32GeU)) ||
        (raw >= static_cast<uint32_t>(wasm::Opcode::I64Eq) &&
         raw <= static_cast<uint32_t>(wasm::Opcode::I64GeU))) {
      // Compare opcodes come in pairs of negations: eq/ne, lt_s/ge_s, lt_u/ge_u, gt_s/le_s,
      // gt_u/le_u (integers only: there is no NaN).
      const bool is64 = raw >= static_cast<uint32_t>(wasm::Opcode::I64Eq);
      uint32_t k = raw - (is64 ? static_cast<uint32_t>(wasm::Opcode::I64Eq) : first);
      if (!when_nonzero) {
        static constexpr uint32_t kNegation[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
        k = kNegation[k];
      }
      const uint32_t fused = static_cast<uint32_t>(is64 ? Op::BrIfI64Eq : Op::BrIfI32Eq) + k;
      code_[last_pos_] = fused;
      code_[last_pos_ + 1] = code_[last_pos_ + 2];
      code_[last_pos_ + 2] = code_[last_pos_ + 3];
      last_patchable_ = false;
      const uint32_t merged = fuse_add_into_branch(last_pos_);
      if (merged != 0) return merged;
      if (!is64) use_compare_immediate(last_pos_);
      return last_pos_ + 3;
    }
  }
  return emit(when_nonzero ? Op::BrIfNz : Op::BrIfZ, {cond.slot, 0}) + 2;
}

}  // namespace lunatic::engine
