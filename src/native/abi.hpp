// The contract between compiled code and the runtime: the context every compiled function
// receives, the signatures of compiled functions, and the runtime helpers they call. The
// translator (translate*.cpp) emits code against it; runtime_helpers.cpp implements it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/value.hpp"

namespace lunatic::engine {
struct Function;
struct Global;
struct Instance;
}  // namespace lunatic::engine

namespace lunatic::native {

using engine::Slot;

/// One shadow-stack entry: (function index << 32) | byte offset in the module of the
/// instruction the frame is at. shadow[d] belongs to the frame at call depth d (1 = the
/// outermost compiled frame); shadow[0] is unused.
using ShadowEntry = uint64_t;

struct Context;
/// A slot entry: reads the params from args_results[0..n) (i32/f32 in the low 32 bits), runs
/// the function, writes the results to args_results[0..r); the caller's depth and the budget
/// travel in the Context. Every tier's functions have one (LLVM's `we<F>`, the baseline's
/// functions themselves), so any tier's code may call any other's through it.
using SlotEntryFn = void (*)(Context*, Slot*);
/// On-stack replacement entry: continues a defined function from one of its safepoints (0 =
/// the entry, k = the k-th loop in code order) with the interpreter's locals (params first),
/// writing its results to `results`; the caller's depth, its fp and the budget travel in the
/// Context as for a slot entry.
using OsrEntryFn = void (*)(Context*, const Slot* locals, uint32_t safepoint, Slot* results);
constexpr ShadowEntry shadow_entry(uint32_t func_index, uint32_t offset) {
  return (uint64_t{func_index} << 32) | offset;
}

/// Per-run state of a Thread executing compiled code. Compiled code reads and writes only the
/// fields below, at their fixed offsets (static_asserts at the end of this file): the
/// translator hard-codes those offsets in the IR it emits.
///
/// Memory, globals, functions and table 0 are those of the instance whose code is running;
/// the runtime swaps them around calls into another instance and refreshes them after every
/// helper call (a helper may grow the memory or a table, or move them). Compiled code must
/// therefore re-load memory_base/memory_size/table0_* after every call it makes (a Wasm call or
/// a helper): never keep them in an SSA value across a call.
struct Context {
  uint8_t* memory_base = nullptr;  ///<  0: memory 0's bytes (null when the instance has none)
  uint64_t memory_size = 0;        ///<  8: memory 0's size in bytes
  /// 16: fuel/slice budget of the safepoint fast path. Wasm functions pass it to each other
  /// in registers (an argument, and field 0 of the return value); it is current here only
  /// while a helper runs, after a trap, and when compiled code returns to the runtime.
  int64_t budget = 0;
  /// 24: call depth of the frame that calls into the runtime (0 = none). Compiled code passes
  /// its depth to the Wasm functions it calls as an argument and stores it here only before
  /// calling a helper or trapping; slot and OSR entries read their caller's depth from here.
  uint32_t depth = 0;
  uint32_t max_depth = 0;                    ///< 28: frames allowed (ThreadLimits::max_call_depth)
  uintptr_t stack_limit = 0;                 ///< 32: the native stack pointer must stay above it
  ShadowEntry* shadow = nullptr;             ///< 40: the shadow stack, max_depth + 1 entries
  engine::Global* const* globals = nullptr;  ///< 48: the instance's global index space
  engine::Function* const* functions = nullptr;  ///< 56: the instance's function index space
  Slot* table0_data = nullptr;  ///< 64: table 0's elements (a funcref is a Function*)
  uint64_t table0_size = 0;     ///< 72: table 0's element count
  /// 80: the instance's own functions (Instance::defined_functions), and their count at 88:
  /// a funcref f is a function of this instance iff (f - defined_base) < defined_count.
  const engine::Function* defined_base = nullptr;
  uint64_t defined_count = 0;
  /// 96: typed entry points of this instance's defined functions (index = function index -
  /// imported functions), for call_indirect's fast path.
  void* const* typed_entries = nullptr;
  engine::Instance* instance = nullptr;  ///< 104: the instance whose code is running
  void* runtime = nullptr;               ///< 112: the runtime side's own state (opaque here)
  /// 120: the running module's types (wasm::FuncType[], sizeof(wasm::FuncType) apart): a
  /// function's type pointer points into its module's array, so call_indirect's fast path
  /// compares f->type with types + type_index (no absolute address in the code).
  const void* types = nullptr;
  /// 128: slot entries of this instance's defined functions, from the newest tier of its
  /// module: the baseline's calls go through it, so once an LLVM tier replaces the baseline
  /// (the runtime swaps this table at a safepoint), a baseline frame's callees run LLVM code.
  const SlotEntryFn* slot_entries = nullptr;
  /// 136: where the frame that the runtime enters next begins in the interpreter's slot stack
  /// (its fp there), for slot and OSR entries, as depth is their caller's depth. Compiled
  /// frames keep the interpreter's accounting of stack slots, so call-stack exhaustion comes
  /// at the same call in every tier: a frame at fp needs fp + its lowered frame_size slots
  /// within max_slots, and a call passes its callee the fp the interpreter would give it (its
  /// own fp + the stack_base + the slot height of the operands below the arguments). Compiled
  /// code passes it to the Wasm functions it calls as an argument and stores it here before a
  /// call through a slot entry or the runtime (and, for an OSR, its own fp).
  uint32_t frame_fp = 0;
  uint32_t max_slots = 0;  ///< 140: ThreadLimits::max_stack_slots
  /// 144: global 0's value of the instance (its Global::value; null when it has no global).
  /// clang's modules keep their stack pointer there and read and write it in most functions:
  /// one load to its address instead of two (the index space, then the Global).
  Slot* global0 = nullptr;
};

/// Offset of a Global's value (the translator reads/writes globals through ctx->globals[i]).
size_t global_value_offset();
/// Offset of Function::type in engine::Function (call_indirect compares type pointers).
size_t function_type_offset();

/// Compiled code of one module refers to these by name (the JIT resolves them to the functions
/// below). All take the context first. Before calling any helper or Wasm function, compiled
/// code stores the current site into ctx->shadow[depth] (shadow_entry(own function index,
/// offset of the Wasm instruction being executed)), and before a helper also its depth into
/// ctx->depth, so a trap or backtrace from inside sees where each frame is. Typed functions
/// take (Context*, caller's depth (zero-extended to 64 bits), own fp, budget, params...) and
/// return {budget left,
/// results...}. Helpers that may fail trap by themselves and do not return in that case;
/// helpers may switch the native stack (park, yield) and return later on another OS thread:
/// compiled code must not keep anything thread-local across a call (it does not).
extern "C" {
/// The slow path of a safepoint of `cost` fuel units: settles fuel and slice, honours a kill,
/// yields when the slice is used up, traps when out of fuel; returns once `cost` is charged.
void lunatic_jit_safepoint(Context* ctx, uint32_t cost);
/// The slow path of a baseline loop header's safepoint (safepoint `safepoint` of defined
/// function `defined_index`, entered with an empty operand stack): when a newer tier has an
/// OSR entry there, returns it without charging anything (the entry charges the safepoint as
/// it continues the frame from the baseline's locals); else runs lunatic_jit_safepoint and
/// returns null.
void* lunatic_jit_safepoint_osr(Context* ctx, uint32_t cost, uint32_t defined_index,
                                uint32_t safepoint);
/// A prologue's native-stack check failed (the depth and slot checks passed): the function
/// runs again from its start through `entry`, its own slot entry, with its params in
/// args_results[0..n), on a 16 MiB stack; its results come back in args_results[0..r) and the
/// budget in ctx->budget. The caller's depth, the frame's fp and the budget are in the context
/// as for any slot entry. Every Execution starts on a small stack segment (execution_stack.cpp),
/// so only deep calls move; on the big stack already, this traps "call stack exhausted".
void lunatic_jit_grow_stack(Context* ctx, SlotEntryFn entry, Slot* args_results);
/// The same for an OSR entry's prologue: runs entry(ctx, locals, safepoint, results) there.
void lunatic_jit_grow_stack_osr(Context* ctx, OsrEntryFn entry, const Slot* locals,
                                uint32_t safepoint, Slot* results);
/// Traps with engine::TrapKind `kind`. Never returns.
[[noreturn]] void lunatic_jit_trap(Context* ctx, uint32_t kind);
/// memory.grow on memory 0: the old size in pages, or -1. Refreshes memory_base/memory_size.
uint32_t lunatic_jit_memory_grow(Context* ctx, uint32_t delta_pages);
void lunatic_jit_memory_fill(Context* ctx, uint32_t dst, uint32_t value, uint32_t n);
void lunatic_jit_memory_copy(Context* ctx, uint32_t dst, uint32_t src, uint32_t n);
void lunatic_jit_memory_init(Context* ctx, uint32_t data, uint32_t dst, uint32_t src, uint32_t n);
void lunatic_jit_data_drop(Context* ctx, uint32_t data);
Slot lunatic_jit_table_get(Context* ctx, uint32_t table, uint32_t index);
void lunatic_jit_table_set(Context* ctx, uint32_t table, uint32_t index, Slot value);
uint32_t lunatic_jit_table_size(Context* ctx, uint32_t table);
uint32_t lunatic_jit_table_grow(Context* ctx, uint32_t table, Slot init, uint32_t n);
void lunatic_jit_table_fill(Context* ctx, uint32_t table, uint32_t i, Slot value, uint32_t n);
void lunatic_jit_table_copy(Context* ctx, uint32_t dst_table, uint32_t src_table, uint32_t d,
                            uint32_t s, uint32_t n);
void lunatic_jit_table_init(Context* ctx, uint32_t elem, uint32_t table, uint32_t d, uint32_t s,
                            uint32_t n);
void lunatic_jit_elem_drop(Context* ctx, uint32_t elem);
/// Calls function `func_index` of the running instance's function index space (an import:
/// a host function or another instance's function) with its arguments in args_results[0..n)
/// (each a Slot: i32/f32 in the low 32 bits, zero-extended); its results come back in
/// args_results[0..r). The array holds max(n, r) slots.
void lunatic_jit_call(Context* ctx, uint32_t func_index, Slot* args_results);
/// call_indirect's slow path (anything but "a function of this instance whose type pointer is
/// the expected one"): bounds, null and type checks (traps "undefined element",
/// "uninitialized element", "indirect call type mismatch"), then the call as above.
void lunatic_jit_call_indirect(Context* ctx, uint32_t type_index, uint32_t table, uint32_t index,
                               Slot* args_results);
}

static_assert(offsetof(Context, memory_base) == 0);
static_assert(offsetof(Context, memory_size) == 8);
static_assert(offsetof(Context, budget) == 16);
static_assert(offsetof(Context, depth) == 24);
static_assert(offsetof(Context, max_depth) == 28);
static_assert(offsetof(Context, stack_limit) == 32);
static_assert(offsetof(Context, shadow) == 40);
static_assert(offsetof(Context, globals) == 48);
static_assert(offsetof(Context, functions) == 56);
static_assert(offsetof(Context, table0_data) == 64);
static_assert(offsetof(Context, table0_size) == 72);
static_assert(offsetof(Context, defined_base) == 80);
static_assert(offsetof(Context, defined_count) == 88);
static_assert(offsetof(Context, typed_entries) == 96);
static_assert(offsetof(Context, instance) == 104);
static_assert(offsetof(Context, runtime) == 112);
static_assert(offsetof(Context, types) == 120);
static_assert(offsetof(Context, slot_entries) == 128);
static_assert(offsetof(Context, frame_fp) == 136);
static_assert(offsetof(Context, max_slots) == 140);
static_assert(offsetof(Context, global0) == 144);

}  // namespace lunatic::native
