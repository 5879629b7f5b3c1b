// The fixed-width SIMD instructions for the dispatch loop: simd_step, one switch whose cases
// read their v128 operands from slot pairs and apply a typed helper of simd.hpp. The loop runs
// the hot instructions (inline_simd) as its own handlers, where the switch folds to one case,
// and the rest through execute_simd (interpreter_simd.cpp), an out-of-line copy of the switch.
// Internal to interpreter*.cpp.
#pragma once

#include <bit>
#include <cstring>

#include "engine/interpreter_ops.hpp"
#include "engine/simd.hpp"

namespace lunatic::engine::ops {
namespace simd_detail {

using simd::V128;
using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using f32 = float;
using f64 = double;

// A v128 operand lives in slots s and s + 1 (code.hpp). Read and written as 16 bytes: slot by
// slot, GCC loaded each half on its own (movq + movhps) and wrote the result through the stack.
LUNATIC_INLINE V128 vget(const Slot* fp, uint32_t s) {
  V128 v;
  std::memcpy(&v, fp + s, sizeof v);
  return v;
}
LUNATIC_INLINE void vput(Slot* fp, uint32_t s, V128 v) { std::memcpy(fp + s, &v, sizeof v); }

// The effective address of a v128 memory access of `bytes` [op, ..., addr at word 1 or 2, ...],
// or null when it is out of bounds ("if ea + N/8 is larger than the length of mem.data, trap").
LUNATIC_INLINE uint8_t* address(MemoryView mem, const Slot* fp, uint32_t addr_slot, uint32_t offset,
                                uint32_t bytes) {
  const uint64_t ea = uint64_t{static_cast<uint32_t>(fp[addr_slot])} + offset;
  return ea + bytes <= mem.size ? mem.base + ea : nullptr;
}

// Lane access to scalar slots: i32 and f32 results are zero-extended bit patterns (Slot rules).
template <class T> LUNATIC_INLINE T scalar(Slot s) { return static_cast<T>(s); }

// The v128 loads with a memarg (v128.load, the extending, splatting and zeroing loads): the
// bytes each reads, and the value it makes of them. Folds to one case for a constant `op`.
constexpr uint32_t load_bytes(Op op) {
  switch (op) {
    case Op::V128Load: return 16;
    case Op::V128Load8Splat: return 1;
    case Op::V128Load16Splat: return 2;
    case Op::V128Load32Splat:
    case Op::V128Load32Zero: return 4;
    default: return 8;  // the 8x8, 16x4 and 32x2 extending loads, load64_splat, load64_zero
  }
}
LUNATIC_INLINE V128 load_value(Op op, const uint8_t* p) {
  using namespace simd;  // NOLINT
  switch (op) {
    case Op::V128Load8x8S: return load_extend<i8, i16>(p);
    case Op::V128Load8x8U: return load_extend<u8, u16>(p);
    case Op::V128Load16x4S: return load_extend<i16, i32>(p);
    case Op::V128Load16x4U: return load_extend<u16, u32>(p);
    case Op::V128Load32x2S: return load_extend<i32, i64>(p);
    case Op::V128Load32x2U: return load_extend<u32, u64>(p);
    case Op::V128Load8Splat: return load_splat<u8>(p);
    case Op::V128Load16Splat: return load_splat<u16>(p);
    case Op::V128Load32Splat: return load_splat<u32>(p);
    case Op::V128Load64Splat: return load_splat<u64>(p);
    case Op::V128Load32Zero: return load_zero<u32>(p);
    case Op::V128Load64Zero: return load_zero<u64>(p);
    default: return simd::load(p);  // v128.load
  }
}

}  // namespace simd_detail

/// A v128 load or store with a memarg whose address an i32.add computed (the fused forms of
/// code.hpp, `op` the Wasm access): [op, dst, a, b, offset] or [op, a, b, value, offset], at
/// a + b (wrapping, as the add) + offset. Steps pc, or returns false when out of bounds.
LUNATIC_INLINE bool simd_access_add(Op op, Slot* fp, const uint32_t*& pc, MemoryView mem) {
  using namespace simd_detail;  // NOLINT
  const bool store = op == Op::V128Store;
  const uint32_t a = store ? pc[1] : pc[2], b = store ? pc[2] : pc[3];
  const uint32_t address = static_cast<uint32_t>(fp[a]) + static_cast<uint32_t>(fp[b]);
  const uint64_t ea = uint64_t{address} + pc[4];
  const uint32_t bytes = store ? 16 : load_bytes(op);
  if (ea + bytes > mem.size) [[unlikely]]
    return false;
  if (store)
    simd::store(mem.base + ea, vget(fp, pc[3]));
  else
    vput(fp, pc[1], load_value(op, mem.base + ea));
  pc += 5;
  return true;
}

/// [op, dst, a, b, c]: dst = f(a, b) + c in i32 lanes, the fused accumulations of code.hpp.
template <class F> LUNATIC_INLINE void simd_accumulate(Slot* fp, const uint32_t*& pc, F f) {
  using namespace simd_detail;  // NOLINT
  vput(fp, pc[1], simd::add<u32>(f(vget(fp, pc[2]), vget(fp, pc[3])), vget(fp, pc[4])));
  pc += 5;
}

/// Runs the SIMD instruction at pc, whose opcode is `op`: steps pc past it, or returns false
/// (pc unchanged, `trap` set) when it traps (only the memory accesses do). Inlined where it is
/// called: with a constant `op` it is one case.
LUNATIC_INLINE bool simd_step(Op op, Slot* fp, const uint32_t*& pc, MemoryView mem,
                              TrapKind& trap) {
  using namespace simd;         // NOLINT: the cases are written in the helpers' vocabulary
  using namespace simd_detail;  // NOLINT
  // Shapes: [op, dst, a] unary, [op, dst, a, b] binary, [op, dst, a, n] shifts (n an i32).
#define UN(name, expr)              \
  case Op::name: {                  \
    const V128 a = vget(fp, pc[2]); \
    vput(fp, pc[1], expr);          \
    pc += 3;                        \
    return true;                    \
  }
#define BIN(name, fn)                                      \
  case Op::name:                                           \
    vput(fp, pc[1], fn(vget(fp, pc[2]), vget(fp, pc[3]))); \
    pc += 4;                                               \
    return true;
#define SHIFT(name, fn)                                                \
  case Op::name:                                                       \
    vput(fp, pc[1], fn(vget(fp, pc[2]), static_cast<u32>(fp[pc[3]]))); \
    pc += 4;                                                           \
    return true;
  // [op, dst, a] with a scalar result (i32 bits).
#define TEST(name, expr)                \
  case Op::name: {                      \
    const V128 a = vget(fp, pc[2]);     \
    fp[pc[1]] = static_cast<u32>(expr); \
    pc += 3;                            \
    return true;                        \
  }
  // [op, dst, x]: splat the low bits of a scalar slot (float lanes take the bit pattern).
#define SPLAT(name, T)                               \
  case Op::name:                                     \
    vput(fp, pc[1], splat<T>(scalar<T>(fp[pc[2]]))); \
    pc += 3;                                         \
    return true;
  // [op, dst, a, lane]: the lane, extended to the scalar's slot bits R.
#define EXTRACT(name, T, R)                                         \
  case Op::name:                                                    \
    fp[pc[1]] = static_cast<R>(extract<T>(vget(fp, pc[2]), pc[3])); \
    pc += 4;                                                        \
    return true;
  // [op, dst, a, x, lane].
#define REPLACE(name, T)                                                       \
  case Op::name:                                                               \
    vput(fp, pc[1], replace<T>(vget(fp, pc[2]), pc[4], scalar<T>(fp[pc[3]]))); \
    pc += 5;                                                                   \
    return true;
  // [op, dst, addr, offset].
#define LOAD(name)                                                           \
  case Op::name: {                                                           \
    const uint8_t* p = address(mem, fp, pc[2], pc[3], load_bytes(Op::name)); \
    if (p == nullptr) [[unlikely]]                                           \
      break;                                                                 \
    vput(fp, pc[1], load_value(Op::name, p));                                \
    pc += 4;                                                                 \
    return true;                                                             \
  }
  // [op, dst, addr, vec, offset, lane] and [op, addr, vec, offset, lane].
#define LOAD_LANE(name, T)                                        \
  case Op::name: {                                                \
    const uint8_t* p = address(mem, fp, pc[2], pc[4], sizeof(T)); \
    if (p == nullptr) [[unlikely]]                                \
      break;                                                      \
    vput(fp, pc[1], load_lane<T>(p, vget(fp, pc[3]), pc[5]));     \
    pc += 6;                                                      \
    return true;                                                  \
  }
#define STORE_LANE(name, T)                                 \
  case Op::name: {                                          \
    uint8_t* p = address(mem, fp, pc[1], pc[3], sizeof(T)); \
    if (p == nullptr) [[unlikely]]                          \
      break;                                                \
    store_lane<T>(p, vget(fp, pc[2]), pc[4]);               \
    pc += 5;                                                \
    return true;                                            \
  }
  // One case a line reads as a table; clang-format would split them.
  // clang-format off
  switch (op) {
    // ---- Memory ----------------------------------------------------------------------------
    LOAD(V128Load) LOAD(V128Load8x8S) LOAD(V128Load8x8U) LOAD(V128Load16x4S)
    LOAD(V128Load16x4U) LOAD(V128Load32x2S) LOAD(V128Load32x2U) LOAD(V128Load8Splat)
    LOAD(V128Load16Splat) LOAD(V128Load32Splat) LOAD(V128Load64Splat) LOAD(V128Load32Zero)
    LOAD(V128Load64Zero)
    case Op::V128Store: {
      uint8_t* p = address(mem, fp, pc[1], pc[3], 16);
      if (p == nullptr) [[unlikely]] break;
      simd::store(p, vget(fp, pc[2]));
      pc += 4;
      return true;
    }
    LOAD_LANE(V128Load8Lane, u8) LOAD_LANE(V128Load16Lane, u16)
    LOAD_LANE(V128Load32Lane, u32) LOAD_LANE(V128Load64Lane, u64)
    STORE_LANE(V128Store8Lane, u8) STORE_LANE(V128Store16Lane, u16)
    STORE_LANE(V128Store32Lane, u32) STORE_LANE(V128Store64Lane, u64)

    // ---- Lanes -----------------------------------------------------------------------------
    case Op::I8x16Shuffle: {
      // The 16 lane bytes packed little-endian in 4 words: on this little-endian host, in order.
      static_assert(std::endian::native == std::endian::little);
      u8x16 lanes;
      std::memcpy(&lanes, pc + 4, 16);
      vput(fp, pc[1], shuffle_lanes(vget(fp, pc[2]), vget(fp, pc[3]), lanes));
      pc += 8;
      return true;
    }
    BIN(I8x16Swizzle, swizzle)
    SPLAT(I8x16Splat, u8) SPLAT(I16x8Splat, u16) SPLAT(I32x4Splat, u32)
    SPLAT(I64x2Splat, u64) SPLAT(F32x4Splat, u32) SPLAT(F64x2Splat, u64)
    EXTRACT(I8x16ExtractLaneS, i8, u32) EXTRACT(I8x16ExtractLaneU, u8, u32)
    EXTRACT(I16x8ExtractLaneS, i16, u32) EXTRACT(I16x8ExtractLaneU, u16, u32)
    EXTRACT(I32x4ExtractLane, u32, u32) EXTRACT(I64x2ExtractLane, u64, u64)
    EXTRACT(F32x4ExtractLane, u32, u32) EXTRACT(F64x2ExtractLane, u64, u64)
    REPLACE(I8x16ReplaceLane, u8) REPLACE(I16x8ReplaceLane, u16) REPLACE(I32x4ReplaceLane, u32)
    REPLACE(I64x2ReplaceLane, u64) REPLACE(F32x4ReplaceLane, u32) REPLACE(F64x2ReplaceLane, u64)

    // ---- Comparisons -----------------------------------------------------------------------
    BIN(I8x16Eq, eq<u8>) BIN(I8x16Ne, ne<u8>) BIN(I8x16LtS, lt<i8>) BIN(I8x16LtU, lt<u8>)
    BIN(I8x16GtS, gt<i8>) BIN(I8x16GtU, gt<u8>) BIN(I8x16LeS, le<i8>) BIN(I8x16LeU, le<u8>)
    BIN(I8x16GeS, ge<i8>) BIN(I8x16GeU, ge<u8>)
    BIN(I16x8Eq, eq<u16>) BIN(I16x8Ne, ne<u16>) BIN(I16x8LtS, lt<i16>) BIN(I16x8LtU, lt<u16>)
    BIN(I16x8GtS, gt<i16>) BIN(I16x8GtU, gt<u16>) BIN(I16x8LeS, le<i16>) BIN(I16x8LeU, le<u16>)
    BIN(I16x8GeS, ge<i16>) BIN(I16x8GeU, ge<u16>)
    BIN(I32x4Eq, eq<u32>) BIN(I32x4Ne, ne<u32>) BIN(I32x4LtS, lt<i32>) BIN(I32x4LtU, lt<u32>)
    BIN(I32x4GtS, gt<i32>) BIN(I32x4GtU, gt<u32>) BIN(I32x4LeS, le<i32>) BIN(I32x4LeU, le<u32>)
    BIN(I32x4GeS, ge<i32>) BIN(I32x4GeU, ge<u32>)
    BIN(I64x2Eq, eq<u64>) BIN(I64x2Ne, ne<u64>) BIN(I64x2LtS, lt<i64>) BIN(I64x2GtS, gt<i64>)
    BIN(I64x2LeS, le<i64>) BIN(I64x2GeS, ge<i64>)
    BIN(F32x4Eq, feq<f32>) BIN(F32x4Ne, fne<f32>) BIN(F32x4Lt, flt<f32>) BIN(F32x4Gt, fgt<f32>)
    BIN(F32x4Le, fle<f32>) BIN(F32x4Ge, fge<f32>)
    BIN(F64x2Eq, feq<f64>) BIN(F64x2Ne, fne<f64>) BIN(F64x2Lt, flt<f64>) BIN(F64x2Gt, fgt<f64>)
    BIN(F64x2Le, fle<f64>) BIN(F64x2Ge, fge<f64>)

    // ---- Bitwise ---------------------------------------------------------------------------
    UN(V128Not, vnot(a)) BIN(V128And, vand) BIN(V128Andnot, vandnot) BIN(V128Or, vor)
    BIN(V128Xor, vxor)
    case Op::V128Bitselect:
      vput(fp, pc[1], bitselect(vget(fp, pc[2]), vget(fp, pc[3]), vget(fp, pc[4])));
      pc += 5;
      return true;
    TEST(V128AnyTrue, any_true(a))

    // ---- Integer lanes ---------------------------------------------------------------------
    UN(I8x16Abs, abs<u8>(a)) UN(I8x16Neg, neg<u8>(a)) UN(I8x16Popcnt, popcnt(a))
    TEST(I8x16AllTrue, all_true<u8>(a)) TEST(I8x16Bitmask, bitmask<u8>(a))
    BIN(I8x16NarrowI16x8S, (narrow<i16, i8>)) BIN(I8x16NarrowI16x8U, (narrow<i16, u8>))
    SHIFT(I8x16Shl, shl<u8>) SHIFT(I8x16ShrS, shr_s<u8>) SHIFT(I8x16ShrU, shr_u<u8>)
    BIN(I8x16Add, add<u8>) BIN(I8x16AddSatS, add_sat<i8>) BIN(I8x16AddSatU, add_sat<u8>)
    BIN(I8x16Sub, sub<u8>) BIN(I8x16SubSatS, sub_sat<i8>) BIN(I8x16SubSatU, sub_sat<u8>)
    BIN(I8x16MinS, min<i8>) BIN(I8x16MinU, min<u8>) BIN(I8x16MaxS, max<i8>) BIN(I8x16MaxU, max<u8>)
    BIN(I8x16AvgrU, avgr_u<u8>)
    UN(I16x8ExtaddPairwiseI8x16S, (extadd_pairwise<i8, i16>(a)))
    UN(I16x8ExtaddPairwiseI8x16U, (extadd_pairwise<u8, u16>(a)))
    UN(I32x4ExtaddPairwiseI16x8S, (extadd_pairwise<i16, i32>(a)))
    UN(I32x4ExtaddPairwiseI16x8U, (extadd_pairwise<u16, u32>(a)))
    UN(I16x8Abs, abs<u16>(a)) UN(I16x8Neg, neg<u16>(a)) BIN(I16x8Q15mulrSatS, q15mulr_sat_s)
    TEST(I16x8AllTrue, all_true<u16>(a)) TEST(I16x8Bitmask, bitmask<u16>(a))
    BIN(I16x8NarrowI32x4S, (narrow<i32, i16>)) BIN(I16x8NarrowI32x4U, (narrow<i32, u16>))
    UN(I16x8ExtendLowI8x16S, (extend<i8, i16>(a, 0))) UN(I16x8ExtendHighI8x16S, (extend<i8, i16>(a, 8)))
    UN(I16x8ExtendLowI8x16U, (extend<u8, u16>(a, 0))) UN(I16x8ExtendHighI8x16U, (extend<u8, u16>(a, 8)))
    SHIFT(I16x8Shl, shl<u16>) SHIFT(I16x8ShrS, shr_s<u16>) SHIFT(I16x8ShrU, shr_u<u16>)
    BIN(I16x8Add, add<u16>) BIN(I16x8AddSatS, add_sat<i16>) BIN(I16x8AddSatU, add_sat<u16>)
    BIN(I16x8Sub, sub<u16>) BIN(I16x8SubSatS, sub_sat<i16>) BIN(I16x8SubSatU, sub_sat<u16>)
    BIN(I16x8Mul, mul<u16>)
    BIN(I16x8MinS, min<i16>) BIN(I16x8MinU, min<u16>) BIN(I16x8MaxS, max<i16>) BIN(I16x8MaxU, max<u16>)
    BIN(I16x8AvgrU, avgr_u<u16>)
    case Op::I16x8ExtmulLowI8x16S: vput(fp, pc[1], extmul<i8, i16>(vget(fp, pc[2]), vget(fp, pc[3]), 0)); pc += 4; return true;
    case Op::I16x8ExtmulHighI8x16S: vput(fp, pc[1], extmul<i8, i16>(vget(fp, pc[2]), vget(fp, pc[3]), 8)); pc += 4; return true;
    case Op::I16x8ExtmulLowI8x16U: vput(fp, pc[1], extmul<u8, u16>(vget(fp, pc[2]), vget(fp, pc[3]), 0)); pc += 4; return true;
    case Op::I16x8ExtmulHighI8x16U: vput(fp, pc[1], extmul<u8, u16>(vget(fp, pc[2]), vget(fp, pc[3]), 8)); pc += 4; return true;
    UN(I32x4Abs, abs<u32>(a)) UN(I32x4Neg, neg<u32>(a))
    TEST(I32x4AllTrue, all_true<u32>(a)) TEST(I32x4Bitmask, bitmask<u32>(a))
    UN(I32x4ExtendLowI16x8S, (extend<i16, i32>(a, 0))) UN(I32x4ExtendHighI16x8S, (extend<i16, i32>(a, 4)))
    UN(I32x4ExtendLowI16x8U, (extend<u16, u32>(a, 0))) UN(I32x4ExtendHighI16x8U, (extend<u16, u32>(a, 4)))
    SHIFT(I32x4Shl, shl<u32>) SHIFT(I32x4ShrS, shr_s<u32>) SHIFT(I32x4ShrU, shr_u<u32>)
    BIN(I32x4Add, add<u32>) BIN(I32x4Sub, sub<u32>) BIN(I32x4Mul, mul<u32>)
    BIN(I32x4MinS, min<i32>) BIN(I32x4MinU, min<u32>) BIN(I32x4MaxS, max<i32>) BIN(I32x4MaxU, max<u32>)
    BIN(I32x4DotI16x8S, dot_i16x8_s)
    case Op::I32x4ExtmulLowI16x8S: vput(fp, pc[1], extmul<i16, i32>(vget(fp, pc[2]), vget(fp, pc[3]), 0)); pc += 4; return true;
    case Op::I32x4ExtmulHighI16x8S: vput(fp, pc[1], extmul<i16, i32>(vget(fp, pc[2]), vget(fp, pc[3]), 4)); pc += 4; return true;
    case Op::I32x4ExtmulLowI16x8U: vput(fp, pc[1], extmul<u16, u32>(vget(fp, pc[2]), vget(fp, pc[3]), 0)); pc += 4; return true;
    case Op::I32x4ExtmulHighI16x8U: vput(fp, pc[1], extmul<u16, u32>(vget(fp, pc[2]), vget(fp, pc[3]), 4)); pc += 4; return true;
    UN(I64x2Abs, abs<u64>(a)) UN(I64x2Neg, neg<u64>(a))
    TEST(I64x2AllTrue, all_true<u64>(a)) TEST(I64x2Bitmask, bitmask<u64>(a))
    UN(I64x2ExtendLowI32x4S, (extend<i32, i64>(a, 0))) UN(I64x2ExtendHighI32x4S, (extend<i32, i64>(a, 2)))
    UN(I64x2ExtendLowI32x4U, (extend<u32, u64>(a, 0))) UN(I64x2ExtendHighI32x4U, (extend<u32, u64>(a, 2)))
    SHIFT(I64x2Shl, shl<u64>) SHIFT(I64x2ShrS, shr_s<u64>) SHIFT(I64x2ShrU, shr_u<u64>)
    BIN(I64x2Add, add<u64>) BIN(I64x2Sub, sub<u64>) BIN(I64x2Mul, mul<u64>)
    case Op::I64x2ExtmulLowI32x4S: vput(fp, pc[1], extmul<i32, i64>(vget(fp, pc[2]), vget(fp, pc[3]), 0)); pc += 4; return true;
    case Op::I64x2ExtmulHighI32x4S: vput(fp, pc[1], extmul<i32, i64>(vget(fp, pc[2]), vget(fp, pc[3]), 2)); pc += 4; return true;
    case Op::I64x2ExtmulLowI32x4U: vput(fp, pc[1], extmul<u32, u64>(vget(fp, pc[2]), vget(fp, pc[3]), 0)); pc += 4; return true;
    case Op::I64x2ExtmulHighI32x4U: vput(fp, pc[1], extmul<u32, u64>(vget(fp, pc[2]), vget(fp, pc[3]), 2)); pc += 4; return true;

    // ---- Float lanes -----------------------------------------------------------------------
    UN(F32x4Ceil, fceil<f32>(a)) UN(F32x4Floor, ffloor<f32>(a)) UN(F32x4Trunc, ftrunc<f32>(a))
    UN(F32x4Nearest, fnearest<f32>(a))
    UN(F64x2Ceil, fceil<f64>(a)) UN(F64x2Floor, ffloor<f64>(a)) UN(F64x2Trunc, ftrunc<f64>(a))
    UN(F64x2Nearest, fnearest<f64>(a))
    UN(F32x4Abs, fabs<f32>(a)) UN(F32x4Neg, fneg<f32>(a)) UN(F32x4Sqrt, fsqrt<f32>(a))
    BIN(F32x4Add, fadd<f32>) BIN(F32x4Sub, fsub<f32>) BIN(F32x4Mul, fmul<f32>) BIN(F32x4Div, fdiv<f32>)
    BIN(F32x4Min, fmin<f32>) BIN(F32x4Max, fmax<f32>) BIN(F32x4Pmin, pmin<f32>) BIN(F32x4Pmax, pmax<f32>)
    UN(F64x2Abs, fabs<f64>(a)) UN(F64x2Neg, fneg<f64>(a)) UN(F64x2Sqrt, fsqrt<f64>(a))
    BIN(F64x2Add, fadd<f64>) BIN(F64x2Sub, fsub<f64>) BIN(F64x2Mul, fmul<f64>) BIN(F64x2Div, fdiv<f64>)
    BIN(F64x2Min, fmin<f64>) BIN(F64x2Max, fmax<f64>) BIN(F64x2Pmin, pmin<f64>) BIN(F64x2Pmax, pmax<f64>)

    // ---- Conversions -----------------------------------------------------------------------
    UN(F32x4DemoteF64x2Zero, demote_f64x2_zero(a)) UN(F64x2PromoteLowF32x4, promote_low_f32x4(a))
    UN(I32x4TruncSatF32x4S, trunc_sat_f32x4<i32>(a)) UN(I32x4TruncSatF32x4U, trunc_sat_f32x4<u32>(a))
    UN(F32x4ConvertI32x4S, convert_i32x4<i32>(a)) UN(F32x4ConvertI32x4U, convert_i32x4<u32>(a))
    UN(I32x4TruncSatF64x2SZero, trunc_sat_f64x2_zero<i32>(a))
    UN(I32x4TruncSatF64x2UZero, trunc_sat_f64x2_zero<u32>(a))
    UN(F64x2ConvertLowI32x4S, convert_low_i32x4<i32>(a))
    UN(F64x2ConvertLowI32x4U, convert_low_i32x4<u32>(a))

    // v128.const is lowered to constant slots: nothing else reaches here.
    default: trap = TrapKind::Unreachable; return false;
  }
    // clang-format on
#undef UN
#undef BIN
#undef SHIFT
#undef TEST
#undef SPLAT
#undef EXTRACT
#undef REPLACE
#undef LOAD
#undef LOAD_LANE
#undef STORE_LANE
  trap = TrapKind::MemoryOutOfBounds;  // the memory accesses break out of the switch
  return false;
}

/// The SIMD instructions the dispatch loop gives handlers of their own (simd_step inlined):
/// those of the loops clang vectorizes most (memory, integer lane arithmetic, compares,
/// bitwise, splats and lane reads). Each costs the loop's code a copy of its case.
constexpr bool inline_simd(Op op) {
  // clang-format off
  switch (op) {
    case Op::V128Load: case Op::V128Store: case Op::V128Load8x8S: case Op::V128Load8x8U:
    case Op::V128Load16x4S: case Op::V128Load16x4U: case Op::V128Load32x2S:
    case Op::V128Load32x2U: case Op::V128Load32Splat: case Op::V128Load32Zero:
    case Op::I8x16Shuffle: case Op::I8x16Splat: case Op::I16x8Splat: case Op::I32x4Splat:
    case Op::I64x2Splat: case Op::F32x4Splat: case Op::F64x2Splat:
    case Op::I8x16ExtractLaneU: case Op::I16x8ExtractLaneU: case Op::I32x4ExtractLane:
    case Op::I64x2ExtractLane: case Op::F32x4ExtractLane: case Op::F64x2ExtractLane:
    case Op::I8x16Eq: case Op::I8x16Ne: case Op::I16x8Eq: case Op::I32x4Eq:
    case Op::V128Not: case Op::V128And: case Op::V128Andnot: case Op::V128Or: case Op::V128Xor:
    case Op::V128Bitselect: case Op::V128AnyTrue: case Op::I8x16Bitmask:
    case Op::I8x16Add: case Op::I8x16Sub: case Op::I16x8Add: case Op::I16x8Sub:
    case Op::I16x8Mul: case Op::I32x4Add: case Op::I32x4Sub: case Op::I32x4Mul:
    case Op::I64x2Add: case Op::I32x4DotI16x8S:
    case Op::I32x4ExtmulLowI16x8S: case Op::I32x4ExtmulHighI16x8S:
    case Op::I32x4ExtaddPairwiseI16x8S: case Op::I16x8ExtaddPairwiseI8x16U:
    case Op::I32x4ExtendLowI16x8S: case Op::I32x4ExtendHighI16x8S:
    case Op::I16x8ExtendLowI8x16U: case Op::I16x8ExtendHighI8x16U:
    case Op::F32x4Add: case Op::F32x4Mul: case Op::F64x2Add: case Op::F64x2Mul: return true;
    default: return false;
  }
  // clang-format on
}

}  // namespace lunatic::engine::ops
