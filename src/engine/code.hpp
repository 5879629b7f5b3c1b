// The internal code format: what lowering produces and the interpreter runs. A register-style
// code over 64-bit frame slots, so local.get/const mostly vanish into the operands of the
// instruction that uses them.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/value.hpp"
#include "wasm/opcode.hpp"
#include "wasm/types.hpp"

namespace lunatic::engine {

// Frame layout (slot indices relative to the frame pointer fp):
//
//   [ params | declared locals | constants | operand stack (max_height) ]
//
// Operand stack position p lives in slot `stack_base + p` (its "home"). A call passes its
// arguments in consecutive homes; the callee's frame starts at the first of them, so the
// arguments become the callee's params without a copy, and the callee's results, written to its
// slots 0..r-1, land in the caller's homes where the call's results belong. Constants are copied
// from CompiledFunction::constants at entry; declared locals are zeroed.
//
// Code is a sequence of 32-bit words: an Op, then its operands. Unless noted an operand is a
// frame slot index; a `target` word holds the signed distance in words from itself to the
// branch target (so the loop needs no code base register). Only loop headers are targets of
// backward branches.
//
//   numeric unary   [op, dst, a]              numeric binary  [op, dst, a, b]
//   load            [op, dst, addr, offset]   store           [op, addr, value, offset]
//   Copy            [op, dst, src]            Select          [op, dst, a, b, cond]
//   Br              [op, target]              BrIfNz / BrIfZ  [op, cond, target]
//   BrIf<cmp>       [op, a, b, target]        (fused integer compare + branch when true)
//   BrTable         [op, index, n, target * (n + 1)]   (the last target is the default)
//   Return          [op]                      (results already in slots 0..r-1)
//   Return1         [op, src]                 (one result: slot 0 = src, then return)
//   Safepoint       [op, cost]
//   Call            [op, func_index, arg_base]
//   CallIndirect    [op, type_index, table, index, arg_base]
//   Unreachable     [op]
//   GlobalGet       [op, dst, global]         GlobalSet       [op, global, src]
//   MemorySize      [op, dst]                 MemoryGrow      [op, dst, delta]
//   MemoryFill      [op, d, value, n]         MemoryCopy      [op, d, s, n]
//   MemoryInit      [op, data, d, s, n]       DataDrop        [op, data]
//   TableGet        [op, dst, table, index]   TableSet        [op, table, index, value]
//   TableSize       [op, dst, table]          TableGrow       [op, dst, table, init, n]
//   TableFill       [op, table, i, value, n]  TableCopy       [op, dst_table, src_table, d, s, n]
//   TableInit       [op, elem, table, d, s, n]  ElemDrop      [op, elem]
//   RefIsNull       [op, dst, a]              RefFunc         [op, dst, func_index]
//
// A v128 value takes two consecutive slots (bytes 0..7, then 8..15); an operand naming it names
// the first. Copy2, Select2, GlobalGet2 and GlobalSet2 move such values. The SIMD instructions
// keep their Wasm opcodes with the numeric layouts above, except:
//   load lane       [op, dst, addr, vec, offset, lane]   store lane   [op, addr, vec, offset, lane]
//   extract lane    [op, dst, a, lane]        replace lane    [op, dst, a, x, lane]
//   i8x16.shuffle   [op, dst, a, b, lanes * 4] (16 lane bytes, little-endian in 4 words)
//   v128.bitselect  [op, dst, a, b, c]        (v128.const becomes a constant slot pair)
//
// Fuel and slices (DESIGN.md "Safepoints"): one fuel unit is one Wasm instruction of the body
// as written. Safepoints sit at function entry (the first instruction of every function) and
// at every loop header (every back-edge jumps to it). Each charges, every time it is passed, the
// number of Wasm instructions lexically in its region: the function body outside loops, or the
// loop body outside nested loops (at least 1). A slice check happens before charging: a run
// that has used up its slice yields at the safepoint (and re-executes it on resume), so a run
// always passes at least one safepoint and may overshoot its slice by one region.

/// The internal opcodes that are not Wasm opcodes, in order: X(name, layout) for each. The
/// layout names the operand words (see op_layout): d = destination slot, s = source slot,
/// i = immediate, t = code target.
// clang-format off
#define LUNATIC_INTERNAL_OPS(X)                                                              \
  X(Copy, "ds") X(BrIfNz, "st") X(BrIfZ, "st")                                               \
  /* fused compare + branch, in the order of the Wasm compares I32Eq..I32GeU, I64Eq..I64GeU */ \
  X(BrIfI32Eq, "sst") X(BrIfI32Ne, "sst") X(BrIfI32LtS, "sst") X(BrIfI32LtU, "sst")           \
  X(BrIfI32GtS, "sst") X(BrIfI32GtU, "sst") X(BrIfI32LeS, "sst") X(BrIfI32LeU, "sst")         \
  X(BrIfI32GeS, "sst") X(BrIfI32GeU, "sst")                                                  \
  X(BrIfI64Eq, "sst") X(BrIfI64Ne, "sst") X(BrIfI64LtS, "sst") X(BrIfI64LtU, "sst")           \
  X(BrIfI64GtS, "sst") X(BrIfI64GtU, "sst") X(BrIfI64LeS, "sst") X(BrIfI64LeU, "sst")         \
  X(BrIfI64GeS, "sst") X(BrIfI64GeU, "sst")                                                  \
  X(Return1, "s") X(Safepoint, "i")                                                          \
  /* i32.add fused into the compare + branch that tests its result, I32Eq..I32GeU order: */   \
  /* [op, dst, a, b, c, target]: dst = a + b, branch if dst <cmp> c */                       \
  X(AddBrIfI32Eq, "dssst") X(AddBrIfI32Ne, "dssst") X(AddBrIfI32LtS, "dssst")                \
  X(AddBrIfI32LtU, "dssst") X(AddBrIfI32GtS, "dssst") X(AddBrIfI32GtU, "dssst")              \
  X(AddBrIfI32LeS, "dssst") X(AddBrIfI32LeU, "dssst") X(AddBrIfI32GeS, "dssst")              \
  X(AddBrIfI32GeU, "dssst")                                                                  \
  /* i32.add fused into the address of a load or store, I32Load..I64Store32 order: */         \
  /* [op, dst, a, b, offset] loads from a + b (wrapping), [op, a, b, value, offset] stores */ \
  X(I32LoadAdd, "dssi") X(I64LoadAdd, "dssi") X(F32LoadAdd, "dssi") X(F64LoadAdd, "dssi")    \
  X(I32Load8SAdd, "dssi") X(I32Load8UAdd, "dssi") X(I32Load16SAdd, "dssi")                   \
  X(I32Load16UAdd, "dssi") X(I64Load8SAdd, "dssi") X(I64Load8UAdd, "dssi")                   \
  X(I64Load16SAdd, "dssi") X(I64Load16UAdd, "dssi") X(I64Load32SAdd, "dssi")                 \
  X(I64Load32UAdd, "dssi")                                                                   \
  X(I32StoreAdd, "sssi") X(I64StoreAdd, "sssi") X(F32StoreAdd, "sssi") X(F64StoreAdd, "sssi") \
  X(I32Store8Add, "sssi") X(I32Store16Add, "sssi") X(I64Store8Add, "sssi")                   \
  X(I64Store16Add, "sssi") X(I64Store32Add, "sssi")                                         \
  /* binary ops with a constant right operand, [op, dst, a, imm]; i64 ops sign-extend imm */  \
  X(I32AddImm, "dsi") X(I32MulImm, "dsi") X(I32AndImm, "dsi") X(I32OrImm, "dsi")             \
  X(I32XorImm, "dsi") X(I32ShlImm, "dsi") X(I32ShrSImm, "dsi") X(I32ShrUImm, "dsi")          \
  X(I32RotlImm, "dsi")                                                                       \
  X(I64AddImm, "dsi") X(I64MulImm, "dsi") X(I64AndImm, "dsi") X(I64OrImm, "dsi")             \
  X(I64XorImm, "dsi") X(I64ShlImm, "dsi") X(I64ShrSImm, "dsi") X(I64ShrUImm, "dsi")          \
  X(I64RotlImm, "dsi")                                                                       \
  /* i32 compare + branch against a constant, I32Eq..I32GeU order: [op, a, imm, target] */   \
  X(BrIfI32EqImm, "sit") X(BrIfI32NeImm, "sit") X(BrIfI32LtSImm, "sit")                      \
  X(BrIfI32LtUImm, "sit") X(BrIfI32GtSImm, "sit") X(BrIfI32GtUImm, "sit")                    \
  X(BrIfI32LeSImm, "sit") X(BrIfI32LeUImm, "sit") X(BrIfI32GeSImm, "sit")                    \
  X(BrIfI32GeUImm, "sit")                                                                    \
  /* v128 values (two slots: the operand names the first) moved as a whole */               \
  X(Copy2, "ds") X(Select2, "dsss") X(GlobalGet2, "di") X(GlobalSet2, "is")                  \
  /* i32.add fused into the address of a v128 load or store (the MemArg ones), as           */ \
  /* I32LoadAdd: [op, dst, a, b, offset] loads from a + b, [op, a, b, value, offset] stores */ \
  X(V128LoadAdd, "dssi") X(V128Load8x8SAdd, "dssi") X(V128Load8x8UAdd, "dssi")               \
  X(V128Load16x4SAdd, "dssi") X(V128Load16x4UAdd, "dssi") X(V128Load32x2SAdd, "dssi")        \
  X(V128Load32x2UAdd, "dssi") X(V128Load8SplatAdd, "dssi") X(V128Load16SplatAdd, "dssi")     \
  X(V128Load32SplatAdd, "dssi") X(V128Load64SplatAdd, "dssi") X(V128Load32ZeroAdd, "dssi")   \
  X(V128Load64ZeroAdd, "dssi") X(V128StoreAdd, "sssi")                                       \
  /* a ^ (a shift k), a step of xorshift generators and hash finalizers: [op, dst, a, k] */  \
  X(I32XorShlImm, "dsi") X(I32XorShrUImm, "dsi") X(I64XorShlImm, "dsi") X(I64XorShrUImm, "dsi") \
  /* i32x4.add of an i32x4.mul, i32x4.dot_i16x8_s or v128.and result (vectorized sums and */   \
  /* counts): [op, dst, a, b, c], dst = (a op b) + c in i32 lanes; all v128 */                \
  X(I32x4MulAdd, "dsss") X(I32x4DotAdd, "dsss") X(I32x4AndAdd, "dsss")
// clang-format on

/// Internal opcodes: every Wasm opcode keeps its number (numeric instructions run as written;
/// Br, BrTable, Return, Call, CallIndirect, Select, ... take the layouts above), followed by the
/// internal ones.
enum class Op : uint32_t {
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes) name,
#include "wasm/opcodes.def"
#undef WASM_OPCODE
#define LUNATIC_OP_ENUM(name, layout) name,
  LUNATIC_INTERNAL_OPS(LUNATIC_OP_ENUM)
#undef LUNATIC_OP_ENUM
};

