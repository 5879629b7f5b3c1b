// Host functions of the embedder's own: a Linker of namespaces (the import module names guests
// use), each function declared once from a typed C++ callable whose signature gives its Wasm
// type. docs/host-binding.md has the mapping of types; host_function.hpp the views.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <lunatic/host_function.hpp>
#include <lunatic/host_signature.hpp>
#include <lunatic/value.hpp>

namespace lunatic {

namespace detail {

struct Access;

/// The Wasm values one public parameter type takes, and its decoding from argument slots.
/// kMapped is false for a type with no mapping.
template <class T> struct Param {
  static constexpr bool kMapped = false;
  static constexpr std::array<ValType, 0> kTypes{};
};
template <class T>
requires SlotCodec<T>::kMapped struct Param<T> {
  static constexpr bool kMapped = true;
  static constexpr ValType kType = std::is_floating_point_v<T>
                                       ? (sizeof(T) == 4 ? ValType::F32 : ValType::F64)
                                       : (sizeof(T) == 4 ? ValType::I32 : ValType::I64);
  static constexpr std::array kTypes{kType};
  static std::optional<Trap> decode(const CallContext&, const uint64_t* s, uint32_t, T& out) {
    out = SlotCodec<T>::from_slot(s[0]);
    return std::nullopt;
  }
};
/// The views: one i32 address (GuestPtr) or an address and a length in elements.
template <class View, class T, size_t N> struct ViewParam {
  static constexpr bool kMapped = true;
  static constexpr auto kTypes = [] {
    std::array<ValType, N> types{};
    types.fill(ValType::I32);
    return types;
  }();
  static std::optional<Trap> decode(const CallContext& ctx, const uint64_t* s, uint32_t arg_no,
                                    View& out) {
    uint32_t count = N == 1 ? 1 : static_cast<uint32_t>(s[1]);
    std::string what = "argument " + std::to_string(arg_no);
    HostResult<View> view = View::at(ctx, static_cast<uint32_t>(s[0]), count, what);
    if (!view.ok()) return std::move(view).trap();
    out = std::move(view).value();
    return std::nullopt;
  }
};
template <class T> struct Param<GuestPtr<T>> : ViewParam<GuestPtr<T>, T, 1> {
  static std::optional<Trap> decode(const CallContext& ctx, const uint64_t* s, uint32_t arg_no,
                                    GuestPtr<T>& out) {
    HostResult<GuestPtr<T>> ptr =
        GuestPtr<T>::at(ctx, static_cast<uint32_t>(s[0]), "argument " + std::to_string(arg_no));
    if (!ptr.ok()) return std::move(ptr).trap();
    out = ptr.value();
    return std::nullopt;
  }
};
template <class T> struct Param<GuestSpan<T>> : ViewParam<GuestSpan<T>, T, 2> {};
template <class T> struct Param<GuestMutSpan<T>> : ViewParam<GuestMutSpan<T>, T, 2> {};
template <> struct Param<GuestString> : ViewParam<GuestString, char, 2> {};

/// The Wasm results of a return type: void, a scalar, or HostResult of either.
template <class R> struct Return { static constexpr bool kMapped = false; };
template <> struct Return<void> {
  static constexpr bool kMapped = true;
  static constexpr std::array<ValType, 0> kTypes{};
};
template <class R>
requires SlotCodec<R>::kMapped struct Return<R> {
  static constexpr bool kMapped = true;
  static constexpr std::array kTypes{Param<R>::kType};
};
template <class T>
requires std::is_void_v<T> || SlotCodec<T>::kMapped struct Return<HostResult<T>> : Return<T> {
};

/// A typed host function made uniform: decodes `args`, runs the body, writes `results`;
/// nullopt, or the trap that stops the caller.
using ErasedHostFunction =
    std::function<std::optional<Trap>(CallContext&, const uint64_t* args, uint64_t* results)>;

template <class F> struct HostSignature {
  using Traits = Callable<F>;
  using Result = typename Traits::Result;
  using Split = SplitContext<typename Traits::Params, CallContext>;
  using Layout = ParamLayout<Param, ValType, typename Split::Wasm>;
};

/// True if F can be a host function; otherwise a static_assert says why.
template <class F> constexpr bool check_host_function() {
  static_assert(Callable<F>::kFixed,
                "host function must have one fixed signature: a function pointer, or a lambda "
                "or function object with a single non-template operator() (no auto parameters)");
  if constexpr (!Callable<F>::kFixed) {
    return false;
  } else {
    static_assert(Callable<F>::kConst,
                  "host function objects must be const-callable (no mutable lambdas)");
    using Sig = HostSignature<F>;
    static_assert(Return<typename Sig::Result>::kMapped,
                  "host function return type has no Wasm mapping: use void, int32_t, uint32_t, "
                  "int64_t, uint64_t, float, double, or HostResult<T> of one of those");
    return Callable<F>::kConst && Return<typename Sig::Result>::kMapped && [] {
      return []<class... A>(TypeList<A...>) {
        static_assert(
            (... && (Param<std::remove_cvref_t<A>>::kMapped &&
                     (!std::is_reference_v<A> || std::is_const_v<std::remove_reference_t<A>>))),
            "host function parameter type has no Wasm mapping: use int32_t, uint32_t, "
            "int64_t, uint64_t, float, double, GuestPtr<T>, GuestSpan<T>, "
            "GuestMutSpan<T> or GuestString, by value or const reference (a "
            "CallContext& only first)");
        return true;
      }(typename Sig::Split::Wasm{});
    }();
  }
}

/// Decodes every argument, in order, before the body runs; then calls it and writes its result.
template <class F, class... A, size_t... I>
std::optional<Trap> invoke_host_function(const F& fn, CallContext& ctx, const uint64_t* args,
                                         uint64_t* results, TypeList<A...>,
                                         std::index_sequence<I...>) {
  using Sig = HostSignature<F>;
  Values<TypeList<A...>> values;
  std::optional<Trap> trap;
  bool ok = (true && ... &&
             !(trap = Param<std::remove_cvref_t<A>>::decode(ctx, args + Sig::Layout::kOffsets[I],
                                                            static_cast<uint32_t>(I + 1),
                                                            std::get<I>(values))));
  if (!ok) return trap;
  auto call = [&] {
    if constexpr (Sig::Split::kHasContext)
      return std::invoke(fn, ctx, std::get<I>(values)...);
    else
      return std::invoke(fn, std::get<I>(values)...);
  };
  using R = typename Sig::Result;
  if constexpr (std::is_void_v<R>) {
    call();
  } else if constexpr (SlotCodec<R>::kMapped) {
    results[0] = SlotCodec<R>::to_slot(call());
  } else {
    R r = call();
    if (!r.ok()) return std::move(r).trap();
    if constexpr (!Return<R>::kTypes.empty()) {
      results[0] = SlotCodec<std::remove_cvref_t<decltype(r.value())>>::to_slot(r.value());
    }
  }
  (void)results;
  return std::nullopt;
}

}  // namespace detail

/// Host functions an environment may import: plain string prefixes of "module::name"
/// ("app::" allows the namespace app, "wasi_snapshot_preview1::fd_write" one function).
struct AllowList {
  std::vector<std::string> prefixes{};

