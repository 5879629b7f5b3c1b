// The compilation of one function body to x86-64 (internal to the baseline layer). Every local
// and every operand-stack slot has a fixed 8-byte home in the frame ([rsp + 8 * slot], locals
// first); values are kept as Slots (i32/f32 zero-extended; a v128 takes two consecutive slots,
// as in the lowered code), so the operands of a call form the slot array the callee reads. Locals
// always live in their slots (LLVM's OSR entries read them there, and locals that live in registers
// are written to their slots first); the operand stack is a register cache in the style of V8's
// Liftoff (value_stack.cpp): an entry is in its home slot, in a register, a constant, or a not yet
// copied local.get, and entries are written to their homes only at control flow, calls, helper
// calls and safepoints.
//
// Frame and registers. Each function has two entries (emit_calls.cpp): the direct entry, for
// the calls of the baseline's own code of this module (rbx = Context*, which the callee keeps,
// eax = the caller's depth, ecx = the callee's fp in the interpreter's slot stack (abi.hpp
// frame_fp), rsi = the args/results array; a scalar first result comes back in r8 as well as in
// the array), and the slot entry void f(Context*, Slot*) for
// everyone else, a few instructions after the body that save rbx, load the depth and fp from
// the Context and call the direct entry. A function with a loop the interpreter may stop at
// also has an OSR entry (emit_osr.cpp), which continues an interpreted call at a loop header.
//   rbx = Context*; the prologue computes this frame's call depth (eax + 1), checks it and the
//   fp, and keeps them in the frame;
//   push the registers that hold locals (below), then rsp -= frame (patched at the end, once
//   the deepest operand stack is known; no frame pointer: everything is rsp-relative); the
//   args pointer, depth, fp and the `if` params saved for the else arm live at the bottom of
//   the frame (save_slot), the locals and the operand stack above them (slot).
//   rax, rcx, rdx are scratch; r8-r11, rsi, rdi hold cached operand-stack values (and copies of
//   locals, value_stack.cpp); r15, r14, r13 and r12 may each hold a hot local for the whole
//   function (local_registers.cpp).
// The fuel budget stays in ctx->budget (no register copy), memory base and size are read from
// the Context at each access, so nothing needs reloading after a call. Calls go through
// ctx->slot_entries (a direct entry only while the table holds this code's slot entry) and
// loop headers may hand the frame to LLVM's OSR entry: the tier-up.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "engine/trap.hpp"
#include "native/abi.hpp"
#include "wasm/module.hpp"

namespace lunatic::baseline {

/// A baseline compile failure: Phase::Unsupported, context "baseline".
inline Error baseline_error(std::string message, uint64_t offset = Error::kNoOffset) {
  return Error(Phase::Unsupported, std::move(message), offset, "baseline");
}

struct DirectCell;  // lazy_code.hpp

/// What the compile of one function needs of its module, and where it is assembled.
struct ModuleState {
  const engine::CompiledModule& compiled;
  const wasm::Module& wasm;
  asmjit::x86::Assembler& a;
  /// By defined index: the direct entries the function's calls go through (lazy_code.hpp).
  const DirectCell* cells;
  asmjit::Label entry;       ///< the direct entry: bound at the function's first instruction
  asmjit::Label slot_entry;  ///< the slot entry, after the body: sets up and calls `entry`
  /// Set by the compile of a function with a loop the interpreter may hand over (emit_osr.cpp):
  /// its OSR entry (native::OsrEntryFn), and the safepoints it may start at.
  asmjit::Label osr_entry{};
  std::vector<bool> osr_points{};
  bool has_lzcnt = false;
  bool has_bmi1 = false;
  bool has_popcnt = false;
  bool has_ssse3 = false;  ///< pshufb (i8x16.shuffle inline)
  bool has_sse41 = false;  ///< pmulld, pminsb, pcmpeqq, ... (emit_simd_lanes.cpp)
};

class FunctionCompiler {
 public:
  FunctionCompiler(ModuleState& m, uint32_t defined_index);
  /// Emits the function at its label. Errors: an unsupported instruction, lowered code whose
  /// safepoints do not match.
  Result<void> run();

