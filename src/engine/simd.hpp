// The lane semantics of the fixed-width SIMD instructions (SIMD proposal, spec 4.3.4 "Vector
// operations"): typed helpers over a 128-bit value, as numeric.hpp is for scalars. Plain lane
// arithmetic uses GCC vector extensions (portable, exact: integer lanes are unsigned so they
// wrap, float lanes are IEEE operations); the rest goes lane by lane through the scalar rules.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "engine/numeric.hpp"

namespace lunatic::engine::simd {

// ---- Lane views ------------------------------------------------------------------------------

typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int8_t i8x16 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));

/// A v128 value as its two slots: lane 0 holds bytes 0..7 (lane 0 of the value first, as in
/// memory), lane 1 bytes 8..15. A vector type, not a struct of two words: GCC keeps it in one
/// register and moves it with one 16-byte load or store (a struct went through the stack as two
/// halves in the dispatch loop, whose SLP vectoriser is off).
using V128 = u64x2;

template <class T> struct VecOf;
template <> struct VecOf<uint8_t> { using type = u8x16; };
template <> struct VecOf<int8_t> { using type = i8x16; };
template <> struct VecOf<uint16_t> { using type = u16x8; };
template <> struct VecOf<int16_t> { using type = i16x8; };
template <> struct VecOf<uint32_t> { using type = u32x4; };
template <> struct VecOf<int32_t> { using type = i32x4; };
template <> struct VecOf<uint64_t> { using type = u64x2; };
template <> struct VecOf<int64_t> { using type = i64x2; };
template <> struct VecOf<float> { using type = f32x4; };
template <> struct VecOf<double> { using type = f64x2; };
/// The vector of 16 / sizeof(T) lanes of type T.
template <class T> using Vec = typename VecOf<T>::type;
template <class T> constexpr unsigned kLanes = 16 / sizeof(T);

template <class T> inline Vec<T> as(V128 v) { return std::bit_cast<Vec<T>>(v); }
template <class V> inline V128 from(V v) { return std::bit_cast<V128>(v); }
/// Applies `f` to each lane of `a` (and `b`): the lane-by-lane form of the scalar rules.
template <class T, class F> inline V128 map(V128 a, F f) {
  Vec<T> va = as<T>(a), r{};
  for (unsigned i = 0; i < kLanes<T>; ++i) r[i] = f(va[i]);
  return from(r);
}
template <class T, class F> inline V128 map(V128 a, V128 b, F f) {
  Vec<T> va = as<T>(a), vb = as<T>(b), r{};
  for (unsigned i = 0; i < kLanes<T>; ++i) r[i] = f(va[i], vb[i]);
  return from(r);
}

// ---- Construction and lanes ------------------------------------------------------------------

/// T is the lane type; a scalar argument is truncated to it (i8x16.splat takes an i32).
/// Written as one initializer (GCC makes it a broadcast; a loop of lane stores went through
/// the stack).
template <class T, size_t... I> inline Vec<T> broadcast(T x, std::index_sequence<I...>) {
  return Vec<T>{((void)I, x)...};
}
template <class T> inline V128 splat(T x) {
  return from(broadcast<T>(x, std::make_index_sequence<kLanes<T>>{}));
}
/// @pre lane < kLanes<T> (validated)
template <class T> inline T extract(V128 v, uint32_t lane) { return as<T>(v)[lane]; }
template <class T> inline V128 replace(V128 v, uint32_t lane, T x) {
  Vec<T> r = as<T>(v);
  r[lane] = x;
  return from(r);
}
/// i8x16.swizzle: lane i of the result is a[s[i]], or 0 where s[i] >= 16.
inline V128 swizzle(V128 a, V128 s) {
  const u8x16 va = as<uint8_t>(a), vs = as<uint8_t>(s);
  u8x16 r{};
  for (unsigned i = 0; i < 16; ++i) r[i] = vs[i] < 16 ? va[vs[i]] : 0;
  return from(r);
}
/// i8x16.shuffle: lane i of the result is lane lanes[i] of the 32 lanes of a then b.
/// @pre each lane index < 32 (validated). Out of line (simd.cpp): it picks pshufb at run time
/// where the CPU has it.
V128 shuffle(V128 a, V128 b, const uint8_t (&lanes)[16]);
/// The implementation shuffle picks, chosen once when the program starts (pshufb or the byte
/// loop), with the lane bytes as a vector: the interpreter's handler calls it directly (one
/// call, no CPU check). Not for use before main (a dynamically initialized pointer).
using ShuffleFn = V128 (*)(V128 a, V128 b, u8x16 lanes);
extern const ShuffleFn shuffle_lanes;
/// The portable form of shuffle (a byte loop), what it runs without SSSE3.
V128 shuffle_bytes(V128 a, V128 b, const uint8_t (&lanes)[16]);

