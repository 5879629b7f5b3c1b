// The register cache over the operand stack (in the style of V8's Liftoff). Each entry of the
// operand stack is in its home slot (Mem), in one of the cache registers (Reg), a constant not
// yet written anywhere (Const), or a local.get not yet copied (Local: the value is the local's
// slot, copied out before the local changes). Entries reach their homes (`spill`) only where
// the memory-only parts need them: control flow (every merge sees the whole stack in its
// slots), calls and helper calls (they clobber the cache registers, and a call's operands are
// the callee's slot array), safepoints (at loop headers, after the block's spill) and
// instructions emitted the old way. A local lives in its slot, or for the whole function in
// a register (local_registers.cpp): a Local entry reads whichever it is.
#include "baseline/function_compiler.hpp"

#include <algorithm>

#include "engine/value.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using Kind = FunctionCompiler::Val::Kind;

namespace {

// Caller-saved registers no emitter uses as scratch (the callee-saved r12-r15 may hold hot
// locals: local_registers.cpp).
constexpr uint8_t kPool[] = {8, 9, 10, 11, 6, 7};  // r8-r11, rsi, rdi
// Entries that may be cached at once (bounds the scans below: compile time stays linear).
constexpr uint32_t kMaxCached = 24;

bool fits_i32(uint64_t bits) {
  return static_cast<int64_t>(bits) == static_cast<int32_t>(static_cast<uint32_t>(bits));
}

}  // namespace

void FunctionCompiler::sync() {
  // Entries above sp_ were dropped (their registers are free again: the cache registers in
  // use are found by scanning the stack); entries pushed by memory-only emitters are in their
  // slots.
  vals_.resize(sp_);
}

void FunctionCompiler::spill(uint32_t height) {
  Val& v = vals_[height];
  const x86::Mem home = stack_at(height);
  switch (v.kind) {
    case Kind::Mem: return;
    case Kind::Reg: a_.mov(home, x86::gpq(v.reg)); break;
    case Kind::Const:
      if (fits_i32(v.bits)) {
        a_.mov(home, static_cast<int32_t>(v.bits));
      } else {
        a_.mov(x86::rax, v.bits);
        a_.mov(home, x86::rax);
      }
      break;
    case Kind::Local:
      if (const x86::Gp reg = local_now(v.local); reg.isValid()) {
        a_.mov(home, reg);
        break;
      }
      a_.mov(x86::rax, local_home(v.local));
      a_.mov(home, x86::rax);
      break;
  }
  v = Val{};
}

void FunctionCompiler::spill_below(uint32_t height) {
  const auto end = std::min<uint32_t>(height, static_cast<uint32_t>(vals_.size()));
  for (uint32_t h = cached_from_; h < end; ++h) spill(h);
  cached_from_ = std::max(cached_from_, end);
}

void FunctionCompiler::flush_top(uint32_t n) {
  const auto size = static_cast<uint32_t>(vals_.size());
  for (uint32_t h = size - std::min(n, size); h < size; ++h) spill(h);
}

uint32_t FunctionCompiler::entry_registers(uint32_t* lowest) const {
  uint32_t used = 0;
  if (lowest != nullptr) *lowest = UINT32_MAX;
  for (auto h = static_cast<uint32_t>(vals_.size()); h-- > cached_from_;) {
    if (vals_[h].kind != Kind::Reg) continue;
    used |= 1u << vals_[h].reg;
    if (lowest != nullptr) *lowest = h;
  }
  return used;
}

x86::Gp FunctionCompiler::free_register(uint32_t used) const {
  for (uint8_t r : kPool) {
    if ((used & (1u << r)) == 0 && copy_of_[r] == UINT32_MAX) return x86::gpq(r);
  }
  return x86::Gp();
}

x86::Gp FunctionCompiler::alloc() {
  uint32_t lowest = UINT32_MAX;
  const uint32_t used = entry_registers(&lowest);
  // A register no entry holds: one without a local's copy first, else one whose copy ends.
  if (const x86::Gp free = free_register(used); free.isValid()) return free;
  for (uint8_t r : kPool) {
    if ((used & (1u << r)) == 0) {
      drop_copy_in(r);
      return x86::gpq(r);
    }
  }
  // Every cache register holds an entry: the lowest gives its up (it lies at least
  // std::size(kPool) - 1 entries below the top, below any instruction's operands).
  const uint8_t r = vals_[lowest].reg;
  spill(lowest);
  return x86::gpq(r);
}