 private:
  /// A bounds check passed on every path to here: local `local`, while it holds the value it
  /// had at `version` (its writes so far), plus `end` bytes is within memory 0 (which never
  /// shrinks), so an access of the same local below `end` needs no check.
  struct Checked {
    uint32_t local = 0;
    uint32_t version = 0;
    uint64_t end = 0;
  };
  struct Ctrl {
    enum class Kind : uint8_t { Func, Block, Loop, If };
    Kind kind = Kind::Block;
    uint32_t params = 0;   ///< slots of the params (a v128 takes two)
    uint32_t results = 0;  ///< slots of the results
    std::vector<wasm::ValType> param_types;
    std::vector<wasm::ValType> result_types;
    uint32_t height = 0;       ///< operand stack height below the params
    asmjit::Label label;       ///< branch target: the end, or a loop's header
    asmjit::Label else_label;  ///< If: the false arm, until its else or end
    bool has_else_label = false;
    uint32_t saved = 0;  ///< If with params: first save slot holding them
    /// Block, If: the bounds checks known at its entry (emit_memory.cpp), which hold at its
    /// else and its end (every path there starts at the entry).
    std::vector<Checked> checked_at_entry;
    bool reached = false;
    bool dead = false;
  };
  struct TrapSite {
    asmjit::Label label;
    engine::TrapKind kind;
    uint32_t offset;
  };
  struct SlowSafepoint {  ///< a safepoint's slow path, emitted after the body
    asmjit::Label slow;
    asmjit::Label done;  ///< back on the fast path
    uint32_t cost;
    uint32_t index;   ///< of the safepoint in the function (the OSR point's number)
    uint32_t offset;  ///< module offset of its instruction (the shadow entry)
    bool osr_point;
  };
  struct JumpTable {
    asmjit::Label label;
    std::vector<asmjit::Label> targets;
  };
  /// A direct call whose table no longer holds its callee's baseline code: the slot-entry call
  /// (rdx = the entry, eax = this frame's depth, ecx = the callee's fp, rsi = its args).
  struct SlotCall {
    asmjit::Label call;
    asmjit::Label done;
    /// A direct call whose caller takes the first result from r8: its slot, reloaded there.
    std::optional<asmjit::x86::Mem> result_to_r8{};
  };

 public:
  /// Where an operand-stack entry's value is (value_stack.cpp).
  struct Val {
    enum class Kind : uint8_t { Mem, Reg, Const, Local };
    Kind kind = Kind::Mem;  ///< Mem: in its home slot
    uint8_t reg = 0;        ///< Reg: the register id (one entry per register)
    uint32_t local = 0;     ///< Local: equal to this local (copied before it changes)
    uint64_t bits = 0;      ///< Const: the Slot
    bool v128 = false;      ///< one of the two slots of a v128 (always Mem: the cache is scalar)
  };
  /// An integer compare left for the br_if or if that follows it (compare and jcc fused).
  struct Fused {
    bool active = false;
    bool wide = false;
    bool eqz = false;
    asmjit::x86::CondCode cc = asmjit::x86::CondCode::kEqual;
  };

 private:
  // function_compiler.cpp: driver, prologue, epilogue, frame helpers.
  Result<void> collect_safepoint_costs();
  void emit_prologue();
  /// The direct entry's part that the OSR entry shares: pushes the register locals' registers,
  /// checks depth and slots (eax = the caller's depth, ecx = the fp; to exhausted_) and the
  /// native stack (to `low_stack`, the frame allocated), and keeps `args` (the args/results
  /// array), the depth and the fp in the frame. rdx and rdi are scratch.
  void emit_enter_frame(const asmjit::Label& low_stack, const asmjit::x86::Gp& args);
  /// Zeroes the declared locals' slots (after the params') that `zero` marks, by slot.
  void zero_locals(const std::vector<bool>& zero);
  Result<void> translate(const wasm::Instr& in);
  void emit_out_of_line();

  // emit_osr.cpp: the entry that continues a call the interpreter ran at one of its loop
  // headers (on-stack replacement, NativeCode::osr_entry).
  void emit_osr_entry();

