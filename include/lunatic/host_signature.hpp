// The type-level machinery of typed host functions, shared by the public binding (host.hpp)
// and lunatic's own (src/binding): a callable's fixed signature, the split of a leading
// context parameter, how a C++ scalar travels in a 64-bit argument slot, and where each
// parameter's Wasm values start. Nothing here names a type of either binding.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>

namespace lunatic::detail {

template <class... Ts> struct TypeList { static constexpr size_t kSize = sizeof...(Ts); };

/// Return type and parameters of a callable with one fixed signature (kFixed), and whether
/// it can be called on a const object (kConst).
template <class F> struct Callable {
  static constexpr bool kFixed = false;
  static constexpr bool kConst = false;
};
template <class R, class... A> struct Callable<R (*)(A...)> {
  static constexpr bool kFixed = true;
  static constexpr bool kConst = true;
  using Result = R;
  using Params = TypeList<A...>;
};
template <class R, class... A> struct Callable<R (*)(A...) noexcept> : Callable<R (*)(A...)> {};
template <class R, class C, class... A>
struct Callable<R (C::*)(A...) const> : Callable<R (*)(A...)> {};
template <class R, class C, class... A>
struct Callable<R (C::*)(A...) const noexcept> : Callable<R (*)(A...)> {};
template <class R, class C, class... A> struct Callable<R (C::*)(A...)> : Callable<R (*)(A...)> {
  static constexpr bool kConst = false;
};
template <class R, class C, class... A>
struct Callable<R (C::*)(A...) noexcept> : Callable<R (C::*)(A...)> {};
template <class F>
requires std::is_class_v<F> && requires { &F::operator(); }
struct Callable<F> : Callable<decltype(&F::operator())> {};

/// The Wasm-facing parameters: all parameters after an optional leading `Context&`.
template <class List, class Context> struct SplitContext;
template <class Context> struct SplitContext<TypeList<>, Context> {
  static constexpr bool kHasContext = false;
  using Wasm = TypeList<>;
};
template <class First, class... Rest, class Context>
struct SplitContext<TypeList<First, Rest...>, Context> {
  static constexpr bool kHasContext = std::is_same_v<First, Context&>;
  using Wasm = std::conditional_t<kHasContext, TypeList<Rest...>, TypeList<First, Rest...>>;
};

/// The parameters' values, decayed, as a tuple: what an adapter decodes the arguments into.
template <class List> struct ValuesOf;
template <class... A> struct ValuesOf<TypeList<A...>> {
  using Type = std::tuple<std::remove_cvref_t<A>...>;
};
template <class List> using Values = typename ValuesOf<List>::Type;

/// How a Wasm scalar travels in a 64-bit slot: an i32 zero-extended (so truncating is exact),
/// an i64 as is, a float's bits (NaN payloads kept). Only fixed-width types are mapped, so
/// that a signature never depends on the platform's type sizes.
template <class T> struct SlotCodec { static constexpr bool kMapped = false; };
template <class T>
requires(std::is_same_v<T, int32_t> || std::is_same_v<T, uint32_t> || std::is_same_v<T, int64_t> ||
         std::is_same_v<T, uint64_t>) struct SlotCodec<T> {
  static constexpr bool kMapped = true;
  static constexpr bool kWide = sizeof(T) == 8;  ///< i64, else i32
  static T from_slot(uint64_t s) {
    if constexpr (sizeof(T) == 4) return static_cast<T>(static_cast<uint32_t>(s));
    return static_cast<T>(s);
  }
  static uint64_t to_slot(T v) {
    if constexpr (sizeof(T) == 4) return static_cast<uint32_t>(v);
    return static_cast<uint64_t>(v);
  }
};
template <> struct SlotCodec<float> {
  static constexpr bool kMapped = true;
  static float from_slot(uint64_t s) { return std::bit_cast<float>(static_cast<uint32_t>(s)); }
  static uint64_t to_slot(float v) { return std::bit_cast<uint32_t>(v); }
};
template <> struct SlotCodec<double> {
  static constexpr bool kMapped = true;
  static double from_slot(uint64_t s) { return std::bit_cast<double>(s); }
  static uint64_t to_slot(double v) { return std::bit_cast<uint64_t>(v); }
};

/// The Wasm value types of a parameter list, flattened, and the index of each parameter's
/// first value. `Param<T>::kTypes` is an array of `Elem` (a binding's value type enum).
template <template <class> class Param, class Elem, class List> struct ParamLayout;
template <template <class> class Param, class Elem, class... A>
struct ParamLayout<Param, Elem, TypeList<A...>> {
  static constexpr size_t kCount = (size_t{0} + ... + Param<std::remove_cvref_t<A>>::kTypes.size());
  template <size_t N>
  static constexpr void append(std::array<Elem, kCount>& out, size_t& n,
                               const std::array<Elem, N>& types) {
    for (Elem t : types) out[n++] = t;
  }
  static constexpr std::array<Elem, kCount> kTypes = [] {
    std::array<Elem, kCount> out{};
    [[maybe_unused]] size_t n = 0;
    ((append(out, n, Param<std::remove_cvref_t<A>>::kTypes)), ...);
    return out;
  }();
  static constexpr std::array<size_t, sizeof...(A)> kOffsets = [] {
    std::array<size_t, sizeof...(A)> out{};
    [[maybe_unused]] size_t n = 0, i = 0;
    ((out[i++] = n, n += Param<std::remove_cvref_t<A>>::kTypes.size()), ...);
    return out;
  }();
};

}  // namespace lunatic::detail
