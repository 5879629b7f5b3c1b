// Namespace: one Wasm import module of host functions ("lunatic::message"), each declared once
// with define() from a typed C++ function whose signature gives the Wasm type.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "binding/adapter.hpp"
#include "binding/call_context.hpp"
#include "engine/host_function.hpp"
#include "wasm/types.hpp"

namespace lunatic::binding {

/// One attempt of a bound function with explicit pieces, for calls made outside a Thread
/// (tests; an embedder probing a binding). The interpreter uses HostDefinition::function.
using PieceInvoker = std::function<engine::HostStatus(CallContext&, std::span<const engine::Slot>,
                                                      std::span<engine::Slot>, engine::Trap&)>;

/// A bound host function.
struct HostDefinition {
  std::string name;                          ///< "send"
  std::shared_ptr<const FunctionInfo> info;  ///< full name "lunatic::message::send"; identity
  wasm::FuncType type;                       ///< from the C++ signature
  engine::DirectHostFunction function;       ///< for engine::Store::add_host_function
  PieceInvoker invoke;                       ///< the same adapter, called with pieces

  const std::string& full_name() const { return info->full_name; }
};

/// The host functions of one import module. Build it once (at startup), then share it: a
/// Namespace is immutable while a Linker resolves against it.
class Namespace {
 public:
  explicit Namespace(std::string module) : module_(std::move(module)) {}

  /// The import module name, e.g. "lunatic::message".
  const std::string& module() const { return module_; }

  /// Declares host function `name` implemented by `fn`: a function pointer (`&message::send`),
  /// a lambda or a const function object with one fixed signature. Its parameters (after an
  /// optional leading `CallContext&`) and return type give the Wasm type at compile time; a
  /// type without a Wasm mapping is a compile error (signature.hpp lists the mappings).
  /// Redefining a name replaces the earlier definition. Returns *this for chaining.
  template <class F> Namespace& define(std::string_view name, F fn) {
    using Fn = std::decay_t<F>;
    if constexpr (check_host_function<Fn>()) {
      auto info = std::make_shared<FunctionInfo>(FunctionInfo{module_ + "::" + std::string(name)});
      auto adapter = std::make_shared<const Adapter<Fn>>(Fn(std::move(fn)), info);
      HostDefinition def;
      def.name = std::string(name);
      def.info = std::move(info);
      def.type = func_type_of<Fn>();
      def.invoke = [adapter](CallContext& ctx, std::span<const engine::Slot> args,
                             std::span<engine::Slot> results, engine::Trap& trap) {
        return adapter->invoke(ctx, args, results, trap);
      };
      def.function = engine::DirectHostFunction{&Adapter<Fn>::entry, std::move(adapter)};
      insert(std::move(def));
    }
    return *this;
  }

  /// Declares host function `name` of Wasm type `type` from a body that decodes its argument
  /// slots itself (the public embedding API's typed functions arrive this way, type-erased).
  /// The body runs as a typed one would: after the arity check, with the pending-call slot
  /// kept honest and an escaping exception turned into a trap. Returns *this.
  Namespace& define_dynamic(std::string_view name, wasm::FuncType type, PieceInvoker body);

  /// Puts `entry` in front of `name`'s adapter: the tiers call entry(context, call), whose
  /// context is still the adapter (Adapter<F>::entry(context, call) runs the bound function as
  /// before). For a host function's own fast path on its hottest case, one that needs none of
  /// the adapter's decoding (lunatic::message::receive_data run again after its wake-up).
  /// No effect if `name` is not defined. Returns *this.
  Namespace& front_entry(std::string_view name, engine::DirectHostFunction::Entry entry);

  /// The definition of `name`, or null.
  const HostDefinition* find(std::string_view name) const;
  size_t size() const { return functions_.size(); }
  /// Definitions in name order.
  const std::map<std::string, HostDefinition, std::less<>>& functions() const { return functions_; }

 private:
  void insert(HostDefinition def);

  std::string module_;
  std::map<std::string, HostDefinition, std::less<>> functions_;
};

}  // namespace lunatic::binding