  // emit_control.cpp
  Result<void> translate_control(const wasm::Instr& in);
  Result<void> enter_block(Ctrl::Kind kind, const wasm::BlockType& bt);
  void translate_else();
  void translate_end();
  void translate_br_table(const wasm::Instr& in);
  /// Copies the values a branch to label `depth` carries to that label's slots.
  void copy_branch_values(uint32_t depth);
  bool branch_needs_copy(uint32_t depth) const;
  Ctrl& label_ctrl(uint32_t depth) { return ctrls_[ctrls_.size() - 1 - depth]; }
  void mark_dead();
  /// `osr_point`: a loop header with an empty operand stack, where LLVM's code may take over.
  Result<void> emit_next_safepoint(bool osr_point = false);
  void emit_safepoint_slow_path(const SlowSafepoint& site);
  void emit_return();  ///< the results from the function label's slots 0.. (after a branch)
  /// A return: the results from the operand stack's top entries wherever the cache holds them.
  void emit_direct_return();
  void end_function();  ///< the end of the body: the fall-through's and the branches' returns
  /// Whether a function of `type` returns its first result in r8 as well as in the array (every
  /// return path of the direct entry; its direct callers take it from there): a scalar first
  /// result.
  static bool first_result_in_r8(const wasm::FuncType& type);
  void emit_epilogue();         ///< frees the frame, restores the saved registers and returns
  void emit_pops_and_return();  ///< the epilogue once the frame is freed
  /// rsp -= or += the frame size (patched once it is known).
  void emit_frame_adjust(bool allocate);
  /// Every `if` with params saves them: 3 + their slots, for the frame's layout.
  Result<uint32_t> count_save_slots() const;

  // local_registers.cpp: hot locals in callee-saved registers for the whole function.
  /// Picks the locals to keep in registers (by uses, weighted by loop depth).
  void choose_local_registers();
  /// The prologue's part: each register local loaded with its param or zeroed (unless written
  /// first). Reads the args through rsi (the prologue keeps it live until then).
  void load_local_registers();
  /// Sets written_first_: the declared locals that the code every call runs first (up to the
  /// first branch, label, loop or return) writes before anything reads them.
  void find_locals_written_first();
  /// Writes every register local to its slot (before LLVM's OSR entry reads the frame).
  void store_local_registers();
  /// The register local `local` lives in, or an invalid Gp (it lives in its slot).
  asmjit::x86::Gp local_register(uint32_t local) const {
    return local < local_reg_.size() && local_reg_[local] != 0 ? asmjit::x86::gpq(local_reg_[local])
                                                               : asmjit::x86::Gp();
  }
  /// Where local `local`'s value can be read without a load: its register local, or a cache
  /// register that still holds what was last stored to its slot (value_stack.cpp); else an
  /// invalid Gp.
  asmjit::x86::Gp local_now(uint32_t local) const {
    if (const asmjit::x86::Gp reg = local_register(local); reg.isValid()) return reg;
    return copy_register(local);
  }
  /// The cache register holding a copy of local `local` (one in its slot), or an invalid Gp.
  asmjit::x86::Gp copy_register(uint32_t local) const {
    return local < copy_reg_.size() && copy_reg_[local] != 0 ? asmjit::x86::gpq(copy_reg_[local])
                                                             : asmjit::x86::Gp();
  }

