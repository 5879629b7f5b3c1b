// lunatic::process: the caller's identity and its relations to other processes (links,
// monitors, kill, exists), and sleep_ms, which parks.
#include <algorithm>
#include <chrono>

#include "host/process/internal.hpp"
#include "runtime/process.hpp"
#include "runtime/router.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::process {

using runtime::Process;

/// Returns the caller's process id (u64, never 0, never reused by this runtime).
int64_t process_id(CallContext& ctx) { return static_cast<int64_t>(ctx.host<Process>().id()); }

/// Links the caller and `process_id` both ways under `tag` (re-linking changes the tag). If the
/// process is not alive the caller gets its link-died signal at once.
void link(CallContext& ctx, int64_t tag, uint64_t process_id) {
  ctx.host<Process>().link(tag, process_id);
}

/// Removes the link with `process_id` (both sides), if any.
void unlink(CallContext& ctx, uint64_t process_id) { ctx.host<Process>().unlink(process_id); }

/// The caller gets one "process died" message tagged `tag` when `process_id` ends, however it
/// ends (at once if it is not alive).
void monitor(CallContext& ctx, int64_t tag, uint64_t process_id) {
  ctx.host<Process>().monitor(tag, process_id);
}

/// Cancels the caller's monitors of `process_id`.
void stop_monitoring(CallContext& ctx, uint64_t process_id) {
  ctx.host<Process>().stop_monitoring(process_id);
}

/// Kills `process_id` (nothing if it is not alive; the caller itself stops at its next
/// safepoint). Its links see a failure. A remote id goes to the Router (an exit signal with
/// reason `kill` to the process's node).
void kill(CallContext& ctx, uint64_t process_id) {
  Process& self = ctx.host<Process>();
  if (runtime::is_remote(process_id)) {
    if (std::shared_ptr<runtime::Router> router = self.runtime().router()) {
      router->kill(self.id(), process_id);
    }
    return;
  }
  self.runtime().kill(process_id);
}

/// Returns 1 if `process_id` is alive, else 0.
int32_t exists(CallContext& ctx, uint64_t process_id) {
  return ctx.host<Process>().runtime().exists(process_id) ? 1 : 0;
}

/// 0: a failure of a linked process arrives as a link-died message (receive returns 1, the tag
/// is the link's); non-zero (the default): the caller dies too.
void die_when_link_dies(CallContext& ctx, int32_t die) {
  ctx.host<Process>().set_die_when_link_dies(die != 0);
}

namespace {
struct Sleep {
  runtime::Clock::time_point deadline;
  runtime::WakeTimer timer;
};
/// Sleeps past this are clamped (no clock overflow; about 35 years).
constexpr uint64_t kMaxSleepMs = uint64_t{1} << 40;
}  // namespace

/// Suspends the caller for `ms` milliseconds without holding a worker thread.
HostResult<void> sleep_ms(CallContext& ctx, uint64_t ms) {
  Process& self = ctx.host<Process>();
  Sleep& sleep = ctx.pending<Sleep>(
      Sleep{runtime::Clock::now() + std::chrono::milliseconds(std::min(ms, kMaxSleepMs)), {}});
  if (runtime::Clock::now() >= sleep.deadline) return {};
  if (!sleep.timer.armed()) sleep.timer = self.wake_at(sleep.deadline);
  return HostResult<void>::park();
}

}  // namespace lunatic::host::process