x86::Gp FunctionCompiler::result_reg(const Val& v, bool load_value) {
  if (v.kind == Kind::Reg) return x86::gpq(v.reg);
  if (v.kind == Kind::Local && !local_register(v.local).isValid()) {
    if (const x86::Gp copy = copy_register(v.local); copy.isValid()) {
      drop_copy_in(static_cast<uint8_t>(copy.id()));  // the slot still holds the local
      return copy;
    }
  }
  const x86::Gp dst = alloc();
  if (load_value) load(v, dst);
  return dst;
}

x86::Gp FunctionCompiler::result_local(uint32_t operands) const {
  if (next_ == nullptr ||
      (next_->op != wasm::Opcode::LocalSet && next_->op != wasm::Opcode::LocalTee)) {
    return x86::Gp();
  }
  const uint32_t local = next_->a;
  const x86::Gp reg = local_register(local);
  if (!reg.isValid() || vals_.size() < operands) return x86::Gp();
  // The register changes before the set would copy such an entry out (translate_local).
  const auto below = static_cast<uint32_t>(vals_.size() - operands);
  for (uint32_t h = cached_from_; h < below; ++h) {
    if (vals_[h].kind == Kind::Local && vals_[h].local == local) return x86::Gp();
  }
  return reg;
}

void FunctionCompiler::push_val(const Val& v) {
  const uint32_t height = push();
  vals_.push_back(v);
  if (v.kind == Kind::Mem) return;
  cached_from_ = std::min(cached_from_, height);
  if (height + 1 - cached_from_ > kMaxCached) spill_below(height + 1 - kMaxCached / 2);
}

void FunctionCompiler::push_reg(const x86::Gp& r) {
  Val v;
  v.kind = Kind::Reg;
  v.reg = static_cast<uint8_t>(r.id());
  push_val(v);
}

void FunctionCompiler::pop_vals(uint32_t n) {
  sp_ -= n;
  vals_.resize(sp_);
}

void FunctionCompiler::load(const Val& v, const x86::Gp& dst) {
  const x86::Gp d = dst.r64();
  switch (v.kind) {
    case Kind::Mem: a_.mov(d, stack_at(static_cast<uint32_t>(&v - vals_.data()))); return;
    case Kind::Reg:
      if (v.reg != d.id()) a_.mov(d, x86::gpq(v.reg));
      return;
    case Kind::Const:
      if (v.bits == 0) {
        a_.xor_(d.r32(), d.r32());
      } else if (v.bits <= 0xFFFF'FFFFu) {
        a_.mov(d.r32(), static_cast<uint32_t>(v.bits));
      } else {
        a_.mov(d, v.bits);
      }
      return;
    case Kind::Local:
      if (const x86::Gp reg = local_now(v.local); reg.isValid()) {
        if (reg.id() != d.id()) a_.mov(d, reg);
      } else {
        a_.mov(d, local_home(v.local));
      }
      return;
  }
}

asmjit::Operand FunctionCompiler::operand(const Val& v, uint32_t bytes, const x86::Gp& scratch,
                                          bool memory_ok) {
  const bool wide = bytes == 8;
  switch (v.kind) {
    case Kind::Reg: return wide ? x86::Gp(x86::gpq(v.reg)) : x86::Gp(x86::gpd(v.reg));
    case Kind::Const:
      if (!wide) return asmjit::Imm(static_cast<int32_t>(static_cast<uint32_t>(v.bits)));
      if (fits_i32(v.bits)) return asmjit::Imm(static_cast<int64_t>(v.bits));
      break;
    case Kind::Mem:
      if (memory_ok) {
        return stack_at(static_cast<uint32_t>(&v - vals_.data())).cloneResized(bytes);
      }
      break;
    case Kind::Local:
      if (const x86::Gp reg = local_now(v.local); reg.isValid()) {
        return wide ? x86::Gp(reg) : x86::Gp(reg.r32());
      }
      if (memory_ok) return local_home(v.local).cloneResized(bytes);
      break;
  }
  load(v, scratch);
  return wide ? x86::Gp(scratch.r64()) : x86::Gp(scratch.r32());
}

x86::Gp FunctionCompiler::in_reg(const Val& v, const x86::Gp& scratch) {
  if (v.kind == Kind::Reg) return x86::gpq(v.reg);
  if (v.kind == Kind::Local) {
    if (const x86::Gp reg = local_now(v.local); reg.isValid()) return reg;
    // A local read into a register (an address, a stored value) is read from there again
    // while it is a copy, if a register is free without spilling anything.
    if (copies_allowed_) {
      const x86::Gp reg = free_register(entry_registers());
      if (reg.isValid()) {
        a_.mov(reg, local_home(v.local));
        note_copy(v.local, static_cast<uint8_t>(reg.id()));
        return reg;
      }
    }
  }
  load(v, scratch);
  return scratch.r64();
}