  // value_stack.cpp: the register cache over the operand stack.
  /// vals_ follows sp_ (entries the older, memory-only emitters pushed are in their slots).
  void sync();
  void spill(uint32_t height);  ///< that entry to its home slot
  void spill_below(uint32_t height);
  void spill_all() { spill_below(sp_); }
  void flush_top(uint32_t n);  ///< the top n entries to their home slots
  /// A free cache register (the lowest cached entry spilled when none is free). The entries
  /// still on the stack keep theirs, so operands must be popped only after this.
  asmjit::x86::Gp alloc();
  /// Local copies (value_stack.cpp): cache register `reg` holds the value just stored to
  /// `local`'s slot. The copy ends when the register is given out, the local is written, or
  /// at an instruction that may bind a label or clobber the cache registers (keeps_copies).
  void note_copy(uint32_t local, uint8_t reg);
  void drop_copy_in(uint8_t reg);
  void drop_copies();
  /// The cache registers the entries hold (a bit per register id); `lowest`, if given, gets
  /// the lowest entry held in a register (UINT32_MAX: none).
  uint32_t entry_registers(uint32_t* lowest = nullptr) const;
  /// A cache register that neither an entry (`used`, entry_registers) nor a copy holds, or an
  /// invalid Gp.
  asmjit::x86::Gp free_register(uint32_t used) const;
  /// Whether `in` leaves every cache register that no entry holds as it was (see
  /// note_copy): it binds no label other code jumps to and calls nothing.
  bool keeps_copies(const wasm::Instr& in);
  /// The register an operation on `v` computes its result in: v's own, the register of v's
  /// local copy (the copy ends there: the result overwrites it), else a fresh one, loaded with v
  /// if `load_value`.
  asmjit::x86::Gp result_reg(const Val& v, bool load_value);
  /// When the next instruction is a local.set/tee of a register local L and no entry below the
  /// current instruction's `operands` top entries refers to L: L's register, where the current
  /// instruction may compute its result (its operands read first; an operand that is L itself is
  /// read in place), so the set needs no move. Else an invalid Gp. The entry it pushes holds L's
  /// register until the set, which takes it.
  asmjit::x86::Gp result_local(uint32_t operands) const;
  void push_val(const Val& v);
  void push_reg(const asmjit::x86::Gp& r);
  void pop_vals(uint32_t n);
  Val& val(uint32_t from_top) { return vals_[vals_.size() - 1 - from_top]; }
  void load(const Val& v, const asmjit::x86::Gp& dst);  ///< dst (64-bit) = the Slot
  /// A unary operation in place: `emit(reg)` on the top entry's register, or on a fresh one
  /// loaded with it (or on `target`, result_local's, loaded with it); the result replaces the
  /// entry.
  template <typename Emit> bool unary_in_place(Emit emit, asmjit::x86::Gp target = {}) {
    const Val& v = val(0);
    if (target.isValid()) load(v, target);
    const asmjit::x86::Gp dst = target.isValid() ? target : result_reg(v, true);
    emit(dst);
    pop_vals(1);
    push_reg(dst);
    return true;
  }
  /// v as an instruction operand of `bytes`: its register, its slot, or an immediate (a
  /// constant that does not fit one is loaded into `scratch`); `memory_ok` false: never a Mem.
  asmjit::Operand operand(const Val& v, uint32_t bytes, const asmjit::x86::Gp& scratch,
                          bool memory_ok = true);
  /// The register holding v, or `scratch` loaded with it.
  asmjit::x86::Gp in_reg(const Val& v, const asmjit::x86::Gp& scratch);
  /// Sets the flags for `lhs cmp rhs` (or `v == 0`) on the top entries, without popping.
  void emit_compare(bool wide, bool eqz);
  /// The condition of br_if / if: spills the rest of the stack, pops the condition's operands
  /// and returns the jcc condition that means "true".
  asmjit::x86::CondCode pop_condition();
  bool translate_local(const wasm::Instr& in);
  void emit_select();
  /// Marks the entries from `height` up with the v128-ness of `types` (after a label or a call
  /// put them there: drop and select need to know a v128's two slots).
  void retype(uint32_t height, const std::vector<wasm::ValType>& types);

