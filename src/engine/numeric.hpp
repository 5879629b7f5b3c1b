// The numeric semantics of Wasm (spec section 4.3, "Numerics"): small typed helpers the
// interpreter's cases call. Integers are computed on unsigned types (wrapping, no UB); signed
// views are taken where the spec says "signed".
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "engine/trap.hpp"
#include "engine/value.hpp"

namespace lunatic::engine::num {

// ---- Slots <-> typed values -------------------------------------------------------------
// i32 and f32 live in the low 32 bits of a slot; writes zero-extend, reads truncate.

template <class T> inline T get(Slot s) {
  if constexpr (std::is_same_v<T, float>)
    return std::bit_cast<float>(static_cast<uint32_t>(s));
  else if constexpr (std::is_same_v<T, double>)
    return std::bit_cast<double>(s);
  else
    return static_cast<T>(s);
}

template <class T> inline Slot put(T v) {
  if constexpr (std::is_same_v<T, float>)
    return std::bit_cast<uint32_t>(v);
  else if constexpr (std::is_same_v<T, double>)
    return std::bit_cast<uint64_t>(v);
  else if constexpr (std::is_same_v<T, bool>)
    return v ? 1 : 0;
  else
    return static_cast<std::make_unsigned_t<T>>(v);
}

template <class T> using Signed = std::make_signed_t<T>;
template <class T> constexpr unsigned kBits = sizeof(T) * 8;

// ---- Integer arithmetic (T is uint32_t or uint64_t) --------------------------------------

template <class T> inline T add(T a, T b) { return a + b; }
template <class T> inline T sub(T a, T b) { return a - b; }
template <class T> inline T mul(T a, T b) { return a * b; }
template <class T> inline T band(T a, T b) { return a & b; }
template <class T> inline T bor(T a, T b) { return a | b; }
template <class T> inline T bxor(T a, T b) { return a ^ b; }
// "Let k be i2 modulo N": shift counts are taken modulo the bit width.
template <class T> inline T shl(T a, T b) { return a << (b & (kBits<T> - 1)); }
template <class T> inline T shr_u(T a, T b) { return a >> (b & (kBits<T> - 1)); }
template <class T> inline T shr_s(T a, T b) {
  return static_cast<T>(static_cast<Signed<T>>(a) >> (b & (kBits<T> - 1)));
}
// `a ^ (a << k)` and `a ^ (a >> k)`: an xor of a value with itself shifted (superinstructions).
template <class T> inline T xor_shl(T a, T k) { return a ^ shl(a, k); }
template <class T> inline T xor_shr_u(T a, T k) { return a ^ shr_u(a, k); }
template <class T> inline T rotl(T a, T b) {
  return std::rotl(a, static_cast<int>(b & (kBits<T> - 1)));
}
template <class T> inline T rotr(T a, T b) {
  return std::rotr(a, static_cast<int>(b & (kBits<T> - 1)));
}
template <class T> inline T clz(T a) { return static_cast<T>(std::countl_zero(a)); }
template <class T> inline T ctz(T a) { return static_cast<T>(std::countr_zero(a)); }
template <class T> inline T popcnt(T a) { return static_cast<T>(std::popcount(a)); }

// Division: "If i2 is 0, then the result is undefined" -> trap "integer divide by zero";
// div_s: "if i1 divided by i2 is 2^(N-1), the result is undefined" -> trap "integer overflow".
// Each returns false and sets `trap` when the spec leaves the result undefined.
template <class T> inline bool div_u(T a, T b, T& r, TrapKind& trap) {
  if (b == 0) return trap = TrapKind::IntegerDivideByZero, false;
  r = a / b;
  return true;
}
template <class T> inline bool rem_u(T a, T b, T& r, TrapKind& trap) {
  if (b == 0) return trap = TrapKind::IntegerDivideByZero, false;
  r = a % b;
  return true;
}
template <class T> inline bool div_s(T a, T b, T& r, TrapKind& trap) {
  using S = Signed<T>;
  if (b == 0) return trap = TrapKind::IntegerDivideByZero, false;
  if (static_cast<S>(a) == std::numeric_limits<S>::min() && static_cast<S>(b) == -1)
    return trap = TrapKind::IntegerOverflow, false;
  r = static_cast<T>(static_cast<S>(a) / static_cast<S>(b));
  return true;
}
// rem_s of INT_MIN by -1 is 0 (the spec defines it; C++ would overflow).
template <class T> inline bool rem_s(T a, T b, T& r, TrapKind& trap) {
  using S = Signed<T>;
  if (b == 0) return trap = TrapKind::IntegerDivideByZero, false;
  if (static_cast<S>(b) == -1) return r = 0, true;
  r = static_cast<T>(static_cast<S>(a) % static_cast<S>(b));
  return true;
}

// ---- Integer comparisons (results are i32 0 or 1) ----------------------------------------

template <class T> inline bool eqz(T a) { return a == 0; }
template <class T> inline bool eq(T a, T b) { return a == b; }
template <class T> inline bool ne(T a, T b) { return a != b; }
template <class T> inline bool lt_u(T a, T b) { return a < b; }
template <class T> inline bool gt_u(T a, T b) { return a > b; }
template <class T> inline bool le_u(T a, T b) { return a <= b; }
template <class T> inline bool ge_u(T a, T b) { return a >= b; }
template <class T> inline bool lt_s(T a, T b) {
  return static_cast<Signed<T>>(a) < static_cast<Signed<T>>(b);
}
template <class T> inline bool gt_s(T a, T b) {
  return static_cast<Signed<T>>(a) > static_cast<Signed<T>>(b);
}
template <class T> inline bool le_s(T a, T b) {
  return static_cast<Signed<T>>(a) <= static_cast<Signed<T>>(b);
}
template <class T> inline bool ge_s(T a, T b) {
  return static_cast<Signed<T>>(a) >= static_cast<Signed<T>>(b);
}

// ---- Sign extension ("extendN_s": reinterpret the low N bits as signed) -------------------

template <class T, class Narrow> inline T extend_s(T a) {
  return static_cast<T>(static_cast<Signed<T>>(static_cast<Narrow>(a)));
}

// ---- Floating point (F is float or double) -------------------------------------------------
// Add, sub, mul, div, sqrt are IEEE 754 as the hardware computes them; a NaN result is a quiet
// NaN, which the spec accepts ("arithmetic NaN"). abs, neg and copysign are bit operations:
// "fneg/fabs/fcopysign ... do not canonicalize NaNs".

template <class F> using Bits = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
template <class F> constexpr Bits<F> kSignBit = Bits<F>{1} << (sizeof(F) * 8 - 1);

template <class F> inline F fadd(F a, F b) { return a + b; }
template <class F> inline F fsub(F a, F b) { return a - b; }
template <class F> inline F fmul(F a, F b) { return a * b; }
template <class F> inline F fdiv(F a, F b) { return a / b; }
template <class F> inline F fsqrt(F a) { return std::sqrt(a); }
// Rounding: a NaN operand must give an arithmetic (quiet) NaN, but the rounding instructions
// hand a signalling NaN back unchanged; a + a quiets it and keeps its payload.
template <class F> inline F fceil(F a) { return std::isnan(a) ? a + a : std::ceil(a); }
template <class F> inline F ffloor(F a) { return std::isnan(a) ? a + a : std::floor(a); }
template <class F> inline F ftrunc(F a) { return std::isnan(a) ? a + a : std::trunc(a); }
// "fnearest: round to the nearest integral value; if two values are equally near, to the even
// one". nearbyint in the default rounding mode does exactly that and keeps the sign of zero.
template <class F> inline F fnearest(F a) { return std::isnan(a) ? a + a : std::nearbyint(a); }

template <class F> inline F fabs_(F a) {
  return std::bit_cast<F>(std::bit_cast<Bits<F>>(a) & ~kSignBit<F>);
}
template <class F> inline F fneg(F a) {
  return std::bit_cast<F>(std::bit_cast<Bits<F>>(a) ^ kSignBit<F>);
}
template <class F> inline F fcopysign(F a, F b) {
  return std::bit_cast<F>((std::bit_cast<Bits<F>>(a) & ~kSignBit<F>) |
                          (std::bit_cast<Bits<F>>(b) & kSignBit<F>));
}

// fmin/fmax: "if either operand is a NaN, the result is a NaN"; "-0 is less than +0".
template <class F> inline F fmin(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;  // a quiet NaN carrying an input payload
  if (a == b) return std::bit_cast<F>(std::bit_cast<Bits<F>>(a) | std::bit_cast<Bits<F>>(b));
  return a < b ? a : b;
}
template <class F> inline F fmax(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::bit_cast<F>(std::bit_cast<Bits<F>>(a) & std::bit_cast<Bits<F>>(b));
  return a > b ? a : b;
}

template <class F> inline bool feq(F a, F b) { return a == b; }
template <class F> inline bool fne(F a, F b) { return a != b; }
template <class F> inline bool flt(F a, F b) { return a < b; }
template <class F> inline bool fgt(F a, F b) { return a > b; }
template <class F> inline bool fle(F a, F b) { return a <= b; }
template <class F> inline bool fge(F a, F b) { return a >= b; }

// ---- Conversions ---------------------------------------------------------------------------

// trunc_s/trunc_u: "if z is a NaN, the result is undefined" -> "invalid conversion to integer";
// "if trunc(z) is out of range, the result is undefined" -> "integer overflow".
// trunc(z) is in range iff low - 1 < z < high + 1 with low = -2^(N-1) or 0 and high + 1 = 2^(N-1)
// or 2^N, a power of two that F holds exactly. Where F cannot hold low - 1 (it rounds back to
// low), no value of F lies strictly between them, so z >= low is the same test.
template <class I, class F> inline bool trunc(F z, I& r, TrapKind& trap) {
  if (std::isnan(z)) return trap = TrapKind::InvalidConversion, false;
  constexpr F kHigh = static_cast<F>(std::numeric_limits<I>::max() / 2 + 1) * F(2);
  constexpr F kLow = std::is_signed_v<I> ? -kHigh : F(0);
  constexpr F kBelow = kLow - F(1);
  const bool above_low = kBelow == kLow ? z >= kLow : z > kBelow;
  if (!above_low || !(z < kHigh)) return trap = TrapKind::IntegerOverflow, false;
  r = static_cast<I>(z);
  return true;
}

// trunc_sat: NaN -> 0, out of range -> the nearest bound.
template <class I, class F> inline I trunc_sat(F z) {
  if (std::isnan(z)) return 0;
  constexpr F kMax = static_cast<F>(std::numeric_limits<I>::max());  // rounds up to 2^k
  constexpr F kMin = static_cast<F>(std::numeric_limits<I>::min());
  if (z >= kMax) return std::numeric_limits<I>::max();
  if (z <= kMin) return std::numeric_limits<I>::min();
  return static_cast<I>(z);
}

// convert_s/convert_u: round to nearest; the C++ conversions are correctly rounded.
template <class F, class I> inline F convert(I a) { return static_cast<F>(a); }

// wrap: "the low 32 bits"; extend_i32_s/u: sign- or zero-extend to 64 bits.
inline uint32_t wrap(uint64_t a) { return static_cast<uint32_t>(a); }
inline uint64_t extend_i32_s(uint32_t a) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a)));
}
inline uint64_t extend_i32_u(uint32_t a) { return a; }
// reinterpret: the same bits under another type (slots hold bits already).
template <class T> inline T same_bits(T a) { return a; }

// demote/promote: the hardware conversions; NaNs stay NaNs (quiet), which the spec allows.
inline float demote(double a) { return static_cast<float>(a); }
inline double promote(float a) { return static_cast<double>(a); }

}  // namespace lunatic::engine::num