/// Number of words of the call instructions (the interpreter steps over them on return).
constexpr uint32_t kCallWords = 3;
constexpr uint32_t kCallIndirectWords = 5;

/// One function, lowered. Immutable after lowering; shared by all instances of its module.
/// compile() makes each function's object at once but lowers it on its first use
/// (CompiledModule::lowered): until then only func_index, type_index, param_count and
/// result_count hold, and is_lowered() is false. Code built by hand is lowered.
struct CompiledFunction {
  uint32_t func_index = 0;    ///< in the module's function index space
  uint32_t type_index = 0;    ///< in the module's types (call_indirect's fast type check)
  uint32_t param_count = 0;   ///< slots of the params (a v128 takes two)
  uint32_t result_count = 0;  ///< slots of the results
  uint32_t local_count = 0;   ///< slots of the declared locals (zeroed at entry), after the params
  uint32_t stack_base = 0;    ///< first slot of the operand stack
  uint32_t frame_size = 0;    ///< slots of the whole frame
  std::vector<Slot> constants;  ///< copied to slots [param_count + local_count, stack_base)
  /// When the locals and constants fit in kSmallInit slots (most functions): their values at
  /// entry (zeros, the constants, zero padding), copied as one fixed-size block; frame_size
  /// then covers param_count + kSmallInit.
  static constexpr uint32_t kSmallInit = 4;
  bool has_small_init = false;
  Slot small_init[kSmallInit] = {};
  std::vector<uint32_t> code;
  /// (code word index, byte offset of the Wasm instruction) for each run of instructions
  /// lowered from the same Wasm instruction, sorted: backtraces map a pc to a module offset.
  std::vector<std::pair<uint32_t, uint32_t>> offsets;