  // emit_simd.cpp: v128 values in their slot pairs; the SIMD instructions through one helper
  // that runs the interpreter's own step (engine/simd_step.hpp) on this frame.
  Result<bool> translate_simd(const wasm::Instr& in);
  /// emit_simd_inline.cpp: the SIMD instructions emitted inline (memory and lane accesses here,
  /// the lane-wise ones through translate_simd_lanewise); false: not one of them.
  bool translate_simd_inline(const wasm::Instr& in);
  bool translate_simd_memory(const wasm::Instr& in);
  // emit_simd_lanes.cpp: lane-wise arithmetic, compares, shifts, extends, shuffle, lane masks.
  bool translate_simd_lanewise(const wasm::Instr& in);
  /// x's low or high narrow lanes of `bytes` widened in place (xmm1 clobbered).
  void emit_extend(const asmjit::x86::Xmm& x, uint32_t bytes, bool is_signed, bool high);
  bool emit_extmul(uint32_t bytes, bool is_signed, bool high);
  void emit_shuffle(const wasm::Instr& in);
  bool emit_lane_mask(wasm::Opcode op);
  /// xmm0's lanes splatted from its low lane of `bytes`.
  void emit_splat(uint32_t bytes);
  void push_v128();                               ///< a v128 entry (two slots, Mem)
  void push_v128(const asmjit::x86::Xmm& value);  ///< a v128 entry holding `value`
  /// The v128 whose first slot is `from_top` entries down, as a 16-byte operand.
  asmjit::x86::Mem v128_at(uint32_t from_top) const { return top(from_top).cloneResized(16); }
  /// Copies the v128 on top of the stack to `dst` (local.set/tee, global.set).
  void store_top_v128(const asmjit::x86::Mem& dst);
  void translate_v128_local(const wasm::Instr& in);
  /// Whether `op` reads its top v128 operand from a pending local.get's local (a lane-wise
  /// binary operation, which writes its result over its first operand).
  bool folds_v128_local(wasm::Opcode op) const;
  void materialize_v128_local();  ///< the pending local.get's copy, if there is one
  void emit_v128_select();
  void translate_v128_global(const wasm::Instr& in);
  /// The instruction's words (engine/code.hpp layout, frame slots) embedded after the body.
  asmjit::Label simd_words(std::vector<uint32_t> words);

  // emit_numeric.cpp: integer arithmetic inline, everything else through thunks.
  Result<bool> translate_numeric(const wasm::Instr& in);
  bool translate_integer_inline(wasm::Opcode op);
  bool translate_bit_count(wasm::Opcode op, bool wide);
  /// An add (or a subtraction of a constant) whose lhs is a register local as one lea into a
  /// fresh register; false (nothing emitted) when the operands do not allow it.
  bool lea_sum(const Val& lhs, const Val& rhs, bool sub, bool wide);
  void emit_division(wasm::Opcode op, bool wide);
  bool translate_float_inline(wasm::Opcode op);
  static bool is_float_inline(wasm::Opcode op);
  // emit_float_bits.cpp: abs, neg, copysign and the non-trapping conversions on the cache.
  bool translate_float_bits(wasm::Opcode op);

  // emit_memory.cpp: loads, stores, memory.*, globals, tables, references, bulk memory.
  bool translate_memory(const wasm::Instr& in);
  bool translate_reference_or_bulk(const wasm::Instr& in);
  /// The address entry `from_top` checked against memory_size for `bytes` at `offset` (rdx
  /// clobbered); rcx = memory_base. Returns the index register (the entry's own, or rax) and
  /// the displacement.
  std::pair<asmjit::x86::Gp, int32_t> memory_address(uint32_t from_top, uint32_t offset,
                                                     uint32_t bytes);
  /// Whether a check on this path already covers `v` (a local.get) + `end`; else records the
  /// check the caller emits now.
  bool bounds_known(const Val& v, uint64_t end);
  /// Local `local` changes: the checks of its old value no longer apply.
  void wrote_local(uint32_t local) { ++local_version_[local]; }
  /// At the header of the loop that starts at instruction `start`: drops the checks of the
  /// locals the loop writes (its back edge may bring another value).
  void enter_loop_checks(uint32_t start);
  void emit_load(wasm::Opcode op, uint32_t offset);
  void emit_store(wasm::Opcode op, uint32_t offset);

  // emit_calls.cpp
  void translate_call(uint32_t func_index);
  void translate_call_indirect(uint32_t type_index, uint32_t table);
  /// The call of this module's defined function whose slot entry is in rdx and whose cell
  /// address is `cell` (a register other than rax, rcx, rdx, rsi): its direct entry while the
  /// table holds its baseline code, else its slot entry; eax = this frame's depth, ecx = the
  /// callee's fp, rsi = its args/results.
  /// `result_to_r8`: the caller reads the first result from r8 (the out-of-line slot-entry call
  /// loads it there from this slot).
  void emit_module_call(const asmjit::x86::Gp& cell,
                        std::optional<asmjit::x86::Mem> result_to_r8 = std::nullopt);
  /// The slot entry after the body: saves rbx, loads depth and fp, calls the direct entry.
  void emit_slot_entry();

