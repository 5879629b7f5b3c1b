// lunatic::process::info: what a process is doing, for a supervisor reading its children.
// Only processes of the caller's environment and of the environments below it are visible,
// so a sandbox learns nothing about the processes around it.
#include <algorithm>
#include <limits>

#include "host/process/info.hpp"
#include "host/process/internal.hpp"
#include "runtime/introspection.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::process {

using runtime::Process;
using runtime::ProcessState;

// GuestProcessInfo::state is the ProcessState's value: the ABI fixes these numbers.
static_assert(static_cast<int>(ProcessState::Running) == 0);
static_assert(static_cast<int>(ProcessState::Receiving) == 2);
static_assert(static_cast<int>(ProcessState::Exited) == 6);

namespace {

bool within(const runtime::Environment* env, const runtime::Environment& root) {
  for (; env != nullptr; env = env->parent().get()) {
    if (env == &root) return true;
  }
  return false;
}

uint32_t clamp32(size_t n) {
  return static_cast<uint32_t>(std::min<size_t>(n, std::numeric_limits<uint32_t>::max()));
}

}  // namespace

/// Writes what `process_id` is doing to `out` (GuestProcessInfo, 72 bytes). Returns 0, or 1
/// (nothing written) when no such process is alive in the caller's environment or below it.
/// Traps: `out` out of bounds.
int32_t info(CallContext& ctx, uint64_t process_id, GuestPtr<GuestProcessInfo> out) {
  Process& self = ctx.host<Process>();
  runtime::Runtime& rt = self.runtime();
  std::shared_ptr<Process> target = rt.find(process_id);
  if (target == nullptr || !within(target->environment().get(), *self.environment())) return 1;
  std::optional<runtime::ProcessInfo> p = rt.process_info(process_id);
  if (!p) return 1;  // ended in between
  constexpr uint64_t kUnmetered = std::numeric_limits<uint64_t>::max();
  GuestProcessInfo g{};
  g.state = static_cast<uint8_t>(p->state);
  g.flags = p->die_when_link_dies ? 1 : 0;
  g.links = clamp32(p->links.size());
  g.mailbox_messages = p->mailbox_messages;
  g.mailbox_bytes = p->mailbox_bytes;
  g.memory_bytes = p->memory_bytes;
  g.fuel_used = p->fuel_used.value_or(kUnmetered);
  g.fuel_left = p->fuel_left.value_or(kUnmetered);
  g.slices = p->slices;
  g.monitored_by = clamp32(p->monitored_by);
  g.monitoring = clamp32(p->monitoring);
  g.start_time_ms = p->start_time_ms;
  out.write(g);
  return 0;
}

}  // namespace lunatic::host::process
