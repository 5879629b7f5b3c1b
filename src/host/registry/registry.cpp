// lunatic::registry: names in the runtime's name table (Runtime::names()). A name outlives its
// process; get() reports a name whose process has ended as not found.
#include "host/registry/registry.hpp"

#include "binding/guest_memory.hpp"
#include "host/shared/resources.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::registry {
namespace {

using binding::CallContext;
using binding::GuestPtr;
using binding::GuestString;
using runtime::Process;

/// Arguments: a UTF-8 name, a process id. Registers the name for that process (replacing an
/// earlier one). Traps: name outside memory or not UTF-8.
void put(CallContext& ctx, GuestString name, uint64_t process_id) {
  ctx.host<Process>().runtime().names().put(name.view(), process_id);
}

/// Arguments: a UTF-8 name, an out-pointer for a u64 process id. Returns 0 (id written) if the
/// name is registered and its process is alive, else 1. Traps: a range outside memory, bad UTF-8.
int32_t get(CallContext& ctx, GuestString name, GuestPtr<uint64_t> id_out) {
  runtime::Runtime& rt = ctx.host<Process>().runtime();
  std::optional<runtime::ProcessId> id = rt.names().get(name.view());
  if (!id || !rt.exists(*id)) return 1;
  id_out.write(*id);
  return 0;
}

/// Arguments: a UTF-8 name. Removes it (nothing if not registered). Traps: as put.
void remove(CallContext& ctx, GuestString name) {
  ctx.host<Process>().runtime().names().remove(name.view());
}

}  // namespace

void define_functions(binding::Linker& linker) {
  linker.ns(kModuleName).define("put", &put).define("get", &get).define("remove", &remove);
}

}  // namespace lunatic::host::registry
