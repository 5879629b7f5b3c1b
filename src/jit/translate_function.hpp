// The translator's shared state: what the functions of one module share (ModuleEnv) and the
// translation of one function body to LLVM IR (FunctionTranslator), whose members live in the
// translate_*.cpp files, one per instruction class.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "engine/trap.hpp"
#include "jit/translate.hpp"
#include "native/abi.hpp"
#include "wasm/module.hpp"

namespace lunatic::jit {

// The translator emits code against the native ABI (native/abi.hpp).
using engine::Slot;
using native::Context;
using native::function_type_offset;
using native::global_value_offset;
using native::shadow_entry;

/// A translation failure: Phase::Validate, context "jit" (the caller falls back to the
/// interpreter).
inline Error jit_error(std::string message, uint64_t offset = Error::kNoOffset) {
  return Error(Phase::Validate, std::move(message), offset, "jit");
}

/// Whether `op` lies in [first, last] of the opcode table (ranges of like instructions).
inline bool opcode_in(wasm::Opcode op, wasm::Opcode first, wasm::Opcode last) {
  return static_cast<uint16_t>(op) >= static_cast<uint16_t>(first) &&
         static_cast<uint16_t>(op) <= static_cast<uint16_t>(last);
}

/// What the functions of one module share: LLVM types, TBAA tags, the typed functions (declared
/// before any body is translated, so calls can refer to them) and the helper declarations.
struct ModuleEnv {
  ModuleEnv(llvm::Module& module, const engine::CompiledModule& compiled,
            const TranslationScope& scope);

  llvm::LLVMContext& llvm;
  llvm::Module& module;
  const engine::CompiledModule& compiled;
  const wasm::Module& wasm;
  const TranslationScope& scope;  ///< the functions translated (the others: slot entries)

  llvm::IntegerType* i1;
  llvm::IntegerType* i8;
  llvm::IntegerType* i32;
  llvm::IntegerType* i64;
  llvm::Type* f32;
  llvm::Type* f64;
  llvm::PointerType* ptr;       ///< i8*: every pointer is a byte pointer plus an offset
  llvm::FixedVectorType* v128;  ///< <2 x i64>: a v128 between instructions (translate_simd.cpp)
  llvm::Type* void_type;

  /// TBAA access tags: Context fields, guest linear memory, the shadow stack, Global values,
  /// and the runtime's arrays (globals, functions, table 0, typed entries, Function fields).
  /// Disjoint, so a guest store never forces a reload of a Context field.
  llvm::MDNode* tbaa_ctx;
  llvm::MDNode* tbaa_memory;
  llvm::MDNode* tbaa_shadow;
  llvm::MDNode* tbaa_global;
  llvm::MDNode* tbaa_runtime;

  std::vector<llvm::Function*> typed;  ///< wf<F>, by defined index (null: outside the scope)
  /// wfb<F>, by defined index, for an F whose results do not fit in registers (else null).
  std::vector<llvm::Function*> bodies;

  /// The LLVM type of a Wasm value (references are their 64-bit Slot bits).
  llvm::Type* value_type(wasm::ValType t) const;
  /// {i64 budget, results...} (i8* ctx, i32 caller_depth, i64 budget, params...): the budget
  /// left comes back with the results (a literal struct; two registers for one result).
  llvm::FunctionType* typed_signature(const wasm::FuncType& type) const;
  /// Whether the x86-64 backend returns typed_signature(type)'s struct in registers: at most
  /// three integers (the budget, i32, i64, references: RAX, RDX, RCX) and two floating-point
  /// or vector values (XMM0, XMM1). A bigger one is returned through memory, and a function
  /// returning through memory cannot make the prologue's musttail call (emit_checks_failed):
  /// F's body then goes into wfb<F> (body_signature) and wf<F> only calls it
  /// (translate_returns.cpp).
  static bool returns_in_registers(const wasm::FuncType& type);
  /// wfb<F>'s: {i64 budget} (typed_signature's parameters..., Slot* results): the results go
  /// to the slot array of its last parameter.
  llvm::FunctionType* body_signature(const wasm::FuncType& type) const;
  /// A value as its 64-bit Slot (i32 and f32 bits zero-extended), and back.
  llvm::Value* to_slot(llvm::IRBuilder<>& b, llvm::Value* v, wasm::ValType t) const;
  llvm::Value* from_slot(llvm::IRBuilder<>& b, llvm::Value* slot, wasm::ValType t) const;
  /// A value at slot `index` of the slot array `slots` (i64*), and back: a v128 takes two
  /// slots, bytes 0..7 first (engine::slot_width), as the interpreter's frames and calls do.
  llvm::Value* load_value(llvm::IRBuilder<>& b, llvm::Value* slots, uint32_t index,
                          wasm::ValType t) const;
  void store_value(llvm::IRBuilder<>& b, llvm::Value* v, wasm::ValType t, llvm::Value* slots,
                   uint32_t index) const;
  /// The declaration of a helper (made on first use).
  llvm::Function* helper(Helper h);
  /// we<F>, the slot entry of defined function `defined_index` (declared on first use; its
  /// body comes after F's).
  llvm::Function* slot_entry(uint32_t defined_index);

