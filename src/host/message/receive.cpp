// lunatic::message, waiting side: receive (selective over a list of tags, with a timeout) and
// send_receive_skip_search (request/reply). Both park the process while they wait and are
// re-executed when a matching message arrives or the deadline passes.
#include <optional>
#include <vector>

#include "host/message/internal.hpp"
#include "host/shared/resources.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::message {
namespace {

/// What survives a Park: the absolute deadline (computed once) and its wake-up.
struct Wait {
  std::optional<runtime::Clock::time_point> deadline;
  runtime::WakeTimer timer;
  bool sent = false;          ///< send_receive_skip_search: the request went out
  uint64_t min_sequence = 0;  ///< send_receive_skip_search: only replies after the request
};

Wait start_wait(uint64_t timeout_ms) {
  Wait w;
  w.deadline = shared::deadline_after(timeout_ms);
  return w;
}

/// The common end of both calls: a matching message, a timeout, or Park.
HostResult<int32_t> receive_or_park(Process& self, Wait& wait, std::span<const runtime::Tag> tags,
                                    uint64_t min_sequence) {
  if (std::unique_ptr<runtime::Message> m = self.mailbox().receive_or_wait(tags, min_sequence)) {
    return accept(self, std::move(m));
  }
  if (wait.deadline && runtime::Clock::now() >= *wait.deadline) {
    self.mailbox().stop_waiting();
    return shared::kTimedOut;
  }
  if (wait.deadline && !wait.timer.armed()) wait.timer = self.wake_at(*wait.deadline);
  return HostResult<int32_t>::park();
}

}  // namespace

int32_t accept(Process& self, std::unique_ptr<runtime::Message> m) {
  const runtime::MessageKind kind = m->kind;
  self.incoming = std::move(m);
  self.local<ReadCursor>().position = 0;
  switch (kind) {
    case runtime::MessageKind::Data: return 0;
    case runtime::MessageKind::LinkDied: return 1;
    case runtime::MessageKind::ProcessDied: return 2;
  }
  return 0;
}

/// Arguments: an array of i64 tags (length 0: any message), a timeout in ms (0: do not wait;
/// u64::MAX: wait forever). Takes the first queued message whose tag is in the list (the others
/// keep their order) as the received message. Returns 0 data, 1 link died, 2 process died,
/// 9027 timed out. Parks while it waits. Traps: the tag array outside memory.
HostResult<int32_t> receive(CallContext& ctx, GuestSpan<int64_t> tags, uint64_t timeout_ms) {
  Process& self = ctx.host<Process>();
  Wait& wait = ctx.pending<Wait>(start_wait(timeout_ms));
  std::vector<runtime::Tag> filter(tags.size());
  for (uint32_t i = 0; i < tags.size(); ++i) filter[i] = tags[i];
  return receive_or_park(self, wait, filter, 0);
}

/// Arguments: a process id, the tag of the reply, a timeout as for receive. Sends the message
/// being built to the process, then waits for a message tagged `wait_on_tag` that arrived
/// after the send (older messages are not searched). Returns 0 data (or 1, 2 for a signal with
/// that tag), 9027 timed out. Traps: no message was created.
HostResult<int32_t> send_receive_skip_search(CallContext& ctx, uint64_t process_id,
                                             int64_t wait_on_tag, uint64_t timeout_ms) {
  Process& self = ctx.host<Process>();
  Wait& wait = ctx.pending<Wait>(start_wait(timeout_ms));
  if (!wait.sent) {
    if (!self.outgoing) return shared::misuse(ctx, "no message was created (create_data)");
    wait.min_sequence = self.mailbox().next_sequence();
    wait.sent = true;
    self.runtime().send(process_id, std::move(self.outgoing));
  }
  const runtime::Tag tag = wait_on_tag;
  return receive_or_park(self, wait, {&tag, 1}, wait.min_sequence);
}

}  // namespace lunatic::host::message
