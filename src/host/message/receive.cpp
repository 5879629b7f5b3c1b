// lunatic::message, waiting side: receive (selective over a list of tags, with a timeout),
// receive_data (the same, and the bytes into a buffer) and send_receive_skip_search
// (request/reply). They park the process while they wait and are re-executed when a matching
// message arrives or the deadline passes.
#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <vector>

#include "binding/adapter.hpp"
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

/// A receive's tags, copied out of guest memory (which may be unaligned) without a heap
/// allocation for the usual few: every receive builds one, so this is on the message path.
class TagFilter {
 public:
  explicit TagFilter(GuestSpan<int64_t> tags) : size_(tags.size()) {
    runtime::Tag* out = inline_.data();
    if (size_ > inline_.size()) {
      heap_.resize(size_);  // at most the guest's memory / 8: the span is inside it
      out = heap_.data();
    }
    for (uint32_t i = 0; i < size_; ++i) out[i] = tags[i];
  }
  std::span<const runtime::Tag> view() const {
    return {size_ > inline_.size() ? heap_.data() : inline_.data(), size_};
  }

 private:
  uint32_t size_;
  // Not zeroed: only the first size_ are read, all written by the constructor (a receive
  // builds one per attempt, two a message).
  std::array<runtime::Tag, 8> inline_;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::vector<runtime::Tag> heap_;
};

/// Nothing matched: a timeout, or Park until a message or the deadline.
HostResult<int32_t> time_out_or_park(Process& self, Wait& wait) {
  if (wait.deadline && runtime::Clock::now() >= *wait.deadline) {
    self.mailbox().stop_waiting();
    return shared::kTimedOut;
  }
  if (wait.deadline && !wait.timer.armed()) wait.timer = self.wake_at(*wait.deadline);
  return HostResult<int32_t>::park();
}

/// Nothing queued matched, on a receive's attempt: park, time out, or park until the deadline.
/// A wait without a timeout keeps nothing across the Park (no deadline, no timer), so it
/// allocates no pending state: the usual receive of a ring or a ping-pong parks every time.
HostResult<int32_t> wait_for(CallContext& ctx, Process& self, uint64_t timeout_ms) {
  if (timeout_ms >= shared::kNoTimeoutFrom) return HostResult<int32_t>::park();
  return time_out_or_park(self, ctx.pending<Wait>(start_wait(timeout_ms)));
}

/// The common end of receive and send_receive_skip_search: a matching message, a timeout, or
/// Park.
HostResult<int32_t> receive_or_park(Process& self, Wait& wait, std::span<const runtime::Tag> tags,
                                    uint64_t min_sequence) {
  if (std::unique_ptr<runtime::Message> m = self.mailbox().receive_or_wait(tags, min_sequence)) {
    return accept(self, std::move(m));
  }
  return time_out_or_park(self, wait);
}

/// A message that went straight into the receiver's buffer: its bytes are the caller's now;
/// the message keeps its node charged, and for a small message the slack
/// (runtime/message.hpp) that spares its next use a budget update.
void settle_delivered(runtime::Message& in) {
  if (in.charge.bytes() > runtime::kMessageBytes + runtime::kMessageSlack) {
    in.charge.resize(runtime::kMessageBytes + runtime::kMessageSlack);
  }
}

}  // namespace

int32_t accept(Process& self, std::unique_ptr<runtime::Message> m) {
  const runtime::MessageKind kind = m->kind;
  // The message received before is done with: its node becomes this process's next message.
  self.recycle(std::move(self.incoming));
  self.incoming = std::move(m);
  self.incoming->read_position = 0;
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
  const TagFilter filter(tags);
  if (std::unique_ptr<runtime::Message> m = self.mailbox().receive_or_wait(filter.view())) {
    return accept(self, std::move(m));  // no wait, so no pending state to allocate
  }
  return wait_for(ctx, self, timeout_ms);
}