  // Frame and ABI helpers (function_compiler.cpp).
  asmjit::x86::Mem slot(uint32_t index) const;  ///< [rsp + 8 * index]
  /// The home of local `local` (by local index): its first slot.
  asmjit::x86::Mem local_home(uint32_t local) const { return slot(local_slot_[local]); }
  asmjit::x86::Mem stack_at(uint32_t height) const { return slot(local_count_ + height); }
  asmjit::x86::Mem top(uint32_t from_top = 0) const { return stack_at(sp_ - 1 - from_top); }
  asmjit::x86::Mem save_slot(uint32_t k) const;  ///< [rsp + 8 * k], below the slots
  /// Where the prologue keeps the args/results pointer, the frame's call depth and its fp in
  /// the interpreter's slot stack.
  asmjit::x86::Mem args_slot() const { return save_slot(kArgsSaveSlot); }
  asmjit::x86::Mem depth_slot() const { return save_slot(kDepthSaveSlot).cloneResized(4); }
  asmjit::x86::Mem fp_slot() const { return save_slot(kFpSaveSlot).cloneResized(4); }
  static constexpr uint32_t kArgsSaveSlot = 0;
  static constexpr uint32_t kDepthSaveSlot = 1;
  static constexpr uint32_t kFpSaveSlot = 2;
  asmjit::x86::Mem ctx_field(uint32_t offset, uint32_t size = 8) const;
  /// A scalar global's value (emit_memory.cpp): its address loaded into rax, from the
  /// Context's global0 for global 0, else through the global index space.
  asmjit::x86::Mem global_value(uint32_t index);
  /// The operand stack grows by one slot (its height is tracked for the frame size).
  uint32_t push();
  void note_height(uint32_t height);
  /// shadow[depth] = this site, ctx->depth = depth: before any call out of this frame.
  void store_site();
  /// shadow[depth] = this site, leaving eax = depth (rcx clobbered): before a direct call.
  void store_shadow_entry();
  /// ctx->frame_fp = the fp of a callee whose arguments start at operand height `base`:
  /// this frame's fp + the lowered frame's stack_base + base (one slot per operand).
  void store_callee_fp(uint32_t base);
  /// dst (32-bit) = that fp.
  void load_callee_fp(const asmjit::x86::Gp& dst, uint32_t base);
  void call_address(const void* fn);
  /// A jump to this function's trap stub of `kind` at the current instruction.
  asmjit::Label trap_label(engine::TrapKind kind);

  ModuleState& m_;
  asmjit::x86::Assembler& a_;
  const wasm::Function& func_;
  const wasm::FuncType& type_;
  const engine::CompiledFunction& lowered_;
  uint32_t defined_index_;
  uint32_t func_index_;
  uint32_t local_count_ = 0;                ///< slots of the params + declared locals
  uint32_t param_slots_ = 0;                ///< slots of the params
  std::vector<wasm::ValType> local_types_;  ///< by local index
  /// The v128 local a local.get left on top of the stack without copying it to the entry's
  /// slots yet: the next instruction reads it from the local (folds_v128_local) or has it
  /// copied first (translate).
  std::optional<uint32_t> pending_v128_local_;
  /// xmm0 holds the v128 on top of the stack (also in its slots): set by the inline SIMD
  /// instruction that left it there, true during the next instruction only (translate).
  bool top_in_xmm0_ = false;
  bool left_top_in_xmm0_ = false;
  std::vector<uint32_t> local_slot_;     ///< by local index: its first slot
  std::vector<uint32_t> local_version_;  ///< by local index: its writes so far (bounds_known)
  std::vector<Checked> checked_;         ///< the bounds checks that hold here (at most a few)
  /// By local: the instructions (indices in the body, ascending) that write it.
  std::vector<std::vector<uint32_t>> local_writes_;
  std::unordered_map<uint32_t, uint32_t> loop_end_;  ///< a loop's instruction -> its end's
  uint32_t instr_index_ = 0;                         ///< of the instruction being compiled
  /// rcx still holds memory_base, loaded by a load or store before: only the instructions
  /// keeps_memory_base lists (they never write rcx, bind no label and call nothing: the base
  /// cannot move) keep it for the next access (translate).
  bool base_in_rcx_ = false;
  uint32_t sp_ = 0;           ///< operand stack height
  std::vector<Val> vals_;     ///< the operand stack's entries (see sync)
  uint32_t cached_from_ = 0;  ///< every entry below this height is in its slot
  Fused fused_;
  wasm::Opcode next_op_ = wasm::Opcode::Nop;  ///< the instruction after the current one
  const wasm::Instr* next_ = nullptr;         ///< the same, or null at the body's end
  uint32_t max_slots_ = 0;  ///< locals + deepest operand stack (and call result areas)
  /// At the frame's bottom: args, depth, fp, then `if` params saved for their else arm (all
  /// counted before the prologue: count_save_slots), of which save_used_ are given out.
  uint32_t save_slots_ = 3;
  uint32_t save_used_ = 3;
  int32_t saved_bytes_ = 0;  ///< callee-saved registers pushed on entry: the locals'