  /// Allows nothing.
  AllowList() = default;
  explicit AllowList(std::vector<std::string> p) : prefixes(std::move(p)) {}
  /// Allows everything (the one prefix "").
  static AllowList all() { return AllowList({std::string()}); }
};

/// One import module of host functions ("app"). A handle into its Linker: valid while the
/// Linker (or a copy) lives.
class Namespace {
 public:
  /// Declares host function `name` implemented by `fn`: a function pointer, or a lambda or
  /// const function object with one fixed signature. Its parameters (after an optional leading
  /// `CallContext&`) and return type give the Wasm type at compile time; a type without a
  /// mapping is a compile error. A C++ exception thrown by `fn` traps the caller ("host
  /// function app::NAME threw: WHAT"). Redefining a name replaces it. Returns *this.
  template <class F> Namespace& define(std::string_view name, F fn) {
    using Fn = std::decay_t<F>;
    if constexpr (detail::check_host_function<Fn>()) {
      using Sig = detail::HostSignature<Fn>;
      using Wasm = typename Sig::Split::Wasm;
      const auto& params = Sig::Layout::kTypes;
      const auto& results = detail::Return<typename Sig::Result>::kTypes;
      define_erased(
          name, std::vector<ValType>(params.begin(), params.end()),
          std::vector<ValType>(results.begin(), results.end()),
          [fn = Fn(std::move(fn))](CallContext& ctx, const uint64_t* args, uint64_t* out) {
            return detail::invoke_host_function(fn, ctx, args, out, Wasm{},
                                                std::make_index_sequence<Wasm::kSize>{});
          });
    }
    return *this;
  }

  /// "app"
  const std::string& module() const;

  /// Made by Linker::ns; `internal` is opaque.
  explicit Namespace(void* internal) : internal_(internal) {}

 private:
  void define_erased(std::string_view name, std::vector<ValType> params,
                     std::vector<ValType> results, detail::ErasedHostFunction fn);
  void* internal_;
};

/// All namespaces of host functions a Runtime (or a Store's instantiate) resolves imports
/// against. A handle: copies share the same definitions. Define everything before handing it
/// to a Runtime, which reads it from then on (from every worker thread).
class Linker {
 public:
  /// No host functions.
  Linker();
  /// WASI preview1 and every lunatic::* namespace (what the `lunatic` command offers).
  static Linker standard();

  /// The namespace `module`, created empty on first use: `linker.ns("app").define(...)`.
  Namespace ns(std::string_view module);
  /// Whether `module::name` is defined.
  bool contains(std::string_view module, std::string_view name) const;

  struct Impl;  ///< defined by the implementation

 private:
  friend struct detail::Access;
  std::shared_ptr<Impl> impl_;
};

/// Linker::standard(), as a shared handle.
inline Linker standard_linker() { return Linker::standard(); }

}  // namespace lunatic
