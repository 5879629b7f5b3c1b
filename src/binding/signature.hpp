// Compile-time mapping of a C++ host function's signature to its Wasm function type: which C++
// parameter and return types have a Wasm mapping and how many Wasm values each takes. The
// type-level machinery it shares with the public binding (a callable's signature, the slot
// codec of scalars, parameter layout) is lunatic/host_signature.hpp.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <lunatic/host_signature.hpp>

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

template <class T, wasm::ValType V> struct CodecScalar : detail::SlotCodec<T> {
  static constexpr wasm::ValType kType = V;
};
template <> struct Scalar<int32_t> : CodecScalar<int32_t, wasm::ValType::I32> {};
template <> struct Scalar<uint32_t> : CodecScalar<uint32_t, wasm::ValType::I32> {};
template <> struct Scalar<int64_t> : CodecScalar<int64_t, wasm::ValType::I64> {};
template <> struct Scalar<uint64_t> : CodecScalar<uint64_t, wasm::ValType::I64> {};
template <> struct Scalar<float> : CodecScalar<float, wasm::ValType::F32> {};
template <> struct Scalar<double> : CodecScalar<double, wasm::ValType::F64> {};

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

using detail::Callable;
using detail::TypeList;

/// The Wasm value types of a parameter list, flattened (kTypes), and where each starts.
template <class List> using ParamTypes = detail::ParamLayout<Param, wasm::ValType, List>;

/// Signature<F>: the Wasm parameter and result types of host function F, at compile time.
template <class F> struct Signature {
  using Fn = std::decay_t<F>;
  using Traits = Callable<Fn>;
  using Result = typename Traits::Result;
  using AllParams = typename Traits::Params;
  static constexpr bool kHasContext = detail::SplitContext<AllParams, CallContext>::kHasContext;
  using WasmParams = typename detail::SplitContext<AllParams, CallContext>::Wasm;
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
