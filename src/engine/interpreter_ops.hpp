// Operand plumbing for the dispatch loop: read the slots an instruction names, apply a numeric
// helper (numeric.hpp), write the result, step the pc. Internal to interpreter*.cpp.
#pragma once

#include <cstdint>
#include <cstring>

#include "engine/code.hpp"
#include "engine/fuel_meter.hpp"
#include "engine/numeric.hpp"
#include "engine/store.hpp"

#define LUNATIC_INLINE inline __attribute__((always_inline))

namespace lunatic::engine::ops {

/// [op, dst, a]: dst = f(a), A the operand type, R the result type.
template <class A, class R = A, class F>
LUNATIC_INLINE void unary(Slot* fp, const uint32_t*& pc, F f) {
  fp[pc[1]] = num::put<R>(f(num::get<A>(fp[pc[2]])));
  pc += 3;
}

/// [op, dst, a, b]: dst = f(a, b).
template <class A, class R = A, class F>
LUNATIC_INLINE void binary(Slot* fp, const uint32_t*& pc, F f) {
  fp[pc[1]] = num::put<R>(f(num::get<A>(fp[pc[2]]), num::get<A>(fp[pc[3]])));
  pc += 4;
}

/// [op, dst, a, imm]: dst = f(a, imm), the 32-bit immediate sign-extended to T.
template <class T, class F> LUNATIC_INLINE void binary_imm(Slot* fp, const uint32_t*& pc, F f) {
  const T imm = static_cast<T>(static_cast<int32_t>(pc[3]));
  fp[pc[1]] = num::put<T>(f(num::get<T>(fp[pc[2]]), imm));
  pc += 4;
}

/// [op, dst, a, b] for operations that may trap: false (pc unchanged, `trap` set) if so.
template <class T, class F>
LUNATIC_INLINE bool binary_checked(Slot* fp, const uint32_t*& pc, F f, TrapKind& trap) {
  T r;
  if (!f(num::get<T>(fp[pc[2]]), num::get<T>(fp[pc[3]]), r, trap)) [[unlikely]]
    return false;
  fp[pc[1]] = num::put<T>(r);
  pc += 4;
  return true;
}

/// [op, dst, a]: float-to-integer truncation that traps on NaN and out-of-range values.
template <class I, class F>
LUNATIC_INLINE bool truncate(Slot* fp, const uint32_t*& pc, TrapKind& trap) {
  I r;
  if (!num::trunc<I, F>(num::get<F>(fp[pc[2]]), r, trap)) [[unlikely]]
    return false;
  fp[pc[1]] = num::put<I>(r);
  pc += 3;
  return true;
}

/// At a Safepoint [op, cost] reached by a call or a back-edge: charges it and skips it when the
/// budget covers the cost (the common case), else stops on it and its handler decides.
LUNATIC_INLINE const uint32_t* pass_safepoint(const uint32_t* at, int64_t& budget) {
  const int64_t cost = at[1];
  if (budget < cost) [[unlikely]]
    return at;
  budget -= cost;
  return at + 2;
}

/// The target of the branch whose target word is `word` (code.hpp: relative to that word). A
/// backward branch is a loop's back-edge: it lands on the loop's Safepoint and passes it here.
LUNATIC_INLINE const uint32_t* jump(const uint32_t* word, int64_t& budget) {
  const int32_t delta = static_cast<int32_t>(*word);
  const uint32_t* target = word + delta;
  return delta < 0 ? pass_safepoint(target, budget) : target;
}

/// [op, a, b, target]: fused compare and branch.
template <class T, class F>
LUNATIC_INLINE void branch_if(Slot* fp, const uint32_t*& pc, int64_t& budget, F f) {
  pc = f(num::get<T>(fp[pc[1]]), num::get<T>(fp[pc[2]])) ? jump(pc + 3, budget) : pc + 4;
}

/// [op, a, imm, target]: compare (i32) with a constant and branch.
template <class F>
LUNATIC_INLINE void branch_if_imm(Slot* fp, const uint32_t*& pc, int64_t& budget, F f) {
  pc = f(num::get<uint32_t>(fp[pc[1]]), pc[2]) ? jump(pc + 3, budget) : pc + 4;
}

/// [op, dst, a, b, c, target]: dst = a + b (i32), then branch if dst <f> c.
template <class F>
LUNATIC_INLINE void add_branch_if(Slot* fp, const uint32_t*& pc, int64_t& budget, F f) {
  const uint32_t r = num::get<uint32_t>(fp[pc[2]]) + num::get<uint32_t>(fp[pc[3]]);
  fp[pc[1]] = r;
  pc = f(r, num::get<uint32_t>(fp[pc[4]])) ? jump(pc + 5, budget) : pc + 6;
}

/// Zeroes the declared locals of a new frame and puts its constants in place (code.hpp).
LUNATIC_INLINE void init_frame(const CompiledFunction& fn, Slot* base) {
  Slot* p = base + fn.param_count;
  if (fn.has_small_init) {
    // Slot by slot: one 16-byte copy here made fib 20% slower (the 8-byte reads that follow
    // seem not to forward from it on this machine), although it executes fewer instructions.
    for (uint32_t i = 0; i < CompiledFunction::kSmallInit; ++i) p[i] = fn.small_init[i];
    return;
  }
  for (uint32_t i = 0; i < fn.local_count; ++i) p[i] = 0;
  p += fn.local_count;
  const Slot* c = fn.constants.data();
  for (size_t i = 0, n = fn.constants.size(); i < n; ++i) p[i] = c[i];
}

/// The linear memory as the loop caches it: reloaded after calls and memory.grow.
struct MemoryView {
  uint8_t* base = nullptr;
  uint64_t size = 0;
};

/// "Let ea be i + memarg.offset; if ea + N/8 is larger than the length of mem.data, trap."
/// The sum is taken in 64 bits, so it cannot wrap.
template <class M> LUNATIC_INLINE bool in_bounds(MemoryView mem, uint64_t ea) {
  return ea + sizeof(M) <= mem.size;
}

/// [op, dst, addr, offset]: load an M and extend it (sign or zero, by M's signedness) to R.
template <class M, class R>
LUNATIC_INLINE bool load(Slot* fp, const uint32_t*& pc, MemoryView mem) {
  const uint64_t ea = uint64_t{static_cast<uint32_t>(fp[pc[2]])} + pc[3];
  if (!in_bounds<M>(mem, ea)) [[unlikely]]
    return false;
  M m;
  std::memcpy(&m, mem.base + ea, sizeof(M));
  fp[pc[1]] = num::put<R>(static_cast<R>(m));
  pc += 4;
  return true;
}

/// [op, addr, value, offset]: store the low bytes of a T as an M ("wrap").
template <class M, class T>
LUNATIC_INLINE bool store(Slot* fp, const uint32_t*& pc, MemoryView mem) {
  const uint64_t ea = uint64_t{static_cast<uint32_t>(fp[pc[1]])} + pc[3];
  if (!in_bounds<M>(mem, ea)) [[unlikely]]
    return false;
  const M m = static_cast<M>(num::get<T>(fp[pc[2]]));
  std::memcpy(mem.base + ea, &m, sizeof(M));
  pc += 4;
  return true;
}

/// [op, dst, a, b, offset]: load from address a + b (an i32.add, wrapping), as load<M, R>.
template <class M, class R>
LUNATIC_INLINE bool load_add(Slot* fp, const uint32_t*& pc, MemoryView mem) {
  const uint32_t address = num::get<uint32_t>(fp[pc[2]]) + num::get<uint32_t>(fp[pc[3]]);
  const uint64_t ea = uint64_t{address} + pc[4];
  if (!in_bounds<M>(mem, ea)) [[unlikely]]
    return false;
  M m;
  std::memcpy(&m, mem.base + ea, sizeof(M));
  fp[pc[1]] = num::put<R>(static_cast<R>(m));
  pc += 5;
  return true;
}

/// [op, a, b, value, offset]: store to address a + b (an i32.add, wrapping), as store<M, T>.
template <class M, class T>
LUNATIC_INLINE bool store_add(Slot* fp, const uint32_t*& pc, MemoryView mem) {
  const uint32_t address = num::get<uint32_t>(fp[pc[1]]) + num::get<uint32_t>(fp[pc[2]]);
  const uint64_t ea = uint64_t{address} + pc[4];
  if (!in_bounds<M>(mem, ea)) [[unlikely]]
    return false;
  const M m = static_cast<M>(num::get<T>(fp[pc[3]]));
  std::memcpy(mem.base + ea, &m, sizeof(M));
  pc += 5;
  return true;
}

/// A v128 (two slots) from s to d; both are read first, so the pairs may overlap.
LUNATIC_INLINE void copy2(Slot* fp, uint32_t d, uint32_t s) {
  const Slot lo = fp[s], hi = fp[s + 1];
  fp[d] = lo;
  fp[d + 1] = hi;
}
/// [op, dst, global] and [op, global, src] for a v128 global.
LUNATIC_INLINE void global_get2(const Instance& inst, Slot* fp, const uint32_t* pc) {
  const Global& g = *inst.globals[pc[2]];
  fp[pc[1]] = g.value;
  fp[pc[1] + 1] = g.hi;
}
LUNATIC_INLINE void global_set2(const Instance& inst, Slot* fp, const uint32_t* pc) {
  Global& g = *inst.globals[pc[1]];
  g.value = fp[pc[2]];
  g.hi = fp[pc[2] + 1];
}

inline MemoryView memory_view(const Instance* inst) {
  if (inst == nullptr || inst->memories.empty() || inst->memories[0] == nullptr) return {};
  const Memory* m = inst->memories[0];
  return {m->data(), m->size_bytes()};
}

// Out-of-line instructions (interpreter_bulk.cpp): false with `trap` set when they trap. Those
// with a meter charge their size to it (instance_ops.hpp).
bool memory_fill(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                 TrapKind& trap);
bool memory_copy(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                 TrapKind& trap);
bool memory_init(Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter, TrapKind& trap);
/// data.drop: without flags (no passive segment), every segment is dropped already.
bool table_get(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap);
bool table_set(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap);
bool table_grow(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                TrapKind& trap);
bool table_fill(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                TrapKind& trap);
bool table_copy(const Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter,
                TrapKind& trap);
bool table_init(Instance& inst, Slot* fp, const uint32_t* pc, FuelMeter& meter, TrapKind& trap);
/// Runs the SIMD instruction at pc (interpreter_simd.cpp): the next pc, or null with `trap` set
/// when it traps (only the memory accesses do). pc goes by value: a reference would make the
/// loop's pc register addressable, and the whole loop slower (measured: fib +17%).
const uint32_t* execute_simd(Slot* fp, const uint32_t* pc, MemoryView mem, TrapKind& trap);
/// call_indirect's checks: the function at the table index, or null with `trap` set.
Function* indirect_callee(const Instance& inst, Slot* fp, const uint32_t* pc, TrapKind& trap);

}  // namespace lunatic::engine::ops
