// Lowering of everything but control flow: variables, calls, memory, tables, references and the
// numeric instructions, plus the symbolic operand stack that turns local.get and constants into
// operands of the instruction that uses them.
#include <algorithm>

#include "engine/lowering_context.hpp"

namespace lunatic::engine {

using wasm::Opcode;

Result<void> Lowerer::lower_op(const wasm::Instr& in) {
  switch (in.op) {
    case Opcode::Nop: return {};
    case Opcode::Drop: pop(); return {};
    case Opcode::Select:
    case Opcode::SelectT: {
      const Entry cond = pop(), b = pop(), a = pop();
      emit_result(a.width == 2 ? Op::Select2 : Op::Select, {a.slot, b.slot, cond.slot}, a.width);
      return {};
    }
    case Opcode::LocalGet: push_local(in.a); return {};
    case Opcode::LocalSet: lower_local_set(in.a, false); return {};
    case Opcode::LocalTee: lower_local_set(in.a, true); return {};
    case Opcode::GlobalGet:
      if (slot_width(module_.global_type(in.a).type) == 2)
        emit_result(Op::GlobalGet2, {in.a}, 2);
      else
        emit_result(Op::GlobalGet, {in.a});
      return {};
    case Opcode::GlobalSet: {
      const Entry v = pop();
      emit(v.width == 2 ? Op::GlobalSet2 : Op::GlobalSet, {in.a, v.slot});
      return {};
    }
    case Opcode::TableGet: emit_result(Op::TableGet, {in.a, pop().slot}); return {};
    case Opcode::TableSet: {
      const Entry v = pop(), i = pop();
      emit(Op::TableSet, {in.a, i.slot, v.slot});
      return {};
    }
    case Opcode::MemorySize: emit_result(Op::MemorySize, {}); return {};
    case Opcode::MemoryGrow: emit_result(Op::MemoryGrow, {pop().slot}); return {};
    case Opcode::I32Const: push_const(static_cast<uint32_t>(in.c)); return {};
    case Opcode::I64Const:
    case Opcode::F32Const:
    case Opcode::F64Const: push_const(in.c); return {};
    case Opcode::RefNull: push_const(0); return {};
    case Opcode::RefIsNull: emit_result(Op::RefIsNull, {pop().slot}); return {};
    case Opcode::RefFunc: emit_result(Op::RefFunc, {in.a}); return {};
    case Opcode::Call: lower_call(in.a); return {};
    case Opcode::CallIndirect: lower_call_indirect(in.a, in.b); return {};
    case Opcode::MemoryInit:
    case Opcode::MemoryCopy:
    case Opcode::MemoryFill:
    case Opcode::TableInit:
    case Opcode::TableCopy:
    case Opcode::TableFill: {
      // All take three operands (d, s or value, n) plus the immediates, in this order.
      const Entry n = pop(), s = pop(), d = pop();
      switch (in.op) {
        case Opcode::MemoryInit: emit(Op::MemoryInit, {in.a, d.slot, s.slot, n.slot}); break;
        case Opcode::MemoryCopy: emit(Op::MemoryCopy, {d.slot, s.slot, n.slot}); break;
        case Opcode::MemoryFill: emit(Op::MemoryFill, {d.slot, s.slot, n.slot}); break;
        case Opcode::TableInit: emit(Op::TableInit, {in.a, in.b, d.slot, s.slot, n.slot}); break;
        case Opcode::TableCopy: emit(Op::TableCopy, {in.a, in.b, d.slot, s.slot, n.slot}); break;
        default: emit(Op::TableFill, {in.a, d.slot, s.slot, n.slot}); break;
      }
      return {};
    }
    case Opcode::DataDrop: emit(Op::DataDrop, {in.a}); return {};
    case Opcode::ElemDrop: emit(Op::ElemDrop, {in.a}); return {};
    case Opcode::TableGrow: {
      const Entry n = pop(), init = pop();
      emit_result(Op::TableGrow, {in.a, init.slot, n.slot});
      return {};
    }
    case Opcode::TableSize: emit_result(Op::TableSize, {in.a}); return {};
    default:
      if (wasm::is_simd(in.op))
        lower_simd(in);
      else
        lower_numeric(in);
      return {};
  }
}

// Fixed-signature instructions (numeric, loads, stores) run as written: the internal opcode is
// the Wasm opcode, the operands are slots.
void Lowerer::lower_numeric(const wasm::Instr& in) {
  const wasm::OpcodeInfo& info = wasm::opcode_info(in.op);
  const auto op = static_cast<Op>(in.op);
  using wasm::Operand;
  if (info.in1 == Operand::special || info.in1 == Operand::none) {
    broken_ = true;  // control and constants are handled elsewhere; nothing else is left
    return;
  }
  if (info.access_bytes > 0) {
    // An address computed by the i32.add just before becomes part of the access.
    const uint32_t fused = static_cast<uint32_t>(Op::I32LoadAdd) + static_cast<uint32_t>(op) -
                           static_cast<uint32_t>(Op::I32Load);
    uint32_t a, b;
    if (info.out != Operand::none) {
      const Entry addr = pop();
      if (take_address_add(addr, a, b))
        emit_result(static_cast<Op>(fused), {a, b, in.b});
      else
        emit_result(op, {addr.slot, in.b});
    } else {
      const Entry v = pop(), addr = pop();
      if (take_address_add(addr, a, b))
        emit(static_cast<Op>(fused), {a, b, v.slot, in.b});
      else
        emit(op, {addr.slot, v.slot, in.b});
    }
    return;
  }
  if (info.in2 != Operand::none) {
    const Entry b = pop(), a = pop();
    if (!fuse_xor_shift(op, a, b) && !emit_with_immediate(op, a, b))
      emit_result(op, {a.slot, b.slot});
  } else {
    emit_result(op, {pop().slot});
  }
}

void Lowerer::lower_local_set(uint32_t local, bool tee) {
  if (local >= local_slot_.size()) {
    broken_ = true;
    return;
  }
  const Entry v = pop();
  const uint32_t slot = local_slot_[local];
  // Deferred local.gets of this local must read the old value before it is overwritten.
  materialize_local(local);
  if (v.kind == Entry::Kind::Home && last_patchable_ && code_[last_pos_ + 1] == v.slot) {
    // The value was just computed into its home: compute it into the local instead.
    code_[last_pos_ + 1] = slot;
    last_patchable_ = false;
  } else if (v.slot != slot) {
    emit_copy(slot, v.slot, v.width);
  }
  if (tee) push_local(local);
}

void Lowerer::lower_call(uint32_t func_index) {
  if (func_index >= module_.total_functions()) {
    broken_ = true;
    return;
  }
  const wasm::FuncType& ft = module_.function_type(func_index);
  const uint32_t n = static_cast<uint32_t>(ft.params.size());
  if (n > height()) {
    broken_ = true;
    return;
  }
  to_home_top(n);
  const uint32_t base_position = height() - n;
  emit(Op::Call, {func_index, home(base_position)});
  pop_to(base_position);
  for (wasm::ValType t : ft.results) push_home(slot_width(t));
}

void Lowerer::lower_call_indirect(uint32_t type_index, uint32_t table) {
  const Entry index = pop();
  if (type_index >= module_.types.size() || module_.types[type_index].params.size() > height()) {
    broken_ = true;
    return;
  }
  const wasm::FuncType& ft = module_.types[type_index];
  const uint32_t n = static_cast<uint32_t>(ft.params.size());
  to_home_top(n);
  const uint32_t base_position = height() - n;
  emit(Op::CallIndirect, {type_index, table, index.slot, home(base_position)});
  pop_to(base_position);
  for (wasm::ValType t : ft.results) push_home(slot_width(t));
}

// ---- The symbolic stack ------------------------------------------------------------------

uint32_t Lowerer::push_home(uint32_t width) {
  const uint32_t slot = home(height());
  stack_.push_back({Entry::Kind::Home, static_cast<uint8_t>(width), slot, slot});
  max_height_ = std::max(max_height_, slot + width - stack_base_);
  return slot;
}

void Lowerer::push_local(uint32_t local) {
  if (local >= local_slot_.size()) {
    broken_ = true;
    push_home();
    return;
  }
  const uint32_t slot = local_slot_[local];
  const uint8_t width = local_width_[local];
  const uint32_t h = home(height());
  local_refs_[slot].push_back(height());
  stack_.push_back({Entry::Kind::Local, width, slot, h});
  max_height_ = std::max(max_height_, h + width - stack_base_);
}

void Lowerer::push_const(uint64_t bits) {
  auto it = const_slots_.find(bits);
  if (it == const_slots_.end()) {
    broken_ = true;
    push_home();
    return;
  }
  const uint32_t h = home(height());
  stack_.push_back({Entry::Kind::Const, 1, it->second, h});
  max_height_ = std::max(max_height_, h + 1 - stack_base_);
}

Lowerer::Entry Lowerer::pop() {
  const uint32_t floor = ctrls_.empty() ? 0 : ctrls_.back().height;
  if (height() <= floor) {
    broken_ = true;  // a validated body never pops below its block's height
    return {Entry::Kind::Home, 1, home(height()), home(height())};
  }
  const Entry e = stack_.back();
  stack_.pop_back();
  if (e.kind == Entry::Kind::Local) local_refs_[e.slot].pop_back();
  deferred_low_ = std::min(deferred_low_, height());
  return e;
}

void Lowerer::materialize(uint32_t position) {
  const Entry e = stack_[position];
  if (e.kind == Entry::Kind::Home) return;
  emit_copy(e.home, e.slot, e.width);
  stack_[position] = {Entry::Kind::Home, e.width, e.home, e.home};
}

void Lowerer::materialize_local(uint32_t local) {
  std::vector<uint32_t>& refs = local_refs_[local_slot_[local]];
  for (uint32_t position : refs) materialize(position);
  refs.clear();
}

// Walks down from the top: each deferred local.get met is the newest of its local, i.e. the
// back of that local's list.
void Lowerer::materialize_all_locals() {
  for (uint32_t p = height(); p > deferred_low_; --p) {
    const Entry e = stack_[p - 1];
    if (e.kind != Entry::Kind::Local) continue;
    local_refs_[e.slot].pop_back();
    materialize(p - 1);
  }
  deferred_low_ = height();
}

void Lowerer::to_home_top(uint32_t n) {
  n = std::min(n, height());
  for (uint32_t p = height(); p > height() - n; --p) {
    const Entry e = stack_[p - 1];
    if (e.kind == Entry::Kind::Local) local_refs_[e.slot].pop_back();
    materialize(p - 1);
  }
}

// ---- Emission ------------------------------------------------------------------------------

uint32_t Lowerer::emit(Op op, std::initializer_list<uint32_t> operands) {
  if (offsets_.empty() || offsets_.back().second != cur_offset_)
    offsets_.emplace_back(pos(), cur_offset_);
  const uint32_t at = pos();
  code_.push_back(static_cast<uint32_t>(op));
  code_.insert(code_.end(), operands.begin(), operands.end());
  last_patchable_ = false;
  return at;
}

void Lowerer::emit_result(Op op, std::initializer_list<uint32_t> sources, uint32_t width) {
  const uint32_t dst = push_home(width);
  if (op == static_cast<Op>(Opcode::I32Add) || op == Op::I32AddImm) last_add_pos_ = pos();
  if (offsets_.empty() || offsets_.back().second != cur_offset_)
    offsets_.emplace_back(pos(), cur_offset_);
  last_pos_ = pos();
  code_.push_back(static_cast<uint32_t>(op));
  code_.push_back(dst);
  code_.insert(code_.end(), sources.begin(), sources.end());
  last_patchable_ = true;
}

}  // namespace lunatic::engine