void FunctionCompiler::emit_compare(bool wide, bool eqz) {
  const uint32_t bytes = wide ? 8 : 4;
  if (eqz) {
    const Val& v = val(0);
    if (v.kind == Kind::Mem || (v.kind == Kind::Local && !local_now(v.local).isValid())) {
      a_.emit(x86::Inst::kIdCmp, operand(v, bytes, x86::rax), asmjit::Imm(0));
      return;
    }
    const x86::Gp r = in_reg(v, x86::rax);
    if (wide) {
      a_.test(r, r);
    } else {
      a_.test(r.r32(), r.r32());
    }
    return;
  }
  const Val& lhs = val(1);
  const Val& rhs = val(0);
  // lhs: a register or a slot; rhs: anything but a second memory operand. Not rcx, which may
  // hold memory_base (base_in_rcx_).
  const asmjit::Operand l = operand(lhs, bytes, x86::rax, true);
  const asmjit::Operand r = operand(rhs, bytes, x86::rdx, !l.isMem());
  if (l.isImm()) {  // a constant lhs: into rax
    load(lhs, x86::rax);
    a_.emit(x86::Inst::kIdCmp, wide ? x86::Gp(x86::rax) : x86::Gp(x86::eax), r);
  } else {
    a_.emit(x86::Inst::kIdCmp, l, r);
  }
}

x86::CondCode FunctionCompiler::pop_condition() {
  if (fused_.active) {
    fused_.active = false;
    const uint32_t n = fused_.eqz ? 1 : 2;
    spill_below(sp_ - n);
    emit_compare(fused_.wide, fused_.eqz);
    pop_vals(n);
    return fused_.cc;
  }
  spill_below(sp_ - 1);
  emit_compare(false, true);
  pop_vals(1);
  return x86::CondCode::kNotEqual;
}

// local.get pushes a reference to the local (no code); local.set and local.tee first copy the
// entries that still refer to the local they overwrite.
bool FunctionCompiler::translate_local(const wasm::Instr& in) {
  using wasm::Opcode;
  if (in.op == Opcode::LocalGet) {
    Val v;
    v.kind = Kind::Local;
    v.local = in.a;
    push_val(v);
    return true;
  }
  if (in.op != Opcode::LocalSet && in.op != Opcode::LocalTee) return false;
  const uint32_t local = in.a;
  const bool tee = in.op == Opcode::LocalTee;
  const Val& v = val(0);
  if (v.kind == Kind::Local && v.local == local) {  // x = x
    if (!tee) pop_vals(1);
    return true;
  }
  const auto top = static_cast<uint32_t>(vals_.size() - 1);
  for (uint32_t h = cached_from_; h < top; ++h) {
    if (vals_[h].kind == Kind::Local && vals_[h].local == local) spill(h);
  }
  if (const x86::Gp reg = local_register(local); reg.isValid()) {
    const bool computed_there = v.kind == Kind::Reg && v.reg == reg.id();  // result_local
    load(v, reg);
    if (!tee) {
      pop_vals(1);
    } else if (computed_there) {  // the entry reads the local now: its register is no cache's
      pop_vals(1);
      Val copy;
      copy.kind = Kind::Local;
      copy.local = local;
      push_val(copy);
    }
    return true;
  }
  const x86::Mem dst = local_home(local);
  if (local < copy_reg_.size() && copy_reg_[local] != 0) drop_copy_in(copy_reg_[local]);
  switch (v.kind) {
    case Kind::Reg: {
      // The register keeps a copy of the local (its entry, for a tee, becomes a local.get).
      const uint8_t reg = v.reg;
      a_.mov(dst, x86::gpq(reg));
      pop_vals(1);
      note_copy(local, reg);
      if (tee) {
        Val copy;
        copy.kind = Kind::Local;
        copy.local = local;
        push_val(copy);
      }
      return true;
    }
    case Kind::Const:
      if (fits_i32(v.bits)) {
        a_.mov(dst, static_cast<int32_t>(v.bits));
        break;
      }
      [[fallthrough]];
    default:
      if (v.kind == Kind::Local && local_now(v.local).isValid()) {
        a_.mov(dst, local_now(v.local));
        break;
      }
      load(v, x86::rax);
      a_.mov(dst, x86::rax);
  }
  if (!tee) pop_vals(1);
  return true;
}

