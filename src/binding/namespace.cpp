// Namespace: lookup and insertion of definitions (define() itself is a template in the header),
// and define_dynamic() of bodies that decode their own arguments.
#include "binding/namespace.hpp"

namespace lunatic::binding {

const HostDefinition* Namespace::find(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

Namespace& Namespace::define_dynamic(std::string_view name, wasm::FuncType type,
                                     PieceInvoker body) {
  auto info = std::make_shared<FunctionInfo>(FunctionInfo{module_ + "::" + std::string(name)});
  PieceInvoker guarded = [body = std::move(body), params = type.params.size(),
                          results = type.results.size()](
                             CallContext& ctx, std::span<const engine::Slot> args,
                             std::span<engine::Slot> out, engine::Trap& trap) {
    return run_guarded(ctx, args.size(), out.size(), params, results, trap,
                       [&] { return body(ctx, args, out, trap); });
  };
  HostDefinition def;
  def.name = std::string(name);
  def.info = info;
  def.type = std::move(type);
  // Type-erased already (the body): one hop more than a typed function's entry.
  struct Dynamic {
    PieceInvoker guarded;
    std::shared_ptr<const FunctionInfo> info;
    static engine::HostStatus entry(const void* self, engine::HostCall& call) {
      const auto& d = *static_cast<const Dynamic*>(self);
      CallContext ctx(call, *d.info);
      return d.guarded(ctx, call.args, call.results, call.trap);
    }
  };
  def.function = engine::DirectHostFunction{
      &Dynamic::entry, std::make_shared<const Dynamic>(Dynamic{guarded, info})};
  def.invoke = std::move(guarded);
  insert(std::move(def));
  return *this;
}

Namespace& Namespace::front_entry(std::string_view name, engine::DirectHostFunction::Entry entry) {
  if (auto it = functions_.find(name); it != functions_.end()) it->second.function.entry = entry;
  return *this;
}

void Namespace::insert(HostDefinition def) {
  std::string key = def.name;
  functions_.insert_or_assign(std::move(key), std::move(def));
}

}  // namespace lunatic::binding