 private:
  std::array<llvm::Function*, static_cast<size_t>(Helper::Count)> helpers_{};
};

// translate_returns.cpp: functions whose results do not fit in registers.
/// Appends defined function `defined_index`'s wfb<F> to env.bodies (declared), or null when
/// wf<F> returns in registers. Errors: more results than the compiled tier takes.
Result<void> declare_body(ModuleEnv& env, uint32_t defined_index);
/// wf<F>'s body when F's is in wfb<F>: calls it with a slot array for the results, returns
/// them with the budget.
void emit_body_call(ModuleEnv& env, uint32_t defined_index);

/// Translates the body of one defined function into its (already declared) wf<F>.
class FunctionTranslator {
 public:
  /// Into wf<F>; or, with `osr_target`, into that function, the OSR variant: RET (ctx,
  /// const Slot* locals, i32 safepoint), which starts at the entry (safepoint 0) or at the
  /// header of a loop entered with an empty operand stack.
  FunctionTranslator(ModuleEnv& env, uint32_t defined_index, llvm::Function* osr_target = nullptr);
  /// After an error, deletes the merge blocks of the constructs still open (a merge block joins
  /// the function only at its construct's end).
  ~FunctionTranslator();
  FunctionTranslator(const FunctionTranslator&) = delete;
  FunctionTranslator& operator=(const FunctionTranslator&) = delete;
  /// The safepoints the OSR variant can start at (after run()).
  const std::vector<bool>& osr_points() const { return osr_points_; }
  /// Errors: an unsupported instruction, or lowered code whose safepoints do not match.
  Result<void> run();

 private:
  struct Ctrl {
    enum class Kind : uint8_t { Func, Block, Loop, If };
    Kind kind = Kind::Block;
    std::vector<wasm::ValType> params;
    std::vector<wasm::ValType> results;
    size_t height = 0;                       ///< operand stack height below the params
    llvm::BasicBlock* merge = nullptr;       ///< after the construct (Func: the return)
    std::vector<llvm::PHINode*> merge_phis;  ///< the results, one incoming per branch
    llvm::BasicBlock* header = nullptr;      ///< Loop: the target of its branches
    std::vector<llvm::PHINode*> header_phis;
    llvm::BasicBlock* else_block = nullptr;  ///< If: the false arm, until its else or end
    std::vector<llvm::Value*> else_params;   ///< If: the params, for the false arm
    bool reached = false;                    ///< a live branch targets `merge`
    bool dead = false;                       ///< the code being translated is unreachable
  };

  // translate.cpp: the driver.
  Result<void> collect_safepoint_costs();
  void emit_prologue();
  Result<void> translate(const wasm::Instr& in);

  // translate_control.cpp: structured control and safepoints.
  Result<void> translate_control(const wasm::Instr& in);
  Result<void> enter_block(Ctrl::Kind kind, const wasm::BlockType& bt);
  void translate_else();
  void translate_end();
  void translate_br_table(const wasm::Instr& in);
  /// Adds the current block as a predecessor of label `depth`, passing the top values.
  void add_branch_incoming(uint32_t depth, llvm::BasicBlock* from);
  llvm::BasicBlock* label_block(uint32_t depth) const;
  void mark_dead();
  Result<void> emit_next_safepoint();

  // translate_numeric.cpp, translate_float.cpp, translate_convert.cpp
  bool translate_integer(wasm::Opcode op);
  bool translate_float(wasm::Opcode op);
  bool translate_conversion(wasm::Opcode op);
  llvm::Value* integer_division(wasm::Opcode op, llvm::Value* a, llvm::Value* b);
  llvm::Value* float_min_max(bool is_min, llvm::Value* a, llvm::Value* b);
  llvm::Value* float_rounding(llvm::Intrinsic::ID id, llvm::Value* a);
  llvm::Value* trapping_truncation(llvm::Value* z, bool is_signed, llvm::IntegerType* to);

