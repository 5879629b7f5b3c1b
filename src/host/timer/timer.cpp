// lunatic::timer: the scratch message handed to the runtime's timer thread, which delivers it
// at the deadline. A process can cancel only the timers it made (the timer records the owner,
// so nothing per process outlives a timer that fired); a timer for a process that ended goes.
#include "host/timer/timer.hpp"

#include <algorithm>
#include <chrono>

#include "host/shared/resources.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::timer {
namespace {

using binding::CallContext;
using binding::HostResult;
using runtime::Process;

/// Delays past this are clamped (about 35 years: no overflow of the clock).
constexpr uint64_t kMaxDelayMs = uint64_t{1} << 40;

/// Host memory of one timer besides its message: the timer's entries (deadline and id
/// indexes, its action, the shared slot of the message), measured ~300 bytes; charged to the
/// message (and so to the caller's environment) while it waits.
constexpr uint64_t kTimerBytes = 320;

/// Arguments: a process id, a delay in ms. Takes the message being built and sends it to the
/// process after the delay. If the process is not alive, or ends before then, the timer is
/// cancelled and the message dropped (with its resources). Returns the timer id. The timer is
/// charged to the caller's environment with its message (kTimerBytes more) until it fires or
/// is cancelled. Traps: no message is being built (create_data); killed past the
/// environment's max_memory_total.
HostResult<int64_t> send_after(CallContext& ctx, uint64_t process_id, uint64_t delay_ms) {
  Process& self = ctx.host<Process>();
  if (!self.outgoing) return shared::misuse(ctx, "no message was created (create_data)");
  if (!self.outgoing->charge.add(kTimerBytes)) return self.over_budget("a timer");
  // std::function needs a copyable action: the message rides in a shared_ptr.
  auto message = std::make_shared<std::unique_ptr<runtime::Message>>(std::move(self.outgoing));
  runtime::Runtime& rt = self.runtime();
  const auto deadline =
      runtime::Clock::now() + std::chrono::milliseconds(std::min(delay_ms, kMaxDelayMs));
  runtime::TimerId id = rt.timer().schedule(
      deadline,
      [&rt, process_id, message] {
        if (*message) rt.send(process_id, std::move(*message));
      },
      self.id(), process_id);
  // As in Erlang, a timer for a process that is not alive is cancelled: the runtime cancels
  // the timers of a process as it ends, after it left the registry, so checking only now
  // (after scheduling) leaves no window in which a timer for a dead process stays.
  if (!rt.exists(process_id)) rt.timer().cancel(id);
  return static_cast<int64_t>(id);
}

/// Arguments: a timer id from send_after. Returns 1 if the message was not sent yet (and now
/// never will be), 0 if it was already sent, cancelled, or the id is not one of this process's
/// timers.
int32_t cancel_timer(CallContext& ctx, uint64_t timer_id) {
  Process& self = ctx.host<Process>();
  // Timer ids are runtime-wide: only the caller's own timers are cancelled.
  return self.runtime().timer().cancel_owned(timer_id, self.id()) ? 1 : 0;
}

}  // namespace

void define_functions(binding::Linker& linker) {
  linker.ns(kModuleName).define("send_after", &send_after).define("cancel_timer", &cancel_timer);
}

}  // namespace lunatic::host::timer
