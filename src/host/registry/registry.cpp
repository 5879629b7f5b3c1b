// lunatic::registry: names for processes, scoped by environment (runtime::Environment's name
// table): a process sees its environment's names and its ancestors', changes only its own
// environment's, and a name goes when its process ends.
#include "host/registry/registry.hpp"

#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "host/shared/resources.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::registry {
namespace {

using binding::CallContext;
using binding::GuestPtr;
using binding::GuestString;
using binding::HostResult;
using runtime::Process;

/// A trap for a name past runtime::kMaxNameBytes, else nothing.
std::optional<engine::Trap> check_name(const CallContext& ctx, const GuestString& name) {
  if (name.view().size() <= runtime::kMaxNameBytes) return std::nullopt;
  return shared::misuse(ctx, "name of " + std::to_string(name.view().size()) +
                                 " bytes is longer than the most, " +
                                 std::to_string(runtime::kMaxNameBytes));
}

/// Arguments: a UTF-8 name (at most 1024 bytes), a process id. Registers the name for that
/// process in the caller's environment, replacing that environment's earlier registration of
/// the name (an ancestor's registration is shadowed for the caller's environment and those
/// inside it, never changed). The name goes when the process ends.
/// Returns 0 registered, 1 no such process (not alive), 2 refused: a new name and the
/// environment (or an ancestor) is at its max_names.
/// Traps: name outside memory, not UTF-8 or longer than 1024 bytes.
HostResult<int32_t> put(CallContext& ctx, GuestString name, uint64_t process_id) {
  if (auto trap = check_name(ctx, name)) return std::move(*trap);
  Process& self = ctx.host<Process>();
  std::shared_ptr<Process> target = self.runtime().find(process_id);
  if (!target) return 1;
  switch (target->names().put(self.environment(), name.view(), process_id)) {
    case runtime::ProcessNames::Put::Registered: return 0;
    case runtime::ProcessNames::Put::Ended: return 1;
    case runtime::ProcessNames::Put::LimitReached: return 2;
  }
  return 2;
}

/// Arguments: a UTF-8 name (at most 1024 bytes), an out-pointer for a u64 process id. Looks
/// the name up in the caller's environment, then in its ancestors (the nearest registration
/// wins). Returns 0 (id written) if found and its process is alive, else 1.
/// Traps: a range outside memory, bad UTF-8, a name longer than 1024 bytes.
HostResult<int32_t> get(CallContext& ctx, GuestString name, GuestPtr<uint64_t> id_out) {
  if (auto trap = check_name(ctx, name)) return std::move(*trap);
  Process& self = ctx.host<Process>();
  std::optional<runtime::ProcessId> id = self.environment()->find_name(name.view());
  // A process that is ending may still be named for a moment.
  if (!id || !self.runtime().exists(*id)) return 1;
  id_out.write(*id);
  return 0;
}

/// Arguments: a UTF-8 name (at most 1024 bytes). Removes it from the caller's environment's
/// table (nothing if that table does not hold it; an ancestor's stays). Traps: as put.
HostResult<void> remove(CallContext& ctx, GuestString name) {
  if (auto trap = check_name(ctx, name)) return std::move(*trap);
  ctx.host<Process>().environment()->remove_name(name.view());
  return {};
}

}  // namespace

void define_functions(binding::Linker& linker) {
  linker.ns(kModuleName).define("put", &put).define("get", &get).define("remove", &remove);
}

}  // namespace lunatic::host::registry