  /// Written once, true, by CompiledModule::lowered after the fields above (release); read
  /// through is_lowered() (acquire) before any of them is.
  mutable bool lowered = true;

  bool is_lowered() const { return std::atomic_ref<bool>(lowered).load(std::memory_order_acquire); }
  /// Byte offset in the module of the Wasm instruction that produced code word `pos`.
  uint32_t offset_of(uint32_t pos) const;
};

/// The name of an internal opcode ("i32.add", "BrIfI32LtU"), for dumps and tests.
const char* op_name(Op op);
/// The operand words of `op`, one letter each (see LUNATIC_INTERNAL_OPS); BrTable's are "sn"
/// followed by n + 1 targets.
const char* op_layout(Op op);
/// The fixed part of an instruction: its words (opcode included; BrTable adds n + 1 targets)
/// and which of them are slot operands (bit w for word w), from op_layout.
struct OpShape {
  uint8_t words = 1;
  uint8_t slots = 0;
};
const OpShape& op_shape(Op op);
/// Words of the instruction at `pc` (opcode included).
uint32_t instruction_words(const uint32_t* pc);
/// The fuel cost of each safepoint of `fn`'s code, in code order: the entry's first, then one
/// per live loop in the order of the loop instructions (what a native tier charges at the same
/// places). Empty for malformed code (an instruction of unknown size, no entry safepoint).
std::vector<uint32_t> safepoint_costs(const CompiledFunction& fn);
/// A readable listing of `fn`'s code, one instruction a line (debugging and tuning).
std::string disassemble(const CompiledFunction& fn);

}  // namespace lunatic::engine