  // translate_simd*.cpp: the v128 instructions (each bitcasts the <2 x i64> to its lanes).
  bool translate_simd(const wasm::Instr& in);
  bool translate_simd_memory(const wasm::Instr& in);
  bool translate_simd_lanes(const wasm::Instr& in);
  bool translate_simd_integer(wasm::Opcode op);
  bool translate_simd_width(wasm::Opcode op);
  bool translate_simd_float(wasm::Opcode op);
  /// The vector of 128 / width lanes of `lane`; a v128 as that vector, and back.
  llvm::FixedVectorType* lanes(llvm::Type* lane) const;
  llvm::Value* as_lanes(llvm::Value* v, llvm::Type* lane);
  llvm::Value* as_v128(llvm::Value* v);

  // translate_memory.cpp: loads, stores, memory.*, globals.
  bool translate_memory(const wasm::Instr& in);
  llvm::Value* memory_address(llvm::Value* addr, uint32_t offset, uint32_t bytes);
  llvm::Value* global_slot_ptr(uint32_t global);

  // translate_tables.cpp: references, tables, bulk memory (mostly helpers).
  bool translate_reference_or_bulk(const wasm::Instr& in);

  /// The prologue's way out when a check failed: a tail call to wg<F> (translate.cpp).
  void emit_checks_failed();
  /// wg<F>'s body: trap, or run F on the big stack.
  void emit_grow_entry(llvm::Function* grow);
  /// Returns from `f` (fn_ or its wg<F>, of fn_'s type) the budget left and `results`: in the
  /// returned struct, or to the slot array of f's last parameter when F's results do not fit
  /// in registers (translate_returns.cpp).
  void emit_return(llvm::Function* f, llvm::Value* budget,
                   const std::vector<llvm::Value*>& results);

  // translate_calls.cpp
  void translate_call(uint32_t func_index);
  void translate_call_indirect(uint32_t type_index, uint32_t table);
  /// Stores `args` as Slots in a fresh slot array of max(args, results) entries.
  llvm::Value* slot_array(const wasm::FuncType& type, const std::vector<llvm::Value*>& args);
  std::vector<llvm::Value*> read_slot_results(const wasm::FuncType& type, llvm::Value* slots);
  /// A call through Context::slot_entries[defined_index] (i64) with the slot entries'
  /// convention (the depth, fp and budget in the Context); its results. The caller stored its
  /// shadow entry; memory is the caller's to refresh.
  std::vector<llvm::Value*> call_slot_entry(llvm::Value* defined_index, const wasm::FuncType& type,
                                            const std::vector<llvm::Value*>& args, llvm::Value* fp);
  /// A call through Context::typed_entries[defined_index] (i64), LLVM's typed convention.
  std::vector<llvm::Value*> call_typed_entry(llvm::Value* defined_index, const wasm::FuncType& type,
                                             const std::vector<llvm::Value*>& args,
                                             llvm::Value* fp);
  /// A typed call's results (fields 1...), after storing the budget it left (field 0).
  std::vector<llvm::Value*> unpack_results(const wasm::FuncType& type, llvm::Value* ret);

