// The dispatch loop: one switch over the internal code (code.hpp). Cases are one-liners over
// the typed helpers of numeric.hpp and interpreter_ops.hpp; calls push frames on the Thread's
// own stack (never the native one), and every exit saves the state needed to continue.
#include <limits>
#include <string>

#include "engine/compiled_module.hpp"
#include "engine/interpreter.hpp"
#include "engine/interpreter_ops.hpp"

namespace lunatic::engine {

using namespace ops;  // NOLINT: the loop is written in the helpers' vocabulary
using u32 = uint32_t;
using u64 = uint64_t;
using i32 = int32_t;
using i64 = int64_t;
using f32 = float;
using f64 = double;

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

}  // namespace

RunStatus Interpreter::run(Thread& t, uint64_t slice) {
  State& s = *t.state_;
  switch (s.phase) {
    case State::Phase::Done: return RunStatus::Done;
    case State::Phase::Trapped: return RunStatus::Trapped;
    case State::Phase::Idle: return trap(t, Trap::host("no call in progress"), nullptr);
    case State::Phase::Ready: break;
  }
  if (t.kill_requested_.exchange(false, std::memory_order_relaxed)) {
    return trap(t, Trap::of(TrapKind::Killed), nullptr);
  }
  Trap host_trap;
  if (s.frames.empty()) {  // a host function called at top level
    switch (call_host(t, *s.entry, 0, nullptr, host_trap)) {
      case HostStatus::Return: s.phase = State::Phase::Done; return RunStatus::Done;
      case HostStatus::Trap: return trap(t, std::move(host_trap), nullptr);
      case HostStatus::Park: return RunStatus::Parked;
    }
  }

  int64_t slice_left = slice > uint64_t{INT64_MAX} ? INT64_MAX : static_cast<int64_t>(slice);
  uint64_t fuel_left = t.fuel_.value_or(UINT64_MAX);
  std::atomic<bool>& kill = t.kill_requested_;
  const uint32_t* code = nullptr;
  const uint32_t* pc = s.frames.back().pc;
  Slot* fp = nullptr;
  Instance* inst = nullptr;
  MemoryView mem;
  TrapKind kind = TrapKind::Unreachable;
  Function* callee = nullptr;
  size_t callee_fp = 0;
  uint32_t call_words = 0;

  // Loads the registers of the loop from the top frame (after a call or a return).
  auto enter_top = [&] {
    const Frame& f = s.frames.back();
    code = f.fn->code.data();
    fp = s.slots.data() + f.fp;
    inst = f.instance;
    mem = memory_view(inst);
  };
  auto save_fuel = [&] {
    if (t.fuel_) t.fuel_ = fuel_left;
  };
  enter_top();

  for (;;) {
    switch (static_cast<Op>(*pc)) {
      // ---- Control -------------------------------------------------------------------------
      case Op::Unreachable: kind = TrapKind::Unreachable; goto trapped;
      case Op::Copy: fp[pc[1]] = fp[pc[2]]; pc += 3; continue;
      case Op::Br: pc = code + pc[1]; continue;
      case Op::BrIfNz: pc = static_cast<u32>(fp[pc[1]]) != 0 ? code + pc[2] : pc + 3; continue;
      case Op::BrIfZ: pc = static_cast<u32>(fp[pc[1]]) == 0 ? code + pc[2] : pc + 3; continue;
      case Op::BrIfI32Eq: branch_if<u32>(fp, pc, code, num::eq<u32>); continue;
      case Op::BrIfI32Ne: branch_if<u32>(fp, pc, code, num::ne<u32>); continue;
      case Op::BrIfI32LtS: branch_if<u32>(fp, pc, code, num::lt_s<u32>); continue;
      case Op::BrIfI32LtU: branch_if<u32>(fp, pc, code, num::lt_u<u32>); continue;
      case Op::BrIfI32GtS: branch_if<u32>(fp, pc, code, num::gt_s<u32>); continue;
      case Op::BrIfI32GtU: branch_if<u32>(fp, pc, code, num::gt_u<u32>); continue;
      case Op::BrIfI32LeS: branch_if<u32>(fp, pc, code, num::le_s<u32>); continue;
      case Op::BrIfI32LeU: branch_if<u32>(fp, pc, code, num::le_u<u32>); continue;
      case Op::BrIfI32GeS: branch_if<u32>(fp, pc, code, num::ge_s<u32>); continue;
      case Op::BrIfI32GeU: branch_if<u32>(fp, pc, code, num::ge_u<u32>); continue;
      case Op::BrIfI64Eq: branch_if<u64>(fp, pc, code, num::eq<u64>); continue;
      case Op::BrIfI64Ne: branch_if<u64>(fp, pc, code, num::ne<u64>); continue;
      case Op::BrIfI64LtS: branch_if<u64>(fp, pc, code, num::lt_s<u64>); continue;
      case Op::BrIfI64LtU: branch_if<u64>(fp, pc, code, num::lt_u<u64>); continue;
      case Op::BrIfI64GtS: branch_if<u64>(fp, pc, code, num::gt_s<u64>); continue;
      case Op::BrIfI64GtU: branch_if<u64>(fp, pc, code, num::gt_u<u64>); continue;
      case Op::BrIfI64LeS: branch_if<u64>(fp, pc, code, num::le_s<u64>); continue;
      case Op::BrIfI64LeU: branch_if<u64>(fp, pc, code, num::le_u<u64>); continue;
      case Op::BrIfI64GeS: branch_if<u64>(fp, pc, code, num::ge_s<u64>); continue;
      case Op::BrIfI64GeU: branch_if<u64>(fp, pc, code, num::ge_u<u64>); continue;
      case Op::BrTable: {
        // "If i is smaller than the length of the label vector, branch to label i, else to
        // the default label" (the last entry).
        const u32 i = static_cast<u32>(fp[pc[1]]);
        pc = code + pc[3 + (i < pc[2] ? i : pc[2])];
        continue;
      }
      case Op::Select: fp[pc[1]] = static_cast<u32>(fp[pc[4]]) != 0 ? fp[pc[2]] : fp[pc[3]]; pc += 5; continue;
      case Op::Return1: fp[0] = fp[pc[1]]; goto do_return;
      case Op::Return: goto do_return;
      case Op::Safepoint: {
        if (kill.load(std::memory_order_relaxed)) [[unlikely]] {
          kill.store(false, std::memory_order_relaxed);
          kind = TrapKind::Killed;
          goto trapped;
        }
        if (slice_left <= 0) [[unlikely]] {
          s.frames.back().pc = pc;  // resume re-runs this safepoint, which then charges
          save_fuel();
          return RunStatus::Yielded;
        }
        const u32 cost = pc[1];
        if (fuel_left < cost) [[unlikely]] {
          kind = TrapKind::OutOfFuel;
          goto trapped;
        }
        fuel_left -= cost;
        slice_left -= cost;
        pc += 2;
        continue;
      }
      case Op::Call:
        callee = inst->functions[pc[1]];
        callee_fp = static_cast<size_t>(fp - s.slots.data()) + pc[2];
        call_words = kCallWords;
        goto do_call;
      case Op::CallIndirect:
        callee = indirect_callee(*inst, fp, pc, kind);
        if (callee == nullptr) goto trapped;
        callee_fp = static_cast<size_t>(fp - s.slots.data()) + pc[4];
        call_words = kCallIndirectWords;
        goto do_call;

      // ---- Variables, references, tables ------------------------------------------------------
      case Op::GlobalGet: fp[pc[1]] = inst->globals[pc[2]]->value; pc += 3; continue;
      case Op::GlobalSet: inst->globals[pc[1]]->value = fp[pc[2]]; pc += 3; continue;
      case Op::RefIsNull: fp[pc[1]] = fp[pc[2]] == 0 ? 1 : 0; pc += 3; continue;
      case Op::RefFunc: fp[pc[1]] = reinterpret_cast<uintptr_t>(inst->functions[pc[2]]); pc += 3; continue;
      case Op::TableGet: if (!table_get(*inst, fp, pc, kind)) goto trapped; pc += 4; continue;
      case Op::TableSet: if (!table_set(*inst, fp, pc, kind)) goto trapped; pc += 4; continue;
      case Op::TableSize: fp[pc[1]] = inst->tables[pc[2]]->size(); pc += 3; continue;
      case Op::TableGrow: table_grow(*inst, fp, pc); pc += 5; continue;
      case Op::TableFill: if (!table_fill(*inst, fp, pc, kind)) goto trapped; pc += 5; continue;
      case Op::TableCopy: if (!table_copy(*inst, fp, pc, kind)) goto trapped; pc += 6; continue;
      case Op::TableInit: if (!table_init(*inst, fp, pc, kind)) goto trapped; pc += 6; continue;
      case Op::ElemDrop: std::vector<Slot>().swap(inst->elements[pc[1]]); pc += 2; continue;

      // ---- Memory --------------------------------------------------------------------------
      case Op::I32Load: if (!load<u32, u32>(fp, pc, mem)) goto oob; continue;
      case Op::I64Load: if (!load<u64, u64>(fp, pc, mem)) goto oob; continue;
      case Op::F32Load: if (!load<f32, f32>(fp, pc, mem)) goto oob; continue;
      case Op::F64Load: if (!load<f64, f64>(fp, pc, mem)) goto oob; continue;
      case Op::I32Load8S: if (!load<int8_t, u32>(fp, pc, mem)) goto oob; continue;
      case Op::I32Load8U: if (!load<uint8_t, u32>(fp, pc, mem)) goto oob; continue;
      case Op::I32Load16S: if (!load<int16_t, u32>(fp, pc, mem)) goto oob; continue;
      case Op::I32Load16U: if (!load<uint16_t, u32>(fp, pc, mem)) goto oob; continue;
      case Op::I64Load8S: if (!load<int8_t, u64>(fp, pc, mem)) goto oob; continue;
      case Op::I64Load8U: if (!load<uint8_t, u64>(fp, pc, mem)) goto oob; continue;
      case Op::I64Load16S: if (!load<int16_t, u64>(fp, pc, mem)) goto oob; continue;
      case Op::I64Load16U: if (!load<uint16_t, u64>(fp, pc, mem)) goto oob; continue;
      case Op::I64Load32S: if (!load<int32_t, u64>(fp, pc, mem)) goto oob; continue;
      case Op::I64Load32U: if (!load<uint32_t, u64>(fp, pc, mem)) goto oob; continue;
      case Op::I32Store: if (!store<u32, u32>(fp, pc, mem)) goto oob; continue;
      case Op::I64Store: if (!store<u64, u64>(fp, pc, mem)) goto oob; continue;
      case Op::F32Store: if (!store<f32, f32>(fp, pc, mem)) goto oob; continue;
      case Op::F64Store: if (!store<f64, f64>(fp, pc, mem)) goto oob; continue;
      case Op::I32Store8: if (!store<uint8_t, u32>(fp, pc, mem)) goto oob; continue;
      case Op::I32Store16: if (!store<uint16_t, u32>(fp, pc, mem)) goto oob; continue;
      case Op::I64Store8: if (!store<uint8_t, u64>(fp, pc, mem)) goto oob; continue;
      case Op::I64Store16: if (!store<uint16_t, u64>(fp, pc, mem)) goto oob; continue;
      case Op::I64Store32: if (!store<uint32_t, u64>(fp, pc, mem)) goto oob; continue;
      case Op::MemorySize: fp[pc[1]] = inst->memories[0]->pages(); pc += 2; continue;
      case Op::MemoryGrow:
        fp[pc[1]] = static_cast<u32>(inst->memories[0]->grow(static_cast<u32>(fp[pc[2]])));
        mem = memory_view(inst);  // the memory may have moved
        pc += 3;
        continue;
      case Op::MemoryFill: if (!memory_fill(*inst, fp, pc, kind)) goto trapped; pc += 4; continue;
      case Op::MemoryCopy: if (!memory_copy(*inst, fp, pc, kind)) goto trapped; pc += 4; continue;
      case Op::MemoryInit: if (!memory_init(*inst, fp, pc, kind)) goto trapped; pc += 5; continue;
      case Op::DataDrop: inst->data_dropped[pc[1]] = true; pc += 2; continue;

      // ---- i32 -------------------------------------------------------------------------------
      case Op::I32Eqz: unary<u32, bool>(fp, pc, num::eqz<u32>); continue;
      case Op::I32Eq: binary<u32, bool>(fp, pc, num::eq<u32>); continue;
      case Op::I32Ne: binary<u32, bool>(fp, pc, num::ne<u32>); continue;
      case Op::I32LtS: binary<u32, bool>(fp, pc, num::lt_s<u32>); continue;
      case Op::I32LtU: binary<u32, bool>(fp, pc, num::lt_u<u32>); continue;
      case Op::I32GtS: binary<u32, bool>(fp, pc, num::gt_s<u32>); continue;
      case Op::I32GtU: binary<u32, bool>(fp, pc, num::gt_u<u32>); continue;
      case Op::I32LeS: binary<u32, bool>(fp, pc, num::le_s<u32>); continue;
      case Op::I32LeU: binary<u32, bool>(fp, pc, num::le_u<u32>); continue;
      case Op::I32GeS: binary<u32, bool>(fp, pc, num::ge_s<u32>); continue;
      case Op::I32GeU: binary<u32, bool>(fp, pc, num::ge_u<u32>); continue;
      case Op::I32Clz: unary<u32>(fp, pc, num::clz<u32>); continue;
      case Op::I32Ctz: unary<u32>(fp, pc, num::ctz<u32>); continue;
      case Op::I32Popcnt: unary<u32>(fp, pc, num::popcnt<u32>); continue;
      case Op::I32Add: binary<u32>(fp, pc, num::add<u32>); continue;
      case Op::I32Sub: binary<u32>(fp, pc, num::sub<u32>); continue;
      case Op::I32Mul: binary<u32>(fp, pc, num::mul<u32>); continue;
      case Op::I32DivS: if (!binary_checked<u32>(fp, pc, num::div_s<u32>, kind)) goto trapped; continue;
      case Op::I32DivU: if (!binary_checked<u32>(fp, pc, num::div_u<u32>, kind)) goto trapped; continue;
      case Op::I32RemS: if (!binary_checked<u32>(fp, pc, num::rem_s<u32>, kind)) goto trapped; continue;
      case Op::I32RemU: if (!binary_checked<u32>(fp, pc, num::rem_u<u32>, kind)) goto trapped; continue;
      case Op::I32And: binary<u32>(fp, pc, num::band<u32>); continue;
      case Op::I32Or: binary<u32>(fp, pc, num::bor<u32>); continue;
      case Op::I32Xor: binary<u32>(fp, pc, num::bxor<u32>); continue;
      case Op::I32Shl: binary<u32>(fp, pc, num::shl<u32>); continue;
      case Op::I32ShrS: binary<u32>(fp, pc, num::shr_s<u32>); continue;
      case Op::I32ShrU: binary<u32>(fp, pc, num::shr_u<u32>); continue;
      case Op::I32Rotl: binary<u32>(fp, pc, num::rotl<u32>); continue;
      case Op::I32Rotr: binary<u32>(fp, pc, num::rotr<u32>); continue;

      // ---- i64 -------------------------------------------------------------------------------
      case Op::I64Eqz: unary<u64, bool>(fp, pc, num::eqz<u64>); continue;
      case Op::I64Eq: binary<u64, bool>(fp, pc, num::eq<u64>); continue;
      case Op::I64Ne: binary<u64, bool>(fp, pc, num::ne<u64>); continue;
      case Op::I64LtS: binary<u64, bool>(fp, pc, num::lt_s<u64>); continue;
      case Op::I64LtU: binary<u64, bool>(fp, pc, num::lt_u<u64>); continue;
      case Op::I64GtS: binary<u64, bool>(fp, pc, num::gt_s<u64>); continue;
      case Op::I64GtU: binary<u64, bool>(fp, pc, num::gt_u<u64>); continue;
      case Op::I64LeS: binary<u64, bool>(fp, pc, num::le_s<u64>); continue;
      case Op::I64LeU: binary<u64, bool>(fp, pc, num::le_u<u64>); continue;
      case Op::I64GeS: binary<u64, bool>(fp, pc, num::ge_s<u64>); continue;
      case Op::I64GeU: binary<u64, bool>(fp, pc, num::ge_u<u64>); continue;
      case Op::I64Clz: unary<u64>(fp, pc, num::clz<u64>); continue;
      case Op::I64Ctz: unary<u64>(fp, pc, num::ctz<u64>); continue;
      case Op::I64Popcnt: unary<u64>(fp, pc, num::popcnt<u64>); continue;
      case Op::I64Add: binary<u64>(fp, pc, num::add<u64>); continue;
      case Op::I64Sub: binary<u64>(fp, pc, num::sub<u64>); continue;
      case Op::I64Mul: binary<u64>(fp, pc, num::mul<u64>); continue;
      case Op::I64DivS: if (!binary_checked<u64>(fp, pc, num::div_s<u64>, kind)) goto trapped; continue;
      case Op::I64DivU: if (!binary_checked<u64>(fp, pc, num::div_u<u64>, kind)) goto trapped; continue;
      case Op::I64RemS: if (!binary_checked<u64>(fp, pc, num::rem_s<u64>, kind)) goto trapped; continue;
      case Op::I64RemU: if (!binary_checked<u64>(fp, pc, num::rem_u<u64>, kind)) goto trapped; continue;
      case Op::I64And: binary<u64>(fp, pc, num::band<u64>); continue;
      case Op::I64Or: binary<u64>(fp, pc, num::bor<u64>); continue;
      case Op::I64Xor: binary<u64>(fp, pc, num::bxor<u64>); continue;
      case Op::I64Shl: binary<u64>(fp, pc, num::shl<u64>); continue;
      case Op::I64ShrS: binary<u64>(fp, pc, num::shr_s<u64>); continue;
      case Op::I64ShrU: binary<u64>(fp, pc, num::shr_u<u64>); continue;
      case Op::I64Rotl: binary<u64>(fp, pc, num::rotl<u64>); continue;
      case Op::I64Rotr: binary<u64>(fp, pc, num::rotr<u64>); continue;

      // ---- f32 / f64 -----------------------------------------------------------------------
      case Op::F32Eq: binary<f32, bool>(fp, pc, num::feq<f32>); continue;
      case Op::F32Ne: binary<f32, bool>(fp, pc, num::fne<f32>); continue;
      case Op::F32Lt: binary<f32, bool>(fp, pc, num::flt<f32>); continue;
      case Op::F32Gt: binary<f32, bool>(fp, pc, num::fgt<f32>); continue;
      case Op::F32Le: binary<f32, bool>(fp, pc, num::fle<f32>); continue;
      case Op::F32Ge: binary<f32, bool>(fp, pc, num::fge<f32>); continue;
      case Op::F64Eq: binary<f64, bool>(fp, pc, num::feq<f64>); continue;
      case Op::F64Ne: binary<f64, bool>(fp, pc, num::fne<f64>); continue;
      case Op::F64Lt: binary<f64, bool>(fp, pc, num::flt<f64>); continue;
      case Op::F64Gt: binary<f64, bool>(fp, pc, num::fgt<f64>); continue;
      case Op::F64Le: binary<f64, bool>(fp, pc, num::fle<f64>); continue;
      case Op::F64Ge: binary<f64, bool>(fp, pc, num::fge<f64>); continue;
      case Op::F32Abs: unary<f32>(fp, pc, num::fabs_<f32>); continue;
      case Op::F32Neg: unary<f32>(fp, pc, num::fneg<f32>); continue;
      case Op::F32Ceil: unary<f32>(fp, pc, num::fceil<f32>); continue;
      case Op::F32Floor: unary<f32>(fp, pc, num::ffloor<f32>); continue;
      case Op::F32Trunc: unary<f32>(fp, pc, num::ftrunc<f32>); continue;
      case Op::F32Nearest: unary<f32>(fp, pc, num::fnearest<f32>); continue;
      case Op::F32Sqrt: unary<f32>(fp, pc, num::fsqrt<f32>); continue;
      case Op::F32Add: binary<f32>(fp, pc, num::fadd<f32>); continue;
      case Op::F32Sub: binary<f32>(fp, pc, num::fsub<f32>); continue;
      case Op::F32Mul: binary<f32>(fp, pc, num::fmul<f32>); continue;
      case Op::F32Div: binary<f32>(fp, pc, num::fdiv<f32>); continue;
      case Op::F32Min: binary<f32>(fp, pc, num::fmin<f32>); continue;
      case Op::F32Max: binary<f32>(fp, pc, num::fmax<f32>); continue;
      case Op::F32Copysign: binary<f32>(fp, pc, num::fcopysign<f32>); continue;
      case Op::F64Abs: unary<f64>(fp, pc, num::fabs_<f64>); continue;
      case Op::F64Neg: unary<f64>(fp, pc, num::fneg<f64>); continue;
      case Op::F64Ceil: unary<f64>(fp, pc, num::fceil<f64>); continue;
      case Op::F64Floor: unary<f64>(fp, pc, num::ffloor<f64>); continue;
      case Op::F64Trunc: unary<f64>(fp, pc, num::ftrunc<f64>); continue;
      case Op::F64Nearest: unary<f64>(fp, pc, num::fnearest<f64>); continue;
      case Op::F64Sqrt: unary<f64>(fp, pc, num::fsqrt<f64>); continue;
      case Op::F64Add: binary<f64>(fp, pc, num::fadd<f64>); continue;
      case Op::F64Sub: binary<f64>(fp, pc, num::fsub<f64>); continue;
      case Op::F64Mul: binary<f64>(fp, pc, num::fmul<f64>); continue;
      case Op::F64Div: binary<f64>(fp, pc, num::fdiv<f64>); continue;
      case Op::F64Min: binary<f64>(fp, pc, num::fmin<f64>); continue;
      case Op::F64Max: binary<f64>(fp, pc, num::fmax<f64>); continue;
      case Op::F64Copysign: binary<f64>(fp, pc, num::fcopysign<f64>); continue;

      // ---- Conversions ---------------------------------------------------------------------
      case Op::I32WrapI64: unary<u64, u32>(fp, pc, num::wrap); continue;
      case Op::I64ExtendI32S: unary<u32, u64>(fp, pc, num::extend_i32_s); continue;
      case Op::I64ExtendI32U: unary<u32, u64>(fp, pc, num::extend_i32_u); continue;
      case Op::I32TruncF32S: if (!truncate<i32, f32>(fp, pc, kind)) goto trapped; continue;
      case Op::I32TruncF32U: if (!truncate<u32, f32>(fp, pc, kind)) goto trapped; continue;
      case Op::I32TruncF64S: if (!truncate<i32, f64>(fp, pc, kind)) goto trapped; continue;
      case Op::I32TruncF64U: if (!truncate<u32, f64>(fp, pc, kind)) goto trapped; continue;
      case Op::I64TruncF32S: if (!truncate<i64, f32>(fp, pc, kind)) goto trapped; continue;
      case Op::I64TruncF32U: if (!truncate<u64, f32>(fp, pc, kind)) goto trapped; continue;
      case Op::I64TruncF64S: if (!truncate<i64, f64>(fp, pc, kind)) goto trapped; continue;
      case Op::I64TruncF64U: if (!truncate<u64, f64>(fp, pc, kind)) goto trapped; continue;
      case Op::I32TruncSatF32S: unary<f32, i32>(fp, pc, num::trunc_sat<i32, f32>); continue;
      case Op::I32TruncSatF32U: unary<f32, u32>(fp, pc, num::trunc_sat<u32, f32>); continue;
      case Op::I32TruncSatF64S: unary<f64, i32>(fp, pc, num::trunc_sat<i32, f64>); continue;
      case Op::I32TruncSatF64U: unary<f64, u32>(fp, pc, num::trunc_sat<u32, f64>); continue;
      case Op::I64TruncSatF32S: unary<f32, i64>(fp, pc, num::trunc_sat<i64, f32>); continue;
      case Op::I64TruncSatF32U: unary<f32, u64>(fp, pc, num::trunc_sat<u64, f32>); continue;
      case Op::I64TruncSatF64S: unary<f64, i64>(fp, pc, num::trunc_sat<i64, f64>); continue;
      case Op::I64TruncSatF64U: unary<f64, u64>(fp, pc, num::trunc_sat<u64, f64>); continue;
      case Op::F32ConvertI32S: unary<i32, f32>(fp, pc, num::convert<f32, i32>); continue;
      case Op::F32ConvertI32U: unary<u32, f32>(fp, pc, num::convert<f32, u32>); continue;
      case Op::F32ConvertI64S: unary<i64, f32>(fp, pc, num::convert<f32, i64>); continue;
      case Op::F32ConvertI64U: unary<u64, f32>(fp, pc, num::convert<f32, u64>); continue;
      case Op::F64ConvertI32S: unary<i32, f64>(fp, pc, num::convert<f64, i32>); continue;
      case Op::F64ConvertI32U: unary<u32, f64>(fp, pc, num::convert<f64, u32>); continue;
      case Op::F64ConvertI64S: unary<i64, f64>(fp, pc, num::convert<f64, i64>); continue;
      case Op::F64ConvertI64U: unary<u64, f64>(fp, pc, num::convert<f64, u64>); continue;
      case Op::F32DemoteF64: unary<f64, f32>(fp, pc, num::demote); continue;
      case Op::F64PromoteF32: unary<f32, f64>(fp, pc, num::promote); continue;
      case Op::I32ReinterpretF32: unary<u32>(fp, pc, num::same_bits<u32>); continue;
      case Op::I64ReinterpretF64: unary<u64>(fp, pc, num::same_bits<u64>); continue;
      case Op::F32ReinterpretI32: unary<u32>(fp, pc, num::same_bits<u32>); continue;
      case Op::F64ReinterpretI64: unary<u64>(fp, pc, num::same_bits<u64>); continue;
      case Op::I32Extend8S: unary<u32>(fp, pc, num::extend_s<u32, int8_t>); continue;
      case Op::I32Extend16S: unary<u32>(fp, pc, num::extend_s<u32, int16_t>); continue;
      case Op::I64Extend8S: unary<u64>(fp, pc, num::extend_s<u64, int8_t>); continue;
      case Op::I64Extend16S: unary<u64>(fp, pc, num::extend_s<u64, int16_t>); continue;
      case Op::I64Extend32S: unary<u64>(fp, pc, num::extend_s<u64, int32_t>); continue;

      // Never emitted by lowering (structure, constants and locals are resolved away).
      default: kind = TrapKind::Unreachable; goto trapped;
    }

  do_call:
    s.frames.back().pc = pc;  // a backtrace names the call; a Park re-runs it
    if (callee->is_host()) {
      switch (call_host(t, *callee, callee_fp, inst, host_trap)) {
        case HostStatus::Return:
          fp = s.slots.data() + s.frames.back().fp;
          mem = memory_view(inst);  // the host may have grown the memory
          pc += call_words;
          continue;
        case HostStatus::Trap: save_fuel(); return trap(t, std::move(host_trap), pc);
        case HostStatus::Park: save_fuel(); return RunStatus::Parked;
      }
    }
    if (!push_frame(t, *callee, callee_fp)) [[unlikely]] {
      kind = TrapKind::CallStackExhausted;
      goto trapped;
    }
    enter_top();
    pc = code;
    continue;

  do_return:
    s.frames.pop_back();
    if (s.frames.empty()) {
      save_fuel();
      s.phase = State::Phase::Done;
      return RunStatus::Done;
    }
    enter_top();
    pc = s.frames.back().pc;
    pc += static_cast<Op>(*pc) == Op::Call ? kCallWords : kCallIndirectWords;
    continue;

  oob:
    kind = TrapKind::MemoryOutOfBounds;
  trapped:
    save_fuel();
    return trap(t, trap_at(kind, fp, pc), pc);
  }
}

}  // namespace lunatic::engine
