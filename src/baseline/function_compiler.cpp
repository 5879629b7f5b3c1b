// The function compiler's driver: the direct entry's prologue (depth and stack checks, params
// and locals into the frame), one instruction at a time (unreachable code skipped as lowering
// skips it), then the out-of-line parts (the stack-exhausted exit, the slot entry, trap stubs,
// br_table jump tables) and the frame size, patched into the prologue.
#include "baseline/function_compiler.hpp"

#include <cstring>

#include "engine/code.hpp"
#include "engine/value.hpp"
#include "wasm/unreachable_code.hpp"

namespace lunatic::baseline {

namespace x86 = asmjit::x86;
using native::Context;

constexpr uint32_t kFramePlaceholder = 0x7FFF'FFF0;  // forces the imm32 form of sub

FunctionCompiler::FunctionCompiler(ModuleState& m, uint32_t defined_index)
    : m_(m),
      a_(m.a),
      func_(m.wasm.functions[defined_index]),
      type_(m.wasm.types[func_.type_index]),
      lowered_(*m.compiled.code[defined_index]),
      defined_index_(defined_index),
      func_index_(m.wasm.imported_functions + defined_index) {}

x86::Mem FunctionCompiler::slot(uint32_t index) const {
  return x86::qword_ptr(x86::rsp, static_cast<int32_t>((save_slots_ + index) * 8));
}

x86::Mem FunctionCompiler::save_slot(uint32_t k) const {
  return x86::qword_ptr(x86::rsp, static_cast<int32_t>(k * 8));
}

Result<uint32_t> FunctionCompiler::count_save_slots() const {
  uint64_t n = 3;
  for (const wasm::Instr& in : func_.body) {
    if (in.op != wasm::Opcode::If || in.block.kind != wasm::BlockType::Kind::TypeIndex ||
        in.block.type_index >= m_.wasm.types.size()) {
      continue;
    }
    n += engine::slot_count(m_.wasm.types[in.block.type_index].params);
    if (n > (1u << 20)) return baseline_error("too many saved if params");
  }
  return static_cast<uint32_t>(n);
}

void FunctionCompiler::emit_frame_adjust(bool allocate) {
  if (allocate) {
    a_.sub(x86::rsp, kFramePlaceholder);
  } else {
    a_.add(x86::rsp, kFramePlaceholder);
  }
  frame_patches_.push_back(a_.offset() - 4);
}

x86::Mem FunctionCompiler::ctx_field(uint32_t offset, uint32_t size) const {
  return x86::ptr(x86::rbx, static_cast<int32_t>(offset), size);
}

void FunctionCompiler::note_height(uint32_t height) {
  if (local_count_ + height > max_slots_) max_slots_ = local_count_ + height;
}

uint32_t FunctionCompiler::push() {
  note_height(++sp_);
  return sp_ - 1;
}

// The entry as two 32-bit immediates (offset, then function index): no 64-bit constant to load.
void FunctionCompiler::store_shadow_entry() {
  a_.mov(x86::eax, depth_slot());
  a_.mov(x86::rcx, ctx_field(offsetof(Context, shadow)));
  const x86::Mem entry = x86::dword_ptr(x86::rcx, x86::rax, 3);
  static_assert(native::shadow_entry(1, 2) == (uint64_t{1} << 32 | 2));
  a_.mov(entry, offset_);
  a_.mov(entry.cloneAdjusted(4), func_index_);
}

void FunctionCompiler::store_site() {
  store_shadow_entry();
  a_.mov(ctx_field(offsetof(Context, depth), 4), x86::eax);
}

void FunctionCompiler::load_callee_fp(const x86::Gp& dst, uint32_t base) {
  a_.mov(dst, fp_slot());
  a_.add(dst, static_cast<int32_t>(lowered_.stack_base + base));
}

void FunctionCompiler::store_callee_fp(uint32_t base) {
  load_callee_fp(x86::eax, base);
  a_.mov(ctx_field(offsetof(Context, frame_fp), 4), x86::eax);
}

void FunctionCompiler::call_address(const void* fn) {
  a_.mov(x86::rax, reinterpret_cast<uint64_t>(fn));
  a_.call(x86::rax);
}

asmjit::Label FunctionCompiler::trap_label(engine::TrapKind kind) {
  TrapSite site{a_.newLabel(), kind, offset_};
  traps_.push_back(site);
  return site.label;
}

// The lowered code holds the fuel cost of each safepoint (engine::safepoint_costs).
Result<void> FunctionCompiler::collect_safepoint_costs() {
  safepoint_costs_ = engine::safepoint_costs(lowered_);
  if (safepoint_costs_.empty()) return baseline_error("malformed lowered code: no entry safepoint");
  return {};
}

// The direct entry (the slot entry, after the body, calls it). Only the registers of hot locals
// are pushed (no frame pointer; rbx is the caller's Context*, kept): the checks use the scratch
// registers, so a function with fewer register locals saves fewer registers.
void FunctionCompiler::emit_prologue() {
  a_.bind(m_.entry);
  // rsi (the args/results array) stays live until the params are read.
  exhausted_ = a_.newLabel();
  low_stack_ = a_.newLabel();
  emit_enter_frame(low_stack_, x86::rsi);
  note_height(0);
  // By slot (a v128 param or local takes two); the register locals are scalars, one slot each.
  std::vector<bool> in_register(local_count_, false);
  for (const uint32_t local : register_locals_) in_register[local_slot_[local]] = true;
  for (uint32_t i = 0; i < param_slots_; ++i) {
    if (in_register[i]) continue;  // loaded by load_local_registers
    a_.mov(x86::rax, x86::qword_ptr(x86::rsi, static_cast<int32_t>(i * 8)));
    a_.mov(slot(i), x86::rax);
  }
  std::vector<bool> zero(local_count_, false);
  for (uint32_t local = 0; local < local_types_.size(); ++local) {
    if (written_first_[local]) continue;
    const uint32_t first = local_slot_[local];
    for (uint32_t k = 0; k < engine::slot_width(local_types_[local]); ++k) {
      zero[first + k] = !in_register[first + k];
    }
  }
  zero_locals(zero);
  load_local_registers();
}

void FunctionCompiler::emit_enter_frame(const asmjit::Label& low_stack, const x86::Gp& args) {
  for (const uint32_t local : register_locals_) a_.push(local_register(local));
  // d = the caller's depth (eax) + 1 must stay within max_depth, the frame's interpreter slots
  // (its fp, ecx, + frame_size, abi.hpp) within max_slots, and the native stack (with this
  // frame) above its limit. The trap reports the caller's depth, whose site the caller stored.
  a_.inc(x86::eax);
  a_.cmp(x86::eax, ctx_field(offsetof(Context, max_depth), 4));
  a_.ja(exhausted_);
  a_.lea(x86::rdx, x86::ptr(x86::rcx, static_cast<int32_t>(lowered_.frame_size)));
  a_.mov(x86::edi, ctx_field(offsetof(Context, max_slots), 4));
  a_.cmp(x86::rdx, x86::rdi);
  a_.ja(exhausted_);
  emit_frame_adjust(true);
  a_.cmp(x86::rsp, ctx_field(offsetof(Context, stack_limit)));
  a_.jb(low_stack);
  // The args/results pointer is read again only by a return with results and by the slow path
  // that hands a loop's frame to LLVM's OSR entry (it passes it on as the results pointer).
  if (!type_.results.empty() || !loop_end_.empty()) a_.mov(args_slot(), args);
  a_.mov(depth_slot(), x86::eax);
  a_.mov(fp_slot(), x86::ecx);
}

// The slot entry, void(Context*, Slot*): the caller's depth and the fp come in the Context. It
// enters with rsp = 8 mod 16, as the direct entry does after its push and call.
void FunctionCompiler::emit_slot_entry() {
  a_.bind(m_.slot_entry);
  a_.push(x86::rbx);
  a_.mov(x86::rbx, x86::rdi);
  a_.mov(x86::eax, ctx_field(offsetof(Context, depth), 4));
  a_.mov(x86::ecx, ctx_field(offsetof(Context, frame_fp), 4));
  a_.call(m_.entry);
  a_.pop(x86::rbx);
  a_.ret();
}

// The declared locals start at zero, but for those `zero` (by slot) leaves out (register locals,
// locals written before anything reads them). A few: one store each; more: 16-byte SSE stores
// (rep stosq costs tens of cycles to start, measured as a share of every call of a small
// function; a pair may zero a slot that needed none); many: rep stosq.
void FunctionCompiler::zero_locals(const std::vector<bool>& zero) {
  uint32_t count = 0;
  for (uint32_t i = param_slots_; i < local_count_; ++i) count += zero[i] ? 1 : 0;
  constexpr uint32_t kSingleStores = 8;
  constexpr uint32_t kPairStores = 128;
  if (count <= kSingleStores) {
    for (uint32_t i = param_slots_; i < local_count_; ++i) {
      if (zero[i]) a_.mov(slot(i), 0);
    }
  } else if (local_count_ - param_slots_ <= kPairStores) {
    a_.xorps(x86::xmm0, x86::xmm0);
    for (uint32_t i = param_slots_; i < local_count_;) {
      if (!zero[i]) {
        ++i;
      } else if (i + 1 < local_count_) {
        a_.movups(slot(i).cloneResized(16), x86::xmm0);
        i += 2;
      } else {
        a_.mov(slot(i), 0);
        ++i;
      }
    }
  } else {
    a_.lea(x86::rdi, slot(param_slots_));
    a_.mov(x86::ecx, local_count_ - param_slots_);
    a_.xor_(x86::eax, x86::eax);
    a_.rep().stosq();  // keeps rsi, which load_local_registers reads
  }
}

Result<void> FunctionCompiler::run() {
  TRY(collect_safepoint_costs());
  if (func_.body.empty()) return baseline_error("empty body");
  if (uint64_t{func_.local_count} + type_.params.size() > (1u << 20)) {
    return baseline_error("too many locals");
  }
  offset_ = func_.body[0].offset;
  local_types_ = type_.params;
  for (const wasm::LocalGroup& g : func_.locals)
    local_types_.insert(local_types_.end(), g.count, g.type);
  local_slot_.reserve(local_types_.size());
  for (const wasm::ValType t : local_types_) {
    local_slot_.push_back(local_count_);
    local_count_ += engine::slot_width(t);
  }
  param_slots_ = engine::slot_count(type_.params);
  local_version_.assign(local_types_.size(), 0);
  save_slots_ = TRY(count_save_slots());
  choose_local_registers();
  find_locals_written_first();
  emit_prologue();
  Ctrl fn;
  fn.kind = Ctrl::Kind::Func;
  fn.results = engine::slot_count(type_.results);
  fn.result_types = type_.results;
  fn.label = a_.newLabel();
  ctrls_.push_back(fn);
  osr_start_ = a_.newLabel();
  a_.bind(osr_start_);
  TRY(emit_next_safepoint());
  for (size_t i = 0; i < func_.body.size(); ++i) {
    const wasm::Instr& in = func_.body[i];
    if (ctrls_.empty()) break;
    offset_ = in.offset;
    instr_index_ = static_cast<uint32_t>(i);
    if (ctrls_.back().dead && wasm::skip_unreachable(in.op, dead_depth_)) continue;
    next_ = i + 1 < func_.body.size() ? &func_.body[i + 1] : nullptr;
    next_op_ = next_ != nullptr ? next_->op : wasm::Opcode::Nop;
    TRY(translate(in));
  }
  if (!ctrls_.empty()) return baseline_error("body without its final end");
  if (next_safepoint_ != safepoint_costs_.size()) {
    return baseline_error("lowered code has " + std::to_string(safepoint_costs_.size()) +
                          " safepoints, the compilation " + std::to_string(next_safepoint_));
  }
  emit_out_of_line();
  // The frame: save slots, then slots; with the return address and the saved registers a
  // multiple of 16, which keeps calls aligned.
  const uint64_t bytes = (uint64_t{max_slots_} + save_slots_) * 8;
  const uint64_t pushed = 8 + static_cast<uint64_t>(saved_bytes_);
  const uint64_t frame = ((bytes + pushed + 15) & ~uint64_t{15}) - pushed;
  if (frame >= (1u << 30)) return baseline_error("frame too large");
  const auto frame32 = static_cast<uint32_t>(frame);
  for (const size_t patch : frame_patches_) {
    std::memcpy(a_.code()->textSection()->data() + patch, &frame32, 4);
  }
  return {};
}

namespace {

// The instructions after which rcx still holds memory_base if it did before (see base_in_rcx_):
// they emit no code that writes rcx (their scratch registers are rax and rdx) and bind no label.
// Loads and stores load it themselves when it does not. `const_count`: the top entry, a shift's
// count, is a constant (a variable count goes through cl).
bool keeps_memory_base(wasm::Opcode op, bool const_count) {
  using wasm::Opcode;
  const auto code = static_cast<uint16_t>(op);
  auto within = [&](Opcode first, Opcode last) {
    return code >= static_cast<uint16_t>(first) && code <= static_cast<uint16_t>(last);
  };
  if (within(Opcode::I32Load, Opcode::I64Store32)) return true;
  // Compares (the fused ones emit nothing here: their br_if or if compares), add, sub, mul
  // and the bitwise operations.
  if (within(Opcode::I32Eqz, Opcode::I64GeU) || within(Opcode::I32Add, Opcode::I32Mul) ||
      within(Opcode::I32And, Opcode::I32Xor) || within(Opcode::I64Add, Opcode::I64Mul) ||
      within(Opcode::I64And, Opcode::I64Xor)) {
    return true;
  }
  if (within(Opcode::I32Shl, Opcode::I32Rotr) || within(Opcode::I64Shl, Opcode::I64Rotr)) {
    return const_count;
  }
  switch (op) {
    case Opcode::LocalGet:
    case Opcode::LocalSet:
    case Opcode::LocalTee:
    case Opcode::GlobalGet:
    case Opcode::GlobalSet: return true;
    // Among them br_if's fall-through (only this path reaches it) and the entries of block and
    // if (their labels are bound at else and end, which load it again).
    default: return writes_only_cache_registers(op);
  }
}

}  // namespace

Result<void> FunctionCompiler::translate(const wasm::Instr& in) {
  using wasm::Opcode;
  sync();
  const bool const_count = !vals_.empty() && val(0).kind == Val::Kind::Const;
  if (!keeps_memory_base(in.op, const_count) || pending_v128_local_ ||
      ((in.op == Opcode::LocalSet || in.op == Opcode::LocalTee) &&
       local_types_[in.a] == wasm::ValType::V128)) {
    base_in_rcx_ = false;
  }
  copies_allowed_ = keeps_copies(in);
  if (!copies_allowed_) drop_copies();
  top_in_xmm0_ = left_top_in_xmm0_;
  left_top_in_xmm0_ = false;
  if (pending_v128_local_ && !folds_v128_local(in.op)) materialize_v128_local();
  switch (in.op) {
    case Opcode::Nop: return {};
    case Opcode::Drop: pop_vals(val(0).v128 ? 2 : 1); return {};
    case Opcode::Select:
    case Opcode::SelectT:
      if (val(1).v128) {
        emit_v128_select();
      } else {
        emit_select();
      }
      return {};
    case Opcode::LocalGet:
    case Opcode::LocalSet:
    case Opcode::LocalTee:
      if (in.op != Opcode::LocalGet) wrote_local(in.a);
      if (local_types_[in.a] == wasm::ValType::V128) {
        translate_v128_local(in);
      } else {
        translate_local(in);
      }
      return {};
    case Opcode::GlobalGet:
    case Opcode::GlobalSet:
      if (m_.wasm.global_type(in.a).type == wasm::ValType::V128) {
        translate_v128_global(in);
        return {};
      }
      break;
    case Opcode::I32Const:
    case Opcode::F32Const:
    case Opcode::I64Const:
    case Opcode::F64Const: {
      Val v;
      v.kind = Val::Kind::Const;
      const bool narrow = in.op == Opcode::I32Const || in.op == Opcode::F32Const;
      v.bits = narrow ? uint64_t{static_cast<uint32_t>(in.c)} : in.c;
      push_val(v);
      return {};
    }
    case Opcode::Call:
      spill_all();
      translate_call(in.a);
      return {};
    case Opcode::CallIndirect:
      spill_all();
      translate_call_indirect(in.a, in.b);
      return {};
    default: break;
  }
  const bool simd = TRY(translate_simd(in));
  if (simd) return {};
  if (translate_memory(in) || translate_reference_or_bulk(in)) return {};
  const bool numeric = TRY(translate_numeric(in));
  if (numeric) return {};
  return translate_control(in);
}

// The function's end: the fall-through returns straight from the cache; the branches to the
// function's label (br, br_if, br_table: return does not jump here) left the results in the
// label's slots 0.. and return through emit_return.
void FunctionCompiler::end_function() {
  const Ctrl fn = std::move(ctrls_.back());
  ctrls_.pop_back();
  if (!fn.dead) emit_direct_return();
  a_.bind(fn.label);
  sp_ = fn.results;
  if (fn.reached) emit_return();
}

// The results written from the operand stack's top entries (cache registers, constants,
// locals, slots) straight to the args/results array, then the epilogue: no stop in the frame's
// result slots, no jump to a shared return (session 27).
void FunctionCompiler::emit_direct_return() {
  const uint32_t results = engine::slot_count(type_.results);
  if (results != 0) a_.mov(x86::rdx, args_slot());
  const bool in_r8 = first_result_in_r8(type_);
  for (uint32_t i = in_r8 ? 1 : 0; i < results; ++i) {
    const Val& v = vals_[sp_ - results + i];
    const x86::Mem dst = x86::qword_ptr(x86::rdx, static_cast<int32_t>(i * 8));
    const x86::Gp reg = v.kind == Val::Kind::Reg     ? x86::gpq(v.reg)
                        : v.kind == Val::Kind::Local ? local_register(v.local)
                                                     : x86::Gp();
    if (reg.isValid()) {
      a_.mov(dst, reg);
    } else if (v.kind == Val::Kind::Const &&
               static_cast<int64_t>(v.bits) == static_cast<int32_t>(v.bits)) {
      a_.mov(dst, static_cast<int32_t>(v.bits));  // sign-extended to the Slot's 64 bits
    } else {
      load(v, x86::rax);
      a_.mov(dst, x86::rax);
    }
  }
  if (in_r8) {  // after the others: one of them may be in r8
    load(vals_[sp_ - results], x86::r8);
    a_.mov(x86::qword_ptr(x86::rdx), x86::r8);
  }
  emit_epilogue();
}

// A branch to the function's label left the results in the label's slots 0..: the same return
// as the fall-through's, each result read from its home.
void FunctionCompiler::emit_return() {
  vals_.assign(sp_, Val{});
  emit_direct_return();
}

bool FunctionCompiler::first_result_in_r8(const wasm::FuncType& type) {
  return !type.results.empty() && type.results[0] != wasm::ValType::V128;
}

void FunctionCompiler::emit_epilogue() {
  emit_frame_adjust(false);
  emit_pops_and_return();
}

void FunctionCompiler::emit_pops_and_return() {
  for (auto it = register_locals_.rbegin(); it != register_locals_.rend(); ++it) {
    a_.pop(local_register(*it));
  }
  a_.ret();
}

// Cold code after the body: the stack-exhausted exit and the move to the big stack (on the
// frame of the saved registers only: the frame may lie below the limit), the slot-entry calls
// of direct calls whose callee was replaced, the safepoints' slow paths, the return after an
// OSR, the function's slot entry, its OSR entry, one stub per trap site, the jump tables.
void FunctionCompiler::emit_out_of_line() {
  // Both exits come from the checks: eax = this frame's depth, ecx = its fp. The context gets
  // the caller's depth (its site is in the shadow stack) and this frame's fp, as a slot entry
  // would have found them.
  // Before the frame: rsp is the entry's (8 mod 16) less the saved registers.
  const bool realign = (8 + saved_bytes_) % 16 != 0;
  a_.bind(exhausted_);
  a_.dec(x86::eax);
  a_.mov(ctx_field(offsetof(Context, depth), 4), x86::eax);
  if (realign) a_.sub(x86::rsp, 8);  // aligned for the call
  a_.mov(x86::rdi, x86::rbx);
  a_.mov(x86::esi, static_cast<uint32_t>(engine::TrapKind::CallStackExhausted));
  call_address(reinterpret_cast<const void*>(&native::lunatic_jit_trap));
  // The function runs again from its slot entry on the big stack (or traps there), with the
  // caller's depth, this frame's fp and the budget in the context; its results are in the
  // args/results array (rsi, not yet saved) when the helper returns.
  // A direct caller reads the first result from r8 too: the array's address is kept (pushed)
  // across the helper for it.
  a_.bind(low_stack_);
  a_.dec(x86::eax);
  a_.mov(ctx_field(offsetof(Context, depth), 4), x86::eax);
  a_.mov(ctx_field(offsetof(Context, frame_fp), 4), x86::ecx);
  emit_frame_adjust(false);
  const bool in_r8 = first_result_in_r8(type_);
  if (in_r8) a_.push(x86::rsi);
  const bool pad = realign != in_r8;  // the push aligns as the sub would
  if (pad) a_.sub(x86::rsp, 8);
  a_.mov(x86::rdx, x86::rsi);
  a_.lea(x86::rsi, x86::ptr(m_.slot_entry));
  a_.mov(x86::rdi, x86::rbx);
  call_address(reinterpret_cast<const void*>(&native::lunatic_jit_grow_stack));
  if (pad) a_.add(x86::rsp, 8);
  if (in_r8) {
    a_.pop(x86::rdx);
    a_.mov(x86::r8, x86::qword_ptr(x86::rdx));
  }
  emit_pops_and_return();
  for (const SlotCall& call : slot_calls_) {
    a_.bind(call.call);
    a_.mov(ctx_field(offsetof(Context, depth), 4), x86::eax);
    a_.mov(ctx_field(offsetof(Context, frame_fp), 4), x86::ecx);
    a_.mov(x86::rdi, x86::rbx);
    a_.call(x86::rdx);
    if (call.result_to_r8) a_.mov(x86::r8, *call.result_to_r8);  // as the direct entry leaves it
    a_.jmp(call.done);
  }
  for (const SlowSafepoint& site : slow_safepoints_) emit_safepoint_slow_path(site);
  if (osr_return_.isValid()) {  // the OSR entry already wrote the results
    a_.bind(osr_return_);
    if (first_result_in_r8(type_)) {
      a_.mov(x86::rdx, args_slot());
      a_.mov(x86::r8, x86::qword_ptr(x86::rdx));
    }
    emit_epilogue();
  }
  emit_slot_entry();
  emit_osr_entry();
  for (const TrapSite& site : traps_) {
    a_.bind(site.label);
    offset_ = site.offset;
    store_site();
    a_.mov(x86::rdi, x86::rbx);
    a_.mov(x86::esi, static_cast<uint32_t>(site.kind));
    call_address(reinterpret_cast<const void*>(&native::lunatic_jit_trap));
  }
  if (!simd_words_.empty()) a_.align(asmjit::AlignMode::kData, 8);
  for (const auto& [label, words] : simd_words_) {
    a_.bind(label);
    a_.embed(words.data(), words.size() * sizeof(uint32_t));
  }
  if (!tables_.empty()) a_.align(asmjit::AlignMode::kData, 8);
  for (const JumpTable& table : tables_) {
    a_.bind(table.label);
    for (const asmjit::Label& target : table.targets) a_.embedLabel(target);
  }
}

}  // namespace lunatic::baseline
