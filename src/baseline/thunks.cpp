// The numeric instructions the baseline calls out for: floats, conversions, division and bit
// counts, each as a small C function over Slots built from the interpreter's own helpers
// (engine/numeric.hpp), so both tiers compute the very same bits (NaN payloads included).
// Trapping ones call lunatic_jit_trap themselves; the caller stored its site first.
#include "baseline/function_compiler.hpp"
#include "engine/numeric.hpp"

namespace lunatic::baseline {

namespace {

namespace num = engine::num;
using engine::TrapKind;
using native::Context;

template <class A, class R, R (*F)(A)> uint64_t unary(Context*, uint64_t a, uint64_t) {
  return num::put<R>(F(num::get<A>(a)));
}

template <class A, class R, R (*F)(A, A)> uint64_t binary(Context*, uint64_t a, uint64_t b) {
  return num::put<R>(F(num::get<A>(a), num::get<A>(b)));
}

template <class T, bool (*F)(T, T, T&, TrapKind&)>
uint64_t checked(Context* ctx, uint64_t a, uint64_t b) {
  T r{};
  TrapKind kind{};
  if (!F(num::get<T>(a), num::get<T>(b), r, kind))
    lunatic_jit_trap(ctx, static_cast<uint32_t>(kind));
  return num::put<T>(r);
}

template <class I, class F> uint64_t truncate(Context* ctx, uint64_t a, uint64_t) {
  I r{};
  TrapKind kind{};
  if (!num::trunc<I, F>(num::get<F>(a), r, kind))
    lunatic_jit_trap(ctx, static_cast<uint32_t>(kind));
  return num::put<I>(r);
}

template <class I, class F> uint64_t truncate_sat(Context*, uint64_t a, uint64_t) {
  return num::put<I>(num::trunc_sat<I, F>(num::get<F>(a)));
}

template <class F, class I> uint64_t convert(Context*, uint64_t a, uint64_t) {
  return num::put<F>(num::convert<F, I>(num::get<I>(a)));
}

uint64_t demote(Context*, uint64_t a, uint64_t) {
  return num::put(num::demote(num::get<double>(a)));
}
uint64_t promote(Context*, uint64_t a, uint64_t) {
  return num::put(num::promote(num::get<float>(a)));
}

template <class T, class Narrow> uint64_t extend(Context*, uint64_t a, uint64_t) {
  return num::put<T>(num::extend_s<T, Narrow>(num::get<T>(a)));
}

using u32 = uint32_t;
using u64 = uint64_t;
using i32 = int32_t;
using i64 = int64_t;

}  // namespace

Thunk numeric_thunk(wasm::Opcode op) {
  using wasm::Opcode;
  auto t = [](auto fn, bool traps = false) {
    return Thunk{reinterpret_cast<const void*>(fn), traps};
  };
  switch (op) {
    case Opcode::I32Clz: return t(unary<u32, u32, num::clz<u32>>);
    case Opcode::I32Ctz: return t(unary<u32, u32, num::ctz<u32>>);
    case Opcode::I32Popcnt: return t(unary<u32, u32, num::popcnt<u32>>);
    case Opcode::I64Clz: return t(unary<u64, u64, num::clz<u64>>);
    case Opcode::I64Ctz: return t(unary<u64, u64, num::ctz<u64>>);
    case Opcode::I64Popcnt: return t(unary<u64, u64, num::popcnt<u64>>);
    case Opcode::I32DivS: return t(checked<u32, num::div_s<u32>>, true);
    case Opcode::I32DivU: return t(checked<u32, num::div_u<u32>>, true);
    case Opcode::I32RemS: return t(checked<u32, num::rem_s<u32>>, true);
    case Opcode::I32RemU: return t(checked<u32, num::rem_u<u32>>, true);
    case Opcode::I64DivS: return t(checked<u64, num::div_s<u64>>, true);
    case Opcode::I64DivU: return t(checked<u64, num::div_u<u64>>, true);
    case Opcode::I64RemS: return t(checked<u64, num::rem_s<u64>>, true);
    case Opcode::I64RemU: return t(checked<u64, num::rem_u<u64>>, true);
    case Opcode::F32Eq: return t(binary<float, bool, num::feq<float>>);
    case Opcode::F32Ne: return t(binary<float, bool, num::fne<float>>);
    case Opcode::F32Lt: return t(binary<float, bool, num::flt<float>>);
    case Opcode::F32Gt: return t(binary<float, bool, num::fgt<float>>);
    case Opcode::F32Le: return t(binary<float, bool, num::fle<float>>);
    case Opcode::F32Ge: return t(binary<float, bool, num::fge<float>>);
    case Opcode::F64Eq: return t(binary<double, bool, num::feq<double>>);
    case Opcode::F64Ne: return t(binary<double, bool, num::fne<double>>);
    case Opcode::F64Lt: return t(binary<double, bool, num::flt<double>>);
    case Opcode::F64Gt: return t(binary<double, bool, num::fgt<double>>);
    case Opcode::F64Le: return t(binary<double, bool, num::fle<double>>);
    case Opcode::F64Ge: return t(binary<double, bool, num::fge<double>>);
    case Opcode::F32Abs: return t(unary<float, float, num::fabs_<float>>);
    case Opcode::F32Neg: return t(unary<float, float, num::fneg<float>>);
    case Opcode::F32Ceil: return t(unary<float, float, num::fceil<float>>);
    case Opcode::F32Floor: return t(unary<float, float, num::ffloor<float>>);
    case Opcode::F32Trunc: return t(unary<float, float, num::ftrunc<float>>);
    case Opcode::F32Nearest: return t(unary<float, float, num::fnearest<float>>);
    case Opcode::F32Sqrt: return t(unary<float, float, num::fsqrt<float>>);
    case Opcode::F32Add: return t(binary<float, float, num::fadd<float>>);
    case Opcode::F32Sub: return t(binary<float, float, num::fsub<float>>);
    case Opcode::F32Mul: return t(binary<float, float, num::fmul<float>>);
    case Opcode::F32Div: return t(binary<float, float, num::fdiv<float>>);
    case Opcode::F32Min: return t(binary<float, float, num::fmin<float>>);
    case Opcode::F32Max: return t(binary<float, float, num::fmax<float>>);
    case Opcode::F32Copysign: return t(binary<float, float, num::fcopysign<float>>);
    case Opcode::F64Abs: return t(unary<double, double, num::fabs_<double>>);
    case Opcode::F64Neg: return t(unary<double, double, num::fneg<double>>);
    case Opcode::F64Ceil: return t(unary<double, double, num::fceil<double>>);
    case Opcode::F64Floor: return t(unary<double, double, num::ffloor<double>>);
    case Opcode::F64Trunc: return t(unary<double, double, num::ftrunc<double>>);
    case Opcode::F64Nearest: return t(unary<double, double, num::fnearest<double>>);
    case Opcode::F64Sqrt: return t(unary<double, double, num::fsqrt<double>>);
    case Opcode::F64Add: return t(binary<double, double, num::fadd<double>>);
    case Opcode::F64Sub: return t(binary<double, double, num::fsub<double>>);
    case Opcode::F64Mul: return t(binary<double, double, num::fmul<double>>);
    case Opcode::F64Div: return t(binary<double, double, num::fdiv<double>>);
    case Opcode::F64Min: return t(binary<double, double, num::fmin<double>>);
    case Opcode::F64Max: return t(binary<double, double, num::fmax<double>>);
    case Opcode::F64Copysign: return t(binary<double, double, num::fcopysign<double>>);
    case Opcode::I32TruncF32S: return t(truncate<i32, float>, true);
    case Opcode::I32TruncF32U: return t(truncate<u32, float>, true);
    case Opcode::I32TruncF64S: return t(truncate<i32, double>, true);
    case Opcode::I32TruncF64U: return t(truncate<u32, double>, true);
    case Opcode::I64TruncF32S: return t(truncate<i64, float>, true);
    case Opcode::I64TruncF32U: return t(truncate<u64, float>, true);
    case Opcode::I64TruncF64S: return t(truncate<i64, double>, true);
    case Opcode::I64TruncF64U: return t(truncate<u64, double>, true);
    case Opcode::I32TruncSatF32S: return t(truncate_sat<i32, float>);
    case Opcode::I32TruncSatF32U: return t(truncate_sat<u32, float>);
    case Opcode::I32TruncSatF64S: return t(truncate_sat<i32, double>);
    case Opcode::I32TruncSatF64U: return t(truncate_sat<u32, double>);
    case Opcode::I64TruncSatF32S: return t(truncate_sat<i64, float>);
    case Opcode::I64TruncSatF32U: return t(truncate_sat<u64, float>);
    case Opcode::I64TruncSatF64S: return t(truncate_sat<i64, double>);
    case Opcode::I64TruncSatF64U: return t(truncate_sat<u64, double>);
    case Opcode::F32ConvertI32S: return t(convert<float, i32>);
    case Opcode::F32ConvertI32U: return t(convert<float, u32>);
    case Opcode::F32ConvertI64S: return t(convert<float, i64>);
    case Opcode::F32ConvertI64U: return t(convert<float, u64>);
    case Opcode::F64ConvertI32S: return t(convert<double, i32>);
    case Opcode::F64ConvertI32U: return t(convert<double, u32>);
    case Opcode::F64ConvertI64S: return t(convert<double, i64>);
    case Opcode::F64ConvertI64U: return t(convert<double, u64>);
    case Opcode::F32DemoteF64: return t(demote);
    case Opcode::F64PromoteF32: return t(promote);
    case Opcode::I32Extend8S: return t(extend<u32, int8_t>);
    case Opcode::I32Extend16S: return t(extend<u32, int16_t>);
    case Opcode::I64Extend8S: return t(extend<u64, int8_t>);
    case Opcode::I64Extend16S: return t(extend<u64, int16_t>);
    case Opcode::I64Extend32S: return t(extend<u64, int32_t>);
    default: return {};
  }
}

}  // namespace lunatic::baseline
