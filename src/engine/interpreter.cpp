// The dispatch loop over the internal code (code.hpp): threaded, each handler a one-liner over
// the typed helpers of numeric.hpp and interpreter_ops.hpp; calls push frames on the Thread's
// own stack (never the native one), and every exit saves the state needed to continue.
#include <algorithm>
#include <limits>
#include <string>

#include "engine/compiled_module.hpp"
#include "engine/instance_ops.hpp"
#include "engine/interpreter.hpp"
#include "engine/interpreter_ops.hpp"
#include "engine/interpreter_simd_ops.hpp"

namespace lunatic::engine {

using namespace ops;  // NOLINT: the loop is written in the helpers' vocabulary
using u32 = uint32_t;
using u64 = uint64_t;
using i32 = int32_t;
using i64 = int64_t;
using f32 = float;
using f64 = double;

// Threaded dispatch with GNU "labels as values": every handler ends by jumping through
// kHandlers straight to the handler of the next instruction. Measured with callgrind against a
// switch in a loop (bounds check, table load, jump back to the top): 15 -> 10 instructions for
// an i32.add. OP(name) is the label of a handler, NEXT() dispatches the instruction at pc.
#define OP(name) op_##name
#define NEXT() goto* kHandlers[*pc]

namespace {

// The trap for `kind` raised by the instruction at pc. Like the reference interpreter, a null
// table entry names its index ("uninitialized element 2"): the canonical text is a prefix.
Trap trap_at(TrapKind kind, const Slot* fp, const uint32_t* pc) {
  Trap trap = Trap::of(kind);
  if (kind == TrapKind::UninitializedElement && static_cast<Op>(*pc) == Op::CallIndirect) {
    trap.message += " " + std::to_string(static_cast<uint32_t>(fp[pc[3]]));
  }
  return trap;
}

// The fast path of a call: pushes the callee's frame by pointer arithmetic, charges its entry
// safepoint and points the registers at it. False, with nothing changed, when the callee is a
// host function (no code), is not lowered yet, or the frame storage or the slots must grow:
// the slow path's job.
LUNATIC_INLINE bool enter(const Function* callee, Slot* callee_fp, const uint32_t*& pc,
                          uint32_t call_words, Frame*& frame, Frame* frames_end, Slot* slots_end,
                          Slot*& fp, Instance*& inst, MemoryView& mem, int64_t& budget) {
  const CompiledFunction* fn = callee->code;
  if (fn == nullptr || !fn->is_lowered() || frame + 1 == frames_end ||
      callee_fp + fn->frame_size > slots_end) [[unlikely]] {
    return false;
  }
  init_frame(*fn, callee_fp);
  frame->pc = pc + call_words;
  ++frame;
  frame->fn = fn;
  frame->instance = callee->instance;
  frame->fp = callee_fp;
  fp = callee_fp;
  if (callee->instance != inst) [[unlikely]] {
    inst = callee->instance;
    mem = memory_view(inst);
  }
  pc = pass_safepoint(fn->code.data(), budget);
  return true;
}

}  // namespace

// Two GCC optimisations that hurt this function, measured: the zeroing of a frame's few locals
// became a call of memset (more instructions than the loop, and the loop's registers spilled
// around it); the SLP vectoriser packs 8-byte slot and frame stores into 16-byte ones, and
// fib ran 20% slower with them than with plain stores (fewer instructions, slower reads).
// The attribute is GCC's; clang (the fuzz build) has neither pass under these names.
#if defined(__clang__)
#define LUNATIC_LOOP_OPTIMIZE
#else
#define LUNATIC_LOOP_OPTIMIZE \
  __attribute__((optimize("no-tree-loop-distribute-patterns", "no-tree-slp-vectorize")))
#endif
LUNATIC_LOOP_OPTIMIZE RunStatus Interpreter::run(Thread& t, uint64_t slice) {
  State& s = *t.state_;
  switch (s.phase) {
    case State::Phase::Done: return RunStatus::Done;
    case State::Phase::Trapped: return RunStatus::Trapped;
    case State::Phase::Idle: return trap(t, Trap::host("no call in progress"), nullptr);
    case State::Phase::Ready: break;
  }
  if (t.take_kill_request()) {  // a load first: the exchange is a locked instruction
    return trap(t, Trap::of(TrapKind::Killed), nullptr);
  }
  Trap host_trap;
  if (s.depth == 0) {  // a host function called at top level
    switch (call_host(t, *s.entry, 0, nullptr, host_trap)) {
      case HostStatus::Return:
      case HostStatus::Yield:  // the call is over: nothing is left to yield from
        s.phase = State::Phase::Done;
        return RunStatus::Done;
      case HostStatus::Trap: return trap(t, std::move(host_trap), nullptr);
      case HostStatus::Park: return RunStatus::Parked;
      case HostStatus::Preempt: return RunStatus::Yielded;
    }
  }

  // Fuel and slice (code.hpp) are charged through one counter, `budget`: the fast path of a
  // safepoint is one compare and one subtraction. `budget` never exceeds what is left of the
  // slice, of the fuel or of the kill-poll interval; when a safepoint costs more than it holds,
  // the Safepoint handler settles the exact counters and decides (charge, yield, trap).
  // The current slice's size: the run's, then each extension's.
  int64_t slice_units = slice > uint64_t{INT64_MAX} ? INT64_MAX : static_cast<int64_t>(slice);
  int64_t slice_left = slice_units;
  uint64_t fuel_left = t.fuel_.value_or(UINT64_MAX);
  uint64_t fuel_mark = fuel_left;  // fuel_left when SAVE_FUEL last counted what this run used
  int64_t budget = 0;              // starts empty: the first safepoint takes the exact path
  int64_t granted = 0;             // budget at its last refill: granted - budget is charged since

  // The registers of the loop: the top frame, its slots, pc, instance and memory.
  Frame* frame = nullptr;
  Frame* frames_base = nullptr;
  Frame* frames_end = nullptr;  // frames beyond it need the slow push (growth or depth limit)
  Slot* slots = nullptr;
  Slot* slots_end = nullptr;
  Slot* fp = nullptr;
  const uint32_t* pc = nullptr;
  Instance* inst = nullptr;
  MemoryView mem;
  TrapKind kind = TrapKind::Unreachable;
  Function* callee = nullptr;
  Slot* callee_fp = nullptr;
  uint32_t call_words = 0;
  const uint32_t* simd_next = nullptr;  // the SIMD handler's next pc

  // Macros, not lambdas: a lambda capturing the registers by reference keeps them in memory.
  // RELOAD: the registers from State (at entry, after anything that may move the stacks).
  // SYNC: State from the registers (before anything that reads the frames).
#define RELOAD()                                    \
  do {                                              \
    frames_base = s.frames.data();                  \
    frame = frames_base + s.depth - 1;              \
    frames_end = s.frames.data() + s.frames.size(); \
    slots = s.slots.data();                         \
    slots_end = slots + s.slots.size();             \
    fp = frame->fp;                                 \
    inst = frame->instance;                         \
    mem = memory_view(inst);                        \
  } while (false)
#define SYNC() (s.depth = static_cast<size_t>(frame - frames_base) + 1)
#define SETTLE()                                     \
  do {                                               \
    slice_left -= granted - budget;                  \
    fuel_left -= static_cast<u64>(granted - budget); \
    granted = budget = 0;                            \
  } while (false)
#define SAVE_FUEL()                               \
  do {                                            \
    SETTLE();                                     \
    t.interpreted_fuel_ += fuel_mark - fuel_left; \
    fuel_mark = fuel_left;                        \
    if (t.fuel_) t.fuel_ = fuel_left;             \
  } while (false)
  // BULK: an out-of-line instruction that charges its size (instance_ops.hpp) to a copy of the
  // meter, whose address may escape: the registers themselves stay in registers. One that
  // stopped at its slice's end (meter.stopped_at) yields, and goes on when run again.
#define BULK(call, words)                                                          \
  do {                                                                             \
    FuelMeter meter{budget, granted, slice_left, fuel_left, &t, slice_units};      \
    if (s.bulk_pc == pc) meter.resume_at = s.bulk_done, s.bulk_pc = nullptr;       \
    const bool ok = call(*inst, fp, pc, meter, kind);                              \
    budget = meter.budget, granted = meter.granted, slice_left = meter.slice_left; \
    fuel_left = meter.fuel_left, slice_units = meter.slice;                        \
    if (!ok) {                                                                     \
      if (meter.stopped_at == 0) goto trapped;                                     \
      s.bulk_done = meter.stopped_at;                                              \
      goto bulk_stopped;                                                           \
    }                                                                              \
    pc += (words);                                                                 \
  } while (false)
  RELOAD();
  pc = frame->pc;

  // One handler per internal opcode, in Op order: the Wasm opcodes, then the internal ones.
  static const void* const kHandlers[] = {
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes) &&OP(name),
#include "wasm/opcodes.def"
#undef WASM_OPCODE
#define LUNATIC_OP_HANDLER(name, layout) &&OP(name),
      LUNATIC_INTERNAL_OPS(LUNATIC_OP_HANDLER)
#undef LUNATIC_OP_HANDLER
  };
  NEXT();

