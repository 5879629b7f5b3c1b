// Compile-time mapping of a C++ host function's signature to its Wasm function type: which C++
// parameter and return types have a Wasm mapping, how many Wasm values each takes, and how a
// scalar travels in an engine::Slot.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "binding/call_context.hpp"
#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "engine/value.hpp"
#include "wasm/types.hpp"

namespace lunatic::binding {

// ---- scalars ------------------------------------------------------------------------------

/// A C++ scalar that is a Wasm value. Only the fixed-width types are mapped: `long long`, `bool`,
/// `char` and friends are not, so a signature never depends on the platform's type sizes.
template <class T> struct Scalar { static constexpr bool kMapped = false; };

template <class T, wasm::ValType V> struct IntScalar {
  static constexpr bool kMapped = true;
  static constexpr wasm::ValType kType = V;
  // i32 slots hold the value zero-extended (engine/value.hpp), so truncating is exact.
  static T from_slot(engine::Slot s) {
    if constexpr (sizeof(T) == 4) return static_cast<T>(static_cast<uint32_t>(s));
    return static_cast<T>(s);
  }
  static engine::Slot to_slot(T v) {
    if constexpr (sizeof(T) == 4) return static_cast<uint32_t>(v);
    return static_cast<uint64_t>(v);
  }
};
template <> struct Scalar<int32_t> : IntScalar<int32_t, wasm::ValType::I32> {};
template <> struct Scalar<uint32_t> : IntScalar<uint32_t, wasm::ValType::I32> {};
template <> struct Scalar<int64_t> : IntScalar<int64_t, wasm::ValType::I64> {};
template <> struct Scalar<uint64_t> : IntScalar<uint64_t, wasm::ValType::I64> {};

template <> struct Scalar<float> {
  static constexpr bool kMapped = true;
  static constexpr wasm::ValType kType = wasm::ValType::F32;
  static float from_slot(engine::Slot s) { return std::bit_cast<float>(static_cast<uint32_t>(s)); }
  static engine::Slot to_slot(float v) { return std::bit_cast<uint32_t>(v); }
};
template <> struct Scalar<double> {
  static constexpr bool kMapped = true;
  static constexpr wasm::ValType kType = wasm::ValType::F64;
  static double from_slot(engine::Slot s) { return std::bit_cast<double>(s); }
  static engine::Slot to_slot(double v) { return std::bit_cast<uint64_t>(v); }
};

// ---- parameters ----------------------------------------------------------------------------

/// The Wasm values one C++ parameter takes. kMapped is false for a type with no mapping.
template <class T> struct Param {
  static constexpr bool kMapped = false;
  static constexpr std::array<wasm::ValType, 0> kTypes{};
};
template <class T>
requires Scalar<T>::kMapped struct Param<T> {
  static constexpr bool kMapped = true;
  static constexpr std::array kTypes{Scalar<T>::kType};
};
template <class T> struct Param<GuestPtr<T>> {
  static constexpr bool kMapped = true;
  static constexpr std::array kTypes{wasm::ValType::I32};  // address
};
template <class T> struct Param<GuestSpan<T>> {
  static constexpr bool kMapped = true;
  static constexpr std::array kTypes{wasm::ValType::I32, wasm::ValType::I32};  // address, length
};
template <class T> struct Param<GuestMutSpan<T>> : Param<GuestSpan<T>> {};
template <> struct Param<GuestString> : Param<GuestSpan<uint8_t>> {};

/// A type usable as a host function parameter (by value or const reference).
template <class T>
concept WasmParam =
    (!std::is_reference_v<T> ||
     std::is_const_v<std::remove_reference_t<T>>)&&Param<std::remove_cvref_t<T>>::kMapped;

// ---- results -------------------------------------------------------------------------------

/// The Wasm results of a C++ return type: void, a scalar, or HostResult of either.
template <class R> struct Return {
  static constexpr bool kMapped = false;
  static constexpr std::array<wasm::ValType, 0> kTypes{};
};
template <> struct Return<void> {
  static constexpr bool kMapped = true;
  using Value = void;
  static constexpr std::array<wasm::ValType, 0> kTypes{};
};
template <class R>
requires Scalar<R>::kMapped struct Return<R> {
  static constexpr bool kMapped = true;
  using Value = R;
  static constexpr std::array kTypes{Scalar<R>::kType};
};
template <class T>
requires std::is_void_v<T> || Scalar<T>::kMapped struct Return<HostResult<T>> : Return<T> {
};

/// A type usable as a host function's return type.
template <class R>
concept WasmReturn = Return<R>::kMapped;

// ---- whole functions -----------------------------------------------------------------------

template <class... Ts> struct TypeList { static constexpr size_t kSize = sizeof...(Ts); };

/// Return type and parameters of a callable with one fixed signature.
template <class F> struct Callable { static constexpr bool kFixed = false; };
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

/// The Wasm-facing parameters: all parameters after an optional leading `CallContext&`.
template <class List> struct SplitContext;
template <> struct SplitContext<TypeList<>> {
  static constexpr bool kHasContext = false;
  using Wasm = TypeList<>;
};
template <class First, class... Rest> struct SplitContext<TypeList<First, Rest...>> {
  static constexpr bool kHasContext = std::is_same_v<First, CallContext&>;
  using Wasm = std::conditional_t<kHasContext, TypeList<Rest...>, TypeList<First, Rest...>>;
};

template <class List> struct ParamTypes;
template <class... A> struct ParamTypes<TypeList<A...>> {
  static constexpr size_t kCount = (size_t{0} + ... + Param<std::remove_cvref_t<A>>::kTypes.size());
  static constexpr std::array<wasm::ValType, kCount> make() {
    std::array<wasm::ValType, kCount> out{};
    [[maybe_unused]] size_t n = 0;
    ((append(out, n, Param<std::remove_cvref_t<A>>::kTypes)), ...);
    return out;
  }
  template <size_t N>
  static constexpr void append(std::array<wasm::ValType, kCount>& out, size_t& n,
                               const std::array<wasm::ValType, N>& types) {
    for (wasm::ValType t : types) out[n++] = t;
  }
  static constexpr std::array<wasm::ValType, kCount> kTypes = make();
};

/// Signature<F>: the Wasm parameter and result types of host function F, at compile time.
template <class F> struct Signature {
  using Fn = std::decay_t<F>;
  using Traits = Callable<Fn>;
  using Result = typename Traits::Result;
  using AllParams = typename Traits::Params;
  static constexpr bool kHasContext = SplitContext<AllParams>::kHasContext;
  using WasmParams = typename SplitContext<AllParams>::Wasm;
  static constexpr auto kParams = ParamTypes<WasmParams>::kTypes;
  static constexpr auto kResults = Return<Result>::kTypes;
};

/// The Wasm function type of host function F.
template <class F> wasm::FuncType func_type_of() {
  wasm::FuncType type;
  type.params.assign(Signature<F>::kParams.begin(), Signature<F>::kParams.end());
  type.results.assign(Signature<F>::kResults.begin(), Signature<F>::kResults.end());
  return type;
}

}  // namespace lunatic::binding
