// The public host-function binding over src/binding: CallContext reads the layers' call
// context, Namespace::define_erased turns a typed public function (already type-erased by
// the header's templates) into a binding definition, Linker wraps binding::Linker.
#include <lunatic/linker.hpp>

#include <string>

#include "binding/call_context.hpp"
#include "binding/guest_memory.hpp"
#include "embed/access.hpp"
#include "host/standard/standard.hpp"
#include "runtime/process.hpp"

namespace lunatic {
namespace {

binding::CallContext& internal(void* ctx) { return *static_cast<binding::CallContext*>(ctx); }

}  // namespace

// ---- CallContext ----------------------------------------------------------------------------

ProcessId CallContext::process_id() const {
  const binding::CallContext& ctx = internal(internal_);
  if (!ctx.has_host()) return 0;
  // The host context is the runtime's Process when the caller is a process; an engine-level
  // Thread has none (or the embedder's own).
  auto* process = dynamic_cast<runtime::Process*>(&ctx.host<binding::HostContext>());
  return process != nullptr ? process->id() : 0;
}

std::string_view CallContext::function_name() const { return internal(internal_).function_name(); }

uint64_t CallContext::memory_size() const {
  engine::Memory* memory = internal(internal_).memory();
  return memory != nullptr ? memory->size_bytes() : 0;
}

uint8_t* CallContext::memory_data() const {
  engine::Memory* memory = internal(internal_).memory();
  return memory != nullptr ? memory->data() : nullptr;
}

bool CallContext::in_bounds(uint64_t address, uint64_t count, uint64_t size) const {
  return binding::in_bounds(internal(internal_).memory(), address, count, size);
}

Trap CallContext::out_of_bounds(std::string_view what, uint64_t address, uint64_t count,
                                uint64_t size) const {
  return internal(internal_).out_of_bounds(what, address, count, size);
}

Trap CallContext::invalid_utf8(std::string_view what, uint64_t address, uint64_t bytes) const {
  return internal(internal_).invalid_utf8(what, address, bytes);
}

// ---- Namespace ------------------------------------------------------------------------------

const std::string& Namespace::module() const {
  return static_cast<binding::Namespace*>(internal_)->module();
}

void Namespace::define_erased(std::string_view name, std::vector<ValType> params,
                              std::vector<ValType> results, detail::ErasedHostFunction fn) {
  wasm::FuncType type{std::move(params), std::move(results)};
  static_cast<binding::Namespace*>(internal_)->define_dynamic(
      name, std::move(type),
      [fn = std::move(fn)](binding::CallContext& ctx, std::span<const engine::Slot> args,
                           std::span<engine::Slot> out, engine::Trap& trap) {
        CallContext public_ctx(&ctx);
        std::optional<Trap> failed = fn(public_ctx, args.data(), out.data());
        if (!failed) return engine::HostStatus::Return;
        trap = std::move(*failed);
        return engine::HostStatus::Trap;
      });
}

// ---- Linker ---------------------------------------------------------------------------------

Linker::Linker() : impl_(std::make_shared<Impl>(Impl{std::make_shared<binding::Linker>()})) {}

Linker Linker::standard() {
  Linker linker;
  host::define_standard_functions(*linker.impl_->linker);
  return linker;
}

Namespace Linker::ns(std::string_view module) { return Namespace(&impl_->linker->ns(module)); }

bool Linker::contains(std::string_view module, std::string_view name) const {
  return impl_->linker->find(module, name) != nullptr;
}

}  // namespace lunatic