  std::vector<uint8_t> local_reg_;  ///< by local: the register it lives in, 0: its slot
  /// By local (of those in slots): the cache register holding a copy of its value, 0: none;
  /// by register id: the local it holds a copy of, UINT32_MAX: none (note_copy).
  std::vector<uint8_t> copy_reg_;
  bool copies_allowed_ = false;  ///< the instruction being compiled keeps copies (keeps_copies)
  uint32_t copy_of_[16] = {UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX,
                           UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX,
                           UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX};
  std::vector<uint32_t> register_locals_;  ///< the locals that live in registers
  /// By local: a declared local no one can see before the function writes it, so the
  /// prologue does not zero it (find_locals_written_first).
  std::vector<bool> written_first_;
  /// Offsets of the frame size's imm32 in the code: the prologue's sub, each epilogue's add.
  std::vector<size_t> frame_patches_;
  asmjit::Label exhausted_;
  asmjit::Label low_stack_;   ///< only the native stack ran out: lunatic_jit_grow_stack
  asmjit::Label osr_return_;  ///< the epilogue after an OSR entry wrote the results
  asmjit::Label osr_start_;   ///< before the entry safepoint: where an OSR at safepoint 0 goes
  /// The loop headers with an empty operand stack (by safepoint number): where this function's
  /// own OSR entry may continue an interpreted call.
  std::vector<std::pair<uint32_t, asmjit::Label>> osr_targets_;
  std::vector<Ctrl> ctrls_;
  uint32_t dead_depth_ = 0;
  uint32_t offset_ = 0;  ///< module offset of the instruction being compiled
  std::vector<TrapSite> traps_;
  std::vector<JumpTable> tables_;
  std::vector<SlotCall> slot_calls_;
  std::vector<std::pair<asmjit::Label, std::vector<uint32_t>>> simd_words_;
  std::vector<SlowSafepoint> slow_safepoints_;
  std::vector<uint32_t> safepoint_costs_;
  size_t next_safepoint_ = 0;
};

/// Constants, drop, nop, wrap and the integer extensions, br_if (its fall-through) and the
/// entries of block and if: their code writes only cache registers (given out by alloc, or an
/// entry's own), binds no label other code jumps to and calls nothing, so local copies
/// (keeps_copies) and memory_base in rcx (keeps_memory_base) survive them (value_stack.cpp).
bool writes_only_cache_registers(wasm::Opcode op);

/// The numeric instructions the baseline runs as calls of small C functions (floats,
/// conversions, division): Slot-level uint64_t f(Context*, uint64_t a, uint64_t b) with the
/// interpreter's own semantics (engine/numeric.hpp). Null: not such an instruction. `traps`
/// says whether it may trap (it then calls lunatic_jit_trap itself).
struct Thunk {
  const void* fn = nullptr;
  bool traps = false;
};
Thunk numeric_thunk(wasm::Opcode op);

}  // namespace lunatic::baseline