// Local copies: a local in its slot that was just written from a cache register is read from
// that register until the register is needed for something else (alloc), the local changes,
// or control may arrive from elsewhere or the registers change behind the cache's back
// (keeps_copies). The slot is always written too: a label, a call, the safepoints' slow paths,
// the OSR entries and LLVM's OSR read the slot.
void FunctionCompiler::note_copy(uint32_t local, uint8_t reg) {
  if (copy_reg_.empty()) copy_reg_.assign(local_types_.size(), 0);
  drop_copy_in(reg);
  copy_reg_[local] = reg;
  copy_of_[reg] = local;
}

void FunctionCompiler::drop_copy_in(uint8_t reg) {
  if (copy_of_[reg] == UINT32_MAX) return;
  copy_reg_[copy_of_[reg]] = 0;
  copy_of_[reg] = UINT32_MAX;
}

void FunctionCompiler::drop_copies() {
  for (const uint8_t r : kPool) drop_copy_in(r);
}

// The instructions whose code changes cache registers only through alloc (or in an entry's own
// register) and binds no label another path reaches: local.*, constants, drop, integer
// arithmetic and compares (not the bit counts, which may be calls), scalar loads, stores,
// globals and select, br_if (its fall-through), and the entries of blocks and ifs (their
// else and end are labels: those drop the copies). Everything else drops them.
bool FunctionCompiler::keeps_copies(const wasm::Instr& in) {
  using wasm::Opcode;
  const auto code = static_cast<uint16_t>(in.op);
  auto within = [&](Opcode first, Opcode last) {
    return code >= static_cast<uint16_t>(first) && code <= static_cast<uint16_t>(last);
  };
  if (within(Opcode::I32Load, Opcode::I64Store32)) return true;
  if (within(Opcode::I32Eqz, Opcode::I64Rotr)) {
    return !within(Opcode::I32Clz, Opcode::I32Popcnt) && !within(Opcode::I64Clz, Opcode::I64Popcnt);
  }
  switch (in.op) {
    case Opcode::LocalGet:
    case Opcode::LocalSet:
    case Opcode::LocalTee: return local_types_[in.a] != wasm::ValType::V128;
    case Opcode::GlobalGet:
    case Opcode::GlobalSet: return m_.wasm.global_type(in.a).type != wasm::ValType::V128;
    case Opcode::Select:
    case Opcode::SelectT: return sp_ >= 2 && !val(1).v128;
    default: return writes_only_cache_registers(in.op);
  }
}

bool writes_only_cache_registers(wasm::Opcode op) {
  using wasm::Opcode;
  switch (op) {
    case Opcode::Drop:
    case Opcode::Nop:
    case Opcode::I32Const:
    case Opcode::I64Const:
    case Opcode::I32WrapI64:
    case Opcode::I64ExtendI32S:
    case Opcode::I64ExtendI32U:
    case Opcode::I32Extend8S:
    case Opcode::I32Extend16S:
    case Opcode::I64Extend8S:
    case Opcode::I64Extend16S:
    case Opcode::I64Extend32S:
    case Opcode::BrIf:
    case Opcode::Block:
    case Opcode::If: return true;
    default: return false;
  }
}

// select: val1 if cond != 0 else val2 (cond on top, then val2, then val1). A compare just
// before it left its operands on the stack (fused_): it sets the flags here and cmov takes
// them, with no 0/1 value in between.
void FunctionCompiler::emit_select() {
  const bool fused = fused_.active;
  fused_.active = false;
  const uint32_t cond = fused ? (fused_.eqz ? 1 : 2) : 1;  // entries the condition takes
  const Val& v1 = val(cond + 1);
  const Val& v2 = val(cond);
  const x86::Gp dst = result_reg(v1, true);
  // rcx: emit_compare's scratch registers are rax and rdx.
  const asmjit::Operand other = operand(v2, 8, x86::rcx, true);
  const asmjit::Operand src = other.isImm() ? asmjit::Operand(in_reg(v2, x86::rcx)) : other;
  if (fused) {
    emit_compare(fused_.wide, fused_.eqz);
    a_.emit(x86::Inst::cmovccFromCond(x86::negateCond(fused_.cc)), dst, src);  // false: v2
  } else {
    emit_compare(false, true);  // cond == 0
    a_.emit(x86::Inst::kIdCmovz, dst, src);
  }
  pop_vals(cond + 2);
  push_reg(dst);
}

void FunctionCompiler::retype(uint32_t height, const std::vector<wasm::ValType>& types) {
  sync();
  for (const wasm::ValType t : types) {
    const bool v128 = t == wasm::ValType::V128;
    for (uint32_t i = 0; i < engine::slot_width(t); ++i) vals_[height++].v128 = v128;
  }
}

}  // namespace lunatic::baseline