// ---- Bitwise ----------------------------------------------------------------------------------

inline V128 vnot(V128 a) { return ~a; }
inline V128 vand(V128 a, V128 b) { return a & b; }
inline V128 vandnot(V128 a, V128 b) { return a & ~b; }
inline V128 vor(V128 a, V128 b) { return a | b; }
inline V128 vxor(V128 a, V128 b) { return a ^ b; }
/// v128.bitselect: bits of a where c is 1, of b where c is 0.
inline V128 bitselect(V128 a, V128 b, V128 c) { return (a & c) | (b & ~c); }
inline bool any_true(V128 a) { return (a[0] | a[1]) != 0; }

// ---- Integer lanes (T unsigned: arithmetic wraps; S = the signed view) -------------------------

template <class T> using S = std::make_signed_t<T>;

template <class T> inline V128 add(V128 a, V128 b) { return from(as<T>(a) + as<T>(b)); }
template <class T> inline V128 sub(V128 a, V128 b) { return from(as<T>(a) - as<T>(b)); }
template <class T> inline V128 mul(V128 a, V128 b) { return from(as<T>(a) * as<T>(b)); }
template <class T> inline V128 neg(V128 a) { return from(Vec<T>{} - as<T>(a)); }
/// iabs: the most negative value stays itself (it wraps).
template <class T> inline V128 abs(V128 a) {
  return map<T>(a, [](T x) { return static_cast<S<T>>(x) < 0 ? T(0 - x) : x; });
}
/// Shifts count modulo the lane width.
template <class T> inline V128 shl(V128 a, uint32_t n) {
  return from(as<T>(a) << static_cast<T>(n & (num::kBits<T> - 1)));
}
template <class T> inline V128 shr_u(V128 a, uint32_t n) {
  return from(as<T>(a) >> static_cast<T>(n & (num::kBits<T> - 1)));
}
template <class T> inline V128 shr_s(V128 a, uint32_t n) {
  return from(as<S<T>>(a) >> static_cast<S<T>>(n & (num::kBits<T> - 1)));
}
// Comparisons: all ones in a lane where true (the vector compares give exactly that).
template <class T> inline V128 eq(V128 a, V128 b) { return from(as<T>(a) == as<T>(b)); }
template <class T> inline V128 ne(V128 a, V128 b) { return from(as<T>(a) != as<T>(b)); }
template <class T> inline V128 lt(V128 a, V128 b) { return from(as<T>(a) < as<T>(b)); }
template <class T> inline V128 gt(V128 a, V128 b) { return from(as<T>(a) > as<T>(b)); }
template <class T> inline V128 le(V128 a, V128 b) { return from(as<T>(a) <= as<T>(b)); }
template <class T> inline V128 ge(V128 a, V128 b) { return from(as<T>(a) >= as<T>(b)); }
/// T signed for min_s/max_s, unsigned for min_u/max_u.
template <class T> inline V128 min(V128 a, V128 b) {
  return map<T>(a, b, [](T x, T y) { return std::min(x, y); });
}
template <class T> inline V128 max(V128 a, V128 b) {
  return map<T>(a, b, [](T x, T y) { return std::max(x, y); });
}
/// add_sat/sub_sat: T signed or unsigned (8 or 16 bits); the exact result clamped to T.
template <class T> inline T saturate(int64_t x) {
  return static_cast<T>(
      std::clamp<int64_t>(x, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
}
template <class T> inline V128 add_sat(V128 a, V128 b) {
  return map<T>(a, b, [](T x, T y) { return saturate<T>(int64_t{x} + int64_t{y}); });
}
template <class T> inline V128 sub_sat(V128 a, V128 b) {
  return map<T>(a, b, [](T x, T y) { return saturate<T>(int64_t{x} - int64_t{y}); });
}
/// avgr_u: (a + b + 1) / 2 without overflow.
template <class T> inline V128 avgr_u(V128 a, V128 b) {
  return map<T>(a, b, [](T x, T y) { return static_cast<T>((uint32_t{x} + y + 1) >> 1); });
}
/// i16x8.q15mulr_sat_s: (a * b + 2^14) >> 15, saturated (only -32768 * -32768 overflows).
inline V128 q15mulr_sat_s(V128 a, V128 b) {
  return map<int16_t>(a, b, [](int16_t x, int16_t y) {
    return saturate<int16_t>((int32_t{x} * int32_t{y} + 0x4000) >> 15);
  });
}
inline V128 popcnt(V128 a) {
  return map<uint8_t>(a, [](uint8_t x) { return static_cast<uint8_t>(std::popcount(x)); });
}
template <class T> inline bool all_true(V128 a) {
  const Vec<T> v = as<T>(a);
  for (unsigned i = 0; i < kLanes<T>; ++i) {
    if (v[i] == 0) return false;
  }
  return true;
}
/// bitmask: bit i is the top bit of lane i.
template <class T> inline uint32_t bitmask(V128 a) {
  const Vec<S<T>> v = as<S<T>>(a);
  uint32_t r = 0;
  for (unsigned i = 0; i < kLanes<T>; ++i) r |= uint32_t{v[i] < 0} << i;
  return r;
}

// ---- Width changes (From, To: the lane types, signed where the instruction is _s) -------------

/// narrow: the lanes of a then b, each saturated to To (From is signed in both forms).
template <class From, class To> inline V128 narrow(V128 a, V128 b) {
  const Vec<From> va = as<From>(a), vb = as<From>(b);
  Vec<To> r{};
  for (unsigned i = 0; i < kLanes<From>; ++i) {
    r[i] = saturate<To>(va[i]);
    r[i + kLanes<From>] = saturate<To>(vb[i]);
  }
  return from(r);
}
/// Lanes `first`.. of a (one half: first is 0 or kLanes<To>), sign- or zero-extended to To
/// as From is. One 8-byte move and __builtin_convertvector: built lane by lane, GCC wrote the
/// result to the stack and read it back whole (a store-forwarding stall).
template <class From, class To> inline Vec<To> widen(V128 a, unsigned first) {
  typedef From Half __attribute__((vector_size(8)));
  Half half;
  std::memcpy(&half, reinterpret_cast<const uint8_t*>(&a) + first * sizeof(From), sizeof half);
  return __builtin_convertvector(half, Vec<To>);
}
/// extend_low/high.
template <class From, class To> inline V128 extend(V128 a, unsigned first) {
  return from(widen<From, To>(a, first));
}
/// extmul_low/high: the extended lanes `first`.. of a and b multiplied, wrapping at To's width
/// (in unsigned lanes: a signed overflow would be undefined, as UBSan found once).
template <class From, class To> inline V128 extmul(V128 a, V128 b, unsigned first) {
  using U = std::make_unsigned_t<To>;
  return from(std::bit_cast<Vec<U>>(widen<From, To>(a, first)) *
              std::bit_cast<Vec<U>>(widen<From, To>(b, first)));
}
/// extadd_pairwise: each pair of adjacent extended lanes added.
template <class From, class To> inline V128 extadd_pairwise(V128 a) {
  const Vec<From> v = as<From>(a);
  Vec<To> r{};
  for (unsigned i = 0; i < kLanes<To>; ++i) r[i] = static_cast<To>(To{v[2 * i]} + To{v[2 * i + 1]});
  return from(r);
}
/// i32x4.dot_i16x8_s: pairwise sums of the signed products (wrapping: only
/// -32768 * -32768 * 2 exceeds i32, and it wraps to INT32_MIN as the spec's modular add does).
inline V128 dot_i16x8_s(V128 a, V128 b) {
  const i16x8 va = as<int16_t>(a), vb = as<int16_t>(b);
  u32x4 r{};
  for (unsigned i = 0; i < 4; ++i) {
    r[i] = static_cast<uint32_t>(int32_t{va[2 * i]} * vb[2 * i]) +
           static_cast<uint32_t>(int32_t{va[2 * i + 1]} * vb[2 * i + 1]);
  }
  return from(r);
}

// ---- Float lanes (F is float or double) ------------------------------------------------------

template <class F> inline V128 fadd(V128 a, V128 b) { return from(as<F>(a) + as<F>(b)); }
template <class F> inline V128 fsub(V128 a, V128 b) { return from(as<F>(a) - as<F>(b)); }
template <class F> inline V128 fmul(V128 a, V128 b) { return from(as<F>(a) * as<F>(b)); }
template <class F> inline V128 fdiv(V128 a, V128 b) { return from(as<F>(a) / as<F>(b)); }
template <class F> inline V128 fsqrt(V128 a) { return map<F>(a, num::fsqrt<F>); }
template <class F> inline V128 fmin(V128 a, V128 b) { return map<F>(a, b, num::fmin<F>); }
template <class F> inline V128 fmax(V128 a, V128 b) { return map<F>(a, b, num::fmax<F>); }
/// pmin/pmax: the "pseudo" forms, exactly `b < a ? b : a` and `a < b ? b : a`.
template <class F> inline V128 pmin(V128 a, V128 b) {
  return map<F>(a, b, [](F x, F y) { return y < x ? y : x; });
}
template <class F> inline V128 pmax(V128 a, V128 b) {
  return map<F>(a, b, [](F x, F y) { return x < y ? y : x; });
}
template <class F> inline V128 fceil(V128 a) { return map<F>(a, num::fceil<F>); }
template <class F> inline V128 ffloor(V128 a) { return map<F>(a, num::ffloor<F>); }
template <class F> inline V128 ftrunc(V128 a) { return map<F>(a, num::ftrunc<F>); }
template <class F> inline V128 fnearest(V128 a) { return map<F>(a, num::fnearest<F>); }
/// abs/neg act on the sign bit only, NaNs included.
template <class F> inline V128 fabs(V128 a) {
  using B = num::Bits<F>;
  return from(as<B>(a) & static_cast<B>(~num::kSignBit<F>));
}
template <class F> inline V128 fneg(V128 a) {
  using B = num::Bits<F>;
  return from(as<B>(a) ^ static_cast<B>(num::kSignBit<F>));
}
template <class F> inline V128 feq(V128 a, V128 b) { return from(as<F>(a) == as<F>(b)); }
template <class F> inline V128 fne(V128 a, V128 b) { return from(as<F>(a) != as<F>(b)); }
template <class F> inline V128 flt(V128 a, V128 b) { return from(as<F>(a) < as<F>(b)); }
template <class F> inline V128 fgt(V128 a, V128 b) { return from(as<F>(a) > as<F>(b)); }
template <class F> inline V128 fle(V128 a, V128 b) { return from(as<F>(a) <= as<F>(b)); }
template <class F> inline V128 fge(V128 a, V128 b) { return from(as<F>(a) >= as<F>(b)); }

// ---- Conversions ------------------------------------------------------------------------------

/// i32x4.trunc_sat_f32x4_s/u.
template <class I> inline V128 trunc_sat_f32x4(V128 a) {
  const f32x4 v = as<float>(a);
  u32x4 r{};
  for (unsigned i = 0; i < 4; ++i) r[i] = static_cast<uint32_t>(num::trunc_sat<I>(v[i]));
  return from(r);
}
/// i32x4.trunc_sat_f64x2_s/u_zero: two lanes, then two zero lanes.
template <class I> inline V128 trunc_sat_f64x2_zero(V128 a) {
  const f64x2 v = as<double>(a);
  u32x4 r = {static_cast<uint32_t>(num::trunc_sat<I>(v[0])),
             static_cast<uint32_t>(num::trunc_sat<I>(v[1])), 0, 0};
  return from(r);
}
/// f32x4.convert_i32x4_s/u (I is int32_t or uint32_t): correctly rounded.
template <class I> inline V128 convert_i32x4(V128 a) {
  const Vec<I> v = as<I>(a);
  f32x4 r{};
  for (unsigned i = 0; i < 4; ++i) r[i] = static_cast<float>(v[i]);
  return from(r);
}
/// f64x2.convert_low_i32x4_s/u: exact.
template <class I> inline V128 convert_low_i32x4(V128 a) {
  const Vec<I> v = as<I>(a);
  f64x2 r = {static_cast<double>(v[0]), static_cast<double>(v[1])};
  return from(r);
}
inline V128 demote_f64x2_zero(V128 a) {
  const f64x2 v = as<double>(a);
  f32x4 r = {num::demote(v[0]), num::demote(v[1]), 0.0f, 0.0f};
  return from(r);
}
inline V128 promote_low_f32x4(V128 a) {
  const f32x4 v = as<float>(a);
  f64x2 r = {num::promote(v[0]), num::promote(v[1])};
  return from(r);
}

// ---- Memory (p points at the bytes already bounds-checked) -----------------------------------

inline V128 load(const uint8_t* p) {
  V128 r{};
  std::memcpy(&r, p, 16);
  return r;
}
inline void store(uint8_t* p, V128 v) { std::memcpy(p, &v, 16); }
/// v128.load8x8_s/u, 16x4, 32x2: kLanes<To> lanes of From, extended.
/// One 8-byte load widened with __builtin_convertvector (lane by lane, GCC built the result
/// on the stack and read it back whole, a store-forwarding stall).
template <class From, class To> inline V128 load_extend(const uint8_t* p) {
  typedef From Half __attribute__((vector_size(8)));
  Half x;
  std::memcpy(&x, p, sizeof x);
  return from(__builtin_convertvector(x, Vec<To>));
}
template <class T> inline V128 load_splat(const uint8_t* p) {
  T x;
  std::memcpy(&x, p, sizeof(T));
  return splat<T>(x);
}
/// v128.load32_zero/load64_zero: the scalar in lane 0, zeros elsewhere.
template <class T> inline V128 load_zero(const uint8_t* p) {
  V128 r{};
  std::memcpy(&r, p, sizeof(T));
  return r;
}
template <class T> inline V128 load_lane(const uint8_t* p, V128 v, uint32_t lane) {
  T x;
  std::memcpy(&x, p, sizeof(T));
  return replace<T>(v, lane, x);
}
template <class T> inline void store_lane(uint8_t* p, V128 v, uint32_t lane) {
  const T x = extract<T>(v, lane);
  std::memcpy(p, &x, sizeof(T));
}

}  // namespace lunatic::engine::simd
