// The engine alone as the public API offers it: Store, Instance, Function and Thread over
// engine::Store and engine::Thread, with imports resolved by the binding layer's Linker.
#include <lunatic/engine.hpp>

#include "binding/linker.hpp"
#include "embed/access.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"

namespace lunatic {
namespace {

engine::Function* internal(void* function) { return static_cast<engine::Function*>(function); }

std::vector<engine::Value> to_internal(std::span<const Value> values) {
  std::vector<engine::Value> out;
  out.reserve(values.size());
  for (const Value& v : values) out.push_back(embed::to_internal(v));
  return out;
}

std::vector<Value> to_public(const std::vector<engine::Value>& values) {
  std::vector<Value> out;
  out.reserve(values.size());
  for (const engine::Value& v : values) out.push_back(embed::to_public(v));
  return out;
}

Error no_function() { return Error(Phase::Usage, "call of an empty Function (no such export)"); }
Error foreign_function() {
  return Error(Phase::Usage, "call of a Function of another Store than the Thread's");
}

}  // namespace

std::vector<ValType> Function::params() const { return internal(function_)->type->params; }
std::vector<ValType> Function::results() const { return internal(function_)->type->results; }

Function Instance::find_function(std::string_view name) const {
  std::optional<engine::Extern> found =
      static_cast<engine::Instance*>(instance_)->find_export(name);
  return Function(found ? found->func() : nullptr, store_);
}

Function Instance::start_function() const {
  return Function(static_cast<engine::Instance*>(instance_)->start_function(), store_);
}

struct Engine::Impl {
  engine::MemoryPool pool;
};

Engine::Engine() : impl_(std::make_shared<Impl>()) {}

struct Store::Impl {
  Impl(std::shared_ptr<Engine::Impl> engine, StoreLimits limits)
      : engine(std::move(engine)),
        store(this->engine->pool, {.max_memory_pages = limits.max_memory_pages,
                                   .max_table_elements = limits.max_table_elements}) {}
  std::shared_ptr<Engine::Impl> engine;  // before the store, whose memories its pool holds
  engine::Store store;
  binding::HostFunctionCache functions{store};
};

Store::Store(const Engine& engine, StoreLimits limits)
    : impl_(std::make_unique<Impl>(engine.impl_, limits)) {}
Store::Store(StoreLimits limits) : Store(Engine(), limits) {}
Store::~Store() = default;

Result<Instance> Store::instantiate(const Module& module, const Linker& imports) {
  std::shared_ptr<const engine::CompiledModule> compiled = detail::Access::compiled(module);
  if (!compiled) return Error(Phase::Usage, "instantiate: no module");
  auto externs = detail::Access::linker(imports)->resolve(impl_->functions, compiled->wasm,
                                                          binding::AllowList::all());
  if (!externs) return std::move(externs).error();
  auto instance = impl_->store.instantiate(compiled, *externs);
  if (!instance) return std::move(instance).error();
  return Instance(*instance, impl_.get());
}

struct Thread::Impl {
  explicit Impl(Store::Impl& store) : store(&store), thread(store.store) {}
  const Store::Impl* store;  ///< whose Functions it may call
  engine::Thread thread;
  Trap trap;  ///< the public copy of thread.trap(), made when a run traps
};

Thread::Thread(Store& store) : impl_(std::make_unique<Impl>(*store.impl_)) {}
Thread::~Thread() = default;

Result<std::vector<Value>> Thread::call(const Function& function, std::span<const Value> args) {
  if (!function) return no_function();
  if (function.store_ != impl_->store) return foreign_function();
  auto results = impl_->thread.call(internal(function.function_), to_internal(args));
  if (!results) return std::move(results).error();
  return to_public(*results);
}

Result<void> Thread::begin_call(const Function& function, std::span<const Value> args) {
  if (!function) return no_function();
  if (function.store_ != impl_->store) return foreign_function();
  return impl_->thread.begin_call(internal(function.function_), to_internal(args));
}

RunStatus Thread::run(uint64_t slice) {
  // A public host function cannot park (nothing would wake it), so Parked does not arise.
  switch (impl_->thread.run(slice)) {
    case engine::RunStatus::Done: return RunStatus::Done;
    case engine::RunStatus::Yielded:
    case engine::RunStatus::Parked: return RunStatus::Yielded;
    case engine::RunStatus::Trapped: break;
  }
  impl_->trap = impl_->thread.trap();
  return RunStatus::Trapped;
}

std::vector<Value> Thread::results() const { return to_public(impl_->thread.results()); }
const Trap& Thread::trap() const { return impl_->trap; }
void Thread::set_fuel(std::optional<uint64_t> fuel) { impl_->thread.set_fuel(fuel); }
void Thread::request_kill() { impl_->thread.request_kill(); }

}  // namespace lunatic