/// Arguments: tags and a timeout as for receive, a buffer, where to write the message's size
/// (a u64). Receives as receive does, then writes the received message's size; a data message
/// that fits in the buffer is copied there (often by its sender, straight from its memory,
/// while this call waited) and is not kept (read_data then returns 0); a bigger one, or a
/// signal, is not copied and stays the received message for read_data (nothing is lost).
/// Returns as receive (9027: nothing received, nothing written). Traps: the tags, the buffer
/// or the size outside memory; "out of fuel" when the caller's fuel cannot pay for copying a
/// queued message (one unit per 16 bytes; a sender that copied it straight paid).
HostResult<int32_t> receive_data(CallContext& ctx, GuestSpan<int64_t> tags, uint64_t timeout_ms,
                                 GuestMutSpan<uint8_t> buffer, GuestPtr<uint64_t> size_out) {
  Process& self = ctx.host<Process>();
  const TagFilter filter(tags);
  // Re-executed with the same arguments after a Park, so a message a sender copied into this
  // buffer (Message::delivered) is found where this call asked for it.
  const runtime::DirectBuffer direct{buffer.size() != 0 ? buffer.mut_bytes().data() : nullptr,
                                     buffer.size()};
  std::unique_ptr<runtime::Message> m = self.mailbox().receive_or_wait(filter.view(), 0, direct);
  // The wait's state (its deadline) only once it must wait: a message already queued costs no
  // allocation. The deadline counts from the first attempt that found nothing.
  if (!m) return wait_for(ctx, self, timeout_ms);
  const int32_t kind = accept(self, std::move(m));
  runtime::Message& in = *self.incoming;
  if (in.delivered != 0) {
    settle_delivered(in);
    size_out.write(in.delivered);
    return kind;
  }
  if (kind == 0 && in.data.size() <= buffer.size()) {
    // Queued before this call: the only copy on this side, from the message, paid by the
    // receiver as read_data's (a sender that copied straight into the buffer paid for it).
    if (!charge_copy(ctx, in.data.size())) return out_of_fuel();
    std::copy(in.data.begin(), in.data.end(), buffer.mut_bytes().begin());
    in.delivered = in.data.size();
    std::vector<uint8_t>().swap(in.data);
  }
  if (in.delivered != 0) settle_delivered(in);
  size_out.write(in.delivered != 0 ? in.delivered : in.data.size());
  return kind;
}

engine::HostStatus receive_data_entry(const void* adapter, engine::HostCall& call) {
  using Bound = binding::Adapter<decltype(&receive_data)>;
  // The parked call run again after its wake-up, whose wait a sender ended with a copy straight
  // into its buffer: the usual end of every hop of a ring and a ping-pong. Its arguments were
  // decoded and checked by the attempt that parked (the guest has not run since: the same
  // call, with the same arguments, and memory only grows), and its filter was the wait's,
  // which the message matched. So the message is taken as the adapter's path would take it
  // (receive_or_wait takes the handed-over message first), without decoding five arguments,
  // copying the tags and matching again. Anything else goes the adapter's way: a first
  // attempt, a spurious wake-up, a timeout (no message), a signal or a message that did not go
  // straight into the buffer.
  auto* host = static_cast<binding::HostContext*>(call.thread.host_context);
  binding::PendingCall* slot = host != nullptr ? &host->pending_call() : nullptr;
  // The slot names the function whose attempt parked until an attempt of any function ends
  // otherwise: this one's, run again, is the next host call of this process.
  constexpr size_t kSizeArg = 5;  // tags, tag count, timeout, buffer, capacity, size
  if (slot != nullptr && slot->owner() == &static_cast<const Bound*>(adapter)->info() &&
      call.args.size() == kSizeArg + 1 && call.results.size() == 1) {
    Process& self = static_cast<Process&>(*host);
    const engine::Memory* memory = call.memory();
    const auto size_at = static_cast<uint32_t>(call.args[kSizeArg]);
    if (binding::in_bounds(memory, size_at, 1, sizeof(uint64_t))) {
      if (std::unique_ptr<runtime::Message> m = self.mailbox().take_delivered_handoff()) {
        const int32_t kind = accept(self, std::move(m));  // Data: delivered is only set on data
        runtime::Message& in = *self.incoming;
        settle_delivered(in);
        const uint64_t size = in.delivered;
        std::memcpy(memory->data() + size_at, &size, sizeof size);
        call.results[0] = static_cast<engine::Slot>(static_cast<uint32_t>(kind));
        slot->clear();  // as the adapter after an attempt that returns: a timeout's Wait goes
        return engine::HostStatus::Return;
      }
    }
  }
  return Bound::entry(adapter, call);
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
    self.runtime().send(process_id, std::move(self.outgoing), &self);
  }
  const runtime::Tag tag = wait_on_tag;
  return receive_or_park(self, wait, {&tag, 1}, wait.min_sequence);
}

}  // namespace lunatic::host::message