  // translate_abi.cpp: the Context, the shadow stack, helpers, traps, Slots.
  llvm::Value* ctx_field_ptr(uint32_t offset, llvm::Type* type);
  llvm::Value* load_ctx(uint32_t offset, llvm::Type* type);
  /// A Context field that no code changes while an Execution lasts (the depth and slot limits,
  /// the native stack limit, the shadow stack's address; execution.cpp sets them before the
  /// first call): an !invariant.load, so LLVM keeps it across calls instead of reloading it,
  /// and can hoist a frame's limit checks out of its caller's loop.
  llvm::Value* load_ctx_fixed(uint32_t offset, llvm::Type* type);
  void store_ctx(uint32_t offset, llvm::Value* value);
  /// ptr + offset, as a pointer to `type`.
  llvm::Value* byte_offset(llvm::Value* base, llvm::Value* offset, llvm::Type* type);
  llvm::LoadInst* load_tagged(llvm::Type* type, llvm::Value* ptr, llvm::MDNode* tbaa);
  void store_tagged(llvm::Value* value, llvm::Value* ptr, llvm::MDNode* tbaa);
  void store_shadow();
  void store_shadow(llvm::Value* entry);
  /// ctx->depth = this frame's depth: before the runtime is called (a helper, a trap), which
  /// reads the shadow stack up to it. Wasm calls pass the depth as an argument instead.
  void store_depth();
  /// The fp of a callee whose arguments were just popped (abi.hpp frame_fp): this frame's fp +
  /// the lowered frame's stack_base + the slot height of the operands left below them.
  llvm::Value* callee_fp();
  /// The Context fields a frame keeps in locals (so LLVM holds them in registers through loops
  /// without calls): the fuel/slice budget, which the frame charges, and memory 0's base and
  /// size. The budget travels between Wasm functions as an argument and in the return value;
  /// spill_context() writes it to the Context before the runtime reads it (a helper, a trap),
  /// refresh_context() reads all three after a helper, which may have spent budget, grown the
  /// memory or moved it; refresh_memory() the memory alone, after a Wasm call.
  void spill_context();
  void refresh_context();
  void refresh_memory();
  /// The function's one trap block for `kind`: its phi takes the shadow entry of each site.
  llvm::BasicBlock* trap_block(engine::TrapKind kind, llvm::BasicBlock* from);
  llvm::CallInst* call_helper(Helper h, std::initializer_list<llvm::Value*> args);
  /// Traps with `kind` when `cond` holds (a cold block per site); continues in a new block.
  void trap_if(llvm::Value* cond, engine::TrapKind kind);
  void emit_trap(engine::TrapKind kind);
  llvm::Value* to_slot(llvm::Value* v, wasm::ValType t);
  llvm::Value* from_slot(llvm::Value* slot, wasm::ValType t);
  llvm::BasicBlock* new_block(const char* name);
  /// An alloca of `count` x `type` in the entry block (where mem2reg and the frame want it).
  llvm::AllocaInst* alloca_at_entry(llvm::Type* type, uint32_t count);
  llvm::MDNode* unlikely() const;
  llvm::Value* i32_const(uint32_t v) const;
  /// A float constant from its bits. +-0 and +-1 come out opaque to LLVM (see the .cpp).
  llvm::Value* float_const(llvm::Type* type, uint64_t bits);
  /// A value LLVM cannot see through (an empty inline asm): folds stop at it.
  llvm::Value* opaque(llvm::Value* v);
  llvm::Value* i64_const(uint64_t v) const;

  // The operand stack.
  void push(llvm::Value* v) { stack_.push_back(v); }
  llvm::Value* pop() {
    llvm::Value* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  std::vector<llvm::Value*> pop_n(size_t n);

  ModuleEnv& env_;
  const wasm::Function& func_;
  const wasm::FuncType& type_;
  const engine::CompiledFunction& lowered_;
  uint32_t func_index_;
  llvm::Function* fn_;
  llvm::IRBuilder<> b_;
  llvm::BasicBlock* entry_ = nullptr;
  llvm::Value* ctx_ = nullptr;
  llvm::Value* depth_ = nullptr;  ///< d: this frame's call depth (i64, below 2^32 + 1)
  llvm::Value* fp_ = nullptr;     ///< this frame's first interpreter slot (i32, abi.hpp frame_fp)
  llvm::AllocaInst* budget_ = nullptr;       ///< Context::budget, see spill_context()
  llvm::AllocaInst* memory_base_ = nullptr;  ///< Context::memory_base
  llvm::AllocaInst* memory_size_ = nullptr;  ///< Context::memory_size
  std::vector<llvm::AllocaInst*> locals_;
  std::vector<wasm::ValType> local_types_;
  std::vector<llvm::Value*> stack_;
  std::vector<Ctrl> ctrls_;
  uint32_t dead_depth_ = 0;  ///< blocks opened inside unreachable code
  uint32_t offset_ = 0;      ///< module offset of the instruction being translated
  std::vector<llvm::BasicBlock*> trap_blocks_;  ///< by TrapKind, made on first use
  std::vector<llvm::PHINode*> trap_sites_;
  std::vector<uint32_t> safepoint_costs_;  ///< from the lowered code, in code order
  size_t next_safepoint_ = 0;
  bool osr_ = false;
  bool results_in_memory_ = false;          ///< !ModuleEnv::returns_in_registers(type_)
  llvm::SwitchInst* osr_switch_ = nullptr;  ///< OSR variant: safepoint -> its loop header
  std::vector<bool> osr_points_;
};

}  // namespace lunatic::jit