  // One handler a line reads as a table; clang-format would split the labels.
  // clang-format off
  {
      // ---- Control -------------------------------------------------------------------------
      OP(Unreachable): kind = TrapKind::Unreachable; goto trapped;
      OP(Copy): fp[pc[1]] = fp[pc[2]]; pc += 3; NEXT();
      OP(Copy2): copy2(fp, pc[1], pc[2]); pc += 3; NEXT();
      OP(Br): pc = jump(pc + 1, budget); NEXT();
      OP(BrIfNz): pc = u32(fp[pc[1]]) != 0 ? jump(pc + 2, budget) : pc + 3; NEXT();
      OP(BrIfZ): pc = u32(fp[pc[1]]) == 0 ? jump(pc + 2, budget) : pc + 3; NEXT();
      OP(BrIfI32Eq): branch_if<u32>(fp, pc, budget, num::eq<u32>); NEXT();
      OP(BrIfI32Ne): branch_if<u32>(fp, pc, budget, num::ne<u32>); NEXT();
      OP(BrIfI32LtS): branch_if<u32>(fp, pc, budget, num::lt_s<u32>); NEXT();
      OP(BrIfI32LtU): branch_if<u32>(fp, pc, budget, num::lt_u<u32>); NEXT();
      OP(BrIfI32GtS): branch_if<u32>(fp, pc, budget, num::gt_s<u32>); NEXT();
      OP(BrIfI32GtU): branch_if<u32>(fp, pc, budget, num::gt_u<u32>); NEXT();
      OP(BrIfI32LeS): branch_if<u32>(fp, pc, budget, num::le_s<u32>); NEXT();
      OP(BrIfI32LeU): branch_if<u32>(fp, pc, budget, num::le_u<u32>); NEXT();
      OP(BrIfI32GeS): branch_if<u32>(fp, pc, budget, num::ge_s<u32>); NEXT();
      OP(BrIfI32GeU): branch_if<u32>(fp, pc, budget, num::ge_u<u32>); NEXT();
      OP(BrIfI64Eq): branch_if<u64>(fp, pc, budget, num::eq<u64>); NEXT();
      OP(BrIfI64Ne): branch_if<u64>(fp, pc, budget, num::ne<u64>); NEXT();
      OP(BrIfI64LtS): branch_if<u64>(fp, pc, budget, num::lt_s<u64>); NEXT();
      OP(BrIfI64LtU): branch_if<u64>(fp, pc, budget, num::lt_u<u64>); NEXT();
      OP(BrIfI64GtS): branch_if<u64>(fp, pc, budget, num::gt_s<u64>); NEXT();
      OP(BrIfI64GtU): branch_if<u64>(fp, pc, budget, num::gt_u<u64>); NEXT();
      OP(BrIfI64LeS): branch_if<u64>(fp, pc, budget, num::le_s<u64>); NEXT();
      OP(BrIfI64LeU): branch_if<u64>(fp, pc, budget, num::le_u<u64>); NEXT();
      OP(BrIfI64GeS): branch_if<u64>(fp, pc, budget, num::ge_s<u64>); NEXT();
      OP(BrIfI64GeU): branch_if<u64>(fp, pc, budget, num::ge_u<u64>); NEXT();
      OP(AddBrIfI32Eq): add_branch_if(fp, pc, budget, num::eq<u32>); NEXT();
      OP(AddBrIfI32Ne): add_branch_if(fp, pc, budget, num::ne<u32>); NEXT();
      OP(AddBrIfI32LtS): add_branch_if(fp, pc, budget, num::lt_s<u32>); NEXT();
      OP(AddBrIfI32LtU): add_branch_if(fp, pc, budget, num::lt_u<u32>); NEXT();
      OP(AddBrIfI32GtS): add_branch_if(fp, pc, budget, num::gt_s<u32>); NEXT();
      OP(AddBrIfI32GtU): add_branch_if(fp, pc, budget, num::gt_u<u32>); NEXT();
      OP(AddBrIfI32LeS): add_branch_if(fp, pc, budget, num::le_s<u32>); NEXT();
      OP(AddBrIfI32LeU): add_branch_if(fp, pc, budget, num::le_u<u32>); NEXT();
      OP(AddBrIfI32GeS): add_branch_if(fp, pc, budget, num::ge_s<u32>); NEXT();
      OP(AddBrIfI32GeU): add_branch_if(fp, pc, budget, num::ge_u<u32>); NEXT();
      OP(BrIfI32EqImm): branch_if_imm(fp, pc, budget, num::eq<u32>); NEXT();
      OP(BrIfI32NeImm): branch_if_imm(fp, pc, budget, num::ne<u32>); NEXT();
      OP(BrIfI32LtSImm): branch_if_imm(fp, pc, budget, num::lt_s<u32>); NEXT();
      OP(BrIfI32LtUImm): branch_if_imm(fp, pc, budget, num::lt_u<u32>); NEXT();
      OP(BrIfI32GtSImm): branch_if_imm(fp, pc, budget, num::gt_s<u32>); NEXT();
      OP(BrIfI32GtUImm): branch_if_imm(fp, pc, budget, num::gt_u<u32>); NEXT();
      OP(BrIfI32LeSImm): branch_if_imm(fp, pc, budget, num::le_s<u32>); NEXT();
      OP(BrIfI32LeUImm): branch_if_imm(fp, pc, budget, num::le_u<u32>); NEXT();
      OP(BrIfI32GeSImm): branch_if_imm(fp, pc, budget, num::ge_s<u32>); NEXT();
      OP(BrIfI32GeUImm): branch_if_imm(fp, pc, budget, num::ge_u<u32>); NEXT();
      OP(BrTable): {
        // "If i is smaller than the length of the label vector, branch to label i, else to
        // the default label" (the last entry).
        const u32 i = u32(fp[pc[1]]);
        pc = jump(pc + 3 + std::min(i, pc[2]), budget);
        NEXT();
      }
      OP(Select): fp[pc[1]] = u32(fp[pc[4]]) != 0 ? fp[pc[2]] : fp[pc[3]]; pc += 5; NEXT();
      OP(Select2): copy2(fp, pc[1], u32(fp[pc[4]]) != 0 ? pc[2] : pc[3]); pc += 5; NEXT();
      OP(Return1): fp[0] = fp[pc[1]]; goto do_return;
      OP(Return): goto do_return;
      OP(Safepoint): {
        if (budget >= pc[1]) {
          budget -= pc[1];
          pc += 2;
          NEXT();
        }
        // The exact path (the budget does not cover this safepoint): see `budget` above.
        SETTLE();
        if (t.kill_requested_.load(std::memory_order_relaxed)) [[unlikely]] {
          t.kill_requested_.store(false, std::memory_order_relaxed);
          kind = TrapKind::Killed;
          goto trapped;
        }
        // Alone on its worker, the slice goes on in place, unless native code for the
        // module is ready: then Thread::run moves the call there (tier-up) at the stop. The
        // fuel left is saved first: a slice's end is where the runtime reads it.
        if (slice_left <= 0 && !inst->module->has_native()) {
          SAVE_FUEL();
          if (const uint64_t next = t.extend_slice(static_cast<u64>(slice_units))) {
            slice_left = slice_units = static_cast<int64_t>(next);
          }
        }
        if (slice_left <= 0) [[unlikely]] {
          frame->pc = pc;  // resume re-runs this safepoint, which then charges
          SYNC();
          SAVE_FUEL();
          return RunStatus::Yielded;
        }
        const u32 cost = pc[1];
        if (fuel_left < cost) [[unlikely]] {
          kind = TrapKind::OutOfFuel;
          goto trapped;
        }
        fuel_left -= cost;
        slice_left -= cost;
        granted = budget = std::min({std::max<int64_t>(slice_left, 0), kKillPollInterval,
                                     static_cast<int64_t>(std::min<u64>(fuel_left, INT64_MAX))});
        pc += 2;
        NEXT();
      }
      OP(Call):
        callee = inst->functions[pc[1]];
        callee_fp = fp + pc[2];
        if (!enter(callee, callee_fp, pc, kCallWords, frame, frames_end, slots_end, fp, inst, mem, budget)) {
          call_words = kCallWords;
          goto call_slow;
        }
        NEXT();
      OP(CallIndirect):
        callee = indirect_callee(*inst, fp, pc, kind);
        if (callee == nullptr) goto trapped;
        callee_fp = fp + pc[4];
        if (!enter(callee, callee_fp, pc, kCallIndirectWords, frame, frames_end, slots_end, fp, inst, mem, budget)) {
          call_words = kCallIndirectWords;
          goto call_slow;
        }
        NEXT();

      // ---- Variables, references, tables ------------------------------------------------------
      // ---- Variables, references, tables ------------------------------------------------------
      OP(GlobalGet): fp[pc[1]] = inst->globals[pc[2]]->value; pc += 3; NEXT();
      OP(GlobalSet): inst->globals[pc[1]]->value = fp[pc[2]]; pc += 3; NEXT();
      OP(GlobalGet2): global_get2(*inst, fp, pc); pc += 3; NEXT();
      OP(GlobalSet2): global_set2(*inst, fp, pc); pc += 3; NEXT();
      OP(RefIsNull): fp[pc[1]] = fp[pc[2]] == 0 ? 1 : 0; pc += 3; NEXT();
      OP(RefFunc): fp[pc[1]] = reinterpret_cast<uintptr_t>(inst->functions[pc[2]]); pc += 3; NEXT();
      OP(TableGet): if (!table_get(*inst, fp, pc, kind)) goto trapped; pc += 4; NEXT();
      OP(TableSet): if (!table_set(*inst, fp, pc, kind)) goto trapped; pc += 4; NEXT();
      OP(TableSize): fp[pc[1]] = inst->tables[pc[2]]->size(); pc += 3; NEXT();
      OP(TableGrow): BULK(table_grow, 5); NEXT();
      OP(TableFill): BULK(table_fill, 5); NEXT();
      OP(TableCopy): BULK(table_copy, 6); NEXT();
      OP(TableInit): BULK(table_init, 6); NEXT();
      OP(ElemDrop): instance_ops::elem_drop(*inst, pc[1]); pc += 2; NEXT();

      // ---- Memory --------------------------------------------------------------------------
      OP(I32Load): if (!load<u32, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load): if (!load<u64, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(F32Load): if (!load<f32, f32>(fp, pc, mem)) goto oob; NEXT();
      OP(F64Load): if (!load<f64, f64>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Load8S): if (!load<int8_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Load8U): if (!load<uint8_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Load16S): if (!load<int16_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Load16U): if (!load<uint16_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load8S): if (!load<int8_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load8U): if (!load<uint8_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load16S): if (!load<int16_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load16U): if (!load<uint16_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load32S): if (!load<int32_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load32U): if (!load<uint32_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Store): if (!store<u32, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Store): if (!store<u64, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(F32Store): if (!store<f32, f32>(fp, pc, mem)) goto oob; NEXT();
      OP(F64Store): if (!store<f64, f64>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Store8): if (!store<uint8_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Store16): if (!store<uint16_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Store8): if (!store<uint8_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Store16): if (!store<uint16_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Store32): if (!store<uint32_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I32LoadAdd): if (!load_add<u32, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I64LoadAdd): if (!load_add<u64, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(F32LoadAdd): if (!load_add<f32, f32>(fp, pc, mem)) goto oob; NEXT();
      OP(F64LoadAdd): if (!load_add<f64, f64>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Load8SAdd): if (!load_add<int8_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Load8UAdd): if (!load_add<uint8_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Load16SAdd): if (!load_add<int16_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Load16UAdd): if (!load_add<uint16_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load8SAdd): if (!load_add<int8_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load8UAdd): if (!load_add<uint8_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load16SAdd): if (!load_add<int16_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load16UAdd): if (!load_add<uint16_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load32SAdd): if (!load_add<int32_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Load32UAdd): if (!load_add<uint32_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I32StoreAdd): if (!store_add<u32, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I64StoreAdd): if (!store_add<u64, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(F32StoreAdd): if (!store_add<f32, f32>(fp, pc, mem)) goto oob; NEXT();
      OP(F64StoreAdd): if (!store_add<f64, f64>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Store8Add): if (!store_add<uint8_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I32Store16Add): if (!store_add<uint16_t, u32>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Store8Add): if (!store_add<uint8_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Store16Add): if (!store_add<uint16_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(I64Store32Add): if (!store_add<uint32_t, u64>(fp, pc, mem)) goto oob; NEXT();
      OP(MemorySize): fp[pc[1]] = inst->memories[0]->pages(); pc += 2; NEXT();
      OP(MemoryGrow):
        fp[pc[1]] = static_cast<u32>(inst->memories[0]->grow(static_cast<u32>(fp[pc[2]])));
        mem = memory_view(inst);  // the memory may have moved
        pc += 3;
        NEXT();
      OP(MemoryFill): BULK(memory_fill, 4); NEXT();
      OP(MemoryCopy): BULK(memory_copy, 4); NEXT();
      OP(MemoryInit): BULK(memory_init, 5); NEXT();
      OP(DataDrop): instance_ops::data_drop(*inst, pc[1]); pc += 2; NEXT();

      // ---- i32 -------------------------------------------------------------------------------
      OP(I32Eqz): unary<u32, bool>(fp, pc, num::eqz<u32>); NEXT();
      OP(I32Eq): binary<u32, bool>(fp, pc, num::eq<u32>); NEXT();
      OP(I32Ne): binary<u32, bool>(fp, pc, num::ne<u32>); NEXT();
      OP(I32LtS): binary<u32, bool>(fp, pc, num::lt_s<u32>); NEXT();
      OP(I32LtU): binary<u32, bool>(fp, pc, num::lt_u<u32>); NEXT();
      OP(I32GtS): binary<u32, bool>(fp, pc, num::gt_s<u32>); NEXT();
      OP(I32GtU): binary<u32, bool>(fp, pc, num::gt_u<u32>); NEXT();
      OP(I32LeS): binary<u32, bool>(fp, pc, num::le_s<u32>); NEXT();
      OP(I32LeU): binary<u32, bool>(fp, pc, num::le_u<u32>); NEXT();
      OP(I32GeS): binary<u32, bool>(fp, pc, num::ge_s<u32>); NEXT();
      OP(I32GeU): binary<u32, bool>(fp, pc, num::ge_u<u32>); NEXT();
      OP(I32Clz): unary<u32>(fp, pc, num::clz<u32>); NEXT();
      OP(I32Ctz): unary<u32>(fp, pc, num::ctz<u32>); NEXT();
      OP(I32Popcnt): unary<u32>(fp, pc, num::popcnt<u32>); NEXT();
      OP(I32Add): binary<u32>(fp, pc, num::add<u32>); NEXT();
      OP(I32Sub): binary<u32>(fp, pc, num::sub<u32>); NEXT();
      OP(I32Mul): binary<u32>(fp, pc, num::mul<u32>); NEXT();
      OP(I32DivS): if (!binary_checked<u32>(fp, pc, num::div_s<u32>, kind)) goto trapped; NEXT();
      OP(I32DivU): if (!binary_checked<u32>(fp, pc, num::div_u<u32>, kind)) goto trapped; NEXT();
      OP(I32RemS): if (!binary_checked<u32>(fp, pc, num::rem_s<u32>, kind)) goto trapped; NEXT();
      OP(I32RemU): if (!binary_checked<u32>(fp, pc, num::rem_u<u32>, kind)) goto trapped; NEXT();
      OP(I32And): binary<u32>(fp, pc, num::band<u32>); NEXT();
      OP(I32Or): binary<u32>(fp, pc, num::bor<u32>); NEXT();
      OP(I32Xor): binary<u32>(fp, pc, num::bxor<u32>); NEXT();
      OP(I32Shl): binary<u32>(fp, pc, num::shl<u32>); NEXT();
      OP(I32ShrS): binary<u32>(fp, pc, num::shr_s<u32>); NEXT();
      OP(I32ShrU): binary<u32>(fp, pc, num::shr_u<u32>); NEXT();
      OP(I32Rotl): binary<u32>(fp, pc, num::rotl<u32>); NEXT();
      OP(I32Rotr): binary<u32>(fp, pc, num::rotr<u32>); NEXT();

      OP(I32AddImm): binary_imm<u32>(fp, pc, num::add<u32>); NEXT();
      OP(I32MulImm): binary_imm<u32>(fp, pc, num::mul<u32>); NEXT();
      OP(I32AndImm): binary_imm<u32>(fp, pc, num::band<u32>); NEXT();
      OP(I32OrImm): binary_imm<u32>(fp, pc, num::bor<u32>); NEXT();
      OP(I32XorImm): binary_imm<u32>(fp, pc, num::bxor<u32>); NEXT();
      OP(I32ShlImm): binary_imm<u32>(fp, pc, num::shl<u32>); NEXT();
      OP(I32ShrSImm): binary_imm<u32>(fp, pc, num::shr_s<u32>); NEXT();
      OP(I32ShrUImm): binary_imm<u32>(fp, pc, num::shr_u<u32>); NEXT();
      OP(I32RotlImm): binary_imm<u32>(fp, pc, num::rotl<u32>); NEXT();

      // ---- i64 -------------------------------------------------------------------------------
      OP(I64Eqz): unary<u64, bool>(fp, pc, num::eqz<u64>); NEXT();
      OP(I64Eq): binary<u64, bool>(fp, pc, num::eq<u64>); NEXT();
      OP(I64Ne): binary<u64, bool>(fp, pc, num::ne<u64>); NEXT();
      OP(I64LtS): binary<u64, bool>(fp, pc, num::lt_s<u64>); NEXT();
      OP(I64LtU): binary<u64, bool>(fp, pc, num::lt_u<u64>); NEXT();
      OP(I64GtS): binary<u64, bool>(fp, pc, num::gt_s<u64>); NEXT();
      OP(I64GtU): binary<u64, bool>(fp, pc, num::gt_u<u64>); NEXT();
      OP(I64LeS): binary<u64, bool>(fp, pc, num::le_s<u64>); NEXT();
      OP(I64LeU): binary<u64, bool>(fp, pc, num::le_u<u64>); NEXT();
      OP(I64GeS): binary<u64, bool>(fp, pc, num::ge_s<u64>); NEXT();
      OP(I64GeU): binary<u64, bool>(fp, pc, num::ge_u<u64>); NEXT();
      OP(I64Clz): unary<u64>(fp, pc, num::clz<u64>); NEXT();
      OP(I64Ctz): unary<u64>(fp, pc, num::ctz<u64>); NEXT();
      OP(I64Popcnt): unary<u64>(fp, pc, num::popcnt<u64>); NEXT();
      OP(I64Add): binary<u64>(fp, pc, num::add<u64>); NEXT();
      OP(I64Sub): binary<u64>(fp, pc, num::sub<u64>); NEXT();
      OP(I64Mul): binary<u64>(fp, pc, num::mul<u64>); NEXT();
      OP(I64DivS): if (!binary_checked<u64>(fp, pc, num::div_s<u64>, kind)) goto trapped; NEXT();
      OP(I64DivU): if (!binary_checked<u64>(fp, pc, num::div_u<u64>, kind)) goto trapped; NEXT();
      OP(I64RemS): if (!binary_checked<u64>(fp, pc, num::rem_s<u64>, kind)) goto trapped; NEXT();
      OP(I64RemU): if (!binary_checked<u64>(fp, pc, num::rem_u<u64>, kind)) goto trapped; NEXT();
      OP(I64And): binary<u64>(fp, pc, num::band<u64>); NEXT();
      OP(I64Or): binary<u64>(fp, pc, num::bor<u64>); NEXT();
      OP(I64Xor): binary<u64>(fp, pc, num::bxor<u64>); NEXT();
      OP(I64Shl): binary<u64>(fp, pc, num::shl<u64>); NEXT();
      OP(I64ShrS): binary<u64>(fp, pc, num::shr_s<u64>); NEXT();
      OP(I64ShrU): binary<u64>(fp, pc, num::shr_u<u64>); NEXT();
      OP(I64Rotl): binary<u64>(fp, pc, num::rotl<u64>); NEXT();
      OP(I64Rotr): binary<u64>(fp, pc, num::rotr<u64>); NEXT();

      OP(I64AddImm): binary_imm<u64>(fp, pc, num::add<u64>); NEXT();
      OP(I64MulImm): binary_imm<u64>(fp, pc, num::mul<u64>); NEXT();
      OP(I64AndImm): binary_imm<u64>(fp, pc, num::band<u64>); NEXT();
      OP(I64OrImm): binary_imm<u64>(fp, pc, num::bor<u64>); NEXT();
      OP(I64XorImm): binary_imm<u64>(fp, pc, num::bxor<u64>); NEXT();
      OP(I64ShlImm): binary_imm<u64>(fp, pc, num::shl<u64>); NEXT();
      OP(I64ShrSImm): binary_imm<u64>(fp, pc, num::shr_s<u64>); NEXT();
      OP(I64ShrUImm): binary_imm<u64>(fp, pc, num::shr_u<u64>); NEXT();
      OP(I64RotlImm): binary_imm<u64>(fp, pc, num::rotl<u64>); NEXT();
      OP(I32XorShlImm): binary_imm<u32>(fp, pc, num::xor_shl<u32>); NEXT();
      OP(I32XorShrUImm): binary_imm<u32>(fp, pc, num::xor_shr_u<u32>); NEXT();
      OP(I64XorShlImm): binary_imm<u64>(fp, pc, num::xor_shl<u64>); NEXT();
      OP(I64XorShrUImm): binary_imm<u64>(fp, pc, num::xor_shr_u<u64>); NEXT();

      // ---- f32 / f64 -----------------------------------------------------------------------
      OP(F32Eq): binary<f32, bool>(fp, pc, num::feq<f32>); NEXT();
      OP(F32Ne): binary<f32, bool>(fp, pc, num::fne<f32>); NEXT();
      OP(F32Lt): binary<f32, bool>(fp, pc, num::flt<f32>); NEXT();
      OP(F32Gt): binary<f32, bool>(fp, pc, num::fgt<f32>); NEXT();
      OP(F32Le): binary<f32, bool>(fp, pc, num::fle<f32>); NEXT();
      OP(F32Ge): binary<f32, bool>(fp, pc, num::fge<f32>); NEXT();
      OP(F64Eq): binary<f64, bool>(fp, pc, num::feq<f64>); NEXT();
      OP(F64Ne): binary<f64, bool>(fp, pc, num::fne<f64>); NEXT();
      OP(F64Lt): binary<f64, bool>(fp, pc, num::flt<f64>); NEXT();
      OP(F64Gt): binary<f64, bool>(fp, pc, num::fgt<f64>); NEXT();
      OP(F64Le): binary<f64, bool>(fp, pc, num::fle<f64>); NEXT();
      OP(F64Ge): binary<f64, bool>(fp, pc, num::fge<f64>); NEXT();
      OP(F32Abs): unary<f32>(fp, pc, num::fabs_<f32>); NEXT();
      OP(F32Neg): unary<f32>(fp, pc, num::fneg<f32>); NEXT();
      OP(F32Ceil): unary<f32>(fp, pc, num::fceil<f32>); NEXT();
      OP(F32Floor): unary<f32>(fp, pc, num::ffloor<f32>); NEXT();
      OP(F32Trunc): unary<f32>(fp, pc, num::ftrunc<f32>); NEXT();
      OP(F32Nearest): unary<f32>(fp, pc, num::fnearest<f32>); NEXT();
      OP(F32Sqrt): unary<f32>(fp, pc, num::fsqrt<f32>); NEXT();
      OP(F32Add): binary<f32>(fp, pc, num::fadd<f32>); NEXT();
      OP(F32Sub): binary<f32>(fp, pc, num::fsub<f32>); NEXT();
      OP(F32Mul): binary<f32>(fp, pc, num::fmul<f32>); NEXT();
      OP(F32Div): binary<f32>(fp, pc, num::fdiv<f32>); NEXT();
      OP(F32Min): binary<f32>(fp, pc, num::fmin<f32>); NEXT();
      OP(F32Max): binary<f32>(fp, pc, num::fmax<f32>); NEXT();
      OP(F32Copysign): binary<f32>(fp, pc, num::fcopysign<f32>); NEXT();
      OP(F64Abs): unary<f64>(fp, pc, num::fabs_<f64>); NEXT();
      OP(F64Neg): unary<f64>(fp, pc, num::fneg<f64>); NEXT();
      OP(F64Ceil): unary<f64>(fp, pc, num::fceil<f64>); NEXT();
      OP(F64Floor): unary<f64>(fp, pc, num::ffloor<f64>); NEXT();
      OP(F64Trunc): unary<f64>(fp, pc, num::ftrunc<f64>); NEXT();
      OP(F64Nearest): unary<f64>(fp, pc, num::fnearest<f64>); NEXT();
      OP(F64Sqrt): unary<f64>(fp, pc, num::fsqrt<f64>); NEXT();
      OP(F64Add): binary<f64>(fp, pc, num::fadd<f64>); NEXT();
      OP(F64Sub): binary<f64>(fp, pc, num::fsub<f64>); NEXT();
      OP(F64Mul): binary<f64>(fp, pc, num::fmul<f64>); NEXT();
      OP(F64Div): binary<f64>(fp, pc, num::fdiv<f64>); NEXT();
      OP(F64Min): binary<f64>(fp, pc, num::fmin<f64>); NEXT();
      OP(F64Max): binary<f64>(fp, pc, num::fmax<f64>); NEXT();
      OP(F64Copysign): binary<f64>(fp, pc, num::fcopysign<f64>); NEXT();

      // ---- Conversions ---------------------------------------------------------------------
      OP(I32WrapI64): unary<u64, u32>(fp, pc, num::wrap); NEXT();
      OP(I64ExtendI32S): unary<u32, u64>(fp, pc, num::extend_i32_s); NEXT();
      OP(I64ExtendI32U): unary<u32, u64>(fp, pc, num::extend_i32_u); NEXT();
      OP(I32TruncF32S): if (!truncate<i32, f32>(fp, pc, kind)) goto trapped; NEXT();
      OP(I32TruncF32U): if (!truncate<u32, f32>(fp, pc, kind)) goto trapped; NEXT();
      OP(I32TruncF64S): if (!truncate<i32, f64>(fp, pc, kind)) goto trapped; NEXT();
      OP(I32TruncF64U): if (!truncate<u32, f64>(fp, pc, kind)) goto trapped; NEXT();
      OP(I64TruncF32S): if (!truncate<i64, f32>(fp, pc, kind)) goto trapped; NEXT();
      OP(I64TruncF32U): if (!truncate<u64, f32>(fp, pc, kind)) goto trapped; NEXT();
      OP(I64TruncF64S): if (!truncate<i64, f64>(fp, pc, kind)) goto trapped; NEXT();
      OP(I64TruncF64U): if (!truncate<u64, f64>(fp, pc, kind)) goto trapped; NEXT();
      OP(I32TruncSatF32S): unary<f32, i32>(fp, pc, num::trunc_sat<i32, f32>); NEXT();
      OP(I32TruncSatF32U): unary<f32, u32>(fp, pc, num::trunc_sat<u32, f32>); NEXT();
      OP(I32TruncSatF64S): unary<f64, i32>(fp, pc, num::trunc_sat<i32, f64>); NEXT();
      OP(I32TruncSatF64U): unary<f64, u32>(fp, pc, num::trunc_sat<u32, f64>); NEXT();
      OP(I64TruncSatF32S): unary<f32, i64>(fp, pc, num::trunc_sat<i64, f32>); NEXT();
      OP(I64TruncSatF32U): unary<f32, u64>(fp, pc, num::trunc_sat<u64, f32>); NEXT();
      OP(I64TruncSatF64S): unary<f64, i64>(fp, pc, num::trunc_sat<i64, f64>); NEXT();
      OP(I64TruncSatF64U): unary<f64, u64>(fp, pc, num::trunc_sat<u64, f64>); NEXT();
      OP(F32ConvertI32S): unary<i32, f32>(fp, pc, num::convert<f32, i32>); NEXT();
      OP(F32ConvertI32U): unary<u32, f32>(fp, pc, num::convert<f32, u32>); NEXT();
      OP(F32ConvertI64S): unary<i64, f32>(fp, pc, num::convert<f32, i64>); NEXT();
      OP(F32ConvertI64U): unary<u64, f32>(fp, pc, num::convert<f32, u64>); NEXT();
      OP(F64ConvertI32S): unary<i32, f64>(fp, pc, num::convert<f64, i32>); NEXT();
      OP(F64ConvertI32U): unary<u32, f64>(fp, pc, num::convert<f64, u32>); NEXT();
      OP(F64ConvertI64S): unary<i64, f64>(fp, pc, num::convert<f64, i64>); NEXT();
      OP(F64ConvertI64U): unary<u64, f64>(fp, pc, num::convert<f64, u64>); NEXT();
      OP(F32DemoteF64): unary<f64, f32>(fp, pc, num::demote); NEXT();
      OP(F64PromoteF32): unary<f32, f64>(fp, pc, num::promote); NEXT();
      OP(I32ReinterpretF32): unary<u32>(fp, pc, num::same_bits<u32>); NEXT();
      OP(I64ReinterpretF64): unary<u64>(fp, pc, num::same_bits<u64>); NEXT();
      OP(F32ReinterpretI32): unary<u32>(fp, pc, num::same_bits<u32>); NEXT();
      OP(F64ReinterpretI64): unary<u64>(fp, pc, num::same_bits<u64>); NEXT();
      OP(I32Extend8S): unary<u32>(fp, pc, num::extend_s<u32, int8_t>); NEXT();
      OP(I32Extend16S): unary<u32>(fp, pc, num::extend_s<u32, int16_t>); NEXT();
      OP(I64Extend8S): unary<u64>(fp, pc, num::extend_s<u64, int8_t>); NEXT();
      OP(I64Extend16S): unary<u64>(fp, pc, num::extend_s<u64, int16_t>); NEXT();
      OP(I64Extend32S): unary<u64>(fp, pc, num::extend_s<u64, int32_t>); NEXT();

      // ---- SIMD ----------------------------------------------------------------------------
      // The hot instructions run here, their case of simd_step inlined; the others share one
      // handler that calls the out-of-line switch (interpreter_simd_ops.hpp).
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes)
#define WASM_SIMD_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes)                     \
      OP(name):                                                                                   \
        if constexpr (inline_simd(Op::name)) {                                                    \
          if (!simd_step(Op::name, fp, pc, mem, kind)) goto trapped;                              \
          NEXT();                                                                                 \
        }                                                                                         \
        goto simd;
#include "wasm/opcodes.def"
#undef WASM_SIMD_OPCODE
#undef WASM_OPCODE
      simd: simd_next = execute_simd(fp, pc, mem, kind); if (!simd_next) goto trapped; pc = simd_next; NEXT();
      OP(V128LoadAdd): if (!simd_access_add(Op::V128Load, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load8x8SAdd): if (!simd_access_add(Op::V128Load8x8S, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load8x8UAdd): if (!simd_access_add(Op::V128Load8x8U, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load16x4SAdd): if (!simd_access_add(Op::V128Load16x4S, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load16x4UAdd): if (!simd_access_add(Op::V128Load16x4U, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load32x2SAdd): if (!simd_access_add(Op::V128Load32x2S, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load32x2UAdd): if (!simd_access_add(Op::V128Load32x2U, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load8SplatAdd): if (!simd_access_add(Op::V128Load8Splat, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load16SplatAdd): if (!simd_access_add(Op::V128Load16Splat, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load32SplatAdd): if (!simd_access_add(Op::V128Load32Splat, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load64SplatAdd): if (!simd_access_add(Op::V128Load64Splat, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load32ZeroAdd): if (!simd_access_add(Op::V128Load32Zero, fp, pc, mem)) goto oob; NEXT();
      OP(V128Load64ZeroAdd): if (!simd_access_add(Op::V128Load64Zero, fp, pc, mem)) goto oob; NEXT();
      OP(V128StoreAdd): if (!simd_access_add(Op::V128Store, fp, pc, mem)) goto oob; NEXT();
      OP(I32x4MulAdd): simd_accumulate(fp, pc, simd::mul<u32>); NEXT();
      OP(I32x4DotAdd): simd_accumulate(fp, pc, simd::dot_i16x8_s); NEXT();
      OP(I32x4AndAdd): simd_accumulate(fp, pc, simd::vand); NEXT();


      // Never emitted by lowering (structure, constants and locals are resolved away).
      OP(Nop): OP(Block): OP(Loop): OP(If): OP(Else): OP(End): OP(BrIf): OP(Drop): OP(SelectT):
      OP(LocalGet): OP(LocalSet): OP(LocalTee): OP(I32Const): OP(I64Const): OP(F32Const):
      OP(F64Const): OP(RefNull):
        kind = TrapKind::Unreachable;
        goto trapped;

  call_slow:
    frame->pc = pc;  // a Park re-runs the call, a backtrace names it
    SYNC();
    // Host functions, and Wasm functions that a code tier runs (CodeTier::adopt), have no
    // lowered code: the interpreter calls their callable.
    if (callee->code == nullptr) goto call_host;
    if (!lower_callee(*callee, host_trap)) [[unlikely]] {
      SAVE_FUEL();
      return trap(t, std::move(host_trap), pc);
    }
    frame->pc = pc + call_words;
    if (!push_frame(t, *callee, static_cast<size_t>(callee_fp - slots))) [[unlikely]] {
      frame->pc = pc;
      kind = TrapKind::CallStackExhausted;
      goto trapped;
    }
    RELOAD();
    pc = frame->pc;
    NEXT();

  call_host:
    // The thread's fuel is exact during the call (code it runs in another tier burns from it)
    // and is read back after: the next safepoint takes the exact path, which also sees a kill
    // the host requested.
    SAVE_FUEL();
    switch (call_host(t, *callee, static_cast<size_t>(callee_fp - slots), inst, host_trap)) {
      case HostStatus::Return:
        RELOAD();  // the slots may have grown, the host may have grown the memory
        fuel_left = fuel_mark = t.fuel_.value_or(UINT64_MAX);  // another tier's use is not ours
        pc += call_words;
        NEXT();
      case HostStatus::Trap: return trap(t, std::move(host_trap), pc);
      case HostStatus::Park: return RunStatus::Parked;
      case HostStatus::Preempt: return RunStatus::Yielded;  // the call runs again on resume
      case HostStatus::Yield:
        // As Return, then as a safepoint whose slice is used up: resume continues after the
        // call.
        RELOAD();
        frame->pc = pc + call_words;
        return RunStatus::Yielded;
    }

  do_return:
    if (frame == frames_base) [[unlikely]] {
      s.depth = 0;
      SAVE_FUEL();
      s.phase = State::Phase::Done;
      return RunStatus::Done;
    }
    --frame;
    fp = frame->fp;
    pc = frame->pc;
    if (frame->instance != inst) [[unlikely]] {
      inst = frame->instance;
      mem = memory_view(inst);
    }
    NEXT();

  bulk_stopped:
    // As a safepoint whose slice is used up, but the run again goes on inside the instruction.
    s.bulk_pc = pc;
    frame->pc = pc;
    SYNC();
    SAVE_FUEL();
    return RunStatus::Yielded;

  oob:
    kind = TrapKind::MemoryOutOfBounds;
  trapped:
    SYNC();
    SAVE_FUEL();
    return trap(t, trap_at(kind, fp, pc), pc);
  }
  // clang-format on
}

}  // namespace lunatic::engine
