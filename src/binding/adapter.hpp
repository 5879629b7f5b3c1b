// The adapter between the interpreter's raw HostCall and a typed C++ host function: checks the
// signature at compile time, decodes and checks every argument before the body runs, writes the
// result, and keeps the pending-call slot honest across Park and re-execution.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "binding/call_context.hpp"
#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "binding/signature.hpp"
#include "common/utf8.hpp"

namespace lunatic::binding {

/// Friend of CallContext: the adapter's bookkeeping of the pending-call slot and of traps.
struct AdapterAccess {
  /// Before an attempt: state owned by another function is stale and dropped.
  static void begin(CallContext& ctx) {
    PendingCall& slot = ctx.slot();
    ctx.resumed_ = slot.owner() == ctx.function_;
    slot.claim(ctx.function_);
  }
  /// After an attempt. A finished call drops its state (inline: every call); a parked call
  /// keeps it, which needs a host context to survive: without one, parking with state would
  /// lose it, so that traps.
  static engine::HostStatus end(CallContext& ctx, engine::HostStatus status, engine::Trap& trap) {
    if (status != engine::HostStatus::Park) [[likely]] {
      ctx.slot().clear();
      return status;
    }
    return end_parked(ctx, trap);
  }
  static engine::HostStatus end_parked(CallContext& ctx, engine::Trap& trap);
  /// "host function NAME called with N arguments and M result slots, expects ..."
  static engine::Trap arity_mismatch(const CallContext& ctx, size_t args, size_t results,
                                     size_t want_args, size_t want_results);
  static engine::Trap argument_out_of_bounds(const CallContext& ctx, uint32_t arg_no,
                                             uint64_t address, uint64_t count, uint64_t size);
  /// `trap` = argument_out_of_bounds(...); false.
  [[gnu::cold, gnu::noinline]] static bool fail_argument_out_of_bounds(
      const CallContext& ctx, uint32_t arg_no, uint64_t address, uint64_t count, uint64_t size,
      engine::Trap& trap);
  static engine::Trap argument_invalid_utf8(const CallContext& ctx, uint32_t arg_no,
                                            uint64_t address, uint64_t size);
  /// "host function NAME threw: WHAT"
  static engine::Trap threw(const CallContext& ctx, std::string_view what);
};

/// Decoding of one parameter from its Wasm values; `arg_no` (1-based, not counting the
/// context) names it in traps. Views are checked here, before the body runs.
template <class T> struct Decoder;

template <class T>
requires Scalar<T>::kMapped struct Decoder<T> {
  static bool decode(CallContext&, const engine::Slot* s, uint32_t, T& out, engine::Trap&) {
    out = Scalar<T>::from_slot(s[0]);
    return true;
  }
};

/// Shared by the views: `count` elements of `size` bytes at the address in s[0]. Always
/// inline: GCC kept it a call per view argument (five a message, each with its frame), though
/// what is left of it is a bounds check.
template <class View>
[[gnu::always_inline]] inline bool decode_view(CallContext& ctx, uint32_t address, uint32_t count,
                                               uint64_t size, uint32_t arg_no, View& out,
                                               engine::Trap& trap) {
  if (make_view_into(ctx.memory(), address, count, size, out)) [[likely]] {
    return true;
  }
  // Name the argument only on failure, out of line: no string is built on the fast path, and
  // what is left is a bounds check the adapter inlines (with the trap's construction here, GCC
  // called this per view argument: ~13 instructions of call, 5 views a message).
  return AdapterAccess::fail_argument_out_of_bounds(ctx, arg_no, address, count, size, trap);
}

template <class T> struct Decoder<GuestPtr<T>> {
  static bool decode(CallContext& ctx, const engine::Slot* s, uint32_t arg_no, GuestPtr<T>& out,
                     engine::Trap& trap) {
    return decode_view(ctx, static_cast<uint32_t>(s[0]), 1, sizeof(T), arg_no, out, trap);
  }
};
template <class View, class T> struct SpanDecoder {
  static bool decode(CallContext& ctx, const engine::Slot* s, uint32_t arg_no, View& out,
                     engine::Trap& trap) {
    return decode_view(ctx, static_cast<uint32_t>(s[0]), static_cast<uint32_t>(s[1]), sizeof(T),
                       arg_no, out, trap);
  }
};
template <class T> struct Decoder<GuestSpan<T>> : SpanDecoder<GuestSpan<T>, T> {};
template <class T> struct Decoder<GuestMutSpan<T>> : SpanDecoder<GuestMutSpan<T>, T> {};
template <> struct Decoder<GuestString> {
  static bool decode(CallContext& ctx, const engine::Slot* s, uint32_t arg_no, GuestString& out,
                     engine::Trap& trap) {
    if (!SpanDecoder<GuestString, char>::decode(ctx, s, arg_no, out, trap)) return false;
    if (is_valid_utf8(out.view())) return true;
    trap = AdapterAccess::argument_invalid_utf8(ctx, arg_no, out.address(), out.size());
    return false;
  }
};

// ---- compile-time checks with readable messages --------------------------------------------

template <class T> constexpr bool check_param() {
  using U = std::remove_cvref_t<T>;
  // One message per bad parameter: each branch asserts a condition known false there.
  if constexpr (std::is_same_v<U, CallContext>) {
    static_assert(!std::is_same_v<U, CallContext>,
                  "host function: CallContext& must be the first parameter, and only once");
    return false;
  } else if constexpr (std::is_reference_v<T> && !std::is_const_v<std::remove_reference_t<T>>) {
    static_assert(!std::is_reference_v<T>,
                  "host function: take Wasm parameters by value or const reference (write "
                  "results through GuestPtr<T>)");
    return false;
  } else {
    static_assert(Param<U>::kMapped,
                  "host function parameter type has no Wasm mapping: use int32_t, uint32_t, "
                  "int64_t, uint64_t, float, double, GuestPtr<T>, GuestSpan<T>, GuestMutSpan<T> "
                  "or GuestString (see the 'required from' note for the offending type)");
    return WasmParam<T>;
  }
}

template <class List> struct CheckParams;
template <class... A> struct CheckParams<TypeList<A...>> {
  static constexpr bool kOk = (true && ... && check_param<A>());
};

/// True if F can be bound; otherwise a static_assert says why.
template <class F> constexpr bool check_host_function() {
  using Fn = std::decay_t<F>;
  static_assert(Callable<Fn>::kFixed,
                "host function must have one fixed signature: a function pointer, or a lambda or "
                "function object with a single non-template operator() (no auto parameters)");
  if constexpr (!Callable<Fn>::kFixed) {
    return false;
  } else {
    static_assert(Callable<Fn>::kConst,
                  "host function objects must be const-callable: host state belongs to the "
                  "process (CallContext::host<P>()), not to the function");
    using Sig = Signature<Fn>;
    static_assert(WasmReturn<typename Sig::Result>,
                  "host function return type has no Wasm mapping: use void, int32_t, uint32_t, "
                  "int64_t, uint64_t, float, double, or HostResult<T> of one of those");
    return Callable<Fn>::kConst && WasmReturn<typename Sig::Result> &&
           CheckParams<typename Sig::WasmParams>::kOk;
  }
}

// ---- the adapter ---------------------------------------------------------------------------

/// One attempt of a host function's `body` (which decodes `args` argument slots and writes
/// `results` result slots), with what every binding needs around it: the arity check, the
/// pending-call bookkeeping, and an exception turned into a trap of the caller. Counts, not
/// the spans: the body takes what it reads by value (spans captured by reference were
/// spilled to the stack as 16 bytes and read back as 8, a stall on every call). Always inline:
/// with the adapter's entry, one function per host call, not three frames with their prologues
/// and arguments (~40 instructions a call, six calls a message round trip).
template <class Body>
[[gnu::always_inline]] inline engine::HostStatus run_guarded(CallContext& ctx, size_t args,
                                                             size_t results, size_t want_args,
                                                             size_t want_results,
                                                             engine::Trap& trap, Body&& body) {
  if (args != want_args || results != want_results) {
    trap = AdapterAccess::arity_mismatch(ctx, args, results, want_args, want_results);
    return engine::HostStatus::Trap;
  }
  AdapterAccess::begin(ctx);
  engine::HostStatus status = engine::HostStatus::Trap;
  // An exception must not unwind through the interpreter (or end the worker thread): it
  // traps the calling process instead, with what() in the message.
  try {
    status = body();
  } catch (const std::exception& e) {
    trap = AdapterAccess::threw(ctx, e.what());
  } catch (...) {
    trap = AdapterAccess::threw(ctx, "an exception that is not a std::exception");
  }
  return AdapterAccess::end(ctx, status, trap);
}

/// A typed host function turned into an engine::DirectHostFunction: entry() is generated for
/// F's signature, and the tiers call it directly with the adapter as its context (one adapter,
/// shared by every store the function is added to). Copies share `info`, whose address
/// identifies the function for the pending-call slot.
template <class F> class Adapter {
  using Sig = Signature<F>;
  using Result = typename Sig::Result;

 public:
  Adapter(F fn, std::shared_ptr<const FunctionInfo> info)
      : fn_(std::move(fn)), info_(std::move(info)) {}

  /// The engine's entry point.
  [[gnu::always_inline]] engine::HostStatus operator()(engine::HostCall& call) const {
    CallContext ctx(call, *info_);
    return invoke(ctx, call.args, call.results, call.trap);
  }
  /// The same as a plain function of the adapter (DirectHostFunction::entry).
  static engine::HostStatus entry(const void* self, engine::HostCall& call) {
    return (*static_cast<const Adapter*>(self))(call);
  }

  /// One attempt of the call with explicit pieces (the interpreter's path goes through here).
  [[gnu::always_inline]] engine::HostStatus invoke(CallContext& ctx,
                                                   std::span<const engine::Slot> args,
                                                   std::span<engine::Slot> results,
                                                   engine::Trap& trap) const {
    return run_guarded(ctx, args.size(), results.size(), Sig::kParams.size(), Sig::kResults.size(),
                       trap, [this, &ctx, &trap, a = args.data(), r = results.data()] {
                         return run(ctx, a, r, trap, std::make_index_sequence<kWasmCount>{});
                       });
  }

  const FunctionInfo& info() const { return *info_; }

 private:
  using WasmParams = typename Sig::WasmParams;
  static constexpr size_t kWasmCount = WasmParams::kSize;

  using L = ParamTypes<WasmParams>;
  using Values = detail::Values<WasmParams>;

  template <size_t... I>
  engine::HostStatus run(CallContext& ctx, [[maybe_unused]] const engine::Slot* args,
                         [[maybe_unused]] engine::Slot* results, engine::Trap& trap,
                         std::index_sequence<I...>) const {
    Values values;
    // Every argument is decoded and checked, in order, before the body runs.
    bool ok =
        (true && ... &&
         Decoder<std::tuple_element_t<I, Values>>::decode(
             ctx, args + L::kOffsets[I], static_cast<uint32_t>(I + 1), std::get<I>(values), trap));
    if (!ok) return engine::HostStatus::Trap;
    if constexpr (std::is_void_v<Result>) {
      call(ctx, values, std::index_sequence<I...>{});
      return engine::HostStatus::Return;
    } else {
      return finish(call(ctx, values, std::index_sequence<I...>{}), results, trap);
    }
  }

  template <size_t... I>
  Result call(CallContext& ctx, Values& values, std::index_sequence<I...>) const {
    if constexpr (Sig::kHasContext) {
      return std::invoke(fn_, ctx, std::get<I>(values)...);
    } else {
      (void)ctx;
      return std::invoke(fn_, std::get<I>(values)...);
    }
  }

  template <class R>
  static engine::HostStatus finish(R&& r, engine::Slot* results, engine::Trap& trap) {
    using V = std::remove_cvref_t<R>;
    if constexpr (Scalar<V>::kMapped) {
      results[0] = Scalar<V>::to_slot(r);
      return engine::HostStatus::Return;
    } else {
      if (r.is_park()) return engine::HostStatus::Park;
      if (r.is_trap()) {
        trap = std::move(r).trap();
        return engine::HostStatus::Trap;
      }
      if constexpr (!Return<V>::kTypes.empty()) {
        using Value = typename Return<V>::Value;
        results[0] = Scalar<Value>::to_slot(r.value());
      }
      return r.yields() ? engine::HostStatus::Yield : engine::HostStatus::Return;
    }
  }

  F fn_;
  std::shared_ptr<const FunctionInfo> info_;
};

}  // namespace lunatic::binding
